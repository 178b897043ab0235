"""Whether archives of a task taken during recording are consistent, as Python reads them.

    zip_task_consistency.py TASK_PREFIX ARCHIVE...

TASK_PREFIX is the task's folder inside the archive ("root/s1/live"). Prints JSON, one entry
per archive: rows of trials.csv (pandas), whether h5py opens <array>.hdf5, and the rows whose
dataset is missing from it.
"""
import io
import json
import sys
import zipfile

import h5py
import pandas as pd


def check(prefix, archive):
    with zipfile.ZipFile(archive) as z:
        names = set(z.namelist())
        csv = prefix + "/trials.csv"
        if csv not in names:
            return {"error": "no trials.csv"}
        try:
            rows = len(pd.read_csv(io.BytesIO(z.read(csv))))
        except Exception as error:  # an empty or torn trials.csv
            return {"error": f"trials.csv: {type(error).__name__}: {error}"}
        out = {"rows": rows, "missing": {}, "unreadable": {}}
        for name in sorted(names):
            if not (name.startswith(prefix + "/") and name.endswith(".hdf5")):
                continue
            try:
                with h5py.File(io.BytesIO(z.read(name)), "r") as f:
                    out["missing"][name] = [i for i in range(rows) if str(i) not in f]
                    for i in range(rows):
                        if str(i) in f:
                            f[str(i)][()]
            except Exception as error:
                out["unreadable"][name] = f"{type(error).__name__}: {error}"
        return out


prefix = sys.argv[1]
print(json.dumps({archive: check(prefix, archive) for archive in sys.argv[2:]}))
