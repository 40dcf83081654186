"""Reading the audit log (writing happens in every service, through ``audit.record``)."""

from __future__ import annotations

from .audit import Actor
from .ports import Page
from .roles import Permission
from .service import Service, require


class AuditLog(Service):
    def recent(self, actor: Actor | None, page: int = 1, entity: str = "", entity_id: str = "") -> Page:
        require(actor, Permission.VIEW_AUDIT_LOG)
        with self._uow() as uow:
            return uow.audit.recent(page, 50, entity, entity_id)
