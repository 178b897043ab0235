#!/usr/bin/env bash
# Builds the Node kernel module (lib/node) when its sources changed since the last build.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/stamps.sh
inputs="$(inputs_hash src/core src/kernel tsconfig.json tsconfig.node.json package-lock.json)"
if [ "$(cat lib/node/.axopy-inputs 2>/dev/null)" != "$inputs" ] || [ ! -f lib/node/kernel/index.js ]; then
  npm run build --silent
  echo "$inputs" > lib/node/.axopy-inputs
fi
