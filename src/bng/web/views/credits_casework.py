"""The register team's side of statutory biodiversity credit orders.

The queues, an order's case page and the steps that move it on (due diligence, invoice, payment, allocation,
LPA, cancel, refund).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm

from bng.register.core.errors import Conflict, Invalid, RegisterError
from bng.register.core.roles import Permission
from bng.register.core.submissions import AlreadyDone, Once
from bng.register.credits.amounts import parse_pounds
from bng.register.credits.records import OrderStatus

from .. import credit_forms as cf
from ..credit_summaries import SEARCH_HEAD, all_sections, gains_table, quote_table, search_rows
from ..once import once, repeat_of
from ..security import actor, requires, services
from .common import show_problems
from .credits import TAG_CLASSES

bp = Blueprint("credit_cases", __name__, url_prefix="/credits/case-work")


def _forms() -> dict[str, FlaskForm]:
    return {name: step.form(prefix=step.prefix) for name, step in STEPS.items()}


@bp.get("")
@requires(Permission.PROCESS_CREDIT_ORDERS)
def queue() -> ResponseReturnValue:
    """The register team's queues of credit orders, by the step each waits for."""
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
    """A credit order's case page, with the steps its state allows (a case worker)."""
    return _case(reference)


def _act(reference: str, name: str) -> ResponseReturnValue:
    view = services().credits.fulfilment.case(actor(), reference)
    built = _forms()
    form = built[name]
    action = f"credit_order.{name}"
    if repeat_of(form, action) is not None:  # type: ignore[arg-type]
        flash(STEPS[name].done)  # the same form again: the step was taken by its first post
        return redirect(url_for("credit_cases.case", reference=reference))
    if not view.can_become(STEPS[name].to):
        raise Conflict(f"The order is {view.status_label.lower()}, so this step cannot be taken now")
    if not form.validate_on_submit():
        return _case(reference, name, Invalid("There is a problem", []), built)
    try:
        message = STEPS[name].act(reference, form, once(form, action))  # type: ignore[arg-type]
    except AlreadyDone:
        message = STEPS[name].done
    except Invalid as err:
        return _case(reference, name, err, built)
    flash(message)
    return redirect(url_for("credit_cases.case", reference=reference))


def _due_diligence(reference: str, form: FlaskForm, token: Once) -> str:
    outcome = form.outcome.data or ""  # type: ignore[attr-defined]
    note = form.note.data or ""  # type: ignore[attr-defined]
    services().credits.fulfilment.decide_due_diligence(actor(), reference, outcome, note, once=token)
    return f"Customer due diligence checks recorded as {outcome}"


def _invoice(reference: str, form: FlaskForm, token: Once) -> str:
    issued = services().credits.fulfilment.issue_invoice(actor(), reference, once=token)
    return f"Invoice {issued.number} issued"


def _payment(reference: str, form: FlaskForm, token: Once) -> str:
    amount = parse_pounds(form.amount.data, "amount", "the amount received")  # type: ignore[attr-defined]
    received = form.received_on.data  # type: ignore[attr-defined]
    services().credits.fulfilment.record_payment(actor(), reference, received, amount, once=token)
    return "Payment recorded"


def _allocate(reference: str, form: FlaskForm, token: Once) -> str:
    services().credits.fulfilment.allocate(actor(), reference, once=token)
    return "Credits allocated and the proof of purchase issued"


def _send(reference: str, form: FlaskForm, token: Once) -> str:
    order = services().credits.fulfilment.send_to_lpa(actor(), reference, once=token)
    return f"Proof of purchase sent to the LPA ({order.reference})"


def _cancel(reference: str, form: FlaskForm, token: Once) -> str:
    services().credits.fulfilment.cancel(actor(), reference, form.reason.data or "", once=token)  # type: ignore[attr-defined]
    return "Order cancelled"


def _refund(reference: str, form: FlaskForm, token: Once) -> str:
    services().credits.fulfilment.refund(actor(), reference, form.reason.data or "", once=token)  # type: ignore[attr-defined]
    return "Order refunded"


@dataclass(frozen=True, slots=True)
class Step:
    """A step of the credit order case work.

    Its address, its form, the state it moves the order to (a step the order's state does not allow is refused
    before its form is read), what it does (the flash) and what a repeat of the same form is told.
    """

    path: str
    form: type[FlaskForm]
    prefix: str
    to: OrderStatus
    act: Callable[[str, FlaskForm, Once], str]
    done: str


STEPS: dict[str, Step] = {
    "due_diligence": Step(
        "due-diligence",
        cf.DueDiligenceDecisionForm,
        "dd",
        OrderStatus.DUE_DILIGENCE_PASSED,
        _due_diligence,
        "Customer due diligence checks recorded",
    ),
    "invoice": Step("invoice", cf.ActionForm, "invoice", OrderStatus.INVOICE_ISSUED, _invoice, "Invoice issued"),
    "payment": Step("payment", cf.PaymentForm, "payment", OrderStatus.PAID, _payment, "Payment recorded"),
    "allocate": Step(
        "allocate",
        cf.ActionForm,
        "allocate",
        OrderStatus.ALLOCATED,
        _allocate,
        "Credits allocated and the proof of purchase issued",
    ),
    "send": Step("send", cf.ActionForm, "send", OrderStatus.SENT_TO_LPA, _send, "Proof of purchase sent to the LPA"),
    "cancel": Step("cancel", cf.ReasonForm, "cancel", OrderStatus.CANCELLED, _cancel, "Order cancelled"),
    "refund": Step("refund", cf.ReasonForm, "refund", OrderStatus.REFUNDED, _refund, "Order refunded"),
}


def _step_view(name: str) -> Callable[[str], ResponseReturnValue]:
    """The POST view of one step, under the step's own endpoint name (``credit_cases.invoice``, …)."""

    def view(reference: str) -> ResponseReturnValue:
        return _act(reference, name)

    view.__name__ = name
    return requires(Permission.PROCESS_CREDIT_ORDERS)(view)


for _name, _step in STEPS.items():
    bp.add_url_rule(f"/<reference>/{_step.path}", _name, _step_view(_name), methods=["POST"])
