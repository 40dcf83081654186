"""Who sees what beyond the public register (``bng.register.access.service``).

A landowner's page of the allocations made against their gain sites (and the messages sent to them), and the
form a developer or LPA officer uses to send a message to a gain site's provider through the service.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from bng.register.core.errors import Invalid
from bng.register.core.roles import Permission
from bng.register.core.submissions import AlreadyDone

from ..forms import ProviderMessageForm
from ..once import once
from ..security import actor, requires, services
from .common import show_problems

bp = Blueprint("access", __name__)


@bp.get("/account/gain-site-allocations")
@requires(Permission.VIEW_OWN_SITE_ALLOCATIONS)
def site_allocations() -> ResponseReturnValue:
    """A landowner's page of the allocations made against their gain sites, and the messages sent to them."""
    rows, messages = services().access.site_allocations(actor())
    return render_template("account/site_allocations.html", rows=rows, messages=messages)


@bp.route("/register/<reference>/message", methods=["GET", "POST"])
@requires(Permission.MESSAGE_PROVIDERS)
def message(reference: str) -> ResponseReturnValue:
    """The form a developer or LPA officer uses to send a message to a gain site's provider."""
    site_reference, site_name = services().access.message_target(actor(), reference)
    form = ProviderMessageForm()
    other: list[dict[str, str]] = []
    if form.is_submitted():
        if not form.validate():
            return render_template(
                "register/message.html", form=form, reference=site_reference, name=site_name, other=other
            ), 400
        try:
            services().access.send_message(
                actor(), site_reference, form.message.data or "", once=once(form, "provider.message")
            )
        except AlreadyDone:
            pass  # the same form again: the message was sent once
        except Invalid as err:
            other = show_problems(form, err)
            return render_template(
                "register/message.html", form=form, reference=site_reference, name=site_name, other=other
            ), 400
        flash(f"Your message was sent to the provider of gain site {site_reference}")
        return redirect(url_for("public.site", reference=site_reference))
    return render_template("register/message.html", form=form, reference=site_reference, name=site_name, other=other)
