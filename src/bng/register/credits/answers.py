"""The answers of a credit order's draft, section by section, as typed values.

A draft order keeps each section's answers as a small JSON document (``CreditOrder.answers``, one per
section key): JSON is only their storage. Each section's answer class reads the section's form as
posted and checks it (``parse``, every problem reported at once; what needs the register, the LPA list
or keeping the metric file, is handed in with the form), reads what the section holds (``from_json``,
never failing on it), gives what it reads back to the same answers (``to_json``), and says what the
answers look like on a summary list (``rows``: check your answers, the order and case pages). Once the
order is submitted its own columns (the development, the reasons, the customer, the lines) are what the
rows show; the answers fill in what a draft has not yet put there.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, ClassVar, Self

from bng.register.applications.answers import long_date
from bng.register.applications.answers.stored import StoredAnswers, date_of, id_of, text_of
from bng.register.core.errors import Invalid, Problem, gather
from bng.register.core.lpas import not_current
from bng.register.core.model import Lpa, StoredFile
from bng.register.core.rules import add_years
from bng.register.core.summary import Document, Row
from bng.register.core.uploads import Upload

from .amounts import TIER_LABELS, TIERS, parse_quantity, show_quantity
from .base import OrderView
from .metric import MetricCredits, metric_credits
from .order_sections import MAX_TEXT, MINIMUM_AGE, _order_problems, _text, _texts
from .records import CustomerType


def _nothing_kept(upload: Upload, sha256: str) -> StoredFile:
    raise NotImplementedError("this form keeps no metric")


@dataclass(frozen=True)
class OrderForm:
    """A section's form as posted, with what reading it needs of the order and of the register."""

    data: Mapping[str, Any]
    """The typed answers, by field (a date already a ``date``)."""
    now: datetime
    uploads: Mapping[str, Upload] = field(default_factory=dict)
    held: Mapping[str, Any] = field(default_factory=dict)
    """The order's answers as saved: the credits to buy are checked against its metric."""
    lpa: Callable[[int], Lpa | None] = lambda lpa_id: None
    """The register's LPA of an id, if there is one."""
    metric_problems: Callable[[MetricCredits, str], list[Problem]] = lambda credits, sha256: []
    """Why the register refuses a metric (its file's digest already used, its Start sheet another development's)."""
    keep_metric: Callable[[Upload, str], StoredFile] = _nothing_kept
    """Checks and stores an uploaded metric (its digest given) as the order's file."""

    @property
    def today(self) -> date:
        """The day the form is read (an LPA must be current on it, a buyer of age on it)."""
        return self.now.date()


def _checked(problems: list[Problem]) -> None:
    if problems:
        raise Invalid("There is a problem", problems)


@dataclass(frozen=True)
class OrderAnswers(StoredAnswers):
    """A credit order section's answers (a section saved is done: a draft order has no "save for later")."""

    @classmethod
    def parse(cls, form: OrderForm) -> Self:
        """The section's form read and checked; Invalid naming every field with a problem."""
        raise NotImplementedError

    def rows(self, view: OrderView) -> list[Row]:
        """The section's rows on a summary list, the order's own columns first where it has them."""
        raise NotImplementedError


@dataclass(frozen=True)
class DevelopmentAnswers(OrderAnswers):
    """The development the credits are for: its LPA (current on the day), planning reference and name."""

    KEY: ClassVar[str] = "development"
    TEXTS: ClassVar[tuple[tuple[str, str, int], ...]] = (
        ("planning_reference", "the planning application reference", 100),
        ("development_name", "the name of the development", 200),
    )
    """The typed answers: field, what it is in a problem's words, how long it may be."""

    lpa_id: int | None = None
    planning_reference: str = ""
    development_name: str = ""

    @classmethod
    def parse(cls, form: OrderForm) -> DevelopmentAnswers:
        """The development's LPA from the register's list, and its planning reference and name as typed."""
        raw = str(form.data.get("lpa_id") or "").strip()
        lpa = form.lpa(int(raw)) if raw.isdigit() else None
        problems: list[Problem] = []
        if lpa is None or lpa.id is None:
            problems.append(Problem("lpa_id", "Select the development's local planning authority (LPA) from the list"))
        elif why := not_current(lpa, form.today):
            problems.append(Problem("lpa_id", why))
        texts = gather(problems, lambda: _texts(form.data, *cls.TEXTS)) or {}
        _checked(problems)
        return cls(lpa.id if lpa is not None else None, texts["planning_reference"], texts["development_name"])

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> DevelopmentAnswers:
        """The development as the draft holds it."""
        return cls(id_of(doc, "lpa_id"), text_of(doc, "planning_reference"), text_of(doc, "development_name"))

    def to_json(self) -> dict[str, Any]:
        """The LPA by its id, the reference and name as typed."""
        return {
            "lpa_id": self.lpa_id,
            "planning_reference": self.planning_reference,
            "development_name": self.development_name,
        }

    def rows(self, view: OrderView) -> list[Row]:
        """The LPA by its name and ONS code; the submitted order's own reference and name first."""
        lpa, order = view.lpa, view.order
        lpa_text = f"{lpa.name} ({lpa.ons_code})" if lpa and lpa.ons_code else (lpa.name if lpa else "")
        return [
            Row("Local planning authority (LPA)", lpa_text),
            Row("Planning application reference", order.planning_reference or self.planning_reference),
            Row("Name of the development", order.development_name or self.development_name),
        ]


@dataclass(frozen=True)
class MetricAnswers(OrderAnswers):
    """The development's metric as uploaded (kept as a file) and what it says about credits."""

    KEY: ClassVar[str] = "metric"

    file_id: int | None = None
    name: str = ""
    sha256: str = ""
    credits: MetricCredits | None = None

    @classmethod
    def parse(cls, form: OrderForm) -> MetricAnswers:
        """The metric uploaded, read and kept when the register can take it; with no upload, the one held."""
        upload = form.uploads.get("metric_file")
        if upload is None:
            if form.held.get("metric"):
                return cls.from_json(form.held["metric"])  # kept as it was
            raise Invalid.one("metric_file", "Upload the development's statutory biodiversity metric")
        credits = metric_credits(upload.filename, upload.data, "metric_file")
        digest = hashlib.sha256(upload.data).hexdigest()
        problems = _order_problems(credits) + form.metric_problems(credits, digest)
        if problems:
            raise Invalid("The metric cannot be used to order credits", problems)
        stored = form.keep_metric(upload, digest)
        return cls(stored.id, stored.name, digest, credits)

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> MetricAnswers:
        """The metric as the draft holds it; credits the register never kept are not read."""
        credits = doc.get("credits")
        try:
            read = MetricCredits.from_dict(credits) if isinstance(credits, dict) and credits else None
        except (KeyError, TypeError, ValueError):  # not what the register ever kept: none read
            read = None
        return cls(id_of(doc, "file_id"), text_of(doc, "name"), text_of(doc, "sha256"), read)

    def to_json(self) -> dict[str, Any]:
        """The stored file, its SHA-256 and the credits the metric says are needed."""
        doc: dict[str, Any] = {"file_id": self.file_id, "name": self.name, "sha256": self.sha256}
        if self.credits is not None:
            doc["credits"] = self.credits.to_dict()
        return doc

    def rows(self, view: OrderView) -> list[Row]:
        """The metric file (a link to it) and the metric release it was made with."""
        f, metric = view.metric_file, view.metric
        if f is None or f.id is None or metric is None:
            return [Row("Metric", "Not uploaded")]
        return [
            Row("Metric", f.name, Document(f.id, f.name, f.size)),
            Row("Metric release", metric.release_title or metric.metric_release, changeable=False),
        ]


@dataclass(frozen=True)
class QuantitiesAnswers(OrderAnswers):
    """Credits to buy by tier, in hundredths of a credit, for the metric of that digest."""

    KEY: ClassVar[str] = "quantities"

    by_tier: tuple[tuple[str, int], ...] = ()
    for_metric: str = ""

    @classmethod
    def parse(cls, form: OrderForm) -> QuantitiesAnswers:
        """Each tier's credits as typed, never fewer than the held metric needs."""
        metric_answer = form.held.get("metric")
        if not metric_answer:
            raise Invalid.one("quantity_A1", "Upload the development's metric first: the credits come from it")
        metric = MetricCredits.from_dict(metric_answer["credits"])
        problems: list[Problem] = []
        by_tier: list[tuple[str, int]] = []
        for tier in TIERS:
            name = f"quantity_{tier}"
            try:
                n = parse_quantity(str(form.data.get(name) or ""), tier, name)
            except Invalid as err:
                problems += err.problems
                continue
            needed = metric.needed.get(tier) or 0
            if n < needed:
                problems.append(
                    Problem(
                        name,
                        f"{TIER_LABELS[tier]}: the metric needs {show_quantity(needed)} credits; you may buy more, "
                        "not fewer",
                    )
                )
            by_tier.append((tier, n))
        _checked(problems)
        return cls(tuple(by_tier), str(metric_answer["sha256"]))

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> QuantitiesAnswers:
        """The quantities as the draft holds it; a tier with no whole number is left out."""
        raw = doc.get("by_tier")
        by_tier = []
        for tier, n in raw.items() if isinstance(raw, Mapping) else ():
            try:
                by_tier.append((str(tier), int(n)))
            except (TypeError, ValueError, OverflowError):
                continue
        return cls(tuple(by_tier), text_of(doc, "for_metric"))

    def to_json(self) -> dict[str, Any]:
        """Hundredths of a credit by tier, and the digest of the metric they were typed for."""
        return {"by_tier": dict(self.by_tier), "for_metric": self.for_metric}

    def rows(self, view: OrderView) -> list[Row]:
        """Each tier with credits to buy, the submitted order's lines first."""
        quantities = {line.tier: line.quantity_hundredths for line in view.lines} or dict(self.by_tier)
        shown = [f"{TIER_LABELS[t]}: {show_quantity(quantities[t])}" for t in TIERS if quantities.get(t, 0) > 0]
        return [Row("Credits to buy", "\n".join(shown) if shown else "None")]


@dataclass(frozen=True)
class GainHierarchyAnswers(OrderAnswers):
    """Why on-site gains, then registered off-site gains, cannot deliver the units: credits are the last resort."""

    KEY: ClassVar[str] = "gain-hierarchy"
    TEXTS: ClassVar[tuple[tuple[str, str, int], ...]] = (
        ("onsite_reason", "why on-site gains cannot deliver the units", MAX_TEXT),
        ("offsite_reason", "why registered off-site gains cannot deliver the units", MAX_TEXT),
    )

    onsite_reason: str = ""
    offsite_reason: str = ""

    @classmethod
    def parse(cls, form: OrderForm) -> GainHierarchyAnswers:
        """Both reasons, each required and up to the longest text the register keeps."""
        texts = _texts(form.data, *cls.TEXTS)
        return cls(texts["onsite_reason"], texts["offsite_reason"])

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> GainHierarchyAnswers:
        """The reasons as the draft holds them."""
        return cls(text_of(doc, "onsite_reason"), text_of(doc, "offsite_reason"))

    def to_json(self) -> dict[str, Any]:
        """The two reasons as typed."""
        return {"onsite_reason": self.onsite_reason, "offsite_reason": self.offsite_reason}

    def rows(self, view: OrderView) -> list[Row]:
        """The reasons, the submitted order's own first."""
        order = view.order
        return [
            Row("Why on-site gains cannot deliver the units", order.onsite_reason or self.onsite_reason),
            Row("Why registered off-site gains cannot deliver them", order.offsite_reason or self.offsite_reason),
        ]


@dataclass(frozen=True)
class PurchaseOrderAnswers(OrderAnswers):
    """The purchase order number the invoice quotes, if the buyer's organisation needs one."""

    KEY: ClassVar[str] = "purchase-order"

    purchase_order: str = ""

    @classmethod
    def parse(cls, form: OrderForm) -> PurchaseOrderAnswers:
        """The number, optional: up to 60 letters, numbers, spaces and . / _ - characters."""
        value = _text(form.data, "purchase_order", "the purchase order number", 60, required=False)
        if value and not PURCHASE_ORDER.match(value):
            raise Invalid.one(
                "purchase_order", "The purchase order number may have letters, numbers, spaces and . / _ - only"
            )
        return cls(value)

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> PurchaseOrderAnswers:
        """The number as the draft holds it."""
        return cls(text_of(doc, "purchase_order"))

    def to_json(self) -> dict[str, Any]:
        """The number as typed ("" for none)."""
        return {"purchase_order": self.purchase_order}

    def rows(self, view: OrderView) -> list[Row]:
        """The number, the submitted order's own first; "None" when not given."""
        return [Row("Purchase order number", view.order.purchase_order or self.purchase_order or "None")]


PURCHASE_ORDER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ./_-]*$")
ORGANISATION_NUMBER = re.compile(r"^[A-Z0-9][A-Z0-9/-]{1,19}$")
"""A registration number as its register gives it (Companies House: 01234567, SC123456)."""


@dataclass(frozen=True)
class DueDiligenceAnswers(OrderAnswers):
    """Who is buying, for the customer due diligence checks.

    An individual gives a name, date of birth (of age to buy) and nationality; an organisation its name and
    registration number.
    """

    KEY: ClassVar[str] = "due-diligence"
    INDIVIDUAL: ClassVar[tuple[tuple[str, str, int], ...]] = (
        ("full_name", "your full name", 200),
        ("nationality", "your nationality", 100),
    )
    """An individual's typed answers: field, what it is in a problem's words, how long it may be."""
    ORGANISATION: ClassVar[tuple[tuple[str, str, int], ...]] = (("organisation_name", "the organisation's name", 200),)

    customer_type: str = ""
    full_name: str = ""
    date_of_birth: date | None = None
    nationality: str = ""
    organisation_name: str = ""
    organisation_number: str = ""

    @classmethod
    def parse(cls, form: OrderForm) -> DueDiligenceAnswers:
        """An individual or an organisation, with what the checks need of each; every problem at once."""
        data = form.data
        kind = str(data.get("customer_type") or "")
        if kind not in (CustomerType.INDIVIDUAL, CustomerType.ORGANISATION):
            raise Invalid.one("customer_type", "Select whether you are buying as an individual or an organisation")
        problems: list[Problem] = []
        if kind == CustomerType.INDIVIDUAL:
            texts = gather(problems, lambda: _texts(data, *cls.INDIVIDUAL)) or {}
            born = data.get("date_of_birth")
            if not isinstance(born, date):
                problems.append(Problem("date_of_birth", "Enter your date of birth"))
            elif born > add_years(form.today, -MINIMUM_AGE):
                problems.append(
                    Problem(
                        "date_of_birth", f"You must be {MINIMUM_AGE} or older to buy statutory biodiversity credits"
                    )
                )
            elif born.year < 1900:
                problems.append(Problem("date_of_birth", "Enter a real date of birth, like 27 3 1980"))
            _checked(problems)
            return cls(kind, texts["full_name"], born, texts["nationality"])
        texts = gather(problems, lambda: _texts(data, *cls.ORGANISATION)) or {}
        number = re.sub(r"\s+", "", str(data.get("organisation_number") or "")).upper()
        if not number:
            problems.append(Problem("organisation_number", "Enter the organisation's registration number"))
        elif not ORGANISATION_NUMBER.match(number):
            problems.append(
                Problem(
                    "organisation_number",
                    "Enter the organisation's registration number as its register gives it, like 01234567 or "
                    "SC123456 (letters, numbers, / and - only, up to 20 characters)",
                )
            )
        _checked(problems)
        return cls(kind, organisation_name=texts["organisation_name"], organisation_number=number)

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> DueDiligenceAnswers:
        """The buyer as the draft holds it."""
        return cls(
            customer_type=text_of(doc, "customer_type"),
            full_name=text_of(doc, "full_name"),
            date_of_birth=date_of(doc, "date_of_birth"),
            nationality=text_of(doc, "nationality"),
            organisation_name=text_of(doc, "organisation_name"),
            organisation_number=text_of(doc, "organisation_number"),
        )

    def to_json(self) -> dict[str, Any]:
        """The buyer's kind and its own answers first; a date of birth as an ISO date."""
        doc: dict[str, Any] = {"customer_type": self.customer_type}
        if self.customer_type == CustomerType.ORGANISATION:
            names: tuple[str, ...] = ("organisation_name", "organisation_number", "full_name", "nationality")
        else:
            names = ("full_name", "nationality", "organisation_name", "organisation_number")
        for name in names:
            if getattr(self, name) or name in names[:2]:
                doc[name] = getattr(self, name)
        if self.date_of_birth is not None:
            doc["date_of_birth"] = self.date_of_birth.isoformat()
        return doc

    def rows(self, view: OrderView) -> list[Row]:
        """The buyer, from the submitted order's customer record where there is one."""
        c = view.customer
        if (c.customer_type if c else self.customer_type) == CustomerType.ORGANISATION:
            return [
                Row("Buying", "For an organisation"),
                Row("Organisation", c.organisation_name if c else self.organisation_name),
                Row("Registration number", c.organisation_number if c else self.organisation_number),
            ]
        return [
            Row("Buying", "As an individual"),
            Row("Full name", c.full_name if c else self.full_name),
            Row("Date of birth", long_date(c.date_of_birth if c else self.date_of_birth)),
            Row("Nationality", c.nationality if c else self.nationality),
        ]


@dataclass(frozen=True)
class TermsAnswers(OrderAnswers):
    """The terms of sale accepted, and the credits bought for the developer's own development (no agents)."""

    KEY: ClassVar[str] = "terms"

    CONFIRMED: ClassVar[tuple[str, ...]] = ("terms", "own_development")
    accepted: tuple[str, ...] = ()
    """What was confirmed: the terms of sale, and buying for the developer's own development."""
    at: datetime | None = None

    @classmethod
    def parse(cls, form: OrderForm) -> TermsAnswers:
        """Both confirmations are required; the terms are accepted when the form is saved."""
        accepted = {str(v) for v in (form.data.get("confirm") or [])}
        if any(c not in accepted for c in cls.CONFIRMED):
            raise Invalid.one(
                "confirm",
                "Confirm that you accept the terms and conditions of sale and that you are buying the credits for "
                "your own development, not as an agent or representative",
            )
        return cls(cls.CONFIRMED, form.now)

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> TermsAnswers:
        """The confirmations as the draft holds them."""
        raw = doc.get("accepted")
        at = doc.get("at")
        when = None
        if isinstance(at, str) and at:
            try:
                when = datetime.fromisoformat(at)
            except ValueError:
                when = None
        items = raw if isinstance(raw, list | tuple) else []
        return cls(tuple(str(x) for x in items), when)

    def to_json(self) -> dict[str, Any]:
        """What was confirmed and when (an ISO timestamp)."""
        return {"accepted": list(self.accepted), "at": self.at.isoformat() if self.at is not None else None}

    def rows(self, view: OrderView) -> list[Row]:
        """Accepted or not, from the submitted order's own record where it has one."""
        accepted = bool(self.accepted) or view.order.terms_accepted_at is not None
        return [Row("Terms and conditions", "Accepted; buying for my own development" if accepted else "Not accepted")]


SECTION_TYPES: dict[str, type[OrderAnswers]] = {
    c.KEY: c
    for c in (
        DevelopmentAnswers,
        MetricAnswers,
        QuantitiesAnswers,
        GainHierarchyAnswers,
        PurchaseOrderAnswers,
        DueDiligenceAnswers,
        TermsAnswers,
    )
}
"""Each section's answer class, by the section's key (the order of ``orders.SECTIONS``)."""


def section_of(key: str, doc: Any) -> OrderAnswers:
    """A section's answers from what the order holds for it (nothing yet: every answer at its default)."""
    return SECTION_TYPES[key].from_json(doc if isinstance(doc, Mapping) else {})


def summary(view: OrderView) -> list[tuple[str, list[Row]]]:
    """Each section's key and summary list rows, in the task list's order."""
    return [(key, section_of(key, view.order.answers.get(key)).rows(view)) for key in SECTION_TYPES]
