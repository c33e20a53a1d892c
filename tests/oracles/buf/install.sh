#!/usr/bin/env bash
# Installs buf (npm @bufbuild/buf, pinned by package-lock.json; the binary ships inside the npm
# package) for the proto checks: `buf lint` and `buf breaking` against the committed v1.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
cd "$HERE"
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -x node_modules/.bin/buf ] || [ "$(cat node_modules/.lock-sha256 2>/dev/null)" != "$want" ]; then
  npm ci --silent --no-audit --no-fund
  echo "$want" > node_modules/.lock-sha256
fi
echo "buf oracle ready: $(node_modules/.bin/buf --version)"
