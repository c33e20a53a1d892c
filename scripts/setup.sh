#!/usr/bin/env bash
# Sets up the project's virtual environment (.venv) with the library, the CLI and the server.
# Usage: scripts/setup.sh [--test]   (--test adds the test tools and the real-tool oracles)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
if [ "${1:-}" = "--test" ]; then
  .venv/bin/python -m pip install -q -e ".[test]"
  # Each real-tool oracle the tests use installs itself (node packages, Debian packages).
  for installer in tests/oracles/*/install.sh; do
    [ -e "$installer" ] || continue
    echo "setting up oracle: $(dirname "$installer")"
    bash "$installer"
  done
else
  .venv/bin/python -m pip install -q -e .
fi
