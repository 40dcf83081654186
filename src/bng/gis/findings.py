"""What validation finds: one :class:`Finding` per broken rule and feature, with the rule's code.

Codes are the standard's own names where the standard has the rule (section 4 of
``geopackage-standard.md``); rules bng adds carry codes in the same style, marked
``source="bng"`` in :data:`RULES`. Severity says what bng does with a finding: an ``error``
fails validation (exit status 1), a ``warning`` is reported and the file is still used, an
``info`` is a remark. ``defra_rejects`` says whether DEFRA's service refuses the upload for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Severity = Literal["error", "warning", "info"]
Stage = Literal["file", "schema", "attributes", "geometry", "link", "plan"]


@dataclass(frozen=True, slots=True)
class Rule:
    """A rule of the standard (or one bng adds): its code, severity, stage and what it says."""

    code: str
    severity: Severity
    stage: Stage
    source: Literal["standard", "bng"]
    defra_rejects: bool
    summary: str


def _r(code: str, severity: Severity, stage: Stage, summary: str, source: str = "standard") -> Rule:
    defra = source == "standard" and code != "HABITAT_REF_MISSING"
    return Rule(code, severity, stage, "standard" if source == "standard" else "bng", defra, summary)


RULES: dict[str, Rule] = {
    r.code: r
    for r in (
        # file and schema (structural) ------------------------------------------------------
        _r("GPKG_INVALID_FILE", "error", "file", "not an SQLite database (or not a readable map file)"),
        _r("GPKG_NOT_A_GEOPACKAGE", "error", "file", "no GeoPackage application id (GP10 or GPKG)"),
        _r("GPKG_MISSING_SYSTEM_TABLE", "error", "file", "a gpkg_* system table is missing"),
        _r("GPKG_TOO_MANY_FEATURES", "error", "file", "more features than bng reads in one file"),
        _r("FILE_TOO_LARGE", "error", "file", "the file is larger than bng reads", "bng"),
        _r("TOO_MANY_VERTICES", "error", "file", "a feature or the file has more vertices than bng reads", "bng"),
        _r("GPKG_UNSAFE_SCHEMA", "error", "file", "the GeoPackage holds views, generated columns or triggers", "bng"),
        _r("GPKG_READ_TIMEOUT", "error", "file", "reading the GeoPackage's structure took too long", "bng"),
        _r("GPKG_MISSING_LAYER", "error", "schema", "the Habitats or Red Line Boundary layer is missing"),
        _r("GPKG_UNEXPECTED_FEATURE_LAYER", "error", "schema", "a vector layer the template does not have"),
        _r("GPKG_BASELINE_SRS_ID", "error", "schema", "a layer is not in EPSG:27700 (British National Grid)"),
        _r("GPKG_BASELINE_GPKG_SRS_INCONSISTENT", "error", "schema", "geometry SRS differs from the registered SRS"),
        _r("GPKG_BASELINE_CONTENTS_DATA_TYPE", "error", "schema", "a template layer is not registered as features"),
        _r("GPKG_BASELINE_INVALID_GEOMETRY_COLUMN_NAME", "error", "schema", "geometry column name not [A-Za-z0-9_]"),
        _r("GPKG_BASELINE_MULTIPLE_GEOMETRY_COLUMNS", "error", "schema", "a layer has more than one geometry column"),
        _r("GPKG_BASELINE_GEOMETRY_TYPE_NAME", "error", "schema", "declared geometry type differs from the template"),
        _r("GPKG_BASELINE_GEOMETRY_REGISTRATION_MISSING", "error", "schema", "a layer has no geometry column"),
        _r("GPKG_HABITATS_NO_GEOMETRY_COLUMN", "error", "schema", "the Habitats layer has no geometry column"),
        _r("GPKG_RLB_NO_GEOMETRY_COLUMN", "error", "schema", "the Red Line Boundary layer has no geometry column"),
        _r("GPKG_BASELINE_MISSING_COLUMN", "error", "schema", "a column of the template is missing"),
        _r("GPKG_BASELINE_COLUMN_SQLITE_TYPE", "error", "schema", "a column's type differs from the template"),
        _r("GPKG_BASELINE_COLUMN_NOT_NULL", "error", "schema", "fid is not declared NOT NULL"),
        _r("GPKG_BASELINE_COLUMN_PRIMARY_KEY", "error", "schema", "fid is not the primary key"),
        # geometry registration and content -----------------------------------------------------
        _r("GPKG_RLB_NO_POLYGON", "error", "geometry", "the red line boundary layer has no polygon"),
        _r("GPKG_RLB_TOO_MANY_POLYGONS", "error", "geometry", "more than one red line polygon row"),
        _r("NO_HABITAT_AREAS", "error", "geometry", "the Habitats layer has no polygon"),
        _r("GPKG_RLB_WRONG_GEOMETRY_TYPE", "error", "geometry", "a red line boundary geometry is not a polygon", "bng"),
        _r("GPKG_HABITATS_WRONG_GEOMETRY_TYPE", "error", "geometry", "a habitat geometry is not a polygon"),
        _r("GPKG_HEDGEROWS_WRONG_GEOMETRY_TYPE", "error", "geometry", "a hedgerow geometry is not a line"),
        _r("GPKG_RIVERS_WRONG_GEOMETRY_TYPE", "error", "geometry", "a watercourse geometry is not a line"),
        _r("GPKG_TREES_WRONG_GEOMETRY_TYPE", "error", "geometry", "a tree geometry is not a point", "bng"),
        _r("GPKG_HEDGEROWS_NO_LINESTRING_GEOMETRY", "error", "geometry", "hedgerow rows but no line among them"),
        _r("GPKG_RIVERS_NO_LINESTRING_GEOMETRY", "error", "geometry", "watercourse rows but no line among them"),
        _r("GPKG_RLB_UNREADABLE_GEOMETRY", "error", "geometry", "a red line boundary geometry is empty or corrupt"),
        _r("GPKG_HABITATS_UNREADABLE_GEOMETRY", "error", "geometry", "a habitat geometry is empty or corrupt"),
        _r("GPKG_HEDGEROWS_UNREADABLE_GEOMETRY", "error", "geometry", "a hedgerow geometry is empty or corrupt"),
        _r("GPKG_RIVERS_UNREADABLE_GEOMETRY", "error", "geometry", "a watercourse geometry is empty or corrupt"),
        _r("GPKG_TREES_UNREADABLE_GEOMETRY", "error", "geometry", "a tree geometry is empty or corrupt", "bng"),
        _r("REDLINE_INVALID_GEOMETRY", "error", "geometry", "the red line boundary is invalid (e.g. a bow-tie)"),
        _r("AREA_PARCELS_INVALID_GEOMETRY", "error", "geometry", "a parcel is invalid (e.g. self-intersecting)"),
        _r("PARCEL_OVERLAPS", "error", "geometry", "two parcels overlap by more than 0.5 m²"),
        _r("AREA_PARCELS_TOO_SMALL", "error", "geometry", "a parcel is smaller than 1 m²"),
        _r("SLIVERS_OUTSIDE_REDLINE", "error", "geometry", "parcel parts outside the red line add up to slivers"),
        _r("AREA_PARCELS_OUTSIDE_REDLINE", "error", "geometry", "a parcel extends beyond the red line by > 0.5 m²"),
        _r("HEDGEROWS_OUTSIDE_REDLINE", "error", "geometry", "a hedgerow runs beyond the red line by > 0.1 m"),
        _r("WATERCOURSES_OUTSIDE_REDLINE", "error", "geometry", "a watercourse runs beyond the red line by > 0.1 m"),
        _r("TREES_OUTSIDE_REDLINE", "error", "geometry", "a tree stands more than 0.1 m outside the red line"),
        _r("AREA_SUM_MISMATCH", "error", "geometry", "parcel areas do not add up to the red line area (0.5 m²)"),
        _r("PARCEL_GAPS", "error", "geometry", "part of the red line is covered by no parcel (> 0.5 m²)", "bng"),
        _r("GEOMETRY_UNCHECKABLE", "error", "geometry", "GEOS could not compute a geometry rule", "bng"),
        _r("REDLINE_OUTSIDE_ENGLAND", "error", "geometry", "the red line boundary is not in England"),
        _r("REDLINE_AREA_TOO_LARGE", "error", "geometry", "the red line boundary is larger than 100 km²"),
        # attributes ----------------------------------------------------------------------------
        _r("HABITAT_DISTINCTIVENESS_NOT_IN_SCOPE", "info", "attributes", "High/V.High: outside DEFRA's beta"),
        _r("DUPLICATE_HABITAT_REF", "error", "attributes", "two habitat parcels share a Parcel Ref"),
        _r("HABITAT_REF_MISSING", "warning", "attributes", "a habitat, hedgerow or watercourse has no ref"),
        _r("HABITAT_REF_INVALID_CHARACTERS", "error", "attributes", "a ref is not valid UTF-8 text"),
        _r("ADVANCE_AND_DELAY_BOTH_SET", "error", "attributes", "both advance and delay years are set"),
        _r("UNKNOWN_HABITAT", "error", "attributes", "a habitat type the metric does not have", "bng"),
        _r("BROAD_HABITAT_MISMATCH", "warning", "attributes", "broad habitat and habitat type disagree", "bng"),
        _r("CONDITION_NOT_ALLOWED", "error", "attributes", "a condition the habitat cannot have", "bng"),
        _r("UNKNOWN_VALUE", "error", "attributes", "a value not among those the column allows", "bng"),
        _r("MISSING_BASELINE_DATA", "error", "attributes", "a baseline habitat, condition or size is blank", "bng"),
        _r("MISSING_PROPOSED_DATA", "error", "attributes", "a proposed habitat, condition or SS is blank", "bng"),
        _r("BAD_YEARS", "error", "attributes", "advance or delay is not 0-30 years or 30+", "bng"),
        # linking a post-intervention map to its baseline ------------------------------------
        _r("RED_LINES_DIFFER", "warning", "link", "baseline and post-intervention red lines differ", "bng"),
        _r("NOT_ON_BASELINE", "warning", "link", "a retained/enhanced feature has no baseline under it", "bng"),
        _r("BASELINE_ATTRIBUTES_DIFFER", "warning", "link", "a post row's Baseline columns differ", "bng"),
        _r("SPATIAL_RISK_MISSING", "warning", "link", "an off-site row has no spatial risk category", "bng"),
        _r("LEGEND_SHORTENED", "warning", "plan", "not every habitat fitted the plan's key", "bng"),
        _r("EXCEEDS_BASELINE", "warning", "link", "retained + enhanced more than the baseline feature", "bng"),
    )
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One broken rule, located as precisely as the rule allows."""

    code: str
    message: str
    layer: str | None = None
    fid: int | None = None
    ref: str | None = None
    field: str | None = None
    severity: Severity | None = None  # None: the rule's own severity
    file: str | None = None  # set when findings of several files are reported together

    @property
    def rule(self) -> Rule:
        """The rule the finding breaks."""
        return RULES[self.code]

    @property
    def level(self) -> Severity:
        """The finding's severity: its own when it was given one, else its rule's."""
        return self.severity or RULES[self.code].severity

    def where(self) -> str:
        """Where the finding is, in words: file, layer, feature, reference and field."""
        parts = [self.file] if self.file else []
        if self.layer:
            parts.append(f"layer '{self.layer}'")
        if self.fid is not None:
            parts.append(f"feature {self.fid}")
        if self.ref:
            parts.append(f"(ref {self.ref})")
        if self.field:
            parts.append(f"field '{self.field}'")
        return " ".join(parts)

    def __str__(self) -> str:
        """The finding as one line: level, where, message and code."""
        where = self.where()
        return f"{self.level}: {where + ': ' if where else ''}{self.message} [{self.code}]"

    def to_dict(self) -> dict[str, Any]:
        """The finding as JSON (reports, the API)."""
        return {
            "code": self.code,
            "severity": self.level,
            "file": self.file,
            "stage": self.rule.stage,
            "source": self.rule.source,
            "defra_rejects": self.rule.defra_rejects,
            "layer": self.layer,
            "fid": self.fid,
            "ref": self.ref,
            "field": self.field,
            "message": self.message,
        }
