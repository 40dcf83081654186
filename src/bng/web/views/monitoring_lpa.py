"""Monitoring for the LPA's officer.

The dashboard of their authority (downloadable as CSV, GeoJSON and JSON), starting monitoring of approved gain plans
and gain sites, each obligation with its fee, the reports to review (accept, or ask for remedial action), the
calendar, and the biodiversity report (NERC Act s.40A).
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from bng.register.core.errors import Conflict, Invalid
from bng.register.core.roles import Permission
from bng.register.core.submissions import AlreadyDone
from bng.register.monitoring.records import Monitor

from .. import monitoring_forms as mf
from ..forms import choices
from ..once import once
from ..security import actor, requires, services
from .common import show_problems
from .monitoring import ics_response, obligation_page, report_page

bp = Blueprint("monitoring_lpa", __name__, url_prefix="/lpa/monitoring")


def _download(body: str | bytes, mimetype: str, name: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("")
@requires(Permission.REVIEW_MONITORING)
def dashboard() -> ResponseReturnValue:
    """The monitoring dashboard of an LPA officer's authority."""
    board = services().lpa_monitoring.dashboard(actor())
    return render_template(
        "monitoring/dashboard.html",
        board=board,
        period_form=mf.PeriodForm(),
        has_link=services().calendars.has_link(actor()),
    )


@bp.get("/dashboard.json")
@requires(Permission.REVIEW_MONITORING)
def dashboard_json() -> ResponseReturnValue:
    """The monitoring dashboard of an LPA officer's authority as JSON."""
    body = json.dumps(services().lpa_monitoring.dashboard(actor()).to_dict(), separators=(",", ":"))
    response = Response(body, mimetype="application/json")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/obligations.csv")
@requires(Permission.REVIEW_MONITORING)
def obligations_csv() -> ResponseReturnValue:
    """The monitoring obligations of an LPA officer's authority as CSV."""
    return _download(services().lpa_monitoring.obligations_csv(actor()), "text/csv", "monitoring-obligations.csv")


@bp.get("/obligations.geojson")
@requires(Permission.REVIEW_MONITORING)
def obligations_geojson() -> ResponseReturnValue:
    """The monitoring obligations of an LPA officer's authority as GeoJSON (gain sites with their boundaries)."""
    body = json.dumps(services().lpa_monitoring.obligations_geojson(actor()), separators=(",", ":"))
    return _download(body, "application/geo+json", "monitoring-obligations.geojson")


@bp.post("/biodiversity-report")
@requires(Permission.REVIEW_MONITORING)
def biodiversity_report() -> ResponseReturnValue:
    """The authority's biodiversity report for a period (NERC Act s.40A), as a spreadsheet or PDF."""
    form = mf.PeriodForm()
    if not form.validate_on_submit():
        board = services().lpa_monitoring.dashboard(actor())
        return render_template("monitoring/dashboard.html", board=board, period_form=form, has_link=False), 400
    try:
        report = services().lpa_monitoring.report(actor(), form.from_date.data, form.to_date.data)
    except Invalid as err:
        other = show_problems(form, err)
        board = services().lpa_monitoring.dashboard(actor())
        page = render_template("monitoring/dashboard.html", board=board, period_form=form, other=other, has_link=False)
        return page, 400
    name = f"biodiversity-report-{report.start.isoformat()}-{report.end.isoformat()}"
    if form.format.data == "pdf":
        return _download(report.pdf(), "application/pdf", f"{name}.pdf")
    sheet = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return _download(report.xlsx(), sheet, f"{name}.xlsx")


def _start_page(case_reference: str, form: mf.StartForm, status: int = 200, other: Any = None) -> ResponseReturnValue:
    view = services().planning.view(actor(), case_reference)
    who = actor()
    if who is None or view.case.lpa_id != who.lpa_id:
        abort(404)
    bodies = services().register.responsible_bodies()
    form.responsible_body_id.choices = choices([(b.id, b.name) for b in bodies], "Select the responsible body")
    return render_template("monitoring/start.html", view=view, form=form, other=other or []), status


@bp.route("/cases/<case_reference>/start", methods=["GET", "POST"])
@requires(Permission.REVIEW_MONITORING)
def start(case_reference: str) -> ResponseReturnValue:
    """Start monitoring an approved gain plan (an LPA officer)."""
    form = mf.StartForm()
    if request.method == "GET":
        return _start_page(case_reference, form)
    if not form.validate_on_submit():
        return _start_page(case_reference, form, 400)
    body_raw = form.responsible_body_id.data or ""
    try:
        ob = services().monitoring.create_for_case(
            actor(),
            case_reference,
            start_date=form.start_date.data,
            mechanism=form.mechanism.data or "",
            monitor=form.monitor.data or Monitor.LPA.value,
            responsible_body_id=int(body_raw) if body_raw.isdigit() and len(body_raw) < 10 else None,
            once=once(form, "monitoring_lpa.start"),
        )
    except AlreadyDone as done:
        return redirect(url_for("monitoring_lpa.obligation", reference=done.target))
    except Invalid as err:
        return _start_page(case_reference, form, 400, show_problems(form, err))
    except Conflict as err:
        return _start_page(case_reference, form, 409, [{"text": err.message, "href": "#start_date"}])
    flash(f"Monitoring obligation {ob.reference} made")
    return redirect(url_for("monitoring_lpa.obligation", reference=ob.reference))


@bp.post("/sites/<site_reference>/start")
@requires(Permission.REVIEW_MONITORING)
def start_site(site_reference: str) -> ResponseReturnValue:
    """Start monitoring a registered gain site (an LPA officer)."""
    form = mf.SiteStartForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        ob = services().monitoring.create_for_site(
            actor(), site_reference, once=once(form, "monitoring_lpa.start_site")
        )
    except AlreadyDone as done:
        return redirect(url_for("monitoring_lpa.obligation", reference=done.target))
    except Conflict as err:
        flash(err.message)
        return redirect(url_for("monitoring_lpa.dashboard"))
    flash(f"Monitoring obligation {ob.reference} made")
    return redirect(url_for("monitoring_lpa.obligation", reference=ob.reference))


def _officer_view(reference: str) -> Any:
    view = services().monitoring.view(actor(), reference)
    who = actor()
    if who is None or who.lpa_id != view.obligation.lpa_id:
        abort(404)
    return view


@bp.get("/<reference>")
@requires(Permission.REVIEW_MONITORING)
def obligation(reference: str) -> ResponseReturnValue:
    """A monitoring obligation as its LPA officer sees it, with its fee."""
    return obligation_page(_officer_view(reference), officer=True, fee_form=mf.FeeForm(prefix="fee"))


@bp.post("/<reference>/fee")
@requires(Permission.REVIEW_MONITORING)
def fee(reference: str) -> ResponseReturnValue:
    """Record a monitoring fee received (an LPA officer)."""
    view = _officer_view(reference)
    form = mf.FeeForm(prefix="fee")
    if not form.validate_on_submit():
        return obligation_page(view, True, 400, fee_form=form)
    raw = (form.amount.data or "").strip().replace(",", "").removeprefix("£")
    try:
        amount = Decimal(raw)
        if not amount.is_finite():
            raise InvalidOperation
        pence: int | None = int((amount * 100).to_integral_value())
    except InvalidOperation:
        pence = None
    try:
        if pence is None and raw:
            raise Invalid.one("amount", "Enter the amount received in pounds, like 2052.83")
        services().monitoring.record_fee(
            actor(), reference, form.received_on.data, pence, once=once(form, "monitoring_lpa.fee")
        )
    except AlreadyDone:
        return redirect(url_for("monitoring_lpa.obligation", reference=reference))
    except Invalid as err:
        return obligation_page(view, True, 400, fee_form=form, other=show_problems(form, err))
    except Conflict as err:
        flash(err.message)
        return redirect(url_for("monitoring_lpa.obligation", reference=reference))
    flash("Monitoring fee recorded")
    return redirect(url_for("monitoring_lpa.obligation", reference=reference))


def _review_page(reference: str, report_reference: str, status: int = 200, **forms: Any) -> ResponseReturnValue:
    view = _officer_view(reference)
    action_form = forms.pop("action_form", None) or mf.ActionForm(prefix="action")
    action_form.parcel_keys.choices = choices([(t.key, f"{t.key}: {t.habitat}") for t in view.trajectories], "")[1:]
    return report_page(
        view,
        report_reference,
        officer=True,
        status=status,
        accept_form=forms.pop("accept_form", None) or mf.AcceptForm(prefix="accept"),
        action_form=action_form,
        **forms,
    )


@bp.get("/<reference>/reports/<report_reference>")
@requires(Permission.REVIEW_MONITORING)
def report(reference: str, report_reference: str) -> ResponseReturnValue:
    """A monitoring report to review (an LPA officer): accept it, or ask for remedial action."""
    return _review_page(reference, report_reference)


@bp.post("/<reference>/reports/<report_reference>/accept")
@requires(Permission.REVIEW_MONITORING)
def accept(reference: str, report_reference: str) -> ResponseReturnValue:
    """Accept a monitoring report (an LPA officer)."""
    form = mf.AcceptForm(prefix="accept")
    if not form.validate_on_submit():
        abort(400)
    try:
        services().monitoring.accept(
            actor(), reference, report_reference, form.note.data or "", once=once(form, "monitoring_lpa.accept")
        )
    except AlreadyDone:
        return redirect(url_for("monitoring_lpa.report", reference=reference, report_reference=report_reference))
    except Conflict as err:
        return _review_page(
            reference, report_reference, 409, accept_form=form, other=[{"text": err.message, "href": "#main-content"}]
        )
    flash(f"Report {report_reference.upper()} accepted")
    return redirect(url_for("monitoring_lpa.report", reference=reference, report_reference=report_reference))


@bp.post("/<reference>/reports/<report_reference>/action")
@requires(Permission.REVIEW_MONITORING)
def action(reference: str, report_reference: str) -> ResponseReturnValue:
    """Ask the provider for remedial action on a monitoring report (an LPA officer)."""
    form = mf.ActionForm(prefix="action")
    if not form.validate_on_submit():
        return _review_page(reference, report_reference, 400, action_form=form)
    try:
        made = services().monitoring.request_action(
            actor(),
            reference,
            report_reference,
            description=form.description.data or "",
            deadline=form.deadline.data,
            parcel_keys=list(form.parcel_keys.data or []),
            once=once(form, "monitoring_lpa.action"),
        )
    except AlreadyDone:
        return redirect(url_for("monitoring_lpa.report", reference=reference, report_reference=report_reference))
    except Invalid as err:
        return _review_page(reference, report_reference, 400, action_form=form, other=show_problems(form, err))
    flash(f"Remedial action {made.reference} asked for, by {made.deadline:%d %B %Y}")
    return redirect(url_for("monitoring_lpa.report", reference=reference, report_reference=report_reference))


@bp.get("/calendar.ics")
@requires(Permission.REVIEW_MONITORING)
def calendar() -> ResponseReturnValue:
    """The monitoring calendar of an LPA officer's authority as an iCalendar download."""
    return ics_response(services().calendars.download(actor()), "bng-monitoring-lpa.ics")


@bp.post("/calendar")
@requires(Permission.REVIEW_MONITORING)
def calendar_link() -> ResponseReturnValue:
    """A new secret link to the authority's calendar feed (the old one stops working)."""
    form = mf.CalendarLinkForm()
    if not form.validate_on_submit():
        abort(400)
    token = services().calendars.new_link(actor())
    return render_template(
        "monitoring/calendar_link.html", url=url_for("monitoring.feed", token=token, _external=True), officer=True
    )
