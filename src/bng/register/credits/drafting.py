"""A developer's draft order: started, then saved section by section.

Each save is one transaction: a section whose answers fail is not saved, and a metric it stored is removed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from bng.register.core import audit, submissions
from bng.register.core.audit import Actor
from bng.register.core.errors import Conflict, NotFound, Problem
from bng.register.core.filetypes import DocumentKind, check_upload
from bng.register.core.model import StoredFile
from bng.register.core.places import Places
from bng.register.core.ports import Clock, FileStore
from bng.register.core.roles import Permission
from bng.register.core.service import require
from bng.register.core.uploads import Upload, store_bytes

from .answers import SECTION_TYPES, OrderForm
from .base import CreditService, OrderView
from .metric import MetricCredits
from .order_sections import (
    SECTION_BY_KEY,
    _council,
    _loggable,
    _plain,
    credit_order_reference,
)
from .ports import CreditUnitOfWork, CreditUnitOfWorkFactory
from .records import ENDED, CreditOrder, CreditOrderEvent, OrderStatus


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
        """The metric's Start sheet must not name another development than the order's.

        Neither its planning reference, nor an LPA of the register's list other than the order's (a name the list
        does not know is not judged).
        """
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
    """Starting a developer's draft order for statutory biodiversity credits."""

    def __call__(self, actor: Actor | None, *, once: submissions.Once | None = None) -> CreditOrder:
        """A new draft order, its reference drawn at random; a repeated post (``once``) starts one only."""
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
    """Saving one section of the developer's draft: its form read by the section's answer class (``answers``)."""

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
            answer = SECTION_TYPES[key].parse(self._form(uow, order, actor, now, data, uploads or {})).to_json()
            answers[key] = answer
            if key == "metric" and (order.answers.get("metric") or {}).get("sha256") != answer["sha256"]:
                answers.pop("quantities", None)  # typed for another metric
            order.answers = answers
            order.updated_at = now
            audit.record(uow, now, actor, "credit_order.section_saved", "credit_order", order.reference,
                         audit.value(before), audit.value({key: _loggable(key, answer)}))  # fmt: skip
            uow.commit()
            return self._view(uow, order)

    def _form(
        self,
        uow: CreditUnitOfWork,
        order: CreditOrder,
        actor: Actor,
        now: datetime,
        data: Mapping[str, Any],
        uploads: Mapping[str, Upload],
    ) -> OrderForm:
        """The section's form, with the register's part in reading it: the LPA list, checking and keeping a metric."""
        held = order.answers

        def metric_problems(credits: MetricCredits, sha256: str) -> list[Problem]:
            return self._metric_elsewhere(uow, order, actor, sha256) + self._start_sheet(
                uow, held.get("development"), credits
            )

        def keep_metric(upload: Upload, sha256: str) -> StoredFile:
            checked = check_upload(DocumentKind.METRIC, upload.filename, upload.data, "metric_file")
            key = store_bytes(uow, self._store, upload.data)
            stored = StoredFile(
                key=key, kind=DocumentKind.METRIC, name=checked.name, media_type=checked.media_type,
                size=len(upload.data), sha256=sha256, uploaded_at=now, uploaded_by=actor.user_id,
            )  # fmt: skip
            uow.add(stored)
            uow.flush()
            audit.record(uow, now, actor, "file.uploaded", "file", stored.id, None, audit.snapshot(stored))
            return stored

        return OrderForm(data, now, uploads, held, uow.lpas.get, metric_problems, keep_metric)
