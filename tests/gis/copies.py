"""Shapefile and GeoJSON copies of a GeoPackage, made the way a user's GIS would make them.

Every table GDAL can read is copied as it is (faults included): Shapefile columns get the names
GDAL gives the template's columns (other columns are truncated by GDAL), GeoJSON layers are
reprojected to WGS84 as RFC 7946 wants. Written with pyogrio and pyproj directly, not with
bng.gis, so that the copies do not share bng's assumptions.
"""

from __future__ import annotations

import sqlite3
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pyogrio
import pyproj
import shapely

from bng.gis.standard import LAYER_BY_KEY

FORMATS = ("gpkg", "shapefile", "geojson")


def _tables(gpkg: Path) -> list[str]:
    con = sqlite3.connect(f"{gpkg.resolve().as_uri()}?mode=ro", uri=True)
    try:
        rows = con.execute("SELECT table_name, data_type FROM gpkg_contents").fetchall()
    finally:
        con.close()
    return [
        name for name, kind in rows if name != "layer_styles" and (kind == "features" or name.lower() in LAYER_BY_KEY)
    ]


def _to_wgs84(wkb: np.ndarray, crs: str) -> np.ndarray:
    geoms = shapely.from_wkb(wkb)
    group = pyproj.transformer.TransformerGroup(crs, "EPSG:4326", always_xy=True, allow_ballpark=False)
    t = group.transformers[0]

    def fn(coords: np.ndarray) -> np.ndarray:
        x, y = t.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.to_wkb(shapely.transform(geoms, fn))


def copy_as(gpkg: Path, fmt: str, tmp: Path) -> Path:
    """A copy of a GeoPackage as a .zip of Shapefiles or a folder of GeoJSON files; the original for gpkg."""
    if fmt == "gpkg":
        return gpkg
    folder = tmp / f"{gpkg.stem}-{fmt}"
    folder.mkdir(parents=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for table in _tables(gpkg):
            spec = LAYER_BY_KEY.get(table.lower())
            meta, _, wkb, values = pyogrio.raw.read(str(gpkg), layer=table)
            names = [str(n) for n in meta["fields"]]
            gtype = meta["geometry_type"]
            crs = meta["crs"]
            if fmt == "shapefile":
                short = {c.name: c.shapefile for c in spec.columns} if spec else {}
                pyogrio.raw.write(
                    str(folder / f"{table}.shp"),
                    wkb,
                    values,
                    [short.get(n, n) for n in names],
                    driver="ESRI Shapefile",
                    geometry_type=gtype,
                    crs=crs,
                    encoding="UTF-8",
                )
            else:
                if wkb is not None and crs and len(wkb):
                    wkb = _to_wgs84(wkb, crs)
                pyogrio.raw.write(
                    str(folder / f"{table}.geojson"),
                    wkb,
                    values,
                    names,
                    driver="GeoJSON",
                    geometry_type=gtype,
                    crs="EPSG:4326" if crs else None,
                    layer_options={"RFC7946": "YES", "COORDINATE_PRECISION": "9"} if crs else {},
                )
    if fmt == "geojson":
        return folder
    target = tmp / f"{gpkg.stem}.zip"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(folder.iterdir()):
            zf.write(p, f"{gpkg.stem}/{p.name}")
    return target
