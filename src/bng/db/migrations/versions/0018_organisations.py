"""Organisations (issue 13): API tokens belong to organisations with verified members, not to one account.

- ``organisation`` (its name, kind, the LPA when it is one, created and closed) and ``organisation_member``
  (the account, admin or member, when it joined and who invited it).
- ``api_token.organisation_id``; the free text ``api_token.organisation`` (a copy of the account's) goes.
  Each account holding tokens gets a one-member organisation, named from the account's free-text
  organisation (or its email address), with the account as its admin, and its tokens move there: a
  token is held one way only. Its kind follows the account's role (an LPA officer's is its LPA's).
- ``email_link`` takes the purpose ``org_invitation``: on PostgreSQL the CHECK constraint is replaced; on
  SQLite (where one cannot be altered) the table is made again with its rows.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bng.db.types import JSONDoc

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

OLD_PURPOSES = ("sign_in", "new_account", "password_reset", "verify_email", "change_email", "second_factor")
PURPOSES = (*OLD_PURPOSES, "org_invitation")


def _purposes(purposes: tuple[str, ...]) -> str:
    return f"purpose IN ({', '.join(repr(p) for p in purposes)})"


def _email_link_purposes(purposes: tuple[str, ...]) -> None:
    op.execute(f"DELETE FROM email_link WHERE NOT ({_purposes(purposes)})")  # on the way down: invitations go
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(op.f("ck_email_link_purpose"), "email_link", type_="check")
        op.create_check_constraint(op.f("ck_email_link_purpose"), "email_link", _purposes(purposes))
        return
    op.execute("ALTER TABLE email_link RENAME TO email_link_before_0018")
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
        sa.CheckConstraint(_purposes(purposes), name=op.f("ck_email_link_purpose")),
        sa.ForeignKeyConstraint(["user_id"], ["account.id"], name=op.f("fk_email_link_user_id_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_link")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_email_link_token_hash")),
    )
    columns = "id, token_hash, purpose, email, user_id, details, created_at, expires_at, used_at"
    op.execute(f"INSERT INTO email_link ({columns}) SELECT {columns} FROM email_link_before_0018")
    op.drop_table("email_link_before_0018")


def _api_token(organisation: bool, organisation_id: bool) -> sa.Table:
    """``api_token`` as it stands, for a batch copy on SQLite (given whole: no CHECK is lost to reflection)."""
    return sa.Table(
        "api_token",
        sa.MetaData(),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("prefix", sa.String(length=12), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("scopes", sa.String(length=200), nullable=False),
        *([sa.Column("organisation", sa.String(length=200), nullable=False)] if organisation else []),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        sa.Column("window_start", sa.DateTime(), nullable=True),
        sa.Column("window_calls", sa.Integer(), server_default="0", nullable=False),
        *([sa.Column("organisation_id", sa.Integer(), nullable=True)] if organisation_id else []),
        sa.CheckConstraint("window_calls >= 0", name="ck_api_token_window_calls"),
        sa.ForeignKeyConstraint(["user_id"], ["account.id"], name="fk_api_token_user_id_account"),
        sa.PrimaryKeyConstraint("id", name="pk_api_token"),
        sa.UniqueConstraint("token_hash", name="uq_api_token_token_hash"),
        sa.Index("ix_api_token_user_id", "user_id"),
    )


def upgrade() -> None:
    op.create_table(
        "organisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("lpa_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('habitat_bank', 'consultancy', 'developer', 'lpa', 'other')", name=op.f("ck_organisation_kind")
        ),
        sa.CheckConstraint("(kind = 'lpa') = (lpa_id IS NOT NULL)", name=op.f("ck_organisation_lpa")),
        sa.ForeignKeyConstraint(["lpa_id"], ["lpa.id"], name=op.f("fk_organisation_lpa_id_lpa")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation")),
    )
    op.create_table(
        "organisation_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("joined_at", sa.DateTime(), nullable=False),
        sa.Column("invited_by", sa.Integer(), nullable=True),
        sa.CheckConstraint("role IN ('admin', 'member')", name=op.f("ck_organisation_member_role")),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name=op.f("fk_organisation_member_organisation_id_organisation")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["account.id"], name=op.f("fk_organisation_member_user_id_account")),
        sa.ForeignKeyConstraint(["invited_by"], ["account.id"], name=op.f("fk_organisation_member_invited_by_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation_member")),
        sa.UniqueConstraint("organisation_id", "user_id", name=op.f("uq_organisation_member_organisation_id")),
    )
    op.create_index("ix_organisation_member_user_id", "organisation_member", ["user_id"], unique=False)
    op.add_column("api_token", sa.Column("organisation_id", sa.Integer(), nullable=True))
    _move_tokens()
    with op.batch_alter_table("api_token", copy_from=_api_token(organisation=True, organisation_id=True)) as batch:
        batch.alter_column("organisation_id", existing_type=sa.Integer(), nullable=False)
        batch.create_foreign_key(
            op.f("fk_api_token_organisation_id_organisation"), "organisation", ["organisation_id"], ["id"]
        )
        batch.drop_column("organisation")
    op.create_index("ix_api_token_organisation_id", "api_token", ["organisation_id"], unique=False)
    _email_link_purposes(PURPOSES)


def _move_tokens() -> None:
    """A one-member organisation for each account holding tokens, the account its admin, its tokens there."""
    conn = op.get_bind()
    organisation = sa.table(
        "organisation", sa.column("id", sa.Integer), sa.column("name", sa.String), sa.column("kind", sa.String),
        sa.column("lpa_id", sa.Integer), sa.column("created_at", sa.DateTime),
    )  # fmt: skip
    member = sa.table(
        "organisation_member", sa.column("organisation_id", sa.Integer), sa.column("user_id", sa.Integer),
        sa.column("role", sa.String), sa.column("joined_at", sa.DateTime),
    )  # fmt: skip
    holders = conn.execute(
        sa.text(
            "SELECT a.id, a.email, a.organisation, a.role, a.lpa_id, MIN(t.created_at) AS since "
            "FROM account a JOIN api_token t ON t.user_id = a.id "
            "GROUP BY a.id, a.email, a.organisation, a.role, a.lpa_id ORDER BY a.id"
        ).columns(
            id=sa.Integer, email=sa.String, organisation=sa.String, role=sa.String, lpa_id=sa.Integer, since=sa.DateTime
        )  # typed: SQLite's MIN() of a date and time is text
    ).all()
    for h in holders:
        name = " ".join((h.organisation or "").split())[:200] or h.email
        lpa = h.lpa_id if h.role == "lpa_officer" and h.lpa_id is not None else None
        kind = "lpa" if lpa is not None else ("developer" if h.role == "developer" else "other")
        made = conn.execute(
            sa.insert(organisation)
            .values(name=name, kind=kind, lpa_id=lpa, created_at=h.since)
            .returning(organisation.c.id)
        ).scalar_one()
        conn.execute(sa.insert(member).values(organisation_id=made, user_id=h.id, role="admin", joined_at=h.since))
        conn.execute(sa.text("UPDATE api_token SET organisation_id = :o WHERE user_id = :u"), {"o": made, "u": h.id})


def downgrade() -> None:
    _email_link_purposes(OLD_PURPOSES)
    op.drop_index("ix_api_token_organisation_id", table_name="api_token")
    op.add_column("api_token", sa.Column("organisation", sa.String(length=200), server_default="", nullable=False))
    op.execute(
        "UPDATE api_token SET organisation = (SELECT o.name FROM organisation o WHERE o.id = api_token.organisation_id)"
    )
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("api_token", "organisation", server_default=None)
        op.drop_constraint(op.f("fk_api_token_organisation_id_organisation"), "api_token", type_="foreignkey")
        op.drop_column("api_token", "organisation_id")
    else:  # the column's foreign key keeps ALTER TABLE … DROP COLUMN out: copy the table without it
        with op.batch_alter_table("api_token", copy_from=_api_token(organisation=True, organisation_id=True)) as batch:
            batch.alter_column("organisation", existing_type=sa.String(length=200), server_default=None)
            batch.drop_column("organisation_id")
    op.drop_index("ix_organisation_member_user_id", table_name="organisation_member")
    op.drop_table("organisation_member")
    op.drop_table("organisation")
