"""OS Maps API raster tiles in British National Grid (the ZXY endpoint, EPSG:27700 tile matrix).

They are fetched by the server with the service's key (``OS_MAPS_API_KEY``) and passed on from ``/maps/tiles``: the
key never reaches a browser, and the pages' Content-Security-Policy keeps images to the service's own origin.

OS documents the tile matrix for the ``*_27700`` styles: origin (-238375, 1376256), 256-pixel tiles,
resolution 896 m per pixel at zoom 0 halving at each zoom; Road, Outdoor and Light go to zoom 13,
Leisure to zoom 9. Without a key the map uses the offline base (:mod:`bng.web.map_data`).

Each tile costs the service's OS Maps quota, so tiles are kept in memory (:mod:`bng.web.tile_cache`) and
each client's tiles are limited (:mod:`bng.web.tile_limit`, applied by the route).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import httpx

from .tile_cache import DEFAULT_BYTES, TileCache, TileFailed

PRODUCTION = "https://api.os.uk/maps/raster/v1/zxy"
ORIGIN = (-238375.0, 1376256.0)
EXTENT = (-238375.0, 0.0, 900000.0, 1376256.0)
TILE = 256
RESOLUTIONS = tuple(896.0 / 2**z for z in range(14))
MAX_ZOOM = {"Road_27700": 13, "Outdoor_27700": 13, "Light_27700": 13, "Leisure_27700": 9}


class TileUnavailable(Exception):
    """OS Maps did not give the tile (refused the key, failed or timed out)."""


def tile_in_range(z: int, x: int, y: int, max_zoom: int) -> bool:
    """Whether z/x/y is a tile of the 27700 matrix (anything else is not asked of OS, so not paid for)."""
    if not 0 <= z <= max_zoom:
        return False
    span = TILE * RESOLUTIONS[z]
    cols = math.ceil((EXTENT[2] - EXTENT[0]) / span)
    rows = math.ceil((EXTENT[3] - EXTENT[1]) / span)
    return bool(0 <= x < cols and 0 <= y < rows)


@dataclass
class OsMaps:
    """The production adapter: one layer of the OS Maps API's ZXY endpoint."""

    key: str
    layer: str = "Road_27700"
    base_url: str = PRODUCTION
    timeout: float = 10.0
    cache_bytes: int = DEFAULT_BYTES
    """Tile bytes kept in memory (``BNG_TILE_CACHE_MB``): a tile kept is one not paid for again."""
    cache: TileCache = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if not self.key:
            raise ValueError("OS Maps needs an API key (OS_MAPS_API_KEY)")
        if self.layer not in MAX_ZOOM:
            raise ValueError(f"OS_MAPS_LAYER must be one of {', '.join(MAX_ZOOM)} (got {self.layer!r})")
        self.cache = TileCache(self.cache_bytes)

    @property
    def max_zoom(self) -> int:
        """The deepest zoom the layer's tiles go to."""
        return MAX_ZOOM[self.layer]

    def tile(self, z: int, x: int, y: int) -> tuple[bytes, str]:
        """The tile's bytes and media type, from memory when it was fetched before."""
        try:
            return self.cache.get((z, x, y), lambda: self._fetch(z, x, y))
        except TileFailed as err:
            raise TileUnavailable(str(err)) from None

    def _fetch(self, z: int, x: int, y: int) -> tuple[bytes, str]:
        url = f"{self.base_url.rstrip('/')}/{self.layer}/{z}/{x}/{y}.png"
        try:
            r = httpx.get(url, params={"key": self.key}, timeout=self.timeout)
        except httpx.HTTPError as err:
            raise TileUnavailable(f"OS Maps could not be reached: {type(err).__name__}") from None
        kind = r.headers.get("content-type", "").split(";")[0].strip()
        if r.status_code != 200 or kind not in ("image/png", "image/jpeg"):
            raise TileUnavailable(f"OS Maps answered {r.status_code} for tile {z}/{x}/{y}")
        return r.content, kind
