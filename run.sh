#!/usr/bin/env bash
# Install bng and run its main job: calculate the bundled example site with the statutory metric.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup.sh
.venv/bin/bng metric calculate examples/riverside-farm.site.json "$@" || status=$?
exit "${status:-0}"
