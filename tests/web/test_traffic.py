"""The register under traffic (issue 14): the kept responses bounded by bytes with their hits counted,
counts kept per filter set without changing an answer's ETag, and keyset pagination (``after=``) giving
the pages the offsets give, in the default order and nearest first. On SQLite and PostgreSQL + PostGIS."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from werkzeug.datastructures import MultiDict

from bng.bootstrap import load_config
from bng.db import tables
from bng.web import cache
from tests.db.fixtures import Register

COPIES = 23  # with the world's, more than a page of the search (20)


def _links(response: Any) -> dict[str, str]:
    found = {}
    for href, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', response.headers.get("Link", "")):
        parts = urlsplit(href)
        found[rel] = f"{parts.path}?{parts.query}"
    return found


@pytest.fixture
def crowded(register: Register) -> Register:
    """The world's gain site and COPIES more: some registered the same day (the order then falls to the
    reference), some with the same extent (the distance then falls to the centre, then the reference)."""
    world = register.world
    assert world is not None
    g, a = tables.gain_site, tables.application
    with register.database.engine.begin() as c:
        site = dict(c.execute(select(g).where(g.c.reference == world.site)).mappings().one())
        application = dict(c.execute(select(a).where(a.c.id == site["application_id"])).mappings().one())
        for i in range(COPIES):
            made = {**application, "reference": f"APP-T{i:03d}", "status": "draft", "gain_site_id": None}
            del made["id"]
            app_id = c.execute(a.insert().values(**made).returning(a.c.id)).scalar_one()
            shift = 1000.0 * (i % 4)  # four places, so distances tie
            copy = {
                **site,
                "reference": f"BGS-9{i:05d}",
                "application_id": app_id,
                "registered_on": site["registered_on"] - timedelta(days=i // 3),  # three a day
                **{k: site[k] + shift for k in ("easting", "min_e", "max_e")},
            }
            del copy["id"]
            site_id = c.execute(g.insert().values(**copy).returning(g.c.id)).scalar_one()
            for t in (tables.habitat_parcel, tables.gain_site_area):  # its habitats and the areas it lies in
                for row in c.execute(select(t).where(t.c.gain_site_id == site["id"])).mappings().all():
                    c.execute(
                        t.insert().values(**{**{k: v for k, v in row.items() if k != "id"}, "gain_site_id": site_id})
                    )
        # a removed site is not found, but its place still serves as a cursor
        c.execute(
            update(g)
            .where(g.c.reference == "BGS-900005")
            .values(status="removed", removed_on=site["registered_on"] + timedelta(days=1))
        )
    return register


def _by_offset(client: FlaskClient, query: str, per_page: int) -> list[list[str]]:
    pages, page = [], 1
    while True:
        body = client.get(f"/api/v1/sites?{query}&per_page={per_page}&page={page}").get_json()
        pages.append([s["reference"] for s in body["items"]])
        if page >= body["pages"]:
            return pages
        page += 1


def _by_keyset(client: FlaskClient, query: str, per_page: int) -> list[list[str]]:
    pages, path = [], f"/api/v1/sites?{query}&per_page={per_page}"
    while True:
        response = client.get(path)
        assert response.status_code == 200, response.get_data(as_text=True)
        pages.append([s["reference"] for s in response.get_json()["items"]])
        following = _links(response).get("next")
        if following is None:
            return pages
        assert "after=" in following and f"page={len(pages) + 1}" in following
        path = following


@pytest.mark.parametrize("query", ["", "near=546000,259000&distance_km=20", "habitat=grassland", "lpa=Cambridge+LPA"])
def test_keyset_pages_equal_offset_pages(crowded: Register, client: FlaskClient, query: str) -> None:
    everything = [s["reference"] for s in client.get(f"/api/v1/sites?{query}&per_page=100").get_json()["items"]]
    assert len(everything) >= COPIES  # the world's site and the copies, less the removed one
    assert "BGS-900005" not in everything
    for per_page in (1, 3, 5):
        offset, keyset = _by_offset(client, query, per_page), _by_keyset(client, query, per_page)
        assert keyset == offset
        assert [r for page in keyset for r in page] == everything


def test_the_search_pages_next_link_reads_from_where_the_page_ends(crowded: Register, client: FlaskClient) -> None:
    first = client.get("/register").get_data(as_text=True)
    on_first = re.findall(r'href="/register/(BGS-[0-9]+)"', first)
    following = re.search(r'href="(/register\?page=2[^"]*)"', first)
    assert following and f"after={on_first[-1]}" in following.group(1).replace("&amp;", "&")
    second = client.get(following.group(1).replace("&amp;", "&")).get_data(as_text=True)
    by_offset = client.get("/register?page=2").get_data(as_text=True)
    refs = re.findall(r'href="/register/(BGS-[0-9]+)"', second)
    assert refs and refs == re.findall(r'href="/register/(BGS-[0-9]+)"', by_offset)
    assert not set(refs) & set(on_first)
    # a cursor that is no gain site's: the page by its number, not an error
    assert client.get("/register?page=2&after=BGS-NOPE").status_code == 200


def test_a_removed_sites_place_is_still_a_cursor(crowded: Register, client: FlaskClient) -> None:
    refs = [s["reference"] for s in client.get("/api/v1/sites?per_page=100").get_json()["items"]]
    after_removed = client.get("/api/v1/sites?per_page=100&after=BGS-900005").get_json()["items"]
    # BGS-900005 was registered the day of BGS-900003 and BGS-900004, newest first then by reference, descending
    assert [s["reference"] for s in after_removed] == refs[refs.index("BGS-900004") :]


@pytest.mark.parametrize("after", ["BGS-NOPE", "X" * 21])
def test_an_unknown_cursor_is_the_clients_mistake(crowded: Register, client: FlaskClient, after: str) -> None:
    response = client.get(f"/api/v1/sites?after={after}")
    assert response.status_code == 400
    assert [p["name"] for p in response.get_json()["invalid_params"]] == ["after"]


def test_kept_responses_are_bounded_by_bytes(crowded: Register, app: Flask, client: FlaskClient) -> None:
    client.get("/api/v1/sites?per_page=2&page=1")
    one = next(iter(app.extensions.pop("bng.kept").kept.values())).size  # its body and headers
    app.config["BNG_CACHE_BYTES"] = int(2.5 * one)  # two of them
    paths = [f"/api/v1/sites?per_page=2&page={p}" for p in (1, 2, 3, 4)]
    for path in paths:
        assert client.get(path).headers["X-Cache"] == "miss"
    with app.test_request_context():
        kept = cache.stats()
    assert kept["responses"] == 2 and kept["bytes"] <= kept["limit"] == app.config["BNG_CACHE_BYTES"]
    assert client.get(paths[-1]).headers["X-Cache"] == "hit"  # the latest are kept
    assert client.get(paths[0]).headers["X-Cache"] == "miss"  # the oldest went first
    with app.test_request_context():
        kept = cache.stats()
    assert (kept["hits"], kept["misses"]) == (1, 5) and kept["hit_rate"] == pytest.approx(1 / 6)


def test_a_response_bigger_than_the_bound_is_not_kept(crowded: Register, app: Flask, client: FlaskClient) -> None:
    app.config["BNG_CACHE_BYTES"] = 100
    assert client.get("/api/v1/sites").headers["X-Cache"] == "miss"
    assert client.get("/api/v1/sites").headers["X-Cache"] == "miss"
    with app.test_request_context():
        assert cache.stats()["responses"] == 0


def test_a_kept_count_or_response_leaves_the_etag_as_it_was(crowded: Register, app: Flask, client: FlaskClient) -> None:
    path = "/api/v1/sites?per_page=2&page=3&habitat=grassland"
    first = client.get(path)
    assert first.headers["X-Cache"] == "miss" and first.get_json()["total"] >= COPIES
    store = app.extensions["bng.kept"]
    assert any(key[0][0] == "count" for key in store.values)  # the count, kept per filter set
    store.kept.clear()  # the response gone, the count kept: searched again, not counted
    again = client.get(path)
    assert again.headers["X-Cache"] == "miss" and again.headers["ETag"] == first.headers["ETag"]
    assert again.get_data() == first.get_data()
    kept = client.get(path)
    assert kept.headers["X-Cache"] == "hit" and kept.headers["ETag"] == first.headers["ETag"]
    assert client.get(path, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    # another page of the same search uses the same count
    other = client.get(path.replace("page=3", "page=1")).get_json()
    assert other["total"] == first.get_json()["total"]


def test_a_change_to_the_register_is_counted_afresh(crowded: Register, client: FlaskClient) -> None:
    before = client.get("/api/v1/sites?per_page=1&page=2").get_json()["total"]
    crowded.clock.now = crowded.clock.now + timedelta(minutes=1)
    g = tables.gain_site
    with crowded.database.engine.begin() as c:
        c.execute(
            update(g)
            .where(g.c.reference == "BGS-900001")
            .values(status="removed", removed_on=crowded.clock.now.date(), updated_at=crowded.clock.now)
        )
    assert client.get("/api/v1/sites?per_page=1&page=3").get_json()["total"] == before - 1


def test_the_bound_is_configured_in_mib(tmp_path: Any) -> None:
    env = {"BNG_VAR": str(tmp_path), "BNG_SECRET_KEY": "k"}
    assert load_config(env).cache_bytes == 32 * 1024 * 1024
    assert load_config({**env, "BNG_CACHE_MB": "8"}).cache_bytes == 8 * 1024 * 1024
    with pytest.raises(ValueError, match="BNG_CACHE_MB"):
        load_config({**env, "BNG_CACHE_MB": "lots"})


OLD_TABLE = """{% from "macros.html" import govukTable %}
{% set rows = [] %}
{% for s in items %}
  {% set site_html %}<a class="govuk-link bng-nowrap" href="{{ url_for('public.site', reference=s.reference) }}">
    {{- s.reference }}</a><br>{{ s.name }}{% endset %}
  {% set _ = rows.append([{"html": site_html}, {"text": s.lpa_name},
    {"text": s.area_ha | number, "format": "numeric"},
    {"text": s["remaining_" ~ module ~ "_units"] | number, "format": "numeric"},
    {"text": s.registered_on | long_date}]) %}
{% endfor %}
{{ govukTable({"caption": "Gain sites", "captionClasses": "govuk-visually-hidden",
   "head": [{"text": "Gain site"}, {"text": "LPA"}, {"text": "Hectares", "format": "numeric"},
            {"text": words, "format": "numeric"}, {"text": "Registered"}], "rows": rows}) }}"""
"""The search page's table as it was made before it was written out (GOV.UK Frontend's macro, stacked)."""


def _squeezed(html: str) -> str:
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).strip()


@pytest.mark.parametrize("module", ["area", "hedgerow"])
def test_the_written_out_table_is_the_macros(crowded: Register, app: Flask, client: FlaskClient, module: str) -> None:
    from bng.register.core.ports import SiteQuery

    page = client.get(f"/register?module={module}").get_data(as_text=True)
    table = re.search(r'<table class="govuk-table.*?</table>', page, re.S)
    assert table
    items = crowded.services.register.search(SiteQuery(per_page=20)).items
    words = {"area": "Habitat units left", "hedgerow": "Hedgerow units left"}[module]
    with app.test_request_context():
        made = app.jinja_env.from_string(OLD_TABLE).render(items=items, module=module, words=words)
    assert _squeezed(table.group(0)) == _squeezed(made)
    assert table.group(0).count('data-label="Gain site"') == 20


def test_a_kept_field_is_the_fields_own_html(crowded: Register, app: Flask, client: FlaskClient) -> None:
    """The filters rendered once per value are the same as rendered afresh, errors and choices included."""
    from bng.web.forms import SearchForm

    with app.test_request_context("/register?near=nowhere&lpa=Cambridge+LPA"):
        form = SearchForm()
        form.lpa.choices = [("", "Any LPA"), ("Cambridge LPA", "Cambridge LPA")]
        form.near.errors = ["Grid reference: not one"]
        for field, params in ((form.near, {"spellcheck": False}), (form.lpa, {}), (form.name, {})):
            first = cache.kept_field(field, params=params)
            assert cache.kept_field(field, params=params) is first  # kept
            assert str(first) == str(field(params=params))
        assert "not one" in cache.kept_field(form.near, params={"spellcheck": False})
        form.near.errors = []
        assert "not one" not in cache.kept_field(form.near, params={"spellcheck": False})


def test_kept_choices_are_known_by_name_and_still_render_the_choice(crowded: Register, app: Flask) -> None:
    """Choices built once (the LPAs) are keyed by their name, not their options: the field's own HTML, with
    the value chosen selected, and another list of the same field is not taken for them."""
    from bng.web.forms import SearchForm, choices

    with app.test_request_context("/register"):
        lpas = cache.kept_choices("lpa", lambda: choices([("Cambridge LPA", "Cambridge LPA"), ("Leeds", "Leeds")]))
        assert cache.kept_choices("lpa", lambda: []) is lpas  # built once
        for chosen in ("", "Leeds", "Cambridge LPA", "Leeds"):
            form = SearchForm(MultiDict({"lpa": chosen} if chosen else {}))
            form.lpa.choices = lpas
            html = cache.kept_field(form.lpa)
            assert str(html) == str(form.lpa())
            assert ('<option value="Leeds" selected>' in html) == (chosen == "Leeds")
        form = SearchForm()
        form.lpa.choices = choices([("York", "York")])  # not the kept list: read option by option
        assert "York" in cache.kept_field(form.lpa) and "Leeds" not in cache.kept_field(form.lpa)


def test_the_habitat_count_from_the_indexes_is_the_searchs(crowded: Register) -> None:
    """The count by habitat (the names that match, then their sites) finds the sites the search's own
    condition finds: with a removed site, a baseline-only habitat, LIKE's own wildcards and no match."""
    from sqlalchemy import func

    from bng.db.uow import Sites
    from bng.register.core.ports import SiteQuery

    p = tables.habitat_parcel
    with crowded.database.engine.begin() as c:
        habitats = c.execute(select(p.c.stage, p.c.habitat).distinct()).all()
        baseline_only = {h for s, h in habitats if s == "baseline"} - {h for s, h in habitats if s != "baseline"}
    sold = sorted({h for s, h in habitats if s != "baseline"})
    patterns = [sold[0], sold[0][2:7].upper(), "_", "%", "", "no such habitat", *sorted(baseline_only)[:1]]
    with crowded.database.engine.connect() as c:
        from sqlalchemy.orm import Session

        with Session(bind=c) as s:
            sites = Sites(s)
            for pattern in patterns:
                found = sites.search(SiteQuery(habitat=pattern, per_page=100))
                assert found.total == len(found.items), pattern
                scanned = s.scalar(
                    select(func.count())
                    .select_from(tables.gain_site)
                    .where(
                        tables.gain_site.c.status == "registered",
                        tables.gain_site.c.id.in_(
                            select(p.c.gain_site_id).where(
                                p.c.stage != "baseline", func.lower(p.c.habitat).like(f"%{pattern.strip().lower()}%")
                            )
                        ),
                    )
                )
                assert found.total == scanned, pattern
            assert sites.search(SiteQuery(habitat=sold[0])).total >= COPIES
            assert sites.search(SiteQuery(habitat="no such habitat")).total == 0


def test_a_reference_prefix_is_taken_literally(crowded: Register, client: FlaskClient) -> None:
    """The search by the start of a reference (a range of ``ix_gain_site_reference_prefix`` on PostgreSQL)
    finds exactly the registered sites whose reference starts so: LIKE's wildcards and its escape are
    characters like any other, and the last code point has no successor to stop short of."""
    from sqlalchemy.orm import Session

    from bng.db.uow import Sites
    from bng.register.core.ports import SiteQuery

    g = tables.gain_site
    odd = ["BGS-9_X", "BGS-9%X", "BGS-9\\X", "BGS-9\U0010ffff", "BGS-9\U0010ffffA", "BGS-9\U0010ffff\U0010ffff"]
    with crowded.database.engine.begin() as c:
        for i, reference in enumerate(odd):
            c.execute(update(g).where(g.c.reference == f"BGS-9{10 + i:05d}").values(reference=reference))
        registered = set(c.execute(select(g.c.reference).where(g.c.status == "registered")).scalars())
    prefixes = ["BGS-9", "bgs-9000", "BGS-90001", "BGS-9_", "BGS-9%", "BGS-9\\", "BGS-9\U0010ffff", "_", "%", "\\"]
    prefixes += ["BGS-9\U0010ffff\U0010ffff", "BGS-900005", "BGS-99", "  BGS-9_  "]
    with crowded.database.engine.connect() as c, Session(bind=c) as s:
        for prefix in prefixes:
            found = Sites(s).search(SiteQuery(reference=prefix, per_page=100))
            expected = {r for r in registered if r.startswith(prefix.strip().upper())}
            assert {site.reference for site in found.items} == expected, prefix
            assert found.total == len(expected), prefix
    assert len({r for r in registered if r.startswith("BGS-9\U0010ffff")}) == 3
    assert client.get("/api/v1/sites?reference=BGS-9_").get_json()["total"] == 1  # and so through the API
