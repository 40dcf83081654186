"""Monitoring over 30 years: the records and the repository the services use.

The records: obligations, reports, remedial actions, the history, the outbox of notifications, calendar feeds and the
excess-sale ledger.

An **obligation** is what an approved gain plan (its significant on-site parcels) or a registered gain
site secures: its parcels with the metric's trajectory for each (``bng.planning.trajectory``), who
reports (the developer, or the gain site's landowner) and who monitors (the LPA, or the responsible
body of a conservation covenant), the legal mechanism, the start (commencement, or the habitat works'
completion) and end (30 years on), the schedule's years and the fee quoted and received.

A **report** is the provider's for year N: observations per parcel, the narrative, changes since the
last report, recommended changes to the plan, photos, an updated metric and maps (source 001's list);
bng's assessment of each parcel against the trajectory is kept with it. The LPA's officer accepts it or
asks for **remedial action** (what, on which parcels, by when). A report or an action overdue raises an
enforcement flag. Reminders and flags are queued in the **outbox** (``notification_outbox``), which a
sender (GOV.UK Notify, a later issue) will send from: the service has no e-mail sender yet.

Every confirmation is made once: a report, a remedial action and an excess sale carry the form's
one-time token, unique in the database, so fifty identical posts make one record; an acceptance or a
recorded fee is a change of state made once. The history (``monitoring_event``) is append-only.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Protocol

from bng.register.core.model import OutboxMessage
from bng.register.core.ports import UnitOfWork
from bng.register.core.references import CROCKFORD


class Mechanism(StrEnum):
    """The legal mechanism that secures an obligation, in the guidance's words."""

    CONDITION = "planning condition"
    S106 = "section 106 agreement"
    COVENANT = "conservation covenant"


class Monitor(StrEnum):
    """Who monitors an obligation: the LPA, or the responsible body of a conservation covenant."""

    LPA = "the local planning authority"
    BODY = "the responsible body"


class Source(StrEnum):
    """What an obligation comes from: an approved gain plan or a registered gain site."""

    GAIN_PLAN = "gain plan"
    GAIN_SITE = "gain site"


class ReportStatus(StrEnum):
    """Where a monitoring report stands with the officer who reviews it."""

    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    ACTION = "remedial action requested"


class ActionStatus(StrEnum):
    """Whether a remedial action is still open or done."""

    OPEN = "open"
    DONE = "done"


@dataclass(eq=False)
class Obligation:
    """What an approved gain plan or a registered gain site secures for 30 years, and who reports and monitors."""

    reference: str
    lpa_id: int
    source: str  # Source
    planning_reference: str
    development_name: str
    provider_id: int  # the account that reports (the developer, or the gain site's landowner)
    mechanism: str  # Mechanism
    monitor: str  # Monitor
    start_date: date
    end_date: date
    schedule: str
    band: str
    years: list[int]
    size_ha: float
    metric_release: str
    parcels: list[dict[str, Any]]  # bng.planning.trajectory.Trajectory.to_dict() of each parcel monitored
    created_at: datetime
    created_by: int
    updated_at: datetime
    planning_case_id: int | None = None
    gain_site_id: int | None = None
    responsible_body_id: int | None = None
    fee: dict[str, Any] | None = None  # bng.planning.fees.FeeQuote.to_dict(), or None (no schedule known)
    fee_due: str = ""  # when it falls due, in the LPA's words
    fee_due_on: date | None = None
    fee_received_on: date | None = None
    fee_received_pence: int | None = None
    status: str = "active"
    version: int = 1
    id: int | None = None


@dataclass(eq=False)
class MonitoringReport:
    """A provider's monitoring report for year N, with bng's assessment of each parcel against its trajectory."""

    reference: str
    obligation_id: int
    year: int
    submitted_at: datetime
    submitted_by: int
    observations: list[dict[str, Any]]
    assessment: dict[str, Any]  # bng.planning.progress.Assessment.to_dict()
    narrative: str = ""
    changes: str = ""  # changes since the last report
    recommendations: str = ""  # recommended changes to the gain plan
    files: list[dict[str, Any]] = field(default_factory=list)  # {"id", "kind", "name"}: photos, metric, maps
    content_sha256: str = ""
    token: str | None = None  # the form's one-time token (hashed): unique
    status: str = ReportStatus.SUBMITTED
    reviewed_at: datetime | None = None
    reviewed_by: int | None = None
    review_note: str = ""
    version: int = 1
    id: int | None = None


@dataclass(eq=False)
class RemedialAction:
    """What the officer asks of a provider after a report: what to do, on which parcels, by when."""

    reference: str
    obligation_id: int
    report_id: int
    parcel_keys: list[str]
    description: str
    deadline: date
    created_at: datetime
    created_by: int
    token: str | None = None
    status: str = ActionStatus.OPEN
    done_at: datetime | None = None
    done_by: int | None = None
    done_note: str = ""
    version: int = 1
    id: int | None = None


@dataclass(eq=False)
class MonitoringEvent:
    """What happened to an obligation, in the words its provider and officer see (the audit log has the detail)."""

    obligation_id: int
    at: datetime
    kind: str
    message: str = ""
    by_user_id: int | None = None
    id: int | None = None


@dataclass(eq=False)
class CalendarFeed:
    """A secret link to a calendar (ICS) feed: an LPA's (``lpa_id``) or a provider's (``user_id``)."""

    token_hash: str
    kind: str  # "lpa" or "provider"
    created_at: datetime
    created_by: int
    lpa_id: int | None = None
    user_id: int | None = None
    id: int | None = None


@dataclass(eq=False)
class ExcessAccount:
    """A development's sellable excess in one module (units) and how much of it is sold.

    The database refuses ``sold > sellable`` (CHECK), so two sales at once cannot both take the last units.
    """

    planning_case_id: int
    module: str
    sellable: Decimal
    sold: Decimal = Decimal(0)
    id: int | None = None


@dataclass(eq=False)
class ExcessSale:
    """A sale of a development's excess units to another development, recorded once."""

    reference: str
    planning_case_id: int
    buyer_planning_reference: str
    buyer_lpa_id: int
    units: dict[str, Decimal]  # module -> units
    created_at: datetime
    created_by: int
    gain_site_reference: str = ""
    token: str | None = None
    id: int | None = None


class MonitoringRecords(Protocol):
    """The stored monitoring: obligations, reports, remedial actions, history, outbox, feeds and excess sales."""

    def obligation(self, reference: str, *, for_update: bool = False) -> Obligation | None:
        """The obligation with this reference (locked for the transaction with ``for_update``)."""
        ...

    def obligation_of_case(self, case_id: int) -> Obligation | None:
        """The obligation made from a planning case's approved gain plan, if any."""
        ...

    def obligation_of_site(self, site_id: int) -> Obligation | None:
        """The obligation made for a registered gain site, if any."""
        ...

    def obligations_of_lpa(self, lpa_id: int) -> Sequence[Obligation]:
        """The obligations of an LPA's developments and gain sites, by start date."""
        ...

    def obligations_of_provider(self, user_id: int) -> Sequence[Obligation]:
        """The obligations a provider (developer or landowner) reports on."""
        ...

    def active(self) -> Sequence[Obligation]:
        """The obligations whose 30 years are not over (the daily sweep's work)."""
        ...

    def reports(self, obligation_id: int) -> Sequence[MonitoringReport]:
        """An obligation's monitoring reports, oldest first."""
        ...

    def report(self, reference: str, *, for_update: bool = False) -> MonitoringReport | None:
        """The report with this reference (locked for the transaction with ``for_update``)."""
        ...

    def report_by_token(self, token: str) -> MonitoringReport | None:
        """The report made from a form's one-time token (its SHA-256), if any."""
        ...

    def report_by_content(self, obligation_id: int, year: int, sha256: str) -> MonitoringReport | None:
        """A report already made for this year with the same content (its SHA-256), if any."""
        ...

    def actions(self, obligation_id: int) -> Sequence[RemedialAction]:
        """An obligation's remedial actions."""
        ...

    def action(self, reference: str, *, for_update: bool = False) -> RemedialAction | None:
        """The remedial action with this reference (locked for the transaction with ``for_update``)."""
        ...

    def action_by_token(self, token: str) -> RemedialAction | None:
        """The remedial action made from a form's one-time token (its SHA-256), if any."""
        ...

    def events(self, obligation_id: int) -> Sequence[MonitoringEvent]:
        """An obligation's history, oldest first."""
        ...

    def outbox_has(self, key: str) -> bool:
        """Whether a message with this key is queued already (each reminder and flag once)."""
        ...

    def outbox(self, unsent_only: bool = False) -> Sequence[OutboxMessage]:
        """The queued notifications (only those not yet sent with ``unsent_only``)."""
        ...

    def feed(self, token_hash: str) -> CalendarFeed | None:
        """The calendar feed whose secret link has this SHA-256."""
        ...

    def feed_of(self, kind: str, lpa_id: int | None, user_id: int | None) -> CalendarFeed | None:
        """The calendar feed of an LPA or of a provider, if a link was made."""
        ...

    def excess_accounts(self, case_id: int) -> Sequence[ExcessAccount]:
        """A development's sellable excess, a row per module."""
        ...

    def sell(self, case_id: int, module: str, units: Decimal) -> None:
        """Add to what is sold of a module's excess; OverAllocation beyond the sellable excess.

        The database's CHECK refuses it, so a concurrent sale cannot slip past.
        """
        ...

    def sales(self, case_id: int) -> Sequence[ExcessSale]:
        """A development's sales of excess units."""
        ...

    def sale_by_token(self, token: str) -> ExcessSale | None:
        """The excess sale made from a form's one-time token (its SHA-256), if any."""
        ...

    def sales_to_lpa(self, lpa_id: int) -> Sequence[ExcessSale]:
        """The excess sales to developments in an LPA's area."""
        ...


class MonitoringUnitOfWork(UnitOfWork, Protocol):
    """A unit of work with the monitoring records and the planning cases beside the register's core."""

    monitoring: MonitoringRecords
    planning: Any  # bng.register.planning.cases.PlanningRecords

    def __enter__(self) -> MonitoringUnitOfWork: ...


def new_reference(prefix: str) -> str:
    """A new reference: the prefix and two groups of four characters of Crockford's base 32, at random."""
    chars = "".join(secrets.choice(CROCKFORD) for _ in range(8))
    return f"{prefix}-{chars[:4]}-{chars[4:]}"
