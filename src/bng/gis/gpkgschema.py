"""The structural checks of a GeoPackage, read straight from its SQLite tables.

GDAL hides what the standard checks (the application id, the registration of each layer in
``gpkg_contents`` and ``gpkg_geometry_columns``, declared column types, the SRS written in
each geometry blob), so these are read with :mod:`sqlite3`, opened read-only. Only small
system tables and one SQL aggregate per layer are read here; features are read by GDAL later.

A GeoPackage is a database, and a database can run code when it is read: a layer that is an
SQL view (a self-recursive one never ends), a generated column, a virtual table of another
module. So before anything else the schema itself is checked (:func:`unsafe_schema`): only
tables, the R-tree indexes and the triggers the standard and GDAL write are allowed, and a file
with anything else is refused unread. Every query here also runs under a time limit (an SQLite
progress handler), and the file is opened immutable and read-only, so no trigger can ever fire.
"""

from __future__ import annotations

import re
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

from .errors import NotAGeoPackage
from .findings import Finding
from .standard import (
    GPKG_APPLICATION_IDS,
    HABITATS,
    IGNORED_LAYERS,
    LAYER_BY_KEY,
    RED_LINE,
    SYSTEM_TABLES,
    LayerSpec,
    sqlite_affinity,
)

SQLITE_MAGIC = b"SQLite format 3\x00"
GEOMETRY_COLUMN_NAME = re.compile(r"^[A-Za-z0-9_]+$")
QUERY_SECONDS = 10.0
"""The time the structural checks of one file may take (a 256 MB file is scanned in about a second)."""
MAX_SCHEMA_OBJECTS = 2_000
"""Tables, indexes and triggers: a template GeoPackage has about 60."""
# the triggers the GeoPackage standard (R-tree spatial index, tile matrix, metadata extensions) and
# GDAL (feature counts) write; nothing else may be in an uploaded file
STANDARD_TRIGGERS = re.compile(
    r"^(rtree_.+_(insert|update[1-7]|delete)"
    r"|trigger_(insert|delete)_feature_count_.+"
    r"|gpkg_tile_matrix_(zoom_level|matrix_width|matrix_height|pixel_x_size|pixel_y_size)_(insert|update)"
    r"|gpkg_metadata_(md_scope|reference_reference_scope|reference_column_name|reference_row_id_value"
    r"|reference_timestamp)_(insert|update)"
    r"|gpkg_metadata_reference_(reference_scope|column_name|row_id_value|timestamp)_(insert|update))$",
    re.IGNORECASE,
)
VIRTUAL_TABLE = re.compile(r"^\s*CREATE\s+VIRTUAL\s+TABLE\s+.*?\bUSING\s+(\w+)", re.IGNORECASE | re.DOTALL)


@dataclass
class TableInfo:
    """What the system tables say about one feature table of the template."""

    spec: LayerSpec
    table: str  # the name in the file
    readable: bool = True  # GDAL can read its features faithfully
    srs_id: int | None = None
    geometry_column: str | None = None


@dataclass
class Schema:
    """What a GeoPackage's system tables say: its template layers, and what is wrong with them."""

    tables: dict[str, TableInfo] = field(default_factory=dict)  # template layer name -> info
    findings: list[Finding] = field(default_factory=list)

    @property
    def blocking(self) -> bool:
        """A structural fault that stops further checks (as DEFRA's service stops the upload)."""
        missing = any(f.code == "GPKG_MISSING_LAYER" for f in self.findings)
        return missing or not all(t.readable for t in self.tables.values())


# faults after which a layer cannot be read faithfully; a misnamed geometry column or a fid
# declared without NOT NULL are faults of the file but do not change what is read
BLOCKING = frozenset(
    {
        "GPKG_MISSING_LAYER",
        "GPKG_BASELINE_CONTENTS_DATA_TYPE",
        "GPKG_BASELINE_MULTIPLE_GEOMETRY_COLUMNS",
        "GPKG_BASELINE_GEOMETRY_TYPE_NAME",
        "GPKG_BASELINE_GEOMETRY_REGISTRATION_MISSING",
        "GPKG_HABITATS_NO_GEOMETRY_COLUMN",
        "GPKG_RLB_NO_GEOMETRY_COLUMN",
        "GPKG_BASELINE_MISSING_COLUMN",
        "GPKG_BASELINE_COLUMN_SQLITE_TYPE",
        "GPKG_BASELINE_GPKG_SRS_INCONSISTENT",
    }
)


def _connect(path: Path, seconds: float = QUERY_SECONDS) -> sqlite3.Connection:
    """The file opened read-only and immutable (no lock, no journal, no trigger can fire).

    Every query is stopped once ``seconds`` have passed since opening.
    """
    with path.open("rb") as fh:
        head = fh.read(100)
    if not head.startswith(SQLITE_MAGIC):
        raise NotAGeoPackage(Finding("GPKG_INVALID_FILE", "the file is not an SQLite database, so not a GeoPackage"))
    deadline = time.monotonic() + seconds
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
        con.set_progress_handler(lambda: int(time.monotonic() > deadline), 1_000)
        con.execute("PRAGMA query_only = 1")
        con.execute("PRAGMA trusted_schema = 0")
        app_id = con.execute("PRAGMA application_id").fetchone()[0]
    except sqlite3.DatabaseError as err:
        raise NotAGeoPackage(Finding("GPKG_INVALID_FILE", f"the SQLite database cannot be read ({err})")) from None
    if app_id not in GPKG_APPLICATION_IDS:
        con.close()
        raise NotAGeoPackage(
            Finding("GPKG_NOT_A_GEOPACKAGE", f"the SQLite application id is {app_id:#x}, not GP10 or GPKG")
        )
    return con


def unsafe_schema(con: sqlite3.Connection) -> list[str]:
    """What in the database's schema could run code when it is read; empty when it holds tables only.

    Views, generated columns, virtual tables other than R-tree indexes, triggers other than the standard's.
    """
    objects = con.execute(f"SELECT type, name, sql FROM sqlite_master LIMIT {MAX_SCHEMA_OBJECTS + 1}").fetchall()
    if len(objects) > MAX_SCHEMA_OBJECTS:
        return [f"more than {MAX_SCHEMA_OBJECTS:,} tables, indexes and triggers"]
    out = []
    for kind, name, sql in objects:
        if kind == "view":
            out.append(f"the SQL view '{name}'")
        elif kind == "trigger" and not STANDARD_TRIGGERS.match(name):
            out.append(f"the trigger '{name}'")
        elif kind == "table" and sql and (m := VIRTUAL_TABLE.match(sql)):
            if m.group(1).lower() != "rtree":
                out.append(f"the virtual table '{name}' (module {m.group(1)})")
        elif kind == "table":
            generated = [r[1] for r in con.execute(f"PRAGMA table_xinfo({_q(name)})") if r[6] in (2, 3)]
            if generated:
                names = ", ".join(f"'{g}'" for g in generated)
                out.append(f"the generated column{'s' if len(generated) > 1 else ''} {names} of '{name}'")
    return out


def refuse_unsafe(con: sqlite3.Connection) -> None:
    """Raise NotAGeoPackage when the schema holds anything but tables (see :func:`unsafe_schema`)."""
    found = unsafe_schema(con)
    if found:
        shown = "; ".join(found[:5]) + (f"; and {len(found) - 5} more" if len(found) > 5 else "")
        raise NotAGeoPackage(
            Finding(
                "GPKG_UNSAFE_SCHEMA",
                f"the GeoPackage holds {shown}: bng reads tables only (the template has no views, no "
                "generated columns and only the standard's triggers), so the file was not read",
            )
        )


def check_safe(path: Path, seconds: float = QUERY_SECONDS) -> None:
    """Open a GeoPackage as :func:`read_schema` does and refuse it (NotAGeoPackage) if its schema is unsafe.

    For readers of any GeoPackage (a plain boundary file) before they hand it to GDAL.
    """
    con = _connect(path, seconds)
    try:
        refuse_unsafe(con)
    except sqlite3.DatabaseError as err:
        raise NotAGeoPackage(_unreadable(err, seconds)) from None
    finally:
        con.close()


def _unreadable(err: sqlite3.DatabaseError, seconds: float) -> Finding:
    if "interrupted" in str(err):
        return Finding(
            "GPKG_READ_TIMEOUT",
            f"reading the GeoPackage's structure took longer than {seconds:g} s, far longer than a habitat "
            "map needs, so it was stopped",
        )
    return Finding("GPKG_INVALID_FILE", f"the GeoPackage cannot be read ({err})")


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def read_schema(path: Path, seconds: float = QUERY_SECONDS) -> Schema:
    """Check the file's structure against the template; raise NotAGeoPackage if it is none, or unsafe."""
    con = _connect(path, seconds)
    try:
        refuse_unsafe(con)
        return _check(con)
    except sqlite3.DatabaseError as err:
        raise NotAGeoPackage(_unreadable(err, seconds)) from None
    finally:
        con.close()


def _check(con: sqlite3.Connection) -> Schema:
    schema = Schema()
    out = schema.findings
    present = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
    missing_system = [t for t in SYSTEM_TABLES if t not in present]
    for t in missing_system:
        out.append(Finding("GPKG_MISSING_SYSTEM_TABLE", f"the GeoPackage system table {t} is missing"))
    if missing_system:
        raise NotAGeoPackage(out[0])
    contents = {r[0]: (r[1], r[2]) for r in con.execute("SELECT table_name, data_type, srs_id FROM gpkg_contents")}
    geometry_columns: dict[str, list[tuple[str, str, int]]] = {}
    for table, column, gtype, srs in con.execute(
        "SELECT table_name, column_name, geometry_type_name, srs_id FROM gpkg_geometry_columns"
    ):
        geometry_columns.setdefault(table.lower(), []).append((column, gtype, srs))
    by_key = {name.lower(): name for name in contents}
    for spec in LAYER_BY_KEY.values():
        table = by_key.get(spec.name.lower())
        if table is None:
            if spec.required:
                out.append(Finding("GPKG_MISSING_LAYER", f"the required layer '{spec.name}' is missing", spec.name))
            continue
        info = TableInfo(spec, table)
        schema.tables[spec.name] = info
        _check_table(con, spec, info, contents[table], geometry_columns.get(table.lower(), []), out)
    for name, (data_type, _) in contents.items():
        key = name.lower()
        if key in LAYER_BY_KEY or key in IGNORED_LAYERS:
            continue
        if data_type == "features" or key in geometry_columns:
            out.append(
                Finding(
                    "GPKG_UNEXPECTED_FEATURE_LAYER",
                    f"the layer '{name}' is not part of the template (expected only: "
                    + ", ".join(s.name for s in LAYER_BY_KEY.values())
                    + ")",
                    name,
                )
            )
    return schema


def _check_table(
    con: sqlite3.Connection,
    spec: LayerSpec,
    info: TableInfo,
    content: tuple[str, int],
    registered: list[tuple[str, str, int]],
    out: list[Finding],
) -> None:
    layer = spec.name
    data_type, _ = content
    start = len(out)
    if data_type != "features":
        out.append(
            Finding(
                "GPKG_BASELINE_CONTENTS_DATA_TYPE",
                f"gpkg_contents registers the layer as '{data_type}', not 'features'",
                layer,
            )
        )
    if not registered:
        code = {RED_LINE.name: "GPKG_RLB_NO_GEOMETRY_COLUMN", HABITATS.name: "GPKG_HABITATS_NO_GEOMETRY_COLUMN"}.get(
            layer, "GPKG_BASELINE_GEOMETRY_REGISTRATION_MISSING"
        )
        out.append(Finding(code, "the layer has no geometry column registered in gpkg_geometry_columns", layer))
    elif len(registered) > 1:
        names = ", ".join(c for c, _, _ in registered)
        out.append(
            Finding(
                "GPKG_BASELINE_MULTIPLE_GEOMETRY_COLUMNS",
                f"the layer has {len(registered)} geometry columns ({names}); the template has one",
                layer,
            )
        )
    columns = {r[1]: (r[2], r[3], r[5]) for r in con.execute(f"PRAGMA table_info({_q(info.table)})")}
    if registered:
        column, gtype, srs = registered[0]
        info.geometry_column, info.srs_id = column, srs
        if not GEOMETRY_COLUMN_NAME.match(column):
            out.append(
                Finding(
                    "GPKG_BASELINE_INVALID_GEOMETRY_COLUMN_NAME",
                    f"the geometry column name {column!r} has characters other than letters, digits and _",
                    layer,
                    field=column,
                )
            )
        if spec.geometry_column not in {c for c, _, _ in registered}:
            out.append(
                Finding(
                    "GPKG_BASELINE_MISSING_COLUMN",
                    f"the template's geometry column '{spec.geometry_column}' is missing "
                    f"(the layer's geometry column is named '{column}')",
                    layer,
                    field=spec.geometry_column,
                )
            )
        if gtype.upper() != spec.geometry_type:
            out.append(
                Finding(
                    "GPKG_BASELINE_GEOMETRY_TYPE_NAME",
                    f"the geometry type is declared {gtype.upper()}; the template declares {spec.geometry_type}",
                    layer,
                )
            )
        _check_srs(con, info, column, srs, out)
    for col in spec.columns:
        got = columns.get(col.name)
        if got is None:
            out.append(
                Finding("GPKG_BASELINE_MISSING_COLUMN", f"the column '{col.name}' is missing", layer, field=col.name)
            )
            continue
        if sqlite_affinity(got[0]) != col.affinity:
            out.append(
                Finding(
                    "GPKG_BASELINE_COLUMN_SQLITE_TYPE",
                    f"the column is declared {got[0] or 'without a type'}; the template declares {col.sqlite_type}",
                    layer,
                    field=col.name,
                )
            )
    fid = columns.get("fid")
    if fid is None or not fid[2]:
        out.append(
            Finding("GPKG_BASELINE_COLUMN_PRIMARY_KEY", "the primary key is not the column 'fid'", layer, field="fid")
        )
    elif not fid[1]:
        out.append(
            Finding("GPKG_BASELINE_COLUMN_NOT_NULL", "the column 'fid' is not declared NOT NULL", layer, field="fid")
        )
    info.readable = not any(f.code in BLOCKING and not _misnamed(f, spec) for f in out[start:])


def _misnamed(finding: Finding, spec: LayerSpec) -> bool:
    """The template's geometry column under another name: a fault, but the layer reads the same."""
    return finding.code == "GPKG_BASELINE_MISSING_COLUMN" and finding.field == spec.geometry_column


def _check_srs(
    con: sqlite3.Connection,
    info: TableInfo,
    column: str,
    srs: int,
    out: list[Finding],
) -> None:
    """Registered SRS vs the SRS id in the geometry blobs (bytes 5-8 of the GeoPackage header)."""
    row = con.execute(
        f"SELECT DISTINCT substr({_q(column)}, 4, 5) FROM {_q(info.table)} WHERE {_q(column)} IS NOT NULL LIMIT 5"
    ).fetchall()
    seen: set[int] = set()
    for (head,) in row:
        if not isinstance(head, bytes) or len(head) < 5:
            continue
        little = bool(head[0] & 1)
        seen.add(int.from_bytes(head[1:5], "little" if little else "big", signed=True))
    other = sorted(seen - {srs})
    if other:
        out.append(
            Finding(
                "GPKG_BASELINE_GPKG_SRS_INCONSISTENT",
                f"the geometries carry SRS id {', '.join(map(str, other))} but the layer is registered with {srs}",
                info.spec.name,
                field=column,
            )
        )
    info.srs_id = srs
