"""The tables of organisations and their members (migration 0018), on the register's metadata."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, DateTime, ForeignKey, Index, Integer, String, Table, UniqueConstraint

from .tables import _in, metadata

ORGANISATION_KINDS = ("habitat_bank", "consultancy", "developer", "lpa", "other")
MEMBER_ROLES = ("admin", "member")

organisation = Table(
    "organisation",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("lpa_id", Integer, ForeignKey("lpa.id")),
    Column("created_at", DateTime, nullable=False),
    Column("closed_at", DateTime),
    CheckConstraint(_in("kind", ORGANISATION_KINDS), name="kind"),
    CheckConstraint("(kind = 'lpa') = (lpa_id IS NOT NULL)", name="lpa"),
)
"""An organisation (a habitat bank, a consultancy, a developer, an LPA): an LPA organisation names its LPA."""

organisation_member = Table(
    "organisation_member",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("organisation_id", Integer, ForeignKey("organisation.id"), nullable=False),
    Column("user_id", Integer, ForeignKey("account.id"), nullable=False),
    Column("role", String(10), nullable=False),
    Column("joined_at", DateTime, nullable=False),
    Column("invited_by", Integer, ForeignKey("account.id")),
    CheckConstraint(_in("role", MEMBER_ROLES), name="role"),
    UniqueConstraint("organisation_id", "user_id"),
    Index("ix_organisation_member_user_id", "user_id"),
)
"""Who belongs to an organisation (an account joins once, by an invitation it accepted, or by creating it)."""
