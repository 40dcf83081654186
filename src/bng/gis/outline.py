"""England's outline as the package ships it (ONS Countries, December 2024, BUC, in WGS84).

One copy, read by the map checks (:mod:`bng.gis.geometry_checks`) and by the register
(:mod:`bng.register.core.places`).
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any


def england_geojson() -> dict[str, Any]:
    """The GeoJSON Feature of England's outline, as shipped in ``bng/gis/data``."""
    doc: dict[str, Any] = json.loads(resources.files("bng.gis").joinpath("data", "england.geojson").read_text("utf-8"))
    return doc
