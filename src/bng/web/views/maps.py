"""The maps' own routes: the offline base's boundaries as GeoJSON, and OS Maps tiles.

The tiles are passed on with the service's key (only when ``OS_MAPS_API_KEY`` is set). Both are public: the
boundaries are open data, and the tiles are what any visitor's map shows. Since each tile costs the service's
OS Maps quota, tiles are kept in memory (:mod:`bng.web.tile_cache`) and each client's are limited
(:mod:`bng.web.tile_limit`).
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, current_app, request
from flask.typing import ResponseReturnValue

from ..map_data import KINDS, BoxError, areas_geojson, parse_box
from ..os_maps import OsMaps, TileUnavailable, tile_in_range
from ..tile_limit import TileLimit, client_of

bp = Blueprint("maps", __name__)
DAY = 86_400


def _tile_limit() -> TileLimit:
    limit = current_app.extensions.get("bng.tile_limit")
    if limit is None:  # (two threads may both make one; one wins, which is harmless)
        limit = current_app.extensions.setdefault("bng.tile_limit", TileLimit())
    return limit  # type: ignore[no-any-return]


def _json(body: object, status: int = 200, max_age: int = 0) -> Response:
    response = Response(json.dumps(body, separators=(",", ":")), status, mimetype="application/geo+json")
    if max_age:
        response.headers["Cache-Control"] = f"public, max-age={max_age}"
    return response


@bp.get("/maps/areas/<kind>.geojson")
def areas(kind: str) -> ResponseReturnValue:
    """England, LPAs, NCAs or LNRS areas touching ``bbox`` (EPSG:27700 metres), cut to it and simplified."""
    if kind not in KINDS:
        abort(404)
    try:
        box = parse_box(request.args.get("bbox") or "")
    except BoxError as err:
        return _json({"error": str(err), "field": "bbox"}, 400)
    return _json(areas_geojson(kind, box), max_age=DAY)


@bp.get("/maps/tiles/<int:z>/<int:x>/<int:y>.png")
def tile(z: int, x: int, y: int) -> ResponseReturnValue:
    """An OS Maps tile for the pages' maps, fetched with the service's key.

    404 when there is no key or no such tile; 429 with Retry-After past the client's tiles for the minute.
    """
    os_maps: OsMaps | None = current_app.config.get("BNG_OS_MAPS")
    if os_maps is None:
        abort(404)
    wait = _tile_limit().wait(client_of(request.remote_addr))
    if wait:
        response = Response(f"Too many map tiles from this address: try again in {wait} s.\n", 429)
        response.mimetype = "text/plain"
        response.headers["Retry-After"] = str(wait)
        response.headers["Cache-Control"] = "no-store"
        return response
    if not tile_in_range(z, x, y, os_maps.max_zoom):
        abort(404)
    try:
        data, kind = os_maps.tile(z, x, y)
    except TileUnavailable as err:
        current_app.logger.warning("map tile: %s", err)
        abort(502)
    response = Response(data, mimetype=kind)
    response.headers["Cache-Control"] = f"public, max-age={DAY}"
    return response
