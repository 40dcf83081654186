"""What the views share.

A one-form page, putting the register's problems on form fields, reading uploads, the account an account form
asks for.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from werkzeug.datastructures import FileStorage

from bng.register.accounts.service import NewAccount
from bng.register.core.errors import Invalid, Problem, RegisterError
from bng.register.core.uploads import Upload

MAX_READ = 128 * 1024 * 1024


def show_problems(form: FlaskForm, err: RegisterError, aliases: dict[str, str] | None = None) -> list[dict[str, str]]:
    """Put each problem on its field; return those that belong to no field (for the error summary)."""
    other: list[dict[str, str]] = []
    for p in err.problems:
        name = (aliases or {}).get(p.field, p.field)
        field = getattr(form, name, None) if name else None
        if field is not None and hasattr(field, "errors"):
            if isinstance(field.errors, tuple):
                field.errors = list(field.errors)
            if p.message not in field.errors:
                field.errors.append(p.message)
        else:
            other.append({"text": p.message, "href": f"#{name}" if name else "#main-content"})
    return other


def form_page(
    form: FlaskForm, act: Callable[[], ResponseReturnValue], template: str, **context: Any
) -> ResponseReturnValue:
    """A page of one form, answered one way.

    A valid post is acted on (``act`` gives the response, and the register's refusal goes on the form with a
    400); an invalid post is a 400; else the form is drawn.
    """
    other: list[dict[str, str]] = []
    status = 200
    if form.validate_on_submit():
        try:
            return act()
        except Invalid as err:
            other, status = show_problems(form, err), 400
    elif form.is_submitted():
        status = 400
    return render_template(template, form=form, other=other, **context), status


def new_account(form: Any, **extra: Any) -> NewAccount:
    """The account a sign-up or a staff account form asks for.

    The fields both have, and ``extra`` (the organisation of the one, the LPA of the other).
    """
    return NewAccount(
        email=form.email.data or "",
        name=form.name.data or "",
        password=form.password.data or "",
        role=form.role.data or "",
        **extra,
    )


def uploads(*names: str) -> dict[str, Upload]:
    """The files sent for the given fields (an empty file input sends nothing usable)."""
    out: dict[str, Upload] = {}
    for name in names:
        storage: FileStorage | None = request.files.get(name)
        if storage is None or not storage.filename:
            continue
        data = storage.stream.read(MAX_READ)
        out[name] = Upload(name, storage.filename, data)
    return out


def error_list(form: FlaskForm | None, other: list[dict[str, str]] | None = None) -> list[dict[str, str]]:
    """The error summary's links: each field's first error, then the problems of no field.

    A field's link points at the element that takes focus (a date's day box, a group's first radio or checkbox).
    """
    from ..forms import GovDateField

    listed: list[dict[str, str]] = []
    if form is not None:
        for field in form:
            if field.errors and field.type != "CSRFTokenField":
                target = f"{field.id}-day" if isinstance(field, GovDateField) else field.id
                listed += [{"text": str(e), "href": f"#{target}"} for e in field.errors]  # every one, not the first
    return listed + list(other or [])


def problems_list(problems: tuple[Problem, ...] | list[Problem]) -> list[dict[str, Any]]:
    """An error summary's list for a page of sections: each problem links to its section's heading."""
    return [{"text": p.message, "href": f"#{p.section or p.field or 'main-content'}"} for p in problems]


def legend(field: Any, size: str = "m", text: str | None = None) -> dict[str, Any]:
    """A fieldset legend for a GOV.UK group (radios, checkboxes, a date): the field's label, sized."""
    return {"legend": {"text": text or field.label.text, "classes": f"govuk-fieldset__legend--{size}"}}
