#!/usr/bin/env bash
# Runs the project's JupyterLab server (app/server/axopy_lab_server.py, on Debian's
# jupyter_server) with the project's kernels on JUPYTER_PATH and the jupyterlab-axopy
# extension from labextension/ when it is built. Any jupyter_server option can be passed,
# e.g. `bash scripts/jupyter-server.sh --ServerApp.root_dir=some/folder --port=8890`.
# Expects the front end to be built (bash scripts/build-app.sh).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"

export JUPYTER_PATH="$repo/.jupyter-prefix/share/jupyter${JUPYTER_PATH:+:$JUPYTER_PATH}"
args=(--ip=127.0.0.1)
if [ -f "$repo/labextension/package.json" ]; then
  args+=("--AxopyLabApp.labextension_dirs=$repo/labextension")
fi
if [ "$(id -u)" = 0 ]; then
  args+=(--allow-root)
fi
exec /usr/bin/python3 "$repo/app/server/axopy_lab_server.py" "${args[@]}" "$@"
