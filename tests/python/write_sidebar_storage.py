"""AxoPy storage for the sidebar's end-to-end tests, written the way Python AxoPy writes it:
trials.csv by pandas (DataFrame.to_csv, index=False), one h5py dataset per trial named by its
row index, pickles with protocol 4.

    write_sidebar_storage.py write ROOT SPEC_JSON   # SPEC: {subject: {task: rows}}
    write_sidebar_storage.py append TASK_FOLDER     # one more trial, as a live writer would
"""
import json
import os
import pickle
import sys

import h5py
import numpy as np
import pandas as pd


def trial_row(index):
    # A text column with a comma and a newline: pandas quotes it; counts must not split it.
    return {"label": f"rest, then\nfist {index}", "gain": 0.5 * index, "block": 0, "trial": index}


def write_task(task_dir, rows):
    os.makedirs(task_dir, exist_ok=True)
    pd.DataFrame([trial_row(i) for i in range(rows)]).to_csv(
        os.path.join(task_dir, "trials.csv"), index=False)
    with h5py.File(os.path.join(task_dir, "emg.hdf5"), "a") as emg:
        for i in range(rows):
            emg.create_dataset(str(i), data=np.arange(8, dtype=np.float64).reshape(2, 4) * i)
    with open(os.path.join(task_dir, "calibration.pkl"), "wb") as f:
        pickle.dump({"gain": [1.0, 2.0]}, f, protocol=4)


def append_trial(task_dir):
    trials = os.path.join(task_dir, "trials.csv")
    index = len(pd.read_csv(trials))
    # Appending one row (what this project's writer does) instead of AxoPy's full rewrite.
    pd.DataFrame([trial_row(index)]).to_csv(trials, mode="a", header=False, index=False)
    with h5py.File(os.path.join(task_dir, "emg.hdf5"), "a") as emg:
        emg.create_dataset(str(index), data=np.zeros((2, 4)))


def main(argv):
    if argv[1] == "write":
        root, spec = argv[2], json.loads(argv[3])
        for subject, tasks in spec.items():
            os.makedirs(os.path.join(root, subject), exist_ok=True)
            for task, rows in tasks.items():
                write_task(os.path.join(root, subject, task), rows)
    elif argv[1] == "append":
        append_trial(argv[2])
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
