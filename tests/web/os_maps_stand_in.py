"""A local stand-in for the OS Maps API's ZXY raster endpoint, as OS documents it
(``/maps/raster/v1/zxy/{layer}/{z}/{x}/{y}.png?key=…``: a 256-pixel PNG, or 401 for a bad key), so the
production adapter (:class:`bng.web.os_maps.OsMaps`) is tested over HTTP without the network."""

from __future__ import annotations

import struct
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, jsonify, request
from flask.typing import ResponseReturnValue
from werkzeug.serving import make_server

KEY = "test-os-maps-key"
LAYERS = {"Road_27700", "Outdoor_27700", "Light_27700", "Leisure_27700"}


def png(rgb: tuple[int, int, int], size: int = 256) -> bytes:
    """A plain PNG of one colour (no imaging library needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    row = b"\x00" + bytes(rgb) * size
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(row * size)) + chunk(b"IEND", b"")
    )


def stand_in(fail_first: int = 0, delay: float = 0.0) -> tuple[Flask, list[str]]:
    """OS's ZXY endpoint; its first ``fail_first`` tiles fail as OS does when it fails (503), each after ``delay`` s."""
    app = Flask(__name__)
    seen: list[str] = []

    @app.get("/maps/raster/v1/zxy/<layer>/<int:z>/<int:x>/<int:y>.png")
    def tile(layer: str, z: int, x: int, y: int) -> ResponseReturnValue:
        seen.append(request.full_path)
        time.sleep(delay)
        if len(seen) <= fail_first:
            return jsonify({"error": {"code": 503, "message": "Service Unavailable"}}), 503
        if request.args.get("key") != KEY:
            return jsonify({"fault": {"faultstring": "Invalid ApiKey", "detail": {"errorcode": "InvalidApiKey"}}}), 401
        if layer not in LAYERS:
            return jsonify({"error": {"code": 400, "message": f"Unsupported layer {layer}"}}), 400
        return png((200, (z * 20) % 256, 120)), 200, {"Content-Type": "image/png"}

    return app, seen


@contextmanager
def running(fail_first: int = 0, delay: float = 0.0) -> Iterator[tuple[str, list[str]]]:
    """The stand-in on a free local port: its ZXY base URL and the requests it has had."""
    app, seen = stand_in(fail_first, delay)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/maps/raster/v1/zxy", seen
    finally:
        server.shutdown()
        thread.join(5)
