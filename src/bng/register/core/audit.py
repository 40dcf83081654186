"""The audit log: every change, with who made it, when, and the record before and after.

Entries are written in the same transaction as the change they describe, so a change that
fails leaves no entry either. The database refuses to update or delete an entry (triggers on
both engines), which makes the log append-only whatever the application does.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from .model import AuditEvent
from .ports import UnitOfWork

REDACTED = {"password_hash", "token_hash"}


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting: a signed-in user (with role and LPA), or None for the public and the system."""

    user_id: int
    role: str
    label: str
    lpa_id: int | None = None


def value(v: Any) -> Any:
    """A JSON-safe copy of a value: dates as ISO text, geometry by its area and a digest of its WKB."""
    if v is None or isinstance(v, bool | int | float | str):
        return v
    if isinstance(v, Enum):
        return v.value
    if isinstance(v, datetime | date):
        return v.isoformat()
    if isinstance(v, dict):
        return {str(k): value(x) for k, x in v.items()}
    if isinstance(v, list | tuple | set | frozenset):
        return [value(x) for x in v]
    if hasattr(v, "wkb") and hasattr(v, "area"):
        return {"geometry_sha256": hashlib.sha256(v.wkb).hexdigest(), "area_m2": round(float(v.area), 2)}
    return str(v)


def snapshot(record: Any, only: tuple[str, ...] = ()) -> dict[str, Any]:
    """A record's fields as a JSON-safe dict (secrets redacted)."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(record):
        if only and f.name not in only:
            continue
        v = getattr(record, f.name)
        out[f.name] = "[redacted]" if f.name in REDACTED and v else value(v)
    return out


def record(
    uow: UnitOfWork,
    at: datetime,
    actor: Actor | None,
    action: str,
    entity: str,
    entity_id: object,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Add an entry to the audit log in the open unit of work, so it is kept only if the change is."""
    uow.add(
        AuditEvent(
            at=at,
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            actor_id=actor.user_id if actor else None,
            actor=actor.label if actor else "system",
            before=value(before) if before is not None else None,
            after=value(after) if after is not None else None,
        )
    )
