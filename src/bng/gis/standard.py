"""The GeoPackage data standard of DEFRA's digital statutory metric, as data.

Layer and column names, declared types, the Shapefile names the same columns get, the
tolerances of the geometry rules and the values the attribute columns take. Source:
``shared/spec/geopackage-standard.md`` (sections 2-4); the Shapefile names are the ones GDAL
(and so QGIS) gives the template's columns, in template order, when the layers are saved as
Shapefiles (a DBF field name has at most 10 characters).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bng.metric import Module

GeometryKind = Literal["polygon", "line", "point"]

EPSG = 27700
GPKG_APPLICATION_IDS = (0x47503130, 0x47504B47)  # "GP10", "GPKG"
SYSTEM_TABLES = ("gpkg_spatial_ref_sys", "gpkg_contents", "gpkg_geometry_columns")

# -- tolerances (metres, square metres) ------------------------------------------------------
OVERLAP_M2 = 0.5
OVERLAP_GRID_M = 0.001
MIN_PARCEL_M2 = 1.0
OUTSIDE_RED_LINE_M2 = 0.5
LINE_OUTSIDE_M = 0.1
TREE_OUTSIDE_M = 0.1
AREA_SUM_M2 = 0.5
GAP_M2 = 0.5  # bng's own gap rule uses the standard's area tolerance
OUTSIDE_ENGLAND_M2 = 0.5
MAX_RED_LINE_M2 = 100_000_000.0
LISTED_PER_RULE = 50  # the standard lists at most 50 offending parcels per rule


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    """A column of a template layer, as the standard declares it."""

    name: str
    sqlite_type: str  # as declared in the NE template
    shapefile: str  # the DBF field name GDAL gives it

    @property
    def affinity(self) -> str:
        """The column's SQLite type affinity (what a GeoPackage may store in it)."""
        return sqlite_affinity(self.sqlite_type)


@dataclass(frozen=True, slots=True)
class LayerSpec:
    """A layer of the NE template: its name, geometry, module, stage and columns."""

    name: str
    geometry_column: str
    geometry_type: str  # declared type of the template
    kind: GeometryKind
    required: bool
    module: Module | None  # None for the red line boundary
    ref_column: str | None
    columns: tuple[ColumnSpec, ...]

    def column(self, name: str) -> ColumnSpec | None:
        """The layer's column of that name, or None."""
        for c in self.columns:
            if c.name == name:
                return c
        return None


def _cols(*spec: tuple[str, str, str]) -> tuple[ColumnSpec, ...]:
    return tuple(ColumnSpec(n, t, s) for n, t, s in spec)


T99, T999 = "TEXT(99)", "TEXT(999)"
_SURVEY = (
    ("Site Name", T999, "Site Name"),
    ("Survey Date", "DATE", "Survey Dat"),
    ("Survey Details", T999, "Survey Det"),
)
_MAPPED = (("Mapped by", T999, "Mapped by"), ("Company", T999, "Company"), ("Base Map", T999, "Base Map"))
_DISTINCT = (("Baseline Distinctiveness", T999, "Baseline D"), ("Proposed Distinctiveness", T999, "Proposed D"))
ADVANCE = "Habitat created in advance/years"
DELAY = "Delay in starting habitat creation/years"
TREE_ADVANCE = "Habitat Created/Enhanced in advance/years"
TREE_DELAY = "Delay in starting habitat creation/enhancement in years"

RED_LINE = LayerSpec(
    "Red Line Boundary",
    "geometry",
    "POLYGON",
    "polygon",
    True,
    None,
    None,
    _cols(("Area", "REAL", "Area"), ("Site Name", T99, "Site Name")),
)
HABITATS = LayerSpec(
    "Habitats",
    "geom",
    "MULTIPOLYGON",
    "polygon",
    True,
    "area",
    "Parcel Ref",
    _cols(
        ("Parcel Ref", T99, "Parcel Ref"),
        ("Baseline Broad Habitat Type", T99, "Baseline B"),
        ("Baseline Habitat Type", T99, "Baseline H"),
        ("Area", "MEDIUMINT", "Area"),
        ("Baseline Condition", T99, "Baseline C"),
        ("Baseline Strategic Significance", T99, "Baseline S"),
        ("Retention Category", T99, "Retention"),
        ("Proposed Broad Habitat Type", T99, "Proposed B"),
        ("Proposed Habitat Type", T99, "Proposed H"),
        ("Proposed Condition", T99, "Proposed C"),
        ("Proposed Strategic Significance", T99, "Proposed S"),
        (ADVANCE, T99, "Habitat cr"),
        (DELAY, T99, "Delay in s"),
        ("Spatial risk category", T99, "Spatial ri"),
        ("Location", T99, "Location"),
        *_SURVEY,
        ("Comment", T999, "Comment"),
        *_MAPPED,
        *_DISTINCT,
    ),
)
HEDGEROWS = LayerSpec(
    "Hedgerows",
    "geom",
    "LINESTRING",
    "line",
    False,
    "hedgerow",
    "Parcel Ref",
    _cols(
        ("Parcel Ref", T99, "Parcel Ref"),
        ("Baseline Hedge Type", T99, "Baseline H"),
        ("Baseline Condition", T99, "Baseline C"),
        ("Baseline Strategic Significance", T99, "Baseline S"),
        ("Retention Category", T99, "Retention"),
        ("Proposed Hedge Type", T99, "Proposed H"),
        ("Proposed Condition", T99, "Proposed C"),
        ("Proposed Strategic Significance", T99, "Proposed S"),
        ("Length", "MEDIUMINT", "Length"),
        (ADVANCE, T99, "Habitat cr"),
        (DELAY, T99, "Delay in s"),
        ("Spatial risk category", T99, "Spatial ri"),
        ("Location", T99, "Location"),
        *_SURVEY,
        ("Comments", T999, "Comments"),
        *_MAPPED,
        *_DISTINCT,
    ),
)
RIVERS = LayerSpec(
    "Rivers",
    "geom",
    "LINESTRING",
    "line",
    False,
    "watercourse",
    "Parcel Ref",
    _cols(
        ("Parcel Ref", T99, "Parcel Ref"),
        ("Baseline River Type", T99, "Baseline R"),
        ("Baseline Condition", T99, "Baseline C"),
        ("Baseline Strategic Significance", T99, "Baseline S"),
        ("Baseline Encroachment into Watercourse", T99, "Baseline E"),
        ("Baseline Encroachment into riparian zone", T99, "Baseline_1"),
        ("Retention Category", T99, "Retention"),
        ("Proposed River Type", T99, "Proposed R"),
        ("Proposed Condition", T99, "Proposed C"),
        ("Proposed Strategic Significance", T99, "Proposed S"),
        ("Length", "MEDIUMINT", "Length"),
        (ADVANCE, T99, "Habitat cr"),
        (DELAY, T99, "Delay in s"),
        ("Spatial risk category", T99, "Spatial ri"),
        ("Location", T99, "Location"),
        ("Proposed Encroachment into Watercourse", T99, "Proposed E"),
        ("Proposed Encroachment into riparian zone", T99, "Proposed_1"),
        *_SURVEY,
        ("Comments", T999, "Comments"),
        *_MAPPED,
        ("Enhancement Type", T999, "Enhancemen"),
        *_DISTINCT,
    ),
)
TREES = LayerSpec(
    "Urban Trees",
    "geometry",
    "POINT",
    "point",
    False,
    "area",
    "Tree Ref",
    _cols(
        ("Tree Ref", T99, "Tree Ref"),
        ("Baseline Tree Size", T99, "Baseline T"),
        ("Baseline Condition", T99, "Baseline C"),
        ("Baseline Strategic Significance", T99, "Baseline S"),
        ("Baseline Tree Type", T99, "Baseline_1"),
        ("Retention Category", T99, "Retention"),
        ("Category", T99, "Category"),
        ("Proposed Tree Size", T99, "Proposed T"),
        ("Proposed Condition", T99, "Proposed C"),
        ("Proposed Strategic Significance", T99, "Proposed S"),
        ("Proposed Tree Type", T99, "Proposed_1"),
        ("Location", T99, "Location"),
        (TREE_ADVANCE, T99, "Habitat Cr"),
        (TREE_DELAY, T99, "Delay in s"),
        ("Spatial risk category", T99, "Spatial ri"),
        *_SURVEY,
        ("Comment", T999, "Comment"),
        *_MAPPED,
        ("Count", "MEDIUMINT", "Count"),
        ("Baseline Rural or Urban Tree", T999, "Baseline R"),
        ("Proposed Rural or Urban Tree", T999, "Proposed R"),
    ),
)

LAYERS: tuple[LayerSpec, ...] = (RED_LINE, HABITATS, HEDGEROWS, RIVERS, TREES)
LAYER_BY_KEY = {spec.name.lower(): spec for spec in LAYERS}
# permitted by the template but never read [standard section 2]
IGNORED_LAYERS = ("water course enhancement through meanders",)

# -- values ------------------------------------------------------------------------------------
RETENTION = ("Retained", "Enhanced", "Lost", "Created")
LOCATIONS = {"on-site": "on_site", "off-site": "off_site", "onsite": "on_site", "offsite": "off_site"}
TO_BE_CREATED = "to be created"
TREE_SIZES = ("Small", "Medium", "Large", "Very large")
TREE_HABITATS = {"urban": "Individual trees - Urban tree", "rural": "Individual trees - Rural tree"}
BLANKS = frozenset({"", "n/a", "na", "null", "none", "-"})
MAX_YEARS = 30


def sqlite_affinity(declared: str) -> str:
    """SQLite's column affinity for a declared type (sqlite.org/datatype3.html, section 3.1)."""
    t = declared.upper()
    if "INT" in t:
        return "INTEGER"
    if "CHAR" in t or "CLOB" in t or "TEXT" in t:
        return "TEXT"
    if "BLOB" in t or not t:
        return "BLOB"
    if "REAL" in t or "FLOA" in t or "DOUB" in t:
        return "REAL"
    return "NUMERIC"


def layer_key(name: str) -> str:
    """How a layer (or a file named after one) is looked up: case- and underscore-insensitive."""
    return " ".join(name.replace("_", " ").split()).lower()
