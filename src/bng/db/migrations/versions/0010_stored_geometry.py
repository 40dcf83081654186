"""Geometries kept once: ``stored_geometry``, and the answers and audit entries that copied them.

An application's boundary (``answers.boundary.wkt``) and the outlines of parcels read from habitat
maps (``answers.habitats.habitats.parcels[].geometry_wkt``) were copied as WKT into the answers,
and again as the before and after of every audit entry of a section saved: a 37.5 MB boundary
saved twice doubled the database. Each is now stored once in ``stored_geometry`` (a PostGIS
geometry on PostgreSQL, WKB on SQLite), named by the SHA-256 of its WKB (ISO, little-endian, 2D);
answers and audit entries hold ``geometry_sha256`` and ``geometry_bytes`` in its place.

The upgrade moves the existing data on both engines: every application's answers, and every audit
entry's before and after. The audit log is append-only (triggers of revision 0001); its triggers are
dropped for the rewrite and made again, the rewrite loses nothing (each digest names a geometry kept
for good), and the log records it in an entry of its own (``audit.geometries_kept_apart``). The
downgrade puts the WKT back.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import shapely
import sqlalchemy as sa
from alembic import op

from bng.db.types import Geometry

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

SHA256, BYTES = "geometry_sha256", "geometry_bytes"
WKT_KEYS = ("wkt", "geometry_wkt")  # the boundary's key, a parcel's key

AUDIT_TRIGGERS = {
    "sqlite": (
        (
            "DROP TRIGGER IF EXISTS audit_event_no_update",
            "DROP TRIGGER IF EXISTS audit_event_no_delete",
        ),
        (
            """CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
               BEGIN SELECT RAISE(ABORT, 'audit_event is append-only: entries cannot be changed'); END""",
            """CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
               BEGIN SELECT RAISE(ABORT, 'audit_event is append-only: entries cannot be deleted'); END""",
        ),
    ),
    "postgresql": (
        ("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event",),
        (
            """CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event
               FOR EACH ROW EXECUTE FUNCTION bng_append_only()""",
        ),
    ),
}


def upgrade() -> None:
    op.create_table(
        "stored_geometry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("wkb_bytes", sa.BigInteger(), nullable=False),
        sa.Column("geometry", Geometry("GEOMETRY"), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("wkb_bytes > 0", name=op.f("ck_stored_geometry_wkb_bytes")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stored_geometry")),
        sa.UniqueConstraint("sha256", name=op.f("uq_stored_geometry_sha256")),
    )
    bind = op.get_bind()
    now = datetime.now(UTC).replace(tzinfo=None)
    kept: set[str] = set()

    def keep(wkt: str) -> dict[str, Any]:
        geom = shapely.from_wkt(wkt)
        if shapely.has_z(geom):
            geom = shapely.force_2d(geom)
        data = bytes(shapely.to_wkb(geom, flavor="iso", byte_order=1, output_dimension=2))
        sha = hashlib.sha256(data).hexdigest()
        if (
            sha not in kept
            and not bind.execute(sa.text("SELECT 1 FROM stored_geometry WHERE sha256 = :sha"), {"sha": sha}).first()
        ):
            value = "ST_GeomFromWKB(:wkb, 27700)" if bind.dialect.name == "postgresql" else ":wkb"
            bind.execute(
                sa.text(
                    f"INSERT INTO stored_geometry (sha256, wkb_bytes, geometry, created_at) "
                    f"VALUES (:sha, :size, {value}, :at)"
                ),
                {"sha": sha, "size": len(data), "wkb": data, "at": now},
            )
        kept.add(sha)
        return {SHA256: sha, BYTES: len(data)}

    def moved(doc: Any) -> Any:
        if isinstance(doc, list):
            return [moved(x) for x in doc]
        if not isinstance(doc, dict):
            return doc
        out: dict[str, Any] = {}
        for k, v in doc.items():
            if k in WKT_KEYS and isinstance(v, str):
                out |= keep(v) if v else {SHA256: "", BYTES: 0}
            else:
                out[k] = moved(v)
        return out

    changed = _rewrite(bind, moved)
    if changed:
        bind.execute(
            sa.text(
                "INSERT INTO audit_event (at, actor, action, entity, entity_id, before, after) "
                "VALUES (:at, 'system', 'audit.geometries_kept_apart', 'database', '0010', NULL, :after)"
            ).bindparams(sa.bindparam("after", type_=sa.JSON().with_variant(_jsonb(), "postgresql"))),
            {"at": now, "after": {"rewritten": changed, "geometries": len(kept)}},
        )


def downgrade() -> None:
    bind = op.get_bind()
    read = (
        "SELECT ST_AsBinary(geometry) FROM stored_geometry WHERE sha256 = :sha"
        if bind.dialect.name == "postgresql"
        else "SELECT geometry FROM stored_geometry WHERE sha256 = :sha"
    )

    def wkt(sha: str) -> str:
        row = bind.execute(sa.text(read), {"sha": sha}).first()
        return shapely.from_wkb(bytes(row[0])).wkt if row is not None else ""

    def back(doc: Any) -> Any:
        if isinstance(doc, list):
            return [back(x) for x in doc]
        if not isinstance(doc, dict):
            return doc
        out: dict[str, Any] = {}
        is_parcel = "stage" in doc and "module" in doc
        for k, v in doc.items():
            if k == SHA256:
                out["geometry_wkt" if is_parcel else "wkt"] = wkt(v) if v else ""
            elif k != BYTES:
                out[k] = back(v)
        return out

    _rewrite(bind, back, forget="audit.geometries_kept_apart")
    op.drop_table("stored_geometry")


def _jsonb() -> Any:
    from sqlalchemy.dialects.postgresql import JSONB

    return JSONB()


def _rewrite(bind: Any, change: Callable[[Any], Any], forget: str = "") -> int:
    """Apply ``change`` to every application's answers and every audit entry's before and after that
    mention a geometry (and remove the audit entries of action ``forget``); the number of rows changed."""
    doc_type = sa.JSON().with_variant(_jsonb(), "postgresql")

    def load(v: Any) -> Any:
        return json.loads(v) if isinstance(v, str) else v

    count = 0
    like = "CAST(answers AS TEXT) LIKE '%wkt%' OR CAST(answers AS TEXT) LIKE '%geometry_sha256%'"
    for app_id, answers in bind.execute(sa.text(f"SELECT id, answers FROM application WHERE {like}")).all():
        before = load(answers)
        after = change(before)
        if after != before:
            bind.execute(
                sa.text("UPDATE application SET answers = :doc WHERE id = :id").bindparams(
                    sa.bindparam("doc", type_=doc_type)
                ),
                {"doc": after, "id": app_id},
            )
            count += 1
    drop, create = AUDIT_TRIGGERS[bind.dialect.name]
    for stmt in drop:
        bind.execute(sa.text(stmt))
    mentions = " OR ".join(
        f"CAST({c} AS TEXT) LIKE '%wkt%' OR CAST({c} AS TEXT) LIKE '%geometry_sha256%'" for c in ("before", "after")
    )
    for event_id, b, a in bind.execute(sa.text(f"SELECT id, before, after FROM audit_event WHERE {mentions}")).all():
        old = (load(b), load(a))
        new = (change(old[0]), change(old[1]))
        if new != old:
            bind.execute(
                sa.text("UPDATE audit_event SET before = :b, after = :a WHERE id = :id").bindparams(
                    sa.bindparam("b", type_=doc_type), sa.bindparam("a", type_=doc_type)
                ),
                {"b": new[0], "a": new[1], "id": event_id},
            )
            count += 1
    if forget:
        bind.execute(sa.text("DELETE FROM audit_event WHERE action = :action"), {"action": forget})
    for stmt in create:
        bind.execute(sa.text(stmt))
    return count
