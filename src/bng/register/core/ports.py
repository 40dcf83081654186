"""What the register needs from the outside world, as interfaces: storage of records and of files.

``bng.db`` implements :class:`UnitOfWork` on SQLAlchemy (SQLite or PostgreSQL + PostGIS) and
:class:`FileStore` on a local directory. A service opens one unit of work per action: everything
it changes is committed together or not at all, files included (files are staged, moved into place
``on_commit`` and removed ``on_rollback``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol, TypeVar

from .geometries import Geometries
from .model import (
    Allocation,
    AllocationLine,
    Application,
    ApplicationEvent,
    CardPayment,
    GainSite,
    HabitatParcel,
    LoginSession,
    Lpa,
    Payment,
    Refund,
    ResponsibleBody,
    SiteEvent,
    StoredFile,
    User,
)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a list: its items and how many there are in all."""

    items: Sequence[Any]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """How many pages there are (at least one, so that an empty list still shows its page)."""
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True, slots=True)
class SiteQuery:
    """Filters of the public register.

    ``min_units`` asks for sites with at least that many units of ``units_module`` still to allocate;
    ``near`` (easting, northing, metres) for sites whose extent (bounding box) comes within that
    distance of a point, nearest first; ``bbox`` for sites whose extent meets a box.
    """

    reference: str = ""
    name: str = ""
    """Words of the gain site's name, each to be found in it (any case, in any order)."""
    lpa: str = ""
    nca: str = ""
    lnrs: str = ""
    habitat: str = ""
    responsible_body_id: int | None = None
    bbox: tuple[float, float, float, float] | None = None  # EPSG:27700 min_e, min_n, max_e, max_n
    min_units: float | None = None
    units_module: str = "area"
    near: tuple[float, float, float] | None = None  # EPSG:27700 easting, northing, distance in metres
    include_removed: bool = False
    page: int = 1
    per_page: int = 20
    after: str = ""
    """Keyset pagination: the reference of the last gain site of the page before; the page is then the
    ``per_page`` sites that follow it in the search's order (``page`` only names it), read from where
    that site is rather than counted past from the first."""
    total: int | None = None
    """The search's count when already known (a count depends on the filters, not the page): not counted again."""

    def filters(self) -> SiteQuery:
        """The same search without its page: what its count depends on."""
        return replace(self, page=1, per_page=1, after="", total=None)


@dataclass(frozen=True, slots=True)
class ParcelQuery:
    """Filters of the open data's habitat parcels (of gain sites on the register)."""

    site_reference: str = ""
    module: str = ""
    stage: str = ""
    habitat: str = ""
    lpa: str = ""
    page: int = 1
    per_page: int = 100


@dataclass(frozen=True, slots=True)
class AllocationQuery:
    """Filters of the open data's allocations."""

    site_reference: str = ""
    lpa: str = ""  # the development's LPA
    planning_reference: str = ""
    page: int = 1
    per_page: int = 100


class Users(Protocol):
    """The accounts: landowners and their agents, developers, LPA officers and Natural England's case workers."""

    def get(self, user_id: int) -> User | None:
        """The account, or None."""
        ...

    def by_email(self, email: str) -> User | None:
        """The account with exactly this e-mail address, or None."""
        ...

    def all(self) -> Sequence[User]:
        """Every account, by role then e-mail address."""
        ...

    def advance_code_step(self, user_id: int, step: int) -> bool:
        """Record ``step`` as the account's last authenticator code, if it is later than the last.

        Whether it was: of two transactions with the same code, only one is (a code is used once).
        """
        ...


class Sessions(Protocol):
    """Signed-in sessions, found by the hash of their cookie's token (the token itself is never stored)."""

    def by_token_hash(self, token_hash: str) -> LoginSession | None:
        """The session, revoked or not (the caller checks), or None."""
        ...

    def revoke_all(self, user_id: int, at: datetime, keep: str | None = None) -> int:
        """End every live session of the account (but the one whose token hash is ``keep``); how many."""
        ...


class Lpas(Protocol):
    """The local planning authorities (reference data)."""

    def get(self, lpa_id: int) -> Lpa | None:
        """The LPA, or None."""
        ...

    def by_name(self, name: str) -> Lpa | None:
        """The LPA with exactly this name, or None."""
        ...

    def all(self) -> Sequence[Lpa]:
        """Every LPA, by name."""
        ...


class ResponsibleBodies(Protocol):
    """The responsible bodies that may enter conservation covenants (reference data)."""

    def get(self, body_id: int) -> ResponsibleBody | None:
        """The responsible body, or None."""
        ...

    def by_name(self, name: str) -> ResponsibleBody | None:
        """The responsible body with exactly this name, or None."""
        ...

    def all(self) -> Sequence[ResponsibleBody]:
        """Every responsible body, by name."""
        ...


class Files(Protocol):
    """The documents uploaded with applications and allocations (their bytes are in the :class:`FileStore`)."""

    def get(self, file_id: int) -> StoredFile | None:
        """The file's record, or None."""
        ...

    def for_application(self, application_id: int) -> Sequence[StoredFile]:
        """The files uploaded with a gain site application, in the order they were uploaded."""
        ...

    def in_use(self, file_id: int) -> bool:
        """Whether an allocation already holds the file (as its metric or consent)."""
        ...


class Applications(Protocol):
    """Applications to register a gain site."""

    def get(self, application_id: int) -> Application | None:
        """The application, or None."""
        ...

    def by_reference(self, reference: str) -> Application | None:
        """The application with this reference, or None."""
        ...

    def for_owner(self, user_id: int) -> Sequence[Application]:
        """The applicant's applications, newest first."""
        ...

    def with_status(self, statuses: Sequence[str]) -> Sequence[Application]:
        """The applications in any of these statuses (a casework queue), oldest first."""
        ...

    def events(self, application_id: int) -> Sequence[ApplicationEvent]:
        """The application's history, oldest first."""
        ...


class Payments(Protocol):
    """Fees paid or owed: for registering a gain site or recording an allocation."""

    def get(self, payment_id: int) -> Payment | None:
        """The payment, or None."""
        ...

    def by_reference(self, reference: str) -> Payment | None:
        """The payment with this reference (the one the payer quotes), or None."""
        ...

    def for_application(self, application_id: int) -> Sequence[Payment]:
        """The fees of a gain site application, in the order they were asked for."""
        ...

    def for_allocation(self, allocation_id: int) -> Sequence[Payment]:
        """The fees of an allocation, in the order they were asked for."""
        ...

    def refunds(self, payment_ids: Sequence[int]) -> dict[int, Refund]:
        """The refunds recorded of these payments, by payment id (a payment without one is not a key)."""
        ...


class CardPayments(Protocol):
    """Card payments made through GOV.UK Pay, as we last saw them (``bng.register.payments.card``)."""

    def by_key(self, return_key: str, *, for_update: bool = False) -> CardPayment | None:
        """The card payment whose return link carries this key, or None.

        ``for_update`` locks it and reads it afresh, so that two returns at once settle one after the other.
        """
        ...

    def for_payment(self, payment_id: int) -> Sequence[CardPayment]:
        """Every attempt to pay the fee by card, oldest first."""
        ...

    def all(self) -> Sequence[CardPayment]:
        """Every card payment, oldest first."""
        ...


class Sites(Protocol):
    """Gain sites, on the register or removed from it, with their habitat parcels and the areas they lie in."""

    def get(self, site_id: int) -> GainSite | None:
        """The gain site, or None."""
        ...

    def by_reference(self, reference: str, *, for_update: bool = False) -> GainSite | None:
        """The gain site, or None; ``for_update`` takes its row lock, as an allocation does before its parcels'."""
        ...

    def search(self, query: SiteQuery) -> Page:
        """A page of the public register's gain sites (:class:`SiteQuery`), with the search's count.

        Registered sites only unless ``include_removed``; newest registered first, or nearest first with
        ``near``. Raises :class:`~bng.register.core.errors.Invalid` if ``after`` names no gain site.
        """
        ...

    def registered_near(self, bbox: tuple[float, float, float, float]) -> Sequence[GainSite]:
        """The registered gain sites whose extent comes within a metre of the box (EPSG:27700), by id.

        What an application's boundary is checked against for overlaps with sites already on the register.
        """
        ...

    def for_lpa(self, lpa_id: int, lpa_name: str) -> Sequence[GainSite]:
        """The gain sites in an LPA's area or with an agreement it is party to, newest registered first."""
        ...

    def parcels(self, site_id: int) -> Sequence[HabitatParcel]:
        """The site's habitat parcels (baseline and post-intervention), in the order they were recorded."""
        ...

    def areas(self, site_id: int) -> Sequence[Any]:
        """The LPAs, NCAs and LNRS areas the site lies in, by kind, the largest share of the site first."""
        ...

    def agreement_lpas(self, site_id: int) -> Sequence[Lpa]:
        """The LPAs party to the site's legal agreement, by name."""
        ...

    def events(self, site_id: int) -> Sequence[SiteEvent]:
        """The site's history on the register, oldest first."""
        ...

    def last_change(self) -> datetime | None:
        """When a gain site or an allocation last changed (what the public pages are cached by); None if never."""
        ...


class Ledger(Protocol):
    """The allocations of gain sites' habitat parcels to developments, line by line."""

    def parcel(self, parcel_id: int, *, for_update: bool = False) -> HabitatParcel | None:
        """The parcel as the database holds it now, or None; ``for_update`` takes its row lock."""
        ...

    def add_line(self, line: AllocationLine) -> None:
        """Store an allocation line; the database moves the parcel's allocated totals with it.

        Raises :class:`~bng.register.core.errors.OverAllocation` if that would exceed the parcel's capacity.
        """
        ...

    def allocations(self, site_id: int) -> Sequence[Allocation]:
        """The gain site's allocations, oldest first."""
        ...

    def lines(self, allocation_id: int) -> Sequence[AllocationLine]:
        """The allocation's lines, in the order they were added."""
        ...

    def allocated_count(self, site_id: int) -> int:
        """How many allocations the gain site has."""
        ...

    def allocation(self, reference: str) -> Allocation | None:
        """The allocation with this reference, or None."""
        ...

    def made_by(self, user_id: int) -> Sequence[Allocation]:
        """The allocations the account recorded, newest first."""
        ...


class OpenData(Protocol):
    """The register as open data: pages of sites, parcels and allocations with what each row shows."""

    def parcels(self, query: ParcelQuery) -> Page:
        """Items are (HabitatParcel, gain site reference), of registered sites, by site then parcel."""
        ...

    def allocations(self, query: AllocationQuery) -> Page:
        """Items are (Allocation, gain site reference, LPA name, {module: (size, units)}, (easting, northing)).

        Oldest allocation first; sizes and units are Decimals, the easting and northing the gain site's.
        """
        ...

    def site_extras(self, site_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        """For each site: its responsible body's name and its LPAs, NCAs and LNRS areas."""
        ...


class Audit(Protocol):
    """The audit trail: who did what to which record, when."""

    def recent(self, page: int, per_page: int, entity: str = "", entity_id: str = "") -> Page:
        """A page of audit events, newest first, of one kind of record (``entity``) or one record if given."""
        ...


@dataclass(frozen=True, slots=True)
class Claimed:
    """A submission token used before: by whom, for what, and what it made (a reference, or "")."""

    user_id: int
    action: str
    target: str


class Submissions(Protocol):
    """The one-time tokens of forms, so that a confirmation posted twice makes one record."""

    def claim(self, token_hash: str, user_id: int, action: str, at: datetime) -> Claimed | None:
        """Record the token's first use in this transaction (None), or return the use that came first.

        A use in a transaction not yet ended is waited for: its commit makes it the first, its rollback this one.
        """
        ...

    def settle(self, token_hash: str, target: str) -> None:
        """Say what the submission made (the reference a repeat of it is sent to)."""
        ...

    def find(self, token_hash: str) -> Claimed | None:
        """The token's use, or None if it has not been used."""
        ...


class Throttle(Protocol):
    """Counts by hashed key (client, address, account, device) in windows of time.

    What is counted: failed sign-ins and authenticator codes, and requests that send an email (creating an
    account, a password reset).
    """

    def failures(self, keys: Sequence[str], since: datetime) -> dict[str, int]:
        """Failures counted for each key in a window that started at ``since`` or later (a key without is left out)."""
        ...

    def fail(self, keys: Sequence[str], at: datetime, window_start_after: datetime) -> None:
        """Count a failure for each key; a window that started before ``window_start_after`` starts again.

        Rows of every other key whose window started before then are removed (what they counted has expired).
        """
        ...

    def clear(self, keys: Sequence[str]) -> None:
        """Forget the keys' failures (after a sign-in succeeds)."""
        ...


@dataclass(frozen=True, slots=True)
class EmailLink:
    """A one-time link sent by email, with what it finishes.

    Its purpose: ``sign_in``, ``new_account``, ``password_reset``, ``verify_email``, ``change_email``,
    ``org_invitation``; or ``second_factor``, a sign-in awaiting its authenticator code.
    """

    token_hash: str
    purpose: str
    email: str
    user_id: int | None
    details: dict[str, Any] | None
    created_at: datetime
    expires_at: datetime


class EmailLinks(Protocol):
    """One-time links sent by e-mail, found by the hash of their token."""

    def add(self, link: EmailLink) -> None:
        """Store a link just sent."""
        ...

    def take(self, token_hash: str, purpose: str, now: datetime) -> EmailLink | None:
        """The link, marked used, if it is unused and unexpired; else None. Only one taker ever gets it."""
        ...

    def find(self, token_hash: str, purpose: str, now: datetime) -> EmailLink | None:
        """The link if it is unused and unexpired, left unused; else None."""
        ...

    def spend(self, user_id: int, purposes: Sequence[str], now: datetime) -> None:
        """Mark every unused link of the account for these purposes used (a new password voids old resets)."""
        ...


class UnitOfWork(Protocol):
    """One transaction over every repository; leave it without ``commit()`` and nothing is kept."""

    # read-only (properties): a unit of work may hold a repository of a narrower type (a protocol's plain
    # attribute would have to match exactly, as it could be assigned)
    @property
    def users(self) -> Users:
        """The accounts."""
        ...

    @property
    def sessions(self) -> Sessions:
        """The signed-in sessions."""
        ...

    @property
    def lpas(self) -> Lpas:
        """The local planning authorities."""
        ...

    @property
    def bodies(self) -> ResponsibleBodies:
        """The responsible bodies."""
        ...

    @property
    def files(self) -> Files:
        """The uploaded documents' records."""
        ...

    @property
    def applications(self) -> Applications:
        """The gain site applications."""
        ...

    @property
    def payments(self) -> Payments:
        """The fees."""
        ...

    @property
    def card_payments(self) -> CardPayments:
        """The card payments through GOV.UK Pay."""
        ...

    @property
    def sites(self) -> Sites:
        """The gain sites."""
        ...

    @property
    def ledger(self) -> Ledger:
        """The allocations."""
        ...

    @property
    def audit(self) -> Audit:
        """The audit trail."""
        ...

    @property
    def open_data(self) -> OpenData:
        """The register as open data."""
        ...

    @property
    def submissions(self) -> Submissions:
        """The forms' one-time tokens."""
        ...

    @property
    def throttle(self) -> Throttle:
        """The failed sign-ins."""
        ...

    @property
    def email_links(self) -> EmailLinks:
        """The one-time links sent by e-mail."""
        ...

    @property
    def geometries(self) -> Geometries:
        """The boundaries and parcels' geometries, each kept once."""
        ...

    def add(self, record: object) -> None:
        """Keep a new record (inserted at the next flush or commit)."""
        ...

    def flush(self) -> None:
        """Send what has changed to the database now (giving new records their ids), without committing."""
        ...

    def commit(self) -> None:
        """Keep everything done in this unit of work, then run the ``on_commit`` actions."""
        ...

    def next_number(self, scope: str) -> int:
        """The next number of a named sequence (1, 2, …), unique even under concurrent transactions."""
        ...

    def on_rollback(self, action: Callable[[], None]) -> None:
        """Run ``action`` if the unit of work ends without committing (removing staged files)."""
        ...

    def on_commit(self, action: Callable[[], None]) -> None:
        """Run ``action`` once the transaction has committed (moving staged files into place)."""
        ...

    def __enter__(self) -> UnitOfWork: ...
    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...


UnitOfWorkFactory = Callable[..., UnitOfWork]
"""``factory()`` for reading, ``factory(write=True)`` for an action that changes records."""


class FileStore(Protocol):
    """Where uploaded documents live; keys are opaque and never derived from what a user typed.

    ``put`` stages the bytes; ``publish`` moves them into place once their row is committed
    (``bng.register.core.uploads.store_bytes`` does both); ``get`` reads staged files too.
    """

    def put(self, data: bytes) -> str:
        """Stage the bytes under a new key; the key."""
        ...

    def publish(self, key: str) -> None:
        """Move staged bytes into place once the row that names them is committed (nothing if already there)."""
        ...

    def get(self, key: str) -> bytes:
        """The bytes, staged or published; ``FileNotFoundError`` (naming only the key) if there are none."""
        ...

    def delete(self, key: str) -> None:
        """Remove the bytes, staged or published (nothing if there are none)."""
        ...

    def exists(self, key: str) -> bool:
        """Whether bytes are kept under the key, staged or published."""
        ...


Clock = Callable[[], datetime]
"""Now, in naive UTC (injected so that tests can fix the date)."""


@dataclass(frozen=True, slots=True)
class PayState:
    """A card payment as GOV.UK Pay reports it (``GET /v1/payments/{payment_id}``)."""

    payment_id: str
    status: str
    """created, started, submitted, capturable, success, failed, cancelled or error."""
    finished: bool
    amount: int
    """In pence."""
    reference: str
    next_url: str
    """Where the payer enters their card details ("" once the payment is finished)."""
    refund_available: int
    """``refund_summary.amount_available``: what may still be refunded, in pence."""
    message: str = ""
    """Why a finished payment did not succeed (``state.message``)."""


@dataclass(frozen=True, slots=True)
class PayRefund:
    """A refund as GOV.UK Pay reports it: its id, amount in pence and status (submitted, success, error)."""

    refund_id: str
    amount: int
    status: str


class PayError(Exception):
    """GOV.UK Pay could not be reached, or refused a request (``status`` is its HTTP status, 0 if none)."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


class CardPay(Protocol):
    """GOV.UK Pay's card payments, answered by the production adapter and by the local stand-in.

    The adapter is ``bng.register.payments.govuk_pay``, the stand-in ``bng.register.payments.stand_in``.
    Every call may raise :class:`PayError`.
    """

    def create(self, amount_pence: int, reference: str, description: str, return_url: str) -> PayState:
        """Start a card payment; the payer is sent to its ``next_url`` and comes back to ``return_url``."""
        ...

    def get(self, payment_id: str) -> PayState:
        """The payment's state now."""
        ...

    def refund(self, payment_id: str, amount_pence: int, refund_amount_available: int) -> PayRefund:
        """Refund part or all of a payment.

        ``refund_amount_available`` is what we believe may still be refunded: GOV.UK Pay refuses the refund if
        that has changed meanwhile, so a refund is never made twice.
        """
        ...
