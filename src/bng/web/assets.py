"""GOV.UK Frontend's compiled assets (CSS, JavaScript, fonts, images), served at ``/assets``.

They come from the npm package ``govuk-frontend`` (pinned in package.json to the release that
govuk-frontend-jinja ports); ``scripts/setup.sh`` installs it and copies ``dist/govuk`` here, and
the map libraries (Leaflet, proj4, Proj4Leaflet, pinned the same way) to ``maps/``.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, send_from_directory
from flask.typing import ResponseReturnValue

ASSETS_DIR = Path(__file__).parent / "assets"
REQUIRED = (
    "govuk-frontend.min.css",
    "govuk-frontend.min.js",
    "images/favicon.ico",
    "maps/leaflet.js",
    "maps/leaflet.css",
    "maps/proj4.js",
    "maps/proj4leaflet.js",
)

assets = Blueprint("assets", __name__)


def missing(folder: Path) -> list[str]:
    """The GOV.UK Frontend files the pages need that the folder lacks (``./run.sh`` installs them)."""
    return [name for name in REQUIRED if not (folder / name).exists()]


@assets.get("/assets/<path:filename>")
def asset(filename: str) -> ResponseReturnValue:
    """A GOV.UK Frontend asset (fonts, images, CSS, JavaScript), cached by browsers for a day."""
    folder = Path(current_app.config["BNG_ASSETS_DIR"])
    if not folder.is_dir():
        abort(404)
    return send_from_directory(folder, filename, max_age=86_400)
