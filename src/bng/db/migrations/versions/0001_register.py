"""The register's tables, with PostGIS, spatial indexes and the rules the database enforces.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bng.db import triggers
from bng.db.types import Geometry, JSONDoc

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.create_table(
        "counter",
        sa.Column("scope", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.CheckConstraint("value > 0", name=op.f("ck_counter_value")),
        sa.PrimaryKeyConstraint("scope", name=op.f("pk_counter")),
    )
    op.create_table(
        "lpa",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("ons_code", sa.String(length=9), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lpa")),
        sa.UniqueConstraint("name", name=op.f("uq_lpa_name")),
        sa.UniqueConstraint("ons_code", name=op.f("uq_lpa_ons_code")),
    )
    op.create_table(
        "responsible_body",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("body_type", sa.String(length=100), nullable=False),
        sa.Column("designated_on", sa.Date(), nullable=False),
        sa.Column("withdrawn_on", sa.Date(), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "withdrawn_on IS NULL OR withdrawn_on >= designated_on",
            name=op.f("ck_responsible_body_withdrawn_after_designated"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_responsible_body")),
        sa.UniqueConstraint("name", name=op.f("uq_responsible_body_name")),
    )
    op.create_table(
        "account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=30), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("organisation", sa.String(length=200), nullable=False),
        sa.Column("lpa_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "(role = 'lpa_officer') = (lpa_id IS NOT NULL)", name=op.f("ck_account_lpa_officer_has_lpa")
        ),
        sa.CheckConstraint(
            "role IN ('landowner', 'developer', 'lpa_officer', 'case_worker')", name=op.f("ck_account_role")
        ),
        sa.CheckConstraint("failed_logins >= 0", name=op.f("ck_account_failed_logins")),
        sa.ForeignKeyConstraint(["lpa_id"], ["lpa.id"], name=op.f("fk_account_lpa_id_lpa")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account")),
        sa.UniqueConstraint("email", name=op.f("uq_account_email")),
    )
    op.create_table(
        "application",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("answers", JSONDoc, nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("information_request", sa.Text(), nullable=True),
        sa.Column("gain_site_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(status = 'accepted') = (gain_site_id IS NOT NULL)", name=op.f("ck_application_accepted_has_site")
        ),
        sa.CheckConstraint("kind IN ('registration', 'combined')", name=op.f("ck_application_kind")),
        sa.CheckConstraint(
            "status IN ('draft', 'submitted', 'information_requested', 'accepted', 'rejected')",
            name=op.f("ck_application_status"),
        ),
        sa.ForeignKeyConstraint(["owner_id"], ["account.id"], name=op.f("fk_application_owner_id_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application")),
        sa.UniqueConstraint("reference", name=op.f("uq_application_reference")),
    )
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_application_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index("ix_application_status", ["status"], unique=False)

    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=320), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.String(length=40), nullable=False),
        sa.Column("before", JSONDoc, nullable=True),
        sa.Column("after", JSONDoc, nullable=True),
        sa.ForeignKeyConstraint(["actor_id"], ["account.id"], name=op.f("fk_audit_event_actor_id_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_at"), ["at"], unique=False)
        batch_op.create_index("ix_audit_event_entity", ["entity", "entity_id"], unique=False)

    op.create_table(
        "login_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["account.id"], name=op.f("fk_login_session_user_id_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_login_session_token_hash")),
    )
    with op.batch_alter_table("login_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_session_user_id"), ["user_id"], unique=False)

    op.create_table(
        "application_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("by_user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"], ["application.id"], name=op.f("fk_application_event_application_id_application")
        ),
        sa.ForeignKeyConstraint(["by_user_id"], ["account.id"], name=op.f("fk_application_event_by_user_id_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_event")),
    )
    with op.batch_alter_table("application_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_application_event_application_id"), ["application_id"], unique=False)

    op.create_table(
        "gain_site",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("registered_on", sa.Date(), nullable=False),
        sa.Column("removed_on", sa.Date(), nullable=True),
        sa.Column("area_ha", sa.Float(), nullable=False),
        sa.Column("grid_reference", sa.String(length=20), nullable=False),
        sa.Column("easting", sa.Float(), nullable=False),
        sa.Column("northing", sa.Float(), nullable=False),
        sa.Column("min_e", sa.Float(), nullable=False),
        sa.Column("min_n", sa.Float(), nullable=False),
        sa.Column("max_e", sa.Float(), nullable=False),
        sa.Column("max_n", sa.Float(), nullable=False),
        sa.Column("boundary", Geometry("MULTIPOLYGON"), nullable=True),
        sa.Column("agreement_type", sa.String(length=30), nullable=False),
        sa.Column("agreement_date", sa.Date(), nullable=False),
        sa.Column("works_completion_date", sa.Date(), nullable=False),
        sa.Column("secured_until", sa.Date(), nullable=False),
        sa.Column("agreement_sha256", sa.String(length=64), nullable=False),
        sa.Column("hmmp_in_agreement", sa.Boolean(), nullable=False),
        sa.Column("responsible_body_id", sa.Integer(), nullable=True),
        sa.Column("lpa_name", sa.String(length=200), nullable=False),
        sa.Column("nca_name", sa.String(length=200), nullable=False),
        sa.Column("lnrs_name", sa.String(length=200), nullable=False),
        sa.Column("metric_release", sa.String(length=40), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(agreement_type = 'conservation_covenant') = (responsible_body_id IS NOT NULL)",
            name=op.f("ck_gain_site_covenant_has_body"),
        ),
        sa.CheckConstraint(
            "(status = 'removed') = (removed_on IS NOT NULL)", name=op.f("ck_gain_site_removed_has_date")
        ),
        sa.CheckConstraint(
            "agreement_type IN ('s106', 'conservation_covenant')", name=op.f("ck_gain_site_agreement_type")
        ),
        sa.CheckConstraint("status IN ('registered', 'removed')", name=op.f("ck_gain_site_status")),
        sa.CheckConstraint("area_ha > 0", name=op.f("ck_gain_site_area")),
        sa.CheckConstraint("min_e <= max_e AND min_n <= max_n", name=op.f("ck_gain_site_bbox")),
        sa.CheckConstraint("secured_until > works_completion_date", name=op.f("ck_gain_site_secured_after_works")),
        sa.ForeignKeyConstraint(
            ["application_id"], ["application.id"], name=op.f("fk_gain_site_application_id_application")
        ),
        sa.ForeignKeyConstraint(
            ["responsible_body_id"],
            ["responsible_body.id"],
            name=op.f("fk_gain_site_responsible_body_id_responsible_body"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gain_site")),
        sa.UniqueConstraint("application_id", name=op.f("uq_gain_site_application_id")),
        sa.UniqueConstraint("reference", name=op.f("uq_gain_site_reference")),
    )
    with op.batch_alter_table("gain_site", schema=None) as batch_op:
        batch_op.create_index("ix_gain_site_bbox", ["min_e", "max_e", "min_n", "max_n"], unique=False)
        batch_op.create_index("ix_gain_site_lnrs_name", ["lnrs_name"], unique=False)
        batch_op.create_index("ix_gain_site_lpa_name", ["lpa_name"], unique=False)
        batch_op.create_index("ix_gain_site_nca_name", ["nca_name"], unique=False)
        batch_op.create_index("ix_gain_site_status_registered", ["status", "registered_on"], unique=False)

    op.create_table(
        "payment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("purpose", sa.String(length=30), nullable=False),
        sa.Column("amount_pence", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("payer_id", sa.Integer(), nullable=True),
        sa.Column("application_id", sa.Integer(), nullable=True),
        sa.Column("allocation_id", sa.Integer(), nullable=True),
        sa.Column("received_on", sa.Date(), nullable=True),
        sa.Column("method", sa.String(length=40), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(status = 'received') = (received_on IS NOT NULL)", name=op.f("ck_payment_received_has_date")
        ),
        sa.CheckConstraint("status IN ('due', 'received')", name=op.f("ck_payment_status")),
        sa.CheckConstraint("amount_pence >= 0", name=op.f("ck_payment_amount")),
        sa.ForeignKeyConstraint(
            ["application_id"], ["application.id"], name=op.f("fk_payment_application_id_application")
        ),
        sa.ForeignKeyConstraint(["payer_id"], ["account.id"], name=op.f("fk_payment_payer_id_account")),
        sa.ForeignKeyConstraint(["recorded_by"], ["account.id"], name=op.f("fk_payment_recorded_by_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment")),
        sa.UniqueConstraint("reference", name=op.f("uq_payment_reference")),
    )
    with op.batch_alter_table("payment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payment_allocation_id"), ["allocation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_payment_application_id"), ["application_id"], unique=False)

    op.create_table(
        "stored_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), nullable=True),
        sa.Column("application_id", sa.Integer(), nullable=True),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "NOT (published AND kind IN ('ownership', 'authorisation', 'land_charge'))",
            name=op.f("ck_stored_file_personal_never_published"),
        ),
        sa.CheckConstraint("size > 0", name=op.f("ck_stored_file_size")),
        sa.ForeignKeyConstraint(
            ["application_id"], ["application.id"], name=op.f("fk_stored_file_application_id_application")
        ),
        sa.ForeignKeyConstraint(["uploaded_by"], ["account.id"], name=op.f("fk_stored_file_uploaded_by_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stored_file")),
        sa.UniqueConstraint("key", name=op.f("uq_stored_file_key")),
    )
    with op.batch_alter_table("stored_file", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stored_file_application_id"), ["application_id"], unique=False)

    op.create_table(
        "agreement_lpa",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("gain_site_id", sa.Integer(), nullable=False),
        sa.Column("lpa_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["gain_site_id"], ["gain_site.id"], name=op.f("fk_agreement_lpa_gain_site_id_gain_site")
        ),
        sa.ForeignKeyConstraint(["lpa_id"], ["lpa.id"], name=op.f("fk_agreement_lpa_lpa_id_lpa")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement_lpa")),
        sa.UniqueConstraint("gain_site_id", "lpa_id", name="uq_agreement_lpa_site_lpa"),
    )
    with op.batch_alter_table("agreement_lpa", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agreement_lpa_lpa_id"), ["lpa_id"], unique=False)

    op.create_table(
        "allocation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("gain_site_id", sa.Integer(), nullable=False),
        sa.Column("lpa_id", sa.Integer(), nullable=False),
        sa.Column("planning_reference", sa.String(length=100), nullable=False),
        sa.Column("development_name", sa.String(length=200), nullable=False),
        sa.Column("spatial_risk", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["created_by"], ["account.id"], name=op.f("fk_allocation_created_by_account")),
        sa.ForeignKeyConstraint(["gain_site_id"], ["gain_site.id"], name=op.f("fk_allocation_gain_site_id_gain_site")),
        sa.ForeignKeyConstraint(["lpa_id"], ["lpa.id"], name=op.f("fk_allocation_lpa_id_lpa")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_allocation")),
        sa.UniqueConstraint("reference", name=op.f("uq_allocation_reference")),
    )
    with op.batch_alter_table("allocation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_allocation_gain_site_id"), ["gain_site_id"], unique=False)

    op.create_table(
        "gain_site_area",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("gain_site_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("share", sa.Float(), nullable=False),
        sa.CheckConstraint("kind IN ('lpa', 'nca', 'lnrs')", name=op.f("ck_gain_site_area_kind")),
        sa.CheckConstraint("share > 0 AND share <= 1.000001", name=op.f("ck_gain_site_area_share")),
        sa.ForeignKeyConstraint(
            ["gain_site_id"], ["gain_site.id"], name=op.f("fk_gain_site_area_gain_site_id_gain_site")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gain_site_area")),
        sa.UniqueConstraint("gain_site_id", "kind", "name", name="uq_gain_site_area_site_kind_name"),
    )
    with op.batch_alter_table("gain_site_area", schema=None) as batch_op:
        batch_op.create_index("ix_gain_site_area_kind_name", ["kind", "name"], unique=False)

    op.create_table(
        "habitat_parcel",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("gain_site_id", sa.Integer(), nullable=False),
        sa.Column("module", sa.String(length=12), nullable=False),
        sa.Column("stage", sa.String(length=12), nullable=False),
        sa.Column("ref", sa.String(length=40), nullable=False),
        sa.Column("habitat", sa.String(length=200), nullable=False),
        sa.Column("distinctiveness", sa.String(length=12), nullable=False),
        sa.Column("condition", sa.String(length=60), nullable=False),
        sa.Column("strategic_significance", sa.String(length=100), nullable=False),
        sa.Column("baseline_ref", sa.String(length=40), nullable=False),
        sa.Column("size_micro", sa.BigInteger(), nullable=False),
        sa.Column("units_micro", sa.BigInteger(), nullable=False),
        sa.Column("allocated_size_micro", sa.BigInteger(), nullable=False),
        sa.Column("allocated_units_micro", sa.BigInteger(), nullable=False),
        sa.Column("geometry", Geometry("GEOMETRY"), nullable=True),
        sa.CheckConstraint("module IN ('area', 'hedgerow', 'watercourse')", name=op.f("ck_habitat_parcel_module")),
        sa.CheckConstraint(
            "stage <> 'baseline' OR (allocated_size_micro = 0 AND allocated_units_micro = 0)",
            name=op.f("ck_habitat_parcel_baseline_not_sold"),
        ),
        sa.CheckConstraint("stage IN ('baseline', 'creation', 'enhancement')", name=op.f("ck_habitat_parcel_stage")),
        sa.CheckConstraint(
            "allocated_size_micro >= 0 AND allocated_size_micro <= size_micro",
            name=op.f("ck_habitat_parcel_allocated_size_within_capacity"),
        ),
        sa.CheckConstraint(
            "allocated_units_micro >= 0 AND allocated_units_micro <= units_micro",
            name=op.f("ck_habitat_parcel_allocated_units_within_capacity"),
        ),
        sa.CheckConstraint("size_micro >= 0 AND units_micro >= 0", name=op.f("ck_habitat_parcel_capacity")),
        sa.ForeignKeyConstraint(
            ["gain_site_id"], ["gain_site.id"], name=op.f("fk_habitat_parcel_gain_site_id_gain_site")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_habitat_parcel")),
        sa.UniqueConstraint("gain_site_id", "module", "stage", "ref", name="uq_habitat_parcel_site_row"),
    )
    with op.batch_alter_table("habitat_parcel", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_habitat_parcel_gain_site_id"), ["gain_site_id"], unique=False)
        batch_op.create_index("ix_habitat_parcel_habitat", ["habitat"], unique=False)

    op.create_table(
        "site_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("gain_site_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("by_user_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("kind IN ('registered', 'amended', 'removed')", name=op.f("ck_site_event_kind")),
        sa.ForeignKeyConstraint(["by_user_id"], ["account.id"], name=op.f("fk_site_event_by_user_id_account")),
        sa.ForeignKeyConstraint(["gain_site_id"], ["gain_site.id"], name=op.f("fk_site_event_gain_site_id_gain_site")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site_event")),
    )
    with op.batch_alter_table("site_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_site_event_gain_site_id"), ["gain_site_id"], unique=False)

    op.create_table(
        "allocation_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("allocation_id", sa.Integer(), nullable=False),
        sa.Column("parcel_id", sa.Integer(), nullable=False),
        sa.Column("size_micro", sa.BigInteger(), nullable=False),
        sa.Column("units_micro", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("size_micro > 0", name=op.f("ck_allocation_line_size")),
        sa.CheckConstraint("units_micro >= 0", name=op.f("ck_allocation_line_units")),
        sa.ForeignKeyConstraint(
            ["allocation_id"], ["allocation.id"], name=op.f("fk_allocation_line_allocation_id_allocation")
        ),
        sa.ForeignKeyConstraint(
            ["parcel_id"], ["habitat_parcel.id"], name=op.f("fk_allocation_line_parcel_id_habitat_parcel")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_allocation_line")),
    )
    with op.batch_alter_table("allocation_line", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_allocation_line_allocation_id"), ["allocation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_allocation_line_parcel_id"), ["parcel_id"], unique=False)

    with op.batch_alter_table("application") as batch_op:
        batch_op.create_foreign_key("fk_application_gain_site_id_gain_site", "gain_site", ["gain_site_id"], ["id"])
    with op.batch_alter_table("payment") as batch_op:
        batch_op.create_foreign_key("fk_payment_allocation_id_allocation", "allocation", ["allocation_id"], ["id"])
    if dialect == "postgresql":
        op.create_index("ix_gain_site_boundary", "gain_site", ["boundary"], postgresql_using="gist")
        op.create_index("ix_habitat_parcel_geometry", "habitat_parcel", ["geometry"], postgresql_using="gist")
    for statement in triggers.create_statements(dialect):
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in triggers.drop_statements(dialect):
        op.execute(statement)
    with op.batch_alter_table("payment") as batch_op:
        batch_op.drop_constraint("fk_payment_allocation_id_allocation", type_="foreignkey")
    with op.batch_alter_table("application") as batch_op:
        batch_op.drop_constraint("fk_application_gain_site_id_gain_site", type_="foreignkey")
    with op.batch_alter_table("allocation_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_allocation_line_parcel_id"))
        batch_op.drop_index(batch_op.f("ix_allocation_line_allocation_id"))

    op.drop_table("allocation_line")
    with op.batch_alter_table("site_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_site_event_gain_site_id"))

    op.drop_table("site_event")
    with op.batch_alter_table("habitat_parcel", schema=None) as batch_op:
        batch_op.drop_index("ix_habitat_parcel_habitat")
        batch_op.drop_index(batch_op.f("ix_habitat_parcel_gain_site_id"))

    op.drop_table("habitat_parcel")
    with op.batch_alter_table("gain_site_area", schema=None) as batch_op:
        batch_op.drop_index("ix_gain_site_area_kind_name")

    op.drop_table("gain_site_area")
    with op.batch_alter_table("allocation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_allocation_gain_site_id"))

    op.drop_table("allocation")
    with op.batch_alter_table("agreement_lpa", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreement_lpa_lpa_id"))

    op.drop_table("agreement_lpa")
    with op.batch_alter_table("stored_file", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stored_file_application_id"))

    op.drop_table("stored_file")
    with op.batch_alter_table("payment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_application_id"))
        batch_op.drop_index(batch_op.f("ix_payment_allocation_id"))

    op.drop_table("payment")
    with op.batch_alter_table("gain_site", schema=None) as batch_op:
        batch_op.drop_index("ix_gain_site_status_registered")
        batch_op.drop_index("ix_gain_site_nca_name")
        batch_op.drop_index("ix_gain_site_lpa_name")
        batch_op.drop_index("ix_gain_site_lnrs_name")
        batch_op.drop_index("ix_gain_site_bbox")

    op.drop_table("gain_site")
    with op.batch_alter_table("application_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_application_event_application_id"))

    op.drop_table("application_event")
    with op.batch_alter_table("login_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_session_user_id"))

    op.drop_table("login_session")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_event_entity")
        batch_op.drop_index(batch_op.f("ix_audit_event_at"))

    op.drop_table("audit_event")
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.drop_index("ix_application_status")
        batch_op.drop_index(batch_op.f("ix_application_owner_id"))

    op.drop_table("application")
    op.drop_table("account")
    op.drop_table("responsible_body")
    op.drop_table("lpa")
    op.drop_table("counter")
