"""The register operator's lists and accounts, and the audit log."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from bng.register.accounts import NewAccount
from bng.register.errors import Invalid
from bng.register.roles import Permission

from .. import forms
from ..security import actor, requires, services
from .common import show_problems

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/responsible-bodies", methods=["GET", "POST"])
@requires(Permission.MANAGE_REFERENCE_DATA)
def bodies() -> ResponseReturnValue:
    form = forms.BodyForm()
    other: list[dict[str, str]] = []
    status = 200
    if form.validate_on_submit():
        try:
            body = services().reference.add_body(
                actor(),
                form.name.data or "",
                form.body_type.data or "",
                form.designated_on.data,
                form.source.data or "",
            )
        except Invalid as err:
            other, status = show_problems(form, err), 400
        else:
            flash(f"{body.name} added to the list of responsible bodies")
            return redirect(url_for("admin.bodies"))
    elif form.is_submitted():
        status = 400
    listed = services().register.responsible_bodies(include_withdrawn=True)
    return render_template("admin/bodies.html", form=form, bodies=listed, other=other), status


@bp.route("/responsible-bodies/<int:body_id>/withdraw", methods=["GET", "POST"])
@requires(Permission.MANAGE_REFERENCE_DATA)
def withdraw(body_id: int) -> ResponseReturnValue:
    listed = {b.id: b for b in services().register.responsible_bodies(include_withdrawn=True)}
    body = listed.get(body_id)
    if body is None:
        abort(404)
    form = forms.WithdrawForm()
    other: list[dict[str, str]] = []
    status = 200
    if form.validate_on_submit():
        try:
            services().reference.withdraw_body(actor(), body_id, form.withdrawn_on.data)
        except Invalid as err:
            other, status = show_problems(form, err), 400
        else:
            flash(f"{body.name}'s designation is recorded as withdrawn")
            return redirect(url_for("admin.bodies"))
    elif form.is_submitted():
        status = 400
    return render_template("admin/withdraw.html", form=form, body=body, other=other), status


@bp.route("/accounts", methods=["GET", "POST"])
@requires(Permission.MANAGE_ACCOUNTS)
def accounts() -> ResponseReturnValue:
    form = forms.StaffAccountForm()
    lpas = [(lpa.id, lpa.name) for lpa in services().register.lpas()]
    form.lpa_id.choices = forms.choices(lpas, "Not an LPA officer")
    other: list[dict[str, str]] = []
    status = 200
    if form.validate_on_submit():
        new = NewAccount(
            email=form.email.data or "",
            name=form.name.data or "",
            password=form.password.data or "",
            role=form.role.data or "",
            lpa_id=int(form.lpa_id.data) if (form.lpa_id.data or "").isdigit() else None,
        )
        try:
            services().accounts.create_account(new, actor=actor())
        except Invalid as err:
            other, status = show_problems(form, err), 400
        else:
            flash(f"Account created for {new.email}")
            return redirect(url_for("admin.accounts"))
    elif form.is_submitted():
        status = 400
    users = services().accounts.users(actor())
    return render_template("admin/accounts.html", form=form, users=users, other=other), status


@bp.get("/audit")
@requires(Permission.VIEW_AUDIT_LOG)
def audit() -> ResponseReturnValue:
    page = max(1, request.args.get("page", 1, type=int) or 1)
    found = services().audit.recent(actor(), page, request.args.get("entity", ""), request.args.get("id", ""))
    return render_template("admin/audit.html", page=found)
