"""Write habitat maps in the standard's shape.

GeoPackage (as DEFRA's service takes it), or Shapefiles and GeoJSON with the same attributes.

:func:`stage_layers` turns a :class:`~bng.gis.sitemap.MappedSite` (a Site with the geometry of its
rows) into the features of the baseline file or of the post-intervention file, in the words of
the NE template: a baseline feature per baseline row; after intervention, the retained part,
the enhanced part (with the enhancement row's proposed habitat), the lost part of a hedgerow,
watercourse or tree, and every created habitat (an area "Lost" row whose Proposed columns
describe the habitat created, a linear or tree "Created" row). Writers then put those features
into files whose tables, columns, types, geometry columns and CRS are the template's.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyogrio
import shapely
from shapely.geometry.base import BaseGeometry

from bng.metric import Release

from .crs import from_bng
from .features import StageName
from .sitemap import MappedSite, RowGeometry
from .standard import ADVANCE, DELAY, EPSG, HABITATS, HEDGEROWS, LAYERS, RED_LINE, RIVERS, TREES, LayerSpec
from .validate import vocabulary

_OGR_GEOMETRY = {"POLYGON": "Polygon", "MULTIPOLYGON": "MultiPolygon", "LINESTRING": "LineString", "POINT": "Point"}
_LOCATION = {"on_site": "On-site", "off_site": "Off-site"}


@dataclass(frozen=True, slots=True)
class Record:
    """One feature to write: its geometry and template column -> value."""

    geometry: BaseGeometry | None
    values: dict[str, Any]


Layers = dict[str, list[Record]]


# -- from a MappedSite ---------------------------------------------------------------------------


def stage_layers(mapped: MappedSite, stage: StageName) -> Layers:
    """The template's layers for the baseline or the post-intervention file of a mapped site."""
    rel = vocabulary(mapped.site.metric_release).rel
    out: Layers = defaultdict(list)
    name = mapped.site.project.name
    if mapped.red_line is not None:
        out[RED_LINE.name].append(Record(mapped.red_line, {"Area": float(mapped.red_line.area), "Site Name": name}))
    for location in ("on_site", "off_site"):
        loc = getattr(mapped.site, location)
        for module in ("area", "hedgerow", "watercourse"):
            rows = getattr(loc, module)
            enhancements = {e.baseline_ref: e for e in rows.enhancement}
            for row in rows.baseline:
                geom = mapped.geometry.get((module, location, "baseline", row.ref))
                if geom is None or geom.part:
                    continue  # no geometry, or a part split off a feature written whole
                parts = [r for r in rows.baseline if _same_feature(mapped, module, location, r.ref, geom)]
                _baseline_feature(out, rel, module, location, row, parts, enhancements, mapped, stage, name)
            if stage == "post-intervention":
                for row in rows.creation:
                    geom = mapped.geometry.get((module, location, "creation", row.ref))
                    if geom is not None and geom.whole is not None:
                        _created_feature(out, rel, module, location, row, geom.whole, name)
    return dict(out)


def _same_feature(mapped: MappedSite, module: str, location: str, ref: str, first: RowGeometry) -> bool:
    g = mapped.geometry.get((module, location, "baseline", ref))
    return g is not None and (g is first or (bool(first.fids) and g.fids == first.fids and g.layer == first.layer))


def _layer_of(module: str, row: Any) -> LayerSpec:
    if module == "hedgerow":
        return HEDGEROWS
    if module == "watercourse":
        return RIVERS
    return TREES if getattr(row, "trees", None) else HABITATS


def _side(rel: Release, spec: LayerSpec, which: str, row: Any, trees: Any = None) -> dict[str, Any]:
    """The Baseline or Proposed columns saying what a row (baseline, creation or enhancement) is."""
    if row is None:
        return {}
    w = which
    habitat = row.habitat or None
    out: dict[str, Any] = {
        f"{w} Condition": row.condition or None,
        f"{w} Strategic Significance": row.strategic_significance or None,
    }
    band = None
    if spec is HABITATS:
        hab = rel.area_habitat(row.habitat)
        out[f"{w} Broad Habitat Type"] = hab.broad if hab else None
        out[f"{w} Habitat Type"] = hab.type if hab else habitat
        band = hab.band if hab else None
    elif spec is TREES:
        counts = trees or getattr(row, "trees", None)
        out[f"{w} Tree Size"] = counts[0][0] if counts else None
        out[f"{w} Rural or Urban Tree"] = "Rural" if "rural" in (habitat or "").lower() else "Urban"
    elif spec is HEDGEROWS:
        out[f"{w} Hedge Type"] = habitat
        band = rel.hedgerow_types[habitat].band if habitat and habitat in rel.hedgerow_types else None
    else:
        out[f"{w} River Type"] = habitat
        out[f"{w} Encroachment into Watercourse"] = row.encroachment
        out[f"{w} Encroachment into riparian zone"] = row.riparian_encroachment
        band = rel.watercourse_types[habitat].band if habitat and habitat in rel.watercourse_types else None
    if spec is not TREES:
        out[f"{w} Distinctiveness"] = band
    return out


def _years(v: Any) -> str:
    if isinstance(v, str):
        return v
    return str(int(v or 0))


def _common(spec: LayerSpec, location: str, srm: str | None, name: str, ref: str) -> dict[str, Any]:
    values: dict[str, Any] = {"Location": _LOCATION[location], "Site Name": name, "Spatial risk category": srm}
    values[spec.ref_column or "Parcel Ref"] = ref
    return values


def _baseline_feature(
    out: Layers,
    rel: Release,
    module: str,
    location: str,
    row: Any,
    parts: list[Any],
    enhancements: dict[str, Any],
    mapped: MappedSite,
    stage: StageName,
    name: str,
) -> None:
    spec = _layer_of(module, row)
    geom = mapped.geometry[(module, location, "baseline", row.ref)]
    base = _common(spec, location, row.spatial_risk, name, row.ref) | _side(rel, spec, "Baseline", row)
    if spec is TREES:
        base["Count"] = row.trees[0][1]
    if stage == "baseline":
        out[spec.name].append(Record(geom.whole, base | _size(spec, geom.whole)))
        return
    same = _side(rel, spec, "Proposed", row)
    retained = geom.retained
    if spec is TREES:  # a tree is kept or enhanced whole
        kept = "Retained" if row.retained_ha else ("Enhanced" if row.enhanced_ha else "Lost")
        enh = enhancements.get(row.ref)
        prop = _side(rel, spec, "Proposed", enh, row.trees) if kept == "Enhanced" and enh else same
        category = {"Retained": "Existing", "Enhanced": "Existing", "Lost": "Lost"}[kept]
        values = base | prop | {"Retention Category": kept, "Category": category}
        out[spec.name].append(Record(geom.whole, values))
        return
    if retained is not None and not retained.is_empty:
        out[spec.name].append(
            Record(retained, base | same | {"Retention Category": "Retained"} | _size(spec, retained))
        )
    for part in parts:
        pg = mapped.geometry[(module, location, "baseline", part.ref)]
        enh = enhancements.get(part.ref)
        if enh is not None and pg.enhanced is not None and not pg.enhanced.is_empty:
            values = base | _side(rel, spec, "Proposed", enh) | {"Retention Category": "Enhanced"}
            values |= {ADVANCE: _years(enh.advance_years), DELAY: _years(enh.delay_years)}
            out[spec.name].append(Record(pg.enhanced, values | _size(spec, pg.enhanced)))
    if spec is not HABITATS and geom.whole is not None:  # the lost remainder of a hedgerow or watercourse
        kept_parts = [
            g
            for g in (retained, *(mapped.geometry[(module, location, "baseline", p.ref)].enhanced for p in parts))
            if g is not None
        ]
        lost = shapely.difference(geom.whole, shapely.union_all(kept_parts)) if kept_parts else geom.whole
        lost = shapely.line_merge(lost) if lost.geom_type == "MultiLineString" else lost
        if lost.length > 0.01:
            out[spec.name].append(Record(lost, base | {"Retention Category": "Lost"} | _size(spec, lost)))


def _created_feature(
    out: Layers, rel: Release, module: str, location: str, row: Any, geom: BaseGeometry, name: str
) -> None:
    spec = _layer_of(module, row)
    values = _common(spec, location, row.spatial_risk, name, row.ref) | _side(rel, spec, "Proposed", row)
    values |= {ADVANCE if spec is not TREES else "Habitat Created/Enhanced in advance/years": _years(row.advance_years)}
    values |= {
        DELAY if spec is not TREES else "Delay in starting habitat creation/enhancement in years": _years(
            row.delay_years
        )
    }
    if spec is HABITATS:
        values["Retention Category"] = "Lost"  # the NE template: "Lost, to be created"
    else:
        values["Retention Category"] = "Created"
        if spec is TREES:
            values |= {"Category": "Newly Planted", "Count": row.trees[0][1]}
        elif spec is HEDGEROWS:
            values |= {"Baseline Hedge Type": "To be created"}
        else:
            values |= {"Baseline River Type": "To be created"}
    out[spec.name].append(Record(geom, values | _size(spec, geom)))


def _size(spec: LayerSpec, geom: BaseGeometry | None) -> dict[str, Any]:
    if geom is None:
        return {}
    if spec is HABITATS:
        return {"Area": round(float(geom.area))}
    if spec in (HEDGEROWS, RIVERS):
        return {"Length": round(float(geom.length))}
    return {}


# -- writers -------------------------------------------------------------------------------------


def _arrays(spec: LayerSpec, records: list[Record], short: bool = False) -> tuple[list[np.ndarray], list[str]]:
    arrays, names = [], []
    for col in spec.columns:
        values = [r.values.get(col.name) for r in records]
        if col.sqlite_type == "DATE":
            arr = np.array([np.datetime64(v) if v else np.datetime64("NaT") for v in values], dtype="datetime64[D]")
        elif col.sqlite_type == "MEDIUMINT":
            arr = np.array([int(v) if v is not None else 0 for v in values], dtype=np.int32)
        elif col.sqlite_type == "REAL":
            arr = np.array([float(v) if v is not None else np.nan for v in values], dtype=np.float64)
        else:
            arr = np.array([None if v is None else str(v) for v in values], dtype=object)
        arrays.append(arr)
        names.append(col.shapefile if short else col.name)
    return arrays, names


def _wkb(spec: LayerSpec, records: list[Record]) -> np.ndarray:
    geoms = np.array([r.geometry for r in records], dtype=object)
    if spec.geometry_type == "MULTIPOLYGON" and len(geoms):
        geoms = np.array(
            [
                shapely.multipolygons(shapely.get_parts(g)) if g is not None and g.geom_type == "Polygon" else g
                for g in geoms
            ],
            dtype=object,
        )
    return shapely.to_wkb(geoms) if len(geoms) else np.empty(0, dtype=object)


def write_geopackage(path: Path, layers: Layers) -> Path:
    """A GeoPackage with the template's five tables (empty where there is nothing to map)."""
    path = Path(path)
    if path.exists():
        path.unlink()
    for spec in LAYERS:
        records = layers.get(spec.name, [])
        arrays, names = _arrays(spec, records)
        pyogrio.raw.write(
            str(path),
            _wkb(spec, records),
            arrays,
            names,
            layer=spec.name,
            driver="GPKG",
            geometry_type=_OGR_GEOMETRY[spec.geometry_type],
            crs=f"EPSG:{EPSG}",
            layer_options={"GEOMETRY_NAME": spec.geometry_column, "FID": "fid"},
            promote_to_multi=False,
        )
    return path


def write_shapefiles(target: Path, layers: Layers) -> Path:
    """One Shapefile per layer (template names in 10 characters); a .zip when target ends in .zip."""
    target = Path(target)
    folder = Path(tempfile.mkdtemp()) if target.suffix.lower() == ".zip" else target
    folder.mkdir(parents=True, exist_ok=True)
    for spec in LAYERS:
        records = layers.get(spec.name, [])
        arrays, names = _arrays(spec, records, short=True)
        pyogrio.raw.write(
            str(folder / f"{spec.name}.shp"),
            _wkb(spec, records),
            arrays,
            names,
            driver="ESRI Shapefile",
            geometry_type=_OGR_GEOMETRY[spec.geometry_type].replace("Multi", "")
            if spec.kind != "polygon"
            else "MultiPolygon",
            crs=f"EPSG:{EPSG}",
            encoding="UTF-8",
        )
    if target.suffix.lower() == ".zip":
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
            for p in sorted(folder.iterdir()):
                zf.write(p, p.name)
        shutil.rmtree(folder)
    return target


def write_geojson(folder: Path, layers: Layers) -> Path:
    """One GeoJSON file per layer, in WGS84 as RFC 7946 requires."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for spec in LAYERS:
        records = layers.get(spec.name, [])
        arrays, names = _arrays(spec, records)
        geoms = np.array([r.geometry for r in records], dtype=object)
        wgs = from_bng(geoms, 4326) if len(geoms) else geoms
        pyogrio.raw.write(
            str(folder / f"{spec.name}.geojson"),
            shapely.to_wkb(wgs) if len(wgs) else np.empty(0, dtype=object),
            arrays,
            names,
            driver="GeoJSON",
            geometry_type=_OGR_GEOMETRY[spec.geometry_type],
            crs="EPSG:4326",
            layer_options={"RFC7946": "YES", "COORDINATE_PRECISION": "9"},
        )
    return folder


WRITERS = {"gpkg": write_geopackage, "shapefile": write_shapefiles, "geojson": write_geojson}


def export_site(mapped: MappedSite, baseline: Path, post: Path | None = None, fmt: str = "gpkg") -> list[Path]:
    """Write the baseline (and post-intervention) files of a mapped site."""
    writer = WRITERS[fmt]
    out = [writer(baseline, stage_layers(mapped, "baseline"))]
    if post is not None:
        out.append(writer(post, stage_layers(mapped, "post-intervention")))
    return out
