"""Organisations and their members.

Yours, create one, its members, invite by email, accept an invitation, remove a member, change a member's role,
leave, close. Its API tokens are ``api_tokens``'s pages.
"""

from __future__ import annotations

from contextlib import suppress

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from wtforms import RadioField

from bng.register.accounts.organisations import KIND_LABELS, MAX_NAME, MemberRole
from bng.register.core.errors import Forbidden
from bng.register.core.submissions import AlreadyDone

from ..forms import LinkForm, opts, submit, text
from ..links import absolute
from ..once import OnceForm, once, repeat_of
from ..security import actor, requires, services
from ..widgets import GovRadioInput
from .common import form_page

bp = Blueprint("organisations", __name__, url_prefix="/organisations")

ROLE_LABELS = {
    MemberRole.ADMIN: "Admin: invites and removes members, makes and revokes API tokens",
    MemberRole.MEMBER: "Member",
}


class CreateForm(OnceForm):
    """A new organisation: its name and kind."""

    name = text("Organisation name", f"{MAX_NAME} characters or fewer")
    kind = RadioField("What kind of organisation is it?", widget=GovRadioInput(), validate_choice=False)
    submit = submit("Create organisation")


class InviteForm(OnceForm):
    """An invitation to join an organisation: the email address and the role."""

    email = text("Email address", "We will email a link to accept the invitation, which works once, for 7 days")
    role = RadioField(
        "Role",
        choices=opts([(r.value, label) for r, label in ROLE_LABELS.items()]),
        default=MemberRole.MEMBER.value,
        widget=GovRadioInput(),
        validate_choice=False,
    )
    submit = submit("Send invitation")


class RoleForm(OnceForm):
    """A member's new role in an organisation."""

    role = RadioField(
        "Role",
        choices=opts([(r.value, label) for r, label in ROLE_LABELS.items()]),
        widget=GovRadioInput(),
        validate_choice=False,
    )
    submit = submit("Change role")


class ConfirmForm(OnceForm):
    """The confirmation of a change to an organisation's members (remove, leave, close)."""

    submit = submit("Continue")


@bp.route("")
@requires()
def mine() -> ResponseReturnValue:
    """The organisations one belongs to (any signed-in person)."""
    return render_template("organisations/mine.html", listed=services().organisations.mine(actor()))


@bp.route("/new", methods=["GET", "POST"])
@requires()
def create() -> ResponseReturnValue:
    """Create an organisation (any signed-in person; an LPA only by one of its officers)."""
    who = actor()
    form = CreateForm()
    form.kind.choices = opts([(k.value, KIND_LABELS[k]) for k in services().organisations.kinds_for(who)])

    def made() -> ResponseReturnValue:
        try:
            org = services().organisations.create(
                who, form.name.data or "", form.kind.data or "", once=once(form, "organisation.create")
            )
            target = org.id
        except AlreadyDone as done:  # the same form again: the organisation it made
            target = int(done.target)
        flash("The organisation is created, and you are its admin")
        return redirect(url_for("organisations.organisation", organisation_id=target))

    return form_page(form, made, "organisations/create.html")


@bp.route("/<int:organisation_id>")
@requires()
def organisation(organisation_id: int) -> ResponseReturnValue:
    """An organisation's page: its members and their roles (its members)."""
    view = services().organisations.view(actor(), organisation_id)
    return render_template("organisations/organisation.html", view=view, role_labels=ROLE_LABELS)


@bp.route("/<int:organisation_id>/invite", methods=["GET", "POST"])
@requires()
def invite(organisation_id: int) -> ResponseReturnValue:
    """Invite someone to an organisation by email (an admin of the organisation)."""
    view = services().organisations.view(actor(), organisation_id)
    if not view.me.admin:
        raise Forbidden("Only an admin of the organisation can invite")
    form = InviteForm()

    def sent() -> ResponseReturnValue:
        email = (form.email.data or "").strip()
        with suppress(AlreadyDone):  # the same form again: sent once
            services().organisations.invite(
                actor(),
                organisation_id,
                email,
                form.role.data or "",
                link=lambda t: absolute("organisations.accept", token=t),
                once=once(form, "organisation.invite"),
            )
        flash(f"We have emailed an invitation to {email.lower()}")
        return redirect(url_for("organisations.organisation", organisation_id=organisation_id))

    return form_page(form, sent, "organisations/invite.html", view=view)


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@requires()
def accept(token: str) -> ResponseReturnValue:
    """The emailed link's page: a button, so that a mail scanner opening the link uses nothing."""
    invitation = services().organisations.invitation(actor(), token)
    form = LinkForm()

    def joined() -> ResponseReturnValue:
        org = services().organisations.accept(actor(), token)
        flash(f"You have joined {org.name}")
        return redirect(url_for("organisations.organisation", organisation_id=org.id))

    return form_page(form, joined, "organisations/accept.html", invitation=invitation, role_labels=ROLE_LABELS)


@bp.route("/<int:organisation_id>/members/<int:user_id>/remove", methods=["GET", "POST"])
@requires()
def remove(organisation_id: int, user_id: int) -> ResponseReturnValue:
    """Remove a member from an organisation (an admin of the organisation)."""
    view = services().organisations.view(actor(), organisation_id)
    member = next((m for m in view.members if m.user_id == user_id), None)
    if not view.me.admin:
        raise Forbidden("Only an admin of the organisation can remove members")
    form = ConfirmForm()

    def removed() -> ResponseReturnValue:
        with suppress(AlreadyDone):  # removed by the same form a moment ago
            services().organisations.remove(actor(), organisation_id, user_id, once=once(form, "organisation.remove"))
        if member is not None:
            flash(f"{member.name} ({member.email}) is no longer a member: the organisation's tokens no longer read "
                  "their records")  # fmt: skip
        return redirect(url_for("organisations.organisation", organisation_id=organisation_id))

    if member is None and not form.is_submitted():
        return redirect(url_for("organisations.organisation", organisation_id=organisation_id))
    return form_page(form, removed, "organisations/remove.html", view=view, member=member)


@bp.route("/<int:organisation_id>/members/<int:user_id>/role", methods=["GET", "POST"])
@requires()
def role(organisation_id: int, user_id: int) -> ResponseReturnValue:
    """Change a member's role in an organisation (an admin of the organisation)."""
    view = services().organisations.view(actor(), organisation_id)
    if not view.me.admin:
        raise Forbidden("Only an admin of the organisation can change a member's role")
    member = next((m for m in view.members if m.user_id == user_id), None)
    if member is None:
        return redirect(url_for("organisations.organisation", organisation_id=organisation_id))
    form = RoleForm(role=member.role)

    def changed() -> ResponseReturnValue:
        with suppress(AlreadyDone):
            services().organisations.set_role(
                actor(), organisation_id, user_id, form.role.data or "", once=once(form, "organisation.role")
            )
        flash(f"{member.name} is now {'an admin' if form.role.data == MemberRole.ADMIN else 'a member'}")
        return redirect(url_for("organisations.organisation", organisation_id=organisation_id))

    return form_page(form, changed, "organisations/role.html", view=view, member=member)


@bp.route("/<int:organisation_id>/leave", methods=["GET", "POST"])
@requires()
def leave(organisation_id: int) -> ResponseReturnValue:
    """Leave an organisation (a member)."""
    form = ConfirmForm()
    if form.is_submitted() and repeat_of(form, "organisation.leave") is not None:  # left a moment ago
        return redirect(url_for("organisations.mine"))
    view = services().organisations.view(actor(), organisation_id)

    def left() -> ResponseReturnValue:
        with suppress(AlreadyDone):
            services().organisations.leave(actor(), organisation_id, once=once(form, "organisation.leave"))
        flash(f"You have left {view.organisation.name}")
        return redirect(url_for("organisations.mine"))

    return form_page(form, left, "organisations/leave.html", view=view)


@bp.route("/<int:organisation_id>/close", methods=["GET", "POST"])
@requires()
def close(organisation_id: int) -> ResponseReturnValue:
    """Close an organisation (an admin of the organisation)."""
    form = ConfirmForm()
    if form.is_submitted() and repeat_of(form, "organisation.close") is not None:  # closed a moment ago
        return redirect(url_for("organisations.mine"))
    view = services().organisations.view(actor(), organisation_id)
    if not view.me.admin:
        raise Forbidden("Only an admin of the organisation can close it")

    def closed() -> ResponseReturnValue:
        with suppress(AlreadyDone):
            services().organisations.close(actor(), organisation_id, once=once(form, "organisation.close"))
        flash(f"{view.organisation.name} is closed: its API tokens no longer work")
        return redirect(url_for("organisations.mine"))

    return form_page(form, closed, "organisations/close.html", view=view)
