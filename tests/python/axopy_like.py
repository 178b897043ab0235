"""What Python AxoPy 0.2.3's storage does, line for line where it matters (pandas + h5py), so
tests and benchmarks can compare against it without AxoPy itself (not on Debian, no PyPI here).

Usage:
  axopy_like.py write-corpus ROOT     write the interop corpus the way AxoPy writes it
  axopy_like.py bench ROOT TRIALS     time AxoPy's write path (DataFrame rewrite + h5py append per trial)
  axopy_like.py dump TASKDIR ARRAY... print trials (pandas) and arrays (h5py) of a task as JSON
"""
import json
import math
import os
import sys
import time

import h5py
import numpy as np
import pandas


class TrialWriter:
    """axopy.storage.TrialWriter: rebuilds the DataFrame and rewrites the CSV on every row."""

    def __init__(self, filepath):
        self.filepath = filepath
        self.data = {}

    def write(self, data):
        for col, val in data.items():
            self.data.setdefault(col, []).append(val)
        self.df = pandas.DataFrame(self.data)
        self.df.to_csv(self.filepath, index=False)


def write_hdf5(filepath, data, dataset="data"):
    with h5py.File(filepath, "a") as h5file:
        h5file.create_dataset(dataset, data=data)


class TaskWriter:
    """axopy.storage.TaskWriter.write: CSV row first, then each array as dataset str(row)."""

    def __init__(self, root):
        os.makedirs(root, exist_ok=True)
        self.root = root
        self.trials = TrialWriter(os.path.join(root, "trials.csv"))

    def write(self, attrs, arrays):
        self.trials.write(attrs)
        ind = self.trials.df.index[-1]
        for name, data in arrays.items():
            write_hdf5(os.path.join(self.root, name + ".hdf5"), data, dataset=str(ind))


def corpus_trials():
    """Trials covering the format's corners; every trial has the same columns (AxoPy raises otherwise)."""
    rng = np.random.default_rng(5)
    floats = [0.1, 1 / 3, 1e-05, 1e16, 1e22, 5e-324, -0.0, math.inf, -math.inf, math.nan, 2.5, 123456789.0]
    texts = ["plain", "a,b", 'say "hi"', "two\nlines", "émoji 😀", "", "x", "tab\there", "  spaced ", "NA-like", "ü", "end"]
    trials = []
    for i in range(12):
        attrs = {
            "label": texts[i],
            "value": floats[i],
            "count": [0, 1, -1, 2**53 + 1, 2**63 - 1, 7, 8, 9, 10, 11, 12, 13][i],
            "ok": i % 3 == 0,
            "block": i // 6,
            "trial": i % 6,
        }
        arrays = {
            "emg": rng.standard_normal((8, 50)),
            "force": np.arange(i, dtype=np.int16),  # trial 0 has a zero-length array
        }
        if i % 4 != 3:
            arrays["flags"] = rng.integers(0, 2, size=(3, 2, 2)).astype(np.uint8)
        trials.append((attrs, arrays))
    return trials


def write_corpus(root):
    writer = TaskWriter(os.path.join(root, "s1", "corpus"))
    for attrs, arrays in corpus_trials():
        writer.write(attrs, arrays)


def bench(root, trials):
    rng = np.random.default_rng(0)
    emg = rng.standard_normal((8, 2000))
    writer = TaskWriter(os.path.join(root, "s1", "bench"))
    times = []
    start = time.perf_counter()
    for i in range(trials):
        t0 = time.perf_counter()
        writer.write({"block": 0, "trial": i, "target": i % 5}, {"emg": emg, "force": emg})
        times.append(time.perf_counter() - t0)
    total = time.perf_counter() - start
    task = os.path.join(root, "s1", "bench")
    t0 = time.perf_counter()
    # TaskReader.array: vstack of every trial's dataset, each read by opening the file.
    parts = []
    for i in range(trials):
        with h5py.File(os.path.join(task, "emg.hdf5"), "r") as f:
            parts.append(f[str(i)][()])
    stacked = np.vstack(parts)
    array_time = time.perf_counter() - t0
    t0 = time.perf_counter()
    with h5py.File(os.path.join(task, "emg.hdf5"), "r") as f:
        total_sum = sum(float(f[str(i)][()][0, 0]) for i in range(trials))
    iter_time = time.perf_counter() - t0
    print(json.dumps({
        "write_total_s": total,
        "first100_mean_ms": 1000 * sum(times[:100]) / min(100, trials),
        "last100_mean_ms": 1000 * sum(times[-100:]) / min(100, trials),
        "array_s": array_time,
        "array_shape": list(stacked.shape),
        "iter_one_open_file_s": iter_time,
        "checksum": total_sum,
    }))


def py_value(v):
    if isinstance(v, float):
        return {"float": repr(v)}
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return {"int": str(int(v))}
    return v


def dump(task, arrays):
    df = pandas.read_csv(os.path.join(task, "trials.csv"))
    out = {
        "columns": list(df.columns),
        "dtypes": {c: str(df[c].dtype) for c in df.columns},
        "values": {c: [None if (isinstance(v, float) and math.isnan(v) and df[c].dtype == object) else py_value(v) for v in df[c].tolist()] for c in df.columns},
        "arrays": {},
    }
    for name in arrays:
        with h5py.File(os.path.join(task, name + ".hdf5"), "r") as f:
            out["arrays"][name] = {
                k: {"dtype": str(f[k].dtype), "shape": list(f[k].shape), "values": [repr(float(x)) if f[k].dtype.kind == "f" else str(int(x)) for x in np.asarray(f[k][()]).ravel()]}
                for k in f.keys()
            }
    print(json.dumps(out))


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "write-corpus":
        write_corpus(sys.argv[2])
    elif command == "bench":
        bench(sys.argv[2], int(sys.argv[3]))
    elif command == "dump":
        dump(sys.argv[2], sys.argv[3:])
    else:
        sys.exit(f"unknown command {command}")
