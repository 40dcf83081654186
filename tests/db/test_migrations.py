"""The migrations build the schema the code expects, on both engines, and can be undone."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from bng.db import migrate
from bng.db.database import Database
from bng.db.tables import metadata
from tests.db.fixtures import Register

POSTGRES_ONLY_INDEXES = (
    "ix_gain_site_boundary",
    "ix_habitat_parcel_geometry",
    "ix_gain_site_extent",
    "ix_habitat_parcel_habitat_trgm",
    "ix_gain_site_reference_prefix",
)


def _diff(database: Database) -> list[object]:
    with database.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return [d for d in compare_metadata(context, metadata) if not _spatial_noise(d)]


def _spatial_noise(diff: object) -> bool:
    """PostGIS's own tables and the PostgreSQL-only indexes the migrations add on purpose (GiST, trigram
    GIN and a pattern btree, outside the tables' metadata) are not drift."""
    text_ = repr(diff)
    return "spatial_ref_sys" in text_ or any(name in text_ for name in POSTGRES_ONLY_INDEXES)


def test_migrated_schema_matches_the_tables(empty_register: Register) -> None:
    database = empty_register.database
    assert database.is_current()
    assert _diff(database) == []


def test_reference_lists_are_seeded(empty_register: Register) -> None:
    assert len(empty_register.services.register.lpas(include_past=True)) == 338
    lpas = empty_register.services.register.lpas()  # the 28 councils abolished in 2019-2023 are not offered
    assert len(lpas) == 310 and "Harrogate LPA" not in {x.name for x in lpas}
    assert {x.name: x.ons_code for x in lpas}["Cambridge LPA"].startswith("E60")
    bodies = empty_register.services.register.responsible_bodies()
    assert len(bodies) == 36 and "Natural England" in {b.name for b in bodies}


def test_postgis_geometry_columns_and_indexes(empty_register: Register) -> None:
    database = empty_register.database
    columns = {c["name"]: c for c in inspect(database.engine).get_columns("gain_site")}
    if database.dialect == "postgresql":
        assert "GEOMETRY(MULTIPOLYGON,27700)" in str(columns["boundary"]["type"]).upper().replace(" ", "")
        with database.engine.connect() as conn:
            indexes = conn.execute(
                text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_gain_site_boundary'")
            ).scalar()
        assert indexes is not None and "gist" in indexes.lower()
    else:
        assert "BLOB" in str(columns["boundary"]["type"]).upper()


def test_the_search_indexes(empty_register: Register) -> None:
    database = empty_register.database
    inspector = inspect(database.engine)
    assert "ix_gain_site_updated_at" in {i["name"] for i in inspector.get_indexes("gain_site")}
    assert "ix_allocation_created_at" in {i["name"] for i in inspector.get_indexes("allocation")}
    if database.dialect != "postgresql":
        return
    with database.engine.connect() as conn:
        found = dict(
            conn.execute(
                text(
                    "SELECT indexname, indexdef FROM pg_indexes WHERE indexname IN "
                    "('ix_habitat_parcel_habitat_trgm', 'ix_gain_site_extent')"
                )
            ).all()
        )
    assert (
        "gin" in found["ix_habitat_parcel_habitat_trgm"] and "gin_trgm_ops" in found["ix_habitat_parcel_habitat_trgm"]
    )
    assert "gist" in found["ix_gain_site_extent"] and "box(point(min_e, min_n)" in found["ix_gain_site_extent"]


def test_downgrade_to_nothing_and_up_again(empty_register: Register) -> None:
    url = empty_register.url
    empty_register.database.dispose()
    migrate.downgrade(url, "base")
    database = Database(url)
    try:
        names = set(inspect(database.engine).get_table_names()) - {"spatial_ref_sys", "alembic_version"}
        assert names == set()
        database.upgrade()
        assert database.is_current()
        assert _diff(database) == []
    finally:
        database.dispose()
