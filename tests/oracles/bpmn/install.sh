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

if ! command -v chromium >/dev/null || ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends chromium fonts-liberation nodejs npm >/dev/null
  else
    echo "bpmn oracle: chromium/node missing and not root; install them with apt-get" >&2
  fi
fi

PY="$ROOT/.venv/bin/python"
[ -x "$PY" ] || PY=python3
"$PY" -m pip install -q "xmlschema>=3" "lxml>=5" "spiffworkflow>=3"

cd "$HERE/js"
if [ ! -d node_modules ] || ! cmp -s package-lock.json node_modules/.package-lock.json 2>/dev/null; then
  PUPPETEER_SKIP_DOWNLOAD=1 npm ci --silent --no-audit --no-fund
fi
[ -f .bpmnlintrc ] || echo '{ "extends": "bpmnlint:recommended" }' > .bpmnlintrc
echo "bpmn oracle installed in $HERE/js"
