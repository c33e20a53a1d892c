#!/usr/bin/env bash
# Installs Mermaid's own parser for the tests: npm mermaid 11.17 + jsdom (package-lock.json pins
# them), run by node (20 here; mermaid 12 would need a newer node). Idempotent and quick when
# nothing changed. Rendering (mermaid-cli + Debian chromium) is optional: render.sh.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
cd "$HERE"
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -d node_modules/mermaid ] || [ "$(cat node_modules/.lock-sha256 2>/dev/null)" != "$want" ]; then
  npm ci --silent --no-audit --no-fund
  echo "$want" > node_modules/.lock-sha256
fi
node -e 'import("mermaid").then(()=>process.exit(0),()=>process.exit(1))' 2>/dev/null || {
  # mermaid needs a DOM only when parsing; the import itself must work
  echo "mermaid oracle: node cannot load mermaid" >&2; exit 1; }
echo "mermaid oracle ready: $(node -p 'require("./node_modules/mermaid/package.json").version')"
