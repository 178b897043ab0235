#!/usr/bin/env bash
# Registers the "TypeScript (AxoPy)" Jupyter kernel (name axopy-tslab) in the project-owned
# prefix <repo>/.jupyter-prefix, so nothing outside the project is touched. Run Jupyter with
#   JUPYTER_PATH=<repo>/.jupyter-prefix/share/jupyter
# to see it. The kernel runs tslab through the launcher lib/node/kernel/launcher/tslabKernel.js
# (built here when missing, or always with --build), which lets a notebook in any folder
# import "jupyterlab-axopy/kernel" while relative paths stay relative to the notebook.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
kernel_name=axopy-tslab
launcher=$repo/lib/node/kernel/launcher/tslabKernel.js
spec_dir=$repo/.jupyter-prefix/share/jupyter/kernels/$kernel_name

# Jupyter's Python side, to run notebooks on the kernel headless (also in scripts/setup.sh).
source scripts/lib/debian-packages.sh
install_missing_debian_packages install-kernel python3-nbclient jupyter-nbconvert

if [ "${1:-}" = "--build" ] || [ ! -f "$launcher" ]; then
  # node_modules/.bin/tsc is tslab's bundled TypeScript 5.0; the build needs the pinned 5.9.
  node node_modules/typescript/bin/tsc -p tsconfig.node.json
fi
node_bin=$(command -v node) || { echo "install-kernel: node is not on PATH" >&2; exit 1; }

mkdir -p "$spec_dir"
# Written by Python's json module so that paths with quotes or backslashes stay valid JSON.
/usr/bin/python3 - "$spec_dir/kernel.json" "$node_bin" "$launcher" <<'PY'
import json, sys
spec_file, node_bin, launcher = sys.argv[1:4]
spec = {
    "argv": [node_bin, launcher, "--config-path", "{connection_file}"],
    "display_name": "TypeScript (AxoPy)",
    "language": "typescript",
    "metadata": {"debugger": False},
}
with open(spec_file, "w", encoding="utf-8") as f:
    json.dump(spec, f, indent=2)
    f.write("\n")
PY
echo "install-kernel: $kernel_name -> $spec_dir (use JUPYTER_PATH=$repo/.jupyter-prefix/share/jupyter)"
