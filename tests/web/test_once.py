"""Every confirmation is made once: fifty identical posts of the allocation's confirmation (one session,
one form, at the same instant) make one allocation and one £45 fee, on SQLite and PostgreSQL; the same
form sent again for every other confirmation changes nothing more; and a confirmation sent without its
one-time token is refused like one without its CSRF token."""

from __future__ import annotations

import io
import threading
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from bng.db import tables
from bng.register import samples
from tests.db.fixtures import Register
from tests.web.fixtures import CheckedClient
from tests.web.test_allocate import QuickClient, answers, hidden, parcels, racing_app  # noqa: F401 (a fixture)

CLIENTS = 50
TABLES = (
    "allocation", "allocation_line", "payment", "payment_refund", "application", "gain_site", "site_event",
    "stored_file", "credit_order", "credit_invoice", "credit_price", "responsible_body", "submission", "account",
    "planning_case", "planning_case_event",
)  # fmt: skip


def counts(register: Register) -> dict[str, int]:
    with register.database.engine.connect() as conn:
        return {
            t: int(conn.execute(select(func.count()).select_from(tables.metadata.tables[t])).scalar_one())
            for t in TABLES
        }


def grew(register: Register, before: dict[str, int]) -> dict[str, int]:
    return {t: n - before[t] for t, n in counts(register).items() if n != before[t]}


def test_fifty_identical_confirmations_make_one_allocation(racing_app: Flask, register: Register) -> None:  # noqa: F811
    world = register.world
    assert world is not None
    grass = parcels(register)["area-creation-1"]
    racing_app.test_client_class = QuickClient
    first = racing_app.test_client()
    assert isinstance(first, CheckedClient)
    first.sign_in("developer")
    start = f"/register/{world.site}/allocate"
    page = first.form(start, answers(register, method="parcels", **{f"parcel-{grass.id}": "0.1"}), start)
    form = hidden(page.get_data(as_text=True))  # one check page: one form, one one-time token
    assert form["submission_token"]
    cookie = first.get_cookie("bng_session")
    assert cookie is not None
    clients = []
    for _ in range(CLIENTS):  # the same browser's session, fifty times (a user clicking, a proxy retrying)
        c = racing_app.test_client()
        c.set_cookie("bng_session", cookie.value)
        clients.append(c)
    before = counts(register)
    barrier = threading.Barrier(CLIENTS)
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()

    def post(i: int) -> None:
        barrier.wait()
        consent = (io.BytesIO(samples.pdf("Consent of the landowner")), "consent.pdf")
        r = clients[i].post(
            f"{start}/confirm", data={**form, "consent_file": consent}, content_type="multipart/form-data"
        )
        with lock:
            outcomes[f"{r.status_code} {r.headers.get('Location', '')}"] += 1

    threads = [threading.Thread(target=post, args=(i,)) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    [(outcome, n)] = outcomes.items()  # every post got the same answer: the one allocation's page
    assert n == CLIENTS and outcome.startswith("302 /allocations/ALL-"), outcomes
    assert grew(register, before) == {
        "allocation": 1,
        "allocation_line": 1,
        "payment": 1,  # one £45 fee
        "stored_file": 1,  # one consent kept: the repeats stored nothing
        "submission": 1,
    }
    assert parcels(register)["area-creation-1"].allocated_size == grass.allocated_size + Decimal("0.1")
    mine = first.get("/allocations").get_data(as_text=True)
    assert mine.count("/allocations/ALL-") == 1


def _twice(client: CheckedClient, path: str, data: dict[str, Any], page: str, prefix: str = "") -> list[Any]:
    """The same form (one page's tokens) posted twice, one after the other."""
    sent = {**client.tokens(page, prefix), **data}
    return [client.post(path, data=dict(sent), content_type="multipart/form-data") for _ in range(2)]


def test_the_same_form_twice_records_once(client: CheckedClient, register: Register) -> None:
    """Each confirmation of the register's journeys, sent twice from the same page: the second is answered
    as the first was (the same redirect) and records nothing."""
    world = register.world
    assert world is not None
    client.sign_in("landowner")
    before = counts(register)
    started = _twice(client, "/applications", {}, "/applications")
    assert [r.status_code for r in started] == [302, 302] and started[0].location == started[1].location
    assert grew(register, before) == {"application": 1, "submission": 1}

    ready = world.applications["ready"]
    before = counts(register)
    submitted = _twice(client, f"/applications/{ready}/submit", {}, f"/applications/{ready}/check")
    assert [r.status_code for r in submitted] == [302, 302]
    assert grew(register, before) == {"payment": 1, "submission": 1}  # one registration fee

    client.sign_in("case_worker")
    case = f"/review/applications/{ready}"
    before = counts(register)
    paid = _twice(client, f"{case}/payment", {"payment-received_on": ["20", "11", "2026"],
                                              "payment-method": "card"}, case, "payment-")  # fmt: skip
    assert [r.status_code for r in paid] == [302, 302]
    accepted = _twice(client, f"{case}/accept", {"accept-publish": ["legal_agreement"]}, case, "accept-")
    assert [r.status_code for r in accepted] == [302, 302]
    assert grew(register, before) == {"gain_site": 1, "site_event": 1, "submission": 2}
    flashed = client.get(case).get_data(as_text=True)
    assert "is on the register" in flashed and "cannot be decided now" not in flashed

    site = f"/review/sites/{world.site}"
    before = counts(register)
    amended = _twice(client, f"{site}/amend", {"amend-on": ["21", "11", "2026"], "amend-description": "Typo"},
                     site, "amend-")  # fmt: skip
    assert [r.status_code for r in amended] == [302, 302]
    assert grew(register, before) == {"site_event": 1, "submission": 1}

    before = counts(register)
    body = {
        "name": "Meadow Trust",
        "body_type": "registered charity",
        "designated_on": ["1", "11", "2026"],
        "source": "GOV.UK",
    }
    added = _twice(client, "/admin/responsible-bodies", body, "/admin/responsible-bodies")
    assert [r.status_code for r in added] == [302, 302]
    assert grew(register, before) == {"responsible_body": 1, "submission": 1}

    before = counts(register)
    staff = {"name": "Pat Second", "email": "pat.second@example.gov.uk", "role": "case_worker", "lpa_id": "",
             "password": "kestrel over the water meadow"}  # fmt: skip
    created = _twice(client, "/admin/accounts", staff, "/admin/accounts")
    assert [r.status_code for r in created] == [302, 302]
    assert grew(register, before) == {"account": 1, "submission": 1}


def test_the_same_credit_forms_twice_record_once(client: CheckedClient, register: Register) -> None:
    world = register.world
    assert world is not None
    client.sign_in("developer")
    before = counts(register)
    started = _twice(client, "/credits/orders", {}, "/credits/orders")
    assert [r.status_code for r in started] == [302, 302] and started[0].location == started[1].location
    assert grew(register, before) == {"credit_order": 1, "submission": 1}

    client.sign_in("case_worker")
    case = f"/credits/case-work/{world.credit_orders['submitted']}"
    before = counts(register)
    passed = _twice(client, f"{case}/due-diligence", {"dd-outcome": "passed"}, case, "dd-")
    invoiced = _twice(client, f"{case}/invoice", {}, case, "invoice-")
    assert [r.status_code for r in passed + invoiced] == [302] * 4, [r.status_code for r in passed + invoiced]
    assert grew(register, before) == {"credit_invoice": 1, "submission": 2}
    before = counts(register)
    price = {"price-tier": "A1", "price-price": "50,000", "price-valid_from": ["1", "4", "2027"],
             "price-source": "Natural England, 2027"}  # fmt: skip
    added = _twice(client, "/credits/prices", price, "/credits/prices", "price-")
    assert [r.status_code for r in added] == [302, 302]
    assert grew(register, before) == {"credit_price": 1, "submission": 1}


CONFIRMATIONS = {
    "apply.start": ("landowner", "/applications"),
    "apply.submit": ("landowner", "/applications/{ready}/submit"),
    "allocate.confirm": ("developer", "/register/{site}/allocate/confirm"),
    "access.message": ("developer", "/register/{site}/message"),
    "money.account": ("case_worker", None),  # its address names a fee received: tests/web/test_money.py
    "money.remittance": ("case_worker", "/review/remittance"),
    "money.pay_invoice": ("developer", None),  # an invoiced order's: tests/web/test_money.py
    "allocate.payment": ("case_worker", None),
    "review.payment": ("case_worker", "/review/applications/{submitted}/payment"),
    "review.refund": ("case_worker", "/review/applications/{submitted}/refund"),
    "review.refund_card": ("case_worker", "/review/applications/{submitted}/refund-card"),
    "pay.start": ("landowner", None),  # its address names the fee: tests/web/test_card_payments.py
    "review.request_information": ("case_worker", "/review/applications/{submitted}/request-information"),
    "review.accept": ("case_worker", "/review/applications/{submitted}/accept"),
    "review.reject": ("case_worker", "/review/applications/{submitted}/reject"),
    "review.amend": ("case_worker", "/review/sites/{site}/amend"),
    "review.remove": ("case_worker", "/review/sites/{site}/remove"),
    "admin.bodies": ("case_worker", "/admin/responsible-bodies"),
    "admin.withdraw": ("case_worker", "/admin/responsible-bodies/1/withdraw"),
    "admin.accounts": ("case_worker", "/admin/accounts"),
    "credits.add_price": ("case_worker", "/credits/prices"),
    "credits.add_vat_rate": ("case_worker", "/credits/prices/vat"),
    "credits.remove_price": ("case_worker", "/credits/prices/1/remove"),
    "credits.remove_vat_rate": ("case_worker", "/credits/prices/vat/1/remove"),
    "credits.start": ("developer", "/credits/orders"),
    "credits.submit": ("developer", "/credits/orders/{draft}/submit"),
    "credits.withdraw": ("developer", "/credits/orders/{draft}/withdraw"),
    **{f"credit_cases.{step}": ("case_worker", None) for step in
       ("due_diligence", "invoice", "payment", "allocate", "send", "cancel", "refund")},
    "planning.submit": ("developer", "/planning/gain-plans/new"),
    **{f"planning_lpa.{step}": ("lpa_officer", None) for step in ("validated", "invalid", "decide", "findings")},
    # monitoring's confirmations need an obligation, a report or an approved plan: see test_monitoring_pages
    **{f"monitoring.{step}": ("landowner", None) for step in ("new_report", "action_done")},
    "monitoring.excess": ("developer", None),
    **{f"monitoring_lpa.{step}": ("lpa_officer", None) for step in ("start", "start_site", "fee", "accept", "action")},
    "organisations.create": ("developer", "/organisations/new"),
    # an organisation's forms: tests/web/test_organisations_pages.py sends each twice
    **{f"organisations.{step}": ("developer", None) for step in ("invite", "remove", "role", "leave", "close")},
    "api_tokens.tokens": ("developer", None),  # an organisation's: see test_api_tokens
    "api_tokens.revoke": ("developer", None),  # a token of the developer's organisation: see test_api_tokens
    "apply.withdraw": ("landowner", "/applications/{ready}/withdraw"),
    "account_settings.change_password": ("developer", "/account/password"),
    "account_settings.change_email": ("developer", "/account/email"),
    "account_settings.sign_out_everywhere": ("developer", "/account/sign-out-everywhere"),
    "account_settings.authenticator": ("case_worker", "/account/authenticator"),
    "account_settings.remove_authenticator": ("case_worker", "/account/authenticator/remove"),
}  # fmt: skip
"""The confirmations, with a role that may make them and where (None: the form has a prefix; see below)."""
NOT_CONFIRMATIONS = {
    "account.sign_in": "signing in (throttled, see test_sign_in)",
    "account.sign_out": "ends a session: the same twice is the same",
    "account.create_account": "asks for an emailed link; the link's page confirms, once",
    "account.sign_in_link": "uses a one-time link",
    "account.confirm_account": "uses a one-time link",
    "organisations.accept": "uses a one-time link: accepted once, then it has been used",
    "account.sign_in_code": "finishes a sign-in with a code, which is used once (see test_accounts_pages)",
    "account_settings.forgot_password": "asks for an emailed link; the link's page sets the password, once",
    "account_settings.reset_password": "uses a one-time link",
    "account_settings.confirm_email": "uses a one-time link",
    "account_settings.verify_email": "uses a one-time link",
    "account_settings.send_verification": "asks for an emailed link: the newest link works, the others are void",
    "apply.section": "saves a section's answers: the same twice is the same",
    "credits.section": "saves a section's answers: the same twice is the same",
    "credits.estimate": "changes nothing",
    "allocate.start": "checks an allocation; keeps its metric, which the confirmation names",
    "planning.applicability": "changes nothing: judges the facts it is sent",
    "planning_lpa.check": "changes nothing: checks a submission and keeps nothing",
    "monitoring.calendar_link": "replaces the person's secret calendar link: the same twice leaves one link",
    "monitoring_lpa.calendar_link": "replaces the LPA's secret calendar link: the same twice leaves one link",
    "monitoring_lpa.biodiversity_report": "changes nothing: makes the s.40A report of a period",
    "pay_stand_in.create": "GOV.UK Pay's side (its local stand-in): Pay's API, with Pay's own rules",
    "pay_stand_in.refund": "GOV.UK Pay's side: a refund twice is refused by Pay (refund_amount_available)",
    "pay_stand_in.card": "GOV.UK Pay's card page: a payment finished stays finished",
    "notify_stand_in.send_email": "GOV.UK Notify's side (its local stand-in): Notify's API, which takes no "
    "idempotency key (the worker's claims send each message once)",
    "api.calculate_metric": "changes nothing: calculates and keeps nothing (an API call: a token, no form)",
    "api.check_metric": "changes nothing: checks a workbook and keeps nothing",
    "api.validate_maps": "changes nothing: validates maps and keeps nothing",
    "api.estimate_credits": "changes nothing: prices credits and keeps nothing",
}


def test_every_post_is_a_confirmation_or_says_why_not(app: Flask) -> None:
    posts = {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in (rule.methods or set())}
    assert posts == set(CONFIRMATIONS) | (set(NOT_CONFIRMATIONS) & posts), posts ^ set(CONFIRMATIONS)


@pytest.mark.parametrize("endpoint", sorted(e for e, (_, path) in CONFIRMATIONS.items() if path))
def test_a_confirmation_without_its_token_is_refused(client: CheckedClient, register: Register, endpoint: str) -> None:
    world = register.world
    assert world is not None
    role, path = CONFIRMATIONS[endpoint]
    assert path is not None
    path = path.format(
        ready=world.applications["ready"], submitted=world.applications["submitted"], site=world.site,
        draft=world.credit_orders["draft"],
    )  # fmt: skip
    client.sign_in(role)
    before = counts(register)
    refused = client.post(path, data={"csrf_token": client.csrf("/account")})  # the CSRF token, no submission token
    assert refused.status_code in (400, 409), (endpoint, refused.status_code)
    assert counts(register) == before


def test_the_officers_planning_decisions_twice_record_once(client: CheckedClient, register: Register) -> None:
    """Marking a gain plan validated and deciding it, each form sent twice from the same page: one event and
    one claim each; a decision form without its token changes nothing."""
    from tests.web.planning import submit

    case = submit(register).reference
    client.sign_in("lpa_officer")
    page = f"/lpa/planning/{case}"
    refused = client.post(f"{page}/validated", data={"validated-csrf_token": client.csrf(page)})
    assert refused.status_code == 400
    before = counts(register)
    validated = _twice(client, f"{page}/validated", {}, page, "validated-")
    assert [r.status_code for r in validated] == [302, 302]
    assert grew(register, before) == {"planning_case_event": 1, "submission": 1}
    before = counts(register)
    decided = _twice(
        client, f"{page}/decision", {"decision-outcome": "refused", "decision-reasons": "No HMMP"}, page, "decision-"
    )
    assert [r.status_code for r in decided] == [302, 302]
    assert grew(register, before) == {"planning_case_event": 1, "submission": 1}
