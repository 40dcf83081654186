"""API tokens (``bng.register.accounts.api_tokens``) on SQLAlchemy Core."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import case, insert, select, update
from sqlalchemy.orm import Session

from bng.register.accounts.api_tokens import ApiToken

from .api_token_tables import api_token

COLUMNS = ("organisation_id", "user_id", "name", "prefix", "token_hash", "scopes", "created_at", "revoked_at",
           "last_used_at", "id")  # fmt: skip


def _token(row: Any) -> ApiToken:
    return ApiToken(**{c: getattr(row, c) for c in COLUMNS})


class ApiTokenRecords:
    def __init__(self, session: Session) -> None:
        self.s = session

    def _select(self) -> Any:
        return select(*(api_token.c[c] for c in COLUMNS))

    def add(self, token: ApiToken) -> int:
        values = {c: getattr(token, c) for c in COLUMNS if c != "id"}
        made = self.s.execute(insert(api_token).values(**values).returning(api_token.c.id))
        return int(made.scalar_one())

    def get(self, token_id: int) -> ApiToken | None:
        row = self.s.execute(self._select().where(api_token.c.id == token_id)).first()
        return _token(row) if row is not None else None

    def by_hash(self, token_hash: str) -> ApiToken | None:
        row = self.s.execute(self._select().where(api_token.c.token_hash == token_hash)).first()
        return _token(row) if row is not None else None

    def of_organisation(self, organisation_id: int) -> list[ApiToken]:
        q = self._select().where(api_token.c.organisation_id == organisation_id).order_by(api_token.c.id.desc())
        return [_token(row) for row in self.s.execute(q)]

    def revoke(self, token_id: int, at: datetime) -> None:
        t = api_token
        self.s.execute(update(t).where(t.c.id == token_id, t.c.revoked_at.is_(None)).values(revoked_at=at))

    def count_call(self, token_id: int, at: datetime, window_start_after: datetime) -> tuple[int, datetime]:
        t = api_token
        stale = (t.c.window_start.is_(None)) | (t.c.window_start < window_start_after)
        # one statement: concurrent calls each add one (the row's lock orders them), none is lost
        row = self.s.execute(
            update(t)
            .where(t.c.id == token_id)
            .values(
                window_calls=case((stale, 1), else_=t.c.window_calls + 1),
                window_start=case((stale, at), else_=t.c.window_start),
                last_used_at=at,
            )
            .returning(t.c.window_calls, t.c.window_start)
        ).one()
        return int(row.window_calls), row.window_start
