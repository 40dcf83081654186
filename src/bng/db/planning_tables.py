"""The tables of planning cases (migration 0010), on the register's metadata.

A case is an applicant's gain plan submitted to an LPA: its status (CHECK: received, invalid,
validated, approved, refused; the services allow only the determination's moves), bng's
validation report and the gain plan's data as JSON, the officer's findings, and the decision. Its
history (``planning_case_event``) is append-only, like the audit log (triggers of the migration).
"""

from __future__ import annotations

from sqlalchemy import Boolean, CheckConstraint, Column, Date, DateTime, ForeignKey, Integer, String, Table, Text

from .tables import metadata
from .types import JSONDoc

CASE_STATUSES = ("received", "invalid", "validated", "approved", "refused")

planning_case = Table(
    "planning_case",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("reference", String(20), nullable=False, unique=True),
    Column("planning_reference", String(100), nullable=False, index=True),
    Column("lpa_id", Integer, ForeignKey("lpa.id"), nullable=False, index=True),
    Column("development_name", String(200), nullable=False),
    Column("submitted_by", Integer, ForeignKey("account.id"), nullable=False, index=True),
    Column("received_on", Date, nullable=False),
    Column("received_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("status", String(20), nullable=False),
    Column("phase", String(100), nullable=False, default=""),
    Column("overall_reference", String(20), nullable=False, default=""),
    Column("submission_sha256", String(64), nullable=False),
    Column("submission_file_id", Integer, ForeignKey("stored_file.id")),
    Column("report_file_id", Integer, ForeignKey("stored_file.id")),
    Column("valid", Boolean, nullable=False, default=False),
    Column("report", JSONDoc, nullable=False),
    Column("gain_plan", JSONDoc),
    Column("findings", JSONDoc, nullable=False),
    Column("extended_to", Date),
    Column("decided_on", Date),
    Column("decision_reasons", Text, nullable=False, default=""),
    Column("invalid_reasons", Text, nullable=False, default=""),
    Column("version", Integer, nullable=False),
    CheckConstraint("status IN ('received', 'invalid', 'validated', 'approved', 'refused')", name="status"),
    CheckConstraint("status NOT IN ('approved', 'refused') OR decided_on IS NOT NULL", name="decided_on"),
    CheckConstraint("status <> 'refused' OR decision_reasons <> ''", name="refusal_reasons"),
)

planning_case_event = Table(
    "planning_case_event",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", Integer, ForeignKey("planning_case.id"), nullable=False, index=True),
    Column("at", DateTime, nullable=False),
    Column("kind", String(40), nullable=False),
    Column("message", Text, nullable=False, default=""),
    Column("by_user_id", Integer, ForeignKey("account.id")),
)
