"""GOV.UK Notify (issue 13): ``notification_outbox`` becomes the queue every e-mail goes through. Each message
keeps its template and personalisation, and the sender's progress: status (queued, sending, sent, failed),
attempts, when to try next, the worker holding it and until when, the last error, and Notify's id and status.
Messages queued before (monitoring's reminders and flags) keep their words as they were: their template is
their kind, their personalisation their subject and body.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bng.db.types import JSONDoc

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

T = "notification_outbox"
STATUSES = "'queued', 'sending', 'sent', 'failed'"


def upgrade() -> None:
    with op.batch_alter_table(T) as batch_op:
        batch_op.add_column(sa.Column("template", sa.String(length=60), server_default="", nullable=False))
        batch_op.add_column(sa.Column("fields", JSONDoc, nullable=True))
        batch_op.add_column(sa.Column("status", sa.String(length=20), server_default="queued", nullable=False))
        batch_op.add_column(sa.Column("attempts", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("next_attempt_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("claimed_by", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("claimed_until", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("last_error", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("notify_id", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("notify_status", sa.String(length=40), nullable=True))
        batch_op.create_check_constraint(op.f("ck_notification_outbox_status"), f"status IN ({STATUSES})")
        batch_op.create_index("ix_notification_outbox_due", ["status", "send_on"], unique=False)
    t = sa.table(
        T,
        sa.column("kind", sa.String()),
        sa.column("template", sa.String()),
        sa.column("status", sa.String()),
        sa.column("sent_at", sa.DateTime()),
    )
    op.execute(t.update().values(template=t.c.kind))
    op.execute(t.update().where(t.c.sent_at.is_not(None)).values(status="sent"))
    # the personalisation of what was queued before: its subject and body, as the worker sends them
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"UPDATE {T} SET fields = jsonb_build_object('subject', subject, 'body', body)")
    else:
        op.execute(f"UPDATE {T} SET fields = json_object('subject', subject, 'body', body)")


def downgrade() -> None:
    with op.batch_alter_table(T) as batch_op:
        batch_op.drop_index("ix_notification_outbox_due")
        batch_op.drop_constraint(op.f("ck_notification_outbox_status"), type_="check")
        for column in (
            "notify_status",
            "notify_id",
            "last_error",
            "claimed_until",
            "claimed_by",
            "next_attempt_at",
            "attempts",
            "status",
            "fields",
            "template",
        ):
            batch_op.drop_column(column)
