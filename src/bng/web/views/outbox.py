"""The outbox: the e-mails the register has queued and sent through GOV.UK Notify (or its stand-in)."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue

from ..paging import page_number
from ..security import actor, requires, services

bp = Blueprint("outbox", __name__)


@bp.get("/outbox")
@requires()
def outbox() -> ResponseReturnValue:
    """The register team sees every message; without Notify (the stand-in) each account sees its own."""
    page = services().outbox
    assert page is not None
    status = request.args.get("status", "")
    found = page.listing(actor(), page_number(request.args), status)
    return render_template("outbox.html", listing=found, status=status)
