"""The register's records: plain dataclasses that ``bng.db`` maps onto tables.

They hold data and the small rules that belong to one record; the services hold the rules that
span records. Ids are None until the record is stored. Times are naive UTC; dates are calendar
dates in England. Quantities of the capacity ledger (hectares, kilometres, units) are Decimals at the
ledger's precision (see ``ledger``), so that sums are exact; how they are stored is ``bng.db``'s.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any


class ApplicationStatus(StrEnum):
    """Where an application to register a gain site stands; an accepted one has made a gain site."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    INFORMATION_REQUESTED = "information_requested"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


APPLICATION_STATUS_LABELS = {
    ApplicationStatus.DRAFT: "Draft",
    ApplicationStatus.SUBMITTED: "Submitted",
    ApplicationStatus.INFORMATION_REQUESTED: "Further information requested",
    ApplicationStatus.ACCEPTED: "Registered",
    ApplicationStatus.REJECTED: "Rejected",
}


class SiteStatus(StrEnum):
    """Whether a gain site is on the register or was removed from it (its record and history are kept)."""

    REGISTERED = "registered"
    REMOVED = "removed"


class PaymentStatus(StrEnum):
    """Whether a fee is still owed or was received."""

    DUE = "due"
    RECEIVED = "received"


class AgreementType(StrEnum):
    """The legal agreement that secures a gain site: a planning obligation or a conservation covenant."""

    S106 = "s106"
    CONSERVATION_COVENANT = "conservation_covenant"


AGREEMENT_LABELS = {
    AgreementType.S106: "Planning obligation (section 106 agreement)",
    AgreementType.CONSERVATION_COVENANT: "Conservation covenant",
}


@dataclass(eq=False)
class Lpa:
    """A local planning authority (the register's list, with its ONS code).

    Councils come and go (the 2019-2023 reorganisations abolished 28 of DEFRA's list): each has the dates it was an LPA
    (None: since before the register began, or still is), the name of the LPA that took over its area, and the source of
    those dates, so a reorganisation is new rows, not new code.
    """

    name: str
    ons_code: str | None = None
    id: int | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    successor: str = ""
    source: str = ""

    def current(self, on: date) -> bool:
        """Whether it is an LPA on a day (from ``valid_from`` to ``valid_to``, both included)."""
        return (self.valid_from is None or self.valid_from <= on) and (self.valid_to is None or on <= self.valid_to)


@dataclass(eq=False)
class ResponsibleBody:
    """A body the Secretary of State designated to hold conservation covenants (the operator's list)."""

    name: str
    body_type: str
    designated_on: date
    source: str = ""
    withdrawn_on: date | None = None
    id: int | None = None

    def designated_at(self, on: date) -> bool:
        """Whether it is a responsible body on a day (designated by then, not yet withdrawn)."""
        return self.designated_on <= on and (self.withdrawn_on is None or on < self.withdrawn_on)


@dataclass(eq=False)
class User:
    """An account: its role (and LPA, for an LPA officer), its password's hash and its second factor."""

    email: str
    name: str
    role: str
    password_hash: str
    created_at: datetime
    organisation: str = ""
    lpa_id: int | None = None
    active: bool = True
    failed_logins: int = 0
    locked_until: datetime | None = None
    email_verified_at: datetime | None = None
    """When the address was shown to be theirs (a link followed); an unverified account cannot submit."""
    totp_secret: str | None = None
    """The authenticator's shared secret (RFC 6238), once enrolment has begun."""
    totp_enabled_at: datetime | None = None
    """When the second factor was switched on (a first code checked); until then it is not asked for."""
    totp_last_step: int | None = None
    """The 30-second step of the last code accepted: a code is never accepted twice."""
    id: int | None = None


@dataclass(eq=False)
class LoginSession:
    """A signed-in browser: the cookie holds a random token, the register keeps only its hash."""

    token_hash: str
    user_id: int
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None
    id: int | None = None


@dataclass(eq=False)
class StoredFile:
    """A document in the file store; ``published`` files are the only ones the public may fetch."""

    key: str
    kind: str
    name: str
    media_type: str
    size: int
    sha256: str
    uploaded_at: datetime
    uploaded_by: int | None = None
    application_id: int | None = None
    published: bool = False
    id: int | None = None


@dataclass(eq=False)
class Application:
    """A registration application: a draft with its answers, then a case for the register team."""

    reference: str
    owner_id: int
    created_at: datetime
    updated_at: datetime
    kind: str = "registration"
    status: str = ApplicationStatus.DRAFT
    answers: dict[str, Any] = field(default_factory=dict)
    submitted_at: datetime | None = None
    decided_at: datetime | None = None
    decision_reason: str | None = None
    information_request: str | None = None
    gain_site_id: int | None = None
    version: int = 1
    withdrawn_at: datetime | None = None
    """Set when the owner withdraws a draft that was never submitted: it stays a draft, closed."""
    id: int | None = None


@dataclass(eq=False)
class ApplicationEvent:
    """What happened to an application, in words the applicant sees (the audit log has the detail)."""

    application_id: int
    at: datetime
    kind: str
    message: str = ""
    by_user_id: int | None = None
    id: int | None = None


@dataclass(eq=False)
class Payment:
    """A fee due or paid: registration (£639), allocation (£45) and, later, statutory credits."""

    reference: str
    purpose: str
    amount_pence: int
    created_at: datetime
    status: str = PaymentStatus.DUE
    payer_id: int | None = None
    application_id: int | None = None
    allocation_id: int | None = None
    received_on: date | None = None
    method: str = ""
    recorded_by: int | None = None
    id: int | None = None


@dataclass(eq=False)
class Refund:
    """A fee received and paid back (one per payment; never changed): when, how and its reference."""

    payment_id: int
    refunded_on: date
    method: str
    reference: str
    recorded_at: datetime
    recorded_by: int | None = None
    id: int | None = None


@dataclass(eq=False)
class CardPayment:
    """A fee paid (or being paid) by card through GOV.UK Pay.

    It holds Pay's payment id, the unguessable key of our return address, and the state Pay last told us.
    ``outcome`` says what its success did: "" (not a success yet), ``recorded`` (the fee was received by it) or
    ``not_needed`` (the fee was settled some other way first: the money is to be paid back by hand).
    """

    payment_id: int
    pay_id: str
    return_key: str
    amount_pence: int
    status: str
    next_url: str
    created_at: datetime
    created_by: int | None = None
    finished: bool = False
    outcome: str = ""
    checked_at: datetime | None = None
    refund_id: str = ""
    refund_status: str = ""
    id: int | None = None


@dataclass(eq=False)
class GainSite:
    """A gain site on the register.

    ``boundary`` is a shapely (Multi)Polygon in EPSG:27700, or None when the boundary was given as a document with a
    grid reference and area.
    """

    reference: str
    application_id: int
    name: str
    registered_on: date
    area_ha: float
    grid_reference: str
    easting: float
    northing: float
    min_e: float
    min_n: float
    max_e: float
    max_n: float
    agreement_type: str
    agreement_date: date
    works_completion_date: date
    secured_until: date
    hmmp_in_agreement: bool
    metric_release: str
    updated_at: datetime
    status: str = SiteStatus.REGISTERED
    boundary: Any = None
    responsible_body_id: int | None = None
    lpa_name: str = ""
    nca_name: str = ""
    lnrs_name: str = ""
    agreement_sha256: str = ""
    removed_on: date | None = None
    # units left to allocate, by module: kept by the database as allocations are recorded
    remaining_area_units: Decimal = Decimal(0)
    remaining_hedgerow_units: Decimal = Decimal(0)
    remaining_watercourse_units: Decimal = Decimal(0)
    version: int = 1
    id: int | None = None


@dataclass(eq=False)
class GainSiteArea:
    """A named area (LPA, National Character Area, LNRS area) a gain site lies in, with its share."""

    gain_site_id: int
    kind: str  # "lpa", "nca" or "lnrs"
    name: str
    share: float  # of the site's area, 0..1 (1 for a site given by grid reference)
    id: int | None = None


@dataclass(eq=False)
class AgreementLpa:
    """An LPA party to a gain site's section 106 agreement."""

    gain_site_id: int
    lpa_id: int
    id: int | None = None


@dataclass(eq=False)
class HabitatParcel:
    """One row of the gain site's off-site metric: baseline, creation or enhancement.

    Creation and enhancement parcels are what the site sells: their size (hectares or
    kilometres) and units are its capacity; ``allocated_*`` is what allocations have used.
    """

    gain_site_id: int
    module: str  # "area", "hedgerow" or "watercourse"
    stage: str  # "baseline", "creation" or "enhancement"
    ref: str
    habitat: str
    distinctiveness: str
    condition: str
    strategic_significance: str
    size: Decimal  # hectares (area) or kilometres (hedgerow, watercourse)
    units: Decimal  # baseline units, or post-intervention units
    baseline_ref: str = ""
    allocated_size: Decimal = Decimal(0)
    allocated_units: Decimal = Decimal(0)
    geometry: Any = None
    id: int | None = None


@dataclass(eq=False)
class Allocation:
    """A development's use of units from a gain site.

    ``spatial_risk`` is the register's own category (derived from where the development and the gain
    site are); ``stated_spatial_risk`` is what the development's metric said, when one was given.
    """

    reference: str
    gain_site_id: int
    lpa_id: int
    planning_reference: str
    development_name: str
    created_at: datetime
    created_by: int | None = None
    spatial_risk: str = ""
    development_grid_reference: str = ""
    development_easting: float | None = None
    development_northing: float | None = None
    development_nca: str = ""
    development_lnrs: str = ""
    stated_spatial_risk: str = ""
    consent_file_id: int | None = None
    metric_file_id: int | None = None
    application_id: int | None = None
    id: int | None = None


@dataclass(eq=False)
class AllocationLine:
    """The part of one habitat parcel an allocation takes: its size and the units that go with it."""

    allocation_id: int
    parcel_id: int
    size: Decimal  # hectares or kilometres of the parcel
    units: Decimal
    id: int | None = None


@dataclass(eq=False)
class SiteEvent:
    """A dated entry in a gain site's public history: registered, amended, removed."""

    gain_site_id: int
    kind: str
    on: date
    description: str
    at: datetime
    by_user_id: int | None = None
    id: int | None = None


@dataclass(eq=False)
class AuditEvent:
    """One change: who, when, what, and the record before and after (append-only)."""

    at: datetime
    action: str
    entity: str
    entity_id: str
    actor_id: int | None = None
    actor: str = "system"
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    id: int | None = None


@dataclass(eq=False)
class OutboxMessage:
    """An e-mail queued for GOV.UK Notify; ``key`` is unique, so a reminder is queued once however often the sweep runs.

    ``bng.register.core.notifications`` queues and sends them; monitoring's reminders and flags are queued here too.
    A message made without a ``template`` (monitoring's) is sent with the template named by its kind, its subject
    and body as the personalisation.
    """

    key: str
    kind: str
    created_at: datetime
    send_on: date
    to_email: str
    subject: str
    body: str
    user_id: int | None = None
    obligation_id: int | None = None
    sent_at: datetime | None = None
    id: int | None = None
    template: str = ""
    fields: dict[str, str] | None = None
    status: str = "queued"  # queued, sending, sent or failed
    attempts: int = 0
    next_attempt_at: datetime | None = None
    claimed_by: str | None = None
    claimed_until: datetime | None = None
    last_error: str | None = None
    notify_id: str | None = None
    notify_status: str | None = None

    def __post_init__(self) -> None:
        if not self.template:
            self.template = self.kind
        if self.fields is None:
            self.fields = {"subject": self.subject, "body": self.body}
