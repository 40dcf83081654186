"""Accounts, sign-in, sessions and lock-out."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest

from bng.register.accounts.passwords import Passwords
from bng.register.accounts.service import (
    ACCOUNT_LIMIT,
    CLIENT_LIMIT,
    SECOND_STEP,
    SIGN_UP_ADDRESS_LIMIT,
    SIGN_UP_CLIENT_LIMIT,
    WINDOW,
    WRONG,
    Attempt,
    NewAccount,
    SecondStep,
)
from bng.register.core.errors import Forbidden, Invalid
from tests.db.fixtures import Register
from tests.register.world import EMAILS, PASSWORD

pytestmark = pytest.mark.engines("memory", "postgresql")  # the database is not the point: in memory (fast tier)


def test_people_make_their_own_landowner_or_developer_accounts_only(register: Register) -> None:
    accounts = register.services.accounts
    user = accounts.create_account(NewAccount("New.Person@Example.com", "New Person", "a long passphrase", "developer"))
    assert user.email == "new.person@example.com" and user.role == "developer"
    with pytest.raises(Invalid) as err:
        accounts.create_account(NewAccount("boss@example.com", "Boss", "a long passphrase", "case_worker"))
    assert [p.field for p in err.value.problems] == ["role"]
    with pytest.raises(Invalid, match="already exists"):
        accounts.create_account(NewAccount("NEW.person@example.com", "Again", "a long passphrase", "landowner"))


def test_case_workers_make_staff_accounts_and_lpa_officers_need_an_lpa(register: Register) -> None:
    world, accounts = register.world, register.services.accounts
    assert world is not None
    worker = world.actors["case_worker"]
    with pytest.raises(Invalid) as err:
        accounts.create_account(NewAccount("o@lpa.gov.uk", "Officer", "a long passphrase", "lpa_officer"), actor=worker)
    assert [p.field for p in err.value.problems] == ["lpa_id"]
    officer = accounts.create_account(
        NewAccount("o@lpa.gov.uk", "Officer", "a long passphrase", "lpa_officer", lpa_id=world.lpa_ids["Exeter LPA"]),
        actor=worker,
    )
    assert officer.lpa_id == world.lpa_ids["Exeter LPA"]
    with pytest.raises(Forbidden):
        accounts.create_account(
            NewAccount("x@example.com", "X", "a long passphrase", "case_worker"), actor=world.actors["landowner"]
        )


def test_sign_in_sessions_expire_and_end(register: Register) -> None:
    accounts = register.services.accounts
    token = accounts.sign_in(EMAILS["landowner"].upper(), PASSWORD)
    user = accounts.user_for(token)
    assert user is not None and user.email == EMAILS["landowner"]
    assert accounts.user_for(token + "x") is None
    register.clock.now += timedelta(hours=11)
    assert accounts.user_for(token) is not None
    register.clock.now += timedelta(hours=2)
    assert accounts.user_for(token) is None  # 12 hours at most
    token = accounts.sign_in(EMAILS["landowner"], PASSWORD)
    accounts.sign_out(token)
    assert accounts.user_for(token) is None


def _link(t: str) -> str:
    return f"https://register.example.gov.uk/sign-in/link/{t}"


def _wrong(accounts: Any, email: str, attempt: Attempt, times: int) -> list[str]:
    said = []
    for _ in range(times):
        with pytest.raises(Invalid) as err:
            accounts.sign_in(email, "wrong password", attempt, link=_link)
        said.append(err.value.message)
    return said


def test_a_stranger_cannot_lock_the_owner_out_nor_learn_who_has_an_account(register: Register) -> None:
    """Ten wrong passwords for an address, from a browser it never signed in from: from then on such
    browsers need the emailed link as well as the password, for that address. Nothing locks: the owner's
    own browser signs in as before, and the link finishes a sign-in from a new one. An address with no
    account is answered the same, failure for failure."""
    accounts = register.services.accounts
    owner = EMAILS["developer"]
    home = Attempt("192.0.2.10", None)
    token = accounts.sign_in(owner, PASSWORD, home)  # the owner, earlier: the web gives the browser a device cookie
    assert accounts.user_for(token) is not None
    own_browser = Attempt("192.0.2.10", "nonce-of-the-owners-browser")
    stranger = Attempt("203.0.113.66", None)

    said_known = _wrong(accounts, owner, stranger, ACCOUNT_LIMIT)
    said_unknown = _wrong(accounts, "nobody@example.com", Attempt("203.0.113.67", None), ACCOUNT_LIMIT)
    assert set(said_known) == set(said_unknown) == {WRONG}
    for email in (owner, "nobody@example.com"):  # the next, right or wrong, gets the second step's answer
        with pytest.raises(SecondStep):
            accounts.sign_in(email, "wrong password", Attempt("198.51.100.5", None), link=_link)
    outbox = accounts.outbox
    sent_before = len(outbox.sent)
    with pytest.raises(SecondStep) as right:  # the right password from a new browser: the same words...
        accounts.sign_in(owner, PASSWORD, Attempt("198.51.100.5", None), link=_link)
    assert right.value.message == SECOND_STEP
    [message] = list(outbox.sent)[sent_before:]  # ...and the link is sent to the account, only then
    assert message.to == owner and message.template == "sign_in_link"
    link_token = message.fields["link"].rsplit("/", 1)[1]

    assert accounts.user_for(accounts.sign_in(owner, PASSWORD, own_browser)) is not None  # never locked out
    session = accounts.use_sign_in_link(link_token)
    assert accounts.user_for(session).email == owner  # type: ignore[union-attr]
    with pytest.raises(Invalid, match="expired or has been used"):
        accounts.use_sign_in_link(link_token)  # once
    register.clock.now += WINDOW + timedelta(minutes=1)
    assert accounts.user_for(accounts.sign_in(owner, PASSWORD, Attempt("198.51.100.5", None))) is not None


def test_a_client_with_too_many_failures_needs_the_link_for_every_address(register: Register) -> None:
    accounts = register.services.accounts
    bot = Attempt("203.0.113.99", None)
    for i in range(CLIENT_LIMIT):  # spraying: one try at each of many addresses
        with pytest.raises(Invalid, match=WRONG):
            accounts.sign_in(f"person{i}@example.com", "Summer2026!", bot, link=_link)
    with pytest.raises(SecondStep):
        accounts.sign_in(EMAILS["landowner"], PASSWORD, bot, link=_link)
    assert accounts.user_for(accounts.sign_in(EMAILS["landowner"], PASSWORD, Attempt("192.0.2.1", None))) is not None


def test_a_sign_in_link_expires(register: Register) -> None:
    accounts = register.services.accounts
    stranger = Attempt("203.0.113.66", None)
    _wrong(accounts, EMAILS["landowner"], stranger, ACCOUNT_LIMIT)
    with pytest.raises(SecondStep):
        accounts.sign_in(EMAILS["landowner"], PASSWORD, stranger, link=_link)
    token = accounts.outbox.sent[-1].fields["link"].rsplit("/", 1)[1]
    register.clock.now += timedelta(minutes=16)
    with pytest.raises(Invalid, match="expired"):
        accounts.use_sign_in_link(token)


def test_failures_are_audited_without_the_address_typed(register: Register) -> None:
    accounts = register.services.accounts
    _wrong(accounts, "Mistyped.Password@Example.com", Attempt("192.0.2.9", None), 1)
    with register.database() as uow:
        [entry] = uow.audit.recent(1, 1).items
    assert entry.action == "account.sign_in_failed" and entry.entity_id.startswith("email:")
    assert "mistyped" not in str(entry.entity_id).lower()


def test_a_deactivated_account_is_signed_out_everywhere(register: Register) -> None:
    world, accounts = register.world, register.services.accounts
    assert world is not None
    token = accounts.sign_in(EMAILS["developer"], PASSWORD)
    accounts.set_active(world.actors["case_worker"], world.actors["developer"].user_id, False)
    assert accounts.user_for(token) is None
    with pytest.raises(Invalid):
        accounts.sign_in(EMAILS["developer"], PASSWORD)


def test_weak_hashes_are_upgraded_at_sign_in(register: Register) -> None:
    from bng.register.accounts.passwords import Passwords

    accounts = register.services.accounts
    accounts.passwords = Passwords()  # production costs; the world's hashes were made cheaply
    accounts.sign_in(EMAILS["landowner"], PASSWORD)
    with register.database() as uow:
        user = uow.users.by_email(EMAILS["landowner"])
        assert user is not None and "m=65536" in user.password_hash


def test_an_unknown_email_costs_a_real_password_check(register: Register) -> None:
    """No shortcut: signing in to an account that does not exist verifies a real hash too."""
    accounts = register.services.accounts
    calls: list[str] = []
    real = accounts.passwords.verify

    def counting(stored: str, password: str) -> bool:
        calls.append(stored)
        return real(stored, password)

    accounts.passwords.verify = counting  # type: ignore[method-assign]
    try:
        with pytest.raises(Invalid):
            accounts.sign_in("nobody@example.com", PASSWORD)
    finally:
        accounts.passwords.verify = real  # type: ignore[method-assign]
    [stored] = calls
    assert stored.startswith("$argon2id$")


def _work(register: Register, sign_in: Any) -> tuple[list[str], list[str]]:
    """The password hashes verified and the SQL statements (verb and table) one sign-in costs."""
    from sqlalchemy import event

    accounts = register.services.accounts
    verified: list[str] = []
    statements: list[str] = []
    real = accounts.passwords.verify

    def counting(stored: str, password: str) -> bool:
        verified.append(stored.split("$")[3])  # the hash's costs: m=…,t=…,p=…
        return bool(real(stored, password))

    def seen(conn: Any, cursor: Any, sql: str, *args: Any) -> None:
        words = sql.split()
        verb = words[0].upper()
        table = next((w.strip('"') for w in words if w.strip('"') in TABLE_NAMES), "?")
        statements.append(f"{verb} {table}")

    accounts.passwords.verify = counting
    event.listen(register.database.engine, "before_cursor_execute", seen)
    try:
        with pytest.raises(Invalid):
            sign_in()
    finally:
        event.remove(register.database.engine, "before_cursor_execute", seen)
        accounts.passwords.verify = real
    return verified, statements


TABLE_NAMES = {"account", "sign_in_throttle", "audit_event", "email_link", "login_session"}


@pytest.mark.engines("sqlite", "postgresql")  # counts the database's statements
def test_every_failure_costs_the_same_work(register: Register) -> None:
    """An unknown address, a wrong password and a deactivated account cost one Argon2 verification with
    the same costs and the same statements; so does a failure past the throttle's limit."""
    world, accounts = register.world, register.services.accounts
    assert world is not None
    accounts.set_active(world.actors["case_worker"], world.actors["other_landowner"].user_id, False)
    somewhere = Attempt("192.0.2.44", None)
    cases = {
        "unknown": lambda: accounts.sign_in("nobody@example.com", PASSWORD, somewhere, link=_link),
        "wrong": lambda: accounts.sign_in(EMAILS["developer"], "wrong password", somewhere, link=_link),
        "deactivated": lambda: accounts.sign_in(EMAILS["other_landowner"], PASSWORD, somewhere, link=_link),
    }
    work = {name: _work(register, case) for name, case in cases.items()}
    costs = {name: verified for name, (verified, _) in work.items()}
    assert all(len(v) == 1 for v in costs.values()) and len({v[0] for v in costs.values()}) == 1, costs
    statements = {name: sorted(s) for name, (_, s) in work.items()}
    assert statements["unknown"] == statements["wrong"] == statements["deactivated"], statements
    assert "INSERT sign_in_throttle" in statements["unknown"] and "INSERT audit_event" in statements["unknown"]
    _wrong(accounts, "nobody@example.com", somewhere, ACCOUNT_LIMIT)
    _wrong(accounts, EMAILS["developer"], somewhere, ACCOUNT_LIMIT)
    past = {
        "unknown": _work(register, cases["unknown"]),
        "wrong": _work(register, cases["wrong"]),
    }
    assert past["unknown"] == past["wrong"] and len(past["unknown"][0]) == 1


@pytest.mark.slow
def test_every_failure_takes_about_the_same_time(register: Register) -> None:
    """With the production Argon2 costs: the fastest of nine sign-ins of each kind (the least disturbed by
    whatever else the machine is doing) within a factor of 1.5 of each other (the fault this replaces
    answered a locked account 30 to 100 times faster)."""
    import time

    from bng.register.accounts.passwords import Passwords

    world, accounts = register.world, register.services.accounts
    assert world is not None
    accounts.passwords = Passwords()
    accounts.create_account(NewAccount("timed@example.com", "Timed Person", "a long passphrase", "developer"))
    accounts.set_active(world.actors["case_worker"], world.actors["other_landowner"].user_id, False)
    clients = iter(range(10_000))

    def attempt() -> Attempt:
        return Attempt(f"192.0.2.{next(clients) % 250}", None)

    cases = {
        "unknown": lambda: accounts.sign_in("nobody@example.com", "a long passphrase", attempt(), link=_link),
        "wrong": lambda: accounts.sign_in("timed@example.com", "wrong password", attempt(), link=_link),
        "deactivated": lambda: accounts.sign_in(EMAILS["other_landowner"], PASSWORD, attempt(), link=_link),
    }
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(9):
        for name, case in cases.items():  # interleaved: the machine's load falls on every kind alike
            start = time.perf_counter()
            with pytest.raises(Invalid):
                case()
            times[name].append(time.perf_counter() - start)
    fastest = {name: min(t) for name, t in times.items()}
    assert max(fastest.values()) / min(fastest.values()) < 1.5, times


def test_a_sign_in_verifies_the_password_without_holding_the_write_lock(register: Register) -> None:
    """On SQLite a write transaction locks the whole database: a sign-in that hashed inside one held every
    other write (a 100,000-vertex boundary being saved failed as "busy" under repeated sign-ins)."""
    accounts = register.services.accounts
    real = accounts.passwords
    started, written = threading.Event(), threading.Event()
    seen: list[bool] = []

    class Waiting(Passwords):
        def verify(self, stored: str, password: str) -> bool:
            started.set()
            seen.append(written.wait(10))  # False if the write below could not go ahead meanwhile
            return real.verify(stored, password)

    accounts.passwords = Waiting(real.hasher)
    signed: list[str] = []
    thread = threading.Thread(target=lambda: signed.append(accounts.sign_in(EMAILS["landowner"], PASSWORD)))
    thread.start()
    assert started.wait(10)
    accounts.create_account(NewAccount("during@example.com", "During", "a long passphrase", "developer"))
    written.set()
    thread.join(30)
    assert seen == [True] and len(signed) == 1
    assert accounts.user_for(signed[0]) is not None


def test_asking_for_accounts_cannot_flood_an_inbox(register: Register) -> None:
    """The sign-up form sends an email each time; past the limits it sends none, and answers the same."""
    accounts = register.services.accounts
    outbox = accounts.outbox
    sent = len(outbox.sent)
    for i in range(SIGN_UP_ADDRESS_LIMIT + 3):  # one address, from ever-changing clients
        new = NewAccount("victim@example.com", "Anyone", "a long passphrase", "developer")
        assert accounts.sign_up(new, link=lambda t: t, sign_in="/sign-in", client=f"198.51.100.{i}") is None
    assert len(outbox.sent) - sent == SIGN_UP_ADDRESS_LIMIT
    sent = len(outbox.sent)
    for i in range(SIGN_UP_CLIENT_LIMIT + 3):  # one client, a new address each time
        new = NewAccount(f"person{i}@example.com", "Anyone", "a long passphrase", "developer")
        accounts.sign_up(new, link=lambda t: t, sign_in="/sign-in", client="203.0.113.9")
    assert len(outbox.sent) - sent == SIGN_UP_CLIENT_LIMIT
    register.clock.now += WINDOW + timedelta(seconds=1)  # a new window: the address gets its message again
    accounts.sign_up(
        NewAccount("victim@example.com", "Anyone", "a long passphrase", "developer"),
        link=lambda t: t, sign_in="/sign-in", client="203.0.113.9",
    )  # fmt: skip
    assert [(m.to, m.template) for m in list(outbox.sent)[-1:]] == [("victim@example.com", "confirm_account")]


@pytest.mark.engines("memory", "sqlite", "postgresql")
def test_the_throttle_forgets_windows_that_ended(register: Register) -> None:
    """Each failure drops the keys whose window ended, so the table holds one window's keys, not every
    address that ever failed."""
    now = register.clock.now
    with register.database(write=True) as uow:
        uow.throttle.fail(["old-a", "old-b"], now, now - WINDOW)
        uow.commit()
    later = now + WINDOW + timedelta(minutes=1)
    with register.database(write=True) as uow:
        uow.throttle.fail(["new"], later, later - WINDOW)
        uow.commit()
    with register.database() as uow:
        assert uow.throttle.failures(["old-a", "old-b", "new"], now - timedelta(days=1)) == {"new": 1}
