"""Accounts, sign-in, sessions and lock-out."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bng.register.accounts import NewAccount
from bng.register.errors import Forbidden, Invalid
from tests.db.fixtures import Register
from tests.register.world import EMAILS, PASSWORD


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


def test_wrong_passwords_get_the_same_answer_and_ten_lock_the_account(register: Register) -> None:
    accounts = register.services.accounts
    with pytest.raises(Invalid, match="Enter a correct email address and password"):
        accounts.sign_in("nobody@example.com", PASSWORD)
    for _ in range(10):
        with pytest.raises(Invalid, match="Enter a correct email address and password"):
            accounts.sign_in(EMAILS["developer"], "wrong password")
    with pytest.raises(Invalid, match="too many attempts"):
        accounts.sign_in(EMAILS["developer"], PASSWORD)
    with register.database() as uow:
        entries = uow.audit.recent(1, 20, "user", str(register.world.actors["developer"].user_id)).items  # type: ignore[union-attr]
    assert [e.action for e in entries][:2] == ["account.locked", "account.sign_in_failed"]
    assert entries[0].before == {"failed_logins": 9, "locked_until": None}
    register.clock.now += timedelta(minutes=16)
    assert accounts.user_for(accounts.sign_in(EMAILS["developer"], PASSWORD)) is not None


def test_a_deactivated_account_is_signed_out_everywhere(register: Register) -> None:
    world, accounts = register.world, register.services.accounts
    assert world is not None
    token = accounts.sign_in(EMAILS["developer"], PASSWORD)
    accounts.set_active(world.actors["case_worker"], world.actors["developer"].user_id, False)
    assert accounts.user_for(token) is None
    with pytest.raises(Invalid):
        accounts.sign_in(EMAILS["developer"], PASSWORD)


def test_weak_hashes_are_upgraded_at_sign_in(register: Register) -> None:
    from bng.register.passwords import Passwords

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
