"""The notebook that the sidebar's "Open in Notebook" writes for a task runs on the AxoPy kernel
against data written by this project's kernel API, and shows the task."""
import json
import subprocess
import tempfile
import unittest
from pathlib import Path

import nbformat

from notebook_runner import display_data, run_notebook, stream_text

REPO = Path(__file__).resolve().parents[2]


class TaskNotebookTest(unittest.TestCase):
    def test_generated_notebook_loads_the_task_and_plots_each_array(self):
        with tempfile.TemporaryDirectory(prefix="axopy-tasknb-") as tmp:
            folder = Path(tmp)
            subprocess.run(["node", str(REPO / "scripts" / "make-demo-data.cjs"), str(folder / "data"), "--trials", "4"],
                           check=True, capture_output=True)
            options = {"storageRoot": "data", "subjectId": "p02", "taskId": "gestures", "arrayNames": ["emg"]}
            generated = subprocess.run(
                ["node", "-e", "const m = require(process.argv[1]); process.stdout.write(JSON.stringify(m.taskNotebook(JSON.parse(process.argv[2]))))",
                 str(REPO / "build" / "src" / "lab" / "notebook" / "task-notebook.js"), json.dumps(options)],
                check=True, capture_output=True, text=True).stdout
            nb = nbformat.reads(generated, as_version=4)
            self.assertEqual(run_notebook(nb, folder), [])
            [table] = display_data(nb.cells[1], "text/html")
            self.assertIn("4 rows", table)
            self.assertIn("gesture", table)
            [plot] = display_data(nb.cells[2], "image/svg+xml")
            self.assertEqual(plot.count('class="mark-line role-mark'), 8, "8 EMG channels plotted")
            self.assertIn("float64 [ 32, 2000 ]", stream_text(nb.cells[3]))


if __name__ == "__main__":
    unittest.main()
