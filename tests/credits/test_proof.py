"""The proof of purchase: a real PDF, rendered by WeasyPrint from the order's invoice, and what it says."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from pypdf import PdfReader

from bng.documents import DocumentError, render_html
from bng.documents.render import css_string
from bng.register.credits.proof import proof_context
from tests.credits.pdf import page_count, pdf_text
from tests.db.fixtures import Register

SQLITE_ONLY = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)  # the PDF is the same on both engines


@SQLITE_ONLY
def test_the_proof_of_purchase_names_the_order_development_tiers_and_amounts(register: Register) -> None:
    assert register.world is not None
    reference = register.world.credit_orders["sent"]
    worker = register.world.actors["case_worker"]
    stored, data = register.services.credits.fulfilment.proof(worker, reference)
    assert data.startswith(b"%PDF-") and stored.name == f"proof-of-purchase-{reference}.pdf"
    assert page_count(data) == 1
    reader = PdfReader(io.BytesIO(data))
    assert reader.metadata is not None and reader.metadata.title == f"Proof of purchase {reference}"
    words = pdf_text(data)
    view = register.services.credits.fulfilment.case(worker, reference)
    expected = [
        "Statutory biodiversity credits: proof of purchase",
        reference,
        "Mill Lane (sent)",
        "24/01234/FUL",
        f"Cambridge LPA (ONS code {view.lpa.ons_code})",
        "Mill Lane Homes Ltd (registration number 01234567)",
        "Tier A1 (area habitats) 24.28 £42,000.00 £1,019,760.00",
        "Tier A2 (area habitats) 7.20 £48,000.00 £345,600.00",
        "Tier A3 (area habitats) 10.80 £66,000.00 £712,800.00",
        "Tier A4 (area habitats) 4.80 £125,000.00 £600,000.00",
        "Tier H (hedgerows) 2.64 £44,000.00 £116,160.00",
        "Tier W (watercourses) 1.76 £230,000.00 £404,800.00",
        "51.48",
        "£3,199,120.00",
        "VAT (0 %) £0.00",
        f"INV-{reference.removeprefix('BNGCRD-')}",
        "Paid 22 November 2026",
        view.metric_file.sha256,
    ]
    missing = [e for e in expected if e not in words]
    assert not missing, f"not in the PDF: {missing}\n{words}"
    assert "Tier A5" not in words  # no credits in A5: no line


@SQLITE_ONLY
def test_the_proof_is_made_from_the_invoice_not_the_price_table(register: Register) -> None:
    assert register.world is not None
    worker = register.world.actors["case_worker"]
    view = register.services.credits.fulfilment.case(worker, register.world.credit_orders["sent"])
    context = proof_context(view, datetime(2026, 11, 22, 10))
    assert [line["amount"] for line in context["lines"]] == [
        f"£{x.amount_pence // 100:,}.{x.amount_pence % 100:02d}" for x in view.invoice_lines
    ]


def test_documents_escape_what_they_print_and_refuse_missing_values() -> None:
    html = render_html(
        "credits/proof_of_purchase.html.j2",
        {k: "<b>x</b>" for k in ("title", "issuer", "header_left", "header_right", "footer_left", "reference",
                                  "development_name", "planning_reference", "lpa", "purchaser", "total_credits",
                                  "subtotal", "vat_label", "vat", "total", "submitted_on", "invoice_number",
                                  "invoice_issued_on", "paid_on", "allocated_on", "metric_name", "metric_release",
                                  "metric_sha256", "lpa_note", "rule_note")} | {"lines": []},
    )  # fmt: skip
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
    assert str(css_string('a"b<c')) == "a\\22 b\\3C c"
    with pytest.raises(DocumentError, match="proof_of_purchase"):
        render_html("credits/proof_of_purchase.html.j2", {"title": "x"})
