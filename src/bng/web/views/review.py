"""The register team's pages: the queue, a case, its decisions; amendments and removals."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm

from bng.register.core.errors import Conflict, Invalid, RegisterError
from bng.register.core.roles import Permission
from bng.register.core.submissions import AlreadyDone, Once

from .. import forms
from ..maps import site_map
from ..once import once, repeat_of
from ..security import actor, requires, services
from ..summaries import all_sections
from .common import problems_list, show_problems

bp = Blueprint("review", __name__, url_prefix="/review")
REQUESTED = "Further information requested; the applicant can now change their answers"


@bp.get("")
@requires(Permission.REVIEW_APPLICATIONS)
def queue() -> ResponseReturnValue:
    """The register team's queue of registration applications, and the latest decided."""
    review = services().review
    return render_template("review/queue.html", queue=review.queue(actor()), decided=review.decided(actor())[:20])


def _case_forms() -> dict[str, FlaskForm]:
    accept = forms.AcceptForm(prefix="accept")
    if not accept.is_submitted():
        accept.publish.data = ["legal_agreement", "hmmp", "metric", "habitat_map", "boundary_map", "boundary_document"]
    return {
        "payment": forms.PaymentForm(prefix="payment"),
        "refund": forms.RefundForm(prefix="refund"),
        "refund_card": forms.CardRefundForm(prefix="refund_card"),
        "info": forms.MessageForm(prefix="info"),
        "accept": accept,
        "reject": forms.RejectForm(prefix="reject"),
    }


def _case(
    reference: str, active: str = "", err: RegisterError | None = None, built: Mapping[str, FlaskForm] | None = None
) -> ResponseReturnValue:
    view = services().review.case(actor(), reference)
    case_forms = built or _case_forms()
    other: list[dict[str, str]] = []
    if err is not None and active:
        other = show_problems(case_forms[active], err)
    return (
        render_template(
            "review/case.html",
            view=view,
            sections=all_sections(view, False),
            forms=case_forms,
            paid_by_card=services().card_payments.paid_by_card([p.id for p in view.payments if p.id is not None]),
            active=active,
            other=other,
            checks=view.checks,
            errors=problems_list(view.checks.errors) if view.checks else [],
            warnings=problems_list(view.checks.warnings) if view.checks else [],
        ),
        400 if err is not None else 200,
    )


@bp.get("/applications/<reference>")
@requires(Permission.REVIEW_APPLICATIONS)
def case(reference: str) -> ResponseReturnValue:
    """A registration application's case page (a case worker)."""
    return _case(reference)


def _act(
    reference: str, name: str, action: Callable[[Any, Once], str], repeated: Callable[[str], str]
) -> ResponseReturnValue:
    """A decision's form: acted on once, or the case again with what is wrong.

    ``action`` says what was done; ``repeated`` says it again from what the first made, for the same form sent
    twice.
    """
    built = _case_forms()
    form = built[name]
    if (first := repeat_of(form, f"application.{name}")) is not None:  # type: ignore[arg-type]
        flash(repeated(first))  # the same form again: what the first did, before checks it changed the answer of
        return redirect(url_for("review.case", reference=reference))
    if not form.validate_on_submit():
        return _case(reference, name, Invalid("There is a problem", []), built)
    try:
        message = action(form, once(form, f"application.{name}"))  # type: ignore[arg-type]
    except AlreadyDone as done:
        message = repeated(done.target)
    except Invalid as err:
        return _case(reference, name, err, built)
    flash(message)
    return redirect(url_for("review.case", reference=reference))


@bp.post("/applications/<reference>/payment")
@requires(Permission.RECORD_PAYMENTS)
def payment(reference: str) -> ResponseReturnValue:
    """Record a registration fee received (a case worker)."""

    def act(form: forms.PaymentForm, token: Once) -> str:
        services().payments.record_payment(
            actor(), reference, form.received_on.data, form.method.data or "", form.payment.data or "", once=token
        )
        return "Payment recorded"

    return _act(reference, "payment", act, lambda _: "Payment recorded")


@bp.post("/applications/<reference>/refund")
@requires(Permission.RECORD_PAYMENTS)
def refund(reference: str) -> ResponseReturnValue:
    """Record a refund of a registration fee owed back to the applicant (a case worker)."""

    def act(form: forms.RefundForm, token: Once) -> str:
        view = services().review.case(actor(), reference)
        if not any(p.reference == form.payment.data and view.fee_standing(p) == "to_refund" for p in view.payments):
            raise Conflict("No fee on this application is to be refunded")
        made = services().payments.record_refund(
            actor(),
            form.payment.data or "",
            form.refunded_on.data,
            form.refund_method.data or "",
            form.refund_reference.data or "",
            application=reference,
            once=token,
        )
        return f"Refund recorded ({made.reference})"

    return _act(reference, "refund", act, lambda target: f"Refund recorded ({target})")


@bp.post("/applications/<reference>/refund-card")
@requires(Permission.RECORD_PAYMENTS)
def refund_card(reference: str) -> ResponseReturnValue:
    """Refund a registration fee paid by card, through GOV.UK Pay (a case worker)."""

    def act(form: forms.CardRefundForm, token: Once) -> str:
        made = services().card_payments.refund(actor(), form.payment.data or "", reference, once=token)
        return f"Refund made through GOV.UK Pay ({made.reference})"

    return _act(reference, "refund_card", act, lambda target: f"Refund made through GOV.UK Pay ({target})")


@bp.post("/applications/<reference>/request-information")
@requires(Permission.REVIEW_APPLICATIONS)
def request_information(reference: str) -> ResponseReturnValue:
    """Ask the applicant for further information (a case worker)."""

    def act(form: forms.MessageForm, token: Once) -> str:
        services().review.request_information(actor(), reference, form.message.data or "", once=token)
        return REQUESTED

    return _act(reference, "info", act, lambda _: REQUESTED)


@bp.post("/applications/<reference>/accept")
@requires(Permission.REVIEW_APPLICATIONS)
def accept(reference: str) -> ResponseReturnValue:
    """Accept a registration application: the gain site goes on the register (a case worker)."""

    def act(form: forms.AcceptForm, token: Once) -> str:
        site = services().review.accept(actor(), reference, form.publish.data or [], once=token)
        return f"Gain site {site.reference} is on the register"

    return _act(reference, "accept", act, lambda target: f"Gain site {target} is on the register")


@bp.post("/applications/<reference>/reject")
@requires(Permission.REVIEW_APPLICATIONS)
def reject(reference: str) -> ResponseReturnValue:
    """Reject a registration application, with reasons (a case worker)."""

    def act(form: forms.RejectForm, token: Once) -> str:
        services().review.reject(actor(), reference, form.reasons.data or "", once=token)
        return "Application rejected"

    return _act(reference, "reject", act, lambda _: "Application rejected")


@bp.route("/sites/<reference>", methods=["GET"])
@requires(Permission.AMEND_REGISTER)
def site(reference: str) -> ResponseReturnValue:
    """A registered gain site as the register team keeps it: amend it or remove it."""
    return _site(reference)


def _site(
    reference: str, active: str = "", err: RegisterError | None = None, built: Mapping[str, FlaskForm] | None = None
) -> ResponseReturnValue:
    view = services().register.site(reference)
    site_forms = built or {
        "amend": forms.SiteChangeForm(prefix="amend"),
        "remove": forms.SiteChangeForm(prefix="remove"),
    }
    other = show_problems(site_forms[active], err) if err is not None and active else []
    return (
        render_template("review/site.html", view=view, forms=site_forms, other=other, map_svg=site_map(view)),
        400 if err is not None else 200,
    )


def _site_act(reference: str, name: str) -> ResponseReturnValue:
    if name == "remove" and services().register.site(reference).allocations:
        # the page offers no removal for an allocated site; say why rather than point at a form it lacks
        raise Conflict(f"Gain site {reference.upper()} has allocations, so it cannot be removed from the register")
    built = {"amend": forms.SiteChangeForm(prefix="amend"), "remove": forms.SiteChangeForm(prefix="remove")}
    form = built[name]
    if not form.validate_on_submit():
        return _site(reference, name, Invalid("There is a problem", []), built)
    change = services().review.amend if name == "amend" else services().review.remove
    try:
        change(actor(), reference, form.on.data, form.description.data or "", once=once(form, f"site.{name}"))
    except AlreadyDone:
        pass  # recorded by the same form a moment ago
    except Invalid as err:
        return _site(reference, name, err, built)
    flash("Amendment recorded" if name == "amend" else "Gain site removed from the register")
    return redirect(url_for("review.site", reference=reference))


@bp.post("/sites/<reference>/amend")
@requires(Permission.AMEND_REGISTER)
def amend(reference: str) -> ResponseReturnValue:
    """Record an amendment to a registered gain site (a case worker)."""
    return _site_act(reference, "amend")


@bp.post("/sites/<reference>/remove")
@requires(Permission.AMEND_REGISTER)
def remove(reference: str) -> ResponseReturnValue:
    """Remove a gain site from the register (a case worker; not one with allocations)."""
    return _site_act(reference, "remove")
