"""What the review's use cases share.

The queue's statuses, the documents published with a gain site, a case worker's reasons, the submitted
application a decision is made on and a line of its case history.
"""

from __future__ import annotations

from bng.register.core.audit import Actor
from bng.register.core.errors import Conflict, Invalid, NotFound
from bng.register.core.filetypes import DocumentKind
from bng.register.core.model import Application, ApplicationEvent, ApplicationStatus
from bng.register.core.ports import UnitOfWork
from bng.register.core.references import normalise
from bng.register.core.service import Service

QUEUE = (ApplicationStatus.SUBMITTED,)
PUBLISHABLE = (
    DocumentKind.LEGAL_AGREEMENT,
    DocumentKind.HMMP,
    DocumentKind.METRIC,
    DocumentKind.HABITAT_MAP,
    DocumentKind.BOUNDARY_MAP,
    DocumentKind.BOUNDARY_DOCUMENT,
)
MAX_REASON = 5_000


def _reason(text: str, field: str, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise Invalid.one(field, f"Enter {what}")
    if len(text) > MAX_REASON:
        raise Invalid.one(field, f"{what[0].upper()}{what[1:]} must be {MAX_REASON:,} characters or fewer")
    return text


class ReviewStep(Service):
    """A use case of the review: a decision on a submitted application, written to its case history."""

    def _submitted(self, uow: UnitOfWork, reference: str) -> Application:
        app = uow.applications.by_reference(normalise(reference))
        if app is None or app.status == ApplicationStatus.DRAFT:
            raise NotFound("No such application")
        if app.status != ApplicationStatus.SUBMITTED:
            raise Conflict(f"The application is {app.status.replace('_', ' ')}, so it cannot be decided now")
        return app

    def _event(self, uow: UnitOfWork, app: Application, actor: Actor, kind: str, message: str) -> None:
        assert app.id is not None
        uow.add(ApplicationEvent(app.id, self.now(), kind, message, actor.user_id))
