"""Monitoring for the provider: the developer of an approved gain plan, or a gain site's landowner.

Their obligations, the monitoring report for year N, remedial actions done, their calendar; a developer's
excess on-site gains and their sale; and the calendar feeds behind secret links (anyone holding the link).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from markupsafe import Markup

from bng.planning import LADDER, Trajectory
from bng.register.core.errors import Conflict, Invalid
from bng.register.core.roles import Permission, can
from bng.register.core.submissions import AlreadyDone
from bng.register.core.uploads import Upload
from bng.register.monitoring.service import CONDITIONS, ObligationView, quote_fee

from .. import monitoring_forms as mf
from ..forms import choices
from ..once import once
from ..security import actor, requires, services
from .common import MAX_READ, show_problems

bp = Blueprint("monitoring", __name__, url_prefix="/monitoring")
STATUS_TAGS = {
    "on track": "govuk-tag--green",
    "behind": "govuk-tag--yellow",
    "failed": "govuk-tag--red",
    "not yet due": "govuk-tag--grey",
    "no report yet": "govuk-tag--grey",
    "submitted": "govuk-tag--blue",
    "accepted": "govuk-tag--green",
    "remedial action requested": "govuk-tag--orange",
    "open": "govuk-tag--orange",
    "done": "govuk-tag--green",
}
bp.add_app_template_global(lambda status: STATUS_TAGS.get(str(status), "govuk-tag--grey"), "monitoring_tag")


def ics_response(data: bytes, name: str) -> Response:
    """An iCalendar download, never cached (it lists one person's or LPA's deadlines)."""
    response = Response(data, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def file_response(stored: Any, data: bytes) -> Response:
    """A monitoring report's file as a private download in a sandbox."""
    response = Response(data, mimetype=stored.media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{stored.name}"'
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.app_template_global("monitoring_panel")
def monitoring_panel(view: Any) -> Markup:
    """What a planning case's page shows of monitoring: the fee quoted, the obligation, the excess."""
    who = actor()
    case = view.case
    if who is None or case.gain_plan is None:
        return Markup("")
    from bng.register.monitoring.service import plan_trajectories

    parcels = plan_trajectories(case.gain_plan)
    size = sum(t.size for t in parcels if t.module == "area")
    fee = quote_fee(view.lpa, size, sum(t.plan_units or 0.0 for t in parcels), case.received_on)
    obligation = services().monitoring.of_case(who, case.reference)
    officer = can(who.role, Permission.REVIEW_MONITORING) and who.lpa_id == case.lpa_id
    return Markup(
        render_template(
            "monitoring/_case_panel.html",
            case=case,
            fee=fee,
            size=size,
            parcels=parcels,
            obligation=obligation,
            officer=officer,
            owner=case.submitted_by == who.user_id,
        )
    )


@bp.get("")
@requires(Permission.REPORT_MONITORING)
def mine() -> ResponseReturnValue:
    """A provider's monitoring obligations (a developer or landowner), and their calendar."""
    views = services().monitoring.mine(actor())
    return render_template("monitoring/mine.html", views=views, has_link=services().calendars.has_link(actor()))


def obligation_page(view: ObligationView, officer: bool, status: int = 200, **context: Any) -> ResponseReturnValue:
    """The obligation as its provider or officer sees it (the officer's forms come in ``context``)."""
    today = view.today
    rows = []
    for t in view.trajectories:
        step = t.expected_step(max((today - view.obligation.start_date).days / 365.25, 0.0))
        rows.append((t, step))
    return (
        render_template(
            "monitoring/obligation.html",
            view=view,
            parcel_rows=rows,
            officer=officer,
            done_form=context.pop("done_form", None) or mf.DoneForm(prefix="done"),
            **context,
        ),
        status,
    )


@bp.get("/<reference>")
@requires(Permission.REPORT_MONITORING)
def obligation(reference: str) -> ResponseReturnValue:
    """A provider's monitoring obligation: its parcels against what the metric expects, reports and remedial action."""
    return obligation_page(services().monitoring.view(actor(), reference), officer=False)


def _years(view: ObligationView) -> list[tuple[str, str]]:
    have = {r.year for r in view.reports}
    due = {d.year: d.on for d in view.dues if d.kind == "report"}
    out = []
    for y in range(1, 31):
        if y in due:
            label = f"Year {y}: due {due[y]:%d %B %Y}" + (" (reported)" if y in have else "")
            out.append((str(y), label))
    return out


def _parcel_rows(view: ObligationView, year: int | None) -> list[tuple[Trajectory, Any, str]]:
    return [(t, t.expected_step(year) if year else None, t.key.replace(":", "-")) for t in view.trajectories]


def _report_page(
    view: ObligationView, form: mf.ReportForm, status: int = 200, other: Any = None
) -> ResponseReturnValue:
    form.year.choices = choices(_years(view), "Select the year")
    year = int(form.year.data) if (form.year.data or "").isdigit() else (view.next_due.year if view.next_due else None)
    if request.method == "GET" and view.next_due:
        form.year.data = str(view.next_due.year)
    return (
        render_template(
            "monitoring/report_form.html",
            view=view,
            form=form,
            rows=_parcel_rows(view, year),
            conditions=CONDITIONS,
            ladder=LADDER,
            values=request.form,
            other=other or [],
        ),
        status,
    )


@bp.route("/<reference>/reports/new", methods=["GET", "POST"])
@requires(Permission.REPORT_MONITORING)
def new_report(reference: str) -> ResponseReturnValue:
    """The provider's monitoring report for a year of an obligation."""
    view = services().monitoring.view(actor(), reference)
    form = mf.ReportForm()
    if request.method == "GET":
        return _report_page(view, form)
    if not form.validate_on_submit():
        return _report_page(view, form, 400)
    sent = once(form, "monitoring.report")
    observations: dict[str, dict[str, Any]] = {}
    for t in view.trajectories:
        field = t.key.replace(":", "-")
        observations[t.key] = {
            "habitat": request.form.get(f"habitat-{field}", ""),
            "condition": request.form.get(f"condition-{field}", ""),
            "size": request.form.get(f"size-{field}", ""),
            "lost": request.form.get(f"lost-{field}") == "yes",
            "note": request.form.get(f"note-{field}", ""),
        }
    files = []
    for name in ("photos", "metric_file", "map_file"):
        for storage in request.files.getlist(name):
            if storage is not None and storage.filename:
                files.append(Upload(name, storage.filename, storage.stream.read(MAX_READ)))
    try:
        report = services().monitoring.submit_report(
            actor(),
            reference,
            year=int(form.year.data) if (form.year.data or "").isdigit() else None,
            observations=observations,
            narrative=form.narrative.data or "",
            changes=form.changes.data or "",
            recommendations=form.recommendations.data or "",
            files=files,
            once=sent,
        )
    except AlreadyDone as done:  # the same form sent again: the report it made
        return redirect(url_for("monitoring.report", reference=reference, report_reference=done.target))
    except Invalid as err:
        other = show_problems(form, err)
        return _report_page(view, form, 400, other)
    flash(f"Monitoring report {report.reference} submitted")
    return redirect(url_for("monitoring.report", reference=reference, report_reference=report.reference))


def report_page(
    view: ObligationView, report_reference: str, officer: bool, status: int = 200, **forms: Any
) -> ResponseReturnValue:
    """A monitoring report as the provider or the LPA's officer sees it, with its remedial actions."""
    report = view.report(report_reference.strip().upper())
    if report is None:
        abort(404)
    keys = {t.key: t for t in view.trajectories}
    actions = [a for a in view.actions if a.report_id == report.id]
    return (
        render_template(
            "monitoring/report.html",
            view=view,
            report=report,
            keys=keys,
            actions=actions,
            officer=officer,
            **forms,
        ),
        status,
    )


@bp.get("/<reference>/reports/<report_reference>")
@requires(Permission.REPORT_MONITORING)
def report(reference: str, report_reference: str) -> ResponseReturnValue:
    """A monitoring report the provider sent."""
    return report_page(services().monitoring.view(actor(), reference), report_reference, officer=False)


@bp.get("/<reference>/reports/<report_reference>/files/<int:file_id>")
def report_file(reference: str, report_reference: str, file_id: int) -> ResponseReturnValue:
    """A monitoring report's file (a photo, metric or map) for whoever may see the report."""
    if actor() is None:
        return redirect(url_for("account.sign_in", next=request.path))
    if file_id > 2**62:
        abort(404)
    stored, data = services().monitoring.report_file(actor(), reference, report_reference, file_id)
    return file_response(stored, data)


@bp.post("/<reference>/actions/<action_reference>/done")
@requires(Permission.REPORT_MONITORING)
def action_done(reference: str, action_reference: str) -> ResponseReturnValue:
    """The provider's record that a remedial action is done."""
    form = mf.DoneForm(prefix="done")
    view = services().monitoring.view(actor(), reference)
    if not form.validate_on_submit():
        abort(400)
    try:
        services().monitoring.action_done(
            actor(), reference, action_reference, form.note.data or "", once=once(form, "monitoring.action_done")
        )
    except AlreadyDone:
        return redirect(url_for("monitoring.obligation", reference=reference))
    except Invalid as err:
        other = show_problems(form, err)
        return obligation_page(view, False, 400, done_form=form, other=other)
    flash(f"Remedial action {action_reference.upper()} recorded as done")
    return redirect(url_for("monitoring.obligation", reference=reference))


# -- calendars --------------------------------------------------------------------------------------------
@bp.get("/calendar.ics")
@requires(Permission.REPORT_MONITORING)
def calendar() -> ResponseReturnValue:
    """The provider's monitoring calendar as an iCalendar download."""
    return ics_response(services().calendars.download(actor()), "bng-monitoring.ics")


@bp.post("/calendar")
@requires(Permission.REPORT_MONITORING)
def calendar_link() -> ResponseReturnValue:
    """A new secret link to the provider's calendar feed (the old one stops working)."""
    form = mf.CalendarLinkForm()
    if not form.validate_on_submit():
        abort(400)
    token = services().calendars.new_link(actor())
    return render_template("monitoring/calendar_link.html", url=url_for("monitoring.feed", token=token, _external=True))


@bp.get("/calendar/<token>.ics")
def feed(token: str) -> ResponseReturnValue:
    """The calendar feed behind a secret link (anyone holding the link)."""
    return ics_response(services().calendars.feed(token), "bng-monitoring.ics")


# -- excess on-site gains ---------------------------------------------------------------------------------
def _units(form: mf.SaleForm) -> tuple[dict[str, float | None], list[tuple[str, str]]]:
    out: dict[str, float | None] = {}
    bad = []
    for module in ("area", "hedgerow", "watercourse"):
        raw = (getattr(form, f"units_{module}").data or "").strip().replace(",", "")
        if not raw:
            continue
        try:
            value = Decimal(raw)
            if not value.is_finite():
                raise InvalidOperation
            out[module] = float(value)
        except InvalidOperation:
            bad.append((f"units_{module}", f"Enter the {module} units as a number, like 1.5"))
    return out, bad


def _excess_page(case_reference: str, form: mf.SaleForm, status: int = 200, other: Any = None) -> ResponseReturnValue:
    position = services().excess.position(actor(), case_reference)
    lpas = services().register.lpas()
    form.buyer_lpa_id.choices = choices([(x.id, x.name) for x in lpas], "Select the LPA")
    return (
        render_template("monitoring/excess.html", position=position, form=form, other=other or []),
        status,
    )


@bp.route("/excess/<case_reference>", methods=["GET", "POST"])
@requires(Permission.REPORT_MONITORING)
def excess(case_reference: str) -> ResponseReturnValue:
    """A developer's excess on-site gains of an approved gain plan, and recording their sale."""
    services().excess.position(actor(), case_reference)  # someone else's plan: not found, before anything else
    form = mf.SaleForm()
    if request.method == "GET":
        return _excess_page(case_reference, form)
    if not form.validate_on_submit():
        return _excess_page(case_reference, form, 400)
    sent = once(form, "monitoring.excess")
    units, bad = _units(form)
    lpa_raw = form.buyer_lpa_id.data or ""
    try:
        if bad:
            from bng.register.core.errors import Problem

            raise Invalid("Check the units", [Problem(f, m) for f, m in bad])
        sale = services().excess.sell(
            actor(),
            case_reference,
            buyer_planning_reference=form.buyer_planning_reference.data or "",
            buyer_lpa_id=int(lpa_raw) if lpa_raw.isdigit() and len(lpa_raw) < 10 else None,
            units=units,
            gain_site_reference=form.gain_site_reference.data or "",
            once=sent,
        )
    except AlreadyDone:
        return redirect(url_for("monitoring.excess", case_reference=case_reference))
    except Invalid as err:
        return _excess_page(case_reference, form, 400, show_problems(form, err))
    except Conflict as err:
        return _excess_page(case_reference, form, 409, [{"text": err.message, "href": "#units_area"}])
    flash(f"Sale {sale.reference} recorded")
    return redirect(url_for("monitoring.excess", case_reference=case_reference))
