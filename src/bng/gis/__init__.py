"""Habitat maps: GeoPackage, Shapefile and GeoJSON in, validated, to the metric and to plans.

This is the package's face: code outside ``bng.gis`` imports from here, never from a submodule
(an import-linter contract in pyproject.toml). The face is lazy: its names are imported from
their modules when first used, so ``import bng.gis`` loads neither GDAL, PROJ, GEOS nor
matplotlib. Every exception is in :mod:`bng.gis.errors`; the coordinate reference system policy
(EPSG:27700, PROJ offline) is :mod:`bng.gis.crs`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bng.faces import lazy_face

if TYPE_CHECKING:
    from .crs import WGS84, Reprojection, from_bng, is_bng, parse_crs, points_from_bng, to_bng, wgs84_to_bng
    from .errors import (
        CRSError,
        GisError,
        MapError,
        MapFileError,
        MetricError,
        NotAGeoPackage,
        PlanError,
        TooManyVertices,
    )
    from .export import export_site
    from .gpkgschema import check_safe
    from .outline import england_geojson
    from .plan import draw_plan
    from .reading import read_map
    from .reconcile import Metric, read_metric
    from .reconcile import reconcile as reconcile_maps
    from .sitemap import RowGeometry
    from .validate import validate as validate_map
    from .vertices import MAX_VERTICES_PER_BOUNDARY, MAX_VERTICES_PER_FEATURE, check_geojson, check_wkb
    from .vocabulary import text as cell_text
    from .workflow import Loaded, load_maps
    from .zips import unsafe_member

# Where each name of the face is defined ("module" or "module:name"). A name is imported from its
# module the first time it is asked for (PEP 562), so importing the face costs nothing and
# ``import bng.cli`` stays light (tests/test_startup.py). No name here is also a submodule's name:
# once the submodule was imported, Python would answer the module instead (tests/test_architecture.py).
_WHERE = {
    "Reprojection": "crs",
    "WGS84": "crs",
    "from_bng": "crs",
    "is_bng": "crs",
    "parse_crs": "crs",
    "points_from_bng": "crs",
    "to_bng": "crs",
    "wgs84_to_bng": "crs",
    "CRSError": "errors",
    "GisError": "errors",
    "MapError": "errors",
    "MapFileError": "errors",
    "MetricError": "errors",
    "NotAGeoPackage": "errors",
    "PlanError": "errors",
    "TooManyVertices": "errors",
    "export_site": "export",
    "check_safe": "gpkgschema",
    "england_geojson": "outline",
    "draw_plan": "plan",
    "read_map": "reading",
    "Metric": "reconcile",
    "read_metric": "reconcile",
    "reconcile_maps": "reconcile:reconcile",
    "RowGeometry": "sitemap",
    "validate_map": "validate:validate",
    "MAX_VERTICES_PER_BOUNDARY": "vertices",
    "MAX_VERTICES_PER_FEATURE": "vertices",
    "check_geojson": "vertices",
    "check_wkb": "vertices",
    "cell_text": "vocabulary:text",
    "Loaded": "workflow",
    "load_maps": "workflow",
    "unsafe_member": "zips",
}

__all__ = [
    "MAX_VERTICES_PER_BOUNDARY",
    "MAX_VERTICES_PER_FEATURE",
    "WGS84",
    "CRSError",
    "GisError",
    "Loaded",
    "MapError",
    "MapFileError",
    "Metric",
    "MetricError",
    "NotAGeoPackage",
    "PlanError",
    "Reprojection",
    "RowGeometry",
    "TooManyVertices",
    "cell_text",
    "check_geojson",
    "check_safe",
    "check_wkb",
    "draw_plan",
    "england_geojson",
    "export_site",
    "from_bng",
    "is_bng",
    "load_maps",
    "parse_crs",
    "points_from_bng",
    "read_map",
    "read_metric",
    "reconcile_maps",
    "to_bng",
    "unsafe_member",
    "validate_map",
    "wgs84_to_bng",
]

__getattr__, __dir__ = lazy_face(__name__, _WHERE, __all__)
