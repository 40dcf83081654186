"""Accounts (issue 13): a verified email address, an authenticator (TOTP) for staff, withdrawn drafts,
and the new one-time links (password reset, email verification and change, a sign-in awaiting its code).

- ``account.email_verified_at``: accounts made before this revision were all made from a confirmed
  link, by the operator or by a case worker, so they count as verified from their creation.
- ``account.totp_secret``, ``totp_enabled_at``, ``totp_last_step``: the optional second factor.
- ``application.withdrawn_at``: a draft its owner withdrew.
- ``email_link`` is made again with the wider purposes (a CHECK constraint cannot be altered in place on
  SQLite): its rows live 24 hours at most, so links pending at the upgrade must be asked for again.

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bng.db.types import JSONDoc

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

PURPOSES = ("sign_in", "new_account", "password_reset", "verify_email", "change_email", "second_factor")


def _email_link(purposes: tuple[str, ...]) -> None:
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
        sa.CheckConstraint(f"purpose IN ({', '.join(repr(p) for p in purposes)})", name=op.f("ck_email_link_purpose")),
        sa.ForeignKeyConstraint(["user_id"], ["account.id"], name=op.f("fk_email_link_user_id_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_link")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_email_link_token_hash")),
    )


def upgrade() -> None:
    op.add_column("account", sa.Column("email_verified_at", sa.DateTime(), nullable=True))
    op.add_column("account", sa.Column("totp_secret", sa.String(length=64), nullable=True))
    op.add_column("account", sa.Column("totp_enabled_at", sa.DateTime(), nullable=True))
    op.add_column("account", sa.Column("totp_last_step", sa.Integer(), nullable=True))
    op.execute("UPDATE account SET email_verified_at = created_at")
    op.add_column("application", sa.Column("withdrawn_at", sa.DateTime(), nullable=True))
    op.drop_table("email_link")
    _email_link(PURPOSES)


def downgrade() -> None:
    op.drop_table("email_link")
    _email_link(("sign_in", "new_account"))
    # ALTER TABLE … DROP COLUMN (SQLite 3.35 or later): a batch copy of ``account`` would have to drop the
    # table every other table refers to.
    op.execute("ALTER TABLE application DROP COLUMN withdrawn_at")
    for column in ("totp_last_step", "totp_enabled_at", "totp_secret", "email_verified_at"):
        op.execute(f"ALTER TABLE account DROP COLUMN {column}")
