"""Runs notebooks headless on the project's tslab kernel ("axopy-tslab") with nbclient.

The kernel is registered in the project venv (.venv) by scripts/install-kernel.sh, which runs
the user's command `jupyterlab-axopy install-kernel --sys-prefix`; run these tests with the venv's
Python (scripts/test.sh does), whose Jupyter finds it there.
"""
import subprocess
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

PROJECT_ROOT = Path(__file__).resolve().parents[2]
KERNEL_NAME = "axopy-tslab"
CELL_TIMEOUT_SECONDS = 120

_kernel_installed = False


def install_kernel():
    """Registers the kernelspec once per process (the launcher is built by scripts/test.sh)."""
    global _kernel_installed
    if not _kernel_installed:
        subprocess.run(["bash", str(PROJECT_ROOT / "scripts" / "install-kernel.sh")], check=True,
                       stdout=subprocess.DEVNULL)
        _kernel_installed = True


def notebook_of(*sources):
    """A notebook whose code cells are the given TypeScript sources, on the project kernel."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": KERNEL_NAME, "display_name": "TypeScript (AxoPy)",
                                 "language": "typescript"}
    nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    return nb


def run_notebook(nb, folder, allow_errors=False):
    """Executes `nb` in place with `folder` as the kernel's working folder.

    Returns the indices of the cells the kernel reported as failed (execute_reply status
    "error"). Without allow_errors the first failure raises nbclient's CellExecutionError.
    tslab drops requests arriving within 200 ms after a failed cell, so the runner waits a
    little after each error.
    """
    install_kernel()
    failed_cells = []

    def on_cell_error(cell_index, **_):
        failed_cells.append(cell_index)
        time.sleep(0.3)

    client = NotebookClient(nb, kernel_name=KERNEL_NAME, timeout=CELL_TIMEOUT_SECONDS,
                            allow_errors=allow_errors, resources={"metadata": {"path": str(folder)}})
    client.on_cell_error = on_cell_error
    try:
        client.execute()
    except CellExecutionError as error:
        # tslab reports errors on stderr, which nbclient's message leaves out.
        cell = nb.cells[failed_cells[-1]]
        raise AssertionError(f"cell {failed_cells[-1]} failed:\n{cell.source}\n--- stderr ---\n"
                             f"{stream_text(cell, 'stderr')}") from error
    return failed_cells


def run_notebook_file(path):
    """Executes the notebook file at `path` in its own folder (any failed cell raises) and
    writes it back with its outputs; returns the executed notebook."""
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    run_notebook(nb, path.parent)
    nbformat.write(nb, path)
    return nb


def stream_text(cell, name="stdout"):
    """Everything the cell wrote to the given stream."""
    return "".join(out["text"] for out in cell.outputs
                   if out["output_type"] == "stream" and out["name"] == name)


def display_data(cell, mime_type):
    """The payloads of the cell's display_data outputs of the given MIME type."""
    return [out["data"][mime_type] for out in cell.outputs
            if out["output_type"] in ("display_data", "execute_result") and mime_type in out["data"]]
