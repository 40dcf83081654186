#!/usr/bin/env bash
# Install everything the test suite needs and run all of it: lint, types, import rules, tests.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup.sh
apt_install libreoffice-calc
# a throwaway PostgreSQL + PostGIS for the database tests, Chromium for the browser tests
apt_install postgresql-15 postgresql-15-postgis-3 chromium fonts-liberation

echo "==> ruff"
.venv/bin/ruff check src tests tools benchmarks
.venv/bin/ruff format --check --quiet src tests tools benchmarks
echo "==> mypy --strict (all of src and the tests' helpers: pyproject.toml)"
.venv/bin/mypy
echo "==> import rules"
.venv/bin/lint-imports --no-cache | tail -n 5
echo "==> pytest"
.venv/bin/python -m pytest -n "${PYTEST_WORKERS:-2}" "$@"
