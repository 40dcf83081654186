"""The messages sent to gain site providers through the service (migration 0016), on the register's metadata."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, ForeignKey, Index, Integer, String, Table

from .tables import metadata

provider_message = Table(
    "provider_message",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("reference", String(20), nullable=False, unique=True),
    Column("gain_site_id", Integer, ForeignKey("gain_site.id"), nullable=False),
    Column("sender_id", Integer, ForeignKey("account.id"), nullable=False),
    Column("recipient_id", Integer, ForeignKey("account.id"), nullable=False),
    Column("body", String(2000), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Index("ix_provider_message_gain_site_id", "gain_site_id"),
    Index("ix_provider_message_recipient_id", "recipient_id"),
)
"""A message a developer or LPA officer sent to a gain site's provider: kept for the provider and the register
team, never published (no public page or open data reads this table)."""
