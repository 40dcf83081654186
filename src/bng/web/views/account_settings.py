"""One's own account: its password, email address, sign-outs and second factor.

A forgotten password, changing the password or email address, verifying the address, signing out everywhere,
and a staff member's authenticator (second factor).
"""

from __future__ import annotations

from contextlib import suppress

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from wtforms import PasswordField

from bng.register.accounts.settings import RESET_USED, STAFF_ROLES
from bng.register.core.roles import Role
from bng.register.core.submissions import AlreadyDone

from ..forms import LinkForm, VerifyEmailForm, submit, text
from ..links import absolute
from ..once import OnceForm, once
from ..security import actor, requires, services
from ..widgets import GovPasswordInput
from .common import form_page

bp = Blueprint("account_settings", __name__)

NEW_PASSWORD_HINT = "At least 10 characters. A few unrelated words make a strong password."


def _password(label: str, hint: str = "") -> PasswordField:
    return PasswordField(label, description=hint, widget=GovPasswordInput())


class ForgotForm(FlaskForm):
    """The email address to send a link for a forgotten password to."""

    email = text("Email address", "The address you sign in with")
    submit = submit("Send a link")


class ResetForm(FlaskForm):
    """The new password set from a forgotten password's link."""

    password = _password("New password", NEW_PASSWORD_HINT)
    submit = submit("Set the new password")


class ChangePasswordForm(OnceForm):
    """A new password for one's account, with the current one."""

    current_password = _password("Current password")
    password = _password("New password", NEW_PASSWORD_HINT)
    submit = submit("Change password")


class ChangeEmailForm(OnceForm):
    """A new email address for one's account, confirmed with the password."""

    email = text("New email address", "We will send a link to it: the change is made when it is opened")
    password = _password("Your password")
    submit = submit("Send a link")


class EverywhereForm(OnceForm):
    """The confirmation that signs one's account out in every browser."""

    submit = submit("Sign out everywhere")


class AuthenticatorForm(OnceForm):
    """The code that turns on an authenticator app as a staff member's second factor."""

    code = text("Code from the app", "The 6-digit code the app shows for this account now")
    submit = submit("Turn on")


class RemoveAuthenticatorForm(OnceForm):
    """The password that turns off one's authenticator app."""

    password = _password("Your password")
    submit = submit("Stop asking for a code")


@bp.route("/forgot-password", methods=["GET", "POST"])
def forgot_password() -> ResponseReturnValue:
    """The same answer whether or not the address has an account: check your email (which says which)."""
    form = ForgotForm()

    def send() -> ResponseReturnValue:
        email = (form.email.data or "").strip()
        services().account_settings.forgot_password(
            email,
            link=lambda t: absolute("account_settings.reset_password", token=t),
            create=absolute("account.create_account"),
            client=request.remote_addr or "",
        )
        return render_template("account/reset_sent.html", email=email)

    return form_page(form, send, "account/forgot.html")


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> ResponseReturnValue:
    """Opening the link uses nothing (a mail scanner may); setting the password uses it."""
    form = ResetForm()
    if request.method == "GET" and not services().account_settings.reset_link_works(token):
        return render_template(
            "account/reset.html", form=None, other=[{"text": RESET_USED, "href": "#main-content"}]
        ), 400

    def reset() -> ResponseReturnValue:
        services().account_settings.reset_password(token, form.password.data or "")
        session.clear()
        flash("Your password has been changed and your account signed out everywhere. Sign in with the new password")
        return redirect(url_for("account.sign_in"))

    return form_page(form, reset, "account/reset.html")


@bp.route("/account/password", methods=["GET", "POST"])
@requires()
def change_password() -> ResponseReturnValue:
    """Change one's password (any signed-in person)."""
    form = ChangePasswordForm()

    def change() -> ResponseReturnValue:
        with suppress(AlreadyDone):  # changed by the same form a moment ago
            services().account_settings.change_password(
                actor(), form.current_password.data or "", form.password.data or "", session.get("token"),
                once=once(form, "account.password"),
            )  # fmt: skip
        flash("Your password has been changed. Your account has been signed out everywhere else")
        return redirect(url_for("account.dashboard"))

    return form_page(form, change, "account/change_password.html")


@bp.route("/account/email", methods=["GET", "POST"])
@requires()
def change_email() -> ResponseReturnValue:
    """Change one's email address: a link is sent to the new one (any signed-in person)."""
    form = ChangeEmailForm()

    def change() -> ResponseReturnValue:
        email = (form.email.data or "").strip()
        with suppress(AlreadyDone):  # asked by the same form a moment ago: the link was sent then
            services().account_settings.change_email(
                actor(), form.password.data or "", email,
                link=lambda t: absolute("account_settings.confirm_email", token=t), once=once(form, "account.email"),
            )  # fmt: skip
        return render_template("account/email_sent.html", email=email)

    return form_page(form, change, "account/change_email.html")


@bp.route("/account/email/confirm/<token>", methods=["GET", "POST"])
def confirm_email(token: str) -> ResponseReturnValue:
    """The link that makes the change of email address."""
    form = LinkForm()

    def confirm() -> ResponseReturnValue:
        email = services().account_settings.confirm_email_change(token)
        flash(f"Your email address is now {email}")
        return redirect(url_for("account.dashboard") if actor() else url_for("account.sign_in"))

    return form_page(
        form, confirm, "account/link.html", heading="Confirm your new email address",
        again=url_for("account_settings.change_email"), again_text="Change your email address again",
    )  # fmt: skip


@bp.post("/account/verify-email")
@requires()
def send_verification() -> ResponseReturnValue:
    """Send a link that confirms one's email address (any signed-in person)."""
    form = VerifyEmailForm()
    if not form.validate_on_submit():
        abort(400)
    email = services().account_settings.send_verification(
        actor(), link=lambda t: absolute("account_settings.verify_email", token=t)
    )
    flash(f"We have sent a link to {email}. Open it to confirm your email address (it works for 24 hours)")
    return redirect(url_for("account.dashboard"))


@bp.route("/account/verify-email/<token>", methods=["GET", "POST"])
def verify_email(token: str) -> ResponseReturnValue:
    """The link that confirms an account's email address."""
    form = LinkForm()

    def verify() -> ResponseReturnValue:
        services().account_settings.verify_email(token)
        flash("Your email address is confirmed")
        return redirect(url_for("account.dashboard") if actor() else url_for("account.sign_in"))

    return form_page(
        form, verify, "account/link.html", heading="Confirm your email address",
        again=url_for("account.dashboard"), again_text="Go to your account to ask for a new link",
    )  # fmt: skip


@bp.route("/account/sign-out-everywhere", methods=["GET", "POST"])
@requires()
def sign_out_everywhere() -> ResponseReturnValue:
    """Sign one's account out in every browser (any signed-in person)."""
    form = EverywhereForm()

    def end() -> ResponseReturnValue:
        with suppress(AlreadyDone):
            services().account_settings.sign_out_everywhere(actor(), once=once(form, "account.sign_out_everywhere"))
        session.clear()
        flash("Your account has been signed out everywhere, here too")
        return redirect(url_for("account.sign_in"))

    return form_page(form, end, "account/sign_out_everywhere.html")


def _staff_only() -> None:
    who = actor()
    if who is None or Role(who.role) not in STAFF_ROLES:
        abort(403)


@bp.route("/account/authenticator", methods=["GET", "POST"])
@requires()
def authenticator() -> ResponseReturnValue:
    """Add an authenticator app: its secret (typed in, or the otpauth URI), then a code from it."""
    _staff_only()
    user = services().accounts.user_for(session.get("token"))
    if user is not None and user.totp_enabled_at is not None:
        return render_template("account/authenticator.html", enabled=True, form=None, other=[])
    secret, uri = services().account_settings.begin_second_factor(actor())
    form = AuthenticatorForm()

    def turn_on() -> ResponseReturnValue:
        with suppress(AlreadyDone):
            services().account_settings.enable_second_factor(
                actor(), form.code.data or "", once=once(form, "account.authenticator")
            )
        flash("Signing in now needs a code from your authenticator app as well as your password")
        return redirect(url_for("account.dashboard"))

    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return form_page(form, turn_on, "account/authenticator.html", enabled=False, secret=grouped, uri=uri)


@bp.route("/account/authenticator/remove", methods=["GET", "POST"])
@requires()
def remove_authenticator() -> ResponseReturnValue:
    """Turn off a staff member's authenticator app, with their password."""
    _staff_only()
    form = RemoveAuthenticatorForm()

    def turn_off() -> ResponseReturnValue:
        with suppress(AlreadyDone):
            services().account_settings.disable_second_factor(
                actor(), form.password.data or "", once=once(form, "account.authenticator_off")
            )
        flash("Signing in no longer asks for a code from an authenticator app")
        return redirect(url_for("account.dashboard"))

    return form_page(form, turn_off, "account/authenticator_remove.html")
