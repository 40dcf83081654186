"""Organisations and their API tokens for the tests: a one-member organisation for an account (an LPA
officer's is its LPA's), and a token of it."""

from __future__ import annotations

from typing import Any

from bng.register.accounts.api_tokens import scopes_for
from bng.register.core.audit import Actor


def organisation(services: Any, who: Actor, name: str = "") -> int:
    """A new organisation with ``who`` as its admin: its LPA's for an LPA officer, else of the kind "other"."""
    kind = "lpa" if who.role == "lpa_officer" else "other"
    made = services.organisations.create(who, name or f"{who.label}'s organisation", kind)
    assert made.id is not None
    return int(made.id)


def token(services: Any, who: Actor, scopes: list[str] | None = None, name: str = "Our software") -> tuple[int, str]:
    """A new organisation of ``who``'s and a token of it with these scopes (every one ``who`` may give if None):
    the organisation's id and the token."""
    organisation_id = organisation(services, who)
    if scopes is None:
        scopes = [s.value for s in scopes_for(who.role, "lpa" if who.role == "lpa_officer" else "other")]
    _, secret = services.api_tokens.create(who, organisation_id, name, scopes)
    return organisation_id, str(secret)
