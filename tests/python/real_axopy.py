"""Python AxoPy 0.2.3 itself (axopy.storage, axopy.design from PyPI, in .venv-axopy): writes and
reads tasks for the interop tests and the storage benchmark. Run with QT_QPA_PLATFORM=offscreen
(AxoPy imports Qt in its package __init__).

Usage:
  real_axopy.py write-corpus ROOT     write the interop corpus with AxoPy's TaskWriter
  real_axopy.py bench ROOT TRIALS     time AxoPy's TaskWriter.write and TaskReader.array/iterarray
  real_axopy.py dump TASKDIR ARRAY... print trials (pandas) and arrays (h5py) of a task as JSON
"""
import json
import math
import os
import sys
import time
import warnings

import h5py
import numpy as np
import pandas
from axopy.design import Design
from axopy.storage import Storage

# TaskReader.array passes a generator to numpy.vstack (deprecated in numpy 1.16, an error in 2).
warnings.filterwarnings("ignore", category=FutureWarning, module="axopy")


def task_writer(root, subject, task):
    storage = Storage(root)
    storage.subject_id = subject
    return storage.create_task(task)


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
    """Two blocks of six trials: AxoPy's add_trial appends the block and trial columns."""
    writer = task_writer(root, "s1", "corpus")
    design = Design()
    blocks = [design.add_block(), design.add_block()]
    for i, (attrs, arrays) in enumerate(corpus_trials()):
        trial = blocks[i // 6].add_trial(attrs=attrs)
        for name, data in arrays.items():
            trial.add_array(name, data=data)
        writer.write(trial)


def bench(root, trials):
    rng = np.random.default_rng(0)
    emg = rng.standard_normal((8, 2000))
    writer = task_writer(root, "s1", "bench")
    block = Design().add_block()
    times = []
    start = time.perf_counter()
    for i in range(trials):
        trial = block.add_trial(attrs={"target": i % 5})
        trial.add_array("emg", data=emg)
        trial.add_array("force", data=emg)
        t0 = time.perf_counter()
        writer.write(trial)
        times.append(time.perf_counter() - t0)
    total = time.perf_counter() - start
    task = os.path.join(root, "s1", "bench")
    storage = Storage(root)
    storage.subject_id = "s1"
    reader = storage.require_task("bench")
    t0 = time.perf_counter()
    stacked = reader.array("emg")
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
