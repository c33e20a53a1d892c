#!/usr/bin/env bash
# Renders Mermaid files to PNG or SVG with mermaid-cli and Debian's chromium, to look at what the
# writer produces (not part of the test run: it needs a browser).
#   bash tests/oracles/mermaid/render.sh IN.mmd OUT.png [more mmdc options, e.g. -s 2]
# Installs mermaid-cli once into ~/.cache/flowzap-mermaid-render (no puppeteer browser download).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
DIR="${XDG_CACHE_HOME:-$HOME/.cache}/flowzap-mermaid-render"
if ! command -v chromium >/dev/null; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null
fi
if [ ! -x "$DIR/node_modules/.bin/mmdc" ]; then
  mkdir -p "$DIR"
  (cd "$DIR" && [ -f package.json ] || echo '{"private":true}' > package.json
   cd "$DIR" && PUPPETEER_SKIP_DOWNLOAD=1 npm install --silent --no-audit --no-fund @mermaid-js/mermaid-cli@11.17.0)
fi
CONFIG="$DIR/puppeteer.json"
echo "{\"executablePath\":\"$(command -v chromium)\",\"args\":[\"--no-sandbox\",\"--disable-gpu\"]}" > "$CONFIG"
exec "$DIR/node_modules/.bin/mmdc" -p "$CONFIG" -i "$1" -o "$2" "${@:3}"
