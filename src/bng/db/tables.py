"""The register's tables, with the constraints that keep it right whatever the application does.

Worth knowing: quantities of the capacity ledger are whole millionths (BIGINT columns of type
``Millionths``, which the register sees as Decimals), and CHECK constraints hold every parcel's
allocated size and units between 0 and its capacity; triggers (created by the migrations,
``triggers.py``) move those totals as allocation lines are added, refuse to remove a gain site with
allocations, and make the audit log and the histories append-only. Times are naive UTC.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from .types import Geometry, JSONDoc, Millionths

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)

ROLES = ("landowner", "developer", "lpa_officer", "case_worker")
EMAIL_LINK_PURPOSES = (
    "sign_in", "new_account", "password_reset", "verify_email", "change_email", "second_factor", "org_invitation",
)  # fmt: skip
APPLICATION_STATUSES = ("draft", "submitted", "information_requested", "accepted", "rejected")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


lpa = Table(
    "lpa",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("ons_code", String(9), unique=True),
    Column("valid_from", Date),
    Column("valid_to", Date),
    Column("successor", String(200), nullable=False, server_default=""),
    Column("source", Text, nullable=False, server_default=""),
)

responsible_body = Table(
    "responsible_body",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(300), nullable=False, unique=True),
    Column("body_type", String(100), nullable=False),
    Column("designated_on", Date, nullable=False),
    Column("withdrawn_on", Date),
    Column("source", Text, nullable=False, default=""),
    CheckConstraint("withdrawn_on IS NULL OR withdrawn_on >= designated_on", name="withdrawn_after_designated"),
)

account = Table(
    "account",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(320), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("role", String(30), nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("organisation", String(200), nullable=False, default=""),
    Column("lpa_id", Integer, ForeignKey("lpa.id")),
    Column("active", Boolean, nullable=False, default=True),
    Column("failed_logins", Integer, nullable=False, default=0),
    Column("locked_until", DateTime),
    Column("created_at", DateTime, nullable=False),
    Column("email_verified_at", DateTime),
    Column("totp_secret", String(64)),
    Column("totp_enabled_at", DateTime),
    Column("totp_last_step", Integer),
    CheckConstraint(_in("role", ROLES), name="role"),
    CheckConstraint("(role = 'lpa_officer') = (lpa_id IS NOT NULL)", name="lpa_officer_has_lpa"),
    CheckConstraint("failed_logins >= 0", name="failed_logins"),
)

login_session = Table(
    "login_session",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("user_id", Integer, ForeignKey("account.id"), nullable=False, index=True),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("revoked_at", DateTime),
)

application = Table(
    "application",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("reference", String(20), nullable=False, unique=True),
    Column("kind", String(20), nullable=False, default="registration"),
    Column("status", String(30), nullable=False),
    Column("owner_id", Integer, ForeignKey("account.id"), nullable=False, index=True),
    Column("answers", JSONDoc, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("submitted_at", DateTime),
    Column("decided_at", DateTime),
    Column("decision_reason", Text),
    Column("information_request", Text),
    Column("gain_site_id", Integer, ForeignKey("gain_site.id", use_alter=True)),
    Column("version", Integer, nullable=False),
    Column("withdrawn_at", DateTime),
    CheckConstraint(_in("status", APPLICATION_STATUSES), name="status"),
    CheckConstraint("kind IN ('registration', 'combined')", name="kind"),
    CheckConstraint("(status = 'accepted') = (gain_site_id IS NOT NULL)", name="accepted_has_site"),
    Index("ix_application_status", "status"),
)

application_event = Table(
    "application_event",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("application_id", Integer, ForeignKey("application.id"), nullable=False, index=True),
    Column("at", DateTime, nullable=False),
    Column("kind", String(40), nullable=False),
    Column("message", Text, nullable=False, default=""),
    Column("by_user_id", Integer, ForeignKey("account.id")),
)

stored_file = Table(
    "stored_file",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(80), nullable=False, unique=True),
    Column("kind", String(40), nullable=False),
    Column("name", String(200), nullable=False),
    Column("media_type", String(100), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("uploaded_at", DateTime, nullable=False),
    Column("uploaded_by", Integer, ForeignKey("account.id")),
    Column("application_id", Integer, ForeignKey("application.id"), index=True),
    Column("published", Boolean, nullable=False, default=False),
    CheckConstraint("size > 0", name="size"),
    CheckConstraint(
        "NOT (published AND kind IN ('ownership', 'authorisation', 'land_charge'))", name="personal_never_published"
    ),
)

stored_geometry = Table(
    "stored_geometry",
    metadata,
    Column("id", Integer, primary_key=True),
    # the SHA-256 of the geometry's WKB (ISO, little-endian, 2D): what answers and the audit log hold
    Column("sha256", String(64), nullable=False, unique=True),
    Column("wkb_bytes", BigInteger, nullable=False),
    Column("geometry", Geometry("GEOMETRY"), nullable=False),
    Column("created_at", DateTime, nullable=False),
    CheckConstraint("wkb_bytes > 0", name="wkb_bytes"),
)
"""A boundary or a mapped parcel of an application, kept once (migration 0007): its answers and the
audit log name it by digest instead of copying it."""

payment = Table(
    "payment",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("reference", String(20), nullable=False, unique=True),
    Column("purpose", String(30), nullable=False),
    Column("amount_pence", Integer, nullable=False),
    Column("status", String(20), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("payer_id", Integer, ForeignKey("account.id")),
    Column("application_id", Integer, ForeignKey("application.id"), index=True),
    Column("allocation_id", Integer, ForeignKey("allocation.id", use_alter=True), index=True),
    Column("received_on", Date),
    Column("method", String(40), nullable=False, default=""),
    Column("recorded_by", Integer, ForeignKey("account.id")),
    CheckConstraint("amount_pence >= 0", name="amount"),
    CheckConstraint("status IN ('due', 'received')", name="status"),
    CheckConstraint("(status = 'received') = (received_on IS NOT NULL)", name="received_has_date"),
)

payment_refund = Table(
    "payment_refund",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("payment_id", Integer, ForeignKey("payment.id"), nullable=False, unique=True),
    Column("refunded_on", Date, nullable=False),
    Column("method", String(40), nullable=False),
    Column("reference", String(100), nullable=False),
    Column("recorded_at", DateTime, nullable=False),
    Column("recorded_by", Integer, ForeignKey("account.id")),
    CheckConstraint("method IN ('bank transfer', 'card')", name="method"),
    CheckConstraint("reference <> ''", name="reference"),
)

card_payment = Table(
    "card_payment",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("payment_id", Integer, ForeignKey("payment.id"), nullable=False, index=True),
    Column("pay_id", String(64), nullable=False, unique=True),
    Column("return_key", String(64), nullable=False, unique=True),
    Column("amount_pence", Integer, nullable=False),
    Column("status", String(20), nullable=False),
    Column("finished", Boolean, nullable=False),
    Column("next_url", String(2000), nullable=False),
    Column("outcome", String(20), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("created_by", Integer, ForeignKey("account.id")),
    Column("checked_at", DateTime),
    Column("refund_id", String(64), nullable=False),
    Column("refund_status", String(20), nullable=False),
    CheckConstraint("amount_pence > 0", name="amount"),
    CheckConstraint("outcome IN ('', 'recorded', 'not_needed')", name="outcome"),
)
"""A fee paid by card through GOV.UK Pay (migration 0012): Pay's id and the state it last reported."""

gain_site = Table(
    "gain_site",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("reference", String(20), nullable=False, unique=True),
    Column("application_id", Integer, ForeignKey("application.id"), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("status", String(20), nullable=False),
    Column("registered_on", Date, nullable=False),
    Column("removed_on", Date),
    Column("area_ha", Float, nullable=False),
    Column("grid_reference", String(20), nullable=False),
    Column("easting", Float, nullable=False),
    Column("northing", Float, nullable=False),
    Column("min_e", Float, nullable=False),
    Column("min_n", Float, nullable=False),
    Column("max_e", Float, nullable=False),
    Column("max_n", Float, nullable=False),
    Column("boundary", Geometry("MULTIPOLYGON")),
    Column("agreement_type", String(30), nullable=False),
    Column("agreement_date", Date, nullable=False),
    Column("works_completion_date", Date, nullable=False),
    Column("secured_until", Date, nullable=False),
    Column("agreement_sha256", String(64), nullable=False, default=""),
    Column("hmmp_in_agreement", Boolean, nullable=False),
    Column("responsible_body_id", Integer, ForeignKey("responsible_body.id")),
    Column("lpa_name", String(200), nullable=False, default=""),
    Column("nca_name", String(200), nullable=False, default=""),
    Column("lnrs_name", String(200), nullable=False, default=""),
    Column("metric_release", String(40), nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("version", Integer, nullable=False),
    # what remains to allocate, by module: the sum over its created and enhanced parcels of units less
    # allocated units, kept by triggers on habitat_parcel (migration 0003) so that a search by units
    # still available reads one row per site
    Column("remaining_area_units_micro", Millionths(), nullable=False, server_default="0"),
    Column("remaining_hedgerow_units_micro", Millionths(), nullable=False, server_default="0"),
    Column("remaining_watercourse_units_micro", Millionths(), nullable=False, server_default="0"),
    CheckConstraint("status IN ('registered', 'removed')", name="status"),
    CheckConstraint("(status = 'removed') = (removed_on IS NOT NULL)", name="removed_has_date"),
    CheckConstraint("area_ha > 0", name="area"),
    CheckConstraint("min_e <= max_e AND min_n <= max_n", name="bbox"),
    CheckConstraint("agreement_type IN ('s106', 'conservation_covenant')", name="agreement_type"),
    CheckConstraint(
        "(agreement_type = 'conservation_covenant') = (responsible_body_id IS NOT NULL)", name="covenant_has_body"
    ),
    CheckConstraint("secured_until > works_completion_date", name="secured_after_works"),
    CheckConstraint("remaining_area_units_micro >= 0", name="remaining_area_units"),
    CheckConstraint("remaining_hedgerow_units_micro >= 0", name="remaining_hedgerow_units"),
    CheckConstraint("remaining_watercourse_units_micro >= 0", name="remaining_watercourse_units"),
    Index("ix_gain_site_status_registered", "status", "registered_on"),
    Index("ix_gain_site_lpa_name", "lpa_name"),
    Index("ix_gain_site_nca_name", "nca_name"),
    Index("ix_gain_site_lnrs_name", "lnrs_name"),
    Index("ix_gain_site_bbox", "min_e", "max_e", "min_n", "max_n"),
    Index("ix_gain_site_remaining_area", "remaining_area_units_micro"),
    # every open data response says when the register last changed: max(updated_at) (migration 0005;
    # on PostgreSQL also ix_gain_site_extent, a GiST index on the extent as a box, for the map searches)
    Index("ix_gain_site_updated_at", "updated_at"),
    # the search's counts: units left of registered sites, read from an index (migration 0017)
    *(
        Index(
            f"ix_gain_site_left_{module}",
            f"remaining_{module}_units_micro",
            postgresql_where=text("status = 'registered'"),
            sqlite_where=text("status = 'registered'"),
        )
        for module in ("area", "hedgerow", "watercourse")
    ),
    # the search's count by habitat: whether a site is registered, from an index (migration 0019)
    Index(
        "ix_gain_site_registered_id",
        "id",
        postgresql_where=text("status = 'registered'"),
        sqlite_where=text("status = 'registered'"),
    ),
)

gain_site_area = Table(
    "gain_site_area",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("gain_site_id", Integer, ForeignKey("gain_site.id"), nullable=False),
    Column("kind", String(10), nullable=False),
    Column("name", String(200), nullable=False),
    Column("share", Float, nullable=False),
    CheckConstraint("kind IN ('lpa', 'nca', 'lnrs')", name="kind"),
    CheckConstraint("share > 0 AND share <= 1.000001", name="share"),
    UniqueConstraint("gain_site_id", "kind", "name", name="uq_gain_site_area_site_kind_name"),
    Index("ix_gain_site_area_kind_name", "kind", "name"),
)

agreement_lpa = Table(
    "agreement_lpa",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("gain_site_id", Integer, ForeignKey("gain_site.id"), nullable=False),
    Column("lpa_id", Integer, ForeignKey("lpa.id"), nullable=False, index=True),
    UniqueConstraint("gain_site_id", "lpa_id", name="uq_agreement_lpa_site_lpa"),
)

habitat_parcel = Table(
    "habitat_parcel",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("gain_site_id", Integer, ForeignKey("gain_site.id"), nullable=False, index=True),
    Column("module", String(12), nullable=False),
    Column("stage", String(12), nullable=False),
    Column("ref", String(40), nullable=False),
    Column("habitat", String(200), nullable=False),
    Column("distinctiveness", String(12), nullable=False, default=""),
    Column("condition", String(60), nullable=False, default=""),
    Column("strategic_significance", String(100), nullable=False, default=""),
    Column("baseline_ref", String(40), nullable=False, default=""),
    Column("size_micro", Millionths(), nullable=False),
    Column("units_micro", Millionths(), nullable=False),
    Column("allocated_size_micro", Millionths(), nullable=False, default=0),
    Column("allocated_units_micro", Millionths(), nullable=False, default=0),
    Column("geometry", Geometry("GEOMETRY")),
    CheckConstraint("module IN ('area', 'hedgerow', 'watercourse')", name="module"),
    CheckConstraint("stage IN ('baseline', 'creation', 'enhancement')", name="stage"),
    CheckConstraint("size_micro >= 0 AND units_micro >= 0", name="capacity"),
    CheckConstraint(
        "allocated_size_micro >= 0 AND allocated_size_micro <= size_micro", name="allocated_size_within_capacity"
    ),
    CheckConstraint(
        "allocated_units_micro >= 0 AND allocated_units_micro <= units_micro", name="allocated_units_within_capacity"
    ),
    CheckConstraint(
        "stage <> 'baseline' OR (allocated_size_micro = 0 AND allocated_units_micro = 0)", name="baseline_not_sold"
    ),
    UniqueConstraint("gain_site_id", "module", "stage", "ref", name="uq_habitat_parcel_site_row"),
    Index("ix_habitat_parcel_habitat", "habitat"),
    # the search's count by habitat: the habitats of created and enhanced parcels and their sites (0019)
    Index(
        "ix_habitat_parcel_sold_habitat",
        "habitat",
        "gain_site_id",
        postgresql_where=text("stage <> 'baseline'"),
        sqlite_where=text("stage <> 'baseline'"),
    ),
    # on PostgreSQL also ix_habitat_parcel_habitat_trgm, a trigram GIN index on lower(habitat) (migration 0005)
)

allocation = Table(
    "allocation",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("reference", String(20), nullable=False, unique=True),
    Column("gain_site_id", Integer, ForeignKey("gain_site.id"), nullable=False, index=True),
    Column("lpa_id", Integer, ForeignKey("lpa.id"), nullable=False),
    Column("planning_reference", String(100), nullable=False),
    Column("development_name", String(200), nullable=False),
    Column("spatial_risk", String(20), nullable=False, default=""),
    Column("created_at", DateTime, nullable=False),
    Column("created_by", Integer, ForeignKey("account.id")),
    # where the development is (its spatial risk is derived from it), what its metric stated, and the
    # documents behind the allocation (migration 0003)
    Column("development_grid_reference", String(20), nullable=False, server_default=""),
    Column("development_easting", Float),
    Column("development_northing", Float),
    Column("development_nca", String(200), nullable=False, server_default=""),
    Column("development_lnrs", String(200), nullable=False, server_default=""),
    Column("stated_spatial_risk", String(20), nullable=False, server_default=""),
    Column("consent_file_id", Integer, ForeignKey("stored_file.id")),
    Column("metric_file_id", Integer, ForeignKey("stored_file.id")),
    Column("application_id", Integer, ForeignKey("application.id")),
    Index("ix_allocation_created_at", "created_at"),  # max(created_at): the open data's last change (0005)
)

allocation_line = Table(
    "allocation_line",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("allocation_id", Integer, ForeignKey("allocation.id"), nullable=False, index=True),
    Column("parcel_id", Integer, ForeignKey("habitat_parcel.id"), nullable=False, index=True),
    Column("size_micro", Millionths(), nullable=False),
    Column("units_micro", Millionths(), nullable=False),
    CheckConstraint("size_micro > 0", name="size"),
    CheckConstraint("units_micro >= 0", name="units"),
)

site_event = Table(
    "site_event",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("gain_site_id", Integer, ForeignKey("gain_site.id"), nullable=False, index=True),
    Column("kind", String(20), nullable=False),
    Column("on_date", Date, nullable=False),
    Column("description", Text, nullable=False),
    Column("at", DateTime, nullable=False),
    Column("by_user_id", Integer, ForeignKey("account.id")),
    CheckConstraint("kind IN ('registered', 'amended', 'removed')", name="kind"),
)

audit_event = Table(
    "audit_event",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime, nullable=False, index=True),
    Column("actor_id", Integer, ForeignKey("account.id")),
    Column("actor", String(320), nullable=False),
    Column("action", String(60), nullable=False),
    Column("entity", String(40), nullable=False),
    Column("entity_id", String(40), nullable=False),
    Column("before", JSONDoc),
    Column("after", JSONDoc),
    Index("ix_audit_event_entity", "entity", "entity_id"),
)

counter = Table(
    "counter",
    metadata,
    Column("scope", String(40), primary_key=True),
    Column("value", Integer, nullable=False),
    CheckConstraint("value > 0", name="value"),
)

submission = Table(
    "submission",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("account.id"), nullable=False),
    Column("action", String(60), nullable=False),
    Column("target", String(100), nullable=False, default=""),
    Column("created_at", DateTime, nullable=False),
)
"""One row per confirmation made: the SHA-256 of its one-time submission token (idempotency key), who
sent it, what it did and what it made. Its primary key is what turns a second identical post away."""

sign_in_throttle = Table(
    "sign_in_throttle",
    metadata,
    Column("key_hash", String(64), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("window_start", DateTime, nullable=False),
    CheckConstraint("failures >= 0", name="failures"),
)
"""Failed sign-ins in the current window, by the SHA-256 of a key: a client's address, an email address
(whether or not it has an account), or a device an account signed in from before."""

email_link = Table(
    "email_link",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("purpose", String(20), nullable=False),
    Column("email", String(320), nullable=False),
    Column("user_id", Integer, ForeignKey("account.id")),
    Column("details", JSONDoc),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("used_at", DateTime),
    CheckConstraint(_in("purpose", EMAIL_LINK_PURPOSES), name="purpose"),
)
"""One-time links sent by email: finishing a sign-in that needed a second step, confirming a new account
(its details, the password's hash included, wait here until the link is followed), resetting a forgotten
password, verifying an email address or a new one, inviting someone to an organisation; and (never
emailed) a sign-in waiting for its authenticator code."""
