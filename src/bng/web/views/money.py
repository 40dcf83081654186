"""Money beyond due and received: balances, bank details and invoices.

The register team's page of one fee's or credit order's balance, where they record an overpayment or a part
refund; the register's bank details for transfers; and the invoice PDFs that print them
(``bng.register.money.service``, ``bng.register.money.remittance``).
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from bng.register.core.adjustments import KIND_LABELS, Kind
from bng.register.core.errors import Invalid
from bng.register.core.roles import Permission
from bng.register.core.submissions import AlreadyDone
from bng.register.credits.card import PAY_MAX_PENCE

from ..forms import MoneyAdjustmentForm, PayByCardForm, RemittanceForm
from ..once import once
from ..security import actor, requires, services
from .common import show_problems

bp = Blueprint("money", __name__)
bp.add_app_template_global(lambda kind: KIND_LABELS[Kind(kind)], "adjustment_label")
bp.record_once(lambda state: state.app.jinja_env.globals.update(pay_max_pence=PAY_MAX_PENCE))


def _pdf(name: str, data: bytes) -> Response:
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _card_url(path: str) -> str:
    return f"{current_app.config['BNG_BASE_URL']}{path}"


@bp.route("/review/money/<reference>", methods=["GET", "POST"])
@requires(Permission.RECORD_PAYMENTS)
def account(reference: str) -> ResponseReturnValue:
    """One fee's or credit order's balance, where the register team record an overpayment or a part refund."""
    found = services().money.account(actor(), reference)
    form = MoneyAdjustmentForm()
    other: list[dict[str, str]] = []
    if request.method == "POST":
        try:
            form.validate()
            services().money.record(
                actor(), found.reference, form.kind.data or "", form.amount.data or "", form.on.data,
                form.method.data or "", form.reference.data or "", once=once(form, "money.adjustment"),
            )  # fmt: skip
        except AlreadyDone:
            pass
        except Invalid as err:
            other = show_problems(form, err)
            return render_template("review/money.html", account=found, form=form, other=other), 400
        flash(f"Recorded against {found.reference}")
        return redirect(url_for("money.account", reference=found.reference))
    return render_template("review/money.html", account=found, form=form, other=other)


@bp.route("/review/remittance", methods=["GET", "POST"])
@requires(Permission.RECORD_PAYMENTS)
def remittance() -> ResponseReturnValue:
    """The register's bank details for transfers, and new ones from a date (the register team)."""
    form = RemittanceForm()
    other: list[dict[str, str]] = []
    if request.method == "POST":
        try:
            form.validate()
            answers = {name: getattr(form, name).data for name in
                       ("valid_from", "account_name", "bank_name", "sort_code", "account_number", "iban", "bic",
                        "source")}  # fmt: skip
            services().remittances.add(actor(), answers, once=once(form, "remittance.add"))
        except AlreadyDone:
            pass
        except Invalid as err:
            other = show_problems(form, err)
            rows = services().remittances.all(actor())
            return render_template("review/remittance.html", form=form, other=other, rows=rows), 400
        flash("The bank details were saved")
        return redirect(url_for("money.remittance"))
    return render_template("review/remittance.html", form=form, other=other, rows=services().remittances.all(actor()))


@bp.get("/credits/orders/<reference>/invoice.pdf")
@requires()
def credit_invoice(reference: str) -> ResponseReturnValue:
    """A credit order's invoice PDF (those the invoice service lets see it)."""
    name, data = services().invoices.credit_invoice(
        actor(), reference, _card_url(url_for("credits.order", reference=reference.strip().upper()))
    )
    return _pdf(name, data)


@bp.get("/applications/<reference>/invoice.pdf")
@requires()
def application_invoice(reference: str) -> ResponseReturnValue:
    """A registration application's invoice PDF for its fees (those the invoice service lets see it)."""
    name, data = services().invoices.application_invoice(
        actor(), reference, _card_url(url_for("apply.task_list", reference=reference.strip().upper()))
    )
    return _pdf(name, data)


@bp.post("/credits/orders/<reference>/pay-by-card")
@requires(Permission.BUY_CREDITS)
def pay_invoice(reference: str) -> ResponseReturnValue:
    """The order's invoice paid by card: its total as a fee (made once), then the fees' own card journey."""
    from .pay import _return_url

    form = PayByCardForm()
    if not form.validate_on_submit():
        abort(400)
    fee = services().credit_card.fee_for(actor(), reference)
    try:
        next_url = services().card_payments.start(actor(), fee, _return_url, once=once(form, "payment.card"))
    except AlreadyDone:  # pragma: no cover - start answers a repeat itself
        abort(409)
    return redirect(next_url)
