"""Managing one's own account (issue 13): a forgotten password, changing the password and the email address,
verifying the address before submitting, signing out everywhere, withdrawing a draft, and the staff's
authenticator; each rule with the attacks it stops."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bng.register.accounts import second_factor
from bng.register.accounts.service import CODE_LIMIT, Attempt, CodeNeeded, NewAccount, actor_of
from bng.register.accounts.settings import RESET_ADDRESS_LIMIT, RESET_LINK_LIFETIME
from bng.register.core.errors import Conflict, Forbidden, Invalid, NotFound
from bng.register.core.notifications import QueuedOutbox
from bng.register.core.outbox import Message
from tests.db.fixtures import Register
from tests.register.world import EMAILS, PASSWORD, answer_all

pytestmark = pytest.mark.engines("memory", "postgresql")  # the database is not the point: in memory (fast tier)

NEW = "kestrel over the barley"


def _outbox(register: Register) -> QueuedOutbox:
    outbox = register.services.accounts.outbox
    assert isinstance(outbox, QueuedOutbox)
    return outbox


def _last(register: Register, n: int = 1) -> list[Message]:
    return list(_outbox(register).sent)[-n:]


def _reset_token(register: Register, email: str) -> str:
    register.services.account_settings.forgot_password(email, link=lambda t: t, create="/create-account")
    (message,) = _last(register)
    assert (message.to, message.template) == (email, "password_reset")
    return message.fields["link"]


def _signs_in(register: Register, email: str, password: str) -> bool:
    try:
        register.services.accounts.sign_in(email, password, Attempt("192.0.2.9"))
    except Invalid:
        return False
    return True


def test_a_reset_link_sets_a_new_password_once_and_signs_out_everywhere(register: Register) -> None:
    accounts, settings = register.services.accounts, register.services.account_settings
    email = EMAILS["developer"]
    here, there = (accounts.sign_in(email, PASSWORD, Attempt("192.0.2.1")) for _ in range(2))
    token = _reset_token(register, email)
    with register.database() as uow:  # only the link's hash is kept
        assert uow.email_links.find(token, "password_reset", register.clock.now) is None
    with pytest.raises(Invalid, match="harder to guess"):
        settings.reset_password(token, "password1234")
    assert settings.reset_link_works(token)  # a refused password leaves the link usable
    settings.reset_password(token, NEW)
    assert accounts.user_for(here) is None and accounts.user_for(there) is None
    assert not _signs_in(register, email, PASSWORD) and _signs_in(register, email, NEW)
    assert _last(register)[0].template == "password_changed"
    with pytest.raises(Invalid, match="expired or has been used"):  # the same link again
        settings.reset_password(token, "another long passphrase here")
    assert _signs_in(register, email, NEW)


def test_a_reset_link_expires_and_only_the_newest_works(register: Register) -> None:
    settings = register.services.account_settings
    email = EMAILS["landowner"]
    first = _reset_token(register, email)
    second = _reset_token(register, email)
    with pytest.raises(Invalid, match="expired or has been used"):
        settings.reset_password(first, NEW)
    register.clock.now += RESET_LINK_LIFETIME + timedelta(seconds=1)
    assert not settings.reset_link_works(second)
    with pytest.raises(Invalid, match="expired or has been used"):
        settings.reset_password(second, NEW)
    assert _signs_in(register, email, PASSWORD)


def test_asking_for_a_reset_says_nothing_of_whether_the_address_has_an_account(register: Register) -> None:
    settings = register.services.account_settings
    known = settings.forgot_password(EMAILS["developer"], link=lambda t: t, create="/create-account")
    unknown = settings.forgot_password("nobody@example.com", link=lambda t: t, create="/create-account")
    assert known is unknown is None  # the same answer; the emails say which
    assert [m.template for m in _last(register, 2)] == ["password_reset", "password_reset_no_account"]
    with pytest.raises(Invalid):
        settings.forgot_password("not an address", link=lambda t: t, create="/")
    sent = len(_outbox(register).sent)
    for _ in range(RESET_ADDRESS_LIMIT + 3):  # a flood of requests for one address
        settings.forgot_password("victim@example.com", link=lambda t: t, create="/", client="203.0.113.7")
    assert len(_outbox(register).sent) - sent == RESET_ADDRESS_LIMIT  # then nothing more is sent to it


def test_a_reset_token_works_only_for_its_own_account_and_purpose(register: Register) -> None:
    accounts, settings = register.services.accounts, register.services.account_settings
    token = _reset_token(register, EMAILS["developer"])
    with pytest.raises(Invalid):
        accounts.use_sign_in_link(token)  # a reset link is not a sign-in link
    with pytest.raises(Invalid):
        accounts.confirm_account(token)
    settings.reset_password(token, NEW)
    assert _signs_in(register, EMAILS["landowner"], PASSWORD)  # no other account changed
    # a link sent before the account moved to another address is void
    stale = _reset_token(register, EMAILS["landowner"])
    owner = register.world.actors["landowner"] if register.world else None
    settings.change_email(owner, PASSWORD, "alex.moved@example.com", link=lambda t: t)
    moved = next(m for m in _last(register, 2) if m.template == "confirm_new_email")
    settings.confirm_email_change(moved.fields["link"])
    with pytest.raises(Invalid, match="expired or has been used"):
        settings.reset_password(stale, NEW)
    assert _signs_in(register, "alex.moved@example.com", PASSWORD)


def test_changing_the_password_needs_the_current_one_and_ends_the_other_sessions(register: Register) -> None:
    accounts, settings = register.services.accounts, register.services.account_settings
    email = EMAILS["developer"]
    here, there = (accounts.sign_in(email, PASSWORD, Attempt("192.0.2.2")) for _ in range(2))
    me = actor_of(accounts.user_for(here))  # type: ignore[arg-type]
    with pytest.raises(Invalid, match="current password is not right"):
        settings.change_password(me, "a guess at it", NEW, here)
    with pytest.raises(Invalid, match="your email address"):
        settings.change_password(me, PASSWORD, f"x{email}", here)
    settings.change_password(me, PASSWORD, NEW, here)
    assert accounts.user_for(here) is not None and accounts.user_for(there) is None
    assert _signs_in(register, email, NEW) and _last(register)[0].template == "password_changed"


def test_a_new_email_address_counts_once_its_link_is_followed(register: Register) -> None:
    accounts, settings = register.services.accounts, register.services.account_settings
    world = register.world
    assert world is not None
    me = world.actors["developer"]
    with pytest.raises(Invalid, match="not right"):
        settings.change_email(me, "wrong", "dev.new@example.com", link=lambda t: t)
    settings.change_email(me, PASSWORD, "dev.new@example.com", link=lambda t: t)
    to_new, to_old = _last(register, 2)
    assert (to_new.to, to_new.template) == ("dev.new@example.com", "confirm_new_email")
    assert (to_old.to, to_old.template, to_old.fields["email"]) == (
        EMAILS["developer"],
        "email_change_asked",
        "dev.new@example.com",
    )
    assert accounts.exists(EMAILS["developer"]) and not accounts.exists("dev.new@example.com")  # not yet
    assert settings.confirm_email_change(to_new.fields["link"]) == "dev.new@example.com"
    assert _last(register)[0].template == "email_changed" and _last(register)[0].to == EMAILS["developer"]
    assert _signs_in(register, "dev.new@example.com", PASSWORD) and not accounts.exists(EMAILS["developer"])
    with pytest.raises(Invalid, match="expired or has been used"):
        settings.confirm_email_change(to_new.fields["link"])
    # an address another account has: the same answer, and a note to that address instead of a link
    settings.change_email(me, PASSWORD, EMAILS["landowner"], link=lambda t: t)
    assert [m.template for m in _last(register, 2)] == ["email_in_use", "email_change_asked"]


def test_an_account_whose_address_is_not_verified_cannot_submit(register: Register) -> None:
    world, s = register.world, register.services
    assert world is not None
    made = s.accounts.create_account(
        NewAccount("new.owner@example.com", "New Owner", PASSWORD, "landowner"), actor=world.actors["case_worker"]
    )
    owner = actor_of(made)
    assert made.email_verified_at is None
    ref = s.applications.start(owner).reference
    answer_all(s, owner, ref, easting=555_000, lpa_id=world.lpa_ids["Cambridge LPA"], name="Unverified Farm")
    with pytest.raises(Invalid, match="Confirm your email address"):
        s.applications.submit(owner, ref)
    s.account_settings.send_verification(owner, link=lambda t: t)
    (message,) = _last(register)
    assert (message.to, message.template) == ("new.owner@example.com", "verify_email")
    with pytest.raises(Invalid):  # another account's link (the developer's reset) verifies nothing
        s.account_settings.verify_email(_reset_token(register, EMAILS["developer"]))
    s.account_settings.verify_email(message.fields["link"])
    with pytest.raises(Conflict):
        s.account_settings.send_verification(owner, link=lambda t: t)
    assert s.applications.submit(owner, ref).application.status == "submitted"


def test_signing_out_everywhere_ends_every_session(register: Register) -> None:
    accounts = register.services.accounts
    email = EMAILS["landowner"]
    tokens = [accounts.sign_in(email, PASSWORD, Attempt("192.0.2.3")) for _ in range(3)]
    other = accounts.sign_in(EMAILS["developer"], PASSWORD, Attempt("192.0.2.3"))
    me = actor_of(accounts.user_for(tokens[0]))  # type: ignore[arg-type]
    assert register.services.account_settings.sign_out_everywhere(me) == 3
    assert all(accounts.user_for(t) is None for t in tokens) and accounts.user_for(other) is not None


def test_a_draft_is_withdrawn_by_its_owner_only(register: Register) -> None:
    world, s = register.world, register.services
    assert world is not None
    owner, draft = world.actors["landowner"], world.applications["draft"]
    with pytest.raises(NotFound):
        s.applications.withdraw_draft(world.actors["other_landowner"], draft)
    with pytest.raises(Conflict):
        s.applications.withdraw_draft(owner, world.applications["submitted"])
    with pytest.raises(Conflict):  # asked for further information: it was submitted once
        s.applications.withdraw_draft(owner, world.applications["information_requested"])
    s.applications.withdraw_draft(owner, draft)
    assert draft not in {a.reference for a in s.applications.mine(owner)}
    held = s.account_settings.holdings(owner)
    assert [a.reference for a in held.withdrawn] == [draft]
    assert world.applications["ready"] in {a.reference for a in held.applications}
    assert [r for r, _ in held.sites] == [world.site]
    with pytest.raises(Conflict, match="withdrawn"):
        s.applications.save_section(owner, draft, "ownership", {"landowners": "Alex"})
    with pytest.raises(Conflict):
        s.applications.submit(owner, draft)


def _code(secret: str, register: Register, steps: int = 0) -> str:
    return second_factor.code_at(secret, second_factor.step_of(register.clock.now) + steps)


def test_a_staff_authenticator_is_asked_at_sign_in_and_a_code_is_used_once(register: Register) -> None:
    world, accounts, settings = register.world, register.services.accounts, register.services.account_settings
    assert world is not None
    worker, email = world.actors["case_worker"], EMAILS["case_worker"]
    with pytest.raises(Forbidden):
        settings.begin_second_factor(world.actors["landowner"])
    secret, uri = settings.begin_second_factor(worker)
    assert uri.startswith("otpauth://totp/") and f"secret={secret}" in uri
    assert settings.begin_second_factor(worker)[0] == secret  # the page again: the same key
    with pytest.raises(Invalid):
        settings.enable_second_factor(worker, "000000" if _code(secret, register) != "000000" else "111111")
    enrolled = _code(secret, register)
    settings.enable_second_factor(worker, enrolled)
    assert _last(register)[0].template == "second_factor_on"

    with pytest.raises(CodeNeeded) as asked:  # the right password alone signs in no more
        accounts.sign_in(email, PASSWORD, Attempt("192.0.2.4"))
    with pytest.raises(Invalid, match="6-digit code"):  # the code of enrolment, replayed in the same step
        accounts.sign_in_with_code(asked.value.token, enrolled)
    register.clock.now += timedelta(seconds=30)
    code = _code(secret, register)
    token = accounts.sign_in_with_code(asked.value.token, code)
    assert accounts.user_for(token) is not None
    with pytest.raises(Invalid, match="expired"):  # the pending sign-in is used
        accounts.sign_in_with_code(asked.value.token, _code(secret, register, 1))
    with pytest.raises(CodeNeeded) as again:
        accounts.sign_in(email, PASSWORD, Attempt("192.0.2.4"))
    with pytest.raises(Invalid, match="6-digit code"):  # the same code, seen over a shoulder, within its step
        accounts.sign_in_with_code(again.value.token, code)
    with pytest.raises(Invalid, match="6-digit code"):  # nor an earlier one, still within the drift allowed
        accounts.sign_in_with_code(again.value.token, _code(secret, register, -1))
    assert accounts.user_for(accounts.sign_in_with_code(again.value.token, _code(secret, register, 1))) is not None

    with pytest.raises(CodeNeeded) as guessed:  # guessing: CODE_LIMIT wrong codes, then no more tries
        accounts.sign_in(email, PASSWORD, Attempt("192.0.2.4"))
    for n in range(CODE_LIMIT):
        with pytest.raises(Invalid, match="6-digit code"):
            accounts.sign_in_with_code(guessed.value.token, f"{n:06d}" if f"{n:06d}" != code else "999999")
    register.clock.now += timedelta(seconds=60)
    with pytest.raises(Invalid, match="too many wrong codes"):
        accounts.sign_in_with_code(guessed.value.token, _code(secret, register))

    with pytest.raises(Invalid, match="not right"):
        settings.disable_second_factor(worker, "wrong")
    settings.disable_second_factor(worker, PASSWORD)
    assert accounts.user_for(accounts.sign_in(email, PASSWORD, Attempt("192.0.2.5"))) is not None


@pytest.mark.engines("sqlite", "postgresql")  # a credit order: the credits keep their own records
def test_an_unverified_developer_cannot_submit_a_credit_order(register: Register) -> None:
    from tests.credits.world import answer_all as answer_order

    world, s = register.world, register.services
    assert world is not None
    made = s.accounts.create_account(
        NewAccount("new.dev@example.com", "New Developer", PASSWORD, "developer"), actor=world.actors["case_worker"]
    )
    developer = actor_of(made)
    reference = s.credits.orders.start(developer).reference
    answer_order(s, developer, reference, world.lpa_ids["Cambridge LPA"], name="Unverified homes")
    with pytest.raises(Invalid, match="Confirm your email address"):
        s.credits.orders.submit(developer, reference)
    s.account_settings.send_verification(developer, link=lambda t: t)
    s.account_settings.verify_email(_last(register)[0].fields["link"])
    assert s.credits.orders.submit(developer, reference).status == "submitted"


def test_asking_for_a_reset_takes_about_the_same_time_whatever_the_address(register: Register) -> None:
    """The fastest of 9 interleaved requests each: with and without an account, within a factor of 1.5."""
    import time

    settings = register.services.account_settings
    clients = iter(range(10_000))
    cases = {
        "account": lambda: settings.forgot_password(EMAILS["developer"], lambda t: t, "/", f"c{next(clients)}"),
        "none": lambda: settings.forgot_password("nobody@example.com", lambda t: t, "/", f"c{next(clients)}"),
    }
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(9):
        register.clock.now += timedelta(minutes=16)  # a new window: no request is refused as a flood
        for name, case in cases.items():
            start = time.perf_counter()
            case()
            times[name].append(time.perf_counter() - start)
    fastest = {name: min(t) for name, t in times.items()}
    assert max(fastest.values()) / min(fastest.values()) < 1.5, times
