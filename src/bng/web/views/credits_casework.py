"""The register team's side of statutory biodiversity credit orders: the queues, an order's case page
and the steps that move it on (due diligence, invoice, payment, allocation, LPA, cancel, refund)."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm

from bng.register.credit_amounts import parse_pounds
from bng.register.credit_records import OrderStatus
from bng.register.errors import Conflict, Invalid, RegisterError
from bng.register.roles import Permission

from .. import credit_forms as cf
from ..credit_summaries import SEARCH_HEAD, all_sections, gains_table, quote_table, search_rows
from ..security import actor, requires, services
from .common import show_problems
from .credits import TAG_CLASSES

bp = Blueprint("credit_cases", __name__, url_prefix="/credits/case-work")


def _forms() -> dict[str, FlaskForm]:
    return {
        "due_diligence": cf.DueDiligenceDecisionForm(prefix="dd"),
        "invoice": cf.ActionForm(prefix="invoice"),
        "payment": cf.PaymentForm(prefix="payment"),
        "allocate": cf.ActionForm(prefix="allocate"),
        "send": cf.ActionForm(prefix="send"),
        "cancel": cf.ReasonForm(prefix="cancel"),
        "refund": cf.ReasonForm(prefix="refund"),
    }


@bp.get("")
@requires(Permission.PROCESS_CREDIT_ORDERS)
def queue() -> ResponseReturnValue:
    return render_template("credits/queue.html", queues=services().credits.fulfilment.queues(actor()), tags=TAG_CLASSES)


def _case(
    reference: str, active: str = "", err: RegisterError | None = None, built: dict[str, FlaskForm] | None = None
) -> ResponseReturnValue:
    view = services().credits.fulfilment.case(actor(), reference)
    forms = built or _forms()
    other = show_problems(forms[active], err) if err is not None and active else []
    q = view.invoice
    return (
        render_template(
            "credits/case.html",
            view=view,
            sections=all_sections(view, False),
            forms=forms,
            active=active,
            other=other,
            gains=gains_table(view.metric) if view.metric else None,
            evidence=view.order.register_search,
            search_rows=search_rows(view.order.register_search or {}),
            search_head=SEARCH_HEAD,
            estimate=None if q else services().credits.orders.estimate(view),
            quote_table=quote_table,
            tags=TAG_CLASSES,
        ),
        400 if err is not None else 200,
    )


@bp.get("/<reference>")
@requires(Permission.PROCESS_CREDIT_ORDERS)
def case(reference: str) -> ResponseReturnValue:
    return _case(reference)


STEP_TO: dict[str, OrderStatus] = {
    "due_diligence": OrderStatus.DUE_DILIGENCE_PASSED,
    "invoice": OrderStatus.INVOICE_ISSUED,
    "payment": OrderStatus.PAID,
    "allocate": OrderStatus.ALLOCATED,
    "send": OrderStatus.SENT_TO_LPA,
    "cancel": OrderStatus.CANCELLED,
    "refund": OrderStatus.REFUNDED,
}
"""Where each step moves an order: a step the order's state does not allow is refused before its form is read."""


def _act(reference: str, name: str, action: Callable[[FlaskForm], str]) -> ResponseReturnValue:
    view = services().credits.fulfilment.case(actor(), reference)
    if not view.can_become(STEP_TO[name]):
        raise Conflict(f"The order is {view.status_label.lower()}, so this step cannot be taken now")
    built = _forms()
    form = built[name]
    if not form.validate_on_submit():
        return _case(reference, name, Invalid("There is a problem", []), built)
    try:
        message = action(form)
    except Invalid as err:
        return _case(reference, name, err, built)
    flash(message)
    return redirect(url_for("credit_cases.case", reference=reference))


@bp.post("/<reference>/due-diligence")
@requires(Permission.PROCESS_CREDIT_ORDERS)
def due_diligence(reference: str) -> ResponseReturnValue:
    def act(form: FlaskForm) -> str:
        outcome = form.outcome.data or ""  # type: ignore[attr-defined]
        services().credits.fulfilment.decide_due_diligence(actor(), reference, outcome, form.note.data or "")  # type: ignore[attr-defined]
        return f"Customer due diligence checks recorded as {outcome}"

    return _act(reference, "due_diligence", act)


@bp.post("/<reference>/invoice")
@requires(Permission.PROCESS_CREDIT_ORDERS)
def invoice(reference: str) -> ResponseReturnValue:
    def act(form: FlaskForm) -> str:
        issued = services().credits.fulfilment.issue_invoice(actor(), reference)
        return f"Invoice {issued.number} issued"

    return _act(reference, "invoice", act)


@bp.post("/<reference>/payment")
@requires(Permission.PROCESS_CREDIT_ORDERS)
def payment(reference: str) -> ResponseReturnValue:
    def act(form: FlaskForm) -> str:
        amount = parse_pounds(form.amount.data, "amount", "the amount received")  # type: ignore[attr-defined]
        services().credits.fulfilment.record_payment(actor(), reference, form.received_on.data, amount)  # type: ignore[attr-defined]
        return "Payment recorded"

    return _act(reference, "payment", act)


@bp.post("/<reference>/allocate")
@requires(Permission.PROCESS_CREDIT_ORDERS)
def allocate(reference: str) -> ResponseReturnValue:
    def act(form: FlaskForm) -> str:
        services().credits.fulfilment.allocate(actor(), reference)
        return "Credits allocated and the proof of purchase issued"

    return _act(reference, "allocate", act)


@bp.post("/<reference>/send")
@requires(Permission.PROCESS_CREDIT_ORDERS)
def send(reference: str) -> ResponseReturnValue:
    def act(form: FlaskForm) -> str:
        order = services().credits.fulfilment.send_to_lpa(actor(), reference)
        return f"Proof of purchase sent to the LPA ({order.reference})"

    return _act(reference, "send", act)


@bp.post("/<reference>/cancel")
@requires(Permission.PROCESS_CREDIT_ORDERS)
def cancel(reference: str) -> ResponseReturnValue:
    def act(form: FlaskForm) -> str:
        services().credits.fulfilment.cancel(actor(), reference, form.reason.data or "")  # type: ignore[attr-defined]
        return "Order cancelled"

    return _act(reference, "cancel", act)


@bp.post("/<reference>/refund")
@requires(Permission.PROCESS_CREDIT_ORDERS)
def refund(reference: str) -> ResponseReturnValue:
    def act(form: FlaskForm) -> str:
        services().credits.fulfilment.refund(actor(), reference, form.reason.data or "")  # type: ignore[attr-defined]
        return "Order refunded"

    return _act(reference, "refund", act)
