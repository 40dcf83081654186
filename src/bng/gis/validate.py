"""Validate one habitat map against the GeoPackage standard: file, schema, attributes, geometry.

The order is the standard's: a structural fault (a missing layer or column, a wrong geometry
type, an unusable CRS) stops the checks, since nothing after it could be trusted; otherwise
every attribute and geometry rule runs and every finding is reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from bng.metric import load

from .errors import MapFileError
from .features import Features, StageName, detect_stage, read_features
from .findings import Finding
from .geometry_checks import check_geometry
from .reading import MAX_FEATURES, MAX_FILE_BYTES, MapSource, read_map
from .vocabulary import Vocabulary


@dataclass
class Report:
    """The validation of one map file: its format, the findings, and what was read."""

    path: Path
    format: str | None
    stage: StageName | None
    findings: list[Finding] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    reprojections: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        """The findings that fail validation."""
        return [f for f in self.findings if f.level == "error"]

    @property
    def ok(self) -> bool:
        """Whether the file passes validation (no errors)."""
        return not self.errors

    @property
    def defra_ok(self) -> bool:
        """Whether DEFRA's service would take the file (bng's extra rules aside)."""
        return not any(f.rule.defra_rejects for f in self.findings)

    def codes(self, level: str = "error") -> set[str]:
        """The codes of the findings of one level."""
        return {f.code for f in self.findings if f.level == level}

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON."""
        return {
            "file": str(self.path),
            "format": self.format,
            "stage": self.stage,
            "valid": self.ok,
            "defra_would_accept": self.defra_ok,
            "features": self.counts,
            "reprojections": self.reprojections,
            "findings": [f.to_dict() for f in self.findings],
        }


@cache
def vocabulary(release: str | None = None) -> Vocabulary:
    """The metric's words for a release, looked up as maps write them (built once per release)."""
    return Vocabulary(load(release))


def check(
    source: MapSource, stage: StageName | None = None, release: str | None = None
) -> tuple[Report, Features | None]:
    """Check an opened map; the features come back too when the file could be read."""
    stage = stage or detect_stage(source)
    report = Report(source.path, source.format, stage, list(source.findings), reprojections=list(source.reprojections))
    report.counts = {name: len(layer) for name, layer in source.layers.items()}
    if source.blocking:
        return report, None
    features = read_features(source, vocabulary(release), stage)
    report.findings += features.findings
    report.findings += check_geometry(source)
    return report, features


def validate(
    path: Path | str,
    stage: StageName | None = None,
    *,
    release: str | None = None,
    max_bytes: int = MAX_FILE_BYTES,
    max_features: int = MAX_FEATURES,
) -> Report:
    """Validate a map file; never raises for bad content (an unusable file is one finding)."""
    path = Path(path)
    try:
        source = read_map(path, max_bytes=max_bytes, max_features=max_features)
    except MapFileError as err:
        return Report(path, None, stage, [err.finding])
    report, _ = check(source, stage, release)
    return report
