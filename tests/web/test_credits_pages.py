"""The statutory biodiversity credit pages through the test client, on both engines: the estimate,
an order through its forms to the register team's steps, errors on their fields, the price table."""

from __future__ import annotations

import io
from typing import Any

from sqlalchemy import text

from tests.credits.pdf import pdf_text
from tests.credits.world import METRIC
from tests.db.fixtures import Register
from tests.web.fixtures import CheckedClient


def _post(client: CheckedClient, path: str, data: dict[str, Any], page: str | None = None, prefix: str = "") -> Any:
    token = client.tokens(page or path, prefix)
    return client.post(path, data={**token, **data}, content_type="multipart/form-data")


def test_the_estimate_is_public(client: CheckedClient, register: Register) -> None:
    page = client.get("/credits/estimate").get_data(as_text=True)
    assert "Estimate the cost of statutory biodiversity credits" in page and "last resort" in page
    typed = _post(client, "/credits/estimate", {"method": "typed", "quantity_W": "0.5", "on": ["22", "11", "2026"]})
    assert typed.status_code == 200
    body = typed.get_data(as_text=True)
    assert "£115,000" in body and "VAT (0 %)" in body and "2 September 2025" in body
    with METRIC.open("rb") as fh:
        from_metric = _post(client, "/credits/estimate", {"method": "metric", "metric_file": (fh, "metric.json")})
    assert from_metric.status_code == 200 and "£3,199,120" in from_metric.get_data(as_text=True)
    with METRIC.with_name("pub-06-small.site.json").open("rb") as fh:  # an input problem: estimated, with a warning
        flawed = _post(client, "/credits/estimate", {"method": "metric", "metric_file": (fh, "metric.json")})
    body = flawed.get_data(as_text=True)
    assert flawed.status_code == 200 and "The metric has 1 problem" in body and "Tier A4 (area habitats)" in body
    assert "condition &#39;Good&#39; is not possible" in body


def test_estimate_errors_name_their_fields(client: CheckedClient, register: Register) -> None:
    cases = [
        ({"method": "typed", "quantity_A2": "two"}, '<a href="#quantity_A2">Enter the credits for Tier A2'),
        ({"method": "typed"}, '<a href="#quantity_A1">Enter the credits for at least one tier'),
        ({"method": "typed", "quantity_A1": "1", "on": ["1", "1", "2020"]}, '<a href="#on-day">There is no price'),
        ({"method": "typed", "quantity_A1": "1", "on": ["31", "2", "2026"]}, "must be a real date"),
        ({}, '<a href="#method">Select whether to upload a metric'),
        ({"method": "metric"}, '<a href="#metric_file">Upload a statutory biodiversity metric'),
    ]
    for data, expected in cases:
        response = _post(client, "/credits/estimate", data)
        assert response.status_code == 400, data
        assert expected in response.get_data(as_text=True), (data, response.get_data(as_text=True)[:3000])
    with METRIC.with_name("pub-35-vhigh-loss.site.json").open("rb") as fh:
        refused = _post(client, "/credits/estimate", {"method": "metric", "metric_file": (fh, "metric.json")})
    assert refused.status_code == 400 and "very high distinctiveness" in refused.get_data(as_text=True)


def _answers(register: Register, reference: str) -> Any:
    with register.database.engine.connect() as conn:
        return conn.execute(
            text("SELECT answers, status FROM credit_order WHERE reference = :r"), {"r": reference}
        ).one()


def test_an_order_through_the_forms(client: CheckedClient, register: Register) -> None:
    assert register.world is not None
    client.sign_in("developer")
    started = _post(client, "/credits/orders", {}, page="/credits/orders")
    assert started.status_code == 302
    order = started.headers["Location"]
    reference = order.rsplit("/", 1)[1]
    cambridge = register.world.lpa_ids["Cambridge LPA"]
    steps: list[tuple[str, dict[str, Any]]] = [
        ("development", {"lpa_id": str(cambridge), "planning_reference": "25/0001/FUL", "development_name": "Brook"}),
        ("metric", {"metric_file": (io.BytesIO(METRIC.read_bytes()), "pub-39.json")}),
        ("quantities", {"quantity_A1": "24.28", "quantity_A2": "7.2", "quantity_A3": "10.8", "quantity_A4": "4.8",
                        "quantity_H": "2.64", "quantity_W": "1.76"}),
        ("gain-hierarchy", {"onsite_reason": "No room on site", "offsite_reason": "None of the right habitat"}),
        ("purchase-order", {"purchase_order": ""}),
        ("due-diligence", {"customer_type": "individual", "full_name": "Sam Builder", "nationality": "British",
                           "date_of_birth": ["27", "3", "1980"]}),
        ("terms", {"confirm": ["terms", "own_development"]}),
    ]  # fmt: skip
    for key, data in steps:
        response = _post(client, f"{order}/{key}", data)
        assert response.status_code == 302, (key, response.get_data(as_text=True)[:2000])
    # a lowered quantity is refused on its field and changes nothing
    before = _answers(register, reference)
    lowered = _post(client, f"{order}/quantities", {"quantity_A1": "1", "quantity_H": "2.64"})
    assert lowered.status_code == 400
    assert '<a href="#quantity_A1">Tier A1 (area habitats): the metric needs 24.28' in lowered.get_data(as_text=True)
    assert _answers(register, reference) == before
    check = client.get(f"{order}/check").get_data(as_text=True)
    assert "Sam Builder" in check and "27 March 1980" in check and "£3,199,120" in check
    assert "found 1 gain site with units still to allocate, with habitat" in check  # the register's one site
    submitted = _post(client, f"{order}/submit", {}, page=f"{order}/check")
    assert submitted.status_code == 302 and submitted.headers["Location"].endswith("/confirmation")
    assert reference in client.get(f"{order}/confirmation").get_data(as_text=True)
    assert _answers(register, reference).status == "submitted"

    client.sign_in("case_worker")
    case = f"/credits/case-work/{reference}"
    assert "Due diligence checks (" in client.get("/credits/case-work").get_data(as_text=True)
    assert "1 gain site with units still to allocate." in client.get(f"/credits/case-work/{reference}").get_data(
        as_text=True
    )  # the search kept with the order
    steps = [
        ("due-diligence", {"dd-outcome": "passed"}, "dd-"),
        ("invoice", {}, "invoice-"),
        ("payment", {"payment-received_on": ["22", "11", "2026"], "payment-amount": "3199120"}, "payment-"),
        ("allocate", {}, "allocate-"),
        ("send", {}, "send-"),
    ]
    for step, data, prefix in steps:
        response = _post(client, f"{case}/{step}", data, page=case, prefix=prefix)
        assert response.status_code == 302, (step, response.get_data(as_text=True)[:3000])
    assert _answers(register, reference).status == "sent_to_lpa"
    proof = client.get(f"/credits/orders/{reference}/proof-of-purchase.pdf")
    assert proof.status_code == 200 and proof.mimetype == "application/pdf"
    assert proof.headers["Content-Disposition"] == f'attachment; filename="proof-of-purchase-{reference}.pdf"'
    assert "Sam Builder" in pdf_text(proof.data)
    again = _post(client, f"{case}/send", {}, page=case, prefix="send-")
    assert again.status_code == 409  # a step the order's state does not allow


def test_case_worker_errors_name_their_fields(client: CheckedClient, register: Register) -> None:
    assert register.world is not None
    client.sign_in("case_worker")
    case = f"/credits/case-work/{register.world.credit_orders['submitted']}"
    failed = _post(client, f"{case}/due-diligence", {"dd-outcome": "failed"}, page=case, prefix="dd-")
    assert failed.status_code == 400 and '<a href="#dd-note">Enter why the checks failed' in failed.get_data(
        as_text=True
    )
    cancel = _post(client, f"{case}/cancel", {}, page=case, prefix="cancel-")
    assert cancel.status_code == 400 and '<a href="#cancel-reason">Enter why the order is cancelled' in cancel.get_data(
        as_text=True
    )


def test_the_price_table(client: CheckedClient, register: Register) -> None:
    public = client.get("/credits/prices").get_data(as_text=True)
    assert "£650,000" in public and "In force" in public and "Add a price" not in public
    client.sign_in("case_worker")
    page = "/credits/prices"
    past = _post(
        client, page, {"price-tier": "A1", "price-price": "45000", "price-valid_from": ["1", "11", "2026"],
                       "price-source": "x"}, prefix="price-",
    )  # fmt: skip
    assert past.status_code == 400 and '<a href="#price-valid_from-day">A new rate applies from today' in past.get_data(
        as_text=True
    )
    added = _post(
        client, page, {"price-tier": "A1", "price-price": "45,000", "price-valid_from": ["1", "4", "2027"],
                       "price-source": "A review"}, prefix="price-",
    )  # fmt: skip
    assert added.status_code == 302
    listed = client.get(page).get_data(as_text=True)
    assert "From 1 April 2027" in listed and "£45,000" in listed
    in_force = _post(client, "/credits/prices/1/remove", {}, page=page)
    assert in_force.status_code == 409 and "add a new price instead" in in_force.get_data(as_text=True)
    vat = _post(
        client, f"{page}/vat", {"vat-rate": "twenty", "vat-vat_valid_from": ["1", "4", "2027"], "vat-source": "x"},
        page=page, prefix="vat-",
    )  # fmt: skip
    assert vat.status_code == 400 and '<a href="#vat-rate">Enter the VAT rate as a percentage' in vat.get_data(
        as_text=True
    )
