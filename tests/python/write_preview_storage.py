"""AxoPy storage for the trial previews' end-to-end tests and benchmark, written as Python AxoPy
writes it: trials.csv by pandas (index=False), one h5py dataset per trial named by its row index,
pickles with protocol 4.

    write_preview_storage.py fixtures ROOT           # small tasks (see write_fixtures)
    write_preview_storage.py big ROOT TRIALS CHANNELS SAMPLES   # ROOT/p02/big: one float64 array per trial
    write_preview_storage.py rows ROOT TRIALS        # ROOT/p03/rows: a trials.csv only
    write_preview_storage.py append TASK_FOLDER      # one more trial in trials.csv and emg.hdf5
"""
import os
import pickle
import sys

import h5py
import numpy as np
import pandas as pd


def emg_trial(trial, channels=4, samples=500):
    # Channel c of trial t holds t*1000 + c*100 + 0..samples-1: min, max and mean are known.
    return (trial * 1000 + np.arange(channels)[:, None] * 100 + np.arange(samples)[None, :]).astype(np.float64)


def write_task(task, rows, arrays, pickles=None):
    os.makedirs(task, exist_ok=True)
    pd.DataFrame(rows).to_csv(os.path.join(task, "trials.csv"), index=False)
    for name, datasets in arrays.items():
        with h5py.File(os.path.join(task, name + ".hdf5"), "a") as f:
            for index, data in datasets.items():
                f.create_dataset(str(index), data=data)
    for name, value in (pickles or {}).items():
        with open(os.path.join(task, name + ".pkl"), "wb") as f:
            pickle.dump(value, f, protocol=4)


class Unsafe:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


def write_fixtures(root):
    subject = os.path.join(root, "p01")
    rows = [{"label": ["rest", "fist, tight", "open"][i % 3], "gain": [0.5, 2.25, 1e-05, 3.0, 0.1, 7.5][i],
             "ok": i % 2 == 0, "block": 0, "trial": i} for i in range(6)]
    write_task(os.path.join(subject, "session"), rows, {
        "emg": {i: emg_trial(i) for i in range(6)},
        # Trial 3 has no force array; int16 1-D for the others.
        "force": {i: (np.arange(200, dtype=np.int16) - 100) * (i + 1) for i in range(6) if i != 3},
        # 3-D: slices of (channels x samples) picked on the first axis.
        "grid": {i: np.arange(2 * 3 * 50, dtype=np.float32).reshape(2, 3, 50) + i for i in range(6)},
    }, {"calibration": {"gain": [1.0, 2.0], "name": "cal", "offsets": np.array([0.5, -0.5])},
        "unsafe": Unsafe()})
    # A corrupt array file next to a good one: the good one still plots.
    corrupt = os.path.join(subject, "corrupt")
    write_task(corrupt, rows[:2], {"emg": {0: emg_trial(0), 1: emg_trial(1)}})
    with open(os.path.join(corrupt, "bad.hdf5"), "wb") as f:
        f.write(b"\x89HDF\r\n\x1a\n" + b"not really hdf5" * 100)
    # A ragged trials.csv (a row with more fields than the header); the pickle still shows.
    ragged = os.path.join(subject, "ragged")
    write_task(ragged, rows[:2], {}, {"meta": {"ok": True}})
    with open(os.path.join(ragged, "trials.csv"), "a") as f:
        f.write("x,1,True,0,2,surplus\n")
    # 10 000 trials for the table.
    many = [{"gain": (i * 7919) % 10007 / 10.0, "name": f"t{i:05d}", "block": i // 100, "trial": i % 100}
            for i in range(10000)]
    write_task(os.path.join(subject, "many"), many, {})


def write_big(root, trials, channels, samples):
    task = os.path.join(root, "p02", "big")
    rows = [{"block": 0, "trial": i} for i in range(trials)]
    os.makedirs(task, exist_ok=True)
    pd.DataFrame(rows).to_csv(os.path.join(task, "trials.csv"), index=False)
    base = np.arange(samples, dtype=np.float64)[None, :] + np.arange(channels)[:, None] * samples
    with h5py.File(os.path.join(task, "emg.hdf5"), "a") as f:
        for i in range(trials):
            f.create_dataset(str(i), data=base + i)


def write_rows(root, trials):
    task = os.path.join(root, "p03", "rows")
    os.makedirs(task, exist_ok=True)
    rows = [{"label": f"move {i % 7}", "gain": i / 3, "ok": i % 2 == 0, "block": i // 100, "trial": i % 100}
            for i in range(trials)]
    pd.DataFrame(rows).to_csv(os.path.join(task, "trials.csv"), index=False)


def append_trial(task):
    trials = os.path.join(task, "trials.csv")
    index = len(pd.read_csv(trials))
    row = {"label": "late", "gain": 9.5, "ok": True, "block": 1, "trial": index}
    pd.DataFrame([row]).to_csv(trials, mode="a", header=False, index=False)
    with h5py.File(os.path.join(task, "emg.hdf5"), "a") as f:
        f.create_dataset(str(index), data=emg_trial(index))


def main(argv):
    if argv[1] == "fixtures":
        write_fixtures(argv[2])
    elif argv[1] == "big":
        write_big(argv[2], int(argv[3]), int(argv[4]), int(argv[5]))
    elif argv[1] == "rows":
        write_rows(argv[2], int(argv[3]))
    elif argv[1] == "append":
        append_trial(argv[2])
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
