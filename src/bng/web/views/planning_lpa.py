"""The LPA officer's planning workspace for biodiversity gain plans.

The gain plans submitted to their LPA, validation, the officer's findings on the gain hierarchy, the decision;
and a check of an application's documents kept nowhere.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from bng.planning import planning_tables as tables
from bng.register.core.errors import Conflict, Invalid
from bng.register.core.roles import Permission
from bng.register.core.submissions import AlreadyDone

from .. import planning_forms as pf
from ..once import once
from ..security import actor, requires, services
from .common import show_problems, uploads

bp = Blueprint("planning_lpa", __name__, url_prefix="/lpa/planning")


@bp.get("")
@requires(Permission.DETERMINE_GAIN_PLANS)
def queue() -> ResponseReturnValue:
    """The gain plans submitted to an LPA officer's authority."""
    lpa, cases = services().planning.queue(actor())
    return render_template("planning/queue.html", lpa=lpa, cases=cases)


def _page(reference: str, status: int = 200, **forms: object) -> ResponseReturnValue:
    view = services().planning.view(actor(), reference)
    who = actor()
    if who is None or who.lpa_id != view.case.lpa_id:
        abort(404)
    findings = pf.findings_form()()
    if request.method == "GET" or "findings" not in forms:
        for step in tables().hierarchy_steps:
            saved = view.case.findings.get(step.code) or {}
            getattr(findings, f"finding_{step.code}").data = saved.get("finding") or None
            getattr(findings, f"note_{step.code}").data = saved.get("note", "")
    context = {
        "validated_form": pf.ValidatedForm(prefix="validated"),
        "invalid_form": pf.ReasonsForm(prefix="invalid"),
        "decision_form": pf.DecisionForm(prefix="decision"),
        "findings_form": findings,
        "other": [],
    }
    context.update(forms)
    return (
        render_template(
            "planning/officer_case.html",
            view=view,
            report=view.case.report,
            officer=True,
            steps=tables().hierarchy_steps,
            **context,
        ),
        status,
    )


@bp.get("/<reference>")
@requires(Permission.DETERMINE_GAIN_PLANS)
def case(reference: str) -> ResponseReturnValue:
    """A gain plan's case page for its LPA's officer: validation, findings and decision."""
    return _page(reference)


def _act(reference: str, form_name: str, form: object, act: object) -> ResponseReturnValue:
    try:
        message = act()  # type: ignore[operator]
    except AlreadyDone:  # the same form sent again: it was done the first time
        return redirect(url_for("planning_lpa.case", reference=reference))
    except Invalid as err:
        other = show_problems(form, err)  # type: ignore[arg-type]
        return _page(reference, 400, **{form_name: form, "other": other})
    except Conflict as err:
        flash(err.message)
        return redirect(url_for("planning_lpa.case", reference=reference))
    flash(message)
    return redirect(url_for("planning_lpa.case", reference=reference))


@bp.post("/<reference>/validated")
@requires(Permission.DETERMINE_GAIN_PLANS)
def validated(reference: str) -> ResponseReturnValue:
    """Mark a gain plan as validated (an LPA officer)."""
    form = pf.ValidatedForm(prefix="validated")
    if not form.validate_on_submit():
        abort(400)
    return _act(
        reference,
        "validated_form",
        form,
        lambda: (
            services().planning.validated(actor(), reference, once=once(form, "planning.validated")),
            "Marked as validated",
        )[1],
    )


@bp.post("/<reference>/invalid")
@requires(Permission.DETERMINE_GAIN_PLANS)
def invalid(reference: str) -> ResponseReturnValue:
    """Return a gain plan as invalid, with reasons (an LPA officer)."""
    form = pf.ReasonsForm(prefix="invalid")
    if not form.validate_on_submit():
        abort(400)
    return _act(
        reference,
        "invalid_form",
        form,
        lambda: (
            services().planning.invalid(
                actor(), reference, form.reasons.data or "", once=once(form, "planning.invalid")
            ),
            "Returned to the applicant as invalid",
        )[1],
    )


@bp.post("/<reference>/decision")
@requires(Permission.DETERMINE_GAIN_PLANS)
def decide(reference: str) -> ResponseReturnValue:
    """Approve or refuse a biodiversity gain plan (an LPA officer)."""
    form = pf.DecisionForm(prefix="decision")
    if not form.validate_on_submit():
        abort(400)

    def act() -> str:
        case = services().planning.decide(
            actor(), reference, form.outcome.data or "", form.reasons.data or "", once=once(form, "planning.decision")
        )
        return f"Decision recorded: {case.status}"

    return _act(reference, "decision_form", form, act)


@bp.post("/<reference>/findings")
@requires(Permission.DETERMINE_GAIN_PLANS)
def findings(reference: str) -> ResponseReturnValue:
    """Record the officer's findings on each step of the biodiversity gain hierarchy (an LPA officer)."""
    form = pf.findings_form()()
    if not form.validate_on_submit():
        abort(400)
    answers = {
        step.code: (getattr(form, f"finding_{step.code}").data or "", getattr(form, f"note_{step.code}").data or "")
        for step in tables().hierarchy_steps
    }
    return _act(
        reference,
        "findings_form",
        form,
        lambda: (
            services().planning.record_findings(actor(), reference, answers, once=once(form, "planning.findings")),
            "Findings on the gain hierarchy saved",
        )[1],
    )


@bp.route("/check", methods=["GET", "POST"])
@requires(Permission.DETERMINE_GAIN_PLANS)
def check() -> ResponseReturnValue:
    """Check an application's biodiversity documents, kept nowhere (an LPA officer)."""
    form = pf.CheckForm()
    report = None
    text = ""
    other: list[dict[str, str]] = []
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            try:
                report, text = services().planning.check_only(
                    actor(), uploads("submission_file").get("submission_file")
                )
                status = 200
            except Invalid as err:
                other = show_problems(form, err)
    return render_template("planning/check.html", form=form, other=other, report=report, text=text), status
