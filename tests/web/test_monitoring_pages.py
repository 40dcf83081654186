"""Monitoring's pages with the test client: every confirmation sent twice from the same page records once
(and without its one-time token changes nothing); the LPA's dashboard downloaded as CSV, GeoJSON and JSON;
the s.40A biodiversity report opened as a spreadsheet (openpyxl) and as a PDF (pypdf); the calendars, as a
download and behind a secret link, read by icalendar."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from typing import Any

import pytest
from icalendar import Calendar
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from bng.db import tables
from tests.db.fixtures import Register
from tests.register.monitoring_world import OFFICER, REFERENCE, approved_case, worcestershire
from tests.web.fixtures import CheckedClient

MONITORING_TABLES = (
    "monitoring_obligation", "monitoring_report", "monitoring_action", "monitoring_event", "excess_sale", "submission",
)  # fmt: skip
START = ["1", "3", "2024"]  # habitat works completed: year 3's report is due on 1 March 2027


def counts(register: Register) -> dict[str, int]:
    with register.database.engine.connect() as conn:
        return {
            t: int(conn.execute(select(func.count()).select_from(tables.metadata.tables[t])).scalar_one())
            for t in MONITORING_TABLES
        }


def grew(register: Register, before: dict[str, int]) -> dict[str, int]:
    return {t: n - before[t] for t, n in counts(register).items() if n != before[t]}


def twice(client: CheckedClient, path: str, data: dict[str, Any], page: str, prefix: str = "") -> list[Any]:
    """The same form (one page's tokens) posted twice, one after the other."""
    sent = {**client.tokens(page, prefix), **data}
    return [client.post(path, data=dict(sent), content_type="multipart/form-data") for _ in range(2)]


def observations(parcels: list[dict[str, Any]], failed: str = "") -> dict[str, str]:
    """The report form's answers: every parcel as planned, but ``failed`` turned to bramble scrub."""
    out = {}
    for p in parcels:
        field = p["key"].replace(":", "-")
        out[f"habitat-{field}"] = p["habitat"]
        out[f"condition-{field}"] = p["condition"]
        if p["key"] == failed:
            out[f"habitat-{field}"] = "Heathland and shrub - Bramble scrub"
            out[f"condition-{field}"] = "Condition Assessment N/A"
    return out


@pytest.fixture
def monitored(register: Register) -> dict[str, Any]:
    lpa_id, officer = worcestershire(register)
    case = approved_case(register, officer, lpa_id)
    return {"case": case.reference, "lpa_id": lpa_id}


def test_monitoring_confirmations_twice_record_once(
    client: CheckedClient, register: Register, monitored: dict[str, Any]
) -> None:
    case = monitored["case"]
    client.sign_in(OFFICER)
    start = f"/lpa/monitoring/cases/{case}/start"
    answers = {"start_date": START, "mechanism": "section 106 agreement", "monitor": "the local planning authority"}
    refused = client.post(start, data={**answers, "csrf_token": client.csrf(start)})
    assert refused.status_code == 400  # no one-time token: not from this service's page
    before = counts(register)
    started = twice(client, start, answers, start)
    assert [r.status_code for r in started] == [302, 302] and started[0].location == started[1].location
    assert grew(register, before) == {"monitoring_obligation": 1, "monitoring_event": 1, "submission": 1}
    page = started[0].location
    reference = page.rsplit("/", 1)[1]

    before = counts(register)
    paid = twice(client, f"{page}/fee", {"fee-received_on": ["20", "11", "2026"], "fee-amount": "13,043.93"}, page,
                 "fee-")  # fmt: skip
    assert [r.status_code for r in paid] == [302, 302]
    assert grew(register, before) == {"monitoring_event": 1, "submission": 1}
    assert "£13,043.93" in client.get(page).get_data(as_text=True)

    ob = register.services.monitoring.view(register.world.actors["developer"], reference).obligation  # type: ignore[union-attr]
    client.sign_in("developer")
    new = f"/monitoring/{reference}/reports/new"
    form = {"year": "3", "narrative": "Surveyed in May", **observations(ob.parcels, failed="area:created:C1")}
    before = counts(register)
    sent = twice(client, new, form, new)
    assert [r.status_code for r in sent] == [302, 302] and sent[0].location == sent[1].location
    assert grew(register, before) == {"monitoring_report": 1, "monitoring_event": 2, "submission": 1}  # + flagged
    report_path = sent[0].location
    report_reference = report_path.rsplit("/", 1)[1]
    shown = client.get(report_path).get_data(as_text=True)
    assert "failed" in shown and "area:created:C1" in shown

    client.sign_in(OFFICER)
    review = f"/lpa/monitoring/{reference}/reports/{report_reference}"
    before = counts(register)
    asked = twice(client, f"{review}/action", {"action-description": "Clear the bramble, re-seed C1",
                                               "action-deadline": ["1", "6", "2027"]}, review, "action-")  # fmt: skip
    assert [r.status_code for r in asked] == [302, 302]
    assert grew(register, before) == {"monitoring_action": 1, "monitoring_event": 1, "submission": 1}
    action = register.services.monitoring.view(register.world.actors["developer"], reference).actions[0]  # type: ignore[union-attr]
    assert action.parcel_keys == ["area:created:C1"]  # none chosen: the parcels off track

    client.sign_in("developer")
    mine = f"/monitoring/{reference}"
    before = counts(register)
    done = twice(client, f"{mine}/actions/{action.reference}/done", {"done-note": "Cleared and re-seeded"}, mine,
                 "done-")  # fmt: skip
    assert [r.status_code for r in done] == [302, 302]
    assert grew(register, before) == {"monitoring_event": 1, "submission": 1}

    form = {"year": "5", "narrative": "On track", **observations(ob.parcels)}
    fifth = twice(client, new, form, new)[0].location.rsplit("/", 1)[1]
    client.sign_in(OFFICER)
    review = f"/lpa/monitoring/{reference}/reports/{fifth}"
    before = counts(register)
    accepted = twice(client, f"{review}/accept", {"accept-note": "Inspected"}, review, "accept-")
    assert [r.status_code for r in accepted] == [302, 302]
    assert grew(register, before) == {"monitoring_event": 1, "submission": 1}
    assert "accepted" in client.get(review).get_data(as_text=True)


def test_the_gain_sites_monitoring_starts_once(client: CheckedClient, register: Register) -> None:
    world = register.world
    assert world is not None
    client.sign_in("lpa_officer")
    board = client.get("/lpa/monitoring").get_data(as_text=True)
    assert f"Start monitoring {world.site}" in board
    before = counts(register)
    started = twice(client, f"/lpa/monitoring/sites/{world.site}/start", {}, "/lpa/monitoring")
    assert [r.status_code for r in started] == [302, 302] and started[0].location == started[1].location
    assert grew(register, before) == {"monitoring_obligation": 1, "monitoring_event": 1, "submission": 1}


def test_the_dashboard_downloads_and_the_biodiversity_report(
    client: CheckedClient, register: Register, monitored: dict[str, Any]
) -> None:
    _, officer = worcestershire(register)
    ob = register.services.monitoring.create_for_case(
        officer, monitored["case"], start_date=date(2024, 3, 1), mechanism="section 106 agreement"
    )
    client.sign_in(OFFICER)
    board = client.get("/lpa/monitoring").get_data(as_text=True)
    assert "Orchard Fields" in board and ob.reference in board

    rows = list(csv.DictReader(io.StringIO(client.get("/lpa/monitoring/obligations.csv").get_data(as_text=True))))
    assert [(r["reference"], r["planning_reference"], r["band"], r["size_ha"]) for r in rows] == [
        (ob.reference, REFERENCE, "Large", "28.0")
    ]
    geo = client.get("/lpa/monitoring/obligations.geojson")
    assert geo.mimetype == "application/geo+json"
    collection = json.loads(geo.get_data(as_text=True))
    assert collection["type"] == "FeatureCollection"
    assert {f["properties"]["reference"] for f in collection["features"]} <= {ob.reference}
    data = json.loads(client.get("/lpa/monitoring/dashboard.json").get_data(as_text=True))
    assert data["lpa"]["name"] == "Worcestershire LPA" and data["gain_plans"] == {"received": 1, "approved": 1}

    period = {"from_date": ["1", "4", "2026"], "to_date": ["31", "3", "2027"]}
    sheet = client.form("/lpa/monitoring/biodiversity-report", {**period, "format": "xlsx"}, "/lpa/monitoring")
    assert sheet.status_code == 200 and sheet.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(sheet.data), read_only=True)
    assert {"Summary", "Developments"} <= set(book.sheetnames)
    summary = {r[0]: r[1] for r in book["Summary"].iter_rows(values_only=True) if r and r[0]}
    assert summary["Local planning authority"] == "Worcestershire LPA"
    assert summary["Gain plans approved in the period"] == 1
    developments = list(book["Developments"].iter_rows(values_only=True))
    assert developments[0][0] == "Planning reference"
    assert {r[0] for r in developments[1:]} == {REFERENCE}
    assert any(isinstance(r[5], float) and r[5] > 0 for r in developments[1:])  # on-site post-development units

    pdf = client.form("/lpa/monitoring/biodiversity-report", {**period, "format": "pdf"}, "/lpa/monitoring")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Worcestershire LPA" in text and REFERENCE in text and "s.40A" in text

    wrong = client.form("/lpa/monitoring/biodiversity-report", {"from_date": ["1", "4", "2027"],
                        "to_date": ["31", "3", "2026"], "format": "xlsx"}, "/lpa/monitoring")  # fmt: skip
    assert wrong.status_code == 400 and "The period must end on or after the day it starts" in wrong.get_data(
        as_text=True
    )


def _events(ics: bytes) -> list[tuple[date, str]]:
    calendar = Calendar.from_ical(ics)
    out = []
    for event in calendar.walk("VEVENT"):
        assert event.get("UID") and event.get("DTSTAMP")
        out.append((event.decoded("DTSTART"), str(event.get("SUMMARY"))))
    return sorted(out)


def test_the_calendars_are_icalendar(client: CheckedClient, register: Register, monitored: dict[str, Any]) -> None:
    _, officer = worcestershire(register)
    ob = register.services.monitoring.create_for_case(
        officer, monitored["case"], start_date=date(2024, 3, 1), mechanism="section 106 agreement"
    )
    client.sign_in("developer")
    download = client.get("/monitoring/calendar.ics")
    assert download.mimetype == "text/calendar"
    events = _events(download.data)
    reports = [on for on, summary in events if "report" in summary.lower()]
    assert reports == [date(2024 + y, 3, 1) for y in (3, 5, 10, 15, 20, 25, 30)], events
    link = client.form("/monitoring/calendar", {}, "/monitoring").get_data(as_text=True)
    url = link.split("/monitoring/calendar/", 1)[1].split(".ics", 1)[0]
    client.sign_in(OFFICER)
    assert _events(client.get(f"/monitoring/calendar/{url}.ics").data) == events  # the link, for anyone holding it
    lpa = _events(client.get("/lpa/monitoring/calendar.ics").data)
    assert [on for on, s in lpa if "report" in s.lower()] == reports
    assert any("inspection" in s.lower() for _, s in lpa), lpa
    assert ob.reference


def test_an_excess_sale_twice_records_once(
    client: CheckedClient, register: Register, monitored: dict[str, Any]
) -> None:
    page = f"/monitoring/excess/{monitored['case']}"
    client.sign_in("developer")
    shown = client.get(page).get_data(as_text=True)
    assert "Record the sale" in shown
    sale = {"buyer_planning_reference": "B/27/00001/FUL", "buyer_lpa_id": str(monitored["lpa_id"]), "units_area": "1.5"}
    refused = client.post(page, data={**sale, "csrf_token": client.csrf(page)})
    assert refused.status_code == 400
    before = counts(register)
    sold = twice(client, page, sale, page)
    assert [r.status_code for r in sold] == [302, 302]
    assert grew(register, before) == {"excess_sale": 1, "submission": 1}
    position = register.services.excess.position(register.world.actors["developer"], monitored["case"])  # type: ignore[union-attr]
    assert position.sold("area") == pytest.approx(1.5)
    too_much = client.form(page, {**sale, "units_area": f"{position.remaining('area') + 1:.4f}"}, page)
    assert too_much.status_code in (400, 409) and grew(register, before) == {"excess_sale": 1, "submission": 1}
