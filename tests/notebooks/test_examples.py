"""examples/*.ipynb, executed headless in a copy outside the project, in order (each reads
what the previous one wrote); their outputs are checked, and the files they wrote are read
back with pandas, h5py, pickle and zipfile, as Python AxoPy users would."""
import json
import pickle
import re
import shutil
import tempfile
import unittest
import zipfile
from pathlib import Path

import h5py
import numpy as np
import pandas as pd

from notebook_runner import PROJECT_ROOT, display_data, run_notebook_file, stream_text

EXAMPLES = PROJECT_ROOT / "examples"
GESTURES = ["rest", "fist", "open", "pinch"]
CHANNELS, SAMPLES = 8, 1000


def all_outputs(nb, mime_type):
    return [payload for cell in nb.cells if cell.cell_type == "code" for payload in display_data(cell, mime_type)]


def all_stdout(nb):
    return "".join(stream_text(cell) for cell in nb.cells if cell.cell_type == "code")


def all_stderr(nb):
    return "".join(stream_text(cell, "stderr") for cell in nb.cells if cell.cell_type == "code")


class ExampleNotebooksTest(unittest.TestCase):
    """One run of the three notebooks (setUpClass); each test checks one of them."""

    @classmethod
    def setUpClass(cls):
        cls._tmp = tempfile.TemporaryDirectory(prefix="axopy-examples-")
        cls.folder = Path(cls._tmp.name)
        cls.notebooks = {}
        for source in sorted(EXAMPLES.glob("*.ipynb")):
            copy = cls.folder / source.name
            shutil.copyfile(source, copy)
            cls.notebooks[source.stem] = run_notebook_file(copy)
        cls.task = cls.folder / "data" / "p01" / "gestures"

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()

    def test_the_three_examples_ran(self):
        self.assertEqual(sorted(self.notebooks), ["01-record-experiment", "02-analyse-task", "03-export-zip"])
        for name, nb in self.notebooks.items():
            self.assertEqual(all_stderr(nb), "", name)

    def test_recording_writes_trials_pandas_reads(self):
        nb = self.notebooks["01-record-experiment"]
        self.assertIn("subjects: p01 | tasks of p01: gestures", all_stdout(nb))
        [table] = all_outputs(nb, "text/html")
        self.assertIn("8 rows × 4 columns", table)
        trials = pd.read_csv(self.task / "trials.csv")
        self.assertEqual(list(trials.columns), ["gesture", "hold_time", "block", "trial"])
        self.assertEqual(trials["block"].tolist(), [0] * 4 + [1] * 4)
        self.assertEqual(trials["trial"].tolist(), [0, 1, 2, 3] * 2)
        for block in (0, 1):
            self.assertEqual(sorted(trials[trials["block"] == block]["gesture"]), sorted(GESTURES))
        self.assertEqual(trials["hold_time"].dtype, np.float64)

    def test_recording_writes_one_hdf5_dataset_per_trial(self):
        trials = pd.read_csv(self.task / "trials.csv")
        with h5py.File(self.task / "emg.hdf5", "r") as emg:
            self.assertEqual(sorted(emg.keys(), key=int), [str(row) for row in range(8)])
            rms = {}
            for row in range(8):
                data = emg[str(row)][()]
                self.assertEqual((data.dtype, data.shape), (np.float64, (CHANNELS, SAMPLES)))
                rms[trials["gesture"][row]] = np.sqrt(np.mean(data ** 2, axis=1))
        # The synthetic signal follows each gesture's activation: rest is quiet everywhere,
        # fist is strongest on channel 0, open on channel 4, pinch on channel 7.
        self.assertLess(rms["rest"].max(), 0.1)
        self.assertEqual([int(np.argmax(rms[g])) for g in ["fist", "open", "pinch"]], [0, 4, 7])
        with open(self.task / "recording.pkl", "rb") as f:
            self.assertEqual(pickle.load(f), {"sample_rate": 2000, "channels": 8, "gestures": GESTURES})

    def test_analysis_features_match_numpy_on_the_files(self):
        """The notebook's feature table against AxoPy's definitions computed here with numpy on
        the files (h5py + pandas): floats to 1e-12, counts exactly; its plots and tables."""
        nb = self.notebooks["02-analyse-task"]
        stdout = all_stdout(nb)
        trials = pd.read_csv(self.task / "trials.csv")
        active_rows = [row for row in range(8) if trials["gesture"][row] != "rest"]
        self.assertIn(f"epochs [8,{CHANNELS},{SAMPLES}] active rows {json.dumps(active_rows, separators=(',', ':'))}", stdout)
        printed = json.loads(re.search(r"^features: (.*)$", stdout, re.M).group(1))
        self.assertEqual([(r["row"], r["channel"]) for r in printed], [(row, c) for row in active_rows for c in range(CHANNELS)])
        with h5py.File(self.task / "emg.hdf5", "r") as emg:
            largest = max(float(emg[str(row)][()].max()) for row in range(8))
            for r in printed:
                x = emg[str(r["row"])][()][r["channel"]]
                self.assertEqual(r["gesture"], trials["gesture"][r["row"]])
                np.testing.assert_allclose(r["rms"], np.sqrt(np.mean(np.square(x))), rtol=1e-12)
                np.testing.assert_allclose(r["mav"], np.mean(np.abs(x)), rtol=1e-12)
                np.testing.assert_allclose(r["wl"], np.sum(np.abs(np.diff(x))), rtol=1e-12)
                self.assertEqual(r["zc"], int(np.sum(np.diff(np.signbit(x)) & (np.abs(np.diff(x)) > 0))))
        self.assertEqual(float(re.search(r"^largest sample: (.*)$", stdout, re.M).group(1)), largest)
        tables = all_outputs(nb, "text/html")
        self.assertEqual(len(tables), 2)
        self.assertIn("8 rows × 4 columns", tables[0])
        self.assertIn("<th>hold_time<br><small>float64</small></th>", tables[0])
        self.assertIn(f"{len(active_rows) * CHANNELS} rows × 10 columns", tables[1])
        self.assertNotIn("<td>rest</td>", tables[1])
        plots = all_outputs(nb, "image/svg+xml")
        self.assertEqual(len(plots), 3)
        self.assertIn(">rms</text>", plots[0])
        for channel in (0, 4, 7):
            self.assertIn(f">channel {channel}</text>", plots[1])
        self.assertNotIn(">channel 1</text>", plots[1])
        self.assertEqual(plots[2].count('class="mark-line role-mark'), CHANNELS)
        self.assertIn(">EMG of the first fist trial</text>", plots[2])

    def test_export_zip_keeps_the_folders_and_the_bytes(self):
        nb = self.notebooks["03-export-zip"]
        self.assertRegex(all_stdout(nb), r"^wrote data\.zip \d+ bytes\n$")
        with zipfile.ZipFile(self.folder / "data.zip") as archive:
            names = set(archive.namelist())
            for name in ["trials.csv", "emg.hdf5", "recording.pkl"]:
                member = f"data/p01/gestures/{name}"
                self.assertIn(member, names)
                self.assertEqual(archive.read(member), (self.task / name).read_bytes(), member)
            archive.extractall(self.folder / "unzipped")
        with h5py.File(self.folder / "unzipped" / "data" / "p01" / "gestures" / "emg.hdf5", "r") as emg:
            self.assertEqual(len(emg.keys()), 8)


if __name__ == "__main__":
    unittest.main()
