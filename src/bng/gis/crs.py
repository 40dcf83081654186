"""Coordinate reference systems: everything is worked in EPSG:27700 (British National Grid).

Input in another CRS (WGS84 GeoJSON above all) is reprojected with the most accurate
transformation PROJ has *offline*. PROJ's network access stays off, so nothing is downloaded:
without the OSTN15 grid (about 0.1 m) the WGS84 → OSGB36 step is EPSG's 7-parameter Helmert
transformation "OSGB36 to WGS 84 (6)", whose stated accuracy is 2 m. That is an error of
position (the whole site shifts by up to about 2 m); areas and lengths are affected only by
the scale of the transformation, a few parts per million.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy as np
import pyproj
import shapely
from pyproj.transformer import TransformerGroup

from .standard import EPSG


class CRSError(ValueError):
    """A CRS that cannot be used (none, undefined, or with no transformation to EPSG:27700)."""


@dataclass(frozen=True, slots=True)
class Reprojection:
    source: str  # e.g. "EPSG:4326 (WGS 84)"
    method: str  # PROJ's description of the operation
    accuracy_m: float | None  # PROJ's stated accuracy; None when unknown

    def describe(self) -> str:
        acc = f"about {self.accuracy_m:g} m" if self.accuracy_m and self.accuracy_m > 0 else "unknown"
        return (
            f"reprojected from {self.source} to EPSG:27700 with '{self.method}' (positional accuracy {acc}; "
            "PROJ runs offline, so the OSTN15 grid that gives about 0.1 m is not used; areas and lengths "
            "change by a few parts per million at most)"
        )


def _name(crs: pyproj.CRS) -> str:
    code = crs.to_epsg(min_confidence=70)
    return f"EPSG:{code} ({crs.name})" if code else crs.name


def parse_crs(text: str | None) -> pyproj.CRS:
    """The CRS a file declares; raises :class:`CRSError` when there is none or it is unusable."""
    if not text:
        raise CRSError("the layer has no coordinate reference system")
    try:
        crs = pyproj.CRS.from_user_input(text)
    except pyproj.exceptions.CRSError as err:
        raise CRSError(f"the coordinate reference system cannot be read ({err})") from None
    if crs.is_engineering or not (crs.is_projected or crs.is_geographic):
        raise CRSError(f"the coordinate reference system {crs.name!r} is not a geographic or projected CRS")
    return crs


def is_bng(crs: pyproj.CRS) -> bool:
    return crs.to_epsg(min_confidence=70) == EPSG or crs.equals(pyproj.CRS.from_epsg(EPSG), ignore_axis_order=True)


@cache
def _transformer(wkt: str) -> tuple[pyproj.Transformer, Reprojection]:
    source = pyproj.CRS.from_wkt(wkt)
    pyproj.network.set_network_enabled(False)  # type: ignore[attr-defined]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "best transformation is not available" (the grid): said in describe()
        group = TransformerGroup(source, pyproj.CRS.from_epsg(EPSG), always_xy=True, allow_ballpark=False)
    if not group.transformers:
        raise CRSError(f"PROJ has no transformation from {_name(source)} to EPSG:27700 available offline")
    best = group.transformers[0]
    accuracy = best.accuracy if best.accuracy is not None and best.accuracy >= 0 else None
    return best, Reprojection(_name(source), best.description, accuracy)


def _along(transformer: pyproj.Transformer) -> Callable[[np.ndarray], np.ndarray]:
    def apply(coords: np.ndarray) -> np.ndarray:
        if len(coords) == 0:
            return coords
        x, y = transformer.transform(coords[:, 0], coords[:, 1], errcheck=True)
        return np.column_stack([x, y])

    return apply


def to_bng(geometries: np.ndarray, crs: pyproj.CRS) -> tuple[np.ndarray, Reprojection]:
    """Reproject an array of shapely geometries to EPSG:27700."""
    transformer, info = _transformer(crs.to_wkt())
    try:
        out = shapely.transform(geometries, _along(transformer))
    except pyproj.exceptions.ProjError as err:
        raise CRSError(f"coordinates cannot be reprojected from {info.source} ({err})") from None
    return out, info


def from_bng(geometries: np.ndarray, epsg: int) -> np.ndarray:
    """Reproject EPSG:27700 geometries to another CRS (used to write WGS84 GeoJSON)."""
    pyproj.network.set_network_enabled(False)  # type: ignore[attr-defined]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        group = TransformerGroup(pyproj.CRS.from_epsg(EPSG), pyproj.CRS.from_epsg(epsg), always_xy=True)
    return np.asarray(shapely.transform(geometries, _along(group.transformers[0])))
