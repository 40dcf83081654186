"""A developer's draft order: started, then saved section by section (each save one transaction; a
section whose answers fail is not saved, and a metric it stored is removed)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from bng.register.core import audit, submissions
from bng.register.core.audit import Actor
from bng.register.core.errors import Conflict, Invalid, NotFound, Problem
from bng.register.core.filetypes import DocumentKind, check_upload
from bng.register.core.lpas import not_current
from bng.register.core.model import StoredFile
from bng.register.core.places import Places
from bng.register.core.ports import Clock, FileStore
from bng.register.core.roles import Permission
from bng.register.core.rules import add_years
from bng.register.core.service import require
from bng.register.core.uploads import Upload, store_bytes

from .base import CreditService, OrderView
from .metric import MetricCredits, metric_credits
from .order_sections import (
    MAX_TEXT,
    MINIMUM_AGE,
    SECTION_BY_KEY,
    _council,
    _loggable,
    _order_problems,
    _plain,
    _quantities,
    _text,
    _texts,
    credit_order_reference,
)
from .ports import CreditUnitOfWork, CreditUnitOfWorkFactory
from .records import ENDED, CreditOrder, CreditOrderEvent, CustomerType, OrderStatus


class OrderDraft(CreditService):
    """What the draft's use cases share: the developer's own draft, and the checks of its metric."""

    def __init__(
        self, uow: CreditUnitOfWorkFactory, clock: Clock, store: FileStore, places: Callable[[], Places]
    ) -> None:
        super().__init__(uow, clock)
        self._store = store
        self._places = places

    def _draft(self, uow: CreditUnitOfWork, actor: Actor, reference: str) -> CreditOrder:
        order = self._order(uow, actor, reference, for_update=True)
        if order.owner_id != actor.user_id:
            raise NotFound("No such statutory biodiversity credit order")
        if order.status != OrderStatus.DRAFT:
            raise Conflict(f"Order {order.reference} has been submitted; its answers cannot be changed")
        return order

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


class StartOrder(OrderDraft):
    def __call__(self, actor: Actor | None, *, once: submissions.Once | None = None) -> CreditOrder:
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


class SaveSection(OrderDraft):
    def __call__(
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
