"""The ledger's quantities at the storage edge: Decimals in the register, whole millionths in BIGINT
columns (``bng.db.types.Millionths``). The conversion round-trips, rounds as the register always
stored (half to even at the sixth decimal, a float by its shortest form), and what the ledger adds up
from the records is what the database adds up from the integers."""

from __future__ import annotations

import random
from collections.abc import Iterator
from decimal import ROUND_HALF_EVEN, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Column, Engine, Integer, MetaData, Table, create_engine, func, select, text
from sqlalchemy.dialects import postgresql, sqlite

from bng.db.types import Millionths, MillionthsDoc, from_micro, to_micro
from bng.register.allocations.service import Development, Request
from bng.register.core.errors import OverAllocation
from bng.register.core.ledger import PLACES, QUANTUM, quantity
from tests.db.fixtures import Register

BIGINT = (-(2**63), 2**63 - 1)
stored = st.integers(*BIGINT)
exact = st.integers(0, 10**15).map(lambda n: Decimal(n).scaleb(-PLACES))
DIALECTS = (sqlite.dialect(), postgresql.dialect())


def _old_rule(value: object) -> int:
    """``ledger.to_micro`` as it was before the register spoke Decimals: the rule the stored data was written by."""
    return int((Decimal(str(value)) * 1_000_000).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


@given(stored)
def test_any_stored_integer_reads_back_and_writes_back_the_same(n: int) -> None:
    for dialect in DIALECTS:
        value = Millionths().process_result_value(n, dialect)
        assert value is not None and value.as_tuple().exponent == -PLACES
        assert Millionths().process_bind_param(value, dialect) == n


@given(exact)
def test_any_quantity_at_the_ledgers_precision_round_trips_exactly(value: Decimal) -> None:
    n = to_micro(value)
    assert from_micro(n) == value and quantity(value) == value
    doc = MillionthsDoc().process_bind_param({"area": value}, DIALECTS[0])
    assert doc == {"area": n} and MillionthsDoc().process_result_value(doc, DIALECTS[0]) == {"area": value}


@given(st.one_of(st.floats(-1e12, 1e12, allow_nan=False), st.decimals(-(10**12), 10**12, allow_nan=False, places=9)))
def test_the_stored_rounding_is_the_old_rule_and_the_ledgers(value: float | Decimal) -> None:
    """Half to even at the sixth decimal of the value's shortest decimal form, in the database and in the
    ledger alike: what the ledger quantises is what the column stores."""
    assert to_micro(value) == _old_rule(value)
    assert from_micro(to_micro(value)) == quantity(value)


def test_the_rule_on_the_half() -> None:
    assert to_micro("0.0000005") == 0 and to_micro("0.0000015") == 2 and to_micro(0.1) == 100_000
    assert to_micro(Decimal("12.3456789")) == 12_345_679 and from_micro(2_500_000) == Decimal("2.5")
    assert from_micro(1) == QUANTUM


@pytest.fixture(scope="module")
def scratch() -> Iterator[tuple[Engine, Table]]:
    """A throwaway SQLite table with one ``Millionths`` column, as the ledger's tables have."""
    engine = create_engine("sqlite://")
    line = Table("line", MetaData(), Column("id", Integer, primary_key=True), Column("units_micro", Millionths()))
    line.metadata.create_all(engine)
    yield engine, line
    engine.dispose()


@given(st.lists(exact, min_size=1, max_size=60))
def test_the_ledgers_sum_is_the_stored_integers_sum(scratch: tuple[Engine, Table], values: list[Decimal]) -> None:
    engine, line = scratch
    with engine.begin() as conn:
        conn.execute(line.delete())
        conn.execute(line.insert(), [{"units_micro": v} for v in values])
        read = [r[0] for r in conn.execute(select(line.c.units_micro).order_by(line.c.id))]
        integers = conn.execute(text("SELECT sum(units_micro) FROM line")).scalar_one()
        summed = conn.execute(select(func.sum(line.c.units_micro))).scalar_one()
    assert read == values
    assert sum(read, Decimal(0)) == summed == from_micro(integers) == sum(values, Decimal(0))
    assert integers == sum(to_micro(v) for v in values)


def test_after_many_allocations_the_records_add_up_to_the_stored_integers(register: Register) -> None:
    """On both engines: every parcel's allocated size and units (kept by triggers, in integers) equal the
    Decimal sums of its lines, and the site's units left equal its parcels' capacity less allocated."""
    world, s = register.world, register.services
    assert world is not None
    parcels = [p for p in s.register.site(world.site).parcels if p.stage != "baseline"]
    development = Development(world.lpa_ids["Cambridge LPA"], "26/01234/FUL", "Mill Road homes", "546000, 259000")
    rng = random.Random(15)
    made = 0
    for _ in range(12):
        p = rng.choice(parcels)
        assert p.id is not None
        ask = Decimal(rng.randint(1, 50_000)).scaleb(-PLACES)  # up to 0.05 ha or km, to the millionth
        try:
            s.allocations.allocate(world.actors["landowner"], world.site, development, [Request(p.id, ask)])
        except OverAllocation:
            continue
        made += 1
    assert made >= 6
    with register.database() as uow:
        site = uow.sites.by_reference(world.site)
        assert site is not None and site.id is not None
        lines = [ln for a in uow.ledger.allocations(site.id) for ln in uow.ledger.lines(a.id or 0)]
        assert len(lines) == made
        now = list(uow.sites.parcels(site.id))
        for p in now:
            mine = [ln for ln in lines if ln.parcel_id == p.id]
            assert p.allocated_size == sum((ln.size for ln in mine), Decimal(0))
            assert p.allocated_units == sum((ln.units for ln in mine), Decimal(0))
        for module in ("area", "hedgerow", "watercourse"):
            left = sum(
                (p.units - p.allocated_units for p in now if p.module == module and p.stage != "baseline"), Decimal(0)
            )
            assert getattr(site, f"remaining_{module}_units") == left
    with register.database.engine.connect() as conn:
        raw = conn.execute(text("SELECT sum(units_micro), sum(size_micro) FROM allocation_line")).one()
    assert (from_micro(raw[0]), from_micro(raw[1])) == (sum(ln.units for ln in lines), sum(ln.size for ln in lines))
