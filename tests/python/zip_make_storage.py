"""Writes a small AxoPy storage root with pandas and h5py, as AxoPy itself would.

Usage: zip_make_storage.py ROOT

Two subjects; subject p1 has two tasks whose files have the same names (trials.csv,
emg.hdf5, meta.pkl), which Python AxoPy's flattening storage_to_zip makes collide. A
non-ASCII subject name checks that names are kept. p1/main/emg.hdf5 (~5 MB) and the
200 000-row trials.csv of the third task are above the size that storageToZip reads whole,
so its streaming paths (stored and deflated) are exercised too. Every file gets a distinct mtime in the
past so an archive that writes "now" is caught.
"""
import os
import pickle
import sys

import h5py
import numpy as np
import pandas as pd

root = sys.argv[1]
rng = np.random.default_rng(7)
tasks = [("p1", "calibration", 3, 3000), ("p1", "main", 4, 20000), ("sujet-\u00e9", "main", 200_000, 10)]
stamp = 1_600_000_000  # 2020-09-13, an even second
for subject, task, trials, samples in tasks:
    folder = os.path.join(root, subject, task)
    os.makedirs(folder)
    pd.DataFrame(
        {"block": [0] * trials, "trial": list(range(trials)), "gain": rng.random(trials)}
    ).to_csv(os.path.join(folder, "trials.csv"), index=False)
    with h5py.File(os.path.join(folder, "emg.hdf5"), "w") as f:
        for row in range(min(trials, 4)):
            f.create_dataset(str(row), data=rng.standard_normal((8, samples + row)))
    with open(os.path.join(folder, "meta.pkl"), "wb") as f:
        pickle.dump({"subject": subject, "task": task}, f, protocol=4)
    for name in ("trials.csv", "emg.hdf5", "meta.pkl"):
        stamp += 3601
        os.utime(os.path.join(folder, name), (stamp, stamp))
