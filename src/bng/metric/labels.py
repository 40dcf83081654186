"""The metric's three modules in words: the one table every command, report, document and page reads.

Keys are the modules of :data:`bng.metric.model.MODULES`, in the same order (area habitats, then
hedgerows, then watercourses), so iterating a table gives the workbook's order.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

MODULE_NAMES: Mapping[str, str] = MappingProxyType(
    {"area": "Area habitats", "hedgerow": "Hedgerows", "watercourse": "Watercourses"}
)
"""A module's name, as a heading or a column: "Area habitats"."""

UNIT_NAMES: Mapping[str, str] = MappingProxyType(
    {"area": "habitat units", "hedgerow": "hedgerow units", "watercourse": "watercourse units"}
)
"""A module's biodiversity units, after a number: "1.20 habitat units"."""

SIZE_UNITS: Mapping[str, str] = MappingProxyType({"area": "ha", "hedgerow": "km", "watercourse": "km"})
"""What a module's parcels are measured in: hectares of area, kilometres of hedgerow or watercourse."""

UNIT_HEADINGS: Mapping[str, str] = MappingProxyType({m: units.capitalize() for m, units in UNIT_NAMES.items()})
"""A module's biodiversity units as a heading or a column: "Habitat units"."""

SIZE_NAMES: Mapping[str, str] = MappingProxyType(
    {"area": "hectares", "hedgerow": "kilometres", "watercourse": "kilometres"}
)
"""What a module's parcels are measured in, in words: "Size found, in hectares"."""
