#!/usr/bin/env bash
# Runs the product: JupyterLab with the jupyterlab-axopy extension on an AxoPy data folder.
# Installs what is missing, builds what is stale, generates the demo dataset when no folder is
# given, then serves on 127.0.0.1 with token authentication and prints the URL to open.
#
#   bash scripts/start.sh [--data FOLDER] [--port N] [--no-browser]
#
#   --data FOLDER  an AxoPy storage root (default: the demo dataset in .demo-data/data)
#   --port N       the port to listen on (default: the first free one from 8888)
#   --no-browser   never open a browser (by default one is opened only when a display exists)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
# `npm start -- --data x` runs this from the repository root; npm keeps the caller's folder in
# INIT_CWD, which is what a relative --data means.
caller_dir="${INIT_CWD:-$PWD}"

usage() { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; }
data_dir=""
port=""
open_browser="auto"
while (($#)); do
  case "$1" in
    --data) data_dir="${2:?--data needs a folder}"; shift 2 ;;
    --data=*) data_dir="${1#*=}"; shift ;;
    --port) port="${2:?--port needs a number}"; shift 2 ;;
    --port=*) port="${1#*=}"; shift ;;
    --no-browser) open_browser="no"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "start: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done
if [ -n "$port" ] && ! [[ "$port" =~ ^[0-9]+$ ]]; then
  echo "start: --port must be a number, got '$port'" >&2
  exit 2
fi
if [ -n "$data_dir" ]; then
  case "$data_dir" in /*) ;; *) data_dir="$caller_dir/$data_dir" ;; esac
  if [ ! -d "$data_dir" ]; then
    echo "start: --data $data_dir is not a folder" >&2
    exit 2
  fi
fi
cd "$repo"

bash scripts/setup.sh
echo "start: building the package"
npm run build --silent
if [ -f src/lab/index.ts ]; then
  # Quiet when it works; tsc and webpack report errors on stdout, so show them on failure.
  if ! build_log="$(npm run build:lab --silent 2>&1)"; then echo "$build_log" >&2; exit 1; fi
fi
echo "start: building the JupyterLab front end when needed"
bash scripts/build-app.sh
if [ -f scripts/install-kernel.sh ]; then
  bash scripts/install-kernel.sh
fi

if [ -z "$data_dir" ]; then
  data_dir=".demo-data/data"
  if [ ! -d "$data_dir" ]; then
    if [ -f scripts/make-demo-data.sh ]; then
      echo "start: generating the demo dataset in $data_dir"
      bash scripts/make-demo-data.sh "$data_dir"
    else
      mkdir -p "$data_dir"
    fi
  fi
fi
data_dir="$(cd "$data_dir" && pwd)"
# Serving the folder's parent shows the storage root under its own name in the file browser
# (the demo's root is called "data"), with the notebooks next to it reachable too.
server_root="$(dirname "$data_dir")"

port_is_free() {
  /usr/bin/python3 - "$1" <<'PY'
import socket, sys
with socket.socket() as probe:
    try:
        probe.bind(("127.0.0.1", int(sys.argv[1])))
    except OSError:
        sys.exit(1)
PY
}
if [ -z "$port" ]; then
  port=8888
  until port_is_free "$port"; do port=$((port + 1)); done
elif ! port_is_free "$port"; then
  echo "start: port $port is in use; choose another with --port" >&2
  exit 1
fi

browser_flag=(--no-browser)
if [ "$open_browser" = auto ] && { [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; }; then
  browser_flag=()
fi

# The token goes through the environment, not the command line (visible in `ps`).
JUPYTER_TOKEN="$(/usr/bin/python3 -c 'import secrets; print(secrets.token_hex(24))')"
export JUPYTER_TOKEN
tree_path="$(/usr/bin/python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$(basename "$data_dir")")"
url="http://127.0.0.1:$port/lab/tree/$tree_path?token=$JUPYTER_TOKEN"
echo
echo "start: serving $data_dir"
echo "start: open $url"
echo "start: stop with Ctrl-C"
echo
exec bash scripts/jupyter-server.sh "--ServerApp.root_dir=$server_root" "--port=$port" \
  --port-retries=0 "${browser_flag[@]}"
