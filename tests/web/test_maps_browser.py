"""The interactive maps in real Chromium: the site page's map in British National Grid on the offline base
(England and the LPAs drawn from the register's boundaries, nothing fetched from elsewhere) with the
site's boundary; the register searched by drawing a box on its map and by typing one; and without
JavaScript, the static drawing. Screenshots go to test-output/screenshots."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.db.fixtures import Register
from tests.web.fixtures import SCREENSHOTS, LiveServer
from tests.web.test_browser import sign_in

pytestmark = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)

SITE_E, SITE_N = 545_000, 258_000  # the test world's gain site, 4 ha in Cambridge


def _outside(page: Any, server: LiveServer) -> list[str]:
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if not r.url.startswith(server.url) else None)
    return asked


def _ready(page: Any) -> Any:
    frame = page.locator('[data-module="bng-map"][data-ready="true"]')
    frame.wait_for(timeout=20_000)
    page.wait_for_function(
        "() => { const f = document.querySelector('[data-module=bng-map]');"
        " return f.dataset.englandFeatures === '1' && Number(f.dataset.lpaFeatures) > 0; }",
        timeout=20_000,
    )
    return frame


def test_the_site_page_map_has_the_offline_base_and_the_boundary(
    page: Any, live_server: LiveServer, register: Register
) -> None:
    world = register.world
    assert world is not None
    outside = _outside(page, live_server)
    page.goto(f"{live_server.url}/register/{world.site}")
    frame = _ready(page)
    assert frame.get_attribute("data-base") == "offline"
    assert not page.locator("svg.bng-map").is_visible(), "the static drawing gives way to the map"
    live = page.locator(".bng-live-map")
    assert live.is_visible()
    england = page.locator(".leaflet-bng-base-pane path")
    assert england.count() == 1
    lpas = page.locator(".leaflet-overlay-pane path")
    assert lpas.count() >= 1, "Cambridge LPA (and a neighbour, in the box fetched around the view)"
    boundary = page.locator('.leaflet-bng-shapes-pane path[stroke="#00703c"]')
    assert boundary.count() == 1
    box, map_box = boundary.bounding_box(), live.bounding_box()
    assert 100 < box["width"] < 130 and 100 < box["height"] < 130, "200 m at 1.75 m a pixel (zoom 9, at most)"
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    assert abs(cx - (map_box["x"] + map_box["width"] / 2)) < 5 and abs(cy - (map_box["y"] + map_box["height"] / 2)) < 5
    page.locator(".leaflet-control-scale").wait_for()
    boundary.hover()
    assert "Meadow Farm" in page.locator(".leaflet-tooltip").inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.mouse.move(0, 0)
    frame.screenshot(path=str(SCREENSHOTS / "map-site-page.png"))
    for _ in range(3):  # zooming out fetches the base again, for a bigger box: Cambridge's edge comes in sight
        page.locator(".leaflet-control-zoom-out").click()
        page.wait_for_timeout(300)
    page.wait_for_function(
        "() => document.querySelector('[data-module=bng-map]').dataset.lpaZoom === '6'", timeout=20_000
    )
    page.wait_for_timeout(300)
    page.mouse.move(0, 0)
    frame.screenshot(path=str(SCREENSHOTS / "map-site-page-zoomed-out.png"))
    assert outside == [], f"the map fetched from elsewhere: {outside}"


def test_the_register_is_searched_by_drawing_a_box_and_by_typing_one(
    page: Any, live_server: LiveServer, register: Register
) -> None:
    world = register.world
    assert world is not None
    page.goto(f"{live_server.url}/register")
    _ready(page)
    page.wait_for_function("() => document.querySelector('[data-module=bng-map]').dataset.results === '1'")
    result = page.locator('.leaflet-bng-shapes-pane path[stroke="#d4351c"]')
    assert result.count() == 1
    # draw a box from a little above-left of the gain site to a little below-right of it
    site = result.bounding_box()
    page.get_by_role("button", name="Draw a box to search").click()
    assert page.get_by_role("button", name="Cancel drawing").get_attribute("aria-pressed") == "true"
    page.mouse.move(site["x"] - 20, site["y"] - 20)
    page.mouse.down()
    page.mouse.move(site["x"] + site["width"] / 2, site["y"] + site["height"] / 2, steps=5)
    page.mouse.move(site["x"] + site["width"] + 20, site["y"] + site["height"] + 20, steps=5)
    with page.expect_navigation():
        page.mouse.up()
    x0, y0, x1, y1 = (float(v) for v in parse_qs(urlsplit(page.url).query)["bbox"][0].split(","))
    assert x0 < SITE_E < x1 and y0 < SITE_N < y1 and x1 - x0 < 200_000, (x0, y0, x1, y1)
    assert page.locator("[role=status]").inner_text().startswith("1 gain site found with 1 filter")
    assert page.get_by_role("link", name=world.site).is_visible()
    _ready(page)
    assert page.locator('.leaflet-bng-shapes-pane path[stroke="#1d70b8"]').count() == 1, "the box searched, drawn"
    page.wait_for_function("() => document.querySelector('[data-module=bng-map]').dataset.results === '1'")
    page.mouse.move(0, 0)
    page.locator('[data-module="bng-map"]').screenshot(path=str(SCREENSHOTS / "map-search-box.png"))
    # a box typed (the keyboard's way, and the no-JavaScript way) that misses the site
    page.get_by_label("Bounding box").fill("400000,400000,410000,410000")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()
    assert page.locator("[role=status]").inner_text().startswith("0 gain sites found")
    _ready(page)
    # the area shown: the map is fitted to the box typed, so still nothing
    with page.expect_navigation():
        page.get_by_role("button", name="Search the area shown").click()
    shown = [float(v) for v in parse_qs(urlsplit(page.url).query)["bbox"][0].split(",")]
    assert shown[0] <= 400_000 and shown[2] >= 410_000 and shown[2] - shown[0] < 60_000


def test_the_case_worker_and_the_developer_see_the_boundary_on_a_map(
    page: Any, live_server: LiveServer, register: Register
) -> None:
    world = register.world
    assert world is not None
    sign_in(page, live_server, "case_worker")
    page.goto(f"{live_server.url}/review/applications/{world.applications['submitted']}")
    _ready(page)
    assert page.locator('.leaflet-bng-shapes-pane path[stroke="#00703c"]').count() == 1
    assert page.get_by_role("region", name=f"Map of the boundary of application {world.applications['submitted']}")
    page.context.clear_cookies()
    sign_in(page, live_server, "developer")
    page.goto(f"{live_server.url}/register/{world.site}/allocate")
    _ready(page)
    assert page.locator('.leaflet-bng-shapes-pane path[stroke="#00703c"]').count() == 1


def test_without_javascript_the_static_drawing_stays(page: Any, live_server: LiveServer, register: Register) -> None:
    world = register.world
    assert world is not None
    cdp = page.context.new_cdp_session(page)
    cdp.send("Emulation.setScriptExecutionDisabled", {"value": True})
    page.goto(f"{live_server.url}/register/{world.site}")
    drawing = page.locator("svg.bng-map")
    assert drawing.is_visible()
    assert re.search(r"Map of the boundary of gain site", drawing.locator("title").text_content() or "")
    assert drawing.locator("path.bng-map__boundary").count() == 1
    assert page.locator(".bng-live-map").count() == 0
    assert page.locator(".leaflet-container").count() == 0
    page.goto(f"{live_server.url}/register?bbox=540000,250000,560000,270000")
    assert page.locator("[role=status]").inner_text().startswith("1 gain site found")
