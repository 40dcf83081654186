"""Serving the application: waitress (threads, no fork) by default, or gunicorn in production.

Waitress is the embedded default (``./run.sh``); gunicorn has one process per core so that requests use every
core despite the GIL.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from waitress import serve as waitress_serve


def serve(app: Any, host: str, port: int, threads: int = 8) -> None:
    """Waitress with ``threads`` threads, ignoring proxy headers it has not been told to trust."""
    waitress_serve(app, host=host, port=port, threads=threads, ident="bng", clear_untrusted_proxy_headers=True)


def default_workers() -> int:
    """One worker process per core this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def serve_workers(app: Any, host: str, port: int, workers: int, threads: int, disconnect: Callable[[], None]) -> None:
    """Gunicorn with ``workers`` processes of ``threads`` threads each (the gthread worker: keeps connections alive).

    The application is built and warmed once, before the workers are forked
    (templates compiled, the places and the search form's lists loaded, shared copy-on-write), and
    ``disconnect`` closes the database pool before every fork, so that no process inherits another's
    connection.
    """
    from gunicorn.app.base import BaseApplication

    with app.test_client() as client:  # the first search is slow (templates, places); do it once, here
        for path in ("/register", "/api/v1/sites?per_page=1"):
            client.get(path)
    disconnect()

    class Gunicorn(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            settings = {
                "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
                "workers": workers,
                "threads": threads,
                "worker_class": "gthread",
                "preload_app": True,
                "pre_fork": lambda server, worker: disconnect(),
                "keepalive": 5,
                "timeout": 120,
                "graceful_timeout": 30,
                "accesslog": None,
                "proc_name": "bng",
            }
            for key, value in settings.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return app

    Gunicorn().run()
