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


# -- tiers: `pytest -m "not slow"` is the fast unit tier (docs/architecture.md); the whole suite runs in CI --

SLOW_FIXTURES = frozenset({"postgres_server", "browser", "page", "live_server"})
"""A real PostgreSQL server, or Chromium driving the pages: the integration and browser tiers."""

SLOW_PARAMS = {"engine": "postgresql"}
"""The PostgreSQL half of a test parametrised over both databases (its SQLite half stays fast)."""

SLOW_MODULES = frozenset(
    {
        "tests/db/test_bench_register.py",  # a register of benchmark size
        "tests/db/test_concurrency.py",  # fifty threads racing for the same records
        "tests/web/test_api_fuzz.py",  # schemathesis, 45 s a database
        "tests/audit/test_audit.py",  # a Dask cluster auditing workbooks, killed and resumed
        "tests/planning/test_documents.py",  # the gain plan, statement and HMMP as PDFs
        "tests/web/test_serve.py",  # bng serve as a process, after migrating and loading demo data
        "tests/workbook/test_fuzz.py",  # mutated workbooks, read whole
    }
)
"""Modules whose every test takes more than about a second (docs/performance.md, "Tests: the fast tier")."""


def _is_slow(item: pytest.Item) -> bool:
    if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
        return True
    params = getattr(getattr(item, "callspec", None), "params", {})
    if any(params.get(name) == value for name, value in SLOW_PARAMS.items()) or "postgresql" in params.values():
        return True
    return item.path.relative_to(ROOT).as_posix() in SLOW_MODULES


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the slow tier by what a test uses, so a new test of a slow kind is marked without a decorator."""
    for item in items:
        if _is_slow(item):
            item.add_marker(pytest.mark.slow)
