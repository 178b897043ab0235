#!/usr/bin/env bash
# Runs every test: unit and interop (Node test runner, against Python h5py/pandas), then the
# end-to-end and notebook suites where present. Installs what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm run build --silent
npm run build:tests --silent
mapfile -t test_files < <(find build/tests -name '*.test.js' | sort)
node --test --test-concurrency=2 "${test_files[@]}"

# End-to-end: the JupyterLab app with the extension, driven by galata in Chromium.
if [ -f src/lab/index.ts ]; then
  # Quiet when it works; tsc and webpack report errors on stdout, so show them on failure.
  if ! build_log="$(npm run build:lab --silent 2>&1)"; then echo "$build_log" >&2; exit 1; fi
fi
bash scripts/build-e2e.sh
npx playwright test -c ui-tests/playwright.config.ts
