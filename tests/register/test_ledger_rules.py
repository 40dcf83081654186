"""The capacity ledger's rules: exact arithmetic, units in proportion, never more than remains."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bng.register.core.errors import Invalid, OverAllocation
from bng.register.core.ledger import PLACES, QUANTUM, Capacity, check_allocation, plain, quantity

D = Decimal

# quantities at the ledger's precision, as the database hands them back (whole numbers scaled down)
sizes = st.integers(1, 50 * 10**PLACES).map(lambda n: D(n).scaleb(-PLACES))
units_ = st.integers(0, 500 * 10**PLACES).map(lambda n: D(n).scaleb(-PLACES))
asks = st.integers(1, 10 * 10**PLACES).map(lambda n: D(n).scaleb(-PLACES))


def test_quantities_round_half_even_at_the_sixth_decimal() -> None:
    assert quantity(1.5) == D("1.5") and quantity(1.5).as_tuple().exponent == -PLACES
    assert quantity("0.0000005") == 0 and quantity("0.0000015") == D("0.000002")
    assert quantity(D("12.3456789")) == D("12.345679")
    assert quantity(0.1) == D("0.1")  # a float by its shortest form, not its binary expansion
    assert plain(D("0.500000")) == "0.5" and plain(D("2.000000")) == "2" and plain(D("1E+2")) == "100"


def test_units_go_with_size_in_proportion_and_the_last_takes_the_rest() -> None:
    cap = Capacity(size=D(3), units=D(10))
    assert cap.units_for(D(1)) == D("3.333333")  # rounded down: never more than its share
    last = Capacity(D(3), D(10), D(2), D("6.666666"))
    assert last.units_for(D(1)) == D("3.333334")  # all that remains, no dust left


def test_refusals_say_what_remains() -> None:
    cap = Capacity(D(2), D(8), D("1.5"), D(6))
    with pytest.raises(OverAllocation, match=r"Only 0\.5000 ha of parcel 1 \(Grassland\) remains"):
        check_allocation("creation", cap, D("0.6"), "parcel 1 (Grassland)", "ha")
    with pytest.raises(Invalid, match="baseline"):
        check_allocation("baseline", cap, QUANTUM, "parcel B", "ha")
    with pytest.raises(Invalid, match="greater than 0"):
        check_allocation("creation", cap, D(0), "parcel 1", "ha")
    assert check_allocation("enhancement", cap, D("0.5"), "parcel 1", "ha") == D(2)


@given(size=sizes, units=units_, asks=st.lists(asks, min_size=1, max_size=40))
def test_no_sequence_of_allocations_exceeds_capacity(size: Decimal, units: Decimal, asks: list[Decimal]) -> None:
    cap = Capacity(size, units)
    for ask in asks:
        try:
            taken = check_allocation("creation", cap, ask, "p", "ha")
        except OverAllocation:
            assert ask > cap.remaining_size
            continue
        assert taken == taken.quantize(QUANTUM)  # never finer than the ledger keeps
        cap = Capacity(size, units, cap.allocated_size + ask, cap.allocated_units + taken)
        assert 0 <= cap.allocated_size <= size
        assert 0 <= cap.allocated_units <= units
    if cap.allocated_size == size:
        assert cap.allocated_units == units


@given(
    size=st.integers(1, 10**19 - 1),
    units=st.integers(0, 10**19 - 1),
    allocated=st.integers(0, 10**19 - 1),
    ask=st.integers(1, 10**19 - 1),
)
def test_units_for_is_the_whole_number_rule_at_any_magnitude(size: int, units: int, allocated: int, ask: int) -> None:
    """The Decimal ledger gives what the whole-number ledger (millionths, floor division) gave, up to
    the largest quantity a BIGINT column holds: no rounding in the 28-digit default context slips in."""
    allocated, ask = min(allocated, size), min(ask, size)
    cap = Capacity(D(size).scaleb(-PLACES), D(units).scaleb(-PLACES), D(allocated).scaleb(-PLACES))
    if ask == size - allocated:
        expected = units
    else:
        expected = min(units, ask * units // size)
    assert cap.units_for(D(ask).scaleb(-PLACES)) == D(expected).scaleb(-PLACES)
