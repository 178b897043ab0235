"""Rewrites trials.csv the way Python AxoPy's TrialWriter does after each trial (pandas
`to_csv` of the whole table: truncate, then write), at a steady rate, for the live-reading test.

    rewrite_trials_live.py TASK_FOLDER HZ SECONDS

Prints "finished <rows>" at the end.
"""
import os
import sys
import time

from axopy.storage import TrialWriter


def main(task, hz, seconds):
    os.makedirs(task, exist_ok=True)
    writer = TrialWriter(os.path.join(task, "trials.csv"))
    start = time.time()
    rows = 0
    # Wide rows make each rewrite take several writes, as a long experiment's table does.
    while time.time() - start < seconds:
        writer.write({"block": 0, "trial": rows, "label": "x" * 200, "value": rows * 0.5})
        rows += 1
        time.sleep(max(0.0, start + rows / hz - time.time()))
    print("finished", rows)


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]), float(sys.argv[3]))
