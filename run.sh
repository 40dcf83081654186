#!/usr/bin/env bash
# Install bng and run the biodiversity gain sites register on SQLite, with demonstration data.
# Open the address it prints. DATABASE_URL=postgresql://… runs it on PostgreSQL + PostGIS instead;
# arguments go to `bng serve` (e.g. ./run.sh --port 8080).
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup.sh

export BNG_VAR="${BNG_VAR:-var}"
echo "==> bringing the database up to date"
.venv/bin/bng db upgrade
echo "==> loading demonstration data (once)"
.venv/bin/bng db demo
echo "==> starting the register"
exec .venv/bin/bng serve "$@"
