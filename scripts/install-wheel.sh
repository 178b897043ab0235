#!/usr/bin/env bash
# Builds the Python wheel (the prebuilt labextension inside, as JupyterLab extensions ship) and
# installs it into a venv (default .venv; the benchmarks pass .venv-peers), as a user would with
# `pip install <wheel>`. Does nothing when the sources are those of the installed wheel.
#   bash scripts/install-wheel.sh [VENV]
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${1:-.venv}"
source scripts/lib/stamps.sh
inputs="$(inputs_hash src/core src/lab style schema package.json package-lock.json pyproject.toml install.json jupyterlab_axopy/*.py jupyter-config)"
stamp="$venv/.axopy-wheel-inputs"
if [ "$(cat "$stamp" 2>/dev/null)" = "$inputs" ] &&
  [ -f "$venv/share/jupyter/labextensions/jupyterlab-axopy/package.json" ] &&
  compgen -G 'dist/jupyterlab_axopy-*.whl' >/dev/null; then
  exit 0
fi
# tsc and webpack report errors on stdout: quiet when it works, shown on failure.
if ! build_log="$(npm run build:lab --silent 2>&1)"; then echo "$build_log" >&2; exit 1; fi
rm -rf dist
# --no-isolation: build with the pinned hatchling/hatch-jupyter-builder of .venv (skip-if-exists
# keeps the labextension just built).
if ! build_log="$(.venv/bin/python -m build --wheel --no-isolation --outdir dist . 2>&1)"; then echo "$build_log" >&2; exit 1; fi
wheel="$(ls dist/jupyterlab_axopy-*.whl)"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps --force-reinstall "$wheel" \
  2> >(grep -v '^WARNING: Location ' >&2)
echo "$inputs" > "$stamp"
echo "install-wheel: installed $wheel into $venv"
