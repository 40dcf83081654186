"""Organisations: the habitat banks, consultancies, developers and LPAs whose software calls the JSON API.

An account's free-text "organisation" is only what its owner typed; an organisation here has verified
members. A verified account creates one and is its first admin; an admin invites by email address, and
the invitation is a single-use link, good for :data:`INVITATION_LIFETIME`, that only an account signed in
with that (verified) address can accept. Admins remove members, members leave, and the last admin cannot
leave (another member must be made admin first, or the organisation closed). An LPA organisation admits
only officers of its LPA. API tokens belong to organisations (``api_tokens``): a token acts for all of its
organisation's members, so who is a member is what decides what a token reads.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from bng.register.core import audit, submissions
from bng.register.core.audit import Actor
from bng.register.core.errors import Forbidden, Invalid, NotFound, NotSignedIn, Problem
from bng.register.core.outbox import EMAIL, LogOutbox, Outbox
from bng.register.core.ports import Clock, EmailLink, UnitOfWork, UnitOfWorkFactory
from bng.register.core.roles import Role
from bng.register.core.service import Service
from bng.register.core.tokens import token_hash

INVITATION = "org_invitation"
"""The email link's purpose."""
INVITATION_LIFETIME = timedelta(days=7)
MAX_NAME = 200
MAX_MEMBERS = 500
SPENT = "This invitation has expired or has been used. Ask the organisation's admin again"


class Kind(StrEnum):
    """What sort of organisation it is: a habitat bank, a consultancy, a developer, an LPA or other."""

    HABITAT_BANK = "habitat_bank"
    CONSULTANCY = "consultancy"
    DEVELOPER = "developer"
    LPA = "lpa"
    OTHER = "other"


KIND_LABELS: dict[Kind, str] = {
    Kind.HABITAT_BANK: "Habitat bank",
    Kind.CONSULTANCY: "Ecological consultancy",
    Kind.DEVELOPER: "Developer",
    Kind.LPA: "Local planning authority (LPA)",
    Kind.OTHER: "Other",
}


class MemberRole(StrEnum):
    """A member's role in an organisation: an admin manages its members and API tokens."""

    ADMIN = "admin"  # invites and removes members, makes and revokes the organisation's API tokens
    MEMBER = "member"


@dataclass
class Organisation:
    """An organisation whose members work together on the register and share its API tokens."""

    name: str
    kind: str
    created_at: datetime
    lpa_id: int | None = None
    closed_at: datetime | None = None
    id: int | None = None

    @property
    def open(self) -> bool:
        """The organisation has not been closed."""
        return self.closed_at is None

    @property
    def kind_label(self) -> str:
        """The kind of organisation in the words the pages use."""
        return KIND_LABELS.get(Kind(self.kind), self.kind) if self.kind in set(Kind) else self.kind


@dataclass
class Member:
    """A member, with what the register knows of their account (read with it, never stored here)."""

    organisation_id: int
    user_id: int
    role: str
    joined_at: datetime
    invited_by: int | None = None
    email: str = ""
    name: str = ""
    account_role: str = ""
    lpa_id: int | None = None
    active: bool = True
    id: int | None = None

    @property
    def admin(self) -> bool:
        """The member is one of the organisation's admins."""
        return self.role == MemberRole.ADMIN

    @property
    def actor(self) -> Actor:
        """The member as the register's actor (their account's role and LPA), to act for the organisation."""
        return Actor(self.user_id, self.account_role, self.email, self.lpa_id)


class OrganisationRecords(Protocol):
    """The stored organisations and their members."""

    def add(self, organisation: Organisation) -> int:
        """Store a new organisation; its id."""
        ...

    def get(self, organisation_id: int) -> Organisation | None:
        """One organisation, by id."""
        ...

    def close(self, organisation_id: int, at: datetime) -> None:
        """Close an organisation from this moment."""
        ...

    def of_user(self, user_id: int) -> list[tuple[Organisation, str]]:
        """The open organisations the account is a member of, with its role in each."""
        ...

    def members(self, organisation_id: int) -> list[Member]:
        """An organisation's members, with what the register knows of their accounts."""
        ...

    def add_member(self, member: Member) -> None:
        """Add a member to an organisation."""
        ...

    def remove_member(self, organisation_id: int, user_id: int) -> None:
        """Remove a member from an organisation."""
        ...

    def set_role(self, organisation_id: int, user_id: int, role: str) -> None:
        """Make a member an admin or a plain member."""
        ...


class OrganisationUnitOfWork(UnitOfWork, Protocol):
    """A unit of work with the organisations beside the register's core records."""

    organisations: OrganisationRecords

    def __enter__(self) -> OrganisationUnitOfWork: ...


@dataclass(frozen=True)
class OrganisationView:
    """An organisation as one of its members sees it: its members and their own membership."""

    organisation: Organisation
    members: list[Member]
    me: Member

    @property
    def admins(self) -> list[Member]:
        """The organisation's admins."""
        return [m for m in self.members if m.admin]


@dataclass(frozen=True)
class Invitation:
    """What an invitation link offers, as its page shows it."""

    organisation: Organisation
    email: str
    role: str


def _member(
    uow: OrganisationUnitOfWork, organisation_id: int, user_id: int
) -> tuple[Organisation, list[Member], Member]:
    """The open organisation, its members and the actor's membership; NotFound for anyone else."""
    found = uow.organisations.get(organisation_id)
    members = uow.organisations.members(organisation_id) if found is not None else []
    me = next((m for m in members if m.user_id == user_id), None)
    if found is None or not found.open or me is None:
        raise NotFound("No such organisation")
    return found, members, me


def _admin(uow: OrganisationUnitOfWork, organisation_id: int, user_id: int) -> tuple[Organisation, list[Member]]:
    found, members, me = _member(uow, organisation_id, user_id)
    if not me.admin:
        raise Forbidden("Only an admin of the organisation can do this")
    return found, members


def may_join(organisation: Organisation, account_role: str, lpa_id: int | None) -> bool:
    """An LPA organisation admits only officers of its LPA; any other, any account."""
    if organisation.kind != Kind.LPA:
        return True
    return account_role == Role.LPA_OFFICER and lpa_id is not None and lpa_id == organisation.lpa_id


class Organisations(Service):
    """Organisations and their members: made, joined by invitation, left and closed."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, outbox: Outbox | None = None) -> None:
        super().__init__(uow, clock)
        self.outbox = outbox or LogOutbox()

    def _orgs(self, write: bool = False) -> OrganisationUnitOfWork:
        uow: OrganisationUnitOfWork = self._uow(write=write)  # type: ignore[assignment]  # bng.db's carries them
        return uow

    @staticmethod
    def _signed_in(actor: Actor | None) -> Actor:
        if actor is None:
            raise NotSignedIn("Sign in to see your organisations")
        return actor

    def mine(self, actor: Actor | None) -> list[tuple[Organisation, str]]:
        """The open organisations the signed-in person belongs to, with their role in each."""
        who = self._signed_in(actor)
        with self._orgs() as uow:
            return uow.organisations.of_user(who.user_id)

    def view(self, actor: Actor | None, organisation_id: int) -> OrganisationView:
        """An organisation the signed-in person belongs to (NotFound for others)."""
        who = self._signed_in(actor)
        with self._orgs() as uow:
            found, members, me = _member(uow, organisation_id, who.user_id)
            return OrganisationView(found, members, me)

    def kinds_for(self, actor: Actor | None) -> list[Kind]:
        """The kinds of organisation the account may create: an LPA only by one of its officers."""
        who = self._signed_in(actor)
        return [k for k in Kind if k != Kind.LPA or (who.role == Role.LPA_OFFICER and who.lpa_id is not None)]

    def create(
        self, actor: Actor | None, name: str, kind: str, *, once: submissions.Once | None = None
    ) -> Organisation:
        """A new organisation with the actor, whose email address must be verified, as its first admin.

        An LPA organisation is the officer's own LPA's.
        """
        who = self._signed_in(actor)
        name = " ".join(name.split())
        problems: list[Problem] = []
        if not name:
            problems.append(Problem("name", "Enter the organisation's name"))
        elif len(name) > MAX_NAME:
            problems.append(Problem("name", f"The name must be {MAX_NAME} characters or fewer"))
        if kind not in {k.value for k in self.kinds_for(who)}:
            problems.append(Problem("kind", "Select what kind of organisation it is"))
        if problems:
            raise Invalid("There is a problem with the organisation", problems)
        now = self.now()
        with self._orgs(write=True) as uow:
            submissions.claim(uow, who, once, now)
            user = uow.users.get(who.user_id)
            if user is None or not user.active:
                raise NotFound("No such account")
            if user.email_verified_at is None:
                raise Invalid.one("", "Confirm your email address before you create an organisation")
            made = Organisation(name, kind, now, user.lpa_id if kind == Kind.LPA else None)
            made.id = uow.organisations.add(made)
            uow.organisations.add_member(Member(made.id, who.user_id, MemberRole.ADMIN, now, None))
            audit.record(
                uow, now, who, "organisation.created", "organisation", made.id, None,
                {"name": name, "kind": kind, "lpa_id": made.lpa_id},
            )  # fmt: skip
            submissions.settle(uow, once, made.id)
            uow.commit()
            return made

    def invite(
        self,
        actor: Actor | None,
        organisation_id: int,
        email: str,
        role: str,
        link: Callable[[str], str],
        *,
        once: submissions.Once | None = None,
    ) -> None:
        """Email ``link(token)`` to the address: a single-use invitation, for :data:`INVITATION_LIFETIME`."""
        who = self._signed_in(actor)
        email = email.strip().lower()
        problems: list[Problem] = []
        if not EMAIL.match(email) or len(email) > 320:
            problems.append(Problem("email", "Enter an email address in the correct format, like name@example.com"))
        if role not in set(MemberRole):
            problems.append(Problem("role", "Select whether they will be an admin or a member"))
        if problems:
            raise Invalid("There is a problem with the invitation", problems)
        now = self.now()
        token = secrets.token_urlsafe(32)
        with self._orgs(write=True) as uow:
            submissions.claim(uow, who, once, now)
            found, members = _admin(uow, organisation_id, who.user_id)
            if any(m.email == email for m in members):
                raise Invalid.one("email", "This email address is already a member of the organisation")
            if len(members) >= MAX_MEMBERS:
                raise Invalid.one("email", f"An organisation has at most {MAX_MEMBERS} members")
            details = {"organisation_id": organisation_id, "role": role, "invited_by": who.user_id}
            expires = now + INVITATION_LIFETIME
            uow.email_links.add(EmailLink(token_hash(token), INVITATION, email, None, details, now, expires))
            fields = {"organisation": found.name, "inviter": who.label, "link": link(token), "days": "7"}
            asked = {"email": email, "role": role}
            audit.record(uow, now, who, "organisation.invited", "organisation", organisation_id, None, asked)
            audit.record(uow, now, None, "email.sent", "email", "organisation_invitation", None,
                         {"to": email, "template": "organisation_invitation"})  # fmt: skip
            submissions.settle(uow, once, organisation_id)
            uow.commit()
        self.outbox.send(email, "organisation_invitation", fields)

    def _invitation(self, uow: OrganisationUnitOfWork, who: Actor, token: str) -> tuple[EmailLink, Organisation]:
        now = self.now()
        found = uow.email_links.find(token_hash(token), INVITATION, now)
        details = found.details if found is not None else None
        organisation = uow.organisations.get(int(details["organisation_id"])) if details else None
        if found is None or organisation is None or not organisation.open:
            raise Invalid.one("", SPENT)
        user = uow.users.get(who.user_id)
        if user is None or user.email != found.email:
            raise Forbidden(
                "This invitation was sent to another email address: sign in with the account of that address"
            )
        if user.email_verified_at is None:
            raise Invalid.one("", "Confirm your email address before you join an organisation")
        if not may_join(organisation, user.role, user.lpa_id):
            raise Forbidden("Only officers of the organisation's LPA can join an LPA organisation")
        return found, organisation

    def invitation(self, actor: Actor | None, token: str) -> Invitation:
        """What the invitation offers the signed-in account (refused as :meth:`accept` would refuse it)."""
        who = self._signed_in(actor)
        with self._orgs() as uow:
            link, organisation = self._invitation(uow, who, token)
            assert link.details is not None
            return Invitation(organisation, link.email, str(link.details["role"]))

    def accept(self, actor: Actor | None, token: str) -> Organisation:
        """Join by the invitation (once: the link is spent; a wrong address leaves it for the right one)."""
        who = self._signed_in(actor)
        now = self.now()
        with self._orgs(write=True) as uow:
            _, organisation = self._invitation(uow, who, token)
            taken = uow.email_links.take(token_hash(token), INVITATION, now)
            if taken is None or taken.details is None:  # accepted a moment ago, by the same or another request
                raise Invalid.one("", SPENT)
            assert organisation.id is not None
            members = uow.organisations.members(organisation.id)
            if not any(m.user_id == who.user_id for m in members):
                role, invited_by = str(taken.details["role"]), taken.details.get("invited_by")
                uow.organisations.add_member(Member(organisation.id, who.user_id, role, now, invited_by))
                audit.record(
                    uow, now, who, "organisation.joined", "organisation", organisation.id, None,
                    {"user_id": who.user_id, "role": role, "invited_by": invited_by},
                )  # fmt: skip
            uow.commit()
            return organisation

    def set_role(
        self,
        actor: Actor | None,
        organisation_id: int,
        user_id: int,
        role: str,
        *,
        once: submissions.Once | None = None,
    ) -> None:
        """An admin makes a member an admin, or an admin a member (never leaving the organisation without one)."""
        who = self._signed_in(actor)
        if role not in set(MemberRole):
            raise Invalid.one("role", "Select admin or member")
        now = self.now()
        with self._orgs(write=True) as uow:
            submissions.claim(uow, who, once, now)
            _, members = _admin(uow, organisation_id, who.user_id)
            target = next((m for m in members if m.user_id == user_id), None)
            if target is None:
                raise NotFound("No such member")
            if role == MemberRole.MEMBER and target.admin and sum(m.admin for m in members) == 1:
                raise Invalid.one("role", "The organisation needs an admin: make another member an admin first")
            if target.role != role:
                uow.organisations.set_role(organisation_id, user_id, role)
                audit.record(uow, now, who, "organisation.role_changed", "organisation", organisation_id,
                             {"user_id": user_id, "role": target.role}, {"user_id": user_id, "role": role})  # fmt: skip
            submissions.settle(uow, once, organisation_id)
            uow.commit()

    def remove(
        self, actor: Actor | None, organisation_id: int, user_id: int, *, once: submissions.Once | None = None
    ) -> Member | None:
        """An admin removes another member (to go oneself is to :meth:`leave`).

        The member removed, or None if already gone (the same form again).
        """
        who = self._signed_in(actor)
        if user_id == who.user_id:
            raise Invalid.one("", "To leave the organisation yourself, use Leave")
        now = self.now()
        with self._orgs(write=True) as uow:
            submissions.claim(uow, who, once, now)
            _, members = _admin(uow, organisation_id, who.user_id)
            target = next((m for m in members if m.user_id == user_id), None)
            if target is not None:
                uow.organisations.remove_member(organisation_id, user_id)
                audit.record(uow, now, who, "organisation.member_removed", "organisation", organisation_id,
                             {"user_id": user_id, "role": target.role}, None)  # fmt: skip
            submissions.settle(uow, once, organisation_id)
            uow.commit()
            return target

    def leave(self, actor: Actor | None, organisation_id: int, *, once: submissions.Once | None = None) -> None:
        """The actor leaves; the last admin cannot (make another admin first, or close the organisation)."""
        who = self._signed_in(actor)
        now = self.now()
        with self._orgs(write=True) as uow:
            submissions.claim(uow, who, once, now)
            _, members, me = _member(uow, organisation_id, who.user_id)
            if me.admin and sum(m.admin for m in members) == 1:
                raise Invalid.one(
                    "", "You are the organisation's only admin: make another member an admin, or close it, first"
                )
            uow.organisations.remove_member(organisation_id, who.user_id)
            audit.record(uow, now, who, "organisation.left", "organisation", organisation_id,
                         {"user_id": who.user_id, "role": me.role}, None)  # fmt: skip
            submissions.settle(uow, once, organisation_id)
            uow.commit()

    def close(self, actor: Actor | None, organisation_id: int, *, once: submissions.Once | None = None) -> None:
        """An admin closes the organisation: its API tokens stop at once, and it can no longer be joined."""
        who = self._signed_in(actor)
        now = self.now()
        with self._orgs(write=True) as uow:
            submissions.claim(uow, who, once, now)
            _admin(uow, organisation_id, who.user_id)
            uow.organisations.close(organisation_id, now)
            closed = {"closed_at": now}
            audit.record(uow, now, who, "organisation.closed", "organisation", organisation_id, None, closed)
            submissions.settle(uow, once, organisation_id)
            uow.commit()
