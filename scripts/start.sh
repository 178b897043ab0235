#!/usr/bin/env bash
# Runs the product: JupyterLab (from PyPI, in the project venv) with the jupyterlab-axopy wheel
# installed and the "TypeScript (AxoPy)" kernel, serving exactly one folder. Installs what is
# missing and builds what is stale (nothing when all is current), generates the demo dataset
# when no folder is given, then runs `jupyter lab` on 127.0.0.1 with a token; it prints the URL.
#
#   bash scripts/start.sh [--data FOLDER] [--port N] [--no-browser]
#
#   --data FOLDER  the folder to serve: an AxoPy storage root, or a folder holding some
#                  (default: the demo folder .demo-data, whose data/ is the demo storage)
#   --port N       the port to listen on (default: the first free one from 8888)
#   --no-browser   never open a browser (by default one is opened only when a display exists)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
# `npm start -- --data x` runs this from the repository root; npm keeps the caller's folder in
# INIT_CWD, which is what a relative --data means.
caller_dir="${INIT_CWD:-$PWD}"

usage() { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; }
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
bash scripts/build-kernel.sh
bash scripts/install-wheel.sh
bash scripts/install-kernel.sh >/dev/null

if [ -z "$data_dir" ]; then
  data_dir=".demo-data"
  if [ ! -d "$data_dir/data" ]; then
    echo "start: generating the demo dataset in $data_dir/data"
    bash scripts/make-demo-data.sh "$data_dir/data"
  fi
fi
data_dir="$(cd "$data_dir" && pwd)"

port_is_free() {
  .venv/bin/python - "$1" <<'PY'
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

args=("--ServerApp.root_dir=$data_dir" --ip=127.0.0.1 "--port=$port" --port-retries=0)
if [ "$open_browser" = no ] || { [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; }; then
  args+=(--no-browser)
fi
if [ "$(id -u)" = 0 ]; then
  args+=(--allow-root)
fi
echo
echo "start: serving $data_dir (and nothing above it); jupyter prints the URL to open below"
echo
cd "$data_dir"
exec "$repo/.venv/bin/jupyter" lab "${args[@]}"
