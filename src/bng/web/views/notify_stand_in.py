"""The local stand-in for GOV.UK Notify over HTTP (``bng.register.notify.stand_in`` holds it).

Notify's ``POST /v2/notifications/email`` and ``GET /v2/notifications/{id}``, each with Notify's JWT bearer token,
at the service's root (Notify's client joins its paths to the host). Mounted only when no ``NOTIFY_API_KEY`` is set.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, jsonify, request
from flask.typing import ResponseReturnValue

from bng.register.notify.stand_in import StandInNotify

from ..security import services

bp = Blueprint("notify_stand_in", __name__, url_prefix="/v2/notifications")


def _json(answer: tuple[int, dict[str, Any]]) -> ResponseReturnValue:
    status, body = answer
    return jsonify(body), status


def _authorised() -> StandInNotify | tuple[int, dict[str, Any]]:
    store = services().notify_stand_in
    if store is None:
        abort(404)
    refused = store.refused(request.headers.get("Authorization", ""))
    return refused if refused is not None else store


@bp.post("/email")
def send_email() -> ResponseReturnValue:
    """Notify's ``POST /v2/notifications/email``: send an email (kept by the stand-in, sent nowhere)."""
    store = _authorised()
    if not isinstance(store, StandInNotify):
        return _json(store)
    return _json(store.send_email(request.get_json(silent=True), request.host_url.rstrip("/")))


@bp.get("/<notification_id>")
def find(notification_id: str) -> ResponseReturnValue:
    """Notify's ``GET /v2/notifications/{id}``: a notification sent, by its id."""
    store = _authorised()
    if not isinstance(store, StandInNotify):
        return _json(store)
    return _json(store.find(notification_id, request.host_url.rstrip("/")))
