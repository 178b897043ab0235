#!/usr/bin/env bash
# Builds what the end-to-end tests load: the JupyterLab app (when missing or stale) and the
# prebuilt galata helper extension. The jupyterlab-axopy extension itself (labextension/) is
# built by `npm run build:lab`; the tests load it when present.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build-app.sh
node node_modules/@jupyterlab/builder/lib/build-labextension.js --core-path app/core \
  ui-tests/galata-extension >/dev/null
