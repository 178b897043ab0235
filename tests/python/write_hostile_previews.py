"""Tasks for the hostile-files e2e (issue 13): pickles that cost far more to load and show than
to store, and a subject folder whose name an extractor could take for a path.

    write_hostile_previews.py ROOT

ROOT/pickles/s1/t    trials.csv (2 rows), shared.pkl (22 levels of l[k+1] = [l[k], l[k]]),
                     bigint.pkl (an int of 2**(8 * 24 MiB) bits: ~24 MiB of pickle)
ROOT/names/s\\..\\..\\evil/t   trials.csv, a subject folder named with backslashes and dots
                     (not starting with a dot: Jupyter hides those)
Prints {"nonEmpty": distinct non-empty lists of shared.pkl}.
"""
import json
import os
import pickle
import sys

import pandas as pd


def main(root):
    task = os.path.join(root, "pickles", "s1", "t")
    os.makedirs(task)
    pd.DataFrame({"block": [0, 0], "trial": [0, 1]}).to_csv(os.path.join(task, "trials.csv"), index=False)
    l = [[]]
    for k in range(22):
        l.append([l[k], l[k]])
    with open(os.path.join(task, "shared.pkl"), "wb") as f:
        pickle.dump(l[-1], f, protocol=4)
    with open(os.path.join(task, "bigint.pkl"), "wb") as f:
        pickle.dump(1 << (8 * 24 * 1024 * 1024), f, protocol=4)
    evil = os.path.join(root, "names", "s\\..\\..\\evil", "t")
    os.makedirs(evil)
    pd.DataFrame({"block": [0], "trial": [0]}).to_csv(os.path.join(evil, "trials.csv"), index=False)
    seen = {}

    def walk(x):
        if id(x) in seen:
            return
        seen[id(x)] = x
        for y in x:
            walk(y)

    walk(l[-1])
    print(json.dumps({"nonEmpty": sum(1 for x in seen.values() if x)}))


if __name__ == "__main__":
    main(sys.argv[1])
