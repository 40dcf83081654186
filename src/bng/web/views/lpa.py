"""An LPA officer's pages of gain sites, allocations and credit purchases in their LPA.

The gain sites in their LPA or under agreements it is party to, and the allocations and statutory credit
purchases for developments in their LPA (with CSV downloads).
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template
from flask.typing import ResponseReturnValue

from bng.register.access.service import allocations_csv, purchases_csv
from bng.register.core.roles import Permission

from ..security import actor, requires, services

bp = Blueprint("lpa", __name__, url_prefix="/lpa")


@bp.get("")
@requires(Permission.VIEW_LPA_CASES)
def dashboard() -> ResponseReturnValue:
    """An LPA officer's gain sites: those in their LPA or under agreements it is party to."""
    lpa, sites = services().register.for_lpa(actor())
    return render_template("lpa/dashboard.html", lpa=lpa, sites=sites)


@bp.get("/allocations")
@requires(Permission.VIEW_LPA_CASES)
def allocations() -> ResponseReturnValue:
    """The allocations and statutory credit purchases for developments in an LPA officer's authority."""
    return render_template("lpa/allocations.html", activity=services().access.lpa_activity(actor()))


def _csv(body: str, name: str) -> Response:
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.get("/allocations.csv")
@requires(Permission.VIEW_LPA_CASES)
def allocations_download() -> ResponseReturnValue:
    """The allocations for developments in an LPA officer's authority, as CSV."""
    return _csv(allocations_csv(services().access.lpa_activity(actor()).allocations), "lpa-allocations.csv")


@bp.get("/credit-purchases.csv")
@requires(Permission.VIEW_LPA_CASES)
def purchases_download() -> ResponseReturnValue:
    """The statutory credit purchases for developments in an LPA officer's authority, as CSV."""
    return _csv(purchases_csv(services().access.lpa_activity(actor()).purchases), "lpa-credit-purchases.csv")
