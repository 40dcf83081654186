"""The allocation journey: a development's use of units from a gain site.

A developer (or a landowner) says which development uses units from a gain
site, by habitat parcel and quantity or with the development's metric; checks what the register makes
of it (the units, the spatial risk category, anything it flags); and records it, with the landowner's
consent where needed and the £45 fee. Every step goes through the allocation service, the same guarded
path as every other allocation.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import MultiDict

from bng.register.allocations.service import AllocationPlan, Development, Request
from bng.register.applications.habitats import SIZE_UNITS
from bng.register.core.errors import Conflict, Invalid, NotFound, Problem
from bng.register.core.ledger import SELLABLE_STAGES, plain
from bng.register.core.roles import Permission
from bng.register.core.submissions import AlreadyDone
from bng.register.core.uploads import Upload
from bng.register.public.sites import SiteView

from .. import forms
from ..allocation_forms import AllocationForm, ConfirmAllocationForm, FindSiteForm
from ..once import once
from ..security import actor, requires, services
from .common import show_problems, uploads

bp = Blueprint("allocate", __name__)
PARCEL = "parcel-{}"
MAX_DECIMALS = 6


def _lpa_choices(form: AllocationForm) -> None:
    lpas = [(x.id, x.name) for x in services().register.lpas()]
    form.lpa_id.choices = forms.choices(lpas, "Select the LPA")


def _development(form: AllocationForm) -> Development:
    raw = form.lpa_id.data or ""
    return Development(
        int(raw) if str(raw).isdigit() else None,
        form.planning_reference.data or "",
        form.development_name.data or "",
        form.grid_reference.data or "",
    )


def sellable(view: SiteView) -> list[Any]:
    """The parcels that can still be allocated: created or enhanced, with something left."""
    return [p for p in view.parcels if p.stage in SELLABLE_STAGES and p.size > p.allocated_size]


def _quantities(view: SiteView, data: MultiDict[str, str]) -> tuple[list[Request], dict[str, str]]:
    """The quantity typed for each parcel (hectares or kilometres); blank means none."""
    asked: list[Request] = []
    problems: dict[str, str] = {}
    for p in view.parcels:  # all that may be sold: one fully allocated meanwhile gets its own message
        if p.stage not in SELLABLE_STAGES:
            continue
        name = PARCEL.format(p.id)
        text = (data.get(name) or "").strip().replace(",", "")
        if not text:
            continue
        unit = "hectares" if SIZE_UNITS[p.module] == "ha" else "kilometres"
        try:
            value = Decimal(text)
        except InvalidOperation:
            problems[name] = f"Enter the {unit} of {p.habitat} (parcel {p.ref}) as a number, like 0.5"
            continue
        if not value.is_finite() or value <= 0:
            problems[name] = f"Enter the {unit} of {p.habitat} (parcel {p.ref}) as a number greater than 0"
            continue
        if -value.as_tuple().exponent > MAX_DECIMALS:  # type: ignore[operator]
            problems[name] = f"Enter the {unit} of {p.habitat} (parcel {p.ref}) to 6 decimal places at most"
            continue
        assert p.id is not None
        asked.append(Request(p.id, value))
    return asked, problems


def _problems(
    form: AllocationForm, err: Invalid | Conflict, quantity_errors: dict[str, str], view: SiteView
) -> list[dict[str, str]]:
    """Put the service's problems on the form's fields and the parcels' inputs; return the rest."""
    first = PARCEL.format(sellable(view)[0].id) if sellable(view) else "method"
    other: list[dict[str, str]] = []
    rest: list[Problem] = []
    for p in err.problems:
        if p.field.startswith("parcel-"):
            quantity_errors.setdefault(p.field, p.message)
        elif p.field == "parcels":
            other.append({"text": p.message, "href": f"#{first}"})
        else:
            rest.append(p)
    other += show_problems(form, Invalid(err.message, rest)) if rest else []
    return other


def _form_page(
    view: SiteView,
    form: AllocationForm,
    quantity_errors: dict[str, str] | None = None,
    other: list[dict[str, str]] | None = None,
    status: int = 200,
    values: MultiDict[str, str] | None = None,
) -> ResponseReturnValue:
    listed = [{"text": m, "href": f"#{name}"} for name, m in (quantity_errors or {}).items()]
    return (
        render_template(
            "allocate/form.html",
            view=view,
            form=form,
            parcels=sellable(view),
            quantity_errors=quantity_errors or {},
            values=request.form if values is None else values,
            other=(other or []) + listed,
            needs_consent=services().allocations.needs_consent(actor(), view.site.reference),
        ),
        status,
    )


def _check_page(
    view: SiteView, plan: AllocationPlan, form: ConfirmAllocationForm, other: list[dict[str, str]] | None = None
) -> ResponseReturnValue:
    hidden = {f"parcel-{ln.parcel.id}": f"{ln.size:.6f}" for ln in plan.lines} if not plan.metric else {}
    return (
        render_template(
            "allocate/check.html",
            view=view,
            plan=plan,
            form=form,
            hidden=hidden,
            other=other or [],
            change=_change_url(plan, form),
        ),
        400 if other or form.errors else 200,
    )


ANSWERS = ("lpa_id", "planning_reference", "development_name", "grid_reference", "method", "metric_file_id")


def _change_url(plan: AllocationPlan, form: ConfirmAllocationForm) -> str:
    """The form again, with the answers being checked in its query: "Change" keeps what was given.

    Nothing is saved before the allocation is recorded; the answers travel with the pages.
    """
    args: dict[str, str] = {name: str(form[name].data or "") for name in ANSWERS}
    if plan.metric_file is not None:
        args["metric_file_id"] = str(plan.metric_file.id)
    if not plan.metric:
        for ln in plan.lines:
            args[PARCEL.format(ln.parcel.id)] = plain(ln.size)
    query: dict[str, Any] = {k: v for k, v in args.items() if v}
    return url_for("allocate.start", reference=plan.site.reference, **query)


@bp.get("/allocations")
@requires(Permission.ALLOCATE)
def mine() -> ResponseReturnValue:
    """The allocations one has made (a developer or landowner), and where to start a new one."""
    return render_template("allocate/list.html", allocations=services().allocations.mine(actor()), find=FindSiteForm())


@bp.get("/allocations/new")
@requires(Permission.ALLOCATE)
def find() -> ResponseReturnValue:
    """Find the gain site an allocation will use units from, by its reference."""
    form = FindSiteForm(request.args)
    reference = (form.reference.data or "").strip().upper()
    if reference:
        try:
            found = services().register.site(reference, include_removed=False)
        except NotFound:
            form.reference.errors = [f"There is no gain site {reference[:20]} on the register: check the reference"]
        else:
            return redirect(url_for("allocate.start", reference=found.site.reference))
    elif "reference" in request.args:
        form.reference.errors = ["Enter the gain site's reference, like BGS-221126001"]
    status = 400 if form.reference.errors else 200
    return render_template("allocate/find.html", form=form), status


@bp.route("/register/<reference>/allocate", methods=["GET", "POST"])
@requires(Permission.ALLOCATE)
def start(reference: str) -> ResponseReturnValue:
    """The allocation form for a gain site: the development and the units it uses (a developer or landowner)."""
    view = services().register.site(reference, include_removed=False)
    form = AllocationForm()
    _lpa_choices(form)
    if request.method == "GET":  # with answers in the query when they come back from the check page to change
        for name in ANSWERS:
            if request.args.get(name):
                form[name].data = request.args[name]
        if not form.method.data:
            form.method.data = "parcels"
        return _form_page(view, form, values=request.args)
    form.validate()
    if "csrf_token" in form.errors:
        abort(400, "The form had expired")
    asked, quantity_errors = _quantities(view, request.form)
    method = form.method.data
    metric = uploads("metric_file").get("metric_file")
    raw_id = (form.metric_file_id.data or "").strip()
    kept = int(raw_id) if raw_id.isdigit() and metric is None and method == "metric" else None  # uploaded before
    if method not in ("parcels", "metric"):
        form.method.errors = ["Select how you want to say what the development uses"]
    elif method == "metric" and metric is None and kept is None:
        form.metric_file.errors = ["Select the development's metric"]
    try:
        plan = services().allocations.plan(
            actor(),
            view.site.reference,
            _development(form),
            asked if method == "parcels" else (),
            metric=metric if method == "metric" else None,
            metric_file_id=kept,
        )
    except (Invalid, Conflict) as err:
        if method not in ("parcels", "metric"):
            err = Invalid(err.message, [p for p in err.problems if p.field != "parcels"] or [Problem("", "")])
        other = [o for o in _problems(form, err, quantity_errors, view) if o["text"]]
        return _form_page(view, form, quantity_errors, other, 400)
    if quantity_errors or form.errors:
        return _form_page(view, form, quantity_errors, [], 400)
    confirm = ConfirmAllocationForm(formdata=None, obj=None, data=_answers(form, plan))
    return _check_page(view, plan, confirm)


def _answers(form: AllocationForm, plan: AllocationPlan) -> dict[str, Any]:
    return {name: form[name].data for name in ANSWERS} | {
        "metric_file_id": str(plan.metric_file.id) if plan.metric_file else ""
    }


@bp.post("/register/<reference>/allocate/confirm")
@requires(Permission.ALLOCATE)
def confirm(reference: str) -> ResponseReturnValue:
    """Check the allocation's answers and, when confirmed, record it."""
    view = services().register.site(reference, include_removed=False)
    form = ConfirmAllocationForm()
    _lpa_choices(form)
    form.validate()
    if "csrf_token" in form.errors:
        abort(400, "The form had expired")
    raw_id = (form.metric_file_id.data or "").strip()
    metric_file_id = int(raw_id) if raw_id.isdigit() else None
    asked, quantity_errors = _quantities(view, request.form)
    if quantity_errors:
        abort(400, "The quantities were changed on the way")
    consent: Upload | None = uploads("consent_file").get("consent_file")
    development = _development(form)
    lines = asked if metric_file_id is None else ()
    token = once(form, "allocation.confirm")
    try:
        made = (
            services()
            .allocations.allocate(
                actor(),
                view.site.reference,
                development,
                lines,
                metric_file_id=metric_file_id,
                consent=consent,
                once=token,
            )
            .reference
        )
    except AlreadyDone as done:  # the same confirmation again (a double click): where the first one went
        made = done.target
    except (Invalid, Conflict) as err:
        # the allocation as it would be now (someone may have taken units meanwhile), with what is wrong
        try:
            plan = services().allocations.plan(
                actor(), view.site.reference, development, lines, metric_file_id=metric_file_id
            )
        except (Invalid, Conflict) as again:
            start_form = AllocationForm(formdata=None, data=form.data)
            _lpa_choices(start_form)
            fresh = services().register.site(reference, include_removed=False)
            other = _problems(start_form, again, quantity_errors, fresh)
            return _form_page(fresh, start_form, quantity_errors, other, 400)
        said = [{"text": err.message, "href": "#main-content"}]
        other = show_problems(form, err) if isinstance(err, Invalid) else said
        return _check_page(view, plan, form, other)
    flash(f"Allocation {made} recorded")
    return redirect(url_for("allocate.allocation", reference=made))


@bp.get("/allocations/<reference>")
@requires(Permission.ALLOCATE)
def allocation(reference: str) -> ResponseReturnValue:
    """An allocation one made (a developer or landowner): its units, spatial risk, fee and status."""
    return _allocation_page(reference)


def _allocation_page(
    reference: str, form: forms.PaymentForm | None = None, other: list[dict[str, str]] | None = None
) -> ResponseReturnValue:
    view = services().allocations.view(actor(), reference)
    return (
        render_template(
            "allocate/allocation.html", view=view, payment_form=form or forms.PaymentForm(), other=other or []
        ),
        400 if other or (form is not None and form.errors) else 200,
    )


@bp.get("/review/allocations/<reference>")
@requires(Permission.RECORD_PAYMENTS)
def casework(reference: str) -> ResponseReturnValue:
    """An allocation as the register team sees it, where they record its fee."""
    return _allocation_page(reference)


@bp.post("/review/allocations/<reference>/payment")
@requires(Permission.RECORD_PAYMENTS)
def payment(reference: str) -> ResponseReturnValue:
    """Record an allocation's fee received (the register team)."""
    form = forms.PaymentForm()
    if not form.validate_on_submit():
        return _allocation_page(reference, form)
    try:
        services().payments.record_payment(
            actor(), reference, form.received_on.data, form.method.data or "", once=once(form, "allocation.payment")
        )
    except AlreadyDone:
        pass  # recorded by the same form a moment ago
    except Invalid as err:
        return _allocation_page(reference, form, show_problems(form, err))
    flash("Payment recorded")
    return redirect(url_for("allocate.casework", reference=reference))
