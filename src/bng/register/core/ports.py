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
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True, slots=True)
class SiteQuery:
    """Filters of the public register.

    ``min_units`` asks for sites with at least that many units of ``units_module`` still to allocate;
    ``near`` (easting, northing, metres) for sites whose extent (bounding box) comes within that
    distance of a point, nearest first; ``bbox`` for sites whose extent meets a box."""

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
    def get(self, user_id: int) -> User | None: ...
    def by_email(self, email: str) -> User | None: ...
    def all(self) -> Sequence[User]: ...
    def advance_code_step(self, user_id: int, step: int) -> bool:
        """Record ``step`` as the account's last authenticator code, if it is later than the last; whether it
        was (of two transactions with the same code, only one is)."""
        ...


class Sessions(Protocol):
    def by_token_hash(self, token_hash: str) -> LoginSession | None: ...
    def revoke_all(self, user_id: int, at: datetime, keep: str | None = None) -> int:
        """End every live session of the account (but the one whose token hash is ``keep``); how many."""
        ...


class Lpas(Protocol):
    def get(self, lpa_id: int) -> Lpa | None: ...
    def by_name(self, name: str) -> Lpa | None: ...
    def all(self) -> Sequence[Lpa]: ...


class ResponsibleBodies(Protocol):
    def get(self, body_id: int) -> ResponsibleBody | None: ...
    def by_name(self, name: str) -> ResponsibleBody | None: ...
    def all(self) -> Sequence[ResponsibleBody]: ...


class Files(Protocol):
    def get(self, file_id: int) -> StoredFile | None: ...
    def for_application(self, application_id: int) -> Sequence[StoredFile]: ...
    def in_use(self, file_id: int) -> bool:
        """Whether an allocation already holds the file (as its metric or consent)."""
        ...


class Applications(Protocol):
    def get(self, application_id: int) -> Application | None: ...
    def by_reference(self, reference: str) -> Application | None: ...
    def for_owner(self, user_id: int) -> Sequence[Application]: ...
    def with_status(self, statuses: Sequence[str]) -> Sequence[Application]: ...
    def events(self, application_id: int) -> Sequence[ApplicationEvent]: ...


class Payments(Protocol):
    def get(self, payment_id: int) -> Payment | None: ...
    def by_reference(self, reference: str) -> Payment | None: ...
    def for_application(self, application_id: int) -> Sequence[Payment]: ...
    def for_allocation(self, allocation_id: int) -> Sequence[Payment]: ...
    def refunds(self, payment_ids: Sequence[int]) -> dict[int, Refund]:
        """The refunds recorded of these payments, by payment id."""
        ...


class CardPayments(Protocol):
    """Card payments made through GOV.UK Pay, as we last saw them (``bng.register.payments.card``)."""

    def by_key(self, return_key: str, *, for_update: bool = False) -> CardPayment | None: ...
    def for_payment(self, payment_id: int) -> Sequence[CardPayment]: ...
    def all(self) -> Sequence[CardPayment]: ...


class Sites(Protocol):
    def get(self, site_id: int) -> GainSite | None: ...
    def by_reference(self, reference: str, *, for_update: bool = False) -> GainSite | None:
        """The gain site; ``for_update`` takes its row lock, as an allocation does before its parcels'."""
        ...

    def search(self, query: SiteQuery) -> Page: ...
    def registered_near(self, bbox: tuple[float, float, float, float]) -> Sequence[GainSite]: ...
    def for_lpa(self, lpa_id: int, lpa_name: str) -> Sequence[GainSite]: ...
    def parcels(self, site_id: int) -> Sequence[HabitatParcel]: ...
    def areas(self, site_id: int) -> Sequence[Any]: ...
    def agreement_lpas(self, site_id: int) -> Sequence[Lpa]: ...
    def events(self, site_id: int) -> Sequence[SiteEvent]: ...
    def last_change(self) -> datetime | None: ...


class Ledger(Protocol):
    def parcel(self, parcel_id: int, *, for_update: bool = False) -> HabitatParcel | None: ...
    def add_line(self, line: AllocationLine) -> None:
        """Store an allocation line; the database moves the parcel's allocated totals with it and
        raises :class:`~bng.register.core.errors.OverAllocation` if that would exceed its capacity."""
        ...

    def allocations(self, site_id: int) -> Sequence[Allocation]: ...
    def lines(self, allocation_id: int) -> Sequence[AllocationLine]: ...
    def allocated_count(self, site_id: int) -> int: ...
    def allocation(self, reference: str) -> Allocation | None: ...
    def made_by(self, user_id: int) -> Sequence[Allocation]: ...


class OpenData(Protocol):
    """The register as open data: pages of sites, parcels and allocations with what each row shows."""

    def parcels(self, query: ParcelQuery) -> Page:
        """Items are (HabitatParcel, gain site reference)."""
        ...

    def allocations(self, query: AllocationQuery) -> Page:
        """Items are (Allocation, gain site reference, LPA name, {module: (size, units) as Decimals},
        (the gain site's easting, northing))."""
        ...

    def site_extras(self, site_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        """For each site: its responsible body's name and its LPAs, NCAs and LNRS areas."""
        ...


class Audit(Protocol):
    def recent(self, page: int, per_page: int, entity: str = "", entity_id: str = "") -> Page: ...


@dataclass(frozen=True, slots=True)
class Claimed:
    """A submission token used before: by whom, for what, and what it made (a reference, or "")."""

    user_id: int
    action: str
    target: str


class Submissions(Protocol):
    def claim(self, token_hash: str, user_id: int, action: str, at: datetime) -> Claimed | None:
        """Record the token's first use in this transaction, or return the use that came first (a use in a
        transaction not yet ended is waited for: its commit makes it the first, its rollback makes this one)."""
        ...

    def settle(self, token_hash: str, target: str) -> None:
        """Say what the submission made (the reference a repeat of it is sent to)."""
        ...

    def find(self, token_hash: str) -> Claimed | None: ...


class Throttle(Protocol):
    def failures(self, keys: Sequence[str], since: datetime) -> dict[str, int]:
        """Failures counted for each key in a window that started at ``since`` or later."""
        ...

    def fail(self, keys: Sequence[str], at: datetime, window_start_after: datetime) -> None:
        """Count a failure for each key; a window that started before ``window_start_after`` starts again.

        Rows of every other key whose window started before then are removed (what they counted has expired).
        """
        ...

    def clear(self, keys: Sequence[str]) -> None: ...


@dataclass(frozen=True, slots=True)
class EmailLink:
    """A one-time link sent by email (``sign_in``, ``new_account``, ``password_reset``, ``verify_email``,
    ``change_email``, ``org_invitation``; or ``second_factor``, a sign-in awaiting its authenticator code), with
    what it finishes."""

    token_hash: str
    purpose: str
    email: str
    user_id: int | None
    details: dict[str, Any] | None
    created_at: datetime
    expires_at: datetime


class EmailLinks(Protocol):
    def add(self, link: EmailLink) -> None: ...
    def take(self, token_hash: str, purpose: str, now: datetime) -> EmailLink | None:
        """The link, marked used, if it is unused and unexpired; else None. Only one taker ever gets it."""
        ...

    def find(self, token_hash: str, purpose: str, now: datetime) -> EmailLink | None:
        """The link if it is unused and unexpired, left unused."""
        ...

    def spend(self, user_id: int, purposes: Sequence[str], now: datetime) -> None:
        """Mark every unused link of the account for these purposes used (a new password voids old resets)."""
        ...


class UnitOfWork(Protocol):
    """One transaction over every repository; leave it without ``commit()`` and nothing is kept."""

    # read-only (properties): a unit of work may hold a repository of a narrower type (a protocol's plain
    # attribute would have to match exactly, as it could be assigned)
    @property
    def users(self) -> Users: ...
    @property
    def sessions(self) -> Sessions: ...
    @property
    def lpas(self) -> Lpas: ...
    @property
    def bodies(self) -> ResponsibleBodies: ...
    @property
    def files(self) -> Files: ...
    @property
    def applications(self) -> Applications: ...
    @property
    def payments(self) -> Payments: ...
    @property
    def card_payments(self) -> CardPayments: ...
    @property
    def sites(self) -> Sites: ...
    @property
    def ledger(self) -> Ledger: ...
    @property
    def audit(self) -> Audit: ...
    @property
    def open_data(self) -> OpenData: ...
    @property
    def submissions(self) -> Submissions: ...
    @property
    def throttle(self) -> Throttle: ...
    @property
    def email_links(self) -> EmailLinks: ...
    @property
    def geometries(self) -> Geometries: ...

    def add(self, record: object) -> None: ...
    def flush(self) -> None: ...
    def commit(self) -> None: ...
    def next_number(self, scope: str) -> int:
        """The next number of a named sequence (1, 2, …), unique even under concurrent transactions."""
        ...

    def on_rollback(self, action: Callable[[], None]) -> None: ...
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
    (``bng.register.core.uploads.store_bytes`` does both); ``get`` reads staged files too."""

    def put(self, data: bytes) -> str: ...
    def publish(self, key: str) -> None: ...
    def get(self, key: str) -> bytes: ...
    def delete(self, key: str) -> None: ...
    def exists(self, key: str) -> bool: ...


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
    """GOV.UK Pay's card payments: the production adapter (``bng.register.payments.govuk_pay``) and the local
    stand-in (``bng.register.payments.stand_in``) both answer it. Every call may raise :class:`PayError`."""

    def create(self, amount_pence: int, reference: str, description: str, return_url: str) -> PayState: ...
    def get(self, payment_id: str) -> PayState: ...
    def refund(self, payment_id: str, amount_pence: int, refund_amount_available: int) -> PayRefund: ...
