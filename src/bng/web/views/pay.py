"""Paying a fee by card through GOV.UK Pay (``bng.register.payments.card``).

The "Pay by card" button sends the payer to GOV.UK Pay (or its stand-in), and Pay sends them back here, where
what happened is read from Pay.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from bng.register.core.submissions import AlreadyDone

from .. import forms
from ..once import once
from ..security import actor, requires, services

bp = Blueprint("pay", __name__, url_prefix="/payments")


def _return_url(key: str) -> str:
    from flask import current_app

    return f"{current_app.config['BNG_BASE_URL']}{url_for('pay.returned', key=key)}"


@bp.post("/<reference>/card")
@requires()
def start(reference: str) -> ResponseReturnValue:
    """Pay a fee by card: send the payer to GOV.UK Pay (whoever owes the fee)."""
    services().card_payments.payable(actor(), reference)  # someone else's fee is not found, whatever was sent
    form = forms.PayByCardForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        next_url = services().card_payments.start(actor(), reference, _return_url, once=once(form, "payment.card"))
    except AlreadyDone:  # pragma: no cover - start answers a repeat itself
        abort(409)
    return redirect(next_url)


@bp.get("/card/<key>")
@requires()
def returned(key: str) -> ResponseReturnValue:
    """Where GOV.UK Pay sends the payer back: what happened, read from Pay, and back to what the fee was for."""
    back = services().card_payments.returned(actor(), key)
    if back.application:
        where = url_for("apply.task_list", reference=back.application)
    elif back.allocation:
        where = url_for("allocate.allocation", reference=back.allocation)
    elif back.fee.id is not None and (order := services().credit_card.order_reference(back.fee.id)):
        where = url_for("credits.order", reference=order)  # a credit order's invoice paid by card
    else:
        where = url_for("account.dashboard")
    again = forms.PayByCardForm() if back.fee.status == "due" and back.state.finished else None
    return render_template("pay/returned.html", back=back, where=where, again=again)
