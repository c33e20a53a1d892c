#!/usr/bin/env bash
# Runs buf on the API (proto/) with its one import from googleapis provided locally.
#   bash scripts/buf.sh lint                 # Buf's STANDARD rules (buf.yaml)
#   bash scripts/buf.sh breaking             # no breaking change against the released v1
#   bash scripts/buf.sh build -o api.binpb   # any other buf command, on the proto module
# buf comes from tests/oracles/buf (installed by `bash scripts/setup.sh --test`), else PATH.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
BUF=tests/oracles/buf/node_modules/.bin/buf
[ -x "$BUF" ] || BUF=$(command -v buf) || { echo "buf is not installed (bash scripts/setup.sh --test)" >&2; exit 127; }
PYTHON=${PYTHON:-.venv/bin/python}
status_proto=$("$PYTHON" -c 'import google.rpc, pathlib; print(pathlib.Path(google.rpc.__path__[0], "status.proto"))')
mkdir -p .cache/buf-deps/google/rpc
cp "$status_proto" .cache/buf-deps/google/rpc/status.proto
command=${1:-lint}
shift || true
case "$command" in
  lint) exec "$BUF" lint proto "$@" ;;
  # The API as released (v1.0): proto/v1.binpb, a Buf image of proto/ at that release.
  breaking) exec "$BUF" breaking proto --against proto/v1.binpb "$@" ;;
  *) exec "$BUF" "$command" proto "$@" ;;
esac
