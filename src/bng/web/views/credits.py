"""Statutory biodiversity credits: estimates, prices, a developer's orders and the LPA's proofs of purchase.

The public estimate and price table, a developer's order from draft to submission, its documents, and the
proofs of purchase an LPA receives.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from datetime import date, datetime
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SubmitField

from bng.register.core.errors import Invalid
from bng.register.core.roles import Permission
from bng.register.core.submissions import AlreadyDone, Once
from bng.register.credits.amounts import TIER_LABELS, TIERS, quantity_text, show_percent, show_quantity
from bng.register.credits.base import OrderView
from bng.register.credits.orders import SECTION_BY_KEY, SECTIONS, all_done, section_done
from bng.register.credits.records import STATUS_LABELS, OrderStatus

from .. import credit_forms as cf
from ..credit_summaries import SEARCH_HEAD, all_sections, gains_table, quote_table, search_rows
from ..filters import long_date, when
from ..forms import GovDateField, choices
from ..once import once
from ..security import actor, requires, services
from .common import problems_list, show_problems, uploads

bp = Blueprint("credits", __name__, url_prefix="/credits")
bp.add_app_template_filter(show_percent, "percent")
bp.add_app_template_filter(show_quantity, "credits")
bp.add_app_template_global(lambda status: STATUS_LABELS[OrderStatus(status)], "status_label")
bp.add_app_template_global(lambda tier: TIER_LABELS[tier], "tier_label")
bp.add_app_template_filter(lambda text: when(datetime.fromisoformat(text)) if text else "", "when_iso")

FORMS: dict[str, type[FlaskForm]] = {
    "development": cf.DevelopmentForm,
    "metric": cf.MetricForm,
    "quantities": cf.QuantitiesForm,
    "gain-hierarchy": cf.HierarchyForm,
    "purchase-order": cf.PurchaseOrderForm,
    "due-diligence": cf.DueDiligenceForm,
    "terms": cf.TermsForm,
}
STATUS_TAGS = {
    "completed": {"text": "Completed"},
    "not_started": {"tag": {"text": "Not yet started", "classes": "govuk-tag--blue"}},
}
TAG_CLASSES = {
    OrderStatus.DRAFT: "govuk-tag--grey",
    OrderStatus.SUBMITTED: "govuk-tag--blue",
    OrderStatus.DUE_DILIGENCE_PASSED: "govuk-tag--light-blue",
    OrderStatus.DUE_DILIGENCE_FAILED: "govuk-tag--red",
    OrderStatus.INVOICE_ISSUED: "govuk-tag--yellow",
    OrderStatus.PAID: "govuk-tag--turquoise",
    OrderStatus.ALLOCATED: "govuk-tag--green",
    OrderStatus.SENT_TO_LPA: "govuk-tag--green",
    OrderStatus.WITHDRAWN: "govuk-tag--grey",
    OrderStatus.CANCELLED: "govuk-tag--grey",
    OrderStatus.REFUNDED: "govuk-tag--orange",
}


def _pdf(name: str, data: bytes, media_type: str) -> Response:
    response = Response(data, mimetype=media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _valid(form: FlaskForm) -> bool:
    """Whether a posted form holds no problems; a bad CSRF token is a bad request, not a problem to show."""
    form.validate()
    if "csrf_token" in form.errors:
        abort(400)
    return not form.errors


# -- public: the estimate and the price table ------------------------------------------------------------


@bp.route("/estimate", methods=["GET", "POST"])
def estimate() -> ResponseReturnValue:
    """The public estimate of the statutory biodiversity credits a development needs, and their price."""
    form = cf.EstimateForm()
    if request.method == "GET":
        form.on.data = services().credits.estimates.today()
    result = None
    other: list[dict[str, str]] = []
    status = 200
    if request.method == "POST":
        status = 400
        if _valid(form):
            try:
                result = _estimate(form)
                status = 200
            except Invalid as err:
                other = show_problems(form, err)
    table, vat = None, None
    if result is not None:
        if result.quote.lines:
            caption = f"Credits needed and their cost, with prices in force on {long_date(result.on)}"
            table = quote_table(result.quote, result.metric, caption)
        rates = services().credits.prices.table(result.on).vat_rates
        vat = next((r for r in rates if r.valid_from == result.quote.vat_valid_from), None)
    return (
        render_template("credits/estimate.html", form=form, other=other, result=result, table=table, vat=vat),
        status,
    )


def _estimate(form: cf.EstimateForm) -> Any:
    estimates = services().credits.estimates
    if form.method.data == "metric":
        upload = uploads("metric_file").get("metric_file")
        return estimates.from_metric(upload.filename if upload else "", upload.data if upload else b"", form.on.data)
    if form.method.data == "typed":
        return estimates.from_quantities({f.name: f.data or "" for f in form.quantity_fields()}, form.on.data)
    raise Invalid.one("method", "Select whether to upload a metric or type the credits")


@bp.get("/prices")
def prices() -> ResponseReturnValue:
    """The public table of credit prices and VAT rates, with the dates they apply from."""
    return _prices_page()


def _prices_page(active: FlaskForm | None = None, other: list[dict[str, str]] | None = None) -> ResponseReturnValue:
    """The price table, with the form just sent (``active``) and its problems when it was refused."""
    table = services().credits.prices.table()
    return (
        render_template(
            "credits/prices.html",
            prices=table,
            price_form=active if isinstance(active, cf.PriceForm) else cf.PriceForm(prefix="price"),
            vat_form=active if isinstance(active, cf.VatForm) else cf.VatForm(prefix="vat"),
            remove_form=cf.RemoveForm(),
            other=other or [],
            active=active,
        ),
        400 if other is not None else 200,
    )


def _add_to_prices(form: FlaskForm, add: Callable[[Once], str], action: str, repeated: str) -> ResponseReturnValue:
    """A price and a VAT rate are added alike.

    The page again with the form's problems, or back to the table with what was added (``repeated`` for the
    same form sent again).
    """
    if not form.validate_on_submit():
        return _prices_page(form, [])
    try:
        message = add(once(form, action))  # type: ignore[arg-type]
    except AlreadyDone:
        message = repeated
    except Invalid as err:
        return _prices_page(form, show_problems(form, err))
    flash(message)
    return redirect(url_for("credits.prices"))


def _remove_from_prices(remove: Callable[..., object], row_id: int, message: str, action: str) -> ResponseReturnValue:
    """A price and a VAT rate are removed alike (once: the same form again is told the same)."""
    form = cf.RemoveForm()
    if not form.validate_on_submit():
        abort(400)
    with suppress(AlreadyDone):
        remove(actor(), row_id, once=once(form, action))
    flash(message)
    return redirect(url_for("credits.prices"))


@bp.post("/prices")
@requires(Permission.MANAGE_CREDIT_PRICES)
def add_price() -> ResponseReturnValue:
    """Add a price per credit of a tier from a date (a case worker)."""
    form = cf.PriceForm(prefix="price")

    def add(token: Once) -> str:
        row = services().credits.prices.add_price(
            actor(), form.tier.data or "", form.price.data, form.valid_from.data, form.source.data, once=token
        )
        return f"Price added: tier {row.tier} from {row.valid_from.day} {row.valid_from:%B %Y}"

    return _add_to_prices(form, add, "credit_price.add", "Price added")


@bp.post("/prices/vat")
@requires(Permission.MANAGE_CREDIT_PRICES)
def add_vat_rate() -> ResponseReturnValue:
    """Add a VAT rate on credits from a date (a case worker)."""
    form = cf.VatForm(prefix="vat")

    def add(token: Once) -> str:
        row = services().credits.prices.add_vat_rate(
            actor(), form.rate.data, form.vat_valid_from.data, form.source.data, once=token
        )
        return f"VAT rate added from {row.valid_from.day} {row.valid_from:%B %Y}"

    return _add_to_prices(form, add, "vat_rate.add", "VAT rate added")


@bp.post("/prices/<int:price_id>/remove")
@requires(Permission.MANAGE_CREDIT_PRICES)
def remove_price(price_id: int) -> ResponseReturnValue:
    """Remove a price not yet in force (a case worker)."""
    return _remove_from_prices(services().credits.prices.remove_price, price_id, "Price removed", "credit_price.remove")


@bp.post("/prices/vat/<int:rate_id>/remove")
@requires(Permission.MANAGE_CREDIT_PRICES)
def remove_vat_rate(rate_id: int) -> ResponseReturnValue:
    """Remove a VAT rate not yet in force (a case worker)."""
    return _remove_from_prices(
        services().credits.prices.remove_vat_rate, rate_id, "VAT rate removed", "vat_rate.remove"
    )


# -- a developer's orders ------------------------------------------------------------------------------


@bp.get("/orders")
@requires(Permission.BUY_CREDITS)
def orders() -> ResponseReturnValue:
    """A developer's credit orders, and where to start a new one."""
    mine = services().credits.orders.mine(actor())
    return render_template("credits/orders.html", orders=mine, start=cf.StartOrderForm(), tags=TAG_CLASSES)


@bp.post("/orders")
@requires(Permission.BUY_CREDITS)
def start() -> ResponseReturnValue:
    """Start a new credit order (a developer; a double click starts one)."""
    form = cf.StartOrderForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        made = services().credits.orders.start(actor(), once=once(form, "credit_order.start")).reference
    except AlreadyDone as done:  # a double click starts one order
        made = done.target
    return redirect(url_for("credits.order", reference=made))


def _own(reference: str) -> OrderView:
    return services().credits.orders.own(actor(), reference)


@bp.get("/orders/<reference>")
@requires(Permission.BUY_CREDITS)
def order(reference: str) -> ResponseReturnValue:
    """A developer's credit order: its task list while a draft, then its status, invoice and proof of purchase."""
    view = _own(reference)
    orders_service = services().credits.orders
    if view.status == OrderStatus.DRAFT:
        answers = view.order.answers
        items = [
            {
                "title": {"text": s.title},
                "hint": {"text": s.hint},
                "href": url_for("credits.section", reference=view.order.reference, key=s.key),
                "status": STATUS_TAGS["completed" if section_done(answers, s.key) else "not_started"],
            }
            for s in SECTIONS
        ]
        ready = all_done(answers)
        items.append(
            {
                "title": {"text": "Check your answers and submit"},
                "href": url_for("credits.check", reference=view.order.reference) if ready else None,
                "status": {"tag": {"text": "Not yet started", "classes": "govuk-tag--blue"}}
                if ready
                else {"text": "Cannot start yet", "classes": "govuk-task-list__status--cannot-start-yet"},
            }
        )
        done = sum(section_done(answers, s.key) for s in SECTIONS)
        return render_template(
            "credits/task_list.html", view=view, items=items, done=done, total=len(SECTIONS), withdraw=cf.WithdrawForm()
        )
    return render_template(
        "credits/order.html",
        view=view,
        sections=all_sections(view, False),
        estimate=orders_service.estimate(view) if view.invoice is None else None,
        withdraw=cf.WithdrawForm(),
        tags=TAG_CLASSES,
    )


def _prefill(form: FlaskForm, view: OrderView, key: str) -> None:
    answers = view.order.answers.get(key) or {}
    for name, field in form._fields.items():
        if isinstance(field, FileField | SubmitField) or name == "csrf_token" or name not in answers:
            continue
        value = answers[name]
        if isinstance(field, GovDateField):
            field.data = date.fromisoformat(value) if isinstance(value, str) and value else None
        elif value is not None:
            field.data = value if isinstance(value, list) else str(value)
    if key == "quantities":
        saved = answers.get("by_tier") if section_done(view.order.answers, "quantities") else None
        metric = view.metric
        for tier in TIERS:
            n = (saved or {}).get(tier) if saved else (metric.needed.get(tier) if metric else None)
            getattr(form, f"quantity_{tier}").data = quantity_text(int(n)) if n else ""
    if key == "terms" and answers.get("accepted"):
        form.confirm.data = list(answers["accepted"])  # type: ignore[attr-defined]


def _values(form: FlaskForm) -> dict[str, Any]:
    return {
        name: field.data
        for name, field in form._fields.items()
        if not isinstance(field, FileField | SubmitField) and name != "csrf_token"
    }


@bp.route("/orders/<reference>/<key>", methods=["GET", "POST"])
@requires(Permission.BUY_CREDITS)
def section(reference: str, key: str) -> ResponseReturnValue:
    """A section of a draft credit order: its question page."""
    spec = SECTION_BY_KEY.get(key)
    if spec is None:
        abort(404)
    view = _own(reference)
    if view.status != OrderStatus.DRAFT:
        return redirect(url_for("credits.order", reference=view.order.reference))
    form = FORMS[key]()
    if key == "development":
        lpas = services().register.lpas()
        form.lpa_id.choices = choices(  # type: ignore[attr-defined]
            [(lpa.id, f"{lpa.name} ({lpa.ons_code})" if lpa.ons_code else lpa.name) for lpa in lpas],
            "Select the LPA",
        )
    other: list[dict[str, str]] = []
    status = 200
    if request.method == "GET":
        _prefill(form, view, key)
    else:
        status = 400
        if _valid(form):
            try:
                services().credits.orders.save_section(
                    actor(), reference, key, _values(form), uploads("metric_file") if key == "metric" else {}
                )
            except Invalid as err:
                other = show_problems(form, err)
            else:  # "Change" from check your answers goes back there
                back = "credits.check" if request.args.get("back") == "check" else "credits.order"
                return redirect(url_for(back, reference=view.order.reference))
    extra: dict[str, Any] = {}
    metric = view.metric
    if key == "gain-hierarchy" and metric is not None:
        extra["gains"] = gains_table(metric)
        evidence = services().credits.orders.register_search(view)
        extra["evidence"] = evidence
        extra["search_rows"] = search_rows(evidence) if evidence else []
    if key == "quantities" and metric is not None:
        extra["needed"] = {t: show_quantity(metric.needed.get(t)) for t in TIERS}
    return (
        render_template(
            f"credits/sections/{key}.html",
            form=form,
            view=view,
            spec=spec,
            other=other,
            metric=metric,
            search_head=SEARCH_HEAD,
            **extra,
        ),
        status,
    )


def _check_page(view: OrderView, problems: list[dict[str, Any]], status: int = 200) -> ResponseReturnValue:
    orders_service = services().credits.orders
    q = orders_service.estimate(view)
    evidence = orders_service.register_search(view)
    return (
        render_template(
            "credits/check.html",
            view=view,
            sections=all_sections(view, True),
            problems=problems,
            form=cf.SubmitOrderForm(),
            table=quote_table(q, caption="Estimated cost at today's prices") if q else None,
            evidence=evidence,
            search_rows=search_rows(evidence) if evidence else [],
            search_head=SEARCH_HEAD,
        ),
        status,
    )


@bp.get("/orders/<reference>/check")
@requires(Permission.BUY_CREDITS)
def check(reference: str) -> ResponseReturnValue:
    """Check your answers before submitting a credit order (a developer)."""
    view = _own(reference)
    if view.status != OrderStatus.DRAFT:
        return redirect(url_for("credits.order", reference=view.order.reference))
    return _check_page(view, [])


@bp.post("/orders/<reference>/submit")
@requires(Permission.BUY_CREDITS)
def submit(reference: str) -> ResponseReturnValue:
    """Submit a credit order (a developer; once, whatever the clicks)."""
    form = cf.SubmitOrderForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services().credits.orders.submit(actor(), reference, once=once(form, "credit_order.submit"))
    except AlreadyDone:
        pass  # submitted by the same form a moment ago
    except Invalid as err:
        return _check_page(_own(reference), problems_list(err.problems), 400)
    return redirect(url_for("credits.confirmation", reference=reference))


@bp.get("/orders/<reference>/confirmation")
@requires(Permission.BUY_CREDITS)
def confirmation(reference: str) -> ResponseReturnValue:
    """The credit order's confirmation page: submitted, and what happens next."""
    view = _own(reference)
    if view.status == OrderStatus.DRAFT:
        return redirect(url_for("credits.order", reference=view.order.reference))
    return render_template("credits/confirmation.html", view=view)


@bp.post("/orders/<reference>/withdraw")
@requires(Permission.BUY_CREDITS)
def withdraw(reference: str) -> ResponseReturnValue:
    """Withdraw a credit order (a developer)."""
    form = cf.WithdrawForm()
    if not form.validate_on_submit():
        abort(400)
    with suppress(AlreadyDone):  # withdrawn by the same form a moment ago
        services().credits.orders.withdraw(
            actor(), reference, form.reason.data or "", once=once(form, "credit_order.withdraw")
        )
    flash("The order has been withdrawn")
    return redirect(url_for("credits.order", reference=reference))


@bp.get("/orders/<reference>/metric-file")
@requires()
def metric(reference: str) -> ResponseReturnValue:
    """The development's metric uploaded with a credit order (its developer and the register team)."""
    stored, data = services().credits.orders.metric_file(actor(), reference)
    return _pdf(stored.name, data, stored.media_type)


@bp.get("/orders/<reference>/proof-of-purchase.pdf")
@requires()
def proof(reference: str) -> ResponseReturnValue:
    """A credit order's proof of purchase PDF, once issued (those who may see the order)."""
    stored, data = services().credits.fulfilment.proof(actor(), reference)
    return _pdf(stored.name, data, stored.media_type)


# -- an LPA's proofs of purchase ----------------------------------------------------------------------


@bp.get("/lpa")
@requires(Permission.VIEW_LPA_CREDITS)
def lpa_proofs() -> ResponseReturnValue:
    """The proofs of purchase of statutory biodiversity credits sent to an LPA officer's authority."""
    lpa, proofs = services().credits.fulfilment.for_lpa(actor())
    return render_template("credits/lpa.html", lpa=lpa, proofs=proofs)
