"""Further information requested: the application goes back to the applicant until they submit it again.

The case worker's message says what is needed.
"""

from __future__ import annotations

from bng.register.core import audit, notifications, submissions
from bng.register.core.audit import Actor
from bng.register.core.model import ApplicationStatus
from bng.register.core.roles import Permission
from bng.register.core.service import require

from .common import ReviewStep, _reason


class RequestInformation(ReviewStep):
    """A case worker asks the applicant for further information about a submitted application."""

    def __call__(
        self, actor: Actor | None, reference: str, message: str, *, once: submissions.Once | None = None
    ) -> None:
        """Send the application back with the message and tell the applicant; refused without one or once decided."""
        actor = require(actor, Permission.REVIEW_APPLICATIONS)
        message = _reason(message, "message", "what further information you need")
        with self._uow(write=True) as uow:
            submissions.claim(uow, actor, once, self.now())
            app = self._submitted(uow, reference)
            before = audit.snapshot(app, ("status", "information_request"))
            app.status = ApplicationStatus.INFORMATION_REQUESTED
            app.information_request = message
            app.updated_at = self.now()
            self._event(uow, app, actor, "information_requested", message)
            notifications.application_event(uow, self.now(), app, "information_requested", request=message)
            audit.record(
                uow,
                self.now(),
                actor,
                "application.information_requested",
                "application",
                app.reference,
                before,
                audit.snapshot(app, ("status", "information_request")),
            )
            uow.commit()
