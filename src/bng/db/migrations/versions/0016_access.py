"""Who sees what and the rest of payments (issue 13): the messages developers and LPA officers send to gain site
providers through the service (kept, never published); overpayments and part refunds recorded by the register
team; the register's bank details for transfers (dated rows, printed on invoices).

Revision ID: 0016
Revises: 0013
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "provider_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("gain_site_id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.String(length=2000), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["gain_site_id"], ["gain_site.id"], name=op.f("fk_provider_message_gain_site_id_gain_site")
        ),
        sa.ForeignKeyConstraint(["sender_id"], ["account.id"], name=op.f("fk_provider_message_sender_id_account")),
        sa.ForeignKeyConstraint(
            ["recipient_id"], ["account.id"], name=op.f("fk_provider_message_recipient_id_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_message")),
        sa.UniqueConstraint("reference", name=op.f("uq_provider_message_reference")),
    )
    op.create_index("ix_provider_message_gain_site_id", "provider_message", ["gain_site_id"], unique=False)
    op.create_index("ix_provider_message_recipient_id", "provider_message", ["recipient_id"], unique=False)
    op.create_table(
        "money_adjustment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=True),
        sa.Column("credit_order_id", sa.Integer(), nullable=True),
        sa.Column("amount_pence", sa.Integer(), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("method", sa.String(length=40), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.CheckConstraint("kind IN ('overpayment', 'part_refund')", name=op.f("ck_money_adjustment_kind")),
        sa.CheckConstraint("amount_pence > 0", name=op.f("ck_money_adjustment_amount")),
        sa.CheckConstraint("method IN ('bank transfer', 'card')", name=op.f("ck_money_adjustment_method")),
        sa.CheckConstraint("reference <> ''", name=op.f("ck_money_adjustment_reference")),
        sa.CheckConstraint(
            "(payment_id IS NULL) <> (credit_order_id IS NULL)", name=op.f("ck_money_adjustment_one_target")
        ),
        sa.ForeignKeyConstraint(["payment_id"], ["payment.id"], name=op.f("fk_money_adjustment_payment_id_payment")),
        sa.ForeignKeyConstraint(
            ["credit_order_id"], ["credit_order.id"], name=op.f("fk_money_adjustment_credit_order_id_credit_order")
        ),
        sa.ForeignKeyConstraint(["recorded_by"], ["account.id"], name=op.f("fk_money_adjustment_recorded_by_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_money_adjustment")),
    )
    op.create_index("ix_money_adjustment_payment_id", "money_adjustment", ["payment_id"], unique=False)
    op.create_index("ix_money_adjustment_credit_order_id", "money_adjustment", ["credit_order_id"], unique=False)
    op.create_table(
        "remittance_detail",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("account_name", sa.String(length=140), nullable=False),
        sa.Column("bank_name", sa.String(length=140), nullable=False),
        sa.Column("sort_code", sa.String(length=6), nullable=False),
        sa.Column("account_number", sa.String(length=8), nullable=False),
        sa.Column("iban", sa.String(length=34), nullable=False),
        sa.Column("bic", sa.String(length=11), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.CheckConstraint("length(sort_code) = 6", name=op.f("ck_remittance_detail_sort_code")),
        sa.CheckConstraint("length(account_number) = 8", name=op.f("ck_remittance_detail_account_number")),
        sa.CheckConstraint("source <> ''", name=op.f("ck_remittance_detail_source")),
        sa.ForeignKeyConstraint(["recorded_by"], ["account.id"], name=op.f("fk_remittance_detail_recorded_by_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_remittance_detail")),
    )
    op.create_table(
        "credit_order_payment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("credit_order_id", sa.Integer(), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["credit_order_id"], ["credit_order.id"], name=op.f("fk_credit_order_payment_credit_order_id_credit_order")
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payment.id"], name=op.f("fk_credit_order_payment_payment_id_payment")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_order_payment")),
        sa.UniqueConstraint("credit_order_id", name=op.f("uq_credit_order_payment_credit_order_id")),
        sa.UniqueConstraint("payment_id", name=op.f("uq_credit_order_payment_payment_id")),
    )


def downgrade() -> None:
    op.drop_table("credit_order_payment")
    op.drop_table("remittance_detail")
    op.drop_index("ix_money_adjustment_credit_order_id", table_name="money_adjustment")
    op.drop_index("ix_money_adjustment_payment_id", table_name="money_adjustment")
    op.drop_table("money_adjustment")
    op.drop_index("ix_provider_message_recipient_id", table_name="provider_message")
    op.drop_index("ix_provider_message_gain_site_id", table_name="provider_message")
    op.drop_table("provider_message")
