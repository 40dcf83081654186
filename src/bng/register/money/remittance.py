"""Paying an invoice by bank transfer: the register's bank details (remittance details), and the invoice PDFs.

The bank details are kept as dated rows the register team add (a change of account is a new row from its date; an
invoice prints the row in force on the day it was issued), and the invoice PDFs that print them: a statutory credit
order's pro forma invoice, and an application's fees (the combined case's registration and allocation fees on one
page).

The PDFs are made with the project's document path (``bng.documents``); each says what to quote with a transfer, and
that the invoice can be paid by card on the service instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from bng.documents import render_pdf
from bng.register.applications.service import FEE_NAMES, FeeStanding
from bng.register.core import audit, submissions
from bng.register.core.audit import Actor
from bng.register.core.errors import Invalid, NotFound, Problem
from bng.register.core.fees import FeePurpose
from bng.register.core.ports import UnitOfWork
from bng.register.core.roles import Permission
from bng.register.core.rules import long_date
from bng.register.core.service import Service, require
from bng.register.credits.amounts import TIER_LABELS, show_percent, show_quantity
from bng.register.credits.base import OrderView
from bng.register.credits.proof import money

INVOICE_TEMPLATE = "payments/invoice.html.j2"
ISSUER = "Biodiversity gain sites register"
IBAN = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}")
BIC = re.compile(r"[A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?")


@dataclass(frozen=True, slots=True)
class Remittance:
    """The bank account payers transfer to, from ``valid_from``, and who said so (``source``)."""

    valid_from: date
    account_name: str
    bank_name: str
    sort_code: str  # six digits
    account_number: str  # eight digits
    iban: str
    bic: str
    source: str
    recorded_at: datetime
    recorded_by: int | None = None
    id: int | None = None

    @property
    def sort_code_shown(self) -> str:
        """The sort code as a payer reads it: 60-70-80."""
        return f"{self.sort_code[:2]}-{self.sort_code[2:4]}-{self.sort_code[4:]}"


class RemittanceRecords(Protocol):
    """The bank details as the unit of work's ``money`` keeps them."""

    def remittances(self) -> list[Remittance]:
        """Every row of bank details, the latest ``valid_from`` first."""
        ...

    def remittance_on(self, day: date) -> Remittance | None:
        """The row in force on a day (the latest ``valid_from`` on or before it), or None."""
        ...

    def add_remittance(self, remittance: Remittance) -> None:
        """Keep a new row (rows are never changed: a new account is a new row)."""
        ...


class RemittanceUnitOfWork(UnitOfWork, Protocol):
    """A unit of work that holds the bank details (the database's does)."""

    money: RemittanceRecords

    def __enter__(self) -> RemittanceUnitOfWork: ...


def _digits(text: str) -> str:
    return re.sub(r"[\s-]", "", text or "")


def check(answers: dict[str, Any], today: date) -> dict[str, Any]:
    """The form's answers, tidied; every problem at once, each naming its field."""
    problems = []
    out: dict[str, Any] = {}
    valid_from = answers.get("valid_from")
    if not isinstance(valid_from, date):
        problems.append(Problem("valid_from", "Enter the date the bank details apply from"))
    out["valid_from"] = valid_from
    for name, label, most in (("account_name", "account name", 140), ("bank_name", "bank's name", 140),
                              ("source", "who gave these details", 300)):  # fmt: skip
        value = " ".join(str(answers.get(name) or "").split())
        if not value:
            problems.append(Problem(name, f"Enter the {label}"))
        elif len(value) > most:
            problems.append(Problem(name, f"The {label} must be {most} characters or fewer"))
        out[name] = value
    sort_code = _digits(str(answers.get("sort_code") or ""))
    if not re.fullmatch(r"[0-9]{6}", sort_code):
        problems.append(Problem("sort_code", "Enter the sort code: 6 digits, like 60-70-80"))
    out["sort_code"] = sort_code
    number = _digits(str(answers.get("account_number") or ""))
    if not re.fullmatch(r"[0-9]{8}", number):
        problems.append(Problem("account_number", "Enter the account number: 8 digits"))
    out["account_number"] = number
    iban = _digits(str(answers.get("iban") or "")).upper()
    if iban and not IBAN.fullmatch(iban):
        problems.append(Problem("iban", "Enter the IBAN like GB33BUKB20201555555555, or leave it blank"))
    out["iban"] = iban
    bic = _digits(str(answers.get("bic") or "")).upper()
    if bic and not BIC.fullmatch(bic):
        problems.append(Problem("bic", "Enter the BIC (SWIFT code) of 8 or 11 characters, or leave it blank"))
    out["bic"] = bic
    if problems:
        raise Invalid(problems[0].message if len(problems) == 1 else "There is a problem", problems)
    return out


class Remittances(Service):
    """The register's bank details, dated, as the register team records them and the invoices print them."""

    def _rem_uow(self, write: bool = False) -> RemittanceUnitOfWork:
        made: RemittanceUnitOfWork = self._uow(write=write)  # type: ignore[assignment]  # the SQL unit has .money
        return made

    def all(self, actor: Actor | None) -> list[Remittance]:
        """Every row of bank details, the latest first (for the register team)."""
        require(actor, Permission.RECORD_PAYMENTS)
        with self._rem_uow() as uow:
            return uow.money.remittances()

    def on(self, day: date) -> Remittance | None:
        """The bank details in force on a day (None if the register team has set none yet)."""
        with self._rem_uow() as uow:
            return uow.money.remittance_on(day)

    def add(self, actor: Actor | None, answers: dict[str, Any], *, once: submissions.Once | None = None) -> Remittance:
        """Record new bank details from a date (every problem of the form at once), audited."""
        actor = require(actor, Permission.RECORD_PAYMENTS)
        tidy = check(answers, self.today())
        now = self.now()
        with self._rem_uow(write=True) as uow:
            submissions.claim(uow, actor, once, now)
            made = Remittance(**tidy, recorded_at=now, recorded_by=actor.user_id)
            uow.money.add_remittance(made)
            audit.record(uow, now, actor, "remittance.added", "remittance", tidy["valid_from"], None,
                         audit.snapshot(made))  # fmt: skip
            submissions.settle(uow, once, "")
            uow.commit()
            return made


def _how_to_pay(remittance: Remittance | None, quote: str, card_url: str) -> dict[str, Any]:
    bank = None
    if remittance is not None:
        bank = [
            ("Account name", remittance.account_name),
            ("Bank", remittance.bank_name),
            ("Sort code", remittance.sort_code_shown),
            ("Account number", remittance.account_number),
        ]
        if remittance.iban:
            bank.append(("IBAN", remittance.iban))
        if remittance.bic:
            bank.append(("BIC (SWIFT)", remittance.bic))
    return {"bank": bank, "quote": quote, "card_url": card_url}


def credit_invoice_context(view: OrderView, remittance: Remittance | None, card_url: str) -> dict[str, Any]:
    """What a credit order's pro forma invoice prints: its lines, VAT and total, and how to pay it."""
    order, invoice = view.order, view.invoice
    assert invoice is not None
    purchase_order = order.purchase_order
    lines = [
        {
            "what": f"Statutory biodiversity credits, {TIER_LABELS[line.tier]}",
            "detail": f"{show_quantity(line.quantity_hundredths)} credits at {money(line.unit_price_pence)}",
            "amount": money(line.amount_pence),
        }
        for line in view.invoice_lines
    ]
    return {
        "title": f"Invoice {invoice.number}",
        "issuer": "Statutory biodiversity credits",
        "header_left": "Statutory biodiversity credits: pro forma invoice",
        "header_right": invoice.number,
        "footer_left": f"Issued {long_date(invoice.issued_on)}",
        "heading": "Pro forma invoice",
        "number": invoice.number,
        "facts": [
            ("Order", order.reference),
            ("Development", order.development_name),
            ("Planning reference", order.planning_reference),
            ("Local planning authority (LPA)", view.lpa.name if view.lpa else ""),
            *([("Purchase order", purchase_order)] if purchase_order else []),
            ("Issued", long_date(invoice.issued_on)),
            ("Pay by", long_date(invoice.valid_until)),
        ],
        "lines": lines,
        "subtotal": money(invoice.subtotal_pence),
        "vat_label": f"VAT ({show_percent(invoice.vat_basis_points)})",
        "vat": money(invoice.vat_pence),
        "total": money(invoice.total_pence),
        "note": (
            f"This invoice is an offer to sell the credits at the prices in force on {long_date(invoice.issued_on)}; "
            f"it is accepted by paying the total in full by {long_date(invoice.valid_until)}. "
            "The credits are allocated and the proof of purchase issued once the payment has arrived."
        ),
        **_how_to_pay(remittance, order.reference, card_url),
    }


def application_invoice_context(
    reference: str,
    fees: list[tuple[str, str, int, str]],
    issued: date,
    remittance: Remittance | None,
    card_url: str,
) -> dict[str, Any]:
    """``fees``: each fee's (purpose, payment reference, pence, standing); only the fees still due are billed."""
    due = [(p, ref, pence) for p, ref, pence, standing in fees if standing == FeeStanding.DUE]
    total = sum(pence for _, _, pence in due)
    lines = [
        {"what": FEE_NAMES.get(FeePurpose(p), "Fee"), "detail": f"Payment reference {ref}", "amount": money(pence)}
        for p, ref, pence in due
    ]
    combined = len(due) > 1
    return {
        "title": f"Invoice for application {reference}",
        "issuer": ISSUER,
        "header_left": "Biodiversity gain sites register: invoice",
        "header_right": reference,
        "footer_left": f"Issued {long_date(issued)}",
        "heading": "Invoice: register and allocate" if combined else "Invoice",
        "number": reference,
        "facts": [("Application", reference), ("Issued", long_date(issued))],
        "lines": lines,
        "subtotal": money(total),
        "vat_label": "VAT (fees are outside the scope of VAT)",
        "vat": money(0),
        "total": money(total),
        "note": (
            "Each fee is recorded against its own payment reference: pay them in one transfer quoting the "
            "application's reference, or separately quoting each fee's payment reference."
            if combined
            else "The register team records the fee as received when the payment arrives."
        ),
        **_how_to_pay(remittance, reference, card_url),
    }


def invoice_pdf(context: dict[str, Any], created: datetime) -> bytes:
    """The invoice as a PDF, with ``created`` (when the invoice was issued) as its creation time."""
    return render_pdf(INVOICE_TEMPLATE, context, title=context["title"], created=created)


class Invoices(Service):
    """The invoice PDFs, for whoever owes the money and the register team (NotFound for anyone else)."""

    def __init__(self, uow: Any, clock: Any, remittances: Remittances, orders: Any, applications: Any) -> None:
        super().__init__(uow, clock)
        self._remittances = remittances
        self._orders = orders
        self._applications = applications

    def credit_invoice(self, actor: Actor | None, reference: str, card_url: str) -> tuple[str, bytes]:
        """The credit order's pro forma invoice: its file name and PDF, with the bank details of its issue date."""
        view: OrderView = self._orders.view(actor, reference)
        assert actor is not None
        if view.order.owner_id != actor.user_id and not _can_record(actor):
            raise NotFound("No such statutory biodiversity credit order")
        if view.invoice is None:
            raise NotFound(f"No invoice has been issued for order {view.order.reference} yet")
        context = credit_invoice_context(view, self._remittances.on(view.invoice.issued_on), card_url)
        return f"{view.invoice.number}.pdf", invoice_pdf(context, view.invoice.issued_at)

    def application_invoice(self, actor: Actor | None, reference: str, card_url: str) -> tuple[str, bytes]:
        """The invoice of an application's fees still due: its file name and PDF; Conflict if none is due."""
        from bng.register.core.errors import Conflict

        view = self._applications.view(actor, reference)
        fees = [(p.purpose, p.reference, p.amount_pence, str(view.fee_standing(p))) for p in view.payments]
        if not any(standing == FeeStanding.DUE for *_, standing in fees):
            raise Conflict(f"No fee is due on application {view.application.reference}")
        issued = min(p.created_at for p in view.payments if str(view.fee_standing(p)) == FeeStanding.DUE)
        context = application_invoice_context(
            view.application.reference, fees, issued.date(), self._remittances.on(issued.date()), card_url
        )
        return f"invoice-{view.application.reference}.pdf", invoice_pdf(context, issued)


def _can_record(actor: Actor) -> bool:
    from bng.register.core.roles import can

    return can(actor.role, Permission.RECORD_PAYMENTS)
