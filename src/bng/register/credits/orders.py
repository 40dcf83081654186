"""A developer's order for statutory biodiversity credits, from the first draft to submission.

Only a developer buying for their own development may order (GOV.UK: "You cannot use an agent or
representative to act on your behalf to buy statutory biodiversity credits"). The draft is saved
section by section; each save is one transaction and a section whose answers fail is not saved
(a metric it stored is removed). The quantities come from the metric's unit shortfall summary and
may only be raised. The gain hierarchy is part of the order: the applicant says why on-site and
registered off-site gains cannot deliver the remaining units, and submission stores what the
register's own search for off-site units near the development found.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bng.register.core import audit, submissions
from bng.register.core.audit import Actor
from bng.register.core.errors import Conflict, Invalid, NotFound, Problem
from bng.register.core.filetypes import DocumentKind, check_upload
from bng.register.core.lpas import not_current
from bng.register.core.model import StoredFile
from bng.register.core.places import Places
from bng.register.core.ports import Clock, FileStore
from bng.register.core.references import CROCKFORD
from bng.register.core.roles import Permission, can
from bng.register.core.rules import add_years
from bng.register.core.service import require, require_verified
from bng.register.core.uploads import Upload, store_bytes

from .amounts import TIER_LABELS, TIERS, parse_quantity, show_quantity
from .base import CreditService, OrderView
from .hierarchy import search_register
from .metric import MetricCredits, metric_credits
from .ports import CreditUnitOfWork, CreditUnitOfWorkFactory
from .pricing import Quote, quote
from .records import (
    BEFORE_PAYMENT,
    ENDED,
    CreditCustomer,
    CreditOrder,
    CreditOrderEvent,
    CreditOrderLine,
    CustomerType,
    OrderStatus,
)

MAX_TEXT = 5_000
MINIMUM_AGE = 18


@dataclass(frozen=True, slots=True)
class Section:
    key: str
    title: str
    hint: str


SECTIONS: tuple[Section, ...] = (
    Section("development", "Development details", "The LPA, planning reference and name of the development"),
    Section("metric", "Statutory biodiversity metric", "The development's metric, with its unit shortfall summary"),
    Section("quantities", "Credits to buy", "Per tier, from the metric; you may buy more, not fewer"),
    Section("gain-hierarchy", "Gain hierarchy", "Why on-site and registered off-site gains cannot deliver the units"),
    Section("purchase-order", "Purchase order number", "If your organisation needs one on the invoice"),
    Section("due-diligence", "Customer due diligence", "Who is buying the credits, for the required checks"),
    Section("terms", "Terms and conditions", "Accept the terms of sale"),
)
SECTION_BY_KEY = {s.key: s for s in SECTIONS}


def credit_order_reference() -> str:
    """BNGCRD- and two groups of five characters of Crockford's base 32, drawn at random."""
    chars = "".join(secrets.choice(CROCKFORD) for _ in range(10))
    return f"BNGCRD-{chars[:5]}-{chars[5:]}"


def section_done(answers: Mapping[str, Any], key: str) -> bool:
    if key not in answers:
        return False
    if key == "quantities":  # quantities belong to the metric they were typed for
        metric = answers.get("metric") or {}
        return bool(metric) and answers["quantities"].get("for_metric") == metric.get("sha256")
    return True


def all_done(answers: Mapping[str, Any]) -> bool:
    return all(section_done(answers, s.key) for s in SECTIONS)


def _text(data: Mapping[str, Any], name: str, what: str, limit: int, required: bool = True) -> str:
    """A typed answer: one line (spaces tidied) up to 200 characters, else as typed with its line breaks.
    Longer than ``limit`` is refused, never cut short."""
    raw = str(data.get(name) or "").replace("\r\n", "\n")
    value = " ".join(raw.split()) if limit <= 200 else raw.strip()
    if required and not value:
        raise Invalid.one(name, f"Enter {what}")
    if len(value) > limit:
        raise Invalid.one(
            name, f"{what[0].upper()}{what[1:]} must be {limit:,} characters or fewer (it has {len(value):,})"
        )
    return value


def _texts(data: Mapping[str, Any], *fields: tuple[str, str, int]) -> dict[str, str]:
    """Several typed answers, every problem at once."""
    out: dict[str, str] = {}
    problems: list[Problem] = []
    for name, what, limit in fields:
        try:
            out[name] = _text(data, name, what, limit)
        except Invalid as err:
            problems += err.problems
    if problems:
        raise Invalid("There is a problem", problems)
    return out


class CreditOrders(CreditService):
    def __init__(
        self, uow: CreditUnitOfWorkFactory, clock: Clock, store: FileStore, places: Callable[[], Places]
    ) -> None:
        super().__init__(uow, clock)
        self._store = store
        self._places = places

    # -- reading -------------------------------------------------------------------------------------

    def mine(self, actor: Actor | None) -> list[CreditOrder]:
        actor = require(actor, Permission.BUY_CREDITS)
        with self._credit_uow() as uow:
            return list(uow.credits.orders_of(actor.user_id))

    def view(self, actor: Actor | None, reference: str) -> OrderView:
        """An order as its developer, the register team or the LPA it was sent to sees it."""
        if actor is None:
            raise NotFound("No such statutory biodiversity credit order")
        with self._credit_uow() as uow:
            return self._view(uow, self._order(uow, actor, reference))

    def own(self, actor: Actor | None, reference: str) -> OrderView:
        """An order of the signed-in developer (NotFound for anyone else's)."""
        actor = require(actor, Permission.BUY_CREDITS)
        with self._credit_uow() as uow:
            order = self._order(uow, actor, reference)
            if order.owner_id != actor.user_id:
                raise NotFound("No such statutory biodiversity credit order")
            return self._view(uow, order)

    def estimate(self, view: OrderView) -> Quote | None:
        """What the order's quantities cost at today's prices (the invoice fixes the prices later)."""
        quantities = self.quantities(view)
        if not quantities:
            return None
        with self._credit_uow() as uow:
            prices, rates = list(uow.credits.prices()), list(uow.credits.vat_rates())
        try:
            return quote(quantities, prices, rates, self.today())
        except Invalid:
            return None

    @staticmethod
    def quantities(view: OrderView) -> dict[str, int]:
        if view.lines:
            return {line.tier: line.quantity_hundredths for line in view.lines}
        q = view.order.answers.get("quantities") or {}
        return {t: int(q["by_tier"][t]) for t in TIERS if int((q.get("by_tier") or {}).get(t, 0)) > 0}

    def register_search(self, view: OrderView) -> dict[str, Any] | None:
        """The register's search near the development, as it stands now (submission stores it)."""
        if view.order.register_search is not None:
            return view.order.register_search
        metric = view.metric
        if metric is None or view.lpa is None:
            return None
        with self._credit_uow() as uow:
            return search_register(uow, self._places, view.lpa.name, metric.losses, self.now())

    # -- the draft -----------------------------------------------------------------------------------

    def start(self, actor: Actor | None, *, once: submissions.Once | None = None) -> CreditOrder:
        actor = require(actor, Permission.BUY_CREDITS)
        now = self.now()
        with self._credit_uow(write=True) as uow:
            submissions.claim(uow, actor, once, self.now())
            order = CreditOrder(credit_order_reference(), actor.user_id, now, now)
            uow.add(order)
            uow.flush()
            assert order.id is not None
            uow.add(CreditOrderEvent(order.id, now, "started", "Order started", actor.user_id))
            audit.record(uow, now, actor, "credit_order.started", "credit_order", order.reference, None,
                         audit.snapshot(order, ("reference", "status", "owner_id")))  # fmt: skip
            submissions.settle(uow, once, order.reference)
            uow.commit()
            return order

    def _draft(self, uow: CreditUnitOfWork, actor: Actor, reference: str) -> CreditOrder:
        order = self._order(uow, actor, reference, for_update=True)
        if order.owner_id != actor.user_id:
            raise NotFound("No such statutory biodiversity credit order")
        if order.status != OrderStatus.DRAFT:
            raise Conflict(f"Order {order.reference} has been submitted; its answers cannot be changed")
        return order

    def save_section(
        self,
        actor: Actor | None,
        reference: str,
        key: str,
        data: Mapping[str, Any],
        uploads: Mapping[str, Upload] | None = None,
    ) -> OrderView:
        """Check and save one section's answers; Invalid (naming the fields) leaves the order as it was."""
        actor = require(actor, Permission.BUY_CREDITS)
        if key not in SECTION_BY_KEY:
            raise NotFound("No such section")
        now = self.now()
        with self._credit_uow(write=True) as uow:
            order = self._draft(uow, actor, reference)
            answers = dict(order.answers)
            before = {key: _loggable(key, answers[key]) if answers.get(key) else None}
            answer = self._answer(uow, order, actor, key, answers, data, uploads or {})
            answers[key] = answer
            if key == "metric" and (order.answers.get("metric") or {}).get("sha256") != answer["sha256"]:
                answers.pop("quantities", None)  # typed for another metric
            order.answers = answers
            order.updated_at = now
            audit.record(uow, now, actor, "credit_order.section_saved", "credit_order", order.reference,
                         audit.value(before), audit.value({key: _loggable(key, answer)}))  # fmt: skip
            uow.commit()
            return self._view(uow, order)

    def _answer(
        self,
        uow: CreditUnitOfWork,
        order: CreditOrder,
        actor: Actor,
        key: str,
        answers: dict[str, Any],
        data: Mapping[str, Any],
        uploads: Mapping[str, Upload],
    ) -> dict[str, Any]:
        if key == "development":
            return self._development(uow, data)
        if key == "metric":
            return self._metric(uow, order, actor, answers, uploads)
        if key == "quantities":
            return _quantities(answers, data)
        if key == "gain-hierarchy":
            return _texts(
                data,
                ("onsite_reason", "why on-site gains cannot deliver the units", MAX_TEXT),
                ("offsite_reason", "why registered off-site gains cannot deliver the units", MAX_TEXT),
            )
        if key == "purchase-order":
            value = _text(data, "purchase_order", "the purchase order number", 60, required=False)
            if value and not re.match(r"^[A-Za-z0-9][A-Za-z0-9 ./_-]*$", value):
                raise Invalid.one(
                    "purchase_order", "The purchase order number may have letters, numbers, spaces and . / _ - only"
                )
            return {"purchase_order": value}
        if key == "due-diligence":
            return self._customer(data)
        accepted = {str(v) for v in (data.get("confirm") or [])}
        missing = [c for c in ("terms", "own_development") if c not in accepted]
        if missing:
            raise Invalid.one(
                "confirm",
                "Confirm that you accept the terms and conditions of sale and that you are buying the credits for "
                "your own development, not as an agent or representative",
            )
        return {"accepted": ["terms", "own_development"], "at": self.now().isoformat()}

    def _development(self, uow: CreditUnitOfWork, data: Mapping[str, Any]) -> dict[str, Any]:
        raw = str(data.get("lpa_id") or "").strip()
        lpa = uow.lpas.get(int(raw)) if raw.isdigit() else None
        problems: list[Problem] = []
        if lpa is None or lpa.id is None:
            problems.append(Problem("lpa_id", "Select the development's local planning authority (LPA) from the list"))
        elif why := not_current(lpa, self.today()):
            problems.append(Problem("lpa_id", why))
        out: dict[str, Any] = {"lpa_id": lpa.id if lpa is not None else None}
        for name, what, limit in (
            ("planning_reference", "the planning application reference", 100),
            ("development_name", "the name of the development", 200),
        ):
            try:
                out[name] = _text(data, name, what, limit)
            except Invalid as err:
                problems += err.problems
        if problems:
            raise Invalid("There is a problem", problems)
        return out

    def _metric(
        self,
        uow: CreditUnitOfWork,
        order: CreditOrder,
        actor: Actor,
        answers: dict[str, Any],
        uploads: Mapping[str, Upload],
    ) -> dict[str, Any]:
        upload = uploads.get("metric_file")
        if upload is None:
            if answers.get("metric"):
                return dict(answers["metric"])  # kept as it was
            raise Invalid.one("metric_file", "Upload the development's statutory biodiversity metric")
        credits = metric_credits(upload.filename, upload.data, "metric_file")
        digest = hashlib.sha256(upload.data).hexdigest()
        usable_problems = _order_problems(credits)
        usable_problems += self._metric_elsewhere(uow, order, actor, digest)
        usable_problems += self._start_sheet(uow, answers.get("development"), credits)
        if usable_problems:
            raise Invalid("The metric cannot be used to order credits", usable_problems)
        checked = check_upload(DocumentKind.METRIC, upload.filename, upload.data, "metric_file")
        key = store_bytes(uow, self._store, upload.data)
        stored = StoredFile(
            key=key, kind=DocumentKind.METRIC, name=checked.name, media_type=checked.media_type, size=len(upload.data),
            sha256=digest, uploaded_at=self.now(), uploaded_by=actor.user_id,
        )  # fmt: skip
        uow.add(stored)
        uow.flush()
        audit.record(uow, self.now(), actor, "file.uploaded", "file", stored.id, None, audit.snapshot(stored))
        return {"file_id": stored.id, "name": stored.name, "sha256": digest, "credits": credits.to_dict()}

    @staticmethod
    def _metric_elsewhere(uow: CreditUnitOfWork, order: CreditOrder, actor: Actor, sha256: str) -> list[Problem]:
        """A metric buys credits once: refused when a submitted order still live was made with the same file."""
        for other in uow.credits.orders_with_metric(sha256):
            if other.id == order.id or OrderStatus(other.status) in ENDED:
                continue
            which = f" (your order {other.reference})" if other.owner_id == actor.user_id else ""
            return [
                Problem(
                    "metric_file",
                    f"This metric (the same file, by its SHA-256 fingerprint) has already been used to order "
                    f"statutory biodiversity credits{which}. A metric buys credits for one development once: upload "
                    "this development's own metric",
                )
            ]
        return []

    @staticmethod
    def _start_sheet(uow: CreditUnitOfWork, development: Any, credits: MetricCredits) -> list[Problem]:
        """The metric's Start sheet must not name another development: its planning reference, or an LPA of
        the register's list other than the order's (a name the list does not know is not judged)."""
        if not isinstance(development, Mapping):
            return []
        problems = []
        stated = credits.project.get("planning_reference", "")
        given = str(development.get("planning_reference") or "")
        if stated and given and _plain(stated) != _plain(given):
            problems.append(
                Problem(
                    "metric_file",
                    f"The metric's Start sheet gives planning reference {stated!r}, but this order is for planning "
                    f"application {given!r}: upload this development's metric, or correct the development details",
                )
            )
        lpa = uow.lpas.get(int(development["lpa_id"])) if development.get("lpa_id") else None
        said = _council(credits.project.get("lpa", ""))
        if lpa is not None and said and said != _council(lpa.name):
            named = next((x.name for x in uow.lpas.all() if _council(x.name) == said), None)
            if named is not None:
                problems.append(
                    Problem(
                        "metric_file",
                        f"The metric's Start sheet names the LPA {credits.project['lpa']!r} ({named}), but this order "
                        f"is for a development in {lpa.name}: upload this development's metric, or correct the "
                        "development details",
                    )
                )
        return problems

    def _customer(self, data: Mapping[str, Any]) -> dict[str, Any]:
        kind = str(data.get("customer_type") or "")
        if kind not in (CustomerType.INDIVIDUAL, CustomerType.ORGANISATION):
            raise Invalid.one("customer_type", "Select whether you are buying as an individual or an organisation")
        problems: list[Problem] = []

        def take(name: str, what: str, limit: int) -> str:
            try:
                return _text(data, name, what, limit)
            except Invalid as err:
                problems.extend(err.problems)
                return ""

        if kind == CustomerType.INDIVIDUAL:
            out: dict[str, Any] = {
                "customer_type": kind,
                "full_name": take("full_name", "your full name", 200),
                "nationality": take("nationality", "your nationality", 100),
            }
            born = data.get("date_of_birth")
            if not isinstance(born, date):
                problems.append(Problem("date_of_birth", "Enter your date of birth"))
            elif born > add_years(self.today(), -MINIMUM_AGE):
                problems.append(
                    Problem(
                        "date_of_birth", f"You must be {MINIMUM_AGE} or older to buy statutory biodiversity credits"
                    )
                )
            elif born.year < 1900:
                problems.append(Problem("date_of_birth", "Enter a real date of birth, like 27 3 1980"))
            else:
                out["date_of_birth"] = born.isoformat()
        else:
            out = {
                "customer_type": kind,
                "organisation_name": take("organisation_name", "the organisation's name", 200),
            }
            number = re.sub(r"\s+", "", str(data.get("organisation_number") or "")).upper()
            if not number:
                problems.append(Problem("organisation_number", "Enter the organisation's registration number"))
            elif not re.match(r"^[A-Z0-9][A-Z0-9/-]{1,19}$", number):
                problems.append(
                    Problem(
                        "organisation_number",
                        "Enter the organisation's registration number as its register gives it, like 01234567 or "
                        "SC123456 (letters, numbers, / and - only, up to 20 characters)",
                    )
                )
            out["organisation_number"] = number
        if problems:
            raise Invalid("There is a problem", problems)
        return out

    # -- submitting and withdrawing --------------------------------------------------------------------

    def submit(self, actor: Actor | None, reference: str, *, once: submissions.Once | None = None) -> CreditOrder:
        """Submit a complete draft: typed records, the register's search as evidence, then "submitted"."""
        actor = require(actor, Permission.BUY_CREDITS)
        now = self.now()
        with self._credit_uow(write=True) as uow:
            submissions.claim(uow, actor, once, self.now())
            order = self._draft(uow, actor, reference)
            require_verified(uow, actor)
            a = order.answers
            missing = [s for s in SECTIONS if not section_done(a, s.key)]
            if missing:
                raise Invalid(
                    "The order is not complete",
                    [Problem(s.key, f"Complete the section: {s.title}") for s in missing],
                )
            assert order.id is not None
            metric = MetricCredits.from_dict(a["metric"]["credits"])
            sha256 = a["metric"]["sha256"]
            elsewhere = self._metric_elsewhere(uow, order, actor, sha256)
            elsewhere += self._start_sheet(uow, a["development"], metric)
            if elsewhere:
                lead = elsewhere[0].message if len(elsewhere) == 1 else "The metric cannot be used to order credits"
                raise Invalid(lead, elsewhere)
            quantities = a["quantities"]["by_tier"]
            for tier in TIERS:
                n = int(quantities.get(tier, 0))
                if n <= 0:
                    continue
                figure = metric.by_tier.get(tier)
                needed = metric.needed.get(tier)
                assert figure is not None and needed is not None  # refused when the metric was uploaded
                uow.add(CreditOrderLine(order.id, tier, float(figure), needed, n))
            customer = a["due-diligence"]
            born = customer.get("date_of_birth")
            uow.add(
                CreditCustomer(
                    order.id,
                    customer["customer_type"],
                    full_name=customer.get("full_name", ""),
                    date_of_birth=date.fromisoformat(born) if born else None,
                    nationality=customer.get("nationality", ""),
                    organisation_name=customer.get("organisation_name", ""),
                    organisation_number=customer.get("organisation_number", ""),
                )
            )
            uow.flush()
            development = a["development"]
            lpa = uow.lpas.get(int(development["lpa_id"]))
            assert lpa is not None
            evidence = search_register(uow, self._places, lpa.name, metric.losses, now)
            self._move(
                uow, order, OrderStatus.SUBMITTED, actor,
                f"Order submitted with reference {order.reference}",
                {
                    "submitted_at": now,
                    "lpa_id": lpa.id,
                    "planning_reference": development["planning_reference"],
                    "development_name": development["development_name"],
                    "purchase_order": a["purchase-order"]["purchase_order"],
                    "metric_file_id": a["metric"]["file_id"],
                    "metric_release": metric.metric_release,
                    "metric_sha256": sha256,
                    "onsite_reason": a["gain-hierarchy"]["onsite_reason"],
                    "offsite_reason": a["gain-hierarchy"]["offsite_reason"],
                    "register_search": evidence,
                    "terms_accepted_at": datetime.fromisoformat(a["terms"]["at"]),
                },
            )  # fmt: skip
            uow.commit()
            return order

    def withdraw(
        self, actor: Actor | None, reference: str, reason: str = "", *, once: submissions.Once | None = None
    ) -> CreditOrder:
        """The developer withdraws an order, at any time before paying for the credits."""
        actor = require(actor, Permission.BUY_CREDITS)
        with self._credit_uow(write=True) as uow:
            submissions.claim(uow, actor, once, self.now())
            order = self._order(uow, actor, reference, for_update=True)
            if order.owner_id != actor.user_id:
                raise NotFound("No such statutory biodiversity credit order")
            if OrderStatus(order.status) not in BEFORE_PAYMENT:
                raise Conflict(
                    "The credits have been paid for, so the order cannot be withdrawn; if the development does not "
                    "go ahead, ask the register team for a refund"
                )
            text = _text({"reason": reason}, "reason", "the reason", MAX_TEXT, required=False)
            message = "Order withdrawn by the developer" + (f": {text}" if text else "")
            changes = {"ended_on": self.today(), "end_reason": text or "Withdrawn by the developer"}
            self._move(uow, order, OrderStatus.WITHDRAWN, actor, message, changes)
            uow.commit()
            return order

    def metric_file(self, actor: Actor | None, reference: str) -> tuple[StoredFile, bytes]:
        """The order's metric, for its developer and the register team."""
        if actor is None:
            raise NotFound("No such file")
        with self._credit_uow() as uow:
            order = self._order(uow, actor, reference)
            if order.owner_id != actor.user_id and order.status == OrderStatus.DRAFT:
                raise NotFound("No such file")
            view = self._view(uow, order)
            if view.metric_file is None or (
                order.owner_id != actor.user_id and not can(actor.role, Permission.PROCESS_CREDIT_ORDERS)
            ):
                raise NotFound("No such file")
            return view.metric_file, self._store.get(view.metric_file.key)


NO_SHORTFALL = (
    "The metric shows no unit shortfall in any tier: the development does not need statutory biodiversity credits"
)


def _order_problems(credits: MetricCredits) -> list[Problem]:
    """Why an order cannot be made from this metric (none when it can): the problems found, each listed
    (the page shows every one), after what matters most: a metric with no shortfall needs no credits."""
    out = []
    if credits.usable and not credits.any_needed:
        out.append(Problem("metric_file", NO_SHORTFALL))
    if credits.problems:
        n = len(credits.problems)
        shown = [Problem("metric_file", p) for p in credits.problems[:20]]
        more = n - len(shown)
        lead = (
            "The metric has 1 problem: correct it and upload the metric again"
            if n == 1
            else f"The metric has {n} problems: correct them and upload the metric again"
        )
        out += [Problem("metric_file", lead + (f" ({more} more are not listed)" if more > 0 else "")), *shown]
    elif not credits.usable:
        out.append(Problem("metric_file", credits.tier_error()))
    return out


def _plain(text: str) -> str:
    return "".join(text.lower().split())


COUNCIL_WORDS = frozenset({"lpa", "council", "district", "borough", "city", "county", "metropolitan", "the", "of"})


def _council(name: str) -> str:
    """An LPA's name without the words councils add to it ("South Cambridgeshire District Council" and
    "South Cambridgeshire LPA" are the same); "" for none."""
    words = re.sub(r"[^a-z0-9 ]", " ", name.lower().replace("&", " and ")).split()
    return " ".join(w for w in words if w not in COUNCIL_WORDS)


def _quantities(answers: Mapping[str, Any], data: Mapping[str, Any]) -> dict[str, Any]:
    metric_answer = answers.get("metric")
    if not metric_answer:
        raise Invalid.one("quantity_A1", "Upload the development's metric first: the credits come from it")
    metric = MetricCredits.from_dict(metric_answer["credits"])
    problems: list[Problem] = []
    by_tier: dict[str, int] = {}
    for tier in TIERS:
        name = f"quantity_{tier}"
        try:
            n = parse_quantity(str(data.get(name) or ""), tier, name)
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
        by_tier[tier] = n
    if problems:
        raise Invalid("There is a problem", problems)
    return {"by_tier": by_tier, "for_metric": metric_answer["sha256"]}


def _loggable(key: str, answer: dict[str, Any]) -> dict[str, Any]:
    """What the audit log keeps of a section: not the metric's whole credit table, nor a date of birth."""
    if key == "metric":
        return {k: v for k, v in answer.items() if k != "credits"} | {"needed": answer["credits"]["needed"]}
    if key == "due-diligence" and answer.get("date_of_birth"):
        return answer | {"date_of_birth": "[recorded]"}  # personal data stays in the order, not in the log
    return answer


__all__ = ["SECTIONS", "SECTION_BY_KEY", "CreditOrders", "all_done", "credit_order_reference", "section_done"]
