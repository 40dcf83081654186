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

HEAVY_MODULES = frozenset(
    {
        "tests/web/test_authorisation.py",  # 42 s
        "tests/gis/test_fixtures.py",  # 32 s
        "tests/web/test_planning_pages.py",  # 24 s
        "tests/workbook/test_writer.py",  # 24 s
        "tests/web/test_once.py",  # 23 s
        "tests/planning/test_validate.py",  # 17 s
        "tests/register/test_monitoring.py",  # 14 s
        "tests/web/test_allocate.py",  # 13 s
        "tests/web/test_hostile_input.py",  # 11 s
        "tests/register/test_boundary.py",  # 11 s
        "tests/test_cli.py",  # 11 s
        "tests/web/test_monitoring_pages.py",  # 9 s
        "tests/workbook/test_releases.py",  # 9 s
        "tests/web/test_pages.py",  # 7 s
        "tests/web/test_traffic.py",  # 7 s
        "tests/metric/test_properties.py",  # 7 s
        "tests/web/test_card_payments.py",  # 7 s
        "tests/workbook/test_bad_input.py",  # 7 s
        "tests/web/test_maps.py",  # 7 s
        "tests/workbook/test_real_site_defects.py",  # 6 s
        "tests/register/test_answers.py",  # 5 s
        "tests/gis/test_hostile_maps.py",  # 5 s
        "tests/web/test_credits_pages.py",  # 5 s
        "tests/web/test_money.py",  # 5 s
        "tests/workbook/test_consistency.py",  # 5 s
        "tests/web/test_api_tokens.py",  # 5 s
        "tests/web/test_open_data.py",  # 5 s
        "tests/web/test_register_and_allocate.py",  # 5 s
        "tests/workbook/test_external_workbooks.py",  # 4 s
        "tests/register/test_applications.py",  # 4 s
        "tests/web/test_hostile_uploads.py",  # 4 s
        "tests/web/test_sign_in.py",  # 4 s
        "tests/web/test_access.py",  # 4 s
        "tests/gis/test_vectors_as_maps.py",  # 4 s
        "tests/credits/test_hierarchy.py",  # 4 s
        "tests/gis/test_plan.py",  # 4 s
        "tests/workbook/test_real_workbooks.py",  # 4 s
        "tests/web/test_issue10_pages.py",  # 3 s
        "tests/workbook/test_template.py",  # 3 s
        "tests/web/test_resubmission_fees.py",  # 3 s
    }
)
"""Modules whose tests, together, took more than 3 s of the fast tier (`pytest -m "not slow" -n 2
--durations=0`, 2026-12-07, quiet machine): pages through the whole web stack on SQLite, real
workbooks, maps and PDFs. They run in the whole suite (CI) and leave the fast tier to the unit tests."""


def _is_slow(item: pytest.Item) -> bool:
    if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
        return True
    params = getattr(getattr(item, "callspec", None), "params", {})
    if any(params.get(name) == value for name, value in SLOW_PARAMS.items()) or "postgresql" in params.values():
        return True
    where = item.path.relative_to(ROOT).as_posix()
    return where in SLOW_MODULES or where in HEAVY_MODULES


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the slow tier by what a test uses, so a new test of a slow kind is marked without a decorator."""
    for item in items:
        if _is_slow(item):
            item.add_marker(pytest.mark.slow)
