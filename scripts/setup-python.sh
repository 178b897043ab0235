#!/usr/bin/env bash
# Makes the project's Python environments (see python-env/README.md): .venv (JupyterLab from
# PyPI and the current pandas/h5py/numpy/scipy) and .venv-axopy (the real axopy==0.2.3 and the
# versions it runs with); with --peers also .venv-peers (the same JupyterLab with the peers the
# benchmarks compare against). Each is rebuilt only when its pins changed.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/debian-packages.sh

# Python 3.11 with venv: the machine's python3, else Debian's with python3-venv.
python_for_venv() {
  if command -v python3 >/dev/null && python3 -c 'import ensurepip, venv' 2>/dev/null; then
    command -v python3
  else
    install_missing_debian_packages setup-python python3-venv
    echo /usr/bin/python3
  fi
}

make_venv() {
  local venv=$1 requirements=$2 constraints=$3
  local stamp="$venv/.axopy-pins"
  local pins
  pins="$(cat "$requirements" "$constraints" | sha256sum | cut -d' ' -f1)"
  if [ -x "$venv/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$pins" ]; then
    return 0
  fi
  echo "setup-python: making $venv from $requirements"
  rm -rf "$venv"
  "$(python_for_venv)" -m venv "$venv"
  # This machine's pip configuration names local indexes that may be absent: hide those warnings.
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    -r "$requirements" -c "$constraints" 2> >(grep -v '^WARNING: Location ' >&2)
  echo "$pins" > "$stamp"
}

make_venv .venv python-env/lab.in python-env/lab.txt
make_venv .venv-axopy python-env/axopy.in python-env/axopy.txt
if [ "${1:-}" = "--peers" ]; then
  make_venv .venv-peers python-env/peers.in python-env/peers.txt
fi
