"""Register and allocate in one application, through the pages, on SQLite and PostgreSQL + PostGIS: the
optional allocation section of the task list, its problems on their inputs, both fees at check your
answers and submission, and the case worker's acceptance putting the gain site on the register with
its allocation."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest

from tests.db.fixtures import Register
from tests.register.test_allocations import CAMBRIDGE_POINT
from tests.register.test_combined import allocation
from tests.web.fixtures import CheckedClient

pytestmark = pytest.mark.engines("memory", "postgresql")  # the database is not the point: in memory (fast tier)


def test_register_and_allocate_through_the_pages(client: CheckedClient, register: Register) -> None:
    world = register.world
    assert world is not None
    ref = world.applications["ready"]
    section = f"/applications/{ref}/allocation"
    client.sign_in("landowner")
    task_list = client.get(f"/applications/{ref}").get_data(as_text=True)
    assert "Allocation (optional)" in task_list and "You have completed 8 of 8 sections" in task_list
    page = client.get(section).get_data(as_text=True)
    assert 'name="parcel-area-creation-1"' in page and 'name="parcel-hedgerow-creation-H1"' in page
    assert 'name="parcel-area-baseline' not in page  # only created or enhanced habitat can be allocated

    bad = client.form(section, allocation(register, development_name="", **{"parcel-area-creation-1": "lots"}), section)
    text = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert "Enter the name of the development" in text and 'href="#development_name"' in text
    assert 'href="#parcel-area-creation-1"' in text and 'id="parcel-area-creation-1-error"' in text
    assert 'value="lots"' in text  # what was typed comes back to be corrected
    assert "26/04321/OUT" not in client.get(f"/applications/{ref}/check").get_data(as_text=True)

    saved = client.form(section, allocation(register), section)
    assert saved.status_code == 302
    assert 'value="0.5"' in client.get(section).get_data(as_text=True)
    check = client.get(f"/applications/{ref}/check").get_data(as_text=True)
    assert "26/04321/OUT" in check and "Coldham&#39;s Lane homes" in check
    assert "Grassland - Other neutral grassland (parcel 1): 0.5000 ha, 3.6820 habitat units" in check
    assert "£639 to register the gain site and £45 to record the allocation: £684 in all" in check
    labels = "allocation|development|planning reference|lpa|grid reference of the development"
    changes = re.findall(rf'href="([^"]+)">\s*Change<span class="govuk-visually-hidden"> ({labels})</span>', check)
    assert len(changes) == 5 and {href for href, _ in changes} == {f"{section}?back=check"}, changes
    again = client.get(section).get_data(as_text=True)
    assert 'value="yes" checked' in again and 'value="26/04321/OUT"' in again and 'value="0.1"' in again
    assert f'<option value="{world.lpa_ids["Cambridge LPA"]}" selected>' in again and CAMBRIDGE_POINT in again
    # every "Change" of the allocation goes back to its answers as saved

    submitted = client.form(f"/applications/{ref}/submit", {}, f"/applications/{ref}/check")
    assert submitted.status_code == 302
    confirmation = client.get(submitted.headers["Location"]).get_data(as_text=True)
    assert "Pay the fees" in confirmation
    assert len(re.findall(r"\((the registration fee|the allocation fee)\) by bank transfer", confirmation)) == 2

    client.sign_in("case_worker")
    case = f"/review/applications/{ref}"
    assert "26/04321/OUT" in client.get(case).get_data(as_text=True)
    for fee in register.services.applications.view(world.actors["case_worker"], ref).payments:  # each on its own
        paid = client.post(
            f"{case}/payment",
            data={
                **client.tokens(case, "payment-"),
                "payment-payment": fee.reference,
                "payment-received_on": ["22", "11", "2026"],
                "payment-method": "card",
            },
        )
        assert paid.status_code == 302
    accepted = client.post(f"{case}/accept", data={**client.tokens(case, "accept-"), "accept-publish": []})
    assert accepted.status_code == 302
    decided = client.get(case).get_data(as_text=True)
    site = re.search(
        r"Registered as gain site (BGS-\d{6}\d{3}), with allocation (ALL-[0-9A-Z-]+) to 26/04321/OUT", decided
    )
    assert site, decided
    public = client.get(f"/register/{site.group(1)}").get_data(as_text=True)
    assert "26/04321/OUT" in public and "3.68 habitat units, 0.33 hedgerow units" in public and "Within" in public

    client.sign_in("landowner")
    mine = client.get("/allocations").get_data(as_text=True)
    assert site.group(2) in mine and "Coldham&#39;s Lane homes" in mine


def test_dropping_the_allocation_after_submission_withdraws_its_fee(client: CheckedClient, register: Register) -> None:
    world, s = register.world, register.services
    assert world is not None
    owner, worker, ref = world.actors["landowner"], world.actors["case_worker"], world.applications["ready"]
    s.applications.save_section(owner, ref, "allocation", allocation(register))
    [_, fee] = s.applications.submit(owner, ref).payments
    s.review.request_information(worker, ref, "Send the habitat map again")
    section = f"/applications/{ref}/allocation"
    client.sign_in("landowner")
    assert client.form(section, {"allocate": "no"}, section).status_code == 302
    submitted = client.form(f"/applications/{ref}/submit", {}, f"/applications/{ref}/check")
    confirmation = client.get(submitted.headers["Location"]).get_data(as_text=True)
    assert "Pay the fee<" in confirmation and fee.reference not in confirmation  # only the registration fee
    mine = client.get(f"/applications/{ref}").get_data(as_text=True)
    assert f"{fee.reference}: no longer due, as the application no longer allocates units" in mine

    client.sign_in("case_worker")
    case = f"/review/applications/{ref}"
    page = client.get(case).get_data(as_text=True)
    assert f"{fee.reference}</strong>: no longer due, as the application no longer allocates units" in page
    assert f"Allocation fee of £45 (payment reference {fee.reference}) no longer due" in page  # the case history
    paid = client.post(
        f"{case}/payment",
        data={
            **client.tokens(case, "payment-"),
            "payment-received_on": ["22", "11", "2026"],
            "payment-method": "card",
        },
    )
    assert paid.status_code == 302
    assert 'name="payment-received_on' not in client.get(case).get_data(as_text=True)  # nothing left to record
    accepted = client.post(f"{case}/accept", data={**client.tokens(case, "accept-"), "accept-publish": []})
    assert accepted.status_code == 302
    decided = client.get(case).get_data(as_text=True)
    assert re.search(r"Registered as gain site BGS-\d{9}<", decided) and "with allocation" not in decided


def test_the_developments_metric_in_the_allocation_section(client: CheckedClient, register: Register) -> None:
    from bng.register import samples

    world = register.world
    assert world is not None
    ref = world.applications["ready"]
    section = f"/applications/{ref}/allocation"
    client.sign_in("landowner")
    page = client.get(section).get_data(as_text=True)
    assert 'name="method" type="radio" value="parcels" checked' in page and f"reference, {ref}, in the off-site" in page
    by_metric = {k: v for k, v in allocation(register, method="metric").items() if not k.startswith("parcel-")}

    def upload(named: str) -> dict[str, Any]:
        metric = samples.development_metric(named, area_ha=0.4)
        return {**by_metric, "development_metric_file": (io.BytesIO(metric), "mill-road-metric.json")}

    wrong = client.form(section, upload(world.site), section, content_type="multipart/form-data")
    text = wrong.get_data(as_text=True)
    assert wrong.status_code == 400 and 'href="#development_metric_file"' in text
    assert 'id="development_metric_file-error"' in text and f"names no gain site {ref}" in text

    saved = client.form(section, upload(ref), section, content_type="multipart/form-data")
    assert saved.status_code == 302
    again = client.get(section).get_data(as_text=True)
    assert 'value="metric" checked' in again and ">mill-road-metric.json</a> — <a" in again  # "Uploaded: … — Change"
    check = client.get(f"/applications/{ref}/check").get_data(as_text=True)
    assert "mill-road-metric.json</a>" in check
    assert "Grassland - Other neutral grassland (parcel 1): 0.4000 ha" in check
    # continuing without choosing the file again keeps it
    assert client.form(section, by_metric, section, content_type="multipart/form-data").status_code == 302
    assert "mill-road-metric.json</a>" in client.get(f"/applications/{ref}/check").get_data(as_text=True)
