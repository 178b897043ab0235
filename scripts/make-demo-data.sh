#!/usr/bin/env bash
# Generates the demo AxoPy dataset in the given folder (default .demo-data/data) with the
# kernel API; expects `npm run build` to have run.
set -euo pipefail
cd "$(dirname "$0")/.."
node scripts/make-demo-data.cjs "${1:-.demo-data/data}" "${@:2}"
