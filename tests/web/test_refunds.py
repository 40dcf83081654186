"""Recording a refund through the case page, on SQLite and PostgreSQL + PostGIS: the form shows only for a
fee to be refunded, its problems are named on their fields in the error summary (and nothing is kept),
and the fee then reads as refunded for the case worker and the applicant."""

from __future__ import annotations

from tests.db.fixtures import Register
from tests.register.test_refunds import table_counts, to_refund
from tests.web.fixtures import CheckedClient


def test_the_case_worker_records_a_refund_on_the_case_page(client: CheckedClient, register: Register) -> None:
    world = register.world
    assert world is not None
    ref, fee = to_refund(register)
    case = f"/review/applications/{ref}"
    client.sign_in("case_worker")
    page = client.get(case).get_data(as_text=True)
    assert f"{fee}</strong>: received on 20 November 2026 by bank transfer, to be refunded" in page
    assert f"Record the refund of £45 (payment reference {fee})" in page and 'name="refund-refunded_on' in page

    before = table_counts(register)
    bad = client.post(
        f"{case}/refund",
        data={
            **client.tokens(case, "refund-"),
            "refund-payment": fee,
            "refund-refunded_on": ["1", "12", "2026"],
            "refund-refund_method": "",
            "refund-refund_reference": "",
        },
    )
    text = bad.get_data(as_text=True)
    assert bad.status_code == 400 and table_counts(register) == before
    assert "govuk-error-summary" in text
    for field, message in (
        ("refund-refunded_on", "The date the fee was refunded must be today or in the past"),
        ("refund-refund_method", "Select how the fee was paid back"),
        ("refund-refund_reference", "Enter the refund&#39;s reference"),
    ):
        assert message in text and f'href="#{field}' in text

    done = client.post(
        f"{case}/refund",
        data={
            **client.tokens(case, "refund-"),
            "refund-payment": fee,
            "refund-refunded_on": ["21", "11", "2026"],
            "refund-refund_method": "bank transfer",
            "refund-refund_reference": "RF-2026-0042",
        },
    )
    assert done.status_code == 302
    page = client.get(case).get_data(as_text=True)
    assert (
        f"{fee}</strong>: received on 20 November 2026 by bank transfer, refunded on 21 November 2026 by bank "
        "transfer (refund reference RF-2026-0042)" in page
    )
    assert 'name="refund-refunded_on' not in page  # nothing left to refund
    assert f"Allocation fee of £45 (payment reference {fee}) refunded on 21 November 2026" in page  # the history

    client.sign_in("landowner")  # the application awaits further information: check your answers says so
    check = client.get(f"/applications/{ref}/check").get_data(as_text=True)
    assert f"£45 to record the allocation (payment reference {fee}): refunded on 21 November 2026." in check


def test_a_refund_without_its_csrf_token_is_refused(client: CheckedClient, register: Register) -> None:
    ref, fee = to_refund(register)
    client.sign_in("case_worker")
    before = table_counts(register)
    refused = client.post(
        f"/review/applications/{ref}/refund",
        data={
            "refund-payment": fee,
            "refund-refunded_on": ["21", "11", "2026"],
            "refund-refund_method": "card",
            "refund-refund_reference": "RF 1",
        },
    )
    assert refused.status_code == 400 and table_counts(register) == before
