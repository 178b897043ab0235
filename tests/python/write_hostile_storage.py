"""A task whose pickle holds HTML and script text in keys and values, for the end-to-end test
that hostile content renders as text. Written as AxoPy writes storage: trials.csv by pandas,
one h5py dataset per trial, the pickle with protocol 4.

    write_hostile_storage.py TASK_FOLDER
"""
import os
import pickle
import sys

import h5py
import numpy as np
import pandas as pd

IMG = '<img src=x onerror="window.__pwned=3">'
SCRIPT = "<script>window.__pwned=4</script>"


def main(task_dir):
    os.makedirs(task_dir, exist_ok=True)
    pd.DataFrame({"label": [IMG, SCRIPT], "block": [0, 0], "trial": [0, 1]}).to_csv(
        os.path.join(task_dir, "trials.csv"), index=False)
    with h5py.File(os.path.join(task_dir, "emg.hdf5"), "w") as f:
        for i in range(2):
            f.create_dataset(str(i), data=np.full((2, 4), i, dtype=np.float64))
    payload = {IMG: SCRIPT, "names": [IMG, "<b>bold</b>"], "nested": {"<iframe src=x>": (SCRIPT, 1)}}
    with open(os.path.join(task_dir, "notes.pkl"), "wb") as f:
        pickle.dump(payload, f, protocol=4)


if __name__ == "__main__":
    main(sys.argv[1])
