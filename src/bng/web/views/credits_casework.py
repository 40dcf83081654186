"""The register team's side of statutory biodiversity credit orders: the queues, an order's case page
and the steps that move it on (due diligence, invoice, payment, allocation, LPA, cancel, refund)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

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
    return {name: step.form(prefix=step.prefix) for name, step in STEPS.items()}


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


def _act(reference: str, name: str) -> ResponseReturnValue:
    view = services().credits.fulfilment.case(actor(), reference)
    if not view.can_become(STEPS[name].to):
        raise Conflict(f"The order is {view.status_label.lower()}, so this step cannot be taken now")
    built = _forms()
    form = built[name]
    if not form.validate_on_submit():
        return _case(reference, name, Invalid("There is a problem", []), built)
    try:
        message = STEPS[name].act(reference, form)
    except Invalid as err:
        return _case(reference, name, err, built)
    flash(message)
    return redirect(url_for("credit_cases.case", reference=reference))


def _due_diligence(reference: str, form: FlaskForm) -> str:
    outcome = form.outcome.data or ""  # type: ignore[attr-defined]
    services().credits.fulfilment.decide_due_diligence(actor(), reference, outcome, form.note.data or "")  # type: ignore[attr-defined]
    return f"Customer due diligence checks recorded as {outcome}"


def _invoice(reference: str, form: FlaskForm) -> str:
    issued = services().credits.fulfilment.issue_invoice(actor(), reference)
    return f"Invoice {issued.number} issued"


def _payment(reference: str, form: FlaskForm) -> str:
    amount = parse_pounds(form.amount.data, "amount", "the amount received")  # type: ignore[attr-defined]
    services().credits.fulfilment.record_payment(actor(), reference, form.received_on.data, amount)  # type: ignore[attr-defined]
    return "Payment recorded"


def _allocate(reference: str, form: FlaskForm) -> str:
    services().credits.fulfilment.allocate(actor(), reference)
    return "Credits allocated and the proof of purchase issued"


def _send(reference: str, form: FlaskForm) -> str:
    order = services().credits.fulfilment.send_to_lpa(actor(), reference)
    return f"Proof of purchase sent to the LPA ({order.reference})"


def _cancel(reference: str, form: FlaskForm) -> str:
    services().credits.fulfilment.cancel(actor(), reference, form.reason.data or "")  # type: ignore[attr-defined]
    return "Order cancelled"


def _refund(reference: str, form: FlaskForm) -> str:
    services().credits.fulfilment.refund(actor(), reference, form.reason.data or "")  # type: ignore[attr-defined]
    return "Order refunded"


@dataclass(frozen=True, slots=True)
class Step:
    """A step of the case work: its address, its form, the state it moves the order to (a step the
    order's state does not allow is refused before its form is read) and what it does (the flash)."""

    path: str
    form: type[FlaskForm]
    prefix: str
    to: OrderStatus
    act: Callable[[str, FlaskForm], str]


STEPS: dict[str, Step] = {
    "due_diligence": Step(
        "due-diligence", cf.DueDiligenceDecisionForm, "dd", OrderStatus.DUE_DILIGENCE_PASSED, _due_diligence
    ),
    "invoice": Step("invoice", cf.ActionForm, "invoice", OrderStatus.INVOICE_ISSUED, _invoice),
    "payment": Step("payment", cf.PaymentForm, "payment", OrderStatus.PAID, _payment),
    "allocate": Step("allocate", cf.ActionForm, "allocate", OrderStatus.ALLOCATED, _allocate),
    "send": Step("send", cf.ActionForm, "send", OrderStatus.SENT_TO_LPA, _send),
    "cancel": Step("cancel", cf.ReasonForm, "cancel", OrderStatus.CANCELLED, _cancel),
    "refund": Step("refund", cf.ReasonForm, "refund", OrderStatus.REFUNDED, _refund),
}


def _step_view(name: str) -> Callable[[str], ResponseReturnValue]:
    """The POST view of one step, under the step's own endpoint name (``credit_cases.invoice``, …)."""

    def view(reference: str) -> ResponseReturnValue:
        return _act(reference, name)

    view.__name__ = name
    return requires(Permission.PROCESS_CREDIT_ORDERS)(view)


for _name, _step in STEPS.items():
    bp.add_url_rule(f"/<reference>/{_step.path}", _name, _step_view(_name), methods=["POST"])
