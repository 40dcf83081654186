"""Planning cases: an applicant's biodiversity gain plan submitted to an LPA, validated and decided.

``planning_case`` holds one submission (its files in the file store), bng's validation report and
the gain plan's data (JSON), the officer's findings and the decision; CHECKs keep the status to the
determination's five, a decided case dated and a refusal with reasons. ``planning_case_event`` is
the case's history: append-only on both engines (PostgreSQL's ``bng_append_only()`` is revision
0001's), so a decision, once recorded, stays in the history whatever is done later.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

SQLITE_CREATE = (
    """CREATE TRIGGER planning_case_event_no_update BEFORE UPDATE ON planning_case_event
       BEGIN SELECT RAISE(ABORT, 'planning_case_event is append-only: entries cannot be changed'); END""",
    """CREATE TRIGGER planning_case_event_no_delete BEFORE DELETE ON planning_case_event
       BEGIN SELECT RAISE(ABORT, 'planning_case_event is append-only: entries cannot be deleted'); END""",
)
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS planning_case_event_no_update",
    "DROP TRIGGER IF EXISTS planning_case_event_no_delete",
)
POSTGRES_CREATE = (
    """CREATE TRIGGER planning_case_event_append_only BEFORE UPDATE OR DELETE ON planning_case_event
       FOR EACH ROW EXECUTE FUNCTION bng_append_only()""",
    """CREATE TRIGGER planning_case_event_no_truncate BEFORE TRUNCATE ON planning_case_event
       FOR EACH STATEMENT EXECUTE FUNCTION bng_append_only()""",
)
POSTGRES_DROP = (
    "DROP TRIGGER IF EXISTS planning_case_event_append_only ON planning_case_event",
    "DROP TRIGGER IF EXISTS planning_case_event_no_truncate ON planning_case_event",
)


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "planning_case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("planning_reference", sa.String(length=100), nullable=False),
        sa.Column("lpa_id", sa.Integer(), nullable=False),
        sa.Column("development_name", sa.String(length=200), nullable=False),
        sa.Column("submitted_by", sa.Integer(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("phase", sa.String(length=100), nullable=False),
        sa.Column("overall_reference", sa.String(length=20), nullable=False),
        sa.Column("submission_sha256", sa.String(length=64), nullable=False),
        sa.Column("submission_file_id", sa.Integer(), nullable=True),
        sa.Column("report_file_id", sa.Integer(), nullable=True),
        sa.Column("valid", sa.Boolean(), nullable=False),
        sa.Column("report", _json(), nullable=False),
        sa.Column("gain_plan", _json(), nullable=True),
        sa.Column("findings", _json(), nullable=False),
        sa.Column("extended_to", sa.Date(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decision_reasons", sa.Text(), nullable=False),
        sa.Column("invalid_reasons", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('received', 'invalid', 'validated', 'approved', 'refused')",
            name=op.f("ck_planning_case_status"),
        ),
        sa.CheckConstraint(
            "status NOT IN ('approved', 'refused') OR decided_on IS NOT NULL", name=op.f("ck_planning_case_decided_on")
        ),
        sa.CheckConstraint(
            "status <> 'refused' OR decision_reasons <> ''", name=op.f("ck_planning_case_refusal_reasons")
        ),
        sa.ForeignKeyConstraint(["lpa_id"], ["lpa.id"], name=op.f("fk_planning_case_lpa_id_lpa")),
        sa.ForeignKeyConstraint(["submitted_by"], ["account.id"], name=op.f("fk_planning_case_submitted_by_account")),
        sa.ForeignKeyConstraint(
            ["submission_file_id"], ["stored_file.id"], name=op.f("fk_planning_case_submission_file_id_stored_file")
        ),
        sa.ForeignKeyConstraint(
            ["report_file_id"], ["stored_file.id"], name=op.f("fk_planning_case_report_file_id_stored_file")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_planning_case")),
        sa.UniqueConstraint("reference", name=op.f("uq_planning_case_reference")),
    )
    op.create_index(op.f("ix_planning_case_planning_reference"), "planning_case", ["planning_reference"])
    op.create_index(op.f("ix_planning_case_lpa_id"), "planning_case", ["lpa_id"])
    op.create_index(op.f("ix_planning_case_submitted_by"), "planning_case", ["submitted_by"])
    op.create_table(
        "planning_case_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("by_user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["planning_case.id"], name=op.f("fk_planning_case_event_case_id_planning_case")
        ),
        sa.ForeignKeyConstraint(["by_user_id"], ["account.id"], name=op.f("fk_planning_case_event_by_user_id_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_planning_case_event")),
    )
    op.create_index(op.f("ix_planning_case_event_case_id"), "planning_case_event", ["case_id"])
    for stmt in POSTGRES_CREATE if op.get_bind().dialect.name == "postgresql" else SQLITE_CREATE:
        op.execute(stmt)


def downgrade() -> None:
    for stmt in POSTGRES_DROP if op.get_bind().dialect.name == "postgresql" else SQLITE_DROP:
        op.execute(stmt)
    op.drop_index(op.f("ix_planning_case_event_case_id"), table_name="planning_case_event")
    op.drop_table("planning_case_event")
    op.drop_index(op.f("ix_planning_case_submitted_by"), table_name="planning_case")
    op.drop_index(op.f("ix_planning_case_lpa_id"), table_name="planning_case")
    op.drop_index(op.f("ix_planning_case_planning_reference"), table_name="planning_case")
    op.drop_table("planning_case")
