"""Who sees what (issue 13): the messages developers and LPA officers send to gain site providers through the
service, kept and never published.

Revision ID: 0016
Revises: 0013
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0013"
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


def downgrade() -> None:
    op.drop_index("ix_provider_message_recipient_id", table_name="provider_message")
    op.drop_index("ix_provider_message_gain_site_id", table_name="provider_message")
    op.drop_table("provider_message")
