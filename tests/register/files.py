"""Real files of every kind the register meets, made in memory for the tests."""

from __future__ import annotations

import io
import json
import tempfile
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pyogrio
import pyogrio.raw
import shapely

from bng.register import samples

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89" + (
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x9a\xa0\xa0\x00\x00\x00\x00IEND\xaeB`\x82"
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


def zipped(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def docx() -> bytes:
    return zipped({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})


def xlsx(macros: bool = False) -> bytes:
    members = {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}
    if macros:
        members["xl/vbaProject.bin"] = b"\x00" * 16
    return zipped(members)


def shapefile_zip(geom: shapely.Geometry, crs: str | None = "EPSG:27700", name: str = "site") -> bytes:
    """A zipped Shapefile of one polygon (written by GDAL), with or without its .prj."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{name}.shp"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # GDAL warns of the missing CRS this helper was asked to omit
            pyogrio.raw.write(
                path,
                np.array([shapely.to_wkb(geom)], dtype=object),
                [np.array([1])],
                ["id"],
                geometry_type="Polygon",
                crs=crs,
            )
        members = {p.name: p.read_bytes() for p in Path(tmp).iterdir() if crs or p.suffix != ".prj"}
    return zipped(members)


def geojson_wgs84(ring: list[list[float]]) -> bytes:
    """A GeoJSON polygon in longitude and latitude, without a crs member (RFC 7946)."""
    from bng.register.core.places import bng_to_wgs84

    poly = bng_to_wgs84(shapely.Polygon(ring))
    return json.dumps({"type": "Feature", "properties": {}, "geometry": shapely.geometry.mapping(poly)}).encode()


def geopackage(geom: shapely.Geometry, layer: str = "Red Line Boundary") -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "site.gpkg"
        pyogrio.raw.write(
            path, np.array([shapely.to_wkb(geom)], dtype=object), [np.array([1])], ["id"], layer=layer,
            geometry_type="Polygon", crs="EPSG:27700", driver="GPKG",
        )  # fmt: skip
        return path.read_bytes()


def square(easting: float = 545_000, northing: float = 258_000, hectares: float = 4.0) -> shapely.Polygon:
    return shapely.Polygon(samples.square(easting, northing, hectares))


RETAINED = "spec/geopackages/valid/{} - retained areas hedgerows and watercourses.gpkg"


def retained_maps(shared: Path) -> tuple[bytes, bytes]:
    """DEFRA's valid pair whose post-intervention map retains every habitat: no uplift at all."""
    base, post = (shared / RETAINED.format(stage) for stage in ("Baseline", "Post-intervention"))
    return base.read_bytes(), post.read_bytes()


def enhanced_maps(shared: Path) -> tuple[bytes, bytes]:
    """The retained pair with its 1.5 ha of moderate modified grassland (parcel H0H1) enhanced to other neutral
    grassland in the post-intervention map: a gain site's maps, with an uplift (the map edited as QGIS would,
    in its attribute table)."""
    import sqlite3

    base, post = retained_maps(shared)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "post.gpkg"
        path.write_bytes(post)
        with sqlite3.connect(path) as db:
            db.execute(
                """UPDATE "Habitats" SET "Retention Category" = 'Enhanced', "Proposed Broad Habitat Type" = 'Grassland',
                   "Proposed Habitat Type" = 'Other neutral grassland', "Proposed Condition" = 'Moderate',
                   "Proposed Distinctiveness" = 'Medium' WHERE "Parcel Ref" = 'H0H1'"""
            )
        db.close()
        return base, path.read_bytes()
