"""The reference lists the register starts with: LPAs (with ONS codes) and the responsible bodies
designated by the Secretary of State, as shipped in ``bng/register/data`` on 2026-11-22.

Later changes to the lists are made by the register operator (audited), not by editing this.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import csv
import io
from datetime import date
from importlib import resources

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("bng.register").joinpath("data", name).read_text("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def upgrade() -> None:
    lpa = sa.table("lpa", sa.column("name", sa.String), sa.column("ons_code", sa.String))
    op.bulk_insert(lpa, [{"name": r["lpa_name"], "ons_code": r["lpa_ons_code"] or None} for r in _rows("lpas.csv")])
    body = sa.table(
        "responsible_body",
        sa.column("name", sa.String),
        sa.column("body_type", sa.String),
        sa.column("designated_on", sa.Date),
        sa.column("source", sa.Text),
    )
    op.bulk_insert(
        body,
        [
            {
                "name": r["name"],
                "body_type": r["type"],
                "designated_on": date.fromisoformat(r["designated_on"]),
                "source": r["source"],
            }
            for r in _rows("responsible_bodies.csv")
        ],
    )


def downgrade() -> None:
    op.execute("DELETE FROM responsible_body")
    op.execute("DELETE FROM lpa")
