"""Organisations (issue 13): verified members, invitations by a single-use emailed link, removing and leaving,
an LPA's organisation for its officers only, and API tokens that act for the organisation's members; on
SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bng.register.accounts.api_tokens import Scope, Unauthorised
from bng.register.accounts.organisations import INVITATION_LIFETIME
from bng.register.accounts.service import NewAccount, actor_of
from bng.register.core.audit import Actor
from bng.register.core.errors import Forbidden, Invalid, NotFound
from bng.register.core.notifications import QueuedOutbox
from tests.db.fixtures import Register
from tests.register.organisations import organisation
from tests.register.world import EMAILS, PASSWORD


def _world(register: Register) -> dict[str, Actor]:
    assert register.world is not None
    return register.world.actors


def _invite(register: Register, by: Actor, organisation_id: int, email: str, role: str = "member") -> str:
    """Invite the address; the token of the link emailed (the outbox keeps what was sent)."""
    orgs = register.services.organisations
    orgs.invite(by, organisation_id, email, role, link=lambda t: f"TOKEN:{t}")
    outbox = orgs.outbox
    assert isinstance(outbox, QueuedOutbox)
    message = list(outbox.sent)[-1]
    assert (message.to, message.template) == (email.lower(), "organisation_invitation")
    assert message.fields["organisation"] and message.fields["link"].startswith("TOKEN:")
    return str(message.fields["link"]).removeprefix("TOKEN:")


def _account(register: Register, email: str, role: str = "developer", lpa_id: int | None = None) -> Actor:
    user = register.services.accounts.create_trusted(NewAccount(email, "Another Person", PASSWORD, role, "", lpa_id))
    return actor_of(user)


def test_a_verified_account_creates_an_organisation_and_is_its_admin(register: Register) -> None:
    actors, orgs = _world(register), register.services.organisations
    developer = actors["developer"]
    made = orgs.create(developer, "  Mill Road   Homes ", "developer")
    assert made.name == "Mill Road Homes" and made.lpa_id is None
    assert made.id is not None
    view = orgs.view(developer, made.id)
    assert [(m.email, m.role) for m in view.members] == [(EMAILS["developer"], "admin")]
    assert orgs.mine(developer) == [(made, "admin")]
    with pytest.raises(NotFound):  # someone else's
        orgs.view(actors["landowner"], made.id)
    with pytest.raises(Invalid) as err:
        orgs.create(developer, "Council", "lpa")  # only an LPA's officer makes an LPA's organisation
    assert [p.field for p in err.value.problems] == ["kind"]
    unverified = register.services.accounts.create_account(
        NewAccount("new.worker@example.gov.uk", "New", PASSWORD, "developer"), actor=actors["case_worker"]
    )
    with pytest.raises(Invalid, match="Confirm your email address"):
        orgs.create(actor_of(unverified), "Not yet", "developer")
    officer = actors["lpa_officer"]
    council = orgs.create(officer, "Cambridge planning", "lpa")
    assert council.lpa_id == officer.lpa_id


def test_an_invitation_is_accepted_once_only(register: Register) -> None:
    actors, orgs = _world(register), register.services.organisations
    developer, owner = actors["developer"], actors["landowner"]
    org = organisation(register.services, developer)
    token = _invite(register, developer, org, EMAILS["landowner"].upper())
    shown = orgs.invitation(owner, token)
    assert shown.email == EMAILS["landowner"] and shown.role == "member"
    joined = orgs.accept(owner, token)
    assert joined.id == org
    assert {m.email: m.role for m in orgs.view(owner, org).members} == {
        EMAILS["developer"]: "admin",
        EMAILS["landowner"]: "member",
    }
    with pytest.raises(Invalid, match="expired or has been used"):
        orgs.accept(owner, token)
    with pytest.raises(Invalid, match="expired or has been used"):  # nor by anyone else
        orgs.accept(actors["other_landowner"], token)
    with pytest.raises(Forbidden):  # a member invites nobody
        orgs.invite(owner, org, "someone@example.com", "member", link=lambda t: t)
    with pytest.raises(Invalid, match="already a member"):
        orgs.invite(developer, org, EMAILS["landowner"], "member", link=lambda t: t)


def test_an_invitation_to_another_address_is_refused_and_left_for_its_owner(register: Register) -> None:
    actors, orgs = _world(register), register.services.organisations
    developer = actors["developer"]
    org = organisation(register.services, developer)
    token = _invite(register, developer, org, EMAILS["landowner"])
    with pytest.raises(Forbidden, match="another email address"):
        orgs.accept(actors["other_landowner"], token)
    with pytest.raises(NotFound):
        orgs.view(actors["other_landowner"], org)
    orgs.accept(actors["landowner"], token)  # the link still works for the address it was sent to
    assert len(orgs.view(developer, org).members) == 2


def test_an_expired_invitation_is_refused(register: Register) -> None:
    actors, orgs = _world(register), register.services.organisations
    developer = actors["developer"]
    org = organisation(register.services, developer)
    token = _invite(register, developer, org, EMAILS["landowner"])
    register.clock.now += INVITATION_LIFETIME + timedelta(seconds=1)
    with pytest.raises(Invalid, match="expired or has been used"):
        orgs.accept(actors["landowner"], token)
    assert len(orgs.view(developer, org).members) == 1


def test_an_invitation_to_a_closed_organisation_is_refused(register: Register) -> None:
    actors, orgs = _world(register), register.services.organisations
    developer = actors["developer"]
    org = organisation(register.services, developer)
    token = _invite(register, developer, org, EMAILS["landowner"])
    orgs.close(developer, org)
    with pytest.raises(Invalid, match="expired or has been used"):
        orgs.accept(actors["landowner"], token)
    assert orgs.mine(developer) == []


def test_an_lpa_organisation_admits_only_officers_of_its_lpa(register: Register) -> None:
    actors, orgs = _world(register), register.services.organisations
    assert register.world is not None
    officer = actors["lpa_officer"]
    council = organisation(register.services, officer)
    for outsider in (actors["developer"], _account(register, "o@exeter.example.gov.uk", "lpa_officer",
                                                   register.world.lpa_ids["Exeter LPA"])):  # fmt: skip
        token = _invite(register, officer, council, outsider.label)
        with pytest.raises(Forbidden, match="officers of the organisation's LPA"):
            orgs.accept(outsider, token)
    colleague = _account(register, "colleague@cambridge.example.gov.uk", "lpa_officer", officer.lpa_id)
    orgs.accept(colleague, _invite(register, officer, council, colleague.label))
    assert len(orgs.view(officer, council).members) == 2


def test_the_last_admin_cannot_leave_and_members_can(register: Register) -> None:
    actors, orgs = _world(register), register.services.organisations
    developer, owner = actors["developer"], actors["landowner"]
    org = organisation(register.services, developer)
    orgs.accept(owner, _invite(register, developer, org, owner.label))
    with pytest.raises(Invalid, match="only admin"):
        orgs.leave(developer, org)
    with pytest.raises(Invalid, match="needs an admin"):
        orgs.set_role(developer, org, developer.user_id, "member")
    orgs.set_role(developer, org, owner.user_id, "admin")
    orgs.leave(developer, org)  # another admin remains
    assert [(m.email, m.role) for m in orgs.view(owner, org).members] == [(owner.label, "admin")]
    with pytest.raises(NotFound):
        orgs.view(developer, org)


def test_admins_remove_members_and_a_removed_member_s_records_are_no_longer_read(register: Register) -> None:
    actors, s = _world(register), register.services
    developer, owner = actors["developer"], actors["landowner"]
    org = organisation(s, developer)
    s.organisations.accept(owner, _invite(register, developer, org, owner.label))
    _, secret = s.api_tokens.create(developer, org, "Our software", ["allocations", "metric"])
    caller = s.api_tokens.authenticate(secret)
    assert {a.user_id for a in caller.actors(Scope.ALLOCATIONS)} == {developer.user_id, owner.user_id}
    with pytest.raises(Forbidden):  # a member removes nobody
        s.organisations.remove(owner, org, developer.user_id)
    removed = s.organisations.remove(developer, org, owner.user_id)
    assert removed is not None and removed.email == owner.label
    caller = s.api_tokens.authenticate(secret)
    assert [a.user_id for a in caller.actors(Scope.ALLOCATIONS)] == [developer.user_id]
    assert s.organisations.remove(developer, org, owner.user_id) is None  # gone already: nothing more


def test_a_token_is_made_by_an_admin_with_the_scopes_their_role_holds(register: Register) -> None:
    actors, s = _world(register), register.services
    developer, owner = actors["developer"], actors["landowner"]
    org = organisation(s, developer)
    s.organisations.accept(owner, _invite(register, developer, org, owner.label))
    with pytest.raises(Forbidden):  # a member makes no token
        s.api_tokens.create(owner, org, "Mine", ["metric"])
    for scopes in (["applications"], ["lpa"]):  # a developer applies to nothing; not an LPA's organisation
        with pytest.raises(Invalid) as err:
            s.api_tokens.create(developer, org, "Theirs", scopes)
        assert [p.message for p in err.value.problems] == ["Select only what your account may do"]
    with pytest.raises(NotFound):
        s.api_tokens.create(actors["other_landowner"], org, "Outsider", ["metric"])
    token, secret = s.api_tokens.create(developer, org, "Orders", ["credit_orders", "allocations"])
    assert token.scopes == "allocations credit_orders" and token.organisation_id == org
    assert [t.name for t in s.api_tokens.of_organisation(owner, org)] == ["Orders"]  # members see them
    # the admin who could give credit_orders goes: the scope stops, allocations (the landowner's too) goes on
    s.organisations.set_role(developer, org, owner.user_id, "admin")
    s.organisations.leave(developer, org)
    caller = s.api_tokens.authenticate(secret)
    with pytest.raises(Forbidden, match="No admin of the organisation"):
        caller.require(Scope.CREDIT_ORDERS)
    assert [a.user_id for a in caller.actors(Scope.ALLOCATIONS)] == [owner.user_id]
    with pytest.raises(NotFound):  # the developer left: no longer theirs to revoke
        s.api_tokens.revoke(developer, token.id or 0)


def test_a_token_stops_when_revoked_or_its_organisation_is_closed(register: Register) -> None:
    actors, s = _world(register), register.services
    developer = actors["developer"]
    org = organisation(s, developer)
    _, kept_secret = s.api_tokens.create(developer, org, "Kept", ["metric"])
    gone, gone_secret = s.api_tokens.create(developer, org, "Gone", ["metric"])
    assert gone.id is not None
    s.api_tokens.revoke(developer, gone.id)
    with pytest.raises(Unauthorised, match="revoked"):
        s.api_tokens.authenticate(gone_secret)
    assert s.api_tokens.authenticate(kept_secret).organisation_id == org
    s.organisations.close(developer, org)
    with pytest.raises(Unauthorised, match="closed"):
        s.api_tokens.authenticate(kept_secret)


def test_an_lpa_organisation_s_token_reads_the_lpa(register: Register) -> None:
    actors, s = _world(register), register.services
    officer = actors["lpa_officer"]
    council = organisation(s, officer)
    _, secret = s.api_tokens.create(officer, council, "Council", ["lpa"])
    caller = s.api_tokens.authenticate(secret)
    assert caller.lpa_officer().user_id == officer.user_id
    lpa, _ = s.credits.fulfilment.for_lpa(caller.lpa_officer())
    assert lpa.name == "Cambridge LPA"


def test_the_migration_gives_each_token_holder_an_organisation(empty_register: Register) -> None:
    """Migration 0018 on a register holding personal tokens (and a pending emailed link): each holder gets a
    one-member organisation, named from its free-text organisation or its email address, with the holder as
    admin; its tokens move there and still work; the pending link survives."""
    from datetime import datetime

    from sqlalchemy import text

    from bng.bootstrap import Config, wire
    from bng.db import migrate
    from bng.db.engine import make_engine
    from bng.register.accounts.api_tokens import token_hash
    from tests.db.fixtures import CHEAP_PASSWORDS

    url = empty_register.url
    empty_register.database.dispose()
    migrate.downgrade(url, "0017")
    engine = make_engine(url)
    at = datetime(2026, 11, 1, 9, 0)
    secrets = {"developer": "bng_" + "d" * 43, "officer": "bng_" + "o" * 43}
    try:
        with engine.begin() as conn:
            lpa = conn.execute(text("SELECT id FROM lpa WHERE name = 'Cambridge LPA'")).scalar_one()
            for email, role, organisation_text, lpa_id in (
                ("dev@example.com", "developer", "  Mill Road Homes Ltd ", None),
                ("officer@cambridge.example.gov.uk", "lpa_officer", "", lpa),
                ("no.tokens@example.com", "landowner", "Nobody", None),
            ):
                conn.execute(
                    text(
                        "INSERT INTO account (email, name, role, password_hash, organisation, lpa_id, active, "
                        "failed_logins, created_at, email_verified_at) VALUES (:e, 'Someone', :r, 'x', :o, :l, "
                        ":t, 0, :at, :at)"
                    ),
                    {"e": email, "r": role, "o": organisation_text, "l": lpa_id, "at": at, "t": True},
                )
            ids = dict(conn.execute(text("SELECT email, id FROM account")).all())
            for n, (who, email, scopes) in enumerate(
                (
                    ("developer", "dev@example.com", "metric allocations"),
                    ("officer", "officer@cambridge.example.gov.uk", "lpa"),
                )
            ):
                secret = secrets[who]
                conn.execute(
                    text(
                        "INSERT INTO api_token (user_id, name, prefix, token_hash, scopes, organisation, created_at, "
                        "window_calls) VALUES (:u, :n, :p, :h, :s, :o, :at, 0)"
                    ),
                    {"u": ids[email], "n": f"Token {n}", "p": secret[:12], "h": token_hash(secret), "s": scopes,
                     "o": "", "at": at},
                )  # fmt: skip
            conn.execute(
                text(
                    "INSERT INTO email_link (token_hash, purpose, email, user_id, created_at, expires_at) "
                    "VALUES ('abc', 'password_reset', 'dev@example.com', :u, :at, :later)"
                ),
                {"u": ids["dev@example.com"], "at": at, "later": at + timedelta(days=1)},
            )
    finally:
        engine.dispose()
    migrate.upgrade(url)
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            orgs = conn.execute(text("SELECT id, name, kind, lpa_id, created_at FROM organisation ORDER BY id")).all()
            members = conn.execute(text("SELECT organisation_id, user_id, role FROM organisation_member")).all()
            tokens = conn.execute(text("SELECT user_id, organisation_id FROM api_token ORDER BY id")).all()
            links = conn.execute(text("SELECT purpose FROM email_link")).scalars().all()
            columns = set(conn.execute(text("SELECT * FROM api_token")).keys())
    finally:
        engine.dispose()
    assert [(o.name, o.kind, o.lpa_id) for o in orgs] == [
        ("Mill Road Homes Ltd", "developer", None),
        ("officer@cambridge.example.gov.uk", "lpa", lpa),
    ]
    assert str(orgs[0].created_at)[:19] == str(at)  # the first token's date (SQLite answers text)
    assert sorted((m.organisation_id, m.user_id, m.role) for m in members) == [
        (orgs[0].id, ids["dev@example.com"], "admin"),
        (orgs[1].id, ids["officer@cambridge.example.gov.uk"], "admin"),
    ]
    assert [(t.user_id, t.organisation_id) for t in tokens] == [
        (ids["dev@example.com"], orgs[0].id),
        (ids["officer@cambridge.example.gov.uk"], orgs[1].id),
    ]
    assert "organisation" not in columns and "organisation_id" in columns  # one way to hold a token
    assert links == ["password_reset"]
    wired = wire(Config(url, empty_register.files, "test-secret"), empty_register.clock, CHEAP_PASSWORDS)
    try:
        developer = wired.services.api_tokens.authenticate(secrets["developer"])
        assert developer.organisation == "Mill Road Homes Ltd"
        assert developer.granted == {Scope.METRIC, Scope.ALLOCATIONS}
        officer = wired.services.api_tokens.authenticate(secrets["officer"])
        assert officer.granted == {Scope.LPA} and officer.lpa_officer().lpa_id == lpa
    finally:
        wired.database.dispose()
