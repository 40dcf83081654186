"""Who sees what beyond the public register, and messages to a gain site's provider.

A landowner sees the allocations made against their own gain sites; an LPA officer sees the allocations and
statutory credit purchases for developments in their LPA (with CSV downloads); a developer or LPA officer can send a
message to a gain site's provider through the service.

A message is kept (``provider_message``) and queued to the provider in the same transaction (the outbox the Notify
worker sends); the sender never learns the provider's name or e-mail address, and nothing of it is published: no
public page, open data or API reads the table. The provider gets the sender's name, organisation and e-mail address,
so that they can reply (the form says so before it is sent).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from bng.metric import UNIT_NAMES as MODULE_WORDS
from bng.register.core import audit, notifications, submissions
from bng.register.core.audit import Actor
from bng.register.core.errors import Invalid, NotFound
from bng.register.core.ledger import shown
from bng.register.core.model import Lpa, SiteStatus
from bng.register.core.ports import UnitOfWork
from bng.register.core.references import message_reference
from bng.register.core.roles import Permission
from bng.register.core.service import Service, require
from bng.register.credits.records import OrderStatus

MAX_MESSAGE = 2000
PURCHASED = (OrderStatus.PAID, OrderStatus.ALLOCATED, OrderStatus.SENT_TO_LPA, OrderStatus.REFUNDED)
"""The credit orders that are purchases: paid (and then allocated, sent to the LPA, or refunded)."""


@dataclass(frozen=True, slots=True)
class AllocationRow:
    """An allocation as the landowner's and the LPA's lists show it (no personal data: not who recorded it)."""

    reference: str
    site_reference: str
    site_name: str
    lpa_name: str
    planning_reference: str
    development_name: str
    recorded_at: datetime
    spatial_risk: str
    units: dict[str, Decimal] = field(default_factory=dict)
    """Units taken, by module."""

    def units_text(self) -> str:
        """The units taken, module by module: "1.50 habitat units, 0.25 hedgerow units"."""
        return ", ".join(f"{shown(self.units[m])} {w}" for m, w in MODULE_WORDS.items() if m in self.units)


@dataclass(frozen=True, slots=True)
class PurchaseRow:
    """A statutory credit purchase for a development in the LPA."""

    reference: str
    development_name: str
    planning_reference: str
    status: str
    paid_on: date | None
    sent_to_lpa_on: date | None
    credits_hundredths: int
    total_pence: int


@dataclass(frozen=True, slots=True)
class ProviderMessage:
    """A message sent through the service to a gain site's provider, as it is kept (never published)."""

    reference: str
    gain_site_id: int
    sender_id: int
    recipient_id: int
    body: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ReceivedMessage:
    """A message as its provider sees it: the site it is about, who sent it and what it says."""

    reference: str
    site_reference: str
    sender_name: str
    sender_organisation: str
    sender_email: str
    body: str
    created_at: datetime


class AccessRecords(Protocol):
    """What the unit of work's ``access`` reads and keeps for these lists and messages."""

    def allocations_on_sites_of(self, owner_id: int) -> Sequence[AllocationRow]:
        """The allocations against the gain sites the account registered (whoever recorded them), newest first."""
        ...

    def allocations_in_lpa(self, lpa_id: int) -> Sequence[AllocationRow]:
        """The allocations for developments in the LPA, newest first."""
        ...

    def purchases_in_lpa(self, lpa_id: int, statuses: Sequence[str]) -> Sequence[PurchaseRow]:
        """The credit orders in these statuses for developments in the LPA, last paid first."""
        ...

    def site_owner(self, site_id: int) -> int | None:
        """The account that registered the gain site (its provider), or None."""
        ...

    def add_message(self, message: ProviderMessage) -> None:
        """Keep a message sent to a provider."""
        ...

    def messages_to(self, user_id: int) -> Sequence[ReceivedMessage]:
        """The messages sent to the account about its gain sites, newest first."""
        ...


class AccessUnitOfWork(UnitOfWork, Protocol):
    """A unit of work that holds the access records (the database's does)."""

    access: AccessRecords

    def __enter__(self) -> AccessUnitOfWork: ...


@dataclass
class LpaActivity:
    """What an LPA officer's page shows: the LPA, and the allocations and credit purchases in its area."""

    lpa: Lpa
    allocations: list[AllocationRow]
    purchases: list[PurchaseRow]


ALLOCATION_CSV = ("reference", "gain_site_reference", "gain_site_name", "development_lpa", "planning_reference",
                  "development_name", "recorded_on", "spatial_risk", "habitat_units", "hedgerow_units",
                  "watercourse_units")  # fmt: skip
PURCHASE_CSV = ("order_reference", "development_name", "planning_reference", "status", "paid_on",
                "sent_to_lpa_on", "credits", "total_paid_gbp")  # fmt: skip


def _cell(text: str) -> str:
    """A cell a spreadsheet will not run as a formula (a development's name is typed by its developer)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def allocations_csv(rows: Sequence[AllocationRow]) -> str:
    """The allocations as a CSV download, units to the ledger's precision, typed text safe from formulas."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(ALLOCATION_CSV)
    for r in rows:
        w.writerow(
            [r.reference, r.site_reference, _cell(r.site_name), r.lpa_name, _cell(r.planning_reference),
             _cell(r.development_name), r.recorded_at.date().isoformat(), r.spatial_risk,
             *(f"{r.units.get(m, Decimal(0)):.6f}" for m in MODULE_WORDS)]
        )  # fmt: skip
    return out.getvalue()


def purchases_csv(rows: Sequence[PurchaseRow]) -> str:
    """The credit purchases as a CSV download, credits and pounds to two decimals, typed text safe from formulas."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(PURCHASE_CSV)
    for r in rows:
        w.writerow(
            [r.reference, _cell(r.development_name), _cell(r.planning_reference), r.status,
             r.paid_on.isoformat() if r.paid_on else "", r.sent_to_lpa_on.isoformat() if r.sent_to_lpa_on else "",
             f"{r.credits_hundredths / 100:.2f}", f"{r.total_pence / 100:.2f}"]
        )  # fmt: skip
    return out.getvalue()


class Access(Service):
    """The lists of allocations and purchases for landowners and LPA officers, and messages to providers."""

    def _access_uow(self, write: bool = False) -> AccessUnitOfWork:
        made: AccessUnitOfWork = self._uow(write=write)  # type: ignore[assignment]  # the SQL unit has .access
        return made

    def site_allocations(self, actor: Actor | None) -> tuple[list[AllocationRow], list[ReceivedMessage]]:
        """The allocations against the actor's own gain sites, and the messages sent about them, newest first."""
        actor = require(actor, Permission.VIEW_OWN_SITE_ALLOCATIONS)
        with self._access_uow() as uow:
            return list(uow.access.allocations_on_sites_of(actor.user_id)), list(uow.access.messages_to(actor.user_id))

    def lpa_activity(self, actor: Actor | None) -> LpaActivity:
        """The allocations and credit purchases for developments in the officer's LPA, newest first."""
        actor = require(actor, Permission.VIEW_LPA_CASES)
        with self._access_uow() as uow:
            lpa = uow.lpas.get(actor.lpa_id) if actor.lpa_id is not None else None
            if lpa is None or lpa.id is None:
                raise NotFound("Your account is not linked to an LPA; ask the register team")
            return LpaActivity(
                lpa,
                list(uow.access.allocations_in_lpa(lpa.id)),
                list(uow.access.purchases_in_lpa(lpa.id, [s.value for s in PURCHASED])),
            )

    def message_target(self, actor: Actor | None, site_reference: str) -> tuple[str, str]:
        """The gain site a message would go to (its reference and name), if it is on the register."""
        actor = require(actor, Permission.MESSAGE_PROVIDERS)
        with self._access_uow() as uow:
            site = uow.sites.by_reference(site_reference.strip().upper())
            if site is None or site.id is None or site.status != SiteStatus.REGISTERED:
                raise NotFound(f"There is no gain site {site_reference.strip()[:20]} on the register")
            return site.reference, site.name

    def send_message(
        self, actor: Actor | None, site_reference: str, body: str, *, once: submissions.Once | None = None
    ) -> str:
        """Keep the message and queue it to the gain site's provider once committed; its reference."""
        actor = require(actor, Permission.MESSAGE_PROVIDERS)
        text = "\n".join(line.rstrip() for line in (body or "").strip().splitlines())
        if not text:
            raise Invalid.one("message", "Enter your message to the gain site's provider")
        if len(text) > MAX_MESSAGE:
            raise Invalid.one("message", f"Your message must be {MAX_MESSAGE:,} characters or fewer")
        now = self.now()
        with self._access_uow(write=True) as uow:
            submissions.claim(uow, actor, once, now)
            site = uow.sites.by_reference(site_reference.strip().upper())
            if site is None or site.id is None or site.status != SiteStatus.REGISTERED:
                raise NotFound(f"There is no gain site {site_reference.strip()[:20]} on the register")
            owner_id = uow.access.site_owner(site.id)
            owner = uow.users.get(owner_id) if owner_id is not None else None
            sender = uow.users.get(actor.user_id)
            if owner is None or owner.id is None or sender is None:
                raise NotFound("The gain site's provider cannot be reached through the service; ask the register team")
            message = ProviderMessage(message_reference(), site.id, actor.user_id, owner.id, text, now)
            uow.access.add_message(message)
            audit.record(uow, now, actor, "message.sent", "gain_site", site.reference, None,
                         {"message": message.reference, "characters": len(text)})  # fmt: skip
            submissions.settle(uow, once, message.reference)
            fields = {
                "site_reference": site.reference,
                "site_name": site.name,
                "sender_name": sender.name,
                "sender_organisation": sender.organisation or "no organisation given",
                "sender_email": sender.email,
                "message": text,
            }
            notifications.queue(uow, self.now(), owner, "provider_message", fields)  # sent only if this commits
            uow.commit()
            return message.reference
