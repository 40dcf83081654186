"""The register's own changes to a registered gain site: an amendment (its date and what changed) and a
removal (only while none of its units is allocated)."""

from __future__ import annotations

from datetime import date

from bng.register.core import audit, submissions
from bng.register.core.audit import Actor
from bng.register.core.errors import Conflict, NotFound, Problem, gather, refuse
from bng.register.core.model import GainSite, SiteEvent, SiteStatus
from bng.register.core.ports import UnitOfWork
from bng.register.core.roles import Permission
from bng.register.core.service import Service, require

from .common import _reason


class SiteChange(Service):
    """A change to a gain site on the register."""

    def _site(self, uow: UnitOfWork, reference: str) -> GainSite:
        site = uow.sites.by_reference(reference.strip().upper())
        if site is None:
            raise NotFound("No such gain site")
        return site

    def _dated(self, on: date | None, description: str, what: str, asked: str) -> tuple[date, str]:
        """The change's date and description, checked: every problem at once."""
        problems: list[Problem] = []
        described = gather(problems, lambda: _reason(description, "description", asked))
        if on is None:
            problems.append(Problem("on", f"Enter the date of the {what}"))
        elif on > self.today():
            problems.append(Problem("on", f"The date of the {what} must be today or in the past"))
        refuse(problems)
        assert described is not None and on is not None
        return on, described


class Amend(SiteChange):
    def __call__(
        self,
        actor: Actor | None,
        reference: str,
        on: date | None,
        description: str,
        *,
        once: submissions.Once | None = None,
    ) -> None:
        """Record an amendment to a registered gain site, with its date and what changed."""
        actor = require(actor, Permission.AMEND_REGISTER)
        on, description = self._dated(on, description, "amendment", "a description of the amendment")
        with self._uow(write=True) as uow:
            submissions.claim(uow, actor, once, self.now())
            site = self._site(uow, reference)
            if site.status != SiteStatus.REGISTERED:
                raise Conflict("This gain site has been removed from the register")
            assert site.id is not None
            event = SiteEvent(site.id, "amended", on, description, self.now(), actor.user_id)
            uow.add(event)
            site.updated_at = self.now()
            audit.record(
                uow,
                self.now(),
                actor,
                "site.amended",
                "gain_site",
                site.reference,
                None,
                {"on": on, "description": description},
            )
            uow.commit()


class Remove(SiteChange):
    def __call__(
        self,
        actor: Actor | None,
        reference: str,
        on: date | None,
        description: str,
        *,
        once: submissions.Once | None = None,
    ) -> None:
        """Remove a gain site from the register: only when none of its units is allocated."""
        actor = require(actor, Permission.AMEND_REGISTER)
        on, description = self._dated(on, description, "removal", "why the gain site is removed")
        with self._uow(write=True) as uow:
            submissions.claim(uow, actor, once, self.now())
            site = self._site(uow, reference)
            if site.status != SiteStatus.REGISTERED:
                raise Conflict("This gain site has already been removed from the register")
            assert site.id is not None
            if uow.ledger.allocated_count(site.id) > 0:
                raise Conflict(
                    f"Gain site {site.reference} has allocations, so it cannot be removed from the register; "
                    "an allocated site must stay on the register"
                )
            before = audit.snapshot(site, ("status", "removed_on"))
            site.status = SiteStatus.REMOVED
            site.removed_on = on
            site.updated_at = self.now()
            uow.add(SiteEvent(site.id, "removed", on, description, self.now(), actor.user_id))
            audit.record(
                uow,
                self.now(),
                actor,
                "site.removed",
                "gain_site",
                site.reference,
                before,
                audit.snapshot(site, ("status", "removed_on")),
            )
            uow.commit()
