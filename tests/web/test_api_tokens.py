"""The JSON API for an organisation's own software: tokens made by its admins on the organisation's page
(shown once, kept as a hash), and the token-authenticated endpoints, called by an httpx client against a
live server as a habitat bank's or an LPA's program would: refused without a token, with a revoked one or
outside its scopes, rate-limited, reading every member's records, and giving the same numbers as the
command line."""

from __future__ import annotations

import io
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from flask import Flask
from sqlalchemy import text
from typer.testing import CliRunner

from bng.cli import app as cli
from bng.register.accounts.api_tokens import RATE_LIMIT, TOKEN
from bng.register.core.audit import Actor
from bng.register.core.errors import Invalid
from bng.register.core.tokens import token_hash
from tests.db.fixtures import Register
from tests.register.organisations import organisation
from tests.web.fixtures import CheckedClient, LiveServer

WORKBOOK = "statutory-2024-02__completed-offsite.xlsm"
MODULES = ("area", "hedgerow", "watercourse")


def _token(
    register: Register, who: str, scopes: list[str], name: str = "Our software", organisation_id: int | None = None
) -> str:
    """A token of ``organisation_id`` (by default a new organisation of ``who``'s, who is its admin)."""
    world = register.world
    assert world is not None
    actor = world.actors[who]
    found = organisation_id or organisation(register.services, actor)
    _, secret = register.services.api_tokens.create(actor, found, name, scopes)
    return str(secret)


def _allocation(register: Register, who: Actor | None = None, planning: str = "26/01234/FUL") -> str:
    """An allocation the developer (or ``who``) recorded (with the landowner's consent)."""
    from bng.register import samples
    from bng.register.allocations.service import Development, Request
    from bng.register.core.uploads import Upload

    world, s = register.world, register.services
    assert world is not None
    hedge = next(p for p in s.register.site(world.site).parcels if p.module == "hedgerow" and p.stage == "creation")
    assert hedge.id is not None
    development = Development(world.lpa_ids["Cambridge LPA"], planning, "Mill Road homes", "546000, 259000")
    consent = Upload("consent_file", "consent.pdf", samples.pdf("Consent"))
    made = s.allocations.allocate(
        who or world.actors["developer"], world.site, development, [Request(hedge.id, Decimal("0.1"))], consent=consent
    )
    return str(made.reference)


def _stored(register: Register) -> list[dict[str, Any]]:
    with register.database.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(text("SELECT * FROM api_token ORDER BY id"))]


# -- the organisation's page ------------------------------------------------------------------------------


def test_a_token_is_shown_once_and_only_its_hash_is_kept(client: CheckedClient, register: Register) -> None:
    world = register.world
    assert world is not None
    org = organisation(register.services, world.actors["developer"])
    page = f"/organisations/{org}/api-tokens"
    client.sign_in("developer")
    shown = client.get(page).get_data(as_text=True)
    assert "Read the members&#39; statutory biodiversity credit orders" in shown
    assert "registration applications" not in shown  # a developer does not apply to register
    form = {**client.tokens(page), "name": "Our planning system", "scopes": ["metric", "allocations"]}
    made = client.post(page, data=form)
    assert made.status_code == 200
    secret = re.search(r'id="api-token">([^<]+)<', made.get_data(as_text=True))
    assert secret and TOKEN.fullmatch(secret.group(1))
    rows = _stored(register)
    assert len(rows) == 1 and rows[0]["organisation_id"] == org
    assert rows[0]["token_hash"] == token_hash(secret.group(1)) and rows[0]["prefix"] == secret.group(1)[:12]
    assert secret.group(1) not in json.dumps(rows, default=str)  # the token itself is nowhere in the database
    assert rows[0]["scopes"] == "metric allocations"
    again = client.post(page, data=form)  # the same form twice: one token, never shown again
    assert again.status_code == 302 and len(_stored(register)) == 1
    listed = client.get(page).get_data(as_text=True)
    assert "Our planning system" in listed and secret.group(1) not in listed and secret.group(1)[:12] in listed


def test_a_token_asks_only_for_what_the_role_may_do(client: CheckedClient, register: Register) -> None:
    world = register.world
    assert world is not None
    page = f"/organisations/{organisation(register.services, world.actors['developer'])}/api-tokens"
    client.sign_in("developer")
    form = {**client.tokens(page), "name": "Sneaky", "scopes": ["lpa"]}
    refused = client.post(page, data=form)
    assert refused.status_code == 400 and "Select only what your account may do" in refused.get_data(as_text=True)
    form = {**client.tokens(page), "name": "", "scopes": []}
    assert client.post(page, data=form).status_code == 400
    assert _stored(register) == []


def test_revoking_a_token_is_a_confirmation_of_an_admin(client: CheckedClient, register: Register) -> None:
    world = register.world
    assert world is not None
    org = organisation(register.services, world.actors["developer"])
    _token(register, "developer", ["metric"], organisation_id=org)
    token_id = _stored(register)[0]["id"]
    page = f"/organisations/{org}/api-tokens/{token_id}/revoke"
    client.sign_in("landowner")
    assert client.get(page).status_code == 404  # another organisation's
    assert client.get(f"/organisations/{org}/api-tokens").status_code == 404
    client.sign_in("developer")
    without = client.post(page, data={"csrf_token": client.csrf(page)})
    assert without.status_code == 400 and _stored(register)[0]["revoked_at"] is None
    tokens = client.tokens(page)
    assert [client.post(page, data=tokens).status_code for _ in range(2)] == [302, 302]
    assert _stored(register)[0]["revoked_at"] is not None


def test_a_member_sees_the_tokens_and_only_admins_make_or_revoke_them(
    client: CheckedClient, register: Register
) -> None:
    world, s = register.world, register.services
    assert world is not None
    developer, owner = world.actors["developer"], world.actors["landowner"]
    org = organisation(s, developer)
    s.organisations.invite(developer, org, owner.label, "member", link=lambda t: t)
    s.organisations.accept(owner, list(s.organisations.outbox.sent)[-1].fields["link"])
    _token(register, "developer", ["metric"], "Shared", organisation_id=org)
    token_id = _stored(register)[0]["id"]
    client.sign_in("landowner")
    page = f"/organisations/{org}/api-tokens"
    listed = client.get(page).get_data(as_text=True)
    assert "Shared" in listed and "Only the organisation's admins" in listed and "/revoke" not in listed
    made = client.post(page, data={**client.tokens(page), "name": "Mine", "scopes": ["metric"]})
    assert made.status_code == 403 and len(_stored(register)) == 1
    assert client.get(f"{page}/{token_id}/revoke").status_code == 403


# -- the API, from a program ------------------------------------------------------------------------------


def _cli_result(path: Path) -> dict[str, Any]:
    ran = CliRunner().invoke(cli, ["metric", "check", "--json", str(path)])
    assert ran.exit_code in (0, 1), ran.output
    found: dict[str, Any] = json.loads(ran.stdout)["result"]
    return found


def test_a_program_calculates_a_metric_and_reads_its_allocations(
    live_server: LiveServer, register: Register, shared: Path
) -> None:
    reference = _allocation(register)
    world = register.world
    assert world is not None
    org = organisation(register.services, world.actors["developer"])
    secret = _token(register, "developer", ["metric", "allocations"], organisation_id=org)
    revoked = _token(register, "developer", ["metric", "allocations"], "Old laptop", organisation_id=org)
    old = next(
        t
        for t in register.services.api_tokens.of_organisation(world.actors["developer"], org)
        if t.name == "Old laptop"
    )
    register.services.api_tokens.revoke(world.actors["developer"], old.id)
    workbook = shared / "spec" / "metric-files" / WORKBOOK
    with httpx.Client(base_url=live_server.url, headers={"Authorization": f"Bearer {secret}"}) as api:
        with workbook.open("rb") as fh:
            calculated = api.post("/api/v1/metric/calculate", files={"file": (WORKBOOK, fh)})
        assert calculated.status_code == 200, calculated.text
        body = calculated.json()
        expected = _cli_result(workbook)
        assert body["metric_release"] == expected["metric_release"]
        assert body["metric_release_label"].startswith("statutory")
        for module in MODULES:
            assert body["modules"][module] == expected["modules"][module], module
        assert body["modules"]["area"]["total_net_change_units"] is not None
        mine = api.get("/api/v1/me/allocations")
        assert mine.status_code == 200 and mine.headers["X-RateLimit-Remaining"] == str(RATE_LIMIT - 2)
        items = mine.json()["items"]
        assert [i["reference"] for i in items] == [reference]
        assert items[0]["site_reference"] == world.site and items[0]["units"]["hedgerow"] > 0
    for headers in ({}, {"Authorization": f"Bearer {revoked}"}, {"Authorization": "Bearer bng_" + "x" * 43}):
        refused = httpx.get(f"{live_server.url}/api/v1/me/allocations", headers=headers)
        assert refused.status_code == 401 and refused.headers["content-type"] == "application/problem+json"
        assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    revoked_call = httpx.get(f"{live_server.url}/api/v1/me/allocations", headers={"Authorization": f"Bearer {revoked}"})
    assert "revoked" in revoked_call.json()["detail"]


def test_an_organisation_s_token_reads_every_member_s_allocations_until_revoked(
    live_server: LiveServer, register: Register
) -> None:
    """Two developers of one organisation (the second joined by the emailed invitation) each record an
    allocation: the organisation's token reads both, one member's no more once removed, and none once revoked."""
    from bng.register.accounts.service import NewAccount, actor_of
    from tests.register.world import PASSWORD

    world, s = register.world, register.services
    assert world is not None
    developer = world.actors["developer"]
    colleague = actor_of(
        s.accounts.create_trusted(NewAccount("colleague@example.com", "A Colleague", PASSWORD, "developer"))
    )
    org = organisation(s, developer, "Mill Road Homes")
    s.organisations.invite(developer, org, colleague.label, "member", link=lambda t: t)
    s.organisations.accept(colleague, list(s.organisations.outbox.sent)[-1].fields["link"])
    first = _allocation(register)
    second = _allocation(register, colleague, "26/05678/FUL")
    made, secret = s.api_tokens.create(developer, org, "Planning system", ["allocations"])
    url = f"{live_server.url}/api/v1/me/allocations"
    with httpx.Client(headers={"Authorization": f"Bearer {secret}"}) as api:
        read = api.get(url)
        assert read.status_code == 200, read.text
        assert sorted(i["reference"] for i in read.json()["items"]) == sorted([first, second])
        assert {i["planning_reference"] for i in read.json()["items"]} == {"26/01234/FUL", "26/05678/FUL"}
        s.organisations.remove(developer, org, colleague.user_id)
        assert [i["reference"] for i in api.get(url).json()["items"]] == [first]
        s.api_tokens.revoke(developer, made.id)
        refused = api.get(url)
        assert refused.status_code == 401 and "revoked" in refused.json()["detail"]
    assert httpx.get(url).status_code == 401  # and without a token


def test_scopes_and_roles(client: CheckedClient, register: Register) -> None:
    metric_only = _token(register, "developer", ["metric"])
    refused = client.get("/api/v1/me/allocations", headers={"Authorization": f"Bearer {metric_only}"})
    assert refused.status_code == 403 and "allocations scope" in refused.get_json()["detail"]
    officer = _token(register, "lpa_officer", ["lpa"])
    auth = {"Authorization": f"Bearer {officer}"}
    proofs = client.get("/api/v1/lpa/proofs", headers=auth)
    assert proofs.status_code == 200 and proofs.get_json()["lpa"] == "Cambridge LPA"
    reference = _allocation(register)
    allocations = client.get("/api/v1/lpa/allocations", headers=auth).get_json()
    assert reference in [i["reference"] for i in allocations["items"]]
    assert client.get("/api/v1/me/allocations", headers=auth).status_code == 403
    monitoring = client.get("/api/v1/lpa/monitoring", headers=auth)
    client.sign_in("lpa_officer")
    assert monitoring.status_code == 200
    assert monitoring.get_json() == client.get("/lpa/monitoring/dashboard.json").get_json()  # the officer's own
    with pytest.raises(Invalid) as refused_scope:
        _token(register, "developer", ["lpa"])  # a developer's token can never read an LPA's records
    assert [p.message for p in refused_scope.value.problems] == ["Select only what your account may do"]


def test_a_token_s_scopes_stop_with_its_last_admin_s_account(client: CheckedClient, register: Register) -> None:
    """A deactivated account is no admin: with none left, no scope holds (and nobody's records are read)."""
    world = register.world
    assert world is not None
    secret = _token(register, "developer", ["allocations"])
    auth = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/me/allocations", headers=auth).status_code == 200
    register.services.accounts.set_active(world.actors["case_worker"], world.actors["developer"].user_id, False)
    refused = client.get("/api/v1/me/allocations", headers=auth)
    assert refused.status_code == 403 and "No admin of the organisation" in refused.get_json()["detail"]


def test_each_token_is_rate_limited(client: CheckedClient, register: Register) -> None:
    from datetime import timedelta

    secret, other = _token(register, "developer", ["allocations"]), _token(register, "developer", ["allocations"])
    auth = {"Authorization": f"Bearer {secret}"}
    statuses = [client.get("/api/v1/me/credit-orders", headers=auth).status_code for _ in range(RATE_LIMIT)]
    assert set(statuses) == {403}  # refused for its scope, but counted: each call is
    limited = client.get("/api/v1/me/allocations", headers=auth)
    assert limited.status_code == 429 and limited.headers["content-type"] == "application/problem+json"
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert client.get("/api/v1/me/allocations", headers={"Authorization": f"Bearer {other}"}).status_code == 200
    register.clock.now += timedelta(seconds=61)
    assert client.get("/api/v1/me/allocations", headers=auth).status_code == 200


def test_the_metric_endpoints_take_the_pages_uploads(client: CheckedClient, register: Register, shared: Path) -> None:
    auth = {"Authorization": f"Bearer {_token(register, 'developer', ['metric'])}"}
    workbook = (shared / "spec" / "metric-files" / WORKBOOK).read_bytes()
    checked = client.post("/api/v1/metric/check", headers=auth, data={"file": (io.BytesIO(workbook), WORKBOOK)})
    assert checked.status_code == 200, checked.get_data(as_text=True)
    assert checked.get_json()["consistent"] is True and checked.get_json()["file"] == WORKBOOK
    estimate = client.post("/api/v1/credits/estimate", headers=auth, data={"file": (io.BytesIO(workbook), WORKBOOK)})
    assert estimate.status_code == 200, estimate.get_data(as_text=True)
    assert set(estimate.get_json()["credits"]) == {"A1", "A2", "A3", "A4", "A5", "H", "W"}
    bad = client.post("/api/v1/metric/calculate", headers=auth, data={"file": (io.BytesIO(b"not a metric"), "x.xlsx")})
    assert bad.status_code == 400 and bad.get_json()["invalid_params"][0]["name"] == "file"
    missing = client.post("/api/v1/metric/calculate", headers=auth, data={})
    assert missing.status_code == 400


GEOPACKAGES = ("spec", "geopackages")


def test_a_map_pair_is_validated(client: CheckedClient, register: Register, shared: Path) -> None:
    from bng.gis.workflow import load_maps

    auth = {"Authorization": f"Bearer {_token(register, 'landowner', ['metric'])}"}
    folder = shared.joinpath(*GEOPACKAGES)
    base, post = (
        folder / "valid" / "Baseline - complete with area refs.gpkg",
        folder / "valid" / "Post-intervention - complete.gpkg",
    )
    sent = {
        "baseline": (io.BytesIO(base.read_bytes()), base.name),
        "post_intervention": (io.BytesIO(post.read_bytes()), post.name),
    }
    valid = client.post("/api/v1/maps/validate", headers=auth, data=sent)
    assert valid.status_code == 200, valid.get_data(as_text=True)
    body = valid.get_json()
    expected = load_maps([base, post])
    assert body["valid"] is not any(f.level == "error" for f in expected.findings)
    assert len(body["findings"]) == len(expected.findings) and body["metric_release"]
    assert body["result"]["modules"]["area"]["on_site"]["baseline_units"] is not None
    wrong = folder / "invalid-schema" / "Baseline - missing columns in Habitats.gpkg"
    sent = {
        "baseline": (io.BytesIO(wrong.read_bytes()), wrong.name),
        "post_intervention": (io.BytesIO(post.read_bytes()), post.name),
    }
    refused = client.post("/api/v1/maps/validate", headers=auth, data=sent)
    said = refused.get_data(as_text=True)
    assert refused.status_code == 400, said
    problem = refused.get_json()["invalid_params"][0]
    assert problem["name"] == "baseline" and wrong.name in problem["reason"]  # the file as the caller named it
    assert "'Baseline Condition' is missing" in problem["reason"] and "/tmp" not in said
    text_file = {
        "baseline": (io.BytesIO(b"hello"), "a.txt"),
        "post_intervention": (io.BytesIO(post.read_bytes()), post.name),
    }
    assert client.post("/api/v1/maps/validate", headers=auth, data=text_file).status_code == 400


def test_the_tokens_endpoints_are_in_the_openapi_document(app: Flask) -> None:
    doc = app.test_client().get("/api/v1/openapi.json").get_json()
    assert doc["components"]["securitySchemes"]["apiToken"]["scheme"] == "bearer"
    for path in ("/api/v1/metric/calculate", "/api/v1/metric/check", "/api/v1/maps/validate",
                 "/api/v1/credits/estimate", "/api/v1/me/allocations", "/api/v1/lpa/proofs"):  # fmt: skip
        (operation,) = doc["paths"][path].values()
        assert operation["security"] == [{"apiToken": []}] and {"401", "403", "429"} <= set(operation["responses"])


def test_a_form_part_without_a_name_is_no_crash(client: CheckedClient, register: Register) -> None:
    """A multipart part with no name (werkzeug gives it the name None) once crashed the NUL check of every
    POST with a 500; schemathesis found it on the API's uploads."""
    body = b"--b\r\nContent-Disposition: form-data\r\n\r\nnull\r\n--b--\r\n"
    auth = {"Authorization": f"Bearer {_token(register, 'developer', ['metric'])}"}
    for path, headers in (("/api/v1/metric/calculate", auth), ("/sign-in", {})):
        sent = client.post(path, data=body, content_type="multipart/form-data; boundary=b", headers=headers)
        assert sent.status_code == 400, (path, sent.status_code)
