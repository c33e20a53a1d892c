#!/usr/bin/env bash
# Installs the real tools that judge the BPMN the tests write (idempotent, non-interactive; run as
# root on a fresh machine by `scripts/setup.sh --test`):
#   - Python: xmlschema + lxml + SpiffWorkflow (the OMG BPMN 2.0 XSDs ship inside SpiffWorkflow)
#     into the project's .venv;
#   - npm (from the committed package-lock.json): bpmn-moddle (the parser of bpmn-js and Camunda
#     Modeler), bpmnlint (recommended rules), bpmn-js + puppeteer-core for rendering;
#   - Debian: chromium (puppeteer drives the system browser; no browser download).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)

# Only what is missing: nodesource's nodejs ships its own npm and conflicts with Debian's npm.
missing=()
command -v chromium >/dev/null || missing+=(chromium fonts-liberation)
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "bpmn oracle: missing ${missing[*]} and not root; install them with apt-get" >&2
  fi
fi

PY="$ROOT/.venv/bin/python"
[ -x "$PY" ] || PY=python3
"$PY" -m pip install -q "xmlschema>=3" "lxml>=5" "spiffworkflow>=3"

cd "$HERE/js"
# npm ci only when the lock file changed since the last install (a stamp beside node_modules).
if ! cmp -s package-lock.json node_modules/.installed-lock 2>/dev/null; then
  PUPPETEER_SKIP_DOWNLOAD=1 npm ci --silent --no-audit --no-fund
  cp package-lock.json node_modules/.installed-lock
fi
echo "bpmn oracle installed in $HERE/js"
