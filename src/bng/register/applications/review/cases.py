"""The review's queue: the applications waiting for a decision, those decided, and one case.

A case is shown as the case worker sees it, with the submission checks run again.
"""

from __future__ import annotations

from bng.register.applications.service import Applications, ApplicationView
from bng.register.core.audit import Actor
from bng.register.core.model import Application, ApplicationStatus
from bng.register.core.ports import Clock, UnitOfWorkFactory
from bng.register.core.roles import Permission
from bng.register.core.service import Service, require

from .common import QUEUE


class ReviewCases(Service):
    """What a case worker reads of the applications under review; only the register team may."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, applications: Applications) -> None:
        super().__init__(uow, clock)
        self._applications = applications

    def queue(self, actor: Actor | None) -> list[Application]:
        """The submitted applications waiting for a decision, oldest first."""
        require(actor, Permission.REVIEW_APPLICATIONS)
        with self._uow() as uow:
            return sorted(uow.applications.with_status(QUEUE), key=lambda a: a.submitted_at or a.created_at)

    def decided(self, actor: Actor | None) -> list[Application]:
        """The applications accepted, rejected or sent back for further information, latest first."""
        require(actor, Permission.REVIEW_APPLICATIONS)
        with self._uow() as uow:
            done = uow.applications.with_status(
                (ApplicationStatus.ACCEPTED, ApplicationStatus.REJECTED, ApplicationStatus.INFORMATION_REQUESTED)
            )
            return sorted(done, key=lambda a: a.updated_at, reverse=True)

    def case(self, actor: Actor | None, reference: str) -> ApplicationView:
        """One application as the case worker sees it, its checks run again and its allocation previewed."""
        require(actor, Permission.REVIEW_APPLICATIONS)
        return self._applications.view(actor, reference, with_checks=True)
