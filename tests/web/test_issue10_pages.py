"""Issue 10 through the test client: the LPA lists every form offers (item 12), what a gain site can
allocate and why (item 19), every problem of the payment form at once (item 19), GOV.UK character counts
(item 14)."""

from __future__ import annotations

import re

from tests.db.fixtures import Register
from tests.web.fixtures import CheckedClient

ABOLISHED = ("Harrogate LPA", "Allerdale LPA", "Aylesbury Vale LPA", "Wycombe LPA")


def _options(html: str, select: str) -> list[str]:
    found = re.search(rf'<select[^>]*name="{select}"[^>]*>(.*?)</select>', html, re.S)
    assert found, f"no select {select}"
    return re.findall(r"<option[^>]*>([^<]*)</option>", found.group(1))


def test_every_lpa_list_offers_only_current_lpas(client: CheckedClient, register: Register) -> None:
    world = register.world
    assert world is not None
    pages = []
    client.sign_in("landowner")
    pages.append(("lpa_1", client.get(f"/applications/{world.applications['draft']}/legal-agreement")))
    pages.append(("lpa_id", client.get(f"/applications/{world.applications['ready']}/allocation")))
    client.sign_in("developer")
    pages.append(("lpa_id", client.get(f"/register/{world.site}/allocate")))
    pages.append(("lpa_id", client.get(f"/credits/orders/{world.credit_orders['draft']}/development")))
    client.sign_in("case_worker")
    pages.append(("lpa_id", client.get("/admin/accounts")))
    pages.append(("lpa", client.get("/register")))
    for select, response in pages:
        assert response.status_code == 200
        names = [re.sub(r" \(E6\d+\)$", "", o) for o in _options(response.get_data(as_text=True), select)]
        assert not set(ABOLISHED) & set(names), (select, response.request.path)
        assert "North Yorkshire LPA" in names and "Cambridge LPA" in names
        assert len([n for n in names[1:] if n.endswith(" LPA")]) == 309, names[:3]  # after "Select …" or "Any LPA"
    api = [x["name"] for x in client.get("/api/v1/lpas").get_json()["items"]]
    assert len(api) == 310 and not set(ABOLISHED) & set(api)


def test_a_gain_site_page_says_what_can_be_allocated_and_why(client: CheckedClient, register: Register) -> None:
    world = register.world
    assert world is not None
    html = client.get(f"/register/{world.site}").get_data(as_text=True)
    assert "What can be allocated, and why" in html and "Still to allocate" in html
    said = re.search(r"not yet allocated: ([\d.,]+) habitat units", html)
    baseline = re.search(r"less its baseline units \(([\d.,]+) habitat units", html)
    assert said and baseline and float(said.group(1)) > float(baseline.group(1))


def test_the_payment_form_names_every_problem_at_once(client: CheckedClient, register: Register) -> None:
    world = register.world
    assert world is not None
    case = f"/review/applications/{world.applications['submitted']}"
    client.sign_in("case_worker")
    page = client.post(f"{case}/payment", data=client.tokens(case, "payment-"))
    html = page.get_data(as_text=True)
    assert page.status_code == 400
    summary = html[html.index("govuk-error-summary") : html.index("</ul>", html.index("govuk-error-summary"))]
    assert "Enter the date the payment was received" in summary and "Select how the fee was paid" in summary


def test_free_text_answers_show_their_limit(client: CheckedClient, register: Register) -> None:
    world = register.world
    assert world is not None
    client.sign_in("landowner")
    html = client.get(f"/applications/{world.applications['draft']}/ownership").get_data(as_text=True)
    assert 'data-module="govuk-character-count" data-maxlength="2000"' in html
    client.sign_in("case_worker")
    html = client.get(f"/review/applications/{world.applications['submitted']}").get_data(as_text=True)
    assert html.count('data-module="govuk-character-count" data-maxlength="5000"') == 2  # further information, reject
