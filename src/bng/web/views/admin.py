"""The register operator's lists and accounts, and the audit log."""

from __future__ import annotations

from contextlib import suppress

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from bng.register.core.roles import Permission
from bng.register.core.submissions import AlreadyDone

from .. import forms
from ..once import once
from ..paging import MAX_ID, page_number, whole
from ..security import actor, requires, services
from .common import form_page, new_account

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/responsible-bodies", methods=["GET", "POST"])
@requires(Permission.MANAGE_REFERENCE_DATA)
def bodies() -> ResponseReturnValue:
    """The responsible bodies designated for conservation covenants, and adding one (a case worker)."""
    form = forms.BodyForm()

    def add() -> ResponseReturnValue:
        with suppress(AlreadyDone):  # added by the same form a moment ago
            services().reference.add_body(
                actor(),
                form.name.data or "",
                form.body_type.data or "",
                form.designated_on.data,
                form.source.data or "",
                once=once(form, "responsible_body.add"),
            )
        flash(f"{' '.join((form.name.data or '').split())} added to the list of responsible bodies")
        return redirect(url_for("admin.bodies"))

    listed = services().register.responsible_bodies(include_withdrawn=True)
    return form_page(form, add, "admin/bodies.html", bodies=listed)


@bp.route("/responsible-bodies/<int:body_id>/withdraw", methods=["GET", "POST"])
@requires(Permission.MANAGE_REFERENCE_DATA)
def withdraw(body_id: int) -> ResponseReturnValue:
    """Withdraw a responsible body's designation (a case worker)."""
    listed = {b.id: b for b in services().register.responsible_bodies(include_withdrawn=True)}
    body = listed.get(body_id)
    if body is None:
        abort(404)
    form = forms.WithdrawForm()

    def record() -> ResponseReturnValue:
        with suppress(AlreadyDone):  # recorded by the same form a moment ago
            services().reference.withdraw_body(
                actor(), body_id, form.withdrawn_on.data, once=once(form, "responsible_body.withdraw")
            )
        flash(f"{body.name}'s designation is recorded as withdrawn")
        return redirect(url_for("admin.bodies"))

    return form_page(form, record, "admin/withdraw.html", body=body)


@bp.route("/accounts", methods=["GET", "POST"])
@requires(Permission.MANAGE_ACCOUNTS)
def accounts() -> ResponseReturnValue:
    """The register's accounts, and making one for an LPA officer or a case worker (a case worker)."""
    form = forms.StaffAccountForm()
    lpas = [(lpa.id, lpa.name) for lpa in services().register.lpas()]
    form.lpa_id.choices = forms.choices(lpas, "Not an LPA officer")

    def create() -> ResponseReturnValue:
        new = new_account(form, lpa_id=whole(form.lpa_id.data or "", 1, MAX_ID))
        with suppress(AlreadyDone):  # created by the same form a moment ago
            services().accounts.create_account(new, actor=actor(), once=once(form, "account.create"))
        flash(f"Account created for {new.email}")
        return redirect(url_for("admin.accounts"))

    return form_page(form, create, "admin/accounts.html", users=services().accounts.users(actor()))


@bp.get("/audit")
@requires(Permission.VIEW_AUDIT_LOG)
def audit() -> ResponseReturnValue:
    """The audit log, a page at a time, by record if asked (a case worker)."""
    page = page_number(request.args)
    found = services().audit.recent(actor(), page, request.args.get("entity", ""), request.args.get("id", ""))
    return render_template("admin/audit.html", page=found)
