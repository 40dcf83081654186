"""The answers of a credit order's draft, section by section, as typed values.

A draft order keeps each section's answers as a small JSON document (``CreditOrder.answers``, one per
section key): JSON is only their storage. Each section's answer class reads what the section holds
(``from_json``, never failing on it), gives what it reads back to the same answers (``to_json``), and
says what the answers look like on a summary list (``rows``: check your answers, the order and case
pages). Once the order is submitted its own columns (the development, the reasons, the customer, the
lines) are what the rows show; the answers fill in what a draft has not yet put there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar, Self

from bng.register.applications.answers.stored import id_of, text_of
from bng.register.core.summary import Document, Row

from .amounts import TIER_LABELS, TIERS, show_quantity
from .base import OrderView
from .metric import MetricCredits
from .records import CustomerType


def _date(v: Any) -> date | None:
    if isinstance(v, str) and v:
        try:
            return date.fromisoformat(v)
        except ValueError:
            return None
    return None


def long_date(d: date | None) -> str:
    """A date as the guidance writes it: 5 March 2026."""
    return f"{d.day} {d:%B %Y}" if d is not None else ""


@dataclass(frozen=True)
class OrderAnswers:
    """A section's answers (a section saved is done: a draft order has no "save for later")."""

    KEY: ClassVar[str] = ""

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> Self:
        """The section's answers from what it holds, whatever it holds (never fails)."""
        raise NotImplementedError

    def to_json(self) -> dict[str, Any]:
        """What the section holds: ``from_json`` reads it back to the same answers."""
        raise NotImplementedError

    def rows(self, view: OrderView) -> list[Row]:
        """The section's rows on a summary list, the order's own columns first where it has them."""
        raise NotImplementedError


@dataclass(frozen=True)
class DevelopmentAnswers(OrderAnswers):
    KEY: ClassVar[str] = "development"

    lpa_id: int | None = None
    planning_reference: str = ""
    development_name: str = ""

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> DevelopmentAnswers:
        return cls(id_of(doc, "lpa_id"), text_of(doc, "planning_reference"), text_of(doc, "development_name"))

    def to_json(self) -> dict[str, Any]:
        return {
            "lpa_id": self.lpa_id,
            "planning_reference": self.planning_reference,
            "development_name": self.development_name,
        }

    def rows(self, view: OrderView) -> list[Row]:
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
    def from_json(cls, doc: Mapping[str, Any]) -> MetricAnswers:
        credits = doc.get("credits")
        try:
            read = MetricCredits.from_dict(credits) if isinstance(credits, dict) and credits else None
        except (KeyError, TypeError, ValueError):  # not what the register ever kept: none read
            read = None
        return cls(id_of(doc, "file_id"), text_of(doc, "name"), text_of(doc, "sha256"), read)

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"file_id": self.file_id, "name": self.name, "sha256": self.sha256}
        if self.credits is not None:
            doc["credits"] = self.credits.to_dict()
        return doc

    def rows(self, view: OrderView) -> list[Row]:
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
    def from_json(cls, doc: Mapping[str, Any]) -> QuantitiesAnswers:
        raw = doc.get("by_tier")
        by_tier = []
        for tier, n in raw.items() if isinstance(raw, Mapping) else ():
            try:
                by_tier.append((str(tier), int(n)))
            except (TypeError, ValueError, OverflowError):
                continue
        return cls(tuple(by_tier), text_of(doc, "for_metric"))

    def to_json(self) -> dict[str, Any]:
        return {"by_tier": dict(self.by_tier), "for_metric": self.for_metric}

    def rows(self, view: OrderView) -> list[Row]:
        quantities = {line.tier: line.quantity_hundredths for line in view.lines} or dict(self.by_tier)
        shown = [f"{TIER_LABELS[t]}: {show_quantity(quantities[t])}" for t in TIERS if quantities.get(t, 0) > 0]
        return [Row("Credits to buy", "\n".join(shown) if shown else "None")]


@dataclass(frozen=True)
class GainHierarchyAnswers(OrderAnswers):
    KEY: ClassVar[str] = "gain-hierarchy"

    onsite_reason: str = ""
    offsite_reason: str = ""

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> GainHierarchyAnswers:
        return cls(text_of(doc, "onsite_reason"), text_of(doc, "offsite_reason"))

    def to_json(self) -> dict[str, Any]:
        return {"onsite_reason": self.onsite_reason, "offsite_reason": self.offsite_reason}

    def rows(self, view: OrderView) -> list[Row]:
        order = view.order
        return [
            Row("Why on-site gains cannot deliver the units", order.onsite_reason or self.onsite_reason),
            Row("Why registered off-site gains cannot deliver them", order.offsite_reason or self.offsite_reason),
        ]


@dataclass(frozen=True)
class PurchaseOrderAnswers(OrderAnswers):
    KEY: ClassVar[str] = "purchase-order"

    purchase_order: str = ""

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> PurchaseOrderAnswers:
        return cls(text_of(doc, "purchase_order"))

    def to_json(self) -> dict[str, Any]:
        return {"purchase_order": self.purchase_order}

    def rows(self, view: OrderView) -> list[Row]:
        return [Row("Purchase order number", view.order.purchase_order or self.purchase_order or "None")]


@dataclass(frozen=True)
class DueDiligenceAnswers(OrderAnswers):
    """Who is buying: an individual (name, date of birth, nationality) or an organisation (its name and
    registration number), for the customer due diligence checks."""

    KEY: ClassVar[str] = "due-diligence"

    customer_type: str = ""
    full_name: str = ""
    date_of_birth: date | None = None
    nationality: str = ""
    organisation_name: str = ""
    organisation_number: str = ""

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> DueDiligenceAnswers:
        return cls(
            customer_type=text_of(doc, "customer_type"),
            full_name=text_of(doc, "full_name"),
            date_of_birth=_date(doc.get("date_of_birth")),
            nationality=text_of(doc, "nationality"),
            organisation_name=text_of(doc, "organisation_name"),
            organisation_number=text_of(doc, "organisation_number"),
        )

    def to_json(self) -> dict[str, Any]:
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
    KEY: ClassVar[str] = "terms"

    accepted: tuple[str, ...] = ()
    """What was confirmed: the terms of sale, and buying for the developer's own development."""
    at: datetime | None = None

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> TermsAnswers:
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
        return {"accepted": list(self.accepted), "at": self.at.isoformat() if self.at is not None else None}

    def rows(self, view: OrderView) -> list[Row]:
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
