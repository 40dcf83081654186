"""An organisation's API tokens: its admins make one (shown once) and revoke one; its members see them."""

from __future__ import annotations

from contextlib import suppress

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from wtforms import SelectMultipleField

from bng.register.accounts.api_tokens import MAX_NAME, RATE_LIMIT, SCOPES
from bng.register.core.errors import Forbidden
from bng.register.core.submissions import AlreadyDone

from ..forms import opts, submit, text
from ..once import OnceForm, once
from ..security import actor, requires, services
from ..widgets import GovCheckboxesInput
from .common import form_page

bp = Blueprint("api_tokens", __name__, url_prefix="/organisations/<int:organisation_id>/api-tokens")


class TokenForm(OnceForm):
    """A new API token for an organisation: its name and what it may do."""

    name = text("Name", f"What the token is for, such as the program that will use it ({MAX_NAME} characters or fewer)")
    scopes = SelectMultipleField("What the token may do", widget=GovCheckboxesInput(), validate_choice=False)
    submit = submit("Create token")


class RevokeForm(OnceForm):
    """The confirmation that revokes an API token."""

    submit = submit("Revoke token")


@bp.route("", methods=["GET", "POST"])
@requires()
def tokens(organisation_id: int) -> ResponseReturnValue:
    """An organisation's API tokens (its members), and creating one (an admin of the organisation)."""
    who = actor()
    view = services().organisations.view(who, organisation_id)
    form = TokenForm()
    allowed = services().api_tokens.scopes_for(who, organisation_id)
    form.scopes.choices = opts([(s.value, SCOPES[s][0]) for s in allowed])

    def create() -> ResponseReturnValue:
        if not view.me.admin:
            raise Forbidden("Only an admin of the organisation can make its API tokens")
        try:
            made, secret = services().api_tokens.create(
                who,
                organisation_id,
                form.name.data or "",
                list(form.scopes.data or []),
                once=once(form, "api_token.create"),
            )
        except AlreadyDone:  # the same form again: the token was shown once, on the first answer
            flash("That token was created already and shown once. If you did not copy it, revoke it and make another")
            return redirect(url_for("api_tokens.tokens", organisation_id=organisation_id))
        return render_template("account/api_token_created.html", token=made, secret=secret, scopes=SCOPES, view=view)

    listed = services().api_tokens.of_organisation(who, organisation_id)
    return form_page(
        form, create, "account/api_tokens.html", listed=listed, scopes=SCOPES, rate_limit=RATE_LIMIT, view=view
    )


@bp.route("/<int:token_id>/revoke", methods=["GET", "POST"])
@requires()
def revoke(organisation_id: int, token_id: int) -> ResponseReturnValue:
    """Revoke an organisation's API token (an admin of the organisation)."""
    found = {t.id: t for t in services().api_tokens.of_organisation(actor(), organisation_id)}.get(token_id)
    if found is None:
        abort(404)
    view = services().organisations.view(actor(), organisation_id)
    if not view.me.admin:
        raise Forbidden("Only an admin of the organisation can revoke its API tokens")
    form = RevokeForm()

    def record() -> ResponseReturnValue:
        with suppress(AlreadyDone):  # revoked by the same form a moment ago
            services().api_tokens.revoke(actor(), token_id, once=once(form, "api_token.revoke"))
        flash(f"The token {found.name} ({found.prefix}…) is revoked: programs using it can no longer call the API")
        return redirect(url_for("api_tokens.tokens", organisation_id=organisation_id))

    return form_page(form, record, "account/api_token_revoke.html", token=found, view=view)
