"""Money beyond due and received (migration 0016).

Overpayments and part refunds recorded by the register team, and the bank details a payer is given for a
transfer (dated rows: a change of account is a new row).
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, Date, DateTime, ForeignKey, Index, Integer, String, Table

from .tables import metadata

money_adjustment = Table(
    "money_adjustment",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("payment_id", Integer, ForeignKey("payment.id")),
    Column("credit_order_id", Integer, ForeignKey("credit_order.id")),
    Column("amount_pence", Integer, nullable=False),
    Column("on", Date, nullable=False),
    Column("method", String(40), nullable=False),
    Column("reference", String(100), nullable=False),
    Column("recorded_at", DateTime, nullable=False),
    Column("recorded_by", Integer, ForeignKey("account.id")),
    CheckConstraint("kind IN ('overpayment', 'part_refund')", name="kind"),
    CheckConstraint("amount_pence > 0", name="amount"),
    CheckConstraint("method IN ('bank transfer', 'card')", name="method"),
    CheckConstraint("reference <> ''", name="reference"),
    CheckConstraint("(payment_id IS NULL) <> (credit_order_id IS NULL)", name="one_target"),
    Index("ix_money_adjustment_payment_id", "payment_id"),
    Index("ix_money_adjustment_credit_order_id", "credit_order_id"),
)
"""An overpayment received or a part refund paid, against one fee or one credit order; never changed."""

remittance_detail = Table(
    "remittance_detail",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("valid_from", Date, nullable=False),
    Column("account_name", String(140), nullable=False),
    Column("bank_name", String(140), nullable=False),
    Column("sort_code", String(6), nullable=False),
    Column("account_number", String(8), nullable=False),
    Column("iban", String(34), nullable=False),
    Column("bic", String(11), nullable=False),
    Column("source", String(300), nullable=False),
    Column("recorded_at", DateTime, nullable=False),
    Column("recorded_by", Integer, ForeignKey("account.id")),
    CheckConstraint("length(sort_code) = 6", name="sort_code"),
    CheckConstraint("length(account_number) = 8", name="account_number"),
    CheckConstraint("source <> ''", name="source"),
)
"""The bank account payers transfer to, from a date, with who said so (``source``): printed on invoices."""

credit_order_payment = Table(
    "credit_order_payment",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("credit_order_id", Integer, ForeignKey("credit_order.id"), nullable=False, unique=True),
    Column("payment_id", Integer, ForeignKey("payment.id"), nullable=False, unique=True),
)
"""A credit order's invoice as a fee paid by card (``bng.register.credits.card``): one fee per order."""
