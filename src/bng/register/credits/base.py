"""What the credit services share: the order someone may see, its view, and its one way to change state.

A change of state is checked against the order's transitions, recorded in its history and in the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from bng.register.core import audit
from bng.register.core.audit import Actor
from bng.register.core.errors import Conflict, NotFound
from bng.register.core.model import Lpa, StoredFile
from bng.register.core.ports import Clock
from bng.register.core.references import normalise
from bng.register.core.roles import Permission, can
from bng.register.core.service import Service

from .metric import MetricCredits
from .ports import CreditUnitOfWork, CreditUnitOfWorkFactory
from .records import (
    STATUS_LABELS,
    TRANSITIONS,
    CreditCustomer,
    CreditInvoice,
    CreditInvoiceLine,
    CreditOrder,
    CreditOrderEvent,
    CreditOrderLine,
    CreditProof,
    OrderStatus,
)

VERBS: dict[OrderStatus, str] = {
    OrderStatus.SUBMITTED: "submitted",
    OrderStatus.DUE_DILIGENCE_PASSED: "passed due diligence",
    OrderStatus.DUE_DILIGENCE_FAILED: "failed due diligence",
    OrderStatus.INVOICE_ISSUED: "invoiced",
    OrderStatus.PAID: "marked as paid",
    OrderStatus.ALLOCATED: "allocated its credits",
    OrderStatus.SENT_TO_LPA: "sent to the LPA",
    OrderStatus.WITHDRAWN: "withdrawn",
    OrderStatus.CANCELLED: "cancelled",
    OrderStatus.REFUNDED: "refunded",
}
AUDITED = (
    "status",
    "submitted_at",
    "due_diligence_on",
    "due_diligence_note",
    "paid_on",
    "payment_method",
    "allocated_at",
    "sent_to_lpa_on",
    "ended_on",
    "end_reason",
)


@dataclass
class OrderView:
    """An order with everything a page about it shows."""

    order: CreditOrder
    lines: list[CreditOrderLine] = field(default_factory=list)
    customer: CreditCustomer | None = None
    invoice: CreditInvoice | None = None
    invoice_lines: list[CreditInvoiceLine] = field(default_factory=list)
    proof: CreditProof | None = None
    events: list[CreditOrderEvent] = field(default_factory=list)
    lpa: Lpa | None = None
    metric_file: StoredFile | None = None
    owner_email: str = ""
    today: date | None = None

    @property
    def status(self) -> OrderStatus:
        """The order's state, as the credit sale's transitions know it."""
        return OrderStatus(self.order.status)

    @property
    def status_label(self) -> str:
        """The state in the words the developer and the register team read."""
        return STATUS_LABELS[self.status]

    @property
    def metric(self) -> MetricCredits | None:
        """The statutory biodiversity credits the order's metric asks for (None before a metric is uploaded)."""
        doc = (self.order.answers.get("metric") or {}).get("credits")
        return MetricCredits.from_dict(doc) if doc else None

    @property
    def invoice_expired(self) -> bool:
        """The pro forma invoice's 90-day offer has lapsed unpaid: it can no longer be paid."""
        return (
            self.status == OrderStatus.INVOICE_ISSUED
            and self.invoice is not None
            and self.today is not None
            and self.today > self.invoice.valid_until
        )

    def can_become(self, status: OrderStatus) -> bool:
        """Whether the order may move to this state (the database refuses any other move too)."""
        return status in TRANSITIONS[self.status]


class CreditService(Service):
    """What every credit service shares: its unit of work with the credit records, and the orders an actor may see."""

    def __init__(self, uow: CreditUnitOfWorkFactory, clock: Clock) -> None:
        super().__init__(uow, clock)
        self._credit_uow = uow

    def _order(self, uow: CreditUnitOfWork, actor: Actor, reference: str, *, for_update: bool = False) -> CreditOrder:
        """The order, if the actor may see it: its developer, the register team, or an officer of the LPA it went to.

        NotFound otherwise, so that others cannot learn it exists.
        """
        order = uow.credits.order(normalise(reference), for_update=for_update)
        if order is None:
            raise NotFound("No such statutory biodiversity credit order")
        if order.owner_id == actor.user_id and can(actor.role, Permission.BUY_CREDITS):
            return order
        if can(actor.role, Permission.PROCESS_CREDIT_ORDERS) and order.status != OrderStatus.DRAFT:
            return order
        if (
            can(actor.role, Permission.VIEW_LPA_CREDITS)
            and order.sent_to_lpa_on is not None
            and actor.lpa_id is not None
            and order.lpa_id == actor.lpa_id
        ):
            return order
        raise NotFound("No such statutory biodiversity credit order")

    def _view(self, uow: CreditUnitOfWork, order: CreditOrder) -> OrderView:
        assert order.id is not None
        view = OrderView(order, today=self.today())
        view.lines = list(uow.credits.lines(order.id))
        view.customer = uow.credits.customer(order.id)
        view.invoice = uow.credits.invoice(order.id)
        if view.invoice is not None and view.invoice.id is not None:
            view.invoice_lines = list(uow.credits.invoice_lines(view.invoice.id))
        view.proof = uow.credits.proof(order.id)
        view.events = list(uow.credits.events(order.id))
        lpa_id = order.lpa_id or (order.answers.get("development") or {}).get("lpa_id")
        view.lpa = uow.lpas.get(int(lpa_id)) if lpa_id else None
        file_id = order.metric_file_id or (order.answers.get("metric") or {}).get("file_id")
        view.metric_file = uow.files.get(int(file_id)) if file_id else None
        owner = uow.users.get(order.owner_id)
        view.owner_email = owner.email if owner else ""
        return view

    def _move(
        self,
        uow: CreditUnitOfWork,
        order: CreditOrder,
        to: OrderStatus,
        actor: Actor,
        message: str,
        changes: dict[str, Any] | None = None,
    ) -> None:
        """Move an order to a new state (refused if the rules do not allow it), with its history and audit."""
        now = self.now()
        current = OrderStatus(order.status)
        if to not in TRANSITIONS[current]:
            raise Conflict(f"The order is {STATUS_LABELS[current].lower()}, so it cannot be {VERBS[to]}")
        before = audit.snapshot(order, AUDITED)
        for name, value in (changes or {}).items():
            setattr(order, name, value)
        order.status = to
        order.updated_at = now
        assert order.id is not None
        uow.add(CreditOrderEvent(order.id, now, to.value, message, actor.user_id))
        audit.record(
            uow, now, actor, f"credit_order.{to.value}", "credit_order", order.reference, before,
            audit.snapshot(order, AUDITED),
        )  # fmt: skip
        uow.flush()


def when_text(value: datetime | date) -> str:
    """22 November 2026 (for messages)."""
    day = value.date() if isinstance(value, datetime) else value
    return f"{day.day} {day:%B %Y}"
