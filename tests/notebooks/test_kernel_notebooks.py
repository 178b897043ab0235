"""The "TypeScript (AxoPy)" kernel, run headless: imports from any folder, type errors,
one-line API errors, rich display."""
import json
import tempfile
import unittest
from pathlib import Path

from notebook_runner import display_data, notebook_of, run_notebook, stream_text

IMPORTS = 'import { datasetNameForRow, sortIds, showTable, plotArray, plotTrial } from "jupyterlab-axopy/kernel";'


class KernelNotebookTest(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="axopy-nb-")
        self.tmp = Path(self._tmp.name)
        self.addCleanup(self._tmp.cleanup)

    def test_notebook_outside_the_project_imports_the_api_and_keeps_its_folder(self):
        folder = self.tmp / "analysis" / "session 1"
        folder.mkdir(parents=True)
        (self.tmp / "analysis" / "ids.json").write_text(json.dumps(["s10", "s2", "s1"]))
        nb = notebook_of(
            IMPORTS + '\nimport * as core from "jupyterlab-axopy/core";\nimport * as fs from "fs";',
            'const ids: string[] = JSON.parse(fs.readFileSync("../ids.json", "utf8"));\n'
            'console.log(JSON.stringify({ sorted: sortIds(ids), dataset: datasetNameForRow(7),'
            ' csv: core.trialsCsvPath("data/s1/t1"), cwd: process.cwd() }));',
            'fs.mkdirSync("out", { recursive: true });\nfs.writeFileSync("out/written.txt", "from the notebook");',
        )
        failed = run_notebook(nb, folder)
        self.assertEqual(failed, [])
        printed = json.loads(stream_text(nb.cells[1]))
        self.assertEqual(printed["sorted"], ["s1", "s10", "s2"])
        self.assertEqual(printed["dataset"], "7")
        self.assertEqual(printed["csv"], "data/s1/t1/trials.csv")
        self.assertEqual(Path(printed["cwd"]).resolve(), folder.resolve())
        self.assertEqual((folder / "out" / "written.txt").read_text(), "from the notebook")

    def test_type_error_against_the_api_types_is_reported_and_the_kernel_goes_on(self):
        nb = notebook_of(
            IMPORTS,
            "const row: number = datasetNameForRow(2);",
            'console.log("still", datasetNameForRow(4));',
        )
        failed = run_notebook(nb, self.tmp, allow_errors=True)
        self.assertEqual(failed, [1])
        # The diagnostic proves the API's declarations were loaded (an untyped import is any).
        self.assertIn("Type 'string' is not assignable to type 'number'", stream_text(nb.cells[1], "stderr"))
        self.assertEqual(stream_text(nb.cells[2]), "still 4\n")

    def test_api_errors_print_as_one_line_naming_the_error(self):
        nb = notebook_of(
            'import { Storage } from "jupyterlab-axopy/kernel";\n'
            'const storage = new Storage("data");\nstorage.subjectId = "p01";',
            'storage.requireTask("grip");',
            'storage.createTask("grip");\nawait storage.requireTask("grip").array("emg");',
            'storage.subjectId = "../escape";',
            'JSON.parse("{");',
        )
        failed = run_notebook(nb, self.tmp, allow_errors=True)
        self.assertEqual(failed, [1, 2, 3, 4])
        self.assertEqual(stream_text(nb.cells[1], "stderr"),
                         'TaskNotFoundError: Subject p01 has not started "grip" yet. '
                         'Use `createTask` to create it first. Tasks of p01: none.\n')
        # Also for errors of awaited promises; the message names the missing file.
        missing_array = stream_text(nb.cells[2], "stderr")
        self.assertRegex(missing_array, r"^FileNotFoundError: No such trials file: data/p01/grip/trials\.csv\n$")
        self.assertRegex(stream_text(nb.cells[3], "stderr"), r'^InvalidIdError: Invalid subject id "\.\./escape"[^\n]*\n$')
        # Errors that are not the API's keep their stack trace.
        self.assertRegex(stream_text(nb.cells[4], "stderr"), r"SyntaxError[^\n]*\n\s+at ")

    def test_a_for_await_loop_alone_in_a_cell_runs_to_its_end(self):
        nb = notebook_of(
            "async function* numbers() { yield 1; yield 2; yield 3; }\nlet total = 0;",
            "for await (const n of numbers()) {\n  if (n === 3) break;\n  total += n;\n}",
            'console.log("total", total);',
            'for await (const n of numbers()) console.log("n", n);\nconsole.log("after");',
        )
        failed = run_notebook(nb, self.tmp)
        self.assertEqual(failed, [])
        self.assertEqual(stream_text(nb.cells[2]), "total 3\n")
        self.assertEqual(stream_text(nb.cells[3]), "n 1\nn 2\nn 3\nafter\n")

    def test_analysis_traps_print_one_line_naming_what_exists(self):
        nb = notebook_of(
            'import { openStorage, Storage, Design } from "jupyterlab-axopy/kernel";\n'
            'const writable = new Storage("data");\nwritable.subjectId = "p01";\n'
            'const writer = writable.createTask("gestures");\nconst trial = new Design().addBlock().addTrial({ g: 1 });\n'
            'trial.addArray("emg").stack({ dtype: "float64", shape: [2, 3], data: new Float64Array(6) });\n'
            'await writer.write(trial);\nawait writer.close();\nconst storage = openStorage("data");',
            'storage.subjectId = "p1";',
            'storage.subjectId = "p01";\nawait storage.requireTask("gestures").trialArray("emg", 1);',
            'await storage.requireTask("gestures").epochs("emgg");',
        )
        failed = run_notebook(nb, self.tmp, allow_errors=True)
        self.assertEqual(failed, [1, 2, 3])
        self.assertEqual(stream_text(nb.cells[1], "stderr"), 'SubjectNotFoundError: No subject "p1" in data. Subjects: "p01".\n')
        self.assertEqual(stream_text(nb.cells[2], "stderr"), "TrialIndexError: trial 1 out of range (1 trial)\n")
        self.assertRegex(stream_text(nb.cells[3], "stderr"),
                         r'^ArrayNotFoundError: No such array file: data/p01/gestures/emgg\.hdf5\. Arrays of this task: "emg"\.\n$')
        self.assertFalse((self.tmp / "data" / "p1").exists())

    def test_display_helpers_send_html_and_svg(self):
        nb = notebook_of(
            IMPORTS + '\nimport * as aq from "arquero";',
            'const trials = aq.table({ label: ["<rest>", "grip & hold", "pinch"], trial: [0, 1, 2] });\n'
            'showTable(trials, { head: 1, tail: 1 });',
            "const emg = { dtype: 'float64' as const, shape: [8, 5000],"
            " data: Float64Array.from({ length: 40000 }, (_, i) => Math.sin(i / 25)) };\n"
            'await plotArray(emg, { title: "EMG", sampleRate: 2000 });',
            # "emg: emg", not shorthand: tslab does not rewrite shorthand properties that name
            # variables of earlier cells ("ReferenceError: emg is not defined").
            'await plotTrial({ emg: emg, force: { dtype: "int16", shape: [100], data: new Int16Array(100) } });',
        )
        self.assertEqual(run_notebook(nb, self.tmp), [])
        [table] = display_data(nb.cells[1], "text/html")
        self.assertIn("&lt;rest&gt;", table)
        self.assertNotIn("grip &amp; hold", table)  # left out: only head 1 and tail 1 shown
        self.assertIn("<td>pinch</td>", table)
        self.assertIn("3 rows × 2 columns", table)
        [plot] = display_data(nb.cells[2], "image/svg+xml")
        self.assertTrue(plot.startswith("<svg"))
        self.assertEqual(plot.count('class="mark-line role-mark'), 8)
        self.assertIn(">EMG</text>", plot)
        self.assertIn(">time (s)</text>", plot)
        [trial_plot] = display_data(nb.cells[3], "image/svg+xml")
        self.assertEqual(trial_plot.count('class="mark-line role-mark'), 9)
        for cell in nb.cells[1:]:
            self.assertEqual(stream_text(cell), "", "display helpers print nothing besides the display")


if __name__ == "__main__":
    unittest.main()
