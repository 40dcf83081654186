"""The local stand-in for GOV.UK Pay over HTTP (``bng.register.payments.stand_in`` holds it).

Pay's endpoints under ``/pay-stand-in/v1`` with a Bearer key, and its card page, where the payer makes the payment
succeed, fail or be cancelled. Mounted only when no ``GOVUK_PAY_API_KEY`` is configured.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request
from flask.typing import ResponseReturnValue

from bng.register.payments.stand_in import PREFIX, StandInPay

from ..security import services

bp = Blueprint("pay_stand_in", __name__, url_prefix=PREFIX)


def _store() -> StandInPay:
    store = services().pay_stand_in
    if store is None:
        abort(404)
    return store


def _base() -> str:
    return str(current_app.config["BNG_BASE_URL"]) if not request.host else request.host_url.rstrip("/")


def _json(answer: tuple[int, dict[str, Any]]) -> ResponseReturnValue:
    status, body = answer
    return jsonify(body), status


def _authorised() -> StandInPay:
    store = _store()
    if not store.authorised(request.headers.get("Authorization", "")):
        abort(401)
    return store


@bp.post("/v1/payments")
def create() -> ResponseReturnValue:
    """Pay's ``POST /v1/payments``: create a payment."""
    return _json(_authorised().create(request.get_json(silent=True), _base()))


@bp.get("/v1/payments/<payment_id>")
def find(payment_id: str) -> ResponseReturnValue:
    """Pay's ``GET /v1/payments/{id}``: a payment and its state."""
    return _json(_authorised().find(payment_id, _base()))


@bp.post("/v1/payments/<payment_id>/refunds")
def refund(payment_id: str) -> ResponseReturnValue:
    """Pay's ``POST /v1/payments/{id}/refunds``: refund a payment."""
    return _json(_authorised().refund(payment_id, request.get_json(silent=True), _base()))


@bp.route("/pay/<payment_id>", methods=["GET", "POST"])
def card(payment_id: str) -> ResponseReturnValue:
    """Pay's card page, where the payer makes the payment succeed, fail or be cancelled.

    Its form is Pay's, not the register's, so it carries the stand-in's own token for the payment (not the
    register's session CSRF token); a post without it ends nothing.
    """
    store = _store()
    if request.method == "POST":
        back = store.finish(payment_id, request.form.get("outcome", ""), request.form.get("csrf_token", ""))
        if back is None:
            abort(404)
        return redirect(back)
    payment = store.page(payment_id)
    if payment is None:
        abort(404)
    return render_template("pay/stand_in.html", payment=payment)
