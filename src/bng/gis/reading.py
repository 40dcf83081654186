"""Open a habitat map: a GeoPackage, or a set of Shapefiles or GeoJSON files (a folder or a .zip).

Whatever the format, the result is the same :class:`MapSource`: the template's layers, each
with its features' ids, geometries in EPSG:27700 and the template's columns, plus the findings
of the file and schema checks. Shapefiles and GeoJSON files carry one layer each and are named
after the layer (``Habitats.shp``, ``red_line_boundary.geojson``; case and underscores do not
matter); Shapefile columns may use the 10-character names GDAL gives the template's columns.

A file is refused before anything is read when it is larger than ``max_bytes`` (a zip by its
uncompressed size too), a layer before its features are read when it has more than
``max_features`` of them, and a map before its geometries are built when a feature or the file
has more vertices than ``bng.gis.vertices`` allows; so memory and time stay bounded whatever is
uploaded. A GeoPackage holding anything but tables (an SQL view, a generated column, a trigger
the standard does not write) is refused unread (``gpkgschema``), and so is a zip with a member
whose path is absolute or climbs out of it.
"""

from __future__ import annotations

import warnings
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import pyogrio
import shapely
from pyogrio.errors import DataLayerError, DataSourceError

from .crs import is_bng, parse_crs, to_bng
from .errors import CRSError, MapFileError, NotAGeoPackage, TooManyVertices
from .findings import Finding
from .gpkgschema import SQLITE_MAGIC, read_schema
from .standard import IGNORED_LAYERS, LAYER_BY_KEY, LayerSpec, layer_key, sqlite_affinity
from .vertices import MAX_VERTICES_PER_FEATURE, MAX_VERTICES_PER_MAP, check_geojson, check_wkb
from .zips import unsafe_member

MAX_FILE_BYTES = 256 * 1024 * 1024
MAX_FEATURES = 500_000
VECTOR_SUFFIXES = {".shp": "Shapefile", ".geojson": "GeoJSON", ".json": "GeoJSON"}

_OGR_KINDS = {
    "OFTString": "TEXT",
    "OFTInteger": "INTEGER",
    "OFTInteger64": "INTEGER",
    "OFTReal": "REAL",
    "OFTDate": "DATE",
    "OFTDateTime": "DATE",
    "OFTTime": "DATE",
}
_GEOMETRY_KINDS = {
    "polygon": ("Polygon", "MultiPolygon"),
    "line": ("LineString", "MultiLineString"),
    "point": ("Point", "MultiPoint"),
}


@dataclass
class Layer:
    """One layer of a map, read into the template's columns, its geometry in EPSG:27700."""

    spec: LayerSpec
    source: str  # the layer's name (or file) in the input
    fids: np.ndarray  # feature ids as the file numbers them
    geometry: np.ndarray  # shapely geometries in EPSG:27700 (None where unreadable)
    values: dict[str, np.ndarray]  # template column name -> values

    def __len__(self) -> int:
        """The number of features."""
        return len(self.fids)

    def column(self, name: str) -> np.ndarray:
        """A template column's values; all None when the file has no such column."""
        got = self.values.get(name)
        return got if got is not None else np.full(len(self.fids), None, dtype=object)


@dataclass
class MapSource:
    """A map file read: its layers, what was found wrong, and how it was reprojected."""

    path: Path
    format: str  # "GeoPackage", "Shapefile" or "GeoJSON"
    layers: dict[str, Layer] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    blocking: bool = False  # a structural fault: the content cannot be checked or used
    reprojections: list[str] = field(default_factory=list)
    vertices: int = 0  # in the layers read so far; -1 once the map is refused for its vertices

    @property
    def site_name(self) -> str:
        """The site's name as the map gives it (red line boundary first, then habitats); empty if none."""
        for name in ("Red Line Boundary", "Habitats"):
            layer = self.layers.get(name)
            if layer is not None:
                for v in layer.column("Site Name"):
                    if isinstance(v, str) and v.strip():
                        return v.strip()
        return ""


@dataclass(frozen=True, slots=True)
class Limits:
    """How much of a map is read: features in a layer, vertices in a feature."""

    features: int = MAX_FEATURES  # in one layer
    vertices_per_feature: int = MAX_VERTICES_PER_FEATURE
    vertices: int = MAX_VERTICES_PER_MAP  # in the whole map


def read_map(
    path: Path | str,
    *,
    max_bytes: int = MAX_FILE_BYTES,
    max_features: int = MAX_FEATURES,
    max_vertices: int = MAX_VERTICES_PER_MAP,
    max_feature_vertices: int = MAX_VERTICES_PER_FEATURE,
) -> MapSource:
    """Open a map file, check its structure and read its layers; raise MapFileError if it is unusable."""
    path = Path(path)
    if not path.exists():
        raise MapFileError(path, Finding("GPKG_INVALID_FILE", "the file does not exist"))
    _check_size(path, max_bytes)
    limits = Limits(max_features, max_feature_vertices, max_vertices)
    if path.is_dir():
        return _read_set(path, _folder_members(path), limits)
    suffix = path.suffix.lower()
    if suffix == ".zip":
        return _read_set(path, _zip_members(path), limits)
    if suffix in VECTOR_SUFFIXES:
        return _read_set(path.parent, _folder_members(path.parent), limits)
    with path.open("rb") as fh:
        head = fh.read(16)
    if head.startswith(SQLITE_MAGIC) or suffix == ".gpkg":
        return _read_geopackage(path, limits)
    raise MapFileError(
        path,
        Finding(
            "GPKG_INVALID_FILE",
            "not a GeoPackage, nor a folder or .zip of Shapefiles or GeoJSON files named after the layers",
        ),
    )


# -- size bounds ---------------------------------------------------------------------------------


def _too_large(path: Path, size: int, limit: int, what: str = "") -> MapFileError:
    return MapFileError(
        path,
        Finding(
            "FILE_TOO_LARGE",
            f"{what}{size:,} bytes is more than the {limit:,} bytes bng reads from one map; "
            "a habitat map of a site is far smaller, so this file was not read",
        ),
    )


def _check_size(path: Path, limit: int) -> None:
    if path.is_dir():
        size = sum(p.stat().st_size for p in path.iterdir() if p.is_file())
    else:
        size = path.stat().st_size
    if size > limit:
        raise _too_large(path, size, limit)
    if path.is_file() and path.suffix.lower() == ".zip":
        try:
            with zipfile.ZipFile(path) as zf:
                unpacked = sum(i.file_size for i in zf.infolist())
        except zipfile.BadZipFile:
            raise MapFileError(path, Finding("GPKG_INVALID_FILE", "the .zip file is damaged")) from None
        if unpacked > limit:
            raise _too_large(path, unpacked, limit, "unpacked, the .zip holds ")


# -- GeoPackage ----------------------------------------------------------------------------------


def _read_geopackage(path: Path, limits: Limits) -> MapSource:
    try:
        schema = read_schema(path)
    except NotAGeoPackage as err:
        raise MapFileError(path, err.finding) from None
    src = MapSource(path, "GeoPackage", findings=list(schema.findings), blocking=schema.blocking)
    for name, info in schema.tables.items():
        if not info.readable:
            continue
        layer = _read_layer(src, str(path), info.table, info.spec, limits, check_columns=False)
        if layer is not None:
            src.layers[name] = layer
    return src


# -- Shapefile / GeoJSON sets --------------------------------------------------------------------


def _folder_members(folder: Path) -> list[tuple[str, str]]:
    return [
        (p.name, str(p))
        for p in sorted(folder.iterdir())
        if p.is_file() and p.suffix.lower() in VECTOR_SUFFIXES and not p.name.startswith(".")
    ]


def _zip_members(path: Path) -> list[tuple[str, str]]:
    with zipfile.ZipFile(path) as zf:
        names = [i.filename for i in zf.infolist() if not i.is_dir()]
    bad = [n for n in names if unsafe_member(n)]
    if bad:
        raise MapFileError(
            path,
            Finding(
                "GPKG_INVALID_FILE",
                f"the .zip holds a file with an absolute or climbing path ({bad[0]!r}); files in a zip are named "
                "relative to it",
            ),
        )
    out = []
    for name in sorted(names):
        p = PurePosixPath(name)
        if p.suffix.lower() in VECTOR_SUFFIXES and not p.name.startswith(".") and "__MACOSX" not in p.parts:
            out.append((p.name, f"/vsizip/{path.resolve()}/{name}"))
    return out


def _read_set(path: Path, members: list[tuple[str, str]], limits: Limits) -> MapSource:
    if not members:
        raise MapFileError(
            path,
            Finding(
                "GPKG_INVALID_FILE",
                "no Shapefile (.shp) or GeoJSON (.geojson) layer files found; name one file per layer: "
                + ", ".join(s.name for s in LAYER_BY_KEY.values()),
            ),
        )
    formats = {VECTOR_SUFFIXES[PurePosixPath(n).suffix.lower()] for n, _ in members}
    src = MapSource(path, " and ".join(sorted(formats)))
    chosen: dict[str, tuple[str, str]] = {}
    for name, source in members:
        key = layer_key(PurePosixPath(name).stem)
        spec = LAYER_BY_KEY.get(key)
        if spec is None:
            if key not in IGNORED_LAYERS:
                src.findings.append(
                    Finding(
                        "GPKG_UNEXPECTED_FEATURE_LAYER",
                        f"the file '{name}' is not named after a layer of the template (expected: "
                        + ", ".join(s.name for s in LAYER_BY_KEY.values())
                        + ")",
                        PurePosixPath(name).stem,
                    )
                )
            continue
        if spec.name in chosen:
            src.findings.append(
                Finding(
                    "GPKG_UNEXPECTED_FEATURE_LAYER",
                    f"two files hold the layer '{spec.name}': '{chosen[spec.name][0]}' and '{name}'",
                    spec.name,
                )
            )
            continue
        chosen[spec.name] = (name, source)
    for spec in LAYER_BY_KEY.values():
        if spec.required and spec.name not in chosen:
            src.findings.append(
                Finding(
                    "GPKG_MISSING_LAYER",
                    f"the required layer '{spec.name}' is missing (no file named after it)",
                    spec.name,
                )
            )
            src.blocking = True
    for spec_name, (name, source) in chosen.items():
        spec = next(s for s in LAYER_BY_KEY.values() if s.name == spec_name)
        layer = _read_layer(src, source, None, spec, limits, check_columns=True, label=name)
        if layer is not None:
            src.layers[spec.name] = layer
    return src


# -- one layer -----------------------------------------------------------------------------------


def _read_layer(
    src: MapSource,
    source: str,
    layer_name: str | None,
    spec: LayerSpec,
    limits: Limits,
    *,
    check_columns: bool,
    label: str | None = None,
) -> Layer | None:
    shown = label or layer_name or spec.name
    if src.vertices < 0:
        return None  # the map was refused for its vertices: nothing more is read
    max_features = limits.features
    options: dict[str, Any] = (
        {"IMMUTABLE": "YES"} if layer_name is not None else {}
    )  # a GeoPackage: no lock, no journal
    if source.lower().endswith((".geojson", ".json")):
        try:
            check_geojson(_member_bytes(src.path, source), budget=limits.vertices, what=f"'{shown}'", used=src.vertices)
        except TooManyVertices as err:
            src.findings.append(Finding("TOO_MANY_VERTICES", str(err), spec.name))
            src.blocking, src.vertices = True, -1
            return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            info = pyogrio.read_info(source, layer=layer_name, force_feature_count=True, **options)
    except (DataSourceError, DataLayerError) as err:
        src.findings.append(Finding("GPKG_INVALID_FILE", f"'{shown}' cannot be read ({_short(err)})", spec.name))
        src.blocking = True
        return None
    count = int(info["features"])
    if count > max_features:
        src.findings.append(
            Finding(
                "GPKG_TOO_MANY_FEATURES",
                f"the layer has {count:,} features; bng checks up to {max_features:,} in one layer",
                spec.name,
            )
        )
        src.blocking = True
        return None
    fields = [str(f) for f in info["fields"]]
    mapping = _columns(spec, fields, shapefile=source.lower().endswith(".shp"))
    # an empty GeoJSON layer has no properties to tell its columns by: nothing to check
    knowable = count > 0 or not source.lower().endswith((".geojson", ".json"))
    if check_columns and knowable and not _check_columns(src, spec, info, fields, mapping):
        return None
    if check_columns and count and not _check_geometry_type(src, spec, str(info.get("geometry_type") or "")):
        return None
    try:
        crs = parse_crs(info.get("crs"))
    except CRSError as err:
        src.findings.append(
            Finding(
                "GPKG_BASELINE_SRS_ID", f"{err}; habitat maps must be in EPSG:27700 (British National Grid)", spec.name
            )
        )
        src.blocking = True
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            meta, fids, wkb, values = pyogrio.raw.read(source, layer=layer_name, return_fids=True, **options)
    except (DataSourceError, DataLayerError) as err:
        src.findings.append(Finding("GPKG_INVALID_FILE", f"'{shown}' cannot be read ({_short(err)})", spec.name))
        src.blocking = True
        return None
    try:
        src.vertices = check_wkb(
            wkb if wkb is not None else (),
            per_feature=limits.vertices_per_feature,
            budget=limits.vertices,
            what=f"the map (at '{shown}')",
            used=src.vertices,
        )
    except TooManyVertices as err:
        fid = int(fids[err.feature]) if err.feature is not None and fids is not None else None
        src.findings.append(Finding("TOO_MANY_VERTICES", str(err), spec.name, fid=fid))
        src.blocking, src.vertices = True, -1
        return None
    geometry = _geometries(wkb)
    wrong = _coordinates_disagree(geometry, crs)
    if wrong:
        src.findings.append(Finding("GPKG_BASELINE_SRS_ID", wrong, spec.name))
        src.blocking = True
        return None
    if not is_bng(crs):
        try:
            geometry, how = to_bng(geometry, crs)
        except CRSError as err:
            src.findings.append(Finding("GPKG_BASELINE_SRS_ID", str(err), spec.name))
            src.blocking = True
            return None
        note = how.describe()
        src.reprojections.append(f"{spec.name}: {note}")
        src.findings.append(
            Finding(
                "GPKG_BASELINE_SRS_ID",
                f"the layer is not in EPSG:27700: bng {note}. DEFRA's service refuses layers that are "
                "not in EPSG:27700",
                spec.name,
                severity="warning",
            )
        )
    by_field = dict(zip((str(f) for f in meta["fields"]), values, strict=True))
    columns = {template: by_field[found] for template, found in mapping.items()}
    return Layer(spec, shown, np.asarray(fids, dtype=np.int64), geometry, columns)


# British National Grid covers Great Britain: eastings 0-700 km, northings 0-1300 km (with a margin)
_BNG_EXTENT = (-100_000.0, -100_000.0, 800_000.0, 1_400_000.0)


def _coordinates_disagree(geometry: np.ndarray, crs: Any) -> str | None:
    """Coordinates that cannot be in the declared CRS (GeoJSON without a crs member is WGS84, say)."""
    present = geometry[[g is not None for g in geometry]] if len(geometry) else geometry
    if not len(present):
        return None
    x0, y0, x1, y1 = shapely.total_bounds(present)
    if np.isnan(x0):
        return None
    if crs.is_geographic and not (-180 <= x0 <= x1 <= 180 and -90 <= y0 <= y1 <= 90):
        return (
            f"the layer says its coordinates are longitudes and latitudes ({crs.name}) but they run from "
            f"({x0:,.0f}, {y0:,.0f}) to ({x1:,.0f}, {y1:,.0f}); a GeoJSON file without a 'crs' member is read as "
            "WGS84, so a file in British National Grid must say so (or be saved in WGS84)"
        )
    if is_bng(crs):
        ex0, ey0, ex1, ey1 = _BNG_EXTENT
        if not (ex0 <= x0 and x1 <= ex1 and ey0 <= y0 and y1 <= ey1):
            return (
                f"the layer says it is in EPSG:27700 but its coordinates run from ({x0:,.4g}, {y0:,.4g}) to "
                f"({x1:,.4g}, {y1:,.4g}), which are not British National Grid eastings and northings"
            )
    return None


def _member_bytes(path: Path, source: str) -> bytes:
    """The bytes of a layer's file: a file of the folder, or a member of the zip ``path`` (sizes were checked)."""
    prefix = f"/vsizip/{path.resolve()}/"
    if source.startswith(prefix):
        with zipfile.ZipFile(path) as zf:
            return zf.read(source[len(prefix) :])
    return Path(source).read_bytes()


def _short(err: Exception) -> str:
    return str(err).split(";")[0].strip()


def _geometries(wkb: Any) -> np.ndarray:
    if wkb is None:
        return np.empty(0, dtype=object)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        geoms = shapely.from_wkb(wkb, on_invalid="ignore")
    if len(geoms) and shapely.has_z(geoms).any():
        geoms = shapely.force_2d(geoms)
    return np.asarray(geoms)


def _columns(spec: LayerSpec, fields: list[str], *, shapefile: bool) -> dict[str, str]:
    """Template column -> the field that holds it (exact template name, or its Shapefile name)."""
    present = set(fields)
    out: dict[str, str] = {}
    for col in spec.columns:
        if col.name in present:
            out[col.name] = col.name
        elif shapefile and col.shapefile in present:
            out[col.name] = col.shapefile
    return out


def _check_columns(
    src: MapSource, spec: LayerSpec, info: Mapping[str, Any], fields: list[str], mapping: dict[str, str]
) -> bool:
    ok = True
    types = dict(zip(fields, info["ogr_types"], strict=True))
    subtypes = dict(zip(fields, info["ogr_subtypes"], strict=True))
    for col in spec.columns:
        found = mapping.get(col.name)
        if found is None:
            src.findings.append(
                Finding(
                    "GPKG_BASELINE_MISSING_COLUMN", f"the column '{col.name}' is missing", spec.name, field=col.name
                )
            )
            ok = False
            continue
        kind = _OGR_KINDS.get(types[found], "OTHER")
        if subtypes[found] == "OFSTBoolean":
            kind = "BOOLEAN"
        want = sqlite_affinity(col.sqlite_type) if col.sqlite_type != "DATE" else "DATE"
        allowed = {
            "TEXT": {"TEXT"},
            "INTEGER": {"INTEGER", "REAL"},
            "REAL": {"INTEGER", "REAL"},
            "DATE": {"DATE", "TEXT"},
        }.get(want, {want})
        if kind not in allowed:
            src.findings.append(
                Finding(
                    "GPKG_BASELINE_COLUMN_SQLITE_TYPE",
                    f"the column holds {kind.lower()} values; the template declares {col.sqlite_type}",
                    spec.name,
                    field=col.name,
                )
            )
            ok = False
    if not ok:
        src.blocking = True
    return ok


def _check_geometry_type(src: MapSource, spec: LayerSpec, declared: str) -> bool:
    base = declared.replace(" Z", "").replace(" M", "").replace("25D", "").strip()
    if base in ("", "Unknown") or base in _GEOMETRY_KINDS[spec.kind]:
        return True
    src.findings.append(
        Finding(
            "GPKG_BASELINE_GEOMETRY_TYPE_NAME",
            f"the layer holds {declared} geometries; the template's {spec.name} are "
            + " or ".join(_GEOMETRY_KINDS[spec.kind]),
            spec.name,
        )
    )
    src.blocking = True
    return False
