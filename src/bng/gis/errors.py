"""Every exception bng.gis raises, in one module (as pyogrio keeps its own in ``pyogrio.errors``).

All derive from :class:`GisError`, so a caller that only needs to know "this map cannot be used"
catches one class; the two that are also ``ValueError`` (a bad CRS, a plan asked for with bad
options) stay so, as before. Each module of the package raises them from here, and the package's
face (``bng.gis``) exports them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .findings import Finding


class GisError(Exception):
    """Base class of the exceptions of :mod:`bng.gis`."""


class CRSError(GisError, ValueError):
    """A CRS that cannot be used (none, undefined, or with no transformation to EPSG:27700)."""


class MapFileError(GisError):
    """The file cannot be used at all; ``finding`` says why."""

    def __init__(self, path: Path, finding: Finding) -> None:
        """Keep the path and the finding; the message is the finding's, prefixed by the path."""
        super().__init__(f"{path}: {finding.message}")
        self.path = path
        self.finding = finding


class MapError(GisError):
    """A map that cannot be used (not found, not a map, or structurally broken)."""


class MetricError(GisError):
    """A metric file that cannot be read (the message names the file and the problem)."""


class NotAGeoPackage(GisError):
    """The file is not a GeoPackage at all (the finding says why)."""

    def __init__(self, finding: Finding) -> None:
        """Keep the finding; the message is the finding's."""
        super().__init__(finding.message)
        self.finding = finding


class PlanError(GisError, ValueError):
    """A plan that cannot be drawn (unknown paper or output type, nothing to draw)."""


@dataclass(frozen=True, slots=True)
class TooManyVertices(GisError):
    """A feature or a file has more vertices than allowed; ``message`` says which and how many."""

    message: str
    feature: int | None = None  # the position of the feature in its layer, when one feature is too large

    def __str__(self) -> str:
        """The message alone (a dataclass would print its fields)."""
        return self.message
