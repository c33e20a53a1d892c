#!/usr/bin/env bash
# Sets up everything the tests need (a fresh machine included) and runs the whole suite,
# real-tool checks included. In CI (CI=true) a missing tool fails the run instead of skipping.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
bash scripts/setup.sh --test
exec .venv/bin/python -m pytest "$@"
