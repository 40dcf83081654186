"""Shared fixtures: where the project's reference material lives."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# the register's fixtures: databases on SQLite and PostgreSQL + PostGIS, the web app, the browser
pytest_plugins = ["tests.db.fixtures", "tests.web.fixtures"]


def shared_dir() -> Path:
    """The shared reference material (test vectors, workbooks, GeoPackages) beside the checkout."""
    env = os.environ.get("BNG_SHARED")
    if env:
        return Path(env)
    for candidate in (ROOT.parent / "shared", ROOT / "shared"):
        if (candidate / "spec").is_dir():
            return candidate
    return ROOT.parent / "shared"


SHARED = shared_dir()
VECTORS = SHARED / "spec" / "test-vectors"


@pytest.fixture(scope="session")
def shared() -> Path:
    if not (SHARED / "spec").is_dir():
        pytest.fail(f"shared reference material not found at {SHARED} (set BNG_SHARED)")
    return SHARED
