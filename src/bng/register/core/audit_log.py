"""Reading the audit log (writing happens in every service, through ``audit.record``)."""

from __future__ import annotations

from .audit import Actor
from .ports import Page
from .roles import Permission
from .service import Service, require


class AuditLog(Service):
    """The audit log's page, for those allowed to read it."""

    def recent(self, actor: Actor | None, page: int = 1, entity: str = "", entity_id: str = "") -> Page:
        """A page of 50 entries, newest first, of one kind of record (``entity``) or of one record if given."""
        require(actor, Permission.VIEW_AUDIT_LOG)
        with self._uow() as uow:
            return uow.audit.recent(page, 50, entity, entity_id)
