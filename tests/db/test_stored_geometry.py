"""Geometries are kept once (``stored_geometry``): answers and the audit log name them by digest and
size, re-saving stores nothing new, and migration 0010 moves the data of a register that copied them
(and back), on both engines."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely
from alembic.script import ScriptDirectory
from sqlalchemy import func, inspect, select, text

from bng.db import migrate, tables
from bng.db.database import Database
from bng.register import samples
from bng.register.applications.sections import boundary_of
from bng.register.core.errors import Invalid
from bng.register.core.uploads import Upload
from tests.db.fixtures import Register
from tests.register.files import enhanced_maps

VALID = "spec/geopackages/valid"


def _ring(vertices: int, easting: float = 545_000, northing: float = 258_000) -> list[list[float]]:
    t = np.linspace(0, 2 * np.pi, vertices)
    ring = np.column_stack([easting + 100 * np.cos(t), northing + 100 * np.sin(t)])
    ring[-1] = ring[0]
    return ring.tolist()


def _save_boundary(register: Register, ring: list[list[float]]) -> None:
    world, s = register.world, register.services
    assert world is not None
    data = samples.boundary_geojson(ring)
    s.applications.save_section(
        world.actors["landowner"],
        world.applications["draft"],
        "boundary",
        {"method": "map", "site_name": "Round field"},
        {"boundary_file": Upload("boundary_file", "boundary.geojson", data)},
    )


def _count(register: Register, table: Any) -> int:
    with register.database.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _audit_documents(register: Register) -> list[str]:
    t = tables.audit_event
    with register.database.engine.connect() as conn:
        rows = conn.execute(select(t.c.before, t.c.after).where(t.c.action == "application.section_saved")).all()
    return [json.dumps([b, a]) for b, a in rows]


def test_a_boundary_is_stored_once_and_the_audit_log_holds_its_digest_and_size(register: Register) -> None:
    """A 50,000-vertex boundary saved twice: one stored geometry, audit entries of a few hundred bytes
    (they used to hold the WKT twice each: 2.5 MB a save)."""
    world = register.world
    assert world is not None
    stored = _count(register, tables.stored_geometry)
    audits = len(_audit_documents(register))
    ring = _ring(50_000)
    _save_boundary(register, ring)
    _save_boundary(register, ring)
    assert _count(register, tables.stored_geometry) == stored + 1
    new = _audit_documents(register)[audits:]
    assert len(new) == 2 and all(len(doc) < 2_000 and "POLYGON" not in doc for doc in new)
    assert all('"geometry_sha256"' in doc and '"geometry_bytes": 800013' in doc for doc in new)  # 50,000 × 16 + 13
    app = register.services.applications.view(world.actors["landowner"], world.applications["draft"]).application
    assert "wkt" not in json.dumps(app.answers) and len(json.dumps(app.answers["boundary"])) < 1_000
    with register.database() as uow:
        b = boundary_of(app.answers, uow.geometries)
    assert b is not None and b.geometry is not None
    assert shapely.get_num_coordinates(b.geometry) == 50_000
    assert app.answers["boundary"]["geometry_bytes"] == len(shapely.to_wkb(b.geometry))


def test_a_failed_save_keeps_no_geometry(register: Register) -> None:
    stored = _count(register, tables.stored_geometry)
    world = register.world
    assert world is not None
    with pytest.raises(Invalid) as err:
        register.services.applications.save_section(
            world.actors["landowner"],
            world.applications["draft"],
            "boundary",
            {"method": "map", "site_name": ""},  # the site's name is missing: the section fails
            {"boundary_file": Upload("boundary_file", "b.geojson", samples.boundary_geojson(_ring(100)))},
        )
    assert [p.field for p in err.value.problems] == ["site_name"]
    assert _count(register, tables.stored_geometry) == stored


def _previous_revision() -> str:
    script = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    mine = next(r for r in script.walk_revisions() if r.module.__file__.endswith("_stored_geometry.py"))
    assert isinstance(mine.down_revision, str)
    return mine.down_revision


def _answers(database: Database) -> dict[str, Any]:
    with database.engine.connect() as conn:
        rows = conn.execute(text("SELECT reference, answers FROM application ORDER BY id")).all()
    return {ref: json.loads(a) if isinstance(a, str) else a for ref, a in rows}


def _audits(database: Database) -> list[tuple[str, Any, Any]]:
    with database.engine.connect() as conn:
        rows = conn.execute(text("SELECT action, before, after FROM audit_event ORDER BY id")).all()
    load = lambda v: json.loads(v) if isinstance(v, str) else v  # noqa: E731
    return [(action, load(b), load(a)) for action, b, a in rows]


def test_migration_0010_moves_the_geometries_of_a_register_that_copied_them(register: Register, shared: Path) -> None:
    """Down to the revision before (which writes the WKT back into answers and audit entries, as the
    register held them), and up again: the same answers, digests for geometries, nothing lost."""
    world, s = register.world, register.services
    assert world is not None
    owner, ref = world.actors["landowner"], world.applications["draft"]
    base, post = enhanced_maps(shared)  # a gain site's maps: with an uplift, as the register requires
    maps = {"habitat_baseline_map": base, "habitat_post_map": post}
    s.applications.save_section(owner, ref, "habitats", {}, {n: Upload(n, f"{n}.gpkg", d) for n, d in maps.items()})
    _save_boundary(register, _ring(1_000))
    before = _answers(register.database)
    parcels = before[ref]["habitats"]["habitats"]["parcels"]
    assert parcels and all(p["geometry_sha256"] for p in parcels)
    stored = _count(register, tables.stored_geometry)
    url = register.url
    register.database.dispose()

    migrate.downgrade(url, _previous_revision())
    database = Database(url)
    try:
        assert "stored_geometry" not in inspect(database.engine).get_table_names()
        old = _answers(database)
        assert old[ref]["boundary"]["wkt"].startswith("POLYGON") and "geometry_sha256" not in json.dumps(old)
        old_parcels = old[ref]["habitats"]["habitats"]["parcels"]  # areas, hedgerows, watercourses
        assert all(p["geometry_wkt"].startswith(("POLYGON", "MULTIPOLYGON", "LINESTRING")) for p in old_parcels)
        copies = [a for a in _audits(database) if "wkt" in json.dumps(a)]
        assert copies, "the audit log copied the boundary's WKT"
        database.upgrade()
        after = _answers(database)
        assert after == before  # every digest the same: the WKT was exact
        audits = _audits(database)
        assert not any("wkt" in json.dumps(a) for a in audits)
        [marker] = [a for a in audits if a[0] == "audit.geometries_kept_apart"]
        assert marker[2]["rewritten"] >= len(copies) and marker[2]["geometries"] == stored
        with database() as uow:
            b = boundary_of(after[ref], uow.geometries)
            assert b is not None and b.geometry is not None
            assert b.geometry.area == pytest.approx(b.area_ha * 10_000, abs=0.01)
            assert all(uow.geometries.get(p["geometry_sha256"]) is not None for p in parcels)
    finally:
        database.dispose()
