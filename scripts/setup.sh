#!/usr/bin/env bash
# Installs what the project needs on a fresh Debian 12 machine: the Debian packages that are
# missing (Chromium, zip), the Python venvs (scripts/setup-python.sh) and the npm packages.
set -euo pipefail
cd "$(dirname "$0")/.."

# chromium: the browser of the end-to-end tests (ui-tests/); zip/unzip: the reference archivers
# of the ZIP tests and benchmarks. Python packages come from PyPI into the project's venvs.
DEBIAN_PACKAGES=(chromium zip unzip ${AXOPY_EXTRA_DEBS:-})
source scripts/lib/debian-packages.sh
install_missing_debian_packages setup "${DEBIAN_PACKAGES[@]}"
bash scripts/setup-python.sh

# npm ci only when node_modules does not match the lock file. A node_modules that is a link
# (a git worktree sharing another checkout's packages) is left alone.
lock_hash="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ ! -L node_modules ] && [ "$(cat node_modules/.axopy-lock-hash 2>/dev/null)" != "$lock_hash" ]; then
  npm ci --no-audit --no-fund
  echo "$lock_hash" > node_modules/.axopy-lock-hash
fi
