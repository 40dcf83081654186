"""The table of API tokens (migrations 0013 and 0018), on the register's metadata."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, DateTime, ForeignKey, Index, Integer, String, Table

from . import organisation_tables as organisation_tables  # the table a token refers to, loaded with it
from .tables import metadata

api_token = Table(
    "api_token",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("organisation_id", Integer, ForeignKey("organisation.id"), nullable=False),
    Column("user_id", Integer, ForeignKey("account.id"), nullable=False),
    Column("name", String(80), nullable=False),
    Column("prefix", String(12), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("scopes", String(200), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("revoked_at", DateTime),
    Column("last_used_at", DateTime),
    Column("window_start", DateTime),
    Column("window_calls", Integer, nullable=False, server_default="0"),
    CheckConstraint("window_calls >= 0", name="window_calls"),
    Index("ix_api_token_user_id", "user_id"),
    Index("ix_api_token_organisation_id", "organisation_id"),
)
"""An organisation's API tokens (``user_id``: the admin who made one): the SHA-256 of each (never the
token), its first characters to recognise it, its scopes, when it was revoked, and its calls in the
current rate-limit window."""
