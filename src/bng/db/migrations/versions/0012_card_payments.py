"""Card payments through GOV.UK Pay: ``card_payment``, one row per payment started at Pay.

A table of its own beside ``payment``: a fee may be tried by card several times (a card declined, a
payment cancelled) before one succeeds, and each try is Pay's payment with its own id. The row keeps
Pay's id, the unguessable key of our return address and the state Pay last reported, so that
``bng pay reconcile`` can list where Pay and we differ. Unlike refunds, rows change (their state
follows Pay's), so no append-only triggers.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "card_payment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=False),
        sa.Column("pay_id", sa.String(length=64), nullable=False),
        sa.Column("return_key", sa.String(length=64), nullable=False),
        sa.Column("amount_pence", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("finished", sa.Boolean(), nullable=False),
        sa.Column("next_url", sa.String(length=2000), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("checked_at", sa.DateTime(), nullable=True),
        sa.Column("refund_id", sa.String(length=64), nullable=False),
        sa.Column("refund_status", sa.String(length=20), nullable=False),
        sa.CheckConstraint("amount_pence > 0", name=op.f("ck_card_payment_amount")),
        sa.CheckConstraint("outcome IN ('', 'recorded', 'not_needed')", name=op.f("ck_card_payment_outcome")),
        sa.ForeignKeyConstraint(["payment_id"], ["payment.id"], name=op.f("fk_card_payment_payment_id_payment")),
        sa.ForeignKeyConstraint(["created_by"], ["account.id"], name=op.f("fk_card_payment_created_by_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_card_payment")),
        sa.UniqueConstraint("pay_id", name=op.f("uq_card_payment_pay_id")),
        sa.UniqueConstraint("return_key", name=op.f("uq_card_payment_return_key")),
    )
    op.create_index(op.f("ix_card_payment_payment_id"), "card_payment", ["payment_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_card_payment_payment_id"), table_name="card_payment")
    op.drop_table("card_payment")
