"""Records a task with the real Python AxoPy (TaskWriter: a trials.csv row, then the trial's
array as an h5py dataset), at a steady rate, for the tests that read or archive it meanwhile.

    record_task_live.py ROOT HZ SECONDS

Writes ROOT/s1/live; prints "finished <trials>" at the end.
"""
import sys
import time

import numpy as np
from axopy.design import Design
from axopy.storage import Storage


def main(root, hz, seconds):
    storage = Storage(root)
    storage.subject_id = "s1"
    writer = storage.create_task("live")
    block = Design().add_block()
    start = time.time()
    trials = 0
    while time.time() - start < seconds:
        trial = block.add_trial(attrs={"i": trials})
        trial.add_array("emg", stack_axis=1)
        trial.arrays["emg"].stack(np.full((4, 200), trials, dtype=np.int32))
        writer.write(trial)
        trials += 1
        time.sleep(max(0.0, start + trials / hz - time.time()))
    print("finished", trials)


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]), float(sys.argv[3]))
