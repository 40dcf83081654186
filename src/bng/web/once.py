"""One-time submission tokens on the pages (``bng.register.core.submissions`` says why and how they are checked).

A form that confirms a change is a :class:`OnceForm`: it carries a fresh random token, drawn
beside its CSRF token wherever a template draws ``form.csrf_token``, so no confirmation page can leave it
out. A form sent back after an error keeps its token (the failed attempt claimed nothing).
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import abort
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import Field, HiddenField

from bng.register.core.errors import Invalid
from bng.register.core.submissions import Once


def new_token() -> str:
    """A random one-time submission token, too long to guess."""
    return secrets.token_urlsafe(24)


class _WithToken:
    """The CSRF field's widget, drawing the submission token after it."""

    def __init__(self, token: Field) -> None:
        self.token = token

    def __call__(self, field: Field, **kwargs: Any) -> Markup:
        def hidden(f: Field) -> str:
            return f'<input type="hidden" name="{escape(f.name)}" value="{escape(f._value())}">'  # type: ignore[attr-defined]  # stubs: only input fields have _value

        return Markup(hidden(field) + "\n" + hidden(self.token))


class OnceForm(FlaskForm):
    """A form that confirms a change, with its one-time submission token."""

    submission_token = HiddenField(default=new_token)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        csrf = getattr(self, "csrf_token", None)
        if csrf is not None:
            csrf.widget = _WithToken(self.submission_token)


def token_field(prefix: str = "") -> Markup:
    """A fresh token's hidden input, for a template that draws a confirmation's form by hand.

    A form in each row of a table gets its own token.
    """
    return Markup(f'<input type="hidden" name="{escape(prefix)}submission_token" value="{new_token()}">')


def sent(form: OnceForm) -> bool:
    """Whether the post carried a submission token at all."""
    return bool(form.submission_token.raw_data and form.submission_token.raw_data[0])


def once(form: OnceForm, action: str) -> Once:
    """The token the form was sent with, for ``action``.

    A form sent without one is refused like one without its CSRF token (400): it did not come from this
    service's page.
    """
    field = form.submission_token
    sent = field.raw_data[0] if field.raw_data else ""
    try:
        return Once(sent, action)
    except Invalid:
        abort(400)


def repeat_of(form: OnceForm, action: str) -> str | None:
    """What an earlier post of this very form made ("" if nothing in particular), or None if it is new.

    A post without a token is new here (``once`` refuses it later). For a page whose own checks would refuse a
    repeat before the service could say it is one.
    """
    from .security import actor, services

    return services().submissions.done(actor(), once(form, action)) if sent(form) else None
