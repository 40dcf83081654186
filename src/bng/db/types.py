"""Column types that behave the same on SQLite and PostgreSQL + PostGIS.

Geometry is a shapely geometry in EPSG:27700 on the Python side. PostgreSQL stores it in a
PostGIS ``geometry`` column (GeoAlchemy2's type, so that spatial SQL and GIST indexes work);
SQLite stores its WKB in a BLOB (spatial work there is done in shapely). JSON documents use
JSONB on PostgreSQL.
"""

from __future__ import annotations

from typing import Any

import shapely
from geoalchemy2 import Geometry as PostGISGeometry
from geoalchemy2.elements import WKBElement
from sqlalchemy import JSON, LargeBinary
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

SRID = 27700

JSONDoc = JSON().with_variant(JSONB(), "postgresql")


class Geometry(TypeDecorator[Any]):
    """A shapely geometry in EPSG:27700 (PostGIS geometry on PostgreSQL, WKB on SQLite)."""

    impl = LargeBinary
    cache_ok = True
    # what GeoAlchemy2's DDL hooks read: no index of their own (the migrations make the GIST indexes)
    spatial_index = False
    management = False

    def __init__(self, geometry_type: str = "GEOMETRY") -> None:
        """A geometry column of ``geometry_type`` (PostGIS's names: POLYGON, MULTIPOLYGON, …)."""
        super().__init__()
        self.geometry_type = geometry_type

    def load_dialect_impl(self, dialect: Dialect | None) -> TypeEngine[Any]:
        """PostGIS's geometry on PostgreSQL, plain bytes (WKB) elsewhere."""
        if dialect is not None and dialect.name == "postgresql":
            return dialect.type_descriptor(PostGISGeometry(self.geometry_type, srid=SRID, spatial_index=False))
        return LargeBinary() if dialect is None else dialect.type_descriptor(LargeBinary())

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        """A shapely geometry as the column stores it (WKB, with its SRID on PostGIS)."""
        if value is None:
            return None
        if dialect.name == "postgresql":
            return WKBElement(shapely.to_wkb(value), srid=SRID)
        return shapely.to_wkb(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        """The stored value as a shapely geometry."""
        if value is None:
            return None
        if isinstance(value, WKBElement):
            value = value.data
        if isinstance(value, memoryview):
            value = value.tobytes()
        return shapely.from_wkb(value)
