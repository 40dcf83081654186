#!/usr/bin/env bash
# Shared set-up for run.sh and test.sh: the Python environment from uv.lock, and GOV.UK Frontend and
# the map libraries (Leaflet, proj4, Proj4Leaflet) from package-lock.json (their built files are copied
# where the web service serves them).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export UV_PYTHON_DOWNLOADS=never   # use the machine's Python 3.11, never download one
export UV_LINK_MODE=copy

PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null || PYTHON=python3

if ! "$PYTHON" -m uv --version >/dev/null 2>&1; then
  echo "==> installing uv (the package manager that reads uv.lock)"
  "$PYTHON" -m pip install --quiet --disable-pip-version-check "uv==0.13.9"
fi

echo "==> installing Python dependencies from uv.lock"
# (no "$@" here: this file is sourced, and the caller's arguments are the caller's)
# --compile-bytecode, and compileall for bng's own sources (an editable install), so that no command
# compiles a module from source when it starts, even where PYTHONDONTWRITEBYTECODE is set: without
# cached bytecode every `bng` command compiled typer and bng anew each time (docs/performance.md).
# Both only compile what changed, so a second run costs about a second.
"$PYTHON" -m uv sync --locked --quiet --python "$PYTHON" --compile-bytecode
.venv/bin/python -m compileall -q -j 0 src/bng >/dev/null

# apt_install PKG...: install Debian packages that are missing (needs root or sudo)
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "==> installing Debian packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# install_web_assets: GOV.UK Frontend and the map libraries from npm (pinned in package-lock.json),
# copied to src/bng/web/assets (the maps' to src/bng/web/assets/maps)
install_web_assets() {
  command -v npm >/dev/null 2>&1 || apt_install nodejs npm
  if [ ! -f node_modules/govuk-frontend/package.json ] || [ ! -f node_modules/proj4leaflet/package.json ] \
    || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "==> installing GOV.UK Frontend and the map libraries from package-lock.json"
    npm ci --no-audit --no-fund --loglevel=error
  fi
  local from=node_modules/govuk-frontend/dist/govuk to=src/bng/web/assets
  rm -rf "$to"
  mkdir -p "$to"
  cp -R "$from/assets/." "$to/"
  cp "$from/govuk-frontend.min.css" "$from/govuk-frontend.min.js" "$to/"
  mkdir -p "$to/maps/images"
  cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css "$to/maps/"
  cp node_modules/leaflet/dist/images/*.png "$to/maps/images/"
  cp node_modules/proj4/dist/proj4.js node_modules/proj4leaflet/src/proj4leaflet.js "$to/maps/"
}
install_web_assets
