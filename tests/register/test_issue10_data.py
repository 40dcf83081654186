"""Issue 10 through the services: free text refused rather than cut (item 14), each fee recorded on its
own (item 17), rows of a metric left out said so (item 19), one rounding rule (item 19), every problem
at once (item 19)."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from bng.register import samples
from bng.register.applications.habitats import from_site_json
from bng.register.core.errors import Invalid
from bng.register.core.fee_payments import received
from bng.register.core.uploads import Upload
from tests.db.fixtures import Register
from tests.register.test_combined import allocation
from tests.register.world import TODAY


def test_one_rounding_rule_half_away_from_zero_on_the_exact_decimal() -> None:
    """97.175 was 97.17 on one page (a float's .2f) and 97.18 on another (a sum of millionths)."""
    from bng.register.core.ledger import shown

    assert shown(Decimal("97.175000")) == "97.18" and shown(97.175) == "97.18"
    assert shown(0.125) == "0.13" and shown(2.675) == "2.68"  # binary floats just under the half, as typed
    assert shown(-1.005) == "-1.01" and shown(1234.5, 0) == "1,235" and shown(None) == ""
    assert shown(Decimal("3.682000"), 4) == "3.6820"


def test_free_text_over_its_limit_is_refused_not_cut_and_line_breaks_are_kept(register: Register) -> None:
    world, s = register.world, register.services
    assert world is not None
    owner, ref = world.actors["landowner"], world.applications["draft"]
    long_name = "Meadow " * 100  # 700 characters: kept as its first 500 before
    with pytest.raises(Invalid) as err:
        s.applications.save_section(owner, ref, "boundary", {"method": "document", "site_name": long_name})
    [problem] = [p for p in err.value.problems if p.field == "site_name"]
    assert problem.message == "The gain site's name must be 200 characters or fewer (it has 699)"
    with pytest.raises(Invalid, match="characters or fewer"):
        s.applications.save_for_later(owner, ref, "boundary", {"site_name": long_name})
    view = s.applications.save_section(
        owner, ref, "ownership", {"landowners": "Alex Owner\r\nSam Owner, trustee\r\n"},
        {"ownership_file": Upload("ownership_file", "title.pdf", samples.pdf("Title"))},
    )  # fmt: skip
    assert view.application.answers["ownership"]["landowners"] == "Alex Owner\nSam Owner, trustee"
    with pytest.raises(Invalid, match=r"landowners must be 2,000 characters or fewer \(it has 2,001\)"):
        s.applications.save_section(owner, ref, "ownership", {"landowners": "x" * 2_001})


def test_a_credit_orders_withdrawal_reason_is_refused_when_too_long(register: Register) -> None:
    world, s = register.world, register.services
    assert world is not None
    developer, reference = world.actors["developer"], world.credit_orders["draft"]
    with pytest.raises(Invalid, match=r"must be 5,000 characters or fewer \(it has 5,001\)"):
        s.credits.orders.withdraw(developer, reference, "y" * 5_001)
    order = s.credits.orders.withdraw(developer, reference, "The scheme changed.\nWe will apply again.")
    assert order.end_reason == "The scheme changed.\nWe will apply again."  # line breaks kept, nothing cut


def test_every_problem_of_a_payment_at_once() -> None:
    with pytest.raises(Invalid) as err:
        received(None, "", TODAY)
    assert {p.field for p in err.value.problems} == {"received_on", "method"}


def test_the_combined_cases_fees_are_recorded_each_on_its_own_date(register: Register) -> None:
    world, s = register.world, register.services
    assert world is not None
    owner, worker, ref = world.actors["landowner"], world.actors["case_worker"], world.applications["ready"]
    s.applications.save_section(owner, ref, "allocation", allocation(register))
    view = s.applications.submit(owner, ref)
    fees = {p.purpose: p for p in view.payments}
    with pytest.raises(Invalid, match="Say which fee was received"):
        s.payments.record_payment(worker, ref, TODAY, "card")  # both due: one date for both is not recorded
    s.payments.record_payment(worker, ref, TODAY - timedelta(days=2), "bank transfer", fees["registration"].reference)
    s.payments.record_payment(worker, ref, TODAY, "card", fees["allocation"].reference)
    after = s.applications.view(worker, ref)
    paid = {p.purpose: (p.status, p.received_on, p.method) for p in after.payments}
    assert paid == {
        "registration": ("received", TODAY - timedelta(days=2), "bank transfer"),
        "allocation": ("received", TODAY, "card"),
    }
    messages = [e.message for e in after.events if e.kind == "payment_received"]
    assert messages == [
        f"Registration fee of £639 (payment reference {fees['registration'].reference}) received on "
        f"20 November 2026 by bank transfer",
        f"Allocation fee of £45 (payment reference {fees['allocation'].reference}) received on "
        f"22 November 2026 by card",
    ]


def _with_unreferenced_hedgerow(doc: dict[str, Any], ref: str) -> Any:
    """The metric as a Site, with one more off-site hedgerow creation row whose off-site reference cell is
    empty (as a workbook's row can be; a site file cannot say so)."""
    from dataclasses import replace

    from bng.metric import parse_site

    site, issues = parse_site(doc)
    assert not [i for i in issues if i.severity == "error"]
    hedgerow = site.off_site.hedgerow
    row = replace(hedgerow.creation[0], ref=ref, gain_site="", length_km=0.05)
    off = replace(site.off_site, hedgerow=replace(hedgerow, creation=(*hedgerow.creation, row)))
    return replace(site, off_site=off)


def test_rows_of_a_metric_with_no_gain_site_reference_are_said_to_be_left_out() -> None:
    """Item 19: a hedgerow row with no off-site reference was dropped without a word."""
    from bng.register.applications.habitats import from_site

    doc: dict[str, Any] = json.loads(samples.gain_site_metric("1", 4.0))
    doc["off_site"].append(json.loads(samples.gain_site_metric("2", 2.0))["off_site"][0])
    taken = from_site(_with_unreferenced_hedgerow(doc, "H9"), only="1")
    assert taken.left_out == ("off-site sheet E-2 row H9 (Native hedgerow) gives no off-site reference",)
    assert "H9" not in {p.ref for p in taken.parcels}
    assert from_site_json(json.dumps(doc).encode(), only="1").left_out == ()


def test_an_allocations_metric_row_with_no_off_site_reference_is_flagged(register: Register, tmp_path: Any) -> None:
    from bng.register.allocations.service import Development
    from bng.workbook.writer import export_site

    world, s = register.world, register.services
    assert world is not None
    site = _with_unreferenced_hedgerow(json.loads(samples.development_metric(world.site)), "H7")
    workbook = tmp_path / "development.xlsm"
    export_site(site, workbook)  # DEFRA's workbook: the row's off-site reference cell left empty
    development = Development(world.lpa_ids["Cambridge LPA"], "26/01234/FUL", "Mill Road homes", "546000, 259000")
    plan = s.allocations.plan(
        world.actors["developer"], world.site, development,
        metric=Upload("metric_file", "development.xlsm", workbook.read_bytes()),
    )  # fmt: skip
    assert any(
        "off-site sheet E-2 row H7 (Native hedgerow) gives no off-site reference, so it is not part of this "
        "allocation" in flag
        for flag in plan.flags
    ), plan.flags


def test_the_register_teams_forms_name_every_problem_at_once(register: Register) -> None:
    """The same fault as the payment form's, in the other forms of the register team: one batch at a time."""
    world, s = register.world, register.services
    assert world is not None
    worker = world.actors["case_worker"]
    with pytest.raises(Invalid) as err:
        s.reference.add_body(worker, "", "a club", None, "x" * 501)
    assert {p.field for p in err.value.problems} == {"name", "body_type", "designated_on", "source"}
    with pytest.raises(Invalid) as err:
        s.review.amend(worker, world.site, None, "")
    assert {p.field for p in err.value.problems} == {"description", "on"}
    with pytest.raises(Invalid) as err:
        s.credits.prices.add_price(worker, "Z9", "lots", None, "")
    assert {p.field for p in err.value.problems} == {"tier", "price", "valid_from", "source"}
