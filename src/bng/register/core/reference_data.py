"""The lists the register operator keeps: the responsible bodies designated by the Secretary of State.

A conservation covenant must name a body from this list, never free text. Bodies are added as
they are designated and marked withdrawn (never deleted) when a designation ends, so that old
agreements still name a body the register knows.
"""

from __future__ import annotations

from datetime import date

from . import audit, submissions
from .audit import Actor
from .errors import Conflict, Invalid, NotFound, Problem, refuse
from .model import ResponsibleBody
from .roles import Permission
from .service import Service, require

MAX_NAME = 300  # the responsible_body.name column
MAX_SOURCE = 500
BODY_TYPES = (
    "local authority",
    "registered charity",
    "public body",
    "private limited company",
    "limited company",
    "community benefit society",
    "combined authority",
)


class ReferenceData(Service):
    """The register team keeps the list of responsible bodies as the Secretary of State designates them."""

    def add_body(
        self,
        actor: Actor | None,
        name: str,
        body_type: str,
        designated_on: date | None,
        source: str,
        *,
        once: submissions.Once | None = None,
    ) -> ResponsibleBody:
        """Add a designated responsible body (a name not on the list, designated today or before), audited."""
        actor = require(actor, Permission.MANAGE_REFERENCE_DATA)
        name = " ".join(name.split())
        source = source.strip()
        problems: list[Problem] = []  # every one at once
        if not name:
            problems.append(Problem("name", "Enter the responsible body's name as the designation list gives it"))
        elif len(name) > MAX_NAME:
            problems.append(Problem("name", f"The name must be {MAX_NAME} characters or fewer (it has {len(name)})"))
        if body_type not in BODY_TYPES:
            problems.append(Problem("body_type", "Select the type of organisation"))
        if designated_on is None:
            problems.append(Problem("designated_on", "Enter the date the body was designated"))
        elif designated_on > self.today():
            problems.append(Problem("designated_on", "The designation date must be today or in the past"))
        if len(source) > MAX_SOURCE:  # refused, not cut short
            problems.append(
                Problem("source", f"The source must be {MAX_SOURCE} characters or fewer (it has {len(source)})")
            )
        refuse(problems)
        assert designated_on is not None
        with self._uow(write=True) as uow:
            submissions.claim(uow, actor, once, self.now())
            if uow.bodies.by_name(name) is not None:
                raise Invalid.one("name", f"{name} is already on the list")
            body = ResponsibleBody(name, body_type, designated_on, source)
            uow.add(body)
            uow.flush()
            audit.record(
                uow,
                self.now(),
                actor,
                "responsible_body.added",
                "responsible_body",
                body.id,
                None,
                audit.snapshot(body),
            )
            uow.commit()
            return body

    def withdraw_body(
        self, actor: Actor | None, body_id: int, on: date | None, *, once: submissions.Once | None = None
    ) -> ResponsibleBody:
        """Record that a body's designation was withdrawn on a day; its gain sites keep naming it."""
        actor = require(actor, Permission.MANAGE_REFERENCE_DATA)
        if on is None:
            raise Invalid.one("withdrawn_on", "Enter the date the designation was withdrawn")
        with self._uow(write=True) as uow:
            submissions.claim(uow, actor, once, self.now())
            body = uow.bodies.get(body_id)
            if body is None:
                raise NotFound("No such responsible body")
            if body.withdrawn_on is not None:
                raise Conflict(f"{body.name}'s designation was already withdrawn")
            if on < body.designated_on:
                raise Invalid.one("withdrawn_on", "The withdrawal date must be on or after the designation date")
            before = audit.snapshot(body, ("withdrawn_on",))
            body.withdrawn_on = on
            audit.record(
                uow,
                self.now(),
                actor,
                "responsible_body.withdrawn",
                "responsible_body",
                body.id,
                before,
                audit.snapshot(body, ("withdrawn_on",)),
            )
            uow.commit()
            return body
