"""The in-memory register (tests/register/memory.py) keeps the contract of the database's unit of work.

Each scenario runs the same calls of the services on the in-memory register and on SQLite (a copy of the
same template: the reference lists, or the world) and compares everything it saw: what the services
returned, what they refused and why, and what was kept afterwards. A difference is a fake that has
drifted from the database, which would let fast tests pass that the database would fail.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from bng.register import samples
from bng.register.accounts.service import NewAccount, SecondStep, actor_of
from bng.register.allocations.service import Development, Request
from bng.register.core import audit
from bng.register.core.errors import Conflict, RegisterError
from bng.register.core.model import Application, User
from bng.register.core.ports import SiteQuery
from bng.register.core.uploads import Upload
from tests.db.fixtures import Register, Templates, _register
from tests.register.memory import MemoryStore, MemoryUnitOfWork, factory, seeded
from tests.register.memory_fixtures import MemoryRegister, memory_register
from tests.register.world import NOW, PASSWORD, TODAY, answer_all

Either = Register | MemoryRegister
Scenario = Callable[[Either], list[Any]]


def outcome(call: Callable[[], Any]) -> Any:
    """What a call gave, or the register's error it raised (its class and words), for comparing."""
    try:
        return ("ok", call())
    except SecondStep:
        return ("second step",)
    except RegisterError as err:
        problems = [(p.field, p.message) for p in getattr(err, "problems", [])]
        return (type(err).__name__, str(err), problems)


@pytest.fixture
def both(templates: Templates, tmp_path: Path) -> Iterator[Callable[[bool], tuple[Either, Either]]]:
    """``both(with_world)``: the in-memory register and SQLite's, from the same starting point."""
    opened: list[Iterator[Register]] = []

    def make(with_world: bool) -> tuple[Either, Either]:
        sqlite = _register(templates, "sqlite", tmp_path / f"sqlite-{len(opened)}", with_world)
        (tmp_path / f"sqlite-{len(opened)}").mkdir()
        opened.append(sqlite)
        return memory_register(with_world), next(sqlite)

    yield make
    for gen in opened:
        gen.close()


def same(both: Callable[[bool], tuple[Either, Either]], scenario: Scenario, with_world: bool) -> list[Any]:
    memory, sqlite = both(with_world)
    seen = scenario(memory)
    assert seen == scenario(sqlite)
    return seen


def accounts_scenario(r: Either) -> list[Any]:
    a = r.services.accounts
    seen: list[Any] = []
    new = NewAccount("Sam@Example.com", "Sam", "a long passphrase", "developer")
    seen.append(outcome(lambda: a.create_account(new).email))
    seen.append(outcome(lambda: a.create_account(new)))  # the same address again: refused, nothing kept
    seen.append(outcome(lambda: a.create_account(NewAccount("x@example.com", "X", "short", "boss"))))
    token = a.sign_in("sam@example.com", "a long passphrase")
    user = a.user_for(token)
    seen.append((user.email, user.role) if user else None)
    for _ in range(6):  # wrong passwords: counted by the throttle until a second step is needed
        seen.append(outcome(lambda: a.sign_in("sam@example.com", "wrong")))
    r.clock.now += timedelta(hours=2)  # the window has passed
    seen.append(outcome(lambda: a.user_for(a.sign_in("sam@example.com", "a long passphrase")) is not None))
    a.sign_out(token)
    seen.append(a.user_for(token))
    seen.append([(m.to, m.template) for m in a.outbox.sent])
    with r.services.uow() as uow:
        seen.append(sorted((u.email, u.role, u.failed_logins) for u in uow.users.all()))
        seen.append([(e.action, e.entity, e.actor) for e in uow.audit.recent(1, 100).items])
    return seen


def test_accounts_the_same_on_both(both: Callable[[bool], tuple[Either, Either]]) -> None:
    seen = same(both, accounts_scenario, with_world=False)
    assert seen[1][0] == "Invalid" and seen[2][0] == "Invalid"


def registration_scenario(r: Either) -> list[Any]:
    """An application answered, refused while incomplete, paid, accepted: a gain site with parcels."""
    s = r.services
    owner = s.accounts.create_trusted(NewAccount("own@example.com", "Own", PASSWORD, "landowner"))
    worker = s.accounts.create_trusted(NewAccount("work@example.gov.uk", "Work", PASSWORD, "case_worker"))
    who, staff = actor_of(owner), actor_of(worker)
    cambridge = next(x.id for x in s.register.lpas() if x.name == "Cambridge LPA")
    assert cambridge is not None
    seen: list[Any] = []
    ref = s.applications.start(who).reference
    seen.append(outcome(lambda: s.applications.submit(who, ref)))  # nothing answered yet
    seen.append(outcome(lambda: s.applications.save_section(who, ref, "applicant", {"acting_as": "nobody"})))
    answer_all(s, who, ref, lpa_id=cambridge)
    seen.append(outcome(lambda: s.applications.submit(who, ref) and None))
    view = s.applications.view(staff, ref)
    seen.append((view.application.status, view.application.version, [p.amount_pence for p in view.payments]))
    s.payments.record_payment(staff, ref, TODAY, "bank transfer")
    site = s.review.accept(staff, ref)
    seen.append((site.reference, site.status, site.lpa_name, site.nca_name))
    shown = s.register.site(site.reference)
    seen.append(sorted((p.module, p.stage, p.ref, p.size, p.units) for p in shown.parcels))
    seen.append(
        (
            shown.site.remaining_area_units,
            shown.site.remaining_hedgerow_units,
            shown.site.remaining_watercourse_units,
        )
    )
    found = s.register.search(SiteQuery(name="meadow", lpa="Cambridge LPA"))
    seen.append((found.total, [x.reference for x in found.items]))
    near = s.register.search(SiteQuery(near=(545_000, 258_000, 5_000)))
    seen.append([x.reference for x in near.items])
    seen.append(s.register.search(SiteQuery(min_units=10_000.0)).total)
    with s.uow() as uow:
        seen.append([(e.action, e.entity) for e in uow.audit.recent(1, 200).items])
        app = uow.applications.by_reference(ref)
        seen.append((app.status, app.version) if app else None)
        events = uow.applications.events(app.id or 0) if app else []
        seen.append([(e.kind, re.sub(r"PAY-[0-9A-Z-]+", "PAY-…", e.message)) for e in events])  # random references
    return seen


def test_a_registration_the_same_on_both(both: Callable[[bool], tuple[Either, Either]]) -> None:
    seen = same(both, registration_scenario, with_world=False)
    assert seen[0][0] == "Invalid" and seen[1][0] == "Invalid" and seen[4][1] == "registered"


def allocation_scenario(r: Either) -> list[Any]:
    """Allocations from the world's gain site: within capacity, beyond it, and the units left."""
    s, world = r.services, r.world
    assert world is not None
    site = s.register.site(world.site)
    by_ref = {f"{p.module}-{p.stage}-{p.ref}": p for p in site.parcels}
    grass = by_ref["area-creation-1"]
    assert grass.id is not None
    dev = Development(world.lpa_ids["Cambridge LPA"], "26/01234/FUL", "Mill Road homes", "546000, 259000")
    consent = Upload("consent_file", "consent.pdf", samples.pdf("Consent of the landowner", ("Meadow Farm",)))
    developer = world.actors["developer"]
    seen: list[Any] = []
    first = outcome(
        lambda: s.allocations.allocate(developer, world.site, dev, [Request(grass.id, Decimal("0.5"))], consent=consent)
    )
    seen.append(first[0])
    too_much = [Request(grass.id, grass.size)]
    seen.append(outcome(lambda: s.allocations.allocate(developer, world.site, dev, too_much, consent=consent))[0])
    after = s.register.site(world.site)
    seen.append(sorted((p.ref, p.allocated_size, p.allocated_units) for p in after.parcels))
    seen.append(after.site.remaining_area_units)
    seen.append(outcome(lambda: s.review.remove(world.actors["case_worker"], world.site, TODAY, "asked"))[0])
    return seen


def test_allocations_the_same_on_both(both: Callable[[bool], tuple[Either, Either]]) -> None:
    seen = same(both, allocation_scenario, with_world=True)
    assert seen[0] == "ok" and seen[1] in ("Invalid", "OverAllocation")


# -- what the database's unit of work does, asked of the in-memory one directly ------------------------------


def test_what_is_not_committed_is_not_kept_and_files_actions_run() -> None:
    store: MemoryStore = seeded()
    uow_of = factory(store)
    done: list[str] = []
    with uow_of(write=True) as uow:
        uow.add(User("a@example.com", "A", "developer", "h", NOW))
        uow.on_rollback(lambda: done.append("rolled back"))
    with uow_of() as uow:
        assert uow.users.by_email("a@example.com") is None
    with uow_of(write=True) as uow:
        user = User("a@example.com", "A", "developer", "h", NOW)
        uow.add(user)
        uow.flush()
        assert user.id is not None and uow.users.get(user.id) is user  # one object per id in a unit of work
        uow.on_rollback(lambda: done.append("not run"))
        uow.on_commit(lambda: done.append("committed"))
        uow.commit()
    assert done == ["rolled back", "committed"]
    with uow_of() as uow:
        kept = uow.users.by_email("a@example.com")
        assert kept is not None and kept is not user  # each unit of work reads its own copy
        kept.name = "changed, never committed"
    with uow_of() as uow:
        assert uow.users.by_email("a@example.com").name == "A"


def test_a_change_from_a_stale_copy_is_a_conflict() -> None:
    uow_of = factory(seeded())
    with uow_of(write=True) as uow:
        app = Application("BNG-1", 1, NOW, NOW)
        uow.add(app)
        uow.commit()
    with uow_of() as uow:
        stale = uow.applications.by_reference("BNG-1")
    with uow_of(write=True) as uow:
        fresh = uow.applications.by_reference("BNG-1")
        assert fresh is not None
        fresh.status = "submitted"
        uow.commit()
        assert fresh.version == 2
    assert stale is not None
    stale.status = "rejected"
    with pytest.raises(Conflict), uow_of(write=True) as uow:
        uow.add(stale)
        uow.commit()


def test_a_write_waits_for_the_write_before_it() -> None:
    uow_of = factory(seeded())
    order: list[str] = []
    first = uow_of(write=True)
    first.__enter__()

    def second() -> None:
        with uow_of(write=True) as uow:
            order.append("second")
            uow.commit()

    t = threading.Thread(target=second)
    t.start()
    t.join(0.2)
    order.append("first")
    first.__exit__(None, None, None)
    t.join(5)
    assert order == ["first", "second"]


def test_what_the_in_memory_register_does_not_keep_says_so() -> None:
    with factory(seeded())() as uow:
        with pytest.raises(NotImplementedError, match="run this test on SQLite"):
            uow.credits.order("BNGCRD-1")
        assert isinstance(uow, MemoryUnitOfWork)


def test_an_audit_entry_is_kept_with_its_change() -> None:
    uow_of = factory(seeded())
    with uow_of(write=True) as uow:
        audit.record(uow, NOW, None, "thing.done", "thing", 1, None, {"a": 1})
        uow.commit()
    with uow_of() as uow:
        [entry] = uow.audit.recent(1, 10).items
        assert (entry.action, entry.after) == ("thing.done", {"a": 1})
