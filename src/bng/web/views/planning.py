"""The planning side for applicants and the public.

Does the biodiversity gain condition apply (anyone), submit a biodiversity gain plan to the LPA and follow it (an
applicant), and the register of decisions on gain plans (the public: no personal data).
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from bng.planning import LABELS, PlanStatus, bng_module, parse_application, ssm_eligibility
from bng.planning import applicability as judge
from bng.register.core.errors import Invalid
from bng.register.core.roles import Permission
from bng.register.core.submissions import AlreadyDone

from .. import planning_forms as pf
from ..forms import choices
from ..once import once
from ..security import actor, requires, services
from .common import show_problems, uploads

bp = Blueprint("planning", __name__, url_prefix="/planning")
OUTCOME_TAGS = {
    "applies": "govuk-tag--green",
    "does not apply": "govuk-tag--grey",
    "not in force": "govuk-tag--grey",
    "cannot decide": "govuk-tag--yellow",
}
STATUS_TAGS = {
    PlanStatus.RECEIVED: "govuk-tag--blue",
    PlanStatus.INVALID: "govuk-tag--orange",
    PlanStatus.VALIDATED: "govuk-tag--light-blue",
    PlanStatus.APPROVED: "govuk-tag--green",
    PlanStatus.REFUSED: "govuk-tag--red",
}
bp.add_app_template_global(lambda status: LABELS[PlanStatus(status)], "plan_status_label")
bp.add_app_template_global(lambda status: STATUS_TAGS[PlanStatus(status)], "plan_status_tag")
NUMBERS = {
    "dwellings": "Enter the number of dwellings as a whole number, like 9",
    "floorspace_m2": "Enter the floorspace as a number of square metres, like 850",
    "site_area_ha": "Enter the site area as a number of hectares, like 0.45",
    "impacted_area_m2": "Enter the habitat impacted as a number of square metres, like 24.9",
    "impacted_length_m": "Enter the length impacted as a number of metres, like 4.9",
    "temporary_years": "Enter the number of years, like 5",
}


def pdf_response(name: str, data: bytes) -> Response:
    """A PDF as a private download in a sandbox."""
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _yes(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


def _facts(form: pf.ApplicabilityForm) -> tuple[dict[str, Any], bool]:
    """The form as application.json's facts; False when a number cannot be read (the field says why)."""
    data: dict[str, Any] = {"application_type": form.application_type.data or "full"}
    for name in ("application_date", "permission_date", "original_application_date"):
        value = getattr(form, name).data
        if value is not None:
            data[name] = value.isoformat()
    ok = True
    for name, message in NUMBERS.items():
        raw = (getattr(form, name).data or "").strip().replace(",", "")
        if not raw:
            continue
        try:
            number = float(raw)
            if number < 0 or number != number or (name == "dwellings" and number != int(number)):
                raise ValueError
        except ValueError:
            getattr(form, name).errors = [message]
            ok = False
            continue
        data[name] = int(number) if name == "dwellings" else number
    for name in ("residential", "priority_habitat_impacted"):
        value = _yes(getattr(form, name).data)
        if value is not None:
            data[name] = value
    for flag in form.flags.data or []:
        data[flag] = True
    return data, ok


@bp.route("/applicability", methods=["GET", "POST"])
def applicability() -> ResponseReturnValue:
    """Whether the biodiversity gain condition applies to a planning application (anyone may ask)."""
    form = pf.ApplicabilityForm()
    result = None
    status = 200
    module = None
    ssm = None
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            facts, ok = _facts(form)
            if ok:
                app, issues = parse_application(facts)
                for issue in issues:
                    field = getattr(form, issue.field, None)
                    if field is not None:
                        field.errors = [issue.message]
                if not issues:
                    result = judge(app)
                    module = json.dumps(bng_module(result)["bng"], indent=2)
                    ssm = ssm_eligibility(app)
                    status = 200
    return (
        render_template(
            "planning/applicability.html",
            form=form,
            other=[],
            result=result,
            module=module,
            ssm=ssm,
            tags=OUTCOME_TAGS,
        ),
        status,
    )


# -- the public register of decisions (s.69) -------------------------------------------------------------


@bp.get("/decisions")
def decisions() -> ResponseReturnValue:
    """The public register of decisions on biodiversity gain plans (no personal data)."""
    return render_template("planning/decisions.html", decisions=services().planning.decisions())


@bp.get("/decisions/<reference>")
def decision(reference: str) -> ResponseReturnValue:
    """One decision on a biodiversity gain plan, as the public register gives it."""
    return render_template("planning/decision.html", d=services().planning.decision(reference))


# -- an applicant's gain plans ---------------------------------------------------------------------------


@bp.get("/gain-plans")
@requires(Permission.SUBMIT_GAIN_PLAN)
def mine() -> ResponseReturnValue:
    """The biodiversity gain plans an applicant has submitted."""
    return render_template("planning/mine.html", cases=services().planning.mine(actor()))


@bp.route("/gain-plans/new", methods=["GET", "POST"])
@requires(Permission.SUBMIT_GAIN_PLAN)
def submit() -> ResponseReturnValue:
    """Submit a biodiversity gain plan to the LPA (an applicant)."""
    form = pf.SubmitPlanForm()
    lpas = services().register.lpas()
    form.lpa_id.choices = choices(
        [(lpa.id, f"{lpa.name} ({lpa.ons_code})" if lpa.ons_code else lpa.name) for lpa in lpas], "Select the LPA"
    )
    other: list[dict[str, str]] = []
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            phase = form.phase.data or ""
            if phase == "phase":
                phase = (form.phase_name.data or "").strip() or "phase"
            try:
                case = services().planning.submit(
                    actor(),
                    planning_reference=form.planning_reference.data or "",
                    lpa_id=int(form.lpa_id.data) if (form.lpa_id.data or "").isdigit() else None,
                    development_name=form.development_name.data or "",
                    upload=uploads("submission_file").get("submission_file"),
                    phase=phase,
                    overall_reference=form.overall_reference.data or "" if phase not in ("", "overall") else "",
                    once=once(form, "planning.submit"),
                )
            except AlreadyDone as done:  # the same form sent again: where the first went
                return redirect(url_for("planning.case", reference=done.target))
            except Invalid as err:
                other = show_problems(form, err)
            else:
                return redirect(url_for("planning.case", reference=case.reference))
    return render_template("planning/submit.html", form=form, other=other), status


@bp.get("/gain-plans/<reference>")
@requires(Permission.SUBMIT_GAIN_PLAN)
def case(reference: str) -> ResponseReturnValue:
    """A submitted biodiversity gain plan as its applicant follows it."""
    view = services().planning.view(actor(), reference)
    who = actor()
    if who is None or view.case.submitted_by != who.user_id:
        abort(404)
    return render_template("planning/case.html", view=view, report=view.case.report, officer=False)


@bp.get("/cases/<reference>/report.pdf")
@requires()
def report_pdf(reference: str) -> ResponseReturnValue:
    """The validation report of a gain plan's submission, as PDF (its applicant or an officer of its LPA)."""
    name, data = services().planning.report_pdf(actor(), reference)
    return pdf_response(name, data)


@bp.get("/cases/<reference>/<kind>.pdf")
@requires()
def document_pdf(reference: str, kind: str) -> ResponseReturnValue:
    """A document made from a gain plan's submission (statement, gain plan, HMMP skeleton) as PDF."""
    name, data = services().planning.document_pdf(actor(), reference, kind)
    return pdf_response(name, data)
