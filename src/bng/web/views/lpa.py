"""An LPA officer's page: the gain sites in their LPA or under agreements it is party to."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from bng.register.roles import Permission

from ..security import actor, requires, services

bp = Blueprint("lpa", __name__, url_prefix="/lpa")


@bp.get("")
@requires(Permission.VIEW_LPA_CASES)
def dashboard() -> ResponseReturnValue:
    lpa, sites = services().register.for_lpa(actor())
    return render_template("lpa/dashboard.html", lpa=lpa, sites=sites)
