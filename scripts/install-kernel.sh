#!/usr/bin/env bash
# Registers the "TypeScript (AxoPy)" kernel (axopy-tslab) in the project venv (.venv, where
# `bash scripts/start.sh` and the tests run Jupyter), with the command a user runs for their
# own Jupyter: `npx jupyterlab-axopy install-kernel --sys-prefix --python <venv>/bin/python`.
# Builds the kernel module first when missing (or always with --build).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--build" ] || [ ! -f lib/node/kernel/launcher/cli.js ]; then
  # node_modules/.bin/tsc is tslab's bundled TypeScript 5.0; the build needs the pinned 5.9.
  node node_modules/typescript/bin/tsc -p tsconfig.node.json
fi
node lib/node/kernel/launcher/cli.js install-kernel --sys-prefix --python .venv/bin/python
