"""The register's own changes to a registered gain site.

An amendment records its date and what changed; a removal takes the site off the register, only while none
of its units is allocated. Both are dated events in the site's history, audited.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from bng.register.core import audit, submissions
from bng.register.core.audit import Actor
from bng.register.core.errors import Conflict, NotFound, Problem, gather, refuse
from bng.register.core.model import GainSite, SiteEvent, SiteStatus
from bng.register.core.ports import UnitOfWork
from bng.register.core.roles import Permission
from bng.register.core.service import Service, require

from .common import _reason

Audited = tuple[dict[str, Any] | None, dict[str, Any]]
"""What the audit log keeps of a change: the site before (None: nothing it changes) and after."""


class SiteChange(Service):
    """A dated change to a gain site on the register, made by the register team and kept in the site's history."""

    WHAT: ClassVar[str] = ""
    """The change in words: "amendment"."""
    ASKED: ClassVar[str] = ""
    """What its description must say: "a description of the amendment"."""
    EVENT: ClassVar[str] = ""
    """The site event's kind ("amended"), and the audit's action after "site."."""
    GONE: ClassVar[str] = ""
    """Why a gain site no longer on the register cannot be changed so."""

    def __call__(
        self,
        actor: Actor | None,
        reference: str,
        on: date | None,
        description: str,
        *,
        once: submissions.Once | None = None,
    ) -> None:
        """Make the change to a registered gain site, dated ``on`` (today or before), described."""
        actor = require(actor, Permission.AMEND_REGISTER)
        on, description = self._dated(on, description)
        with self._uow(write=True) as uow:
            submissions.claim(uow, actor, once, self.now())
            site = self._site(uow, reference)
            if site.status != SiteStatus.REGISTERED:
                raise Conflict(self.GONE)
            assert site.id is not None
            before, after = self._change(uow, site, on, description)
            site.updated_at = self.now()
            uow.add(SiteEvent(site.id, self.EVENT, on, description, self.now(), actor.user_id))
            audit.record(uow, self.now(), actor, f"site.{self.EVENT}", "gain_site", site.reference, before, after)
            uow.commit()

    def _change(self, uow: UnitOfWork, site: GainSite, on: date, description: str) -> Audited:
        """The change made to the site; what the audit log keeps of it before and after."""
        raise NotImplementedError

    def _site(self, uow: UnitOfWork, reference: str) -> GainSite:
        site = uow.sites.by_reference(reference.strip().upper())
        if site is None:
            raise NotFound("No such gain site")
        return site

    def _dated(self, on: date | None, description: str) -> tuple[date, str]:
        """The change's date and description, checked: every problem at once."""
        problems: list[Problem] = []
        described = gather(problems, lambda: _reason(description, "description", self.ASKED))
        if on is None:
            problems.append(Problem("on", f"Enter the date of the {self.WHAT}"))
        elif on > self.today():
            problems.append(Problem("on", f"The date of the {self.WHAT} must be today or in the past"))
        refuse(problems)
        assert described is not None and on is not None
        return on, described


class Amend(SiteChange):
    """Record an amendment to a registered gain site, with its date and what changed."""

    WHAT = "amendment"
    ASKED = "a description of the amendment"
    EVENT = "amended"
    GONE = "This gain site has been removed from the register"

    def _change(self, uow: UnitOfWork, site: GainSite, on: date, description: str) -> Audited:
        return None, {"on": on, "description": description}


class Remove(SiteChange):
    """Remove a gain site from the register: only when none of its units is allocated."""

    WHAT = "removal"
    ASKED = "why the gain site is removed"
    EVENT = "removed"
    GONE = "This gain site has already been removed from the register"

    def _change(self, uow: UnitOfWork, site: GainSite, on: date, description: str) -> Audited:
        assert site.id is not None
        if uow.ledger.allocated_count(site.id) > 0:
            raise Conflict(
                f"Gain site {site.reference} has allocations, so it cannot be removed from the register; "
                "an allocated site must stay on the register"
            )
        before = audit.snapshot(site, ("status", "removed_on"))
        site.status = SiteStatus.REMOVED
        site.removed_on = on
        return before, audit.snapshot(site, ("status", "removed_on"))
