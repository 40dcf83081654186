"""Monitoring over 30 years: obligations, reports, remedial actions, their history, the outbox of
notifications, calendar feed links and the excess-sale ledger.

One obligation per approved gain plan and per registered gain site (unique); a report, an action and
an excess sale each keep the form's one-time token (unique), so a confirmation posted twice is one
record; ``excess_account`` CHECKs that no more is sold than the development's sellable excess (two
sales at once: the second fails on the first's updated row); ``notification_outbox`` has a unique key
per message (a reminder is queued once). ``monitoring_event`` is append-only on both engines, like the
audit log (PostgreSQL's ``bng_append_only()`` is revision 0001's).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

SQLITE_CREATE = (
    """CREATE TRIGGER monitoring_event_no_update BEFORE UPDATE ON monitoring_event
       BEGIN SELECT RAISE(ABORT, 'monitoring_event is append-only: entries cannot be changed'); END""",
    """CREATE TRIGGER monitoring_event_no_delete BEFORE DELETE ON monitoring_event
       BEGIN SELECT RAISE(ABORT, 'monitoring_event is append-only: entries cannot be deleted'); END""",
)
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS monitoring_event_no_update",
    "DROP TRIGGER IF EXISTS monitoring_event_no_delete",
)
POSTGRES_CREATE = (
    """CREATE TRIGGER monitoring_event_append_only BEFORE UPDATE OR DELETE ON monitoring_event
       FOR EACH ROW EXECUTE FUNCTION bng_append_only()""",
    """CREATE TRIGGER monitoring_event_no_truncate BEFORE TRUNCATE ON monitoring_event
       FOR EACH STATEMENT EXECUTE FUNCTION bng_append_only()""",
)
POSTGRES_DROP = (
    "DROP TRIGGER IF EXISTS monitoring_event_append_only ON monitoring_event",
    "DROP TRIGGER IF EXISTS monitoring_event_no_truncate ON monitoring_event",
)


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"))


def upgrade() -> None:
    t = "monitoring_obligation"
    op.create_table(
        t,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("lpa_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("planning_case_id", sa.Integer(), nullable=True),
        sa.Column("gain_site_id", sa.Integer(), nullable=True),
        sa.Column("planning_reference", sa.String(length=100), nullable=False),
        sa.Column("development_name", sa.String(length=200), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("mechanism", sa.String(length=40), nullable=False),
        sa.Column("monitor", sa.String(length=40), nullable=False),
        sa.Column("responsible_body_id", sa.Integer(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("schedule", sa.String(length=60), nullable=False),
        sa.Column("band", sa.String(length=40), nullable=False),
        sa.Column("years", _json(), nullable=False),
        sa.Column("size_ha", sa.Float(), nullable=False),
        sa.Column("metric_release", sa.String(length=40), nullable=False),
        sa.Column("parcels", _json(), nullable=False),
        sa.Column("fee", _json(), nullable=True),
        sa.Column("fee_due", sa.String(length=200), nullable=False),
        sa.Column("fee_due_on", sa.Date(), nullable=True),
        sa.Column("fee_received_on", sa.Date(), nullable=True),
        sa.Column("fee_received_pence", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("status IN ('active', 'ended')", name=op.f(f"ck_{t}_status")),
        sa.CheckConstraint("source IN ('gain plan', 'gain site')", name=op.f(f"ck_{t}_source")),
        sa.CheckConstraint(
            "(source = 'gain plan' AND planning_case_id IS NOT NULL AND gain_site_id IS NULL) OR "
            "(source = 'gain site' AND gain_site_id IS NOT NULL AND planning_case_id IS NULL)",
            name=op.f(f"ck_{t}_one_source"),
        ),
        sa.CheckConstraint("end_date > start_date", name=op.f(f"ck_{t}_period")),
        sa.CheckConstraint("fee_received_pence IS NULL OR fee_received_pence >= 0", name=op.f(f"ck_{t}_fee_received")),
        _fk(t, "lpa_id", "lpa"),
        _fk(t, "planning_case_id", "planning_case"),
        _fk(t, "gain_site_id", "gain_site"),
        sa.ForeignKeyConstraint(["provider_id"], ["account.id"], name=op.f(f"fk_{t}_provider_id_account")),
        sa.ForeignKeyConstraint(
            ["responsible_body_id"], ["responsible_body.id"], name=op.f(f"fk_{t}_responsible_body_id_responsible_body")
        ),
        sa.ForeignKeyConstraint(["created_by"], ["account.id"], name=op.f(f"fk_{t}_created_by_account")),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{t}")),
        sa.UniqueConstraint("reference", name=op.f(f"uq_{t}_reference")),
        sa.UniqueConstraint("planning_case_id", name=op.f(f"uq_{t}_planning_case_id")),
        sa.UniqueConstraint("gain_site_id", name=op.f(f"uq_{t}_gain_site_id")),
    )
    op.create_index(op.f(f"ix_{t}_lpa_id"), t, ["lpa_id"])
    op.create_index(op.f(f"ix_{t}_provider_id"), t, ["provider_id"])

    t = "monitoring_report"
    op.create_table(
        t,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("obligation_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.Column("submitted_by", sa.Integer(), nullable=False),
        sa.Column("observations", _json(), nullable=False),
        sa.Column("assessment", _json(), nullable=False),
        sa.Column("narrative", sa.Text(), nullable=False),
        sa.Column("changes", sa.Text(), nullable=False),
        sa.Column("recommendations", sa.Text(), nullable=False),
        sa.Column("files", _json(), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(), nullable=True),
        sa.Column("reviewed_by", sa.Integer(), nullable=True),
        sa.Column("review_note", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("year BETWEEN 0 AND 99", name=op.f(f"ck_{t}_year")),
        sa.CheckConstraint(
            "status IN ('submitted', 'accepted', 'remedial action requested')", name=op.f(f"ck_{t}_status")
        ),
        sa.CheckConstraint("status = 'submitted' OR reviewed_at IS NOT NULL", name=op.f(f"ck_{t}_reviewed")),
        _fk(t, "obligation_id", "monitoring_obligation"),
        sa.ForeignKeyConstraint(["submitted_by"], ["account.id"], name=op.f(f"fk_{t}_submitted_by_account")),
        sa.ForeignKeyConstraint(["reviewed_by"], ["account.id"], name=op.f(f"fk_{t}_reviewed_by_account")),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{t}")),
        sa.UniqueConstraint("reference", name=op.f(f"uq_{t}_reference")),
        sa.UniqueConstraint("token", name=op.f(f"uq_{t}_token")),
    )
    op.create_index(op.f(f"ix_{t}_obligation_id"), t, ["obligation_id"])

    t = "monitoring_action"
    op.create_table(
        t,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("obligation_id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("parcel_keys", _json(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.Column("done_by", sa.Integer(), nullable=True),
        sa.Column("done_note", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("status IN ('open', 'done')", name=op.f(f"ck_{t}_status")),
        sa.CheckConstraint("description <> ''", name=op.f(f"ck_{t}_description")),
        sa.CheckConstraint("status = 'open' OR done_at IS NOT NULL", name=op.f(f"ck_{t}_done")),
        _fk(t, "obligation_id", "monitoring_obligation"),
        _fk(t, "report_id", "monitoring_report"),
        sa.ForeignKeyConstraint(["created_by"], ["account.id"], name=op.f(f"fk_{t}_created_by_account")),
        sa.ForeignKeyConstraint(["done_by"], ["account.id"], name=op.f(f"fk_{t}_done_by_account")),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{t}")),
        sa.UniqueConstraint("reference", name=op.f(f"uq_{t}_reference")),
        sa.UniqueConstraint("token", name=op.f(f"uq_{t}_token")),
    )
    op.create_index(op.f(f"ix_{t}_obligation_id"), t, ["obligation_id"])
    op.create_index(op.f(f"ix_{t}_report_id"), t, ["report_id"])

    t = "monitoring_event"
    op.create_table(
        t,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("obligation_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("by_user_id", sa.Integer(), nullable=True),
        _fk(t, "obligation_id", "monitoring_obligation"),
        sa.ForeignKeyConstraint(["by_user_id"], ["account.id"], name=op.f(f"fk_{t}_by_user_id_account")),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{t}")),
    )
    op.create_index(op.f(f"ix_{t}_obligation_id"), t, ["obligation_id"])

    t = "notification_outbox"
    op.create_table(
        t,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("send_on", sa.Date(), nullable=False),
        sa.Column("to_email", sa.String(length=320), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("obligation_id", sa.Integer(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["account.id"], name=op.f(f"fk_{t}_user_id_account")),
        _fk(t, "obligation_id", "monitoring_obligation"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{t}")),
        sa.UniqueConstraint("key", name=op.f(f"uq_{t}_key")),
    )
    op.create_index(op.f(f"ix_{t}_send_on"), t, ["send_on"])
    op.create_index(op.f(f"ix_{t}_obligation_id"), t, ["obligation_id"])

    t = "calendar_feed"
    op.create_table(
        t,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("lpa_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(kind = 'lpa' AND lpa_id IS NOT NULL AND user_id IS NULL) OR "
            "(kind = 'provider' AND user_id IS NOT NULL AND lpa_id IS NULL)",
            name=op.f(f"ck_{t}_owner"),
        ),
        _fk(t, "lpa_id", "lpa"),
        sa.ForeignKeyConstraint(["user_id"], ["account.id"], name=op.f(f"fk_{t}_user_id_account")),
        sa.ForeignKeyConstraint(["created_by"], ["account.id"], name=op.f(f"fk_{t}_created_by_account")),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{t}")),
        sa.UniqueConstraint("token_hash", name=op.f(f"uq_{t}_token_hash")),
        sa.UniqueConstraint("kind", "lpa_id", "user_id", name=op.f(f"uq_{t}_one_per_owner")),
    )

    t = "excess_account"
    op.create_table(
        t,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("planning_case_id", sa.Integer(), nullable=False),
        sa.Column("module", sa.String(length=20), nullable=False),
        sa.Column("sellable_micro", sa.BigInteger(), nullable=False),
        sa.Column("sold_micro", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("module IN ('area', 'hedgerow', 'watercourse')", name=op.f(f"ck_{t}_module")),
        sa.CheckConstraint(
            "sold_micro >= 0 AND sold_micro <= sellable_micro", name=op.f(f"ck_{t}_excess_within_sellable")
        ),
        _fk(t, "planning_case_id", "planning_case"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{t}")),
        sa.UniqueConstraint("planning_case_id", "module", name=op.f(f"uq_{t}_one_per_module")),
    )

    t = "excess_sale"
    op.create_table(
        t,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("planning_case_id", sa.Integer(), nullable=False),
        sa.Column("buyer_planning_reference", sa.String(length=100), nullable=False),
        sa.Column("buyer_lpa_id", sa.Integer(), nullable=False),
        sa.Column("gain_site_reference", sa.String(length=20), nullable=False),
        sa.Column("units_micro", _json(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=True),
        _fk(t, "planning_case_id", "planning_case"),
        sa.ForeignKeyConstraint(["buyer_lpa_id"], ["lpa.id"], name=op.f(f"fk_{t}_buyer_lpa_id_lpa")),
        sa.ForeignKeyConstraint(["created_by"], ["account.id"], name=op.f(f"fk_{t}_created_by_account")),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{t}")),
        sa.UniqueConstraint("reference", name=op.f(f"uq_{t}_reference")),
        sa.UniqueConstraint("token", name=op.f(f"uq_{t}_token")),
    )
    op.create_index(op.f(f"ix_{t}_planning_case_id"), t, ["planning_case_id"])
    op.create_index(op.f(f"ix_{t}_buyer_lpa_id"), t, ["buyer_lpa_id"])
    for stmt in POSTGRES_CREATE if op.get_bind().dialect.name == "postgresql" else SQLITE_CREATE:
        op.execute(stmt)


def downgrade() -> None:
    for stmt in POSTGRES_DROP if op.get_bind().dialect.name == "postgresql" else SQLITE_DROP:
        op.execute(stmt)
    for table, indexes in (
        ("excess_sale", ("planning_case_id", "buyer_lpa_id")),
        ("excess_account", ()),
        ("calendar_feed", ()),
        ("notification_outbox", ("send_on", "obligation_id")),
        ("monitoring_event", ("obligation_id",)),
        ("monitoring_action", ("obligation_id", "report_id")),
        ("monitoring_report", ("obligation_id",)),
        ("monitoring_obligation", ("lpa_id", "provider_id")),
    ):
        for column in indexes:
            op.drop_index(op.f(f"ix_{table}_{column}"), table_name=table)
        op.drop_table(table)
