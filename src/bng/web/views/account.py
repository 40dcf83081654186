"""Creating an account, signing in and out, and the signed-in person's start page."""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.wrappers import Response  # what redirect() makes

from bng.register.accounts.service import Attempt, CodeNeeded
from bng.register.accounts.settings import STAFF_ROLES
from bng.register.core.model import APPLICATION_STATUS_LABELS
from bng.register.core.roles import Permission, Role, can

from ..forms import CodeForm, CreateAccountForm, LinkForm, SignInForm, SignOutForm, VerifyEmailForm
from ..links import absolute
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


DEVICE_COOKIE = "bng_device"
DEVICE_AGE = timedelta(days=365)


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="bng-device")


def _device(email: str) -> str | None:
    """The nonce of this browser's device cookie, if it was given when this email address signed in here."""
    try:
        found = _signer().loads(request.cookies.get(DEVICE_COOKIE, ""))
    except BadSignature:
        return None
    if isinstance(found, dict) and found.get("e") == email.strip().lower() and isinstance(found.get("n"), str):
        return str(found["n"])
    return None


def _signed_in(token: str, target: str | None = None) -> Response:
    """Start the session, go where the person is going, and remember this browser as theirs.

    The device cookie means signing in here is not slowed by failures elsewhere.
    """
    sign_in_session(token)
    user = services().accounts.user_for(token)
    assert user is not None
    homes = {"case_worker": "review.queue", "lpa_officer": "lpa.dashboard", "landowner": "apply.applications"}
    response = redirect(target or url_for(homes.get(user.role, "account.dashboard")))
    nonce = _device(user.email) or secrets.token_urlsafe(16)
    response.set_cookie(
        DEVICE_COOKIE,
        _signer().dumps({"e": user.email, "n": nonce}),
        max_age=int(DEVICE_AGE.total_seconds()),
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
    return response


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> ResponseReturnValue:
    """The sign-in page: email address and password."""
    form = SignInForm()

    def enter() -> ResponseReturnValue:
        email = form.email.data or ""
        attempt = Attempt(client=request.remote_addr or "", device=_device(email))
        try:
            token = services().accounts.sign_in(
                email, form.password.data or "", attempt, link=lambda t: absolute("account.sign_in_link", token=t)
            )
        except CodeNeeded as needed:
            return _ask_code(needed, safe_next(request.args.get("next")))
        return _signed_in(token, safe_next(request.args.get("next")))

    return form_page(form, enter, "account/sign_in.html")


PENDING = "pending_code"


def _ask_code(needed: CodeNeeded, target: str | None) -> Response:
    """The password was right and the account asks for its authenticator's code.

    The pending sign-in's token waits in this browser's (signed) session, for the code page.
    """
    session.clear()
    session[PENDING] = {"token": needed.token, "next": target or ""}
    return redirect(url_for("account.sign_in_code"))


@bp.route("/sign-in/code", methods=["GET", "POST"])
def sign_in_code() -> ResponseReturnValue:
    """The sign-in's second step: the code from the account's authenticator app."""
    pending = session.get(PENDING)
    form = CodeForm()
    if not isinstance(pending, dict) or not isinstance(pending.get("token"), str):  # none started in this browser
        gone = [{"text": "This sign-in has expired. Sign in again", "href": "#main-content"}]
        return render_template(
            "account/sign_in_code.html", form=None, other=gone
        ), 400 if request.method == "POST" else 200

    def finish() -> ResponseReturnValue:
        token = services().accounts.sign_in_with_code(pending["token"], form.code.data or "")
        return _signed_in(token, safe_next(pending.get("next")) or None)

    return form_page(form, finish, "account/sign_in_code.html")


@bp.route("/sign-in/link/<token>", methods=["GET", "POST"])
def sign_in_link(token: str) -> ResponseReturnValue:
    """A sign-in link sent by email, used by a post from its page (a mail scanner's GET signs nobody in)."""
    form = LinkForm()

    def use() -> ResponseReturnValue:
        try:
            return _signed_in(services().accounts.use_sign_in_link(token))
        except CodeNeeded as needed:
            return _ask_code(needed, None)

    return form_page(
        form, use, "account/link.html", heading="Finish signing in", again=url_for("account.sign_in"),
        again_text="Sign in again",
    )  # fmt: skip


@bp.post("/sign-out")
def sign_out() -> ResponseReturnValue:
    """Sign out of this browser."""
    form = SignOutForm()
    if form.validate_on_submit():
        services().accounts.sign_out(session.get("token"))
    session.clear()
    flash("You have signed out")
    return redirect(url_for("public.home"))


@bp.route("/create-account", methods=["GET", "POST"])
def create_account() -> ResponseReturnValue:
    """The same answer whether or not the address has an account: check your email (which says which)."""
    form = CreateAccountForm()

    def create() -> ResponseReturnValue:
        new = new_account(form, organisation=form.organisation.data or "")
        services().accounts.sign_up(
            new,
            link=lambda t: absolute("account.confirm_account", token=t),
            sign_in=absolute("account.sign_in"),
            client=request.remote_addr or "",
        )
        return render_template("account/check_email.html", email=new.email.strip())

    return form_page(form, create, "account/create.html")


@bp.route("/create-account/confirm/<token>", methods=["GET", "POST"])
def confirm_account(token: str) -> ResponseReturnValue:
    """The link that confirms a new account's email address and creates the account."""
    form = LinkForm()

    def confirm() -> ResponseReturnValue:
        response = _signed_in(services().accounts.confirm_account(token), url_for("account.dashboard"))
        flash("Your account has been created")
        return response

    return form_page(
        form, confirm, "account/link.html", heading="Finish creating your account",
        again=url_for("account.create_account"), again_text="Create your account again",
    )  # fmt: skip


@bp.get("/account")
@requires()
def dashboard() -> ResponseReturnValue:
    """The account page: the details, what the person has, and the ways to manage the account.

    What they have: applications, gain sites, allocations and credit orders.
    """
    who = actor()
    assert who is not None
    s = services()
    held = s.account_settings.holdings(who)
    allocations = s.allocations.mine(who) if can(who.role, Permission.ALLOCATE) else []
    orders = s.credits.orders.mine(who) if can(who.role, Permission.BUY_CREDITS) else []
    return render_template(
        "account/dashboard.html",
        home=_home_for_actor(),
        held=held,
        allocations=allocations,
        orders=orders,
        staff=Role(who.role) in STAFF_ROLES,
        status_labels=APPLICATION_STATUS_LABELS,
        verify_form=VerifyEmailForm(),
    )
