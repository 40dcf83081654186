"""Statutory biodiversity credits: the price table and VAT rates (seeded), orders with their tiers,
customers, invoices, proofs of purchase and history; and the rules the database keeps for them.

Seeds: the statutory credit prices shipped with the metric's reference data (ex VAT, from
12 February 2024), and VAT as GOV.UK's guidance has stated it: the standard rate of 20 % when
credits went on sale, and no VAT from 2 September 2025, the day "Buying statutory biodiversity
credits" was updated to say that VAT is not payable on them. The operator changes both later (audited).

Triggers: an order moves only between the states the service allows (one trigger per state on
SQLite, one function on PostgreSQL); "invoice issued" needs an invoice and "allocated" a proof of
purchase; what the developer submitted cannot change afterwards; invoices, their lines, proofs,
order lines, customers and the order history are never updated or deleted. The SQL lives here, not
in a shared module, so that this revision creates the same thing however other code changes later.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from importlib import resources

import sqlalchemy as sa
from alembic import op

from bng.db.types import JSONDoc

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

SEEDED_AT = datetime(2026, 11, 22)
VAT_SEED = (
    (2000, date(2024, 2, 12), "GOV.UK 'Statutory biodiversity credit prices' (2023-2024): prices exclude VAT, "
     "which is added to the invoice at the standard rate"),
    (0, date(2025, 9, 2), "GOV.UK 'Buying statutory biodiversity credits', updated 2 September 2025: "
     "VAT is not payable on statutory biodiversity credits"),
)  # fmt: skip

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "draft": ("submitted", "withdrawn"),
    "submitted": ("due_diligence_passed", "due_diligence_failed", "withdrawn", "cancelled"),
    "due_diligence_passed": ("invoice_issued", "withdrawn", "cancelled"),
    "invoice_issued": ("paid", "withdrawn", "cancelled"),
    "paid": ("allocated", "refunded"),
    "allocated": ("sent_to_lpa", "refunded"),
    "sent_to_lpa": ("refunded",),
    "due_diligence_failed": (),
    "withdrawn": (),
    "cancelled": (),
    "refunded": (),
}
SUBMITTED_COLUMNS = (
    "reference", "owner_id", "submitted_at", "lpa_id", "planning_reference", "development_name", "purchase_order",
    "metric_file_id", "metric_release", "onsite_reason", "offsite_reason", "register_search", "terms_accepted_at",
)  # fmt: skip
UNCHANGEABLE = (
    "credit_invoice", "credit_invoice_line", "credit_proof", "credit_order_event", "credit_order_line",
    "credit_customer",
)  # fmt: skip
TIERS = "'A1', 'A2', 'A3', 'A4', 'A5', 'H', 'W'"
STATUSES = ", ".join(f"'{s}'" for s in TRANSITIONS)


def _rule(status: str) -> str:
    allowed = TRANSITIONS[status]
    name = status.replace("_", " ")
    if not allowed:
        return f"An order that is {name} cannot change state"
    return f"An order that is {name} can only become " + " or ".join(a.replace("_", " ") for a in allowed)


def _sqlite_triggers() -> list[str]:
    out = []
    for status, allowed in TRANSITIONS.items():
        refused = f" AND NEW.status NOT IN ({', '.join(repr(a) for a in allowed)})" if allowed else ""
        out.append(
            f"""CREATE TRIGGER credit_order_from_{status} BEFORE UPDATE OF status ON credit_order
                WHEN OLD.status = '{status}' AND NEW.status <> OLD.status{refused}
                BEGIN SELECT RAISE(ABORT, 'statutory credit order: {_rule(status)}'); END"""
        )
    out += [
        """CREATE TRIGGER credit_order_needs_invoice BEFORE UPDATE OF status ON credit_order
           WHEN NEW.status = 'invoice_issued' AND NOT EXISTS (SELECT 1 FROM credit_invoice WHERE order_id = NEW.id)
           BEGIN SELECT RAISE(ABORT, 'statutory credit order: Issue the invoice before the order is invoiced'); END""",
        """CREATE TRIGGER credit_order_needs_proof BEFORE UPDATE OF status ON credit_order
           WHEN NEW.status = 'allocated' AND NOT EXISTS (SELECT 1 FROM credit_proof WHERE order_id = NEW.id)
           BEGIN SELECT RAISE(ABORT, 'statutory credit order: Issue the proof of purchase when allocating'); END""",
        """CREATE TRIGGER credit_order_needs_lines BEFORE UPDATE OF status ON credit_order
           WHEN NEW.status = 'submitted' AND (NOT EXISTS (SELECT 1 FROM credit_order_line WHERE order_id = NEW.id)
                OR NOT EXISTS (SELECT 1 FROM credit_customer WHERE order_id = NEW.id))
           BEGIN SELECT RAISE(ABORT, 'statutory credit order: An order is submitted with its tiers and customer');
           END""",
        f"""CREATE TRIGGER credit_order_submitted_unchanged BEFORE UPDATE OF {", ".join(SUBMITTED_COLUMNS)}
            ON credit_order WHEN OLD.status <> 'draft'
            AND ({" OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in SUBMITTED_COLUMNS)})
            BEGIN SELECT RAISE(ABORT, 'statutory credit order: What was submitted cannot be changed'); END""",
    ]
    for table in UNCHANGEABLE:
        out += [
            f"""CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
                BEGIN SELECT RAISE(ABORT, 'statutory credit order: {table} entries cannot be changed'); END""",
            f"""CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
                BEGIN SELECT RAISE(ABORT, 'statutory credit order: {table} entries cannot be deleted'); END""",
        ]
    return out


def _sqlite_drops() -> list[str]:
    names = [f"credit_order_from_{s}" for s in TRANSITIONS]
    names += ["credit_order_needs_invoice", "credit_order_needs_proof", "credit_order_needs_lines"]
    names += ["credit_order_submitted_unchanged"]
    names += [f"{t}_{w}" for t in UNCHANGEABLE for w in ("no_update", "no_delete")]
    return [f"DROP TRIGGER IF EXISTS {n}" for n in names]


def _postgres_triggers() -> list[str]:
    cases = "\n".join(
        f"    WHEN '{s}' THEN allowed := ARRAY[{', '.join(f'{a!r}' for a in a_list) or ''}]::text[];"
        f" rule := '{_rule(s)}';"
        for s, a_list in TRANSITIONS.items()
    )
    changed = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in SUBMITTED_COLUMNS)
    return [
        f"""CREATE FUNCTION bng_credit_order() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
          allowed text[];
          rule text;
        BEGIN
          IF OLD.status <> 'draft' AND ({changed}) THEN
            RAISE EXCEPTION 'statutory credit order: What was submitted cannot be changed'
              USING ERRCODE = 'check_violation';
          END IF;
          IF NEW.status IS DISTINCT FROM OLD.status THEN
            CASE OLD.status
{cases}
            END CASE;
            IF NOT (NEW.status = ANY (allowed)) THEN
              RAISE EXCEPTION 'statutory credit order: %', rule USING ERRCODE = 'check_violation';
            END IF;
            IF NEW.status = 'submitted' AND (NOT EXISTS (SELECT 1 FROM credit_order_line WHERE order_id = NEW.id)
                OR NOT EXISTS (SELECT 1 FROM credit_customer WHERE order_id = NEW.id)) THEN
              RAISE EXCEPTION 'statutory credit order: An order is submitted with its tiers and customer'
                USING ERRCODE = 'check_violation';
            END IF;
            IF NEW.status = 'invoice_issued' AND NOT EXISTS (SELECT 1 FROM credit_invoice WHERE order_id = NEW.id) THEN
              RAISE EXCEPTION 'statutory credit order: Issue the invoice before the order is invoiced'
                USING ERRCODE = 'check_violation';
            END IF;
            IF NEW.status = 'allocated' AND NOT EXISTS (SELECT 1 FROM credit_proof WHERE order_id = NEW.id) THEN
              RAISE EXCEPTION 'statutory credit order: Issue the proof of purchase when allocating'
                USING ERRCODE = 'check_violation';
            END IF;
          END IF;
          RETURN NEW;
        END $$""",
        """CREATE TRIGGER credit_order_rules BEFORE UPDATE ON credit_order
           FOR EACH ROW EXECUTE FUNCTION bng_credit_order()""",
        """CREATE FUNCTION bng_credit_unchangeable() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN
             RAISE EXCEPTION 'statutory credit order: % entries cannot be changed or deleted', TG_TABLE_NAME
               USING ERRCODE = 'restrict_violation';
           END $$""",
        *(
            stmt
            for table in UNCHANGEABLE
            for stmt in (
                f"""CREATE TRIGGER {table}_unchangeable BEFORE UPDATE OR DELETE ON {table}
                    FOR EACH ROW EXECUTE FUNCTION bng_credit_unchangeable()""",
                f"""CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
                    FOR EACH STATEMENT EXECUTE FUNCTION bng_credit_unchangeable()""",
            )
        ),
    ]


def _postgres_drops() -> list[str]:
    out = ["DROP TRIGGER IF EXISTS credit_order_rules ON credit_order"]
    out += [f"DROP TRIGGER IF EXISTS {t}_unchangeable ON {t}" for t in UNCHANGEABLE]
    out += [f"DROP TRIGGER IF EXISTS {t}_no_truncate ON {t}" for t in UNCHANGEABLE]
    return [*out, "DROP FUNCTION IF EXISTS bng_credit_order()", "DROP FUNCTION IF EXISTS bng_credit_unchangeable()"]


def _tables() -> None:
    op.create_table(
        "credit_price",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tier", sa.String(length=2), nullable=False),
        sa.Column("price_pence", sa.BigInteger(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.CheckConstraint(f"tier IN ({TIERS})", name=op.f("ck_credit_price_tier")),
        sa.CheckConstraint("price_pence > 0", name=op.f("ck_credit_price_price")),
        sa.ForeignKeyConstraint(["created_by"], ["account.id"], name=op.f("fk_credit_price_created_by_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_price")),
        sa.UniqueConstraint("tier", "valid_from", name="uq_credit_price_tier_valid_from"),
    )
    op.create_table(
        "credit_vat_rate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("basis_points", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.CheckConstraint("basis_points >= 0 AND basis_points <= 10000", name=op.f("ck_credit_vat_rate_rate")),
        sa.ForeignKeyConstraint(["created_by"], ["account.id"], name=op.f("fk_credit_vat_rate_created_by_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_vat_rate")),
        sa.UniqueConstraint("valid_from", name=op.f("uq_credit_vat_rate_valid_from")),
    )
    op.create_table(
        "credit_order",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("answers", JSONDoc, nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("lpa_id", sa.Integer(), nullable=True),
        sa.Column("planning_reference", sa.String(length=100), nullable=False),
        sa.Column("development_name", sa.String(length=200), nullable=False),
        sa.Column("purchase_order", sa.String(length=60), nullable=False),
        sa.Column("metric_file_id", sa.Integer(), nullable=True),
        sa.Column("metric_release", sa.String(length=40), nullable=False),
        sa.Column("onsite_reason", sa.Text(), nullable=False),
        sa.Column("offsite_reason", sa.Text(), nullable=False),
        sa.Column("register_search", JSONDoc, nullable=True),
        sa.Column("terms_accepted_at", sa.DateTime(), nullable=True),
        sa.Column("due_diligence_on", sa.Date(), nullable=True),
        sa.Column("due_diligence_note", sa.Text(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=True),
        sa.Column("payment_method", sa.String(length=40), nullable=False),
        sa.Column("allocated_at", sa.DateTime(), nullable=True),
        sa.Column("sent_to_lpa_on", sa.Date(), nullable=True),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("end_reason", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(f"status IN ({STATUSES})", name=op.f("ck_credit_order_status")),
        sa.CheckConstraint(
            "(status = 'draft' AND submitted_at IS NULL) OR status = 'withdrawn' "
            "OR (status <> 'draft' AND submitted_at IS NOT NULL)",
            name=op.f("ck_credit_order_submitted_has_date"),
        ),
        sa.CheckConstraint(
            "submitted_at IS NULL OR (lpa_id IS NOT NULL AND metric_file_id IS NOT NULL "
            "AND terms_accepted_at IS NOT NULL AND planning_reference <> '' AND development_name <> '' "
            "AND onsite_reason <> '' AND offsite_reason <> '' AND register_search IS NOT NULL)",
            name=op.f("ck_credit_order_submitted_is_complete"),
        ),
        sa.CheckConstraint(
            "due_diligence_on IS NOT NULL OR status IN ('draft', 'submitted', 'withdrawn', 'cancelled')",
            name=op.f("ck_credit_order_due_diligence_has_date"),
        ),
        sa.CheckConstraint(
            "(status IN ('paid', 'allocated', 'sent_to_lpa', 'refunded')) = (paid_on IS NOT NULL)",
            name=op.f("ck_credit_order_paid_has_date"),
        ),
        sa.CheckConstraint(
            "status NOT IN ('allocated', 'sent_to_lpa') OR allocated_at IS NOT NULL",
            name=op.f("ck_credit_order_allocated_at"),
        ),
        sa.CheckConstraint(
            "status <> 'sent_to_lpa' OR sent_to_lpa_on IS NOT NULL", name=op.f("ck_credit_order_sent_has_date")
        ),
        sa.CheckConstraint(
            "(status IN ('withdrawn', 'cancelled', 'refunded', 'due_diligence_failed')) = (ended_on IS NOT NULL)",
            name=op.f("ck_credit_order_ended_has_date"),
        ),
        sa.ForeignKeyConstraint(["lpa_id"], ["lpa.id"], name=op.f("fk_credit_order_lpa_id_lpa")),
        sa.ForeignKeyConstraint(
            ["metric_file_id"], ["stored_file.id"], name=op.f("fk_credit_order_metric_file_id_stored_file")
        ),
        sa.ForeignKeyConstraint(["owner_id"], ["account.id"], name=op.f("fk_credit_order_owner_id_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_order")),
        sa.UniqueConstraint("reference", name=op.f("uq_credit_order_reference")),
    )
    with op.batch_alter_table("credit_order") as batch_op:
        batch_op.create_index("ix_credit_order_lpa_id", ["lpa_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_credit_order_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index("ix_credit_order_status", ["status"], unique=False)
    op.create_table(
        "credit_order_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("tier", sa.String(length=2), nullable=False),
        sa.Column("metric_credits", sa.Float(), nullable=False),
        sa.Column("needed_hundredths", sa.BigInteger(), nullable=False),
        sa.Column("quantity_hundredths", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(f"tier IN ({TIERS})", name=op.f("ck_credit_order_line_tier")),
        sa.CheckConstraint("needed_hundredths >= 0", name=op.f("ck_credit_order_line_needed")),
        sa.CheckConstraint(
            "quantity_hundredths > 0 AND quantity_hundredths >= needed_hundredths",
            name=op.f("ck_credit_order_line_only_raised"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["credit_order.id"], name=op.f("fk_credit_order_line_order_id_credit_order")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_order_line")),
        sa.UniqueConstraint("order_id", "tier", name="uq_credit_order_line_order_tier"),
    )
    with op.batch_alter_table("credit_order_line") as batch_op:
        batch_op.create_index(batch_op.f("ix_credit_order_line_order_id"), ["order_id"], unique=False)
    op.create_table(
        "credit_customer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("customer_type", sa.String(length=20), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("nationality", sa.String(length=100), nullable=False),
        sa.Column("organisation_name", sa.String(length=200), nullable=False),
        sa.Column("organisation_number", sa.String(length=20), nullable=False),
        sa.CheckConstraint(
            "customer_type IN ('individual', 'organisation')", name=op.f("ck_credit_customer_customer_type")
        ),
        sa.CheckConstraint(
            "(customer_type = 'individual' AND full_name <> '' AND date_of_birth IS NOT NULL AND nationality <> '' "
            "AND organisation_name = '' AND organisation_number = '') OR (customer_type = 'organisation' "
            "AND organisation_name <> '' AND organisation_number <> '' AND date_of_birth IS NULL)",
            name=op.f("ck_credit_customer_complete"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["credit_order.id"], name=op.f("fk_credit_customer_order_id_credit_order")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_customer")),
        sa.UniqueConstraint("order_id", name=op.f("uq_credit_customer_order_id")),
    )
    op.create_table(
        "credit_invoice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=24), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("subtotal_pence", sa.BigInteger(), nullable=False),
        sa.Column("vat_basis_points", sa.Integer(), nullable=False),
        sa.Column("vat_pence", sa.BigInteger(), nullable=False),
        sa.Column("total_pence", sa.BigInteger(), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("issued_by", sa.Integer(), nullable=True),
        sa.CheckConstraint("valid_until > issued_on", name=op.f("ck_credit_invoice_valid_after_issue")),
        sa.CheckConstraint("subtotal_pence > 0 AND vat_pence >= 0", name=op.f("ck_credit_invoice_amounts")),
        sa.CheckConstraint(
            "vat_basis_points >= 0 AND vat_basis_points <= 10000", name=op.f("ck_credit_invoice_vat_rate")
        ),
        sa.CheckConstraint("total_pence = subtotal_pence + vat_pence", name=op.f("ck_credit_invoice_total")),
        sa.ForeignKeyConstraint(["issued_by"], ["account.id"], name=op.f("fk_credit_invoice_issued_by_account")),
        sa.ForeignKeyConstraint(
            ["order_id"], ["credit_order.id"], name=op.f("fk_credit_invoice_order_id_credit_order")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_invoice")),
        sa.UniqueConstraint("number", name=op.f("uq_credit_invoice_number")),
        sa.UniqueConstraint("order_id", name=op.f("uq_credit_invoice_order_id")),
    )
    op.create_table(
        "credit_invoice_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("tier", sa.String(length=2), nullable=False),
        sa.Column("quantity_hundredths", sa.BigInteger(), nullable=False),
        sa.Column("unit_price_pence", sa.BigInteger(), nullable=False),
        sa.Column("price_valid_from", sa.Date(), nullable=False),
        sa.Column("amount_pence", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(f"tier IN ({TIERS})", name=op.f("ck_credit_invoice_line_tier")),
        sa.CheckConstraint(
            "quantity_hundredths > 0 AND unit_price_pence > 0", name=op.f("ck_credit_invoice_line_positive")
        ),
        sa.CheckConstraint(
            "amount_pence * 100 - quantity_hundredths * unit_price_pence BETWEEN -49 AND 50",
            name=op.f("ck_credit_invoice_line_amount_is_price"),
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["credit_invoice.id"], name=op.f("fk_credit_invoice_line_invoice_id_credit_invoice")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_invoice_line")),
        sa.UniqueConstraint("invoice_id", "tier", name="uq_credit_invoice_line_invoice_tier"),
    )
    with op.batch_alter_table("credit_invoice_line") as batch_op:
        batch_op.create_index(batch_op.f("ix_credit_invoice_line_invoice_id"), ["invoice_id"], unique=False)
    op.create_table(
        "credit_proof",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("issued_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["file_id"], ["stored_file.id"], name=op.f("fk_credit_proof_file_id_stored_file")),
        sa.ForeignKeyConstraint(["issued_by"], ["account.id"], name=op.f("fk_credit_proof_issued_by_account")),
        sa.ForeignKeyConstraint(["order_id"], ["credit_order.id"], name=op.f("fk_credit_proof_order_id_credit_order")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_proof")),
        sa.UniqueConstraint("file_id", name=op.f("uq_credit_proof_file_id")),
        sa.UniqueConstraint("order_id", name=op.f("uq_credit_proof_order_id")),
    )
    op.create_table(
        "credit_order_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("by_user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["by_user_id"], ["account.id"], name=op.f("fk_credit_order_event_by_user_id_account")),
        sa.ForeignKeyConstraint(
            ["order_id"], ["credit_order.id"], name=op.f("fk_credit_order_event_order_id_credit_order")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_order_event")),
    )
    with op.batch_alter_table("credit_order_event") as batch_op:
        batch_op.create_index(batch_op.f("ix_credit_order_event_order_id"), ["order_id"], unique=False)


def _seed() -> None:
    text = resources.files("bng.metric").joinpath("reference", "statutory_2024", "credit_prices.csv").read_text("utf-8")
    price = sa.table(
        "credit_price",
        sa.column("tier", sa.String),
        sa.column("price_pence", sa.BigInteger),
        sa.column("valid_from", sa.Date),
        sa.column("source", sa.Text),
        sa.column("created_at", sa.DateTime),
    )
    rows = list(csv.DictReader(io.StringIO(text)))
    sources = {r["tier"]: r["source"] for r in rows}
    first = sources.get("A1", "")
    op.bulk_insert(
        price,
        [
            {
                "tier": r["tier"],
                "price_pence": round(float(r["price_gbp_per_credit_ex_vat"]) * 100),
                "valid_from": date.fromisoformat(r["valid_from"]),
                "source": first if r["source"] == "same" or r["source"].startswith("same ") else r["source"],
                "created_at": SEEDED_AT,
            }
            for r in rows
        ],
    )
    vat = sa.table(
        "credit_vat_rate",
        sa.column("basis_points", sa.Integer),
        sa.column("valid_from", sa.Date),
        sa.column("source", sa.Text),
        sa.column("created_at", sa.DateTime),
    )
    op.bulk_insert(
        vat,
        [{"basis_points": bp, "valid_from": on, "source": src, "created_at": SEEDED_AT} for bp, on, src in VAT_SEED],
    )


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    _tables()
    _seed()
    for statement in _postgres_triggers() if dialect == "postgresql" else _sqlite_triggers():
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in _postgres_drops() if dialect == "postgresql" else _sqlite_drops():
        op.execute(statement)
    for table in (
        "credit_order_event",
        "credit_proof",
        "credit_invoice_line",
        "credit_invoice",
        "credit_customer",
        "credit_order_line",
        "credit_order",
        "credit_vat_rate",
        "credit_price",
    ):
        op.drop_table(table)
