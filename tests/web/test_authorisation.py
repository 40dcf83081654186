"""Every route, called as every role: who may do what.

The table below names, for every endpoint of the app, the roles that may use it. The test
fails if a route is missing from the table, so a new route must say who may use it. Denied
means: the public are sent to sign in; a signed-in person gets 403 (their role lacks the
permission) or 404 (the thing is someone else's, and they may not learn it exists).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask

from tests.db.fixtures import Register
from tests.web.fixtures import CheckedClient

ROLES = ("public", "landowner", "other_landowner", "developer", "lpa_officer", "case_worker")
EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {"public"}
LANDOWNERS = frozenset({"landowner", "other_landowner"})
OWNER = frozenset({"landowner"})
CASE_WORKER = frozenset({"case_worker"})
ALLOCATORS = frozenset({"landowner", "other_landowner", "developer"})
DEVELOPER = frozenset({"developer"})

WHO_MAY: dict[str, frozenset[str]] = {
    "static": EVERYONE,
    "assets.asset": EVERYONE,
    "public.home": EVERYONE,
    "public.cookies": EVERYONE,
    "public.search": EVERYONE,
    "public.site": EVERYONE,
    "api.docs": EVERYONE,
    "api.openapi": EVERYONE,
    "api.sites": EVERYONE,
    "api.site": EVERYONE,
    "api.lpas": EVERYONE,
    "api.responsible_bodies": EVERYONE,
    "api.sites_csv": EVERYONE,
    "api.sites_geojson": EVERYONE,
    "api.parcels": EVERYONE,
    "api.parcels_csv": EVERYONE,
    "api.parcels_geojson": EVERYONE,
    "api.allocations": EVERYONE,
    "api.allocations_csv": EVERYONE,
    "api.allocations_geojson": EVERYONE,
    "maps.areas": EVERYONE,  # the offline base map's boundaries (open data)
    "maps.tile": frozenset(),  # OS Maps tiles: 404 for all without OS_MAPS_API_KEY, as in these tests
    "account.sign_in": EVERYONE,
    "account.sign_out": EVERYONE,
    "account.create_account": EVERYONE,
    "account.sign_in_link": EVERYONE,  # an emailed one-time link: its page, then 400 for a token never sent
    "account.confirm_account": EVERYONE,
    "account.dashboard": SIGNED_IN,
    "account.sign_in_code": EVERYONE,  # without a pending sign-in: "sign in again"
    "account_settings.forgot_password": EVERYONE,
    "account_settings.reset_password": EVERYONE,  # an emailed one-time link: 400 for a token never sent
    "account_settings.confirm_email": EVERYONE,
    "account_settings.verify_email": EVERYONE,
    "account_settings.change_password": SIGNED_IN,
    "account_settings.change_email": SIGNED_IN,
    "account_settings.send_verification": SIGNED_IN,
    "account_settings.sign_out_everywhere": SIGNED_IN,
    "account_settings.authenticator": frozenset({"lpa_officer", "case_worker"}),
    "account_settings.remove_authenticator": frozenset({"lpa_officer", "case_worker"}),
    "apply.applications": LANDOWNERS,
    "apply.start": LANDOWNERS,
    "apply.task_list": OWNER,
    "apply.section": OWNER,
    "apply.withdraw": OWNER,
    "apply.check": OWNER,
    "apply.submit": OWNER,
    "apply.confirmation": OWNER,
    "review.queue": CASE_WORKER,
    "review.case": CASE_WORKER,
    "review.payment": CASE_WORKER,
    "review.refund": CASE_WORKER,
    "review.refund_card": CASE_WORKER,
    "review.request_information": CASE_WORKER,
    "review.accept": CASE_WORKER,
    "review.reject": CASE_WORKER,
    "review.site": CASE_WORKER,
    "review.amend": CASE_WORKER,
    "review.remove": CASE_WORKER,
    "admin.bodies": CASE_WORKER,
    "admin.withdraw": CASE_WORKER,
    "admin.accounts": CASE_WORKER,
    "admin.audit": CASE_WORKER,
    "lpa.dashboard": frozenset({"lpa_officer"}),
    # who sees what: the allocations of the LPA's developments (and its credit purchases), each landowner the
    # allocations from their own gain sites (the other landowner's page lists none of the landowner's: see
    # test_access), and developers and officers message a gain site's provider
    "lpa.allocations": frozenset({"lpa_officer"}),
    "lpa.allocations_download": frozenset({"lpa_officer"}),
    "lpa.purchases_download": frozenset({"lpa_officer"}),
    "access.site_allocations": LANDOWNERS,
    "access.message": DEVELOPER | frozenset({"lpa_officer"}),
    # money: the register team's page of a fee's overpayments and part refunds, and the bank details; an invoice
    # PDF for whoever owes it (the landowner's submitted application, the developer's invoiced order) and the team
    "money.account": CASE_WORKER,
    "money.remittance": CASE_WORKER,
    "money.credit_invoice": DEVELOPER | CASE_WORKER,
    "money.application_invoice": OWNER | CASE_WORKER,
    "money.pay_invoice": DEVELOPER,  # the sent order is paid already: 409 for its developer, refused for others
    "files.download": OWNER | CASE_WORKER,  # an unpublished document of the landowner's draft
    # allocations: developers and landowners allocate; an allocation is its maker's (the developer's
    # here); the register team see it from the gain site and record its fee
    "allocate.mine": ALLOCATORS,
    "allocate.find": ALLOCATORS,
    "allocate.start": ALLOCATORS,
    "allocate.confirm": ALLOCATORS,
    "allocate.allocation": frozenset({"developer"}),
    "allocate.casework": CASE_WORKER,
    "allocate.payment": CASE_WORKER,
    # statutory biodiversity credits: the estimate and prices are public; only a developer buys (never an
    # agent); the order is its developer's; the register team fulfil it; the LPA sees what was sent to it
    "credits.estimate": EVERYONE,
    "credits.prices": EVERYONE,
    "credits.add_price": CASE_WORKER,
    "credits.add_vat_rate": CASE_WORKER,
    "credits.remove_price": CASE_WORKER,
    "credits.remove_vat_rate": CASE_WORKER,
    "credits.orders": DEVELOPER,
    "credits.start": DEVELOPER,
    "credits.order": DEVELOPER,
    "credits.section": DEVELOPER,
    "credits.check": DEVELOPER,
    "credits.submit": DEVELOPER,
    "credits.confirmation": DEVELOPER,
    "credits.withdraw": DEVELOPER,
    "credits.metric": DEVELOPER | CASE_WORKER,  # the metric of the order sent to Cambridge LPA
    "credits.proof": DEVELOPER | CASE_WORKER | frozenset({"lpa_officer"}),  # its proof: the officer is Cambridge's
    "credits.lpa_proofs": frozenset({"lpa_officer"}),
    "credit_cases.queue": CASE_WORKER,
    "credit_cases.case": CASE_WORKER,
    "credit_cases.due_diligence": CASE_WORKER,
    "credit_cases.invoice": CASE_WORKER,
    "credit_cases.payment": CASE_WORKER,
    "credit_cases.allocate": CASE_WORKER,
    "credit_cases.send": CASE_WORKER,
    "credit_cases.cancel": CASE_WORKER,
    "credit_cases.refund": CASE_WORKER,
    # the planning side: anyone checks applicability and reads decisions; the developer submits and follows
    # their own gain plan; Cambridge's officer validates and decides it; its PDFs are for both
    "planning.applicability": EVERYONE,
    "planning.decisions": EVERYONE,
    "planning.decision": EVERYONE,
    "planning.mine": DEVELOPER,
    "planning.submit": DEVELOPER,
    "planning.case": DEVELOPER,
    "planning.report_pdf": DEVELOPER | frozenset({"lpa_officer"}),
    "planning.document_pdf": DEVELOPER | frozenset({"lpa_officer"}),
    "planning_lpa.queue": frozenset({"lpa_officer"}),
    "planning_lpa.case": frozenset({"lpa_officer"}),
    "planning_lpa.validated": frozenset({"lpa_officer"}),
    "planning_lpa.invalid": frozenset({"lpa_officer"}),
    "planning_lpa.decide": frozenset({"lpa_officer"}),
    "planning_lpa.findings": frozenset({"lpa_officer"}),
    "planning_lpa.check": frozenset({"lpa_officer"}),
    # monitoring: the gain site's landowner reports on it (its obligation is Cambridge's, under its section 106
    # agreement), Cambridge's officer reviews; a report's files are for both; any provider has a calendar; the
    # developer sells their own plan's excess; a calendar's secret link is for whoever holds it
    "monitoring.mine": LANDOWNERS | DEVELOPER,
    "monitoring.obligation": OWNER,
    "monitoring.new_report": OWNER,
    "monitoring.report": OWNER,
    "monitoring.report_file": OWNER | frozenset({"lpa_officer"}),
    "monitoring.action_done": OWNER,
    "monitoring.calendar": LANDOWNERS | DEVELOPER,
    "monitoring.calendar_link": LANDOWNERS | DEVELOPER,
    "monitoring.feed": EVERYONE,
    "monitoring.excess": DEVELOPER,
    "monitoring_lpa.dashboard": frozenset({"lpa_officer"}),
    "monitoring_lpa.dashboard_json": frozenset({"lpa_officer"}),
    "monitoring_lpa.obligations_csv": frozenset({"lpa_officer"}),
    "monitoring_lpa.obligations_geojson": frozenset({"lpa_officer"}),
    "monitoring_lpa.biodiversity_report": frozenset({"lpa_officer"}),
    "monitoring_lpa.start": frozenset({"lpa_officer"}),
    "monitoring_lpa.start_site": frozenset({"lpa_officer"}),
    "monitoring_lpa.obligation": frozenset({"lpa_officer"}),
    "monitoring_lpa.fee": frozenset({"lpa_officer"}),
    "monitoring_lpa.report": frozenset({"lpa_officer"}),
    "monitoring_lpa.accept": frozenset({"lpa_officer"}),
    "monitoring_lpa.action": frozenset({"lpa_officer"}),
    "monitoring_lpa.calendar": frozenset({"lpa_officer"}),
    "monitoring_lpa.calendar_link": frozenset({"lpa_officer"}),
    # card payments: the payer starts paying their own fee; a return address is the payer's alone (one never
    # given is no page for anyone). GOV.UK Pay's stand-in answers its API key, not a session (401 without it),
    # and its card page only a payment it made (404 for one it never made)
    "pay.start": OWNER,
    "pay.returned": frozenset(),
    "pay_stand_in.create": frozenset(),
    "pay_stand_in.find": frozenset(),
    "pay_stand_in.refund": frozenset(),
    "pay_stand_in.card": frozenset(),
    # e-mails: every message to the register team; to others, their own (only while Notify is the stand-in)
    "outbox.outbox": SIGNED_IN,
    "notify_stand_in.send_email": frozenset(),  # Notify's side: its JWT, never a browser's session
    "notify_stand_in.find": frozenset(),
    # organisations: each sees its own (organisation 1 is the developer's, and token 1 its token)
    "organisations.mine": SIGNED_IN,
    "organisations.create": SIGNED_IN,
    "organisations.organisation": DEVELOPER,
    "organisations.invite": DEVELOPER,
    "organisations.accept": SIGNED_IN,  # an emailed one-time link: 400 for a token never sent
    "organisations.remove": DEVELOPER,
    "organisations.role": DEVELOPER,
    "organisations.leave": DEVELOPER,
    "organisations.close": DEVELOPER,
    "api_tokens.tokens": DEVELOPER,
    "api_tokens.revoke": DEVELOPER,
    # the token-authenticated API: never by the session cookie (401 to every browser); API_SCOPES says who
    **{endpoint: frozenset() for endpoint in ("api.calculate_metric", "api.check_metric", "api.validate_maps",
       "api.estimate_credits", "api.my_applications", "api.my_allocations", "api.my_credit_orders",
       "api.lpa_allocations", "api.lpa_proofs", "api.lpa_monitoring")},
}  # fmt: skip
API_SCOPES: dict[str, frozenset[str]] = {
    "api.calculate_metric": SIGNED_IN,
    "api.check_metric": SIGNED_IN,
    "api.validate_maps": SIGNED_IN,
    "api.estimate_credits": SIGNED_IN,
    "api.my_applications": LANDOWNERS,
    "api.my_allocations": ALLOCATORS,
    "api.my_credit_orders": DEVELOPER,
    "api.lpa_allocations": frozenset({"lpa_officer"}),
    "api.lpa_proofs": frozenset({"lpa_officer"}),
    "api.lpa_monitoring": frozenset({"lpa_officer"}),
}
"""Who may call each endpoint of the token-authenticated API, with a token holding every scope their role
allows (the public have no token: 401)."""


ALLOCATION_PAGES = ("allocate.allocation", "allocate.casework", "allocate.payment")
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
    b"\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef\x00\x00\x00\x00IEND\xaeB`\x82"
)
TOMORROW = date(2026, 11, 23)  # the test world's clock is 22 November 2026


def _arguments(
    endpoint: str,
    register: Register,
    allocation: str = "",
    planning: str = "",
    monitoring: dict[str, Any] | None = None,
) -> dict[str, Any]:
    world = register.world
    assert world is not None
    if endpoint in ALLOCATION_PAGES:
        return {"reference": allocation}
    if endpoint.startswith("money."):  # the submitted application's registration fee, its invoice, the sent order's
        fees = register.services.applications.view(world.actors["landowner"], world.applications["submitted"])
        return {
            "reference": {
                "money.credit_invoice": world.credit_orders["sent"],
                "money.pay_invoice": world.credit_orders["sent"],
                "money.application_invoice": world.applications["submitted"],
            }.get(endpoint, fees.payments[0].reference)
        }
    if endpoint.startswith("monitoring"):
        return {**(monitoring or {}), "case_reference": planning, "site_reference": world.site}
    if endpoint.startswith("planning"):
        return {"reference": planning, "kind": "statement"}
    if endpoint.startswith(("credits.", "credit_cases.")):
        return _credit_arguments(endpoint, world.credit_orders)
    if endpoint.startswith("apply."):
        return {"reference": world.applications["ready"], "key": "applicant"}
    if endpoint.startswith("pay"):  # the submitted application's registration fee, the landowner's to pay
        view = register.services.applications.view(world.actors["landowner"], world.applications["submitted"])
        return {"reference": view.payments[0].reference, "key": "no-such-key", "payment_id": "no-such-payment"}
    if (
        endpoint.startswith("review.")
        and endpoint != "review.site"
        and endpoint not in ("review.amend", "review.remove")
    ):
        return {"reference": world.applications["submitted"]}
    return {
        "reference": world.site,
        "token": "no-such-link",
        "file_id": world.files["owner"],
        "body_id": 1,
        "token_id": 1,
        "organisation_id": 1,
        "user_id": 1,
        "kind": "lpa",
        "z": 0,
        "x": 0,
        "y": 0,
        "notification_id": "no-such-notification",
        "filename": "govuk-frontend.min.css" if endpoint == "assets.asset" else "app.css",
    }


def _credit_arguments(endpoint: str, orders: dict[str, str]) -> dict[str, Any]:
    """The developer's complete draft for the journey, the submitted order for the register team's
    steps, and the order sent to Cambridge LPA for its documents."""
    if endpoint in ("credits.metric", "credits.proof"):
        reference = orders["sent"]
    elif endpoint.startswith("credit_cases."):
        reference = orders["submitted"]
    else:
        reference = orders["draft"]
    return {"reference": reference, "key": "development", "price_id": 1, "rate_id": 1}


def _denied(response: Any) -> bool:
    if response.status_code in (401, 403, 404):
        return True
    return response.status_code == 302 and response.headers["Location"].startswith("/sign-in")


def _calls(
    app: Flask,
    register: Register,
    allocation: str = "",
    planning: str = "",
    monitoring: dict[str, Any] | None = None,
    only: Collection[str] | None = None,
) -> list[tuple[str, str, str]]:
    calls = []
    with app.test_request_context():
        from flask import url_for

        for rule in app.url_map.iter_rules():
            if only is not None and rule.endpoint not in only:
                continue
            found = _arguments(rule.endpoint, register, allocation, planning, monitoring)
            args = {k: v for k, v in found.items() if k in rule.arguments}
            path = url_for(rule.endpoint, **args)
            for method in sorted((rule.methods or set()) & {"GET", "POST"}):
                calls.append((rule.endpoint, method, path))
    return calls


def test_every_route_is_in_the_table(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints == set(WHO_MAY), f"missing: {endpoints - set(WHO_MAY)}; stale: {set(WHO_MAY) - endpoints}"


@pytest.fixture
def allocation(register: Register) -> str:
    """An allocation the developer recorded (with the landowner's consent), for the allocation pages."""
    from bng.register import samples
    from bng.register.allocations.service import Development, Request
    from bng.register.core.uploads import Upload

    world, s = register.world, register.services
    assert world is not None
    hedge = next(p for p in s.register.site(world.site).parcels if p.module == "hedgerow" and p.stage == "creation")
    assert hedge.id is not None
    development = Development(world.lpa_ids["Cambridge LPA"], "26/01234/FUL", "Mill Road homes", "546000, 259000")
    consent = Upload("consent_file", "consent.pdf", samples.pdf("Consent"))
    made = s.allocations.allocate(
        world.actors["developer"], world.site, development, [Request(hedge.id, Decimal("0.1"))], consent=consent
    )
    return str(made.reference)


@pytest.fixture
def planning_case(register: Register) -> str:
    """A gain plan the developer submitted to Cambridge LPA, validated and refused (so public)."""
    from tests.web.planning import refused

    return refused(register).reference


@pytest.fixture
def monitoring(register: Register) -> dict[str, Any]:
    """The gain site's obligation (Cambridge's officer made it), a year 2 report of its landowner with a photo,
    a remedial action asked on it, and the calendar link of another landowner (one the roles here never
    replace by making their own)."""
    from bng.register.accounts.service import NewAccount, actor_of
    from bng.register.core.uploads import Upload
    from tests.register.world import PASSWORD

    world, s = register.world, register.services
    assert world is not None
    officer, owner = world.actors["lpa_officer"], world.actors["landowner"]
    ob = s.monitoring.create_for_site(officer, world.site)
    third = s.accounts.create_trusted(NewAccount("third.owner@example.com", "Third Owner", PASSWORD, "landowner"))
    seen = {p["key"]: {"habitat": p["habitat"], "condition": p["condition"]} for p in ob.parcels}
    photo = Upload("photos", "meadow.png", PNG)
    report = s.monitoring.submit_report(owner, ob.reference, year=2, observations=seen, files=[photo])
    action = s.monitoring.request_action(
        officer, ob.reference, report.reference, description="Fence the meadow", deadline=TOMORROW, parcel_keys=[]
    )
    return {
        "reference": ob.reference,
        "report_reference": report.reference,
        "action_reference": action.reference,
        "file_id": report.files[0]["id"],
        "token": s.calendars.new_link(actor_of(third)),
    }


@pytest.fixture
def api_token(register: Register) -> str:
    """The developer's organisation (the register's first: id 1) and its API token (id 1), for their pages."""
    from tests.register.organisations import token

    world = register.world
    assert world is not None
    return token(register.services, world.actors["developer"], ["metric"], "Planning system")[1]


@pytest.mark.parametrize("role", ROLES)
def test_who_may_do_what(
    role: str,
    app: Flask,
    client: CheckedClient,
    register: Register,
    allocation: str,
    planning_case: str,
    monitoring: dict[str, Any],
    api_token: str,
) -> None:
    if role != "public":
        client.sign_in(role)
    wrong = []
    for endpoint, method, path in _calls(app, register, allocation, planning_case, monitoring):
        if method == "GET":
            response = client.get(path)
        else:
            token = client.csrf("/sign-in" if role == "public" else "/account")
            response = client.post(path, data={"csrf_token": token})
        allowed = role in WHO_MAY[endpoint]
        if _denied(response) == allowed:
            wrong.append(f"{method} {path} as {role}: {response.status_code} {response.headers.get('Location', '')}")
        if endpoint == "account.sign_out" and method == "POST" and role != "public":
            client.sign_in(role)
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("role", ROLES)
def test_published_documents_are_public_and_others_are_not(
    role: str, client: CheckedClient, register: Register
) -> None:
    world = register.world
    assert world is not None
    if role != "public":
        client.sign_in(role)
    assert client.get(f"/files/{world.published_file}").status_code == 200
    private = client.get(f"/files/{world.files['owner']}")
    assert private.status_code == (200 if role in ("landowner", "case_worker") else 404)


@pytest.mark.parametrize("role", ROLES)
def test_who_may_call_the_api_with_a_token(role: str, app: Flask, register: Register, allocation: str) -> None:
    """The token of each role's organisation (an LPA officer's is its LPA's), holding every scope the role may
    give, on every token-authenticated endpoint: past
    the token (any answer but 401, 403 and 404) exactly where API_SCOPES says."""
    from tests.register.organisations import token

    world = register.world
    assert world is not None
    closed = {rule.endpoint for rule in app.url_map.iter_rules() if not WHO_MAY[rule.endpoint]}
    # closed to every browser: the token API, Pay's and Notify's side (their stand-ins, and the return only the
    # payer holds); OS Maps tiles are no page without OS_MAPS_API_KEY
    outside = ("pay", "pay_stand_in", "notify_stand_in", "maps")
    assert {e for e in closed if e.split(".")[0] not in outside} == set(API_SCOPES)
    headers = {}
    if role != "public":
        headers["Authorization"] = "Bearer " + token(register.services, world.actors[role], name=role)[1]
    client = app.test_client()
    wrong = []
    for endpoint, method, path in _calls(app, register, allocation, only=API_SCOPES):
        response = client.open(path, method=method, headers=headers)
        if _denied(response) == (role in API_SCOPES[endpoint]):
            wrong.append(f"{method} {path} as {role}: {response.status_code}")
        assert response.status_code < 500 and response.mimetype in ("application/json", "application/problem+json")
    assert not wrong, "\n".join(wrong)
