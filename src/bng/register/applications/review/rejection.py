"""An application rejected, with the case worker's reasons (told to the applicant)."""

from __future__ import annotations

from bng.register.core import audit, notifications, submissions
from bng.register.core.audit import Actor
from bng.register.core.model import ApplicationStatus
from bng.register.core.roles import Permission
from bng.register.core.service import require

from .common import ReviewStep, _reason


class Reject(ReviewStep):
    """A case worker rejects a submitted application, with reasons the applicant is told."""

    def __call__(
        self, actor: Actor | None, reference: str, reasons: str, *, once: submissions.Once | None = None
    ) -> None:
        """Reject the application and tell the applicant why; refused without reasons or once decided."""
        actor = require(actor, Permission.REVIEW_APPLICATIONS)
        reasons = _reason(reasons, "reasons", "the reasons for rejecting the application")
        with self._uow(write=True) as uow:
            submissions.claim(uow, actor, once, self.now())
            app = self._submitted(uow, reference)
            before = audit.snapshot(app, ("status", "decision_reason", "decided_at"))
            app.status = ApplicationStatus.REJECTED
            app.decision_reason = reasons
            app.decided_at = self.now()
            app.updated_at = self.now()
            self._event(uow, app, actor, "rejected", reasons)
            notifications.application_event(uow, self.now(), app, "application_rejected", reasons=reasons)
            audit.record(
                uow,
                self.now(),
                actor,
                "application.rejected",
                "application",
                app.reference,
                before,
                audit.snapshot(app, ("status", "decision_reason", "decided_at")),
            )
            uow.commit()
