"""The pages through the test client: security headers, sign-in, CSRF, and a journey's form handling."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from bng.db import tables
from bng.register import samples
from tests.db.fixtures import Register
from tests.web.fixtures import CheckedClient

pytestmark = pytest.mark.engines("memory", "postgresql")  # the database is not the point: in memory (fast tier)


def test_security_headers_and_cookie(client: CheckedClient) -> None:
    home = client.get("/")
    csp = home.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp)
    assert nonce and f'nonce="{nonce.group(1)}"' in home.get_data(as_text=True)
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert home.headers["X-Frame-Options"] == "DENY" and home.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get("/").headers["Content-Security-Policy"] != csp  # a fresh nonce every time
    signed = client.post(
        "/sign-in",
        data={"csrf_token": client.csrf(), "email": "owner@example.com", "password": "correct horse battery"},
    )
    cookies = signed.headers.getlist("Set-Cookie")
    assert {c.split("=")[0] for c in cookies} == {"bng_session", "bng_device"}  # the session, and this browser
    for cookie in cookies:
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get("/applications").headers["Cache-Control"] == "no-store"


def test_sign_in_errors_and_sign_out(client: CheckedClient) -> None:
    bad = client.post("/sign-in", data={"csrf_token": client.csrf(), "email": "owner@example.com", "password": "nope"})
    assert bad.status_code == 400 and "Enter a correct email address and password" in bad.get_data(as_text=True)
    assert "<title>Error: Sign in" in bad.get_data(as_text=True)
    client.sign_in("landowner")
    assert client.get("/applications").status_code == 200
    out = client.post("/sign-out", data={**client.tokens("/account")})
    assert out.status_code == 302
    assert client.get("/applications").headers["Location"].startswith("/sign-in")


def test_sign_in_returns_to_the_page_asked_for_but_never_elsewhere(client: CheckedClient) -> None:
    def sign_in(next_: str) -> str:
        data = {"csrf_token": client.csrf(), "email": "owner@example.com", "password": "correct horse battery"}
        return str(client.post(f"/sign-in?next={next_}", data=data).headers["Location"])

    assert sign_in("/applications") == "/applications"
    assert sign_in("https://evil.example/") == "/applications"
    assert sign_in("//evil.example/") == "/applications"


def _counts(register: Register) -> dict[str, int]:
    with register.database.engine.connect() as conn:
        return {
            t: int(conn.execute(select(func.count()).select_from(tables.metadata.tables[t])).scalar_one())
            for t in (
                *("audit_event", "application", "stored_file", "gain_site", "account", "responsible_body"),
                *("credit_order", "credit_price", "credit_vat_rate"),
            )
        }


@pytest.mark.engines("sqlite", "postgresql")  # compares the database's tables
def test_every_form_without_its_csrf_token_is_refused_and_changes_nothing(
    app: Flask, client: CheckedClient, register: Register
) -> None:
    world = register.world
    assert world is not None
    client.sign_in("case_worker")
    before = _counts(register)
    refused = []
    with app.test_request_context():
        from flask import url_for

        for rule in app.url_map.iter_rules():
            if "POST" not in (rule.methods or set()):
                continue
            if rule.endpoint.startswith("pay_stand_in."):  # GOV.UK Pay's stand-in: no session of ours; its API
                continue  # takes its Bearer key, its card page its own token (tests/web/test_card_payments.py)
            if rule.endpoint.startswith("notify_stand_in."):  # GOV.UK Notify's stand-in: its API takes Notify's
                continue  # signed token, not a session (tests/web/test_notify.py)
            if "POST" not in (rule.methods or set()) or rule.endpoint.startswith("api."):
                continue  # the API's posts take a token, not a session's form (test_api_tokens)
            args = {"reference": world.applications["submitted"], "key": "applicant", "body_id": 1, "token": "x"}
            args |= {"price_id": 1, "rate_id": 1, "token_id": 1, "action_reference": "x", "report_reference": "x"}
            args |= {"site_reference": "x", "case_reference": "x", "file_id": 1, "organisation_id": 1, "user_id": 1}
            path = url_for(rule.endpoint, **{k: v for k, v in args.items() if k in rule.arguments})
            response = client.post(path, data={"email": "x@example.com", "name": "Body", "body_type": "public body"})
            refused.append((path, response.status_code))
    assert refused and all(status == 400 for _, status in refused), refused
    assert _counts(register) == before


def _post(client: CheckedClient, path: str, data: dict[str, Any]) -> Any:
    return client.post(path, data={**client.tokens(path), **data}, content_type="multipart/form-data")


def test_a_registration_through_the_forms(client: CheckedClient, register: Register) -> None:
    """The web layer hands every kind of field to the service: text, radios, selects, dates, files."""
    world = register.world
    assert world is not None
    client.sign_in("landowner")
    started = client.post("/applications", data={**client.tokens("/applications")})
    task_list = started.headers["Location"]
    ref = task_list.rsplit("/", 1)[1]
    pdf = samples.pdf("A document")

    def file(data: bytes, name: str) -> tuple[io.BytesIO, str]:
        return io.BytesIO(data), name

    steps: list[tuple[str, dict[str, Any]]] = [
        ("applicant", {"acting_as": "landowner", "name": "Alex", "email": "owner@example.com", "phone": "0163"}),
        ("ownership", {"landowners": "Alex", "ownership_file": file(pdf, "title.pdf")}),
        (
            "boundary",
            {
                "site_name": "Brook Farm",
                "method": "map",
                "boundary_file": file(samples.boundary_geojson(samples.square(560_000, 260_000, 4)), "b.geojson"),
            },
        ),
        ("habitats", {"metric_file": file(samples.gain_site_metric("Brook Farm", 4), "metric.json")}),
        (
            "legal-agreement",
            {
                "agreement_type": "s106",
                "lpa_1": str(world.lpa_ids["Cambridge LPA"]),
                "lpa_2": "",
                "lpa_3": "",
                "responsible_body_id": "",
                "agreement_date": ["1", "10", "2026"],
                "works_completion_date": ["31", "3", "2027"],
                "secured_until": ["31", "3", "2057"],
                "agreement_file": file(samples.pdf("Brook Farm S106"), "s106.pdf"),
            },
        ),
        ("land-charge", {"certificate_date": ["10", "11", "2026"], "land_charge_file": file(pdf, "search.pdf")}),
        ("hmmp", {"hmmp_in_agreement": "yes"}),
        ("declarations", {"confirm": ["true", "consent", "maintain", "fee"]}),
    ]
    for key, data in steps:
        response = _post(client, f"/applications/{ref}/{key}", data)
        assert response.status_code == 302, f"{key}: {response.status_code}\n{response.get_data(as_text=True)[-3000:]}"
    check = client.get(f"/applications/{ref}/check").get_data(as_text=True)
    assert "Brook Farm" in check and "£639" in check and "Cambridge LPA" in check and "31 March 2057" in check
    submitted = client.post(f"/applications/{ref}/submit", data={**client.tokens(f"/applications/{ref}/check")})
    assert submitted.status_code == 302
    confirmation = client.get(submitted.headers["Location"]).get_data(as_text=True)
    assert "Application submitted" in confirmation and re.search(r"PAY-[0-9A-Z]{4}-[0-9A-Z]{4}", confirmation)


def test_field_errors_are_shown_on_the_fields_and_in_the_summary(client: CheckedClient, register: Register) -> None:
    world = register.world
    assert world is not None
    client.sign_in("landowner")
    path = f"/applications/{world.applications['draft']}/legal-agreement"
    response = _post(
        client,
        path,
        {
            "agreement_type": "s106",
            "agreement_date": ["31", "2", "2026"],
            "works_completion_date": ["", "", ""],
            "secured_until": ["1", "1", "2030"],
        },
    )
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert 'class="govuk-error-summary"' in text
    assert "Date the agreement was signed must be a real date" in text
    assert 'href="#lpa_1"' in text and "Select the local planning authority (LPA)" in text
    assert "Upload the legal agreement" in text


def test_a_disguised_upload_is_refused_on_the_page(client: CheckedClient, register: Register) -> None:
    world = register.world
    assert world is not None
    client.sign_in("landowner")
    path = f"/applications/{world.applications['draft']}/land-charge"
    response = _post(
        client,
        path,
        {
            "certificate_date": ["10", "11", "2026"],
            "land_charge_file": (io.BytesIO(b"MZ\x90\x00 not a pdf"), "search.pdf"),
        },
    )
    assert response.status_code == 400
    assert "The selected file search.pdf is not a type the register accepts" in response.get_data(as_text=True)


def test_save_and_come_back_later(client: CheckedClient, register: Register) -> None:
    world = register.world
    assert world is not None
    client.sign_in("landowner")
    ref = world.applications["draft"]
    response = _post(client, f"/applications/{ref}/boundary", {"site_name": "Not finished", "action": "later"})
    assert response.status_code == 302
    task_list = client.get(f"/applications/{ref}").get_data(as_text=True)
    assert "Your answers have been saved" in task_list and "In progress" in task_list
    assert 'value="Not finished"' in client.get(f"/applications/{ref}/boundary").get_data(as_text=True)


def test_review_pages_decide_through_the_forms(client: CheckedClient, register: Register) -> None:
    world = register.world
    assert world is not None
    client.sign_in("case_worker")
    ref = world.applications["submitted"]
    case = f"/review/applications/{ref}"
    paid = client.post(
        f"{case}/payment",
        data={
            **client.tokens(case, "payment-"),
            "payment-received_on": ["20", "11", "2026"],
            "payment-method": "card",
        },
    )
    assert paid.status_code == 302
    accepted = client.post(
        f"{case}/accept", data={**client.tokens(case, "accept-"), "accept-publish": ["legal_agreement"]}
    )
    assert accepted.status_code == 302
    page = client.get(case).get_data(as_text=True)
    assert "BGS-221126002" in page and "is on the register" in page
    public = client.get("/register/BGS-221126002").get_data(as_text=True)
    assert "Site submitted" in public and "<svg" in public and "Bedfordshire and Cambridgeshire Claylands" in public
