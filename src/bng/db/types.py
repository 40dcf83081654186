"""Column types that behave the same on SQLite and PostgreSQL + PostGIS.

Geometry is a shapely geometry in EPSG:27700 on the Python side. PostgreSQL stores it in a
PostGIS ``geometry`` column (GeoAlchemy2's type, so that spatial SQL and GIST indexes work);
SQLite stores its WKB in a BLOB (spatial work there is done in shapely). JSON documents use
JSONB on PostgreSQL. The capacity ledger's quantities (hectares, kilometres, units) are Decimals on
the Python side and whole millionths in BIGINT columns: the register never sees the millionths.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import shapely
from geoalchemy2 import Geometry as PostGISGeometry
from geoalchemy2.elements import WKBElement
from sqlalchemy import JSON, BigInteger, LargeBinary
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

SRID = 27700
MICRO = 1_000_000
"""Millionths in a whole: the ledger's six decimal places (``bng.register.core.ledger.PLACES``)."""

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


def to_micro(value: Decimal | float | int | str) -> int:
    """A quantity in whole millionths, rounded half to even (the rule the register has always stored by).

    The value is taken by its shortest decimal form (a float as ``str`` writes it) times a million.
    """
    return int((Decimal(str(value)) * MICRO).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def from_micro(value: int | Decimal) -> Decimal:
    """Whole millionths as the exact Decimal quantity, at six decimal places (``1500000`` is ``1.500000``)."""
    return Decimal(int(value)).scaleb(-6)


class Millionths(TypeDecorator[Decimal]):
    """A ledger quantity (hectares, kilometres or units) as a Decimal, stored as whole millionths.

    The column is a BIGINT: written with :func:`to_micro` (half to even at the sixth decimal), read
    exactly. Sums (``func.sum``) and differences of such columns come back as Decimals too.
    """

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> int | None:
        """The quantity as the column stores it."""
        return None if value is None else to_micro(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        """The stored millionths as the quantity."""
        return None if value is None else from_micro(value)


class MillionthsDoc(TypeDecorator[dict[str, Decimal]]):
    """A JSON document of ledger quantities by key (module -> units), kept as whole millionths."""

    impl = JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        """JSONB on PostgreSQL, JSON elsewhere."""
        return dialect.type_descriptor(JSONB() if dialect.name == "postgresql" else JSON())

    def process_bind_param(self, value: Any, dialect: Dialect) -> dict[str, int] | None:
        """The quantities as the document stores them."""
        return None if value is None else {str(k): to_micro(v) for k, v in value.items()}

    def process_result_value(self, value: Any, dialect: Dialect) -> dict[str, Decimal] | None:
        """The stored millionths as quantities."""
        return None if value is None else {str(k): from_micro(v) for k, v in value.items()}
