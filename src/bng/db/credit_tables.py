"""The tables of statutory biodiversity credit sales (migration 0004), on the register's metadata.

Worth knowing: quantities are whole hundredths of a credit and money whole pence (BigInteger),
so sums are exact and CHECKs compare integers. CHECKs hold what one row can say (a quantity ordered
is never below what the metric needs; a paid order has a payment date; an invoice line's amount is
its quantity times its price, to the penny); triggers (created by the migration) allow only the
order's legal moves between states, ask for an invoice before "invoice issued" and a proof of
purchase before "allocated", and keep invoices, their lines, proofs and the order's history unchanged.
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
    text,
)

from .tables import metadata
from .types import JSONDoc

TIERS = ("A1", "A2", "A3", "A4", "A5", "H", "W")
ORDER_STATUSES = (
    "draft",
    "submitted",
    "due_diligence_passed",
    "due_diligence_failed",
    "invoice_issued",
    "paid",
    "allocated",
    "sent_to_lpa",
    "withdrawn",
    "cancelled",
    "refunded",
)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


ENDED_OR_DRAFT = ("draft", "withdrawn", "cancelled", "refunded", "due_diligence_failed")
LIVE_METRIC = f"metric_sha256 <> '' AND NOT {_in('status', ENDED_OR_DRAFT)}"


credit_price = Table(
    "credit_price",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("tier", String(2), nullable=False),
    Column("price_pence", BigInteger, nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("source", Text, nullable=False, default=""),
    Column("created_at", DateTime, nullable=False),
    Column("created_by", Integer, ForeignKey("account.id")),
    CheckConstraint(_in("tier", TIERS), name="tier"),
    CheckConstraint("price_pence > 0", name="price"),
    UniqueConstraint("tier", "valid_from", name="uq_credit_price_tier_valid_from"),
)

credit_vat_rate = Table(
    "credit_vat_rate",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("basis_points", Integer, nullable=False),
    Column("valid_from", Date, nullable=False, unique=True),
    Column("source", Text, nullable=False, default=""),
    Column("created_at", DateTime, nullable=False),
    Column("created_by", Integer, ForeignKey("account.id")),
    CheckConstraint("basis_points >= 0 AND basis_points <= 10000", name="rate"),
)

credit_order = Table(
    "credit_order",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("reference", String(20), nullable=False, unique=True),
    Column("owner_id", Integer, ForeignKey("account.id"), nullable=False, index=True),
    Column("status", String(30), nullable=False),
    Column("answers", JSONDoc, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("submitted_at", DateTime),
    Column("lpa_id", Integer, ForeignKey("lpa.id")),
    Column("planning_reference", String(100), nullable=False, default=""),
    Column("development_name", String(200), nullable=False, default=""),
    Column("purchase_order", String(60), nullable=False, default=""),
    Column("metric_file_id", Integer, ForeignKey("stored_file.id")),
    Column("metric_release", String(40), nullable=False, default=""),
    Column("metric_sha256", String(64), nullable=False, server_default=""),
    Column("onsite_reason", Text, nullable=False, default=""),
    Column("offsite_reason", Text, nullable=False, default=""),
    Column("register_search", JSONDoc),
    Column("terms_accepted_at", DateTime),
    Column("due_diligence_on", Date),
    Column("due_diligence_note", Text, nullable=False, default=""),
    Column("paid_on", Date),
    Column("payment_method", String(40), nullable=False, default=""),
    Column("allocated_at", DateTime),
    Column("sent_to_lpa_on", Date),
    Column("ended_on", Date),
    Column("end_reason", Text, nullable=False, default=""),
    Column("version", Integer, nullable=False),
    CheckConstraint(_in("status", ORDER_STATUSES), name="status"),
    CheckConstraint(
        "(status = 'draft' AND submitted_at IS NULL) OR status = 'withdrawn' "
        "OR (status <> 'draft' AND submitted_at IS NOT NULL)",
        name="submitted_has_date",
    ),
    CheckConstraint(
        "submitted_at IS NULL OR (lpa_id IS NOT NULL AND metric_file_id IS NOT NULL "
        "AND terms_accepted_at IS NOT NULL AND planning_reference <> '' AND development_name <> '' "
        "AND onsite_reason <> '' AND offsite_reason <> '' AND register_search IS NOT NULL)",
        name="submitted_is_complete",
    ),
    CheckConstraint(
        "due_diligence_on IS NOT NULL OR status IN ('draft', 'submitted', 'withdrawn', 'cancelled')",
        name="due_diligence_has_date",
    ),
    CheckConstraint(
        "(status IN ('paid', 'allocated', 'sent_to_lpa', 'refunded')) = (paid_on IS NOT NULL)", name="paid_has_date"
    ),
    CheckConstraint("status NOT IN ('allocated', 'sent_to_lpa') OR allocated_at IS NOT NULL", name="allocated_at"),
    CheckConstraint("status <> 'sent_to_lpa' OR sent_to_lpa_on IS NOT NULL", name="sent_has_date"),
    CheckConstraint(
        "(status IN ('withdrawn', 'cancelled', 'refunded', 'due_diligence_failed')) = (ended_on IS NOT NULL)",
        name="ended_has_date",
    ),
    Index("ix_credit_order_status", "status"),
    Index("ix_credit_order_lpa_id", "lpa_id"),
    # one metric buys credits for one development: unique among the orders still live (revision 0009)
    Index(
        "uq_credit_order_live_metric",
        "metric_sha256",
        unique=True,
        sqlite_where=text(LIVE_METRIC),
        postgresql_where=text(LIVE_METRIC),
    ),
)

credit_order_line = Table(
    "credit_order_line",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("order_id", Integer, ForeignKey("credit_order.id"), nullable=False, index=True),
    Column("tier", String(2), nullable=False),
    Column("metric_credits", Float, nullable=False),
    Column("needed_hundredths", BigInteger, nullable=False),
    Column("quantity_hundredths", BigInteger, nullable=False),
    CheckConstraint(_in("tier", TIERS), name="tier"),
    CheckConstraint("needed_hundredths >= 0", name="needed"),
    CheckConstraint("quantity_hundredths > 0 AND quantity_hundredths >= needed_hundredths", name="only_raised"),
    UniqueConstraint("order_id", "tier", name="uq_credit_order_line_order_tier"),
)

credit_customer = Table(
    "credit_customer",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("order_id", Integer, ForeignKey("credit_order.id"), nullable=False, unique=True),
    Column("customer_type", String(20), nullable=False),
    Column("full_name", String(200), nullable=False, default=""),
    Column("date_of_birth", Date),
    Column("nationality", String(100), nullable=False, default=""),
    Column("organisation_name", String(200), nullable=False, default=""),
    Column("organisation_number", String(20), nullable=False, default=""),
    CheckConstraint("customer_type IN ('individual', 'organisation')", name="customer_type"),
    CheckConstraint(
        "(customer_type = 'individual' AND full_name <> '' AND date_of_birth IS NOT NULL AND nationality <> '' "
        "AND organisation_name = '' AND organisation_number = '') OR (customer_type = 'organisation' "
        "AND organisation_name <> '' AND organisation_number <> '' AND date_of_birth IS NULL)",
        name="complete",
    ),
)

credit_invoice = Table(
    "credit_invoice",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("order_id", Integer, ForeignKey("credit_order.id"), nullable=False, unique=True),
    Column("number", String(24), nullable=False, unique=True),
    Column("issued_on", Date, nullable=False),
    Column("valid_until", Date, nullable=False),
    Column("subtotal_pence", BigInteger, nullable=False),
    Column("vat_basis_points", Integer, nullable=False),
    Column("vat_pence", BigInteger, nullable=False),
    Column("total_pence", BigInteger, nullable=False),
    Column("issued_at", DateTime, nullable=False),
    Column("issued_by", Integer, ForeignKey("account.id")),
    CheckConstraint("valid_until > issued_on", name="valid_after_issue"),
    CheckConstraint("subtotal_pence > 0 AND vat_pence >= 0", name="amounts"),
    CheckConstraint("vat_basis_points >= 0 AND vat_basis_points <= 10000", name="vat_rate"),
    CheckConstraint("total_pence = subtotal_pence + vat_pence", name="total"),
)

credit_invoice_line = Table(
    "credit_invoice_line",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("invoice_id", Integer, ForeignKey("credit_invoice.id"), nullable=False, index=True),
    Column("tier", String(2), nullable=False),
    Column("quantity_hundredths", BigInteger, nullable=False),
    Column("unit_price_pence", BigInteger, nullable=False),
    Column("price_valid_from", Date, nullable=False),
    Column("amount_pence", BigInteger, nullable=False),
    CheckConstraint(_in("tier", TIERS), name="tier"),
    CheckConstraint("quantity_hundredths > 0 AND unit_price_pence > 0", name="positive"),
    CheckConstraint(
        "amount_pence * 100 - quantity_hundredths * unit_price_pence BETWEEN -49 AND 50", name="amount_is_price"
    ),
    UniqueConstraint("invoice_id", "tier", name="uq_credit_invoice_line_invoice_tier"),
)

credit_proof = Table(
    "credit_proof",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("order_id", Integer, ForeignKey("credit_order.id"), nullable=False, unique=True),
    Column("issued_at", DateTime, nullable=False),
    Column("file_id", Integer, ForeignKey("stored_file.id"), nullable=False, unique=True),
    Column("sha256", String(64), nullable=False),
    Column("issued_by", Integer, ForeignKey("account.id")),
)

credit_order_event = Table(
    "credit_order_event",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("order_id", Integer, ForeignKey("credit_order.id"), nullable=False, index=True),
    Column("at", DateTime, nullable=False),
    Column("kind", String(40), nullable=False),
    Column("message", Text, nullable=False, default=""),
    Column("by_user_id", Integer, ForeignKey("account.id")),
)

UNCHANGEABLE = ("credit_invoice", "credit_invoice_line", "credit_proof", "credit_order_event")
"""Written once, never updated or deleted (triggers of migration 0004)."""
