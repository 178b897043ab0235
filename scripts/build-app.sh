#!/usr/bin/env bash
# Installs app/'s npm packages when missing or outdated and builds the JupyterLab front end
# (app/static, app/build) when it is missing or older than its sources.
set -euo pipefail
cd "$(dirname "$0")/../app"

# A node_modules that is a link (a git worktree sharing another checkout's packages) is left
# alone: npm ci would empty the linked folder, breaking the checkout that owns it. The check is
# by content, not by date, as a fresh worktree's lock file is newer than any install.
lock_hash="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ ! -L node_modules ] && [ "$(cat node_modules/.axopy-lock-hash 2>/dev/null)" != "$lock_hash" ]; then
  npm ci --no-audit --no-fund
  echo "$lock_hash" > node_modules/.axopy-lock-hash
fi

stamp=static/build-info.json
if [ -f "$stamp" ] && [ -z "$(find package-lock.json build.js core src templates -newer "$stamp" -print -quit)" ]; then
  exit 0
fi
node build.js
