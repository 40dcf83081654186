"""Creating an account, signing in and out, and the signed-in person's start page."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from bng.register.roles import Permission, can

from ..forms import CreateAccountForm, SignInForm, SignOutForm
from ..security import actor, requires, safe_next, services, sign_in_session
from .common import form_page, new_account

bp = Blueprint("account", __name__)


def _home_for_actor() -> str:
    who = actor()
    if who is None:
        return url_for("public.home")
    if can(who.role, Permission.REVIEW_APPLICATIONS):
        return url_for("review.queue")
    if can(who.role, Permission.VIEW_LPA_CASES):
        return url_for("lpa.dashboard")
    if can(who.role, Permission.APPLY_TO_REGISTER):
        return url_for("apply.applications")
    return url_for("account.dashboard")


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> ResponseReturnValue:
    form = SignInForm()

    def enter() -> ResponseReturnValue:
        token = services().accounts.sign_in(form.email.data or "", form.password.data or "")
        sign_in_session(token)
        target = safe_next(request.args.get("next"))
        if target:
            return redirect(target)
        user = services().accounts.user_for(token)
        if user is not None and user.role == "case_worker":
            return redirect(url_for("review.queue"))
        if user is not None and user.role == "lpa_officer":
            return redirect(url_for("lpa.dashboard"))
        if user is not None and user.role == "landowner":
            return redirect(url_for("apply.applications"))
        return redirect(url_for("account.dashboard"))

    return form_page(form, enter, "account/sign_in.html")


@bp.post("/sign-out")
def sign_out() -> ResponseReturnValue:
    form = SignOutForm()
    if form.validate_on_submit():
        services().accounts.sign_out(session.get("token"))
    session.clear()
    flash("You have signed out")
    return redirect(url_for("public.home"))


@bp.route("/create-account", methods=["GET", "POST"])
def create_account() -> ResponseReturnValue:
    form = CreateAccountForm()

    def create() -> ResponseReturnValue:
        new = new_account(form, organisation=form.organisation.data or "")
        services().accounts.create_account(new)
        token = services().accounts.sign_in(new.email, new.password)
        sign_in_session(token)
        flash("Your account has been created")
        return redirect(url_for("account.dashboard"))

    return form_page(form, create, "account/create.html")


@bp.get("/account")
@requires()
def dashboard() -> ResponseReturnValue:
    return render_template("account/dashboard.html", home=_home_for_actor())
