"""Geometries kept once, named by their digest.

A boundary or a mapped parcel can be megabytes of coordinates. It is stored once, in its own row
(a PostGIS geometry on PostgreSQL, WKB on SQLite: ``stored_geometry``), under the SHA-256 of its
WKB; an application's answers, and so every audit entry of a section saved, hold only that digest
and the size of the WKB (``geometry_sha256``, ``geometry_bytes``). Saving the same boundary again
stores nothing new, and the audit log can always be resolved to the geometry it names, since
stored geometries are never removed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import shapely
from shapely.geometry.base import BaseGeometry

SHA256 = "geometry_sha256"
BYTES = "geometry_bytes"


@dataclass(frozen=True, slots=True)
class GeometryRef:
    """What answers and the audit log keep of a geometry."""

    sha256: str
    bytes: int

    def to_dict(self) -> dict[str, Any]:
        """The reference as an answer stores it (``geometry_sha256``, ``geometry_bytes``)."""
        return {SHA256: self.sha256, BYTES: self.bytes}


def canonical(geom: BaseGeometry) -> BaseGeometry:
    """The geometry as it is kept: two-dimensional (the register's columns are)."""
    return shapely.force_2d(geom) if shapely.has_z(geom) else geom


def wkb(geom: BaseGeometry) -> bytes:
    """The WKB whose digest names a geometry: ISO, little-endian, two-dimensional."""
    return bytes(shapely.to_wkb(canonical(geom), flavor="iso", byte_order=1, output_dimension=2))


def ref_of(geom: BaseGeometry) -> GeometryRef:
    """The geometry's reference: the SHA-256 digest of its WKB, and the WKB's length."""
    data = wkb(geom)
    return GeometryRef(hashlib.sha256(data).hexdigest(), len(data))


class Geometries(Protocol):
    """Where geometries are kept (``stored_geometry``)."""

    def get(self, sha256: str) -> BaseGeometry | None:
        """The geometry of this digest, or None if none is stored."""
        ...

    def keep(self, geom: BaseGeometry) -> GeometryRef:
        """Store the geometry unless a geometry of the same digest is stored already; its reference."""
        ...


def geometry_in(doc: Mapping[str, Any], geometries: Geometries) -> BaseGeometry | None:
    """The geometry an answer names (``geometry_sha256``), or None when it names none.

    Answers saved before geometries were kept apart held the WKT itself (``wkt``); it is read too.
    """
    sha = doc.get(SHA256)
    if sha:
        found = geometries.get(str(sha))
        if found is None:
            raise LookupError(f"no stored geometry {sha}")
        return found
    legacy = doc.get("wkt")
    return shapely.from_wkt(legacy) if legacy else None
