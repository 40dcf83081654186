"""The register benchmark's generator on a few sites: what it COPYs is a register the app can search
(the benchmark itself, with 100,000 sites under load, is ``python -m benchmarks.bench_register``)."""

from __future__ import annotations

import uuid

from benchmarks.bench_register import generate, kind_of, request_mix
from shapely.geometry import Point
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from bng.db.uow import Sites
from bng.register.core.ports import SiteQuery
from tests.db.postgres import Server


def test_the_generator_makes_a_searchable_register(postgres_server: Server) -> None:
    name = f"bench_{uuid.uuid4().hex[:8]}"
    postgres_server.psql(f"CREATE DATABASE {name}")
    postgres_server.psql("CREATE EXTENSION postgis", name)
    url = postgres_server.url(name)
    generate(url, 40, seed=3)
    engine = create_engine(url)
    try:
        with Session(engine) as s:
            sites = Sites(s)
            everything = sites.search(SiteQuery(per_page=100))
            assert everything.total == 40 and len({g.reference for g in everything.items}) == 40
            first = everything.items[0]
            # the stored totals agree with the parcels, as the database's triggers would keep them
            kept = s.execute(
                text(
                    "SELECT g.remaining_area_units_micro, sum(p.units_micro - p.allocated_units_micro) "
                    "FROM gain_site g JOIN habitat_parcel p ON p.gain_site_id = g.id "
                    "WHERE p.module = 'area' AND p.stage <> 'baseline' GROUP BY g.id"
                )
            ).all()
            assert len(kept) == 40 and all(stored == summed for stored, summed in kept)
            assert sites.search(SiteQuery(lpa=first.lpa_name)).total >= 1
            assert sites.search(SiteQuery(near=(first.easting, first.northing, 1.0))).items[0].id == first.id
            assert first.boundary is not None and first.boundary.contains(Point(first.easting, first.northing))
    finally:
        engine.dispose()
        postgres_server.psql(f"DROP DATABASE {name}")
    kinds = {kind_of(p) for p in request_mix(count=2)}
    assert "/register?min_units&near" in kinds and "/api/v1/sites?bbox" in kinds and len(kinds) == 8
