"""Documents, served to those allowed to see them (the register's services decide).

They are served as downloads with the type found when they were checked, never as pages of this site.
"""

from __future__ import annotations

from flask import Blueprint, Response
from flask.typing import ResponseReturnValue

from ..security import actor, services

bp = Blueprint("files", __name__)


@bp.get("/files/<int:file_id>")
def download(file_id: int) -> ResponseReturnValue:
    """A document, as a download in a sandbox, to whoever the register lets see it (published ones to anyone)."""
    stored, data = services().applications.file(actor(), file_id)
    response = Response(data, mimetype=stored.media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{stored.name}"'
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store" if not stored.published else "public, max-age=3600"
    response.headers["ETag"] = f'"{stored.sha256}"'
    return response
