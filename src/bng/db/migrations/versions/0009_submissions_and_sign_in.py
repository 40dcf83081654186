"""One-time submission tokens, sign-in throttling and emailed one-time links (issue 10).

- ``submission``: every state-changing confirmation carries a one-time token; its SHA-256 is this
  table's primary key, claimed in the same transaction as the change, so fifty identical posts make
  one record and the others are told what the first made.
- ``sign_in_throttle``: failed sign-ins per client, per email address and per known device, in a
  window, instead of the account's own counter and lock (``account.failed_logins`` and
  ``locked_until`` are no longer used).
- ``email_link``: the one-time links of a sign-in's second step and of a new account's confirmation.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bng.db.types import JSONDoc

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "submission",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("target", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["account.id"], name=op.f("fk_submission_user_id_account")),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_submission")),
    )
    op.create_table(
        "sign_in_throttle",
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_start", sa.DateTime(), nullable=False),
        sa.CheckConstraint("failures >= 0", name=op.f("ck_sign_in_throttle_failures")),
        sa.PrimaryKeyConstraint("key_hash", name=op.f("pk_sign_in_throttle")),
    )
    op.create_table(
        "email_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("details", JSONDoc, nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("purpose IN ('sign_in', 'new_account')", name=op.f("ck_email_link_purpose")),
        sa.ForeignKeyConstraint(["user_id"], ["account.id"], name=op.f("fk_email_link_user_id_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_link")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_email_link_token_hash")),
    )


def downgrade() -> None:
    op.drop_table("email_link")
    op.drop_table("sign_in_throttle")
    op.drop_table("submission")
