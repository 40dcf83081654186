"""The registration journey of a gain site.

A GOV.UK task list with save and return, each section a page, check your answers, submit and pay.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import date
from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SubmitField

from bng.register.applications import allocation_section
from bng.register.applications.sections import SECTION_BY_KEY, SECTIONS, all_completed, status
from bng.register.applications.service import EDITABLE, FILE_FIELDS, ApplicationView, FeeLine
from bng.register.core.errors import Invalid
from bng.register.core.ledger import plain
from bng.register.core.model import ApplicationStatus
from bng.register.core.roles import Permission
from bng.register.core.submissions import AlreadyDone

from .. import forms
from ..allocation_forms import AllocationSectionForm
from ..once import once
from ..security import actor, requires, services
from ..summaries import all_sections
from .common import form_page, problems_list, show_problems, uploads

bp = Blueprint("apply", __name__, url_prefix="/applications")

FORMS: dict[str, type[FlaskForm]] = {
    "applicant": forms.ApplicantForm,
    "ownership": forms.OwnershipForm,
    "boundary": forms.BoundaryForm,
    "habitats": forms.HabitatsForm,
    "legal-agreement": forms.AgreementForm,
    "land-charge": forms.LandChargeForm,
    "hmmp": forms.HmmpForm,
    "allocation": AllocationSectionForm,
    "declarations": forms.DeclarationsForm,
}
ALIASES = {"lpa_ids": "lpa_1"}
STATUS_TAGS = {
    "completed": {"text": "Completed"},
    "in_progress": {"tag": {"text": "In progress", "classes": "govuk-tag--light-blue"}},
    "not_started": {"tag": {"text": "Not yet started", "classes": "govuk-tag--blue"}},
}


@bp.get("")
@requires(Permission.APPLY_TO_REGISTER)
def applications() -> ResponseReturnValue:
    """A landowner's registration applications, and where to start a new one."""
    mine = services().applications.mine(actor())
    return render_template("apply/list.html", applications=mine, start=forms.StartForm())


@bp.post("")
@requires(Permission.APPLY_TO_REGISTER)
def start() -> ResponseReturnValue:
    """Start a new registration application (a double click starts one)."""
    form = forms.StartForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        made = services().applications.start(actor(), once=once(form, "application.start")).reference
    except AlreadyDone as done:  # a double click starts one application
        made = done.target
    return redirect(url_for("apply.task_list", reference=made))


def _view(reference: str) -> ApplicationView:
    view = services().applications.view(actor(), reference)
    if view.application.owner_id != actor().user_id:  # type: ignore[union-attr]
        abort(404)
    return view


@bp.get("/<reference>")
@requires(Permission.APPLY_TO_REGISTER)
def task_list(reference: str) -> ResponseReturnValue:
    """The landowner's task list for a gain site registration (or what was submitted, once it is)."""
    view = _view(reference)
    app = view.application
    if app.withdrawn_at is not None:
        flash(f"The draft {app.reference} was withdrawn")
        return redirect(url_for("account.dashboard"))
    if app.status not in EDITABLE:
        return render_template("apply/submitted.html", view=view, sections=all_sections(view, False))
    groups: dict[str, list[dict[str, Any]]] = {}
    for s in SECTIONS:
        item = {
            "title": {"text": s.title},
            "href": url_for("apply.section", reference=app.reference, key=s.key),
            "status": STATUS_TAGS[status(app.answers, s.key)],
        }
        groups.setdefault(s.group, []).append(item)
    ready = all_completed(app.answers)
    required = [s for s in SECTIONS if not s.optional]
    groups["Submit"].append(
        {
            "title": {"text": "Check your answers and submit"},
            "href": url_for("apply.check", reference=app.reference) if ready else None,
            "status": {"tag": {"text": "Not yet started", "classes": "govuk-tag--blue"}}
            if ready
            else {"text": "Cannot start yet", "classes": "govuk-task-list__status--cannot-start-yet"},
        }
    )
    done = sum(status(app.answers, s.key) == "completed" for s in required)
    # the checks between sections, as soon as both are answered: a metric whose area is not the boundary's
    # is said when it is uploaded, not first at check your answers
    cross = services().applications.cross_checks(app.answers)
    return render_template(
        "apply/task_list.html", view=view, groups=groups, done=done, total=len(required), cross_checks=cross
    )


def _prefill(form: FlaskForm, answers: dict[str, Any], key: str) -> None:
    for name, field in form._fields.items():
        if isinstance(field, FileField | SubmitField) or name == "csrf_token" or name not in answers:
            continue
        value = answers[name]
        if isinstance(field, forms.GovDateField):
            field.data = date.fromisoformat(value) if isinstance(value, str) and value else None
        elif value is not None:
            field.data = str(value) if not isinstance(value, list) else value
    if key == "legal-agreement":
        ids = answers.get("lpa_ids") or []
        for i, lpa_id in enumerate(ids[:3], start=1):
            getattr(form, f"lpa_{i}").data = str(lpa_id)
        if answers.get("responsible_body_id"):
            form.responsible_body_id.data = str(answers["responsible_body_id"])  # type: ignore[attr-defined]
    if key == "allocation" and isinstance(answers.get("allocate"), bool):
        form.allocate.data = "yes" if answers["allocate"] else "no"  # type: ignore[attr-defined]
    if key == "allocation" and not form.method.data:  # type: ignore[attr-defined]
        form.method.data = "parcels"  # type: ignore[attr-defined]
    if key == "hmmp" and "hmmp_in_agreement" in answers and isinstance(answers["hmmp_in_agreement"], bool):
        form.hmmp_in_agreement.data = "yes" if answers["hmmp_in_agreement"] else "no"  # type: ignore[attr-defined]


def _from_account(form: FlaskForm) -> None:
    """A first visit to the applicant's details: the account already knows the name, email and organisation."""
    user = g.get("user")
    if user is not None:
        form.name.data = user.name  # type: ignore[attr-defined]
        form.email.data = user.email  # type: ignore[attr-defined]
        form.organisation.data = user.organisation  # type: ignore[attr-defined]


def _choices(form: FlaskForm, key: str) -> None:
    if key == "allocation":
        lpas = [(lpa.id, lpa.name) for lpa in services().register.lpas()]
        form.lpa_id.choices = forms.choices(lpas, "Select the LPA")  # type: ignore[attr-defined]
    if key != "legal-agreement":
        return
    lpas = [(lpa.id, lpa.name) for lpa in services().register.lpas() if lpa.ons_code]
    for name in ("lpa_1", "lpa_2", "lpa_3"):
        getattr(form, name).choices = forms.choices(lpas, "Select an LPA" if name == "lpa_1" else "None")
    bodies = [(b.id, b.name) for b in services().register.responsible_bodies()]
    form.responsible_body_id.choices = forms.choices(bodies, "Select a responsible body")  # type: ignore[attr-defined]


def _values(form: FlaskForm, key: str) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, field in form._fields.items():
        if isinstance(field, FileField | SubmitField) or name == "csrf_token":
            continue
        values[name] = field.data
    if key == "legal-agreement":
        values["lpa_ids"] = [values.pop(f"lpa_{i}") for i in (1, 2, 3)]
        values["lpa_ids"] = [v for v in values["lpa_ids"] if v]
    if key == "allocation":  # one quantity per parcel of the habitats: not fields of the form
        values |= {k: v for k, v in request.form.items() if k.startswith("parcel-")}
    return values


@bp.route("/<reference>/<key>", methods=["GET", "POST"])
@requires(Permission.APPLY_TO_REGISTER)
def section(reference: str, key: str) -> ResponseReturnValue:
    """A section of the registration application: its question page, saved for later or continued."""
    spec = SECTION_BY_KEY.get(key)
    if spec is None:
        abort(404)
    view = _view(reference)
    app = view.application
    if app.status not in EDITABLE:
        return redirect(url_for("apply.task_list", reference=app.reference))
    form = FORMS[key]()
    _choices(form, key)
    answers = app.answers.get(key) or {}
    other: list[dict[str, str]] = []
    status_code = 200
    if request.method == "GET":
        _prefill(form, answers, key)
        if key == "applicant" and not answers:
            _from_account(form)
    else:
        form.validate()
        if "csrf_token" in form.errors:
            abort(400, "The form had expired")
        values, files = _values(form, key), uploads(*FILE_FIELDS[key])
        status_code = 400
        try:
            if request.form.get("action") == "later":
                services().applications.save_for_later(actor(), reference, key, values, files)
                flash("Your answers have been saved. You can come back to them at any time.")
                return redirect(url_for("apply.task_list", reference=app.reference))
            # with fields that did not parse, check the rest without saving, to show every problem at once
            services().applications.save_section(actor(), reference, key, values, files, dry_run=bool(form.errors))
        except Invalid as err:
            other = show_problems(form, err, ALIASES)
        else:
            if not form.errors:  # "Change" from check your answers goes back there
                back = "apply.check" if request.args.get("back") == "check" else "apply.task_list"
                return redirect(url_for(back, reference=app.reference))
        view = _view(reference)  # with the files kept from this post, shown as uploaded
        answers = view.application.answers.get(key) or {}
    extra = _allocation_inputs(app.answers, answers) if key == "allocation" else {}
    if key in ("boundary", "habitats"):
        extra["cross_checks"] = services().applications.cross_checks(view.application.answers)
    return (
        render_template(
            f"apply/sections/{key}.html", form=form, view=view, spec=spec, answers=answers, other=other, **extra
        ),
        status_code,
    )


def _allocation_inputs(all_answers: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    """The parcels the allocation section offers, each with the quantity to show in its input.

    The quantity is as typed (a form sent back), or as saved (hectares or kilometres, or the text kept for later).
    """
    saved = dict(allocation_section.allocation({allocation_section.SECTION: answers}).quantities)
    rows = []
    for p in allocation_section.sellable(all_answers):
        key = allocation_section.parcel_key(p.module, p.stage, p.ref)
        name = allocation_section.FIELD.format(key)
        if request.method == "POST":
            value = request.form.get(name, "")
        elif key in saved:
            value = plain(saved[key])
        else:
            value = str(answers.get(name) or "")
        rows.append({"parcel": p, "name": name, "value": value})
    return {"parcels": rows}


@bp.get("/<reference>/check")
@requires(Permission.APPLY_TO_REGISTER)
def check(reference: str) -> ResponseReturnValue:
    """Check your answers before submitting a gain site registration, with what the register finds wrong."""
    view = _view(reference)
    if view.application.status not in EDITABLE:
        return redirect(url_for("apply.task_list", reference=view.application.reference))
    checks = services().applications.preview_problems(actor(), reference)
    return render_template(
        "apply/check.html",
        view=view,
        sections=all_sections(view, True),
        problems=problems_list(checks.errors),
        form=forms.SubmitForm(),
        fees=_fees(view),
    )


def _fees(view: ApplicationView) -> list[FeeLine]:
    """The fees as they stand.

    On a first submission, what submitting makes due (registration, and the allocation when the application
    also allocates); on a resubmission, what is already paid or still due (nothing is charged twice), what falls
    due anew, and what is no longer owed.
    """
    return view.fees()


@bp.post("/<reference>/submit")
@requires(Permission.APPLY_TO_REGISTER)
def submit(reference: str) -> ResponseReturnValue:
    """Submit the registration application (once, whatever the clicks)."""
    form = forms.SubmitForm()
    _view(reference)  # someone else's application is not found, whatever was sent
    if not form.validate_on_submit():
        abort(400)
    try:
        services().applications.submit(actor(), reference, once=once(form, "application.submit"))
    except AlreadyDone:
        pass  # submitted by the same form a moment ago: one submission, one fee
    except Invalid as err:
        view = _view(reference)
        return (
            render_template(
                "apply/check.html",
                view=view,
                sections=all_sections(view, True),
                problems=problems_list(err.problems),
                form=form,
                fees=_fees(view),
            ),
            400,
        )
    return redirect(url_for("apply.confirmation", reference=reference))


@bp.route("/<reference>/withdraw", methods=["GET", "POST"])
@requires(Permission.APPLY_TO_REGISTER)
def withdraw(reference: str) -> ResponseReturnValue:
    """Withdraw a draft never submitted (it leaves the list; the account page keeps a note of it)."""
    view = _view(reference)
    app = view.application
    if app.status != ApplicationStatus.DRAFT or app.submitted_at is not None or app.withdrawn_at is not None:
        return redirect(url_for("apply.task_list", reference=app.reference))
    form = forms.WithdrawDraftForm()

    def record() -> ResponseReturnValue:
        with suppress(AlreadyDone):  # withdrawn by the same form a moment ago
            services().applications.withdraw_draft(actor(), reference, once=once(form, "application.withdraw"))
        flash(f"The draft {app.reference} has been withdrawn")
        return redirect(url_for("apply.applications"))

    return form_page(form, record, "apply/withdraw.html", view=view)


@bp.get("/<reference>/confirmation")
@requires(Permission.APPLY_TO_REGISTER)
def confirmation(reference: str) -> ResponseReturnValue:
    """The registration application's confirmation page: submitted, and what happens next."""
    view = _view(reference)
    if view.application.status != ApplicationStatus.SUBMITTED:
        return redirect(url_for("apply.task_list", reference=view.application.reference))
    return render_template("apply/confirmation.html", view=view)
