#!/usr/bin/env bash
# Installs app/'s npm packages when missing or outdated and builds the JupyterLab front end
# (app/static, app/build) when it is missing or older than its sources.
set -euo pipefail
cd "$(dirname "$0")/../app"

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

stamp=static/build-info.json
if [ -f "$stamp" ] && [ -z "$(find package-lock.json build.js core src templates -newer "$stamp" -print -quit)" ]; then
  exit 0
fi
node build.js
