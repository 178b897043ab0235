#!/usr/bin/env bash
# Installs what the project needs on a fresh Debian 12 machine: Debian packages that are
# missing (Python side of the interop tests, Jupyter server, Chromium) and the npm packages.
set -euo pipefail
cd "$(dirname "$0")/.."

# python3-jupyter-server, python3-jupyterlab-server: the JupyterLab server (app/server);
# chromium: the browser of the end-to-end tests (ui-tests/); python3-nbclient, jupyter-nbconvert:
# headless notebook runs on the tslab kernel (tests/notebooks/).
DEBIAN_PACKAGES=(python3-h5py python3-pandas python3-numpy zip unzip
  python3-jupyter-server python3-jupyterlab-server chromium python3-nbclient jupyter-nbconvert
  ${AXOPY_EXTRA_DEBS:-})
source scripts/lib/debian-packages.sh
install_missing_debian_packages setup "${DEBIAN_PACKAGES[@]}"

# npm ci only when node_modules does not match the lock file. A node_modules that is a link
# (a git worktree sharing another checkout's packages) is left alone.
lock_hash="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ ! -L node_modules ] && [ "$(cat node_modules/.axopy-lock-hash 2>/dev/null)" != "$lock_hash" ]; then
  npm ci --no-audit --no-fund
  echo "$lock_hash" > node_modules/.axopy-lock-hash
fi
