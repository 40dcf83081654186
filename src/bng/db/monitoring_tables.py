"""The tables of monitoring (migration 0012), on the register's metadata.

``monitoring_obligation`` (one per approved gain plan, one per registered gain site: unique), its
reports and remedial actions (each with the form's one-time token, unique: a confirmation posted
twice is one record), its history (``monitoring_event``, append-only), the outbox of notifications
(``notification_outbox``, a unique key per message), calendar feed links, and the excess-sale ledger
(``excess_account``: CHECK sold ≤ sellable, so two sales at once cannot both take the last units).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from .tables import metadata
from .types import JSONDoc, Millionths, MillionthsDoc

OBLIGATION_STATUSES = ("active", "ended")
REPORT_STATUSES = ("submitted", "accepted", "remedial action requested")
ACTION_STATUSES = ("open", "done")
MODULES = ("area", "hedgerow", "watercourse")

monitoring_obligation = Table(
    "monitoring_obligation",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("reference", String(20), nullable=False, unique=True),
    Column("lpa_id", Integer, ForeignKey("lpa.id"), nullable=False, index=True),
    Column("source", String(20), nullable=False),
    Column("planning_case_id", Integer, ForeignKey("planning_case.id"), unique=True),
    Column("gain_site_id", Integer, ForeignKey("gain_site.id"), unique=True),
    Column("planning_reference", String(100), nullable=False),
    Column("development_name", String(200), nullable=False),
    Column("provider_id", Integer, ForeignKey("account.id"), nullable=False, index=True),
    Column("mechanism", String(40), nullable=False),
    Column("monitor", String(40), nullable=False),
    Column("responsible_body_id", Integer, ForeignKey("responsible_body.id")),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=False),
    Column("schedule", String(60), nullable=False),
    Column("band", String(40), nullable=False),
    Column("years", JSONDoc, nullable=False),
    Column("size_ha", Float, nullable=False),
    Column("metric_release", String(40), nullable=False),
    Column("parcels", JSONDoc, nullable=False),
    Column("fee", JSONDoc),
    Column("fee_due", String(200), nullable=False, default=""),
    Column("fee_due_on", Date),
    Column("fee_received_on", Date),
    Column("fee_received_pence", BigInteger),
    Column("status", String(20), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("created_by", Integer, ForeignKey("account.id"), nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("version", Integer, nullable=False),
    CheckConstraint("status IN ('active', 'ended')", name="status"),
    CheckConstraint("source IN ('gain plan', 'gain site')", name="source"),
    CheckConstraint(
        "(source = 'gain plan' AND planning_case_id IS NOT NULL AND gain_site_id IS NULL) OR "
        "(source = 'gain site' AND gain_site_id IS NOT NULL AND planning_case_id IS NULL)",
        name="one_source",
    ),
    CheckConstraint("end_date > start_date", name="period"),
    CheckConstraint("fee_received_pence IS NULL OR fee_received_pence >= 0", name="fee_received"),
)

monitoring_report = Table(
    "monitoring_report",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("reference", String(20), nullable=False, unique=True),
    Column("obligation_id", Integer, ForeignKey("monitoring_obligation.id"), nullable=False, index=True),
    Column("year", Integer, nullable=False),
    Column("submitted_at", DateTime, nullable=False),
    Column("submitted_by", Integer, ForeignKey("account.id"), nullable=False),
    Column("observations", JSONDoc, nullable=False),
    Column("assessment", JSONDoc, nullable=False),
    Column("narrative", Text, nullable=False, default=""),
    Column("changes", Text, nullable=False, default=""),
    Column("recommendations", Text, nullable=False, default=""),
    Column("files", JSONDoc, nullable=False),
    Column("content_sha256", String(64), nullable=False),
    Column("token", String(64), unique=True),
    Column("status", String(40), nullable=False),
    Column("reviewed_at", DateTime),
    Column("reviewed_by", Integer, ForeignKey("account.id")),
    Column("review_note", Text, nullable=False, default=""),
    Column("version", Integer, nullable=False),
    CheckConstraint("year BETWEEN 0 AND 99", name="year"),
    CheckConstraint("status IN ('submitted', 'accepted', 'remedial action requested')", name="status"),
    CheckConstraint("status = 'submitted' OR reviewed_at IS NOT NULL", name="reviewed"),
)

monitoring_action = Table(
    "monitoring_action",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("reference", String(20), nullable=False, unique=True),
    Column("obligation_id", Integer, ForeignKey("monitoring_obligation.id"), nullable=False, index=True),
    Column("report_id", Integer, ForeignKey("monitoring_report.id"), nullable=False, index=True),
    Column("parcel_keys", JSONDoc, nullable=False),
    Column("description", Text, nullable=False),
    Column("deadline", Date, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("created_by", Integer, ForeignKey("account.id"), nullable=False),
    Column("token", String(64), unique=True),
    Column("status", String(20), nullable=False),
    Column("done_at", DateTime),
    Column("done_by", Integer, ForeignKey("account.id")),
    Column("done_note", Text, nullable=False, default=""),
    Column("version", Integer, nullable=False),
    CheckConstraint("status IN ('open', 'done')", name="status"),
    CheckConstraint("description <> ''", name="description"),
    CheckConstraint("status = 'open' OR done_at IS NOT NULL", name="done"),
)

monitoring_event = Table(
    "monitoring_event",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("obligation_id", Integer, ForeignKey("monitoring_obligation.id"), nullable=False, index=True),
    Column("at", DateTime, nullable=False),
    Column("kind", String(40), nullable=False),
    Column("message", Text, nullable=False, default=""),
    Column("by_user_id", Integer, ForeignKey("account.id")),
)

notification_outbox = Table(
    "notification_outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(200), nullable=False, unique=True),
    Column("kind", String(40), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("send_on", Date, nullable=False, index=True),
    Column("to_email", String(320), nullable=False),
    Column("subject", String(300), nullable=False),
    Column("body", Text, nullable=False),
    Column("user_id", Integer, ForeignKey("account.id")),
    Column("obligation_id", Integer, ForeignKey("monitoring_obligation.id"), index=True),
    Column("sent_at", DateTime),
    # GOV.UK Notify (migration 0014): the template and its personalisation, and the sender's progress
    Column("template", String(60), nullable=False, server_default=""),
    Column("fields", JSONDoc),
    Column("status", String(20), nullable=False, server_default="queued"),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", DateTime),
    Column("claimed_by", String(80)),
    Column("claimed_until", DateTime),
    Column("last_error", Text),
    Column("notify_id", String(64)),
    Column("notify_status", String(40)),
    CheckConstraint("status IN ('queued', 'sending', 'sent', 'failed')", name="status"),
    Index("ix_notification_outbox_due", "status", "send_on"),
)

calendar_feed = Table(
    "calendar_feed",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("kind", String(20), nullable=False),
    Column("lpa_id", Integer, ForeignKey("lpa.id")),
    Column("user_id", Integer, ForeignKey("account.id")),
    Column("created_at", DateTime, nullable=False),
    Column("created_by", Integer, ForeignKey("account.id"), nullable=False),
    CheckConstraint(
        "(kind = 'lpa' AND lpa_id IS NOT NULL AND user_id IS NULL) OR "
        "(kind = 'provider' AND user_id IS NOT NULL AND lpa_id IS NULL)",
        name="owner",
    ),
    UniqueConstraint("kind", "lpa_id", "user_id", name="uq_calendar_feed_one_per_owner"),
)

excess_account = Table(
    "excess_account",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("planning_case_id", Integer, ForeignKey("planning_case.id"), nullable=False),
    Column("module", String(20), nullable=False),
    Column("sellable_micro", Millionths(), nullable=False),
    Column("sold_micro", Millionths(), nullable=False),
    UniqueConstraint("planning_case_id", "module", name="uq_excess_account_one_per_module"),
    CheckConstraint("module IN ('area', 'hedgerow', 'watercourse')", name="module"),
    CheckConstraint("sold_micro >= 0 AND sold_micro <= sellable_micro", name="excess_within_sellable"),
)

excess_sale = Table(
    "excess_sale",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("reference", String(20), nullable=False, unique=True),
    Column("planning_case_id", Integer, ForeignKey("planning_case.id"), nullable=False, index=True),
    Column("buyer_planning_reference", String(100), nullable=False),
    Column("buyer_lpa_id", Integer, ForeignKey("lpa.id"), nullable=False, index=True),
    Column("gain_site_reference", String(20), nullable=False, default=""),
    Column("units_micro", MillionthsDoc(), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("created_by", Integer, ForeignKey("account.id"), nullable=False),
    Column("token", String(64), unique=True),
)
