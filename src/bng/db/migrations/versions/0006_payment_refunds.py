"""Refunds: a fee received and no longer owed (the combined case's allocation fee, when the applicant
drops the allocation) is paid back, and the register team records when, how and its reference.

A table of its own rather than columns on ``payment``: the payment row keeps what happened when the
fee was paid, the refund is a later fact beside it, at most one per payment (unique), and, like the
audit log and the histories, never changed or deleted (triggers on both engines). Adding a table
needs no rebuild of ``payment`` on SQLite, so its CHECK constraints stay as revision 0001 made them.

The SQL lives here, not in ``bng.db.triggers``, so that this revision creates the same thing however
that module changes later (PostgreSQL's ``bng_append_only()`` function is revision 0001's).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

SQLITE_CREATE = (
    """CREATE TRIGGER payment_refund_no_update BEFORE UPDATE ON payment_refund
       BEGIN SELECT RAISE(ABORT, 'payment_refund is append-only: entries cannot be changed'); END""",
    """CREATE TRIGGER payment_refund_no_delete BEFORE DELETE ON payment_refund
       BEGIN SELECT RAISE(ABORT, 'payment_refund is append-only: entries cannot be deleted'); END""",
)
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS payment_refund_no_update",
    "DROP TRIGGER IF EXISTS payment_refund_no_delete",
)
POSTGRES_CREATE = (
    """CREATE TRIGGER payment_refund_append_only BEFORE UPDATE OR DELETE ON payment_refund
       FOR EACH ROW EXECUTE FUNCTION bng_append_only()""",
    """CREATE TRIGGER payment_refund_no_truncate BEFORE TRUNCATE ON payment_refund
       FOR EACH STATEMENT EXECUTE FUNCTION bng_append_only()""",
)
POSTGRES_DROP = (
    "DROP TRIGGER IF EXISTS payment_refund_append_only ON payment_refund",
    "DROP TRIGGER IF EXISTS payment_refund_no_truncate ON payment_refund",
)


def upgrade() -> None:
    op.create_table(
        "payment_refund",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=False),
        sa.Column("refunded_on", sa.Date(), nullable=False),
        sa.Column("method", sa.String(length=40), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.CheckConstraint("method IN ('bank transfer', 'card')", name=op.f("ck_payment_refund_method")),
        sa.CheckConstraint("reference <> ''", name=op.f("ck_payment_refund_reference")),
        sa.ForeignKeyConstraint(["payment_id"], ["payment.id"], name=op.f("fk_payment_refund_payment_id_payment")),
        sa.ForeignKeyConstraint(["recorded_by"], ["account.id"], name=op.f("fk_payment_refund_recorded_by_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_refund")),
        sa.UniqueConstraint("payment_id", name=op.f("uq_payment_refund_payment_id")),
    )
    for stmt in POSTGRES_CREATE if op.get_bind().dialect.name == "postgresql" else SQLITE_CREATE:
        op.execute(stmt)


def downgrade() -> None:
    for stmt in POSTGRES_DROP if op.get_bind().dialect.name == "postgresql" else SQLITE_DROP:
        op.execute(stmt)
    op.drop_table("payment_refund")
