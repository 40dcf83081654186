"""Vertex limits: how many coordinates a map may hold, counted before any geometry is built.

Time and memory of every geometry rule grow with vertices, not with features or bytes: one
polygon of a million vertices (32 MB) kept a server busy for 85 s and 1.9 GB. So a map is
refused when one feature has more than ``MAX_VERTICES_PER_FEATURE`` vertices, or the file more
than its limit, and that is decided from the raw bytes: the WKB GDAL hands over (only its
headers are walked, never its coordinates) and, for GeoJSON, the text itself, before GDAL parses
it (GDAL's GeoJSON reader holds the whole document in memory, ten times its size).

The limits are generous for real maps: the GeoPackages of the shared examples (DEFRA's test
files and five real planning applications) have at most 70 vertices in a feature and 861 in a
file, and a real site's red line rarely needs 10,000.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable

import numpy as np

from .errors import TooManyVertices

MAX_VERTICES_PER_FEATURE = 100_000
MAX_VERTICES_PER_MAP = 1_000_000
"""A habitat map (all its layers together)."""
MAX_VERTICES_PER_BOUNDARY = 100_000
"""A boundary file: ten times what a real red line rarely needs."""

_MIN_VERTEX_BYTES = 16  # a vertex of WKB is at least two 8-byte doubles
_COLLECTIONS = frozenset({4, 5, 6, 7, 9, 10, 11, 12, 15, 16})  # Multi*, collections, curves, surfaces, TIN
_JSON_SPACE = b" \t\r\n"
_STARTS_NUMBER = np.zeros(256, dtype=bool)
_STARTS_NUMBER[list(b"0123456789-+.")] = True


def wkb_vertices(wkb: bytes) -> int:
    """The number of coordinates in a WKB geometry (ISO or extended WKB), reading its headers only.

    Malformed or unknown WKB counts as if every 16 bytes were a vertex: never fewer than it may hold.
    """
    try:
        count, _ = _walk(memoryview(wkb), 0)
    except (struct.error, ValueError, IndexError):
        return len(wkb) // _MIN_VERTEX_BYTES
    return count


def _walk(buf: memoryview, at: int, depth: int = 0) -> tuple[int, int]:
    if depth > 32:
        raise ValueError("geometry nested too deeply")
    order = "<" if buf[at] == 1 else ">"
    (code,) = struct.unpack_from(order + "I", buf, at + 1)
    at += 5
    dims = 2 + bool(code & 0x80000000) + bool(code & 0x40000000)
    if code & 0x20000000:  # extended WKB with an SRID
        at += 4
    code &= 0x0FFFFFFF
    kind, iso = code % 1000, code // 1000
    dims += {0: 0, 1: 1, 2: 1, 3: 2}[iso]
    step = 8 * dims
    if kind == 1:  # Point
        return 1, at + step
    if kind in (2, 8):  # LineString, CircularString
        (n,) = struct.unpack_from(order + "I", buf, at)
        end = at + 4 + n * step
        if end > len(buf):
            raise ValueError("truncated")
        return n, end
    if kind in (3, 17):  # Polygon, Triangle
        (rings,) = struct.unpack_from(order + "I", buf, at)
        at += 4
        total = 0
        for _ in range(rings):
            (n,) = struct.unpack_from(order + "I", buf, at)
            at += 4 + n * step
            total += n
        if at > len(buf):
            raise ValueError("truncated")
        return total, at
    if kind in _COLLECTIONS:
        (parts,) = struct.unpack_from(order + "I", buf, at)
        at += 4
        total = 0
        for _ in range(parts):
            n, at = _walk(buf, at, depth + 1)
            total += n
        return total, at
    raise ValueError(f"unknown WKB geometry type {code}")


def check_wkb(
    wkbs: Iterable[bytes | None],
    *,
    per_feature: int = MAX_VERTICES_PER_FEATURE,
    budget: int = MAX_VERTICES_PER_MAP,
    what: str = "the map",
    used: int = 0,
) -> int:
    """Refuse (TooManyVertices) a feature over ``per_feature``, or a total over ``budget``; return the total.

    The total is ``used`` (by what was read before) and these features' vertices.
    """
    total = used
    for i, b in enumerate(wkbs):
        if b is None:
            continue
        n = wkb_vertices(b)
        if n > per_feature:
            raise TooManyVertices(
                f"one feature has {n:,} vertices; bng reads at most {per_feature:,} in one feature "
                "(a real site's red line rarely needs 10,000): simplify it in your GIS",
                i,
            )
        total += n
        if total > budget:
            raise TooManyVertices(
                f"{what} has more than {budget:,} vertices; bng reads at most {budget:,} in one file: "
                "simplify its geometries in your GIS"
            )
    return total


def geojson_positions(data: bytes) -> int:
    """The number of positions a GeoJSON text holds (and of its bbox members).

    The arrays that start with a number, counted in its bytes without parsing them (vectorised: 0.3 s
    for 40 MB).
    """
    packed = np.frombuffer(data.translate(None, _JSON_SPACE), dtype=np.uint8)
    opens = np.flatnonzero(packed[:-1] == ord("["))
    return int(_STARTS_NUMBER[packed[opens + 1]].sum())


def check_geojson(data: bytes, *, budget: int = MAX_VERTICES_PER_MAP, what: str = "the file", used: int = 0) -> None:
    """Refuse a GeoJSON text with more positions than ``budget`` (less ``used``) before anything parses it."""
    n = geojson_positions(data)
    if n + used > budget:
        before = f" (and the layers read before it {used:,})" if used else ""
        raise TooManyVertices(
            f"{what} has {n:,} coordinate pairs{before}; bng reads at most {budget:,} in one file: simplify "
            "its geometries in your GIS"
        )
