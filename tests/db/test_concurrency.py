"""64 clients racing for the last units of a parcel: exactly what remains is allocated, never more.

Each client has its own connection and thread and starts at the same instant (a barrier). Run
through the register's service (row lock, then the application's check), and again straight
at the database with no application check at all, so that the CHECK constraints and triggers
alone are seen to hold.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from decimal import ROUND_DOWN, Decimal

import pytest

from bng.db.database import Database
from bng.db.filestore import LocalFileStore
from bng.register import samples
from bng.register.allocations.service import Development, Request
from bng.register.core.errors import Conflict, OverAllocation
from bng.register.core.ledger import QUANTUM, Capacity
from bng.register.core.model import Allocation, AllocationLine
from bng.register.core.places import places
from bng.register.core.uploads import Upload
from bng.register.services import build_services
from tests.db.fixtures import CHEAP_PASSWORDS, Register

CLIENTS = 64
REMAINING = Decimal(1)  # 1 hectare left in the parcel
ASK = Decimal("0.1")  # each client asks for 0.1 ha: exactly 10 can have it
WINNERS = 10


def _race(action: Callable[[int], None]) -> Counter[str]:
    barrier = threading.Barrier(CLIENTS)
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()

    def client(i: int) -> None:
        barrier.wait()
        try:
            action(i)
            result = "allocated"
        except OverAllocation:
            result = "refused"
        except Conflict as err:  # the engine was too busy: a refusal the client can retry
            result = f"conflict: {err.message}"
        except Exception as err:
            result = f"error: {type(err).__name__}: {err}"
        with lock:
            outcomes[result] += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return outcomes


def _setup(register: Register) -> tuple[int, Decimal, Decimal]:
    """The site's first created parcel, pre-allocated down to REMAINING; returns its id, size and units."""
    world, s = register.world, register.services
    assert world is not None
    parcel = next(p for p in s.register.site(world.site).parcels if p.stage == "creation" and p.module == "area")
    assert parcel.id is not None and parcel.size > REMAINING
    s.allocations.allocate(
        world.actors["landowner"], world.site, Development(world.lpa_ids["Cambridge LPA"], "26/0/FUL", "First",
                                                           "546000, 259000"),
        [Request(parcel.id, parcel.size - REMAINING)],
    )  # fmt: skip
    return parcel.id, parcel.size, parcel.units


def _check(register: Register, parcel_id: int, size: Decimal, units: Decimal, outcomes: Counter[str]) -> None:
    assert set(outcomes) <= {"allocated", "refused"}, outcomes
    assert outcomes["allocated"] == WINNERS and outcomes["refused"] == CLIENTS - WINNERS
    with register.database() as uow:
        p = uow.ledger.parcel(parcel_id)
        assert p is not None
        assert p.allocated_size == size  # exactly what there was: all of it, not a millionth more
        assert p.allocated_units <= units
        site = uow.sites.by_reference(register.world.site)  # type: ignore[union-attr]
        lines = [ln for a in uow.ledger.allocations(site.id) for ln in uow.ledger.lines(a.id)]  # type: ignore[arg-type,union-attr]
        assert sum(ln.size for ln in lines if ln.parcel_id == parcel_id) == p.allocated_size
        assert sum(ln.units for ln in lines if ln.parcel_id == parcel_id) == p.allocated_units
        # and the site's remaining units, kept by the parcel triggers, agree with its parcels to the millionth
        sold = [x for x in uow.sites.parcels(site.id) if x.module == "area" and x.stage != "baseline"]  # type: ignore[union-attr,arg-type]
        assert site.remaining_area_units == sum(x.units - x.allocated_units for x in sold)  # type: ignore[union-attr]


@pytest.fixture
def racing(register: Register) -> Register:
    """The same register with a connection pool big enough for every client at once."""
    options: dict[str, object] = {"pool_size": CLIENTS + 4, "max_overflow": 0} if register.engine_is_pg else {}
    database = Database(register.url, **options)
    register.wired.database.dispose()
    register.wired.database = database
    store = LocalFileStore(register.files)
    register.wired.services = build_services(database, store, register.clock, places, CHEAP_PASSWORDS)
    return register


def test_64_clients_race_through_the_service(racing: Register) -> None:
    world, s = racing.world, racing.services
    assert world is not None
    parcel, size, units = _setup(racing)
    development = Development(world.lpa_ids["Cambridge LPA"], "26/1/FUL", "Racer", "546000, 259000")

    def allocate(i: int) -> None:
        consent = Upload("consent_file", f"consent-{i}.pdf", samples.pdf("Landowner's consent", (f"Racer {i}",)))
        who = world.actors["developer"]
        s.allocations.allocate(who, world.site, development, [Request(parcel, ASK)], consent=consent)

    files_before = sum(p.is_file() for p in racing.files.rglob("*"))
    _check(racing, parcel, size, units, _race(allocate))
    # each winner kept its consent; every loser's was removed with the rest of its transaction
    assert sum(p.is_file() for p in racing.files.rglob("*")) == files_before + WINNERS


def test_64_clients_race_straight_at_the_database(racing: Register) -> None:
    """No row lock, no application check: the CHECK constraints and triggers alone decide."""
    world = racing.world
    assert world is not None
    parcel, size, units = _setup(racing)
    with racing.database(write=True) as uow:
        site = uow.sites.by_reference(world.site)
        assert site is not None and site.id is not None
        allocation = Allocation(
            "ALL-RACE-0000", site.id, world.lpa_ids["Cambridge LPA"], "26/2/FUL", "Raw", racing.clock()
        )
        uow.add(allocation)
        uow.commit()
    assert allocation.id is not None
    first = Capacity(size, units).units_for(size - REMAINING)  # what the first allocation took
    share = ((units - first) / WINNERS).quantize(QUANTUM, ROUND_DOWN)

    def insert(i: int) -> None:
        with racing.database(write=True) as uow:
            uow.ledger.add_line(AllocationLine(allocation.id, parcel, ASK, share))  # type: ignore[arg-type]
            uow.commit()

    _check(racing, parcel, size, units, _race(insert))
