"""LPAs with the dates they were LPAs, and a metric that buys statutory credits once.

``lpa`` gains ``valid_from``, ``valid_to``, ``successor`` (the name of the LPA that took over its
area) and ``source`` (where the dates come from), filled from ``bng/register/data/lpas.csv``: DEFRA's
list still holds 28 councils abolished by the 2019-2023 reorganisations (Harrogate, Allerdale,
Aylesbury Vale, Wycombe …), which the register must not offer any more.

``credit_order`` gains ``metric_sha256`` (the SHA-256 of the metric an order was submitted with) and a
partial unique index over the orders still live (not a draft, withdrawn, cancelled, refunded or
failed due diligence): one metric buys credits for one development, even when two submissions race.

Plain ``ALTER TABLE … ADD COLUMN`` on both engines (no foreign key or CHECK, so SQLite need not
rebuild ``lpa``, which four tables reference).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-12
"""

from __future__ import annotations

import csv
import io
from datetime import date
from importlib import resources

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

ENDED = ("draft", "withdrawn", "cancelled", "refunded", "due_diligence_failed")
LIVE_METRIC = f"metric_sha256 <> '' AND status NOT IN ({', '.join(repr(s) for s in ENDED)})"


def _rows() -> list[dict[str, str]]:
    text = resources.files("bng.register").joinpath("data", "lpas.csv").read_text("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def upgrade() -> None:
    for stmt in (
        "ALTER TABLE lpa ADD COLUMN valid_from DATE",
        "ALTER TABLE lpa ADD COLUMN valid_to DATE",
        "ALTER TABLE lpa ADD COLUMN successor VARCHAR(200) DEFAULT '' NOT NULL",
        "ALTER TABLE lpa ADD COLUMN source TEXT DEFAULT '' NOT NULL",
        "ALTER TABLE credit_order ADD COLUMN metric_sha256 VARCHAR(64) DEFAULT '' NOT NULL",
    ):
        op.execute(stmt)
    lpa = sa.table(
        "lpa",
        sa.column("name", sa.String),
        sa.column("valid_from", sa.Date),
        sa.column("valid_to", sa.Date),
        sa.column("successor", sa.String),
        sa.column("source", sa.Text),
    )
    for r in _rows():
        source = r["source"] + (f"; {r['dates_source']}" if r.get("dates_source") else "")
        op.execute(
            lpa.update()
            .where(lpa.c.name == r["lpa_name"])
            .values(
                valid_from=date.fromisoformat(r["valid_from"]) if r.get("valid_from") else None,
                valid_to=date.fromisoformat(r["valid_to"]) if r.get("valid_to") else None,
                successor=r.get("successor") or "",
                source=source,
            )
        )
    op.execute(
        "UPDATE credit_order SET metric_sha256 = (SELECT sha256 FROM stored_file WHERE stored_file.id = "
        "credit_order.metric_file_id) WHERE metric_file_id IS NOT NULL"
    )
    # orders already live with the same metric (the fault this revision closes): the earliest keeps it
    op.execute(
        f"UPDATE credit_order SET metric_sha256 = '' WHERE {LIVE_METRIC} AND EXISTS (SELECT 1 FROM credit_order e "
        f"WHERE e.metric_sha256 = credit_order.metric_sha256 AND e.id < credit_order.id AND "
        f"{LIVE_METRIC.replace('metric_sha256', 'e.metric_sha256').replace('status', 'e.status')})"
    )
    op.create_index(
        "uq_credit_order_live_metric",
        "credit_order",
        ["metric_sha256"],
        unique=True,
        sqlite_where=sa.text(LIVE_METRIC),
        postgresql_where=sa.text(LIVE_METRIC),
    )


def downgrade() -> None:
    op.drop_index("uq_credit_order_live_metric", "credit_order")
    op.execute("ALTER TABLE credit_order DROP COLUMN metric_sha256")
    for column in ("source", "successor", "valid_to", "valid_from"):
        op.execute(f"ALTER TABLE lpa DROP COLUMN {column}")
