"""Coordinate reference systems: everything is worked in EPSG:27700 (British National Grid).

Input in another CRS (WGS84 GeoJSON above all) is reprojected with the most accurate
transformation PROJ has *offline*. PROJ's network access stays off, so nothing is downloaded:
without the OSTN15 grid (about 0.1 m) the WGS84 → OSGB36 step is EPSG's 7-parameter Helmert
transformation "OSGB36 to WGS 84 (6)", whose stated accuracy is 2 m. That is an error of
position (the whole site shifts by up to about 2 m); areas and lengths are affected only by
the scale of the transformation, a few parts per million.

This is bng's one CRS policy: the maps (``reading``, ``export``), the register's gain site
boundaries and its places (England, LPAs, NCAs) all reproject through these functions.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TypeVar

import numpy as np
import pyproj
import shapely
from numpy.typing import ArrayLike
from pyproj.transformer import TransformerGroup
from shapely.geometry.base import BaseGeometry

from .errors import CRSError
from .standard import EPSG

WGS84 = 4326
"""EPSG code of WGS84 (longitude, latitude): GeoJSON's CRS (RFC 7946) and the web map's."""
G = TypeVar("G", np.ndarray, BaseGeometry)


@dataclass(frozen=True, slots=True)
class Reprojection:
    """How a map was moved to EPSG:27700: from which CRS, by which operation, how accurately."""

    source: str  # e.g. "EPSG:4326 (WGS 84)"
    method: str  # PROJ's description of the operation
    accuracy_m: float | None  # PROJ's stated accuracy; None when unknown

    def describe(self) -> str:
        """The reprojection in words, for the map's findings and reports."""
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
    """Whether a CRS is British National Grid (by its EPSG code, or equal to it but for axis order)."""
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


@cache
def _from_bng(epsg: int) -> pyproj.Transformer:
    pyproj.network.set_network_enabled(False)  # type: ignore[attr-defined]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        group = TransformerGroup(pyproj.CRS.from_epsg(EPSG), pyproj.CRS.from_epsg(epsg), always_xy=True)
    return group.transformers[0]


def from_bng(geometries: G, epsg: int = WGS84) -> G:
    """Reproject EPSG:27700 geometries (an array of them, or one) to another CRS (WGS84 by default)."""
    out: G = shapely.transform(geometries, _along(_from_bng(epsg)))
    return out


def points_from_bng(eastings: ArrayLike, northings: ArrayLike, epsg: int = WGS84) -> tuple[np.ndarray, np.ndarray]:
    """Reproject EPSG:27700 points, all in one call to PROJ: longitudes and latitudes for WGS84."""
    x, y = _from_bng(epsg).transform(np.asarray(eastings, dtype=float), np.asarray(northings, dtype=float))
    return np.asarray(x), np.asarray(y)


def wgs84_to_bng(geometry: BaseGeometry) -> BaseGeometry:
    """One WGS84 (longitude, latitude) geometry in EPSG:27700, as :func:`to_bng` reprojects any CRS."""
    out, _ = to_bng(np.array([geometry], dtype=object), _wgs84())
    result: BaseGeometry = out[0]
    return result


@cache
def _wgs84() -> pyproj.CRS:
    return pyproj.CRS.from_epsg(WGS84)
