#!/usr/bin/env bash
# Runs every test: unit and interop (Node test runner, against real AxoPy, pandas, h5py), the
# notebooks on the tslab kernel, then the end-to-end suite in JupyterLab from PyPI. Installs
# what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# Lint first (eslint + prettier --check, `npm run lint`): cheap, and a style slip fails fast.
npm run lint --silent
bash scripts/build-kernel.sh
rm -rf build  # compiled tests of renamed or deleted files must not run
npm run build:tests --silent
logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT
mapfile -t test_files < <(find build/tests -name '*.test.js' | sort)
node --test --test-concurrency=2 "${test_files[@]}" | tee "$logs/node.tap"

# Notebooks on the tslab kernel, headless (nbclient): the kernel launcher, display helpers
# and examples/*.ipynb, with their outputs and the files they write checked from Python.
bash scripts/install-kernel.sh
(cd tests/notebooks && ../../.venv/bin/python -m unittest discover --start-directory . --pattern 'test_*.py') 2>&1 | tee "$logs/notebooks.txt"

# The server extension (Python, shipped in the wheel): its archive writer against zipfile, and its
# multi-range file endpoint on a real Jupyter server started from this checkout.
.venv/bin/python -m unittest tests/python/test_export_server.py tests/python/test_ranges_server.py 2>&1 | tee "$logs/python.txt"

# End-to-end: `jupyter lab` from PyPI (.venv) with the jupyterlab-axopy wheel installed into it,
# driven by galata in Debian's Chromium.
bash scripts/install-wheel.sh
npx playwright test -c ui-tests/playwright.config.ts | tee "$logs/e2e.txt"

# One closing line for all suites (each suite above stops the script on its own failure).
node_passed="$(awk '/^# pass /{print $3}' "$logs/node.tap")"
notebook_passed="$(sed -n 's/^Ran \([0-9]*\) tests\{0,1\}.*/\1/p' "$logs/notebooks.txt")"
python_passed="$(sed -n 's/^Ran \([0-9]*\) tests\{0,1\}.*/\1/p' "$logs/python.txt")"
e2e_passed="$(sed -n 's/^ *\([0-9]*\) passed.*/\1/p' "$logs/e2e.txt" | tail -1)"
echo "unit+interop ${node_passed:-0}, notebooks ${notebook_passed:-0}, server extension ${python_passed:-0}, e2e ${e2e_passed:-0}"
echo "all: $((${node_passed:-0} + ${notebook_passed:-0} + ${python_passed:-0} + ${e2e_passed:-0})) passed, 0 failed"
