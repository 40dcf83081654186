"""What the database itself refuses, whatever the application does: on both engines."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from bng.register.allocations.service import Development, Request
from bng.register.core.errors import Conflict, OverAllocation
from bng.register.core.ledger import QUANTUM as MILLIONTH
from bng.register.core.model import Allocation, AllocationLine
from tests.db.fixtures import Register


def _raw(register: Register, sql: str, **params: object) -> None:
    with register.database.engine.begin() as conn:
        conn.execute(text(sql), params)


@pytest.mark.parametrize("table", ["audit_event", "site_event", "application_event"])
def test_logs_are_append_only(register: Register, table: str) -> None:
    with pytest.raises(DBAPIError, match="append-only"):
        _raw(register, f"UPDATE {table} SET id = id")
    with pytest.raises(DBAPIError, match="append-only"):
        _raw(register, f"DELETE FROM {table}")
    if register.database.dialect == "postgresql":
        with pytest.raises(DBAPIError, match="append-only"):
            _raw(register, f"TRUNCATE {table}")
    with register.database.engine.connect() as conn:
        assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() > 0


def test_every_change_is_in_the_audit_log_with_before_and_after(register: Register) -> None:
    world = register.world
    assert world is not None
    with register.database() as uow:
        page = uow.audit.recent(1, 500)
    actions = {e.action for e in page.items}
    assert {
        "account.created", "application.started",
        "application.section_saved", "file.uploaded", "application.submitted", "payment.due", "payment.received",
        "application.accepted", "site.registered", "file.published", "application.information_requested",
        "application.rejected",
    } <= actions  # fmt: skip
    with register.database() as uow:
        accepted = uow.audit.recent(1, 10, "application", world.applications["accepted"]).items
    decision = next(e for e in accepted if e.action == "application.accepted")
    assert decision.before == {"status": "submitted", "decided_at": None, "gain_site_id": None}
    assert decision.after is not None and decision.after["status"] == "accepted"
    assert decision.actor == "case.worker@example.gov.uk" and decision.actor_id == world.actors["case_worker"].user_id
    created = next(e for e in page.items if e.action == "account.created")
    assert created.after is not None and created.after["password_hash"] == "[redacted]"


def _parcel(register: Register, stage: str = "creation") -> tuple[int, Decimal, Decimal]:
    world = register.world
    assert world is not None
    p = next(p for p in register.services.register.site(world.site).parcels if p.stage == stage and p.module == "area")
    assert p.id is not None
    return p.id, p.size, p.units


def _allocation(register: Register) -> int:
    world = register.world
    assert world is not None
    with register.database(write=True) as uow:
        site = uow.sites.by_reference(world.site)
        assert site is not None and site.id is not None
        a = Allocation("ALL-TEST-0001", site.id, world.lpa_ids["Cambridge LPA"], "26/1/FUL", "Test", register.clock())
        uow.add(a)
        uow.commit()
        assert a.id is not None
        return a.id


def test_the_ledger_cannot_be_overdrawn_even_without_the_application_checks(register: Register) -> None:
    parcel, size, units = _parcel(register)
    allocation = _allocation(register)
    with register.database(write=True) as uow:
        uow.ledger.add_line(AllocationLine(allocation, parcel, size - 1, MILLIONTH))
        uow.commit()
    with pytest.raises(OverAllocation), register.database(write=True) as uow:
        uow.ledger.add_line(AllocationLine(allocation, parcel, 1 + MILLIONTH, MILLIONTH))  # one millionth too much
    with register.database() as uow:
        p = uow.ledger.parcel(parcel)
        assert p is not None and p.allocated_size == size - 1 and p.allocated_units == MILLIONTH
    with pytest.raises(OverAllocation), register.database(write=True) as uow:
        uow.ledger.add_line(AllocationLine(allocation, parcel, MILLIONTH, units))  # units beyond capacity


def test_lines_move_the_totals_and_cannot_be_edited(register: Register) -> None:
    parcel, _, _ = _parcel(register)
    allocation = _allocation(register)
    with register.database(write=True) as uow:
        uow.ledger.add_line(AllocationLine(allocation, parcel, Decimal("0.25"), Decimal("0.001")))
        uow.commit()
    with pytest.raises(DBAPIError, match="cannot be changed"):
        _raw(register, "UPDATE allocation_line SET size_micro = 1")
    _raw(register, "DELETE FROM allocation_line")
    with register.database() as uow:
        p = uow.ledger.parcel(parcel)
        assert p is not None and (p.allocated_size, p.allocated_units) == (0, 0)


def test_baseline_habitat_is_never_sold(register: Register) -> None:
    parcel, _, _ = _parcel(register, "baseline")
    allocation = _allocation(register)
    with pytest.raises(DBAPIError, match="baseline_not_sold"), register.database(write=True) as uow:
        uow.ledger.add_line(AllocationLine(allocation, parcel, MILLIONTH, Decimal(0)))


def test_a_removed_site_takes_no_allocations_and_an_allocated_one_cannot_be_removed(register: Register) -> None:
    world = register.world
    assert world is not None
    parcel, _, _ = _parcel(register)
    allocation = _allocation(register)
    with register.database(write=True) as uow:
        uow.ledger.add_line(AllocationLine(allocation, parcel, Decimal("0.001"), Decimal("0.00001")))
        uow.commit()
    with pytest.raises(DBAPIError, match="cannot be removed"):
        _raw(register, "UPDATE gain_site SET status = 'removed', removed_on = :d", d=date(2026, 11, 22))
    _raw(register, "DELETE FROM allocation_line")
    _raw(register, "UPDATE gain_site SET status = 'removed', removed_on = :d", d=date(2026, 11, 22))
    with pytest.raises(Conflict, match="not on the register"), register.database(write=True) as uow:
        uow.ledger.add_line(AllocationLine(allocation, parcel, Decimal("0.001"), Decimal("0.00001")))


def test_allocating_through_the_service(register: Register) -> None:
    world, s = register.world, register.services
    assert world is not None
    parcel, size, units = _parcel(register)
    development = Development(world.lpa_ids["Cambridge LPA"], "26/04567/OUT", "Riverside homes", "546000, 259000")
    allocation = s.allocations.allocate(world.actors["landowner"], world.site, development, [Request(parcel, size)])
    assert allocation.reference.startswith("ALL-")
    view = s.register.site(world.site)
    p = next(x for x in view.parcels if x.id == parcel)
    assert (p.allocated_size, p.allocated_units) == (size, units)  # the whole parcel: all its units
    assert [a.planning_reference for a, _ in view.allocations] == ["26/04567/OUT"]
    with pytest.raises(OverAllocation, match=r"Only 0\.0000 ha"):
        s.allocations.allocate(world.actors["landowner"], world.site, development, [Request(parcel, MILLIONTH)])


def test_personal_documents_cannot_be_published(register: Register) -> None:
    world = register.world
    assert world is not None
    with pytest.raises(DBAPIError, match="personal_never_published"):
        _raw(register, "UPDATE stored_file SET published = :t WHERE id = :i", t=True, i=world.files["owner"])
