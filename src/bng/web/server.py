"""Serving the application: waitress, a production WSGI server in pure Python (threads, no fork)."""

from __future__ import annotations

from typing import Any

from waitress import serve as waitress_serve


def serve(app: Any, host: str, port: int, threads: int = 8) -> None:
    waitress_serve(app, host=host, port=port, threads=threads, ident="bng", clear_untrusted_proxy_headers=True)
