"""Checks, after the writer of hdf5-crash-child was killed, that h5py opens FILE and that every
trial reported done (0 .. DONE-1) is there with the values written: dataset "<i>" float64
8 x COLUMNS = i * 1e6 + arange, and "b<i>" bool for every 7th trial. Exit status 1 otherwise.

Usage: hdf5_check_crash.py FILE DONE COLUMNS
"""
import sys

import h5py
import numpy as np


def main(path, done, columns):
    done, columns = int(done), int(columns)
    with h5py.File(path, "r") as f:
        for trial in range(done):
            data = f[str(trial)][()]
            expected = trial * 1e6 + np.arange(8 * columns, dtype=np.float64).reshape(8, columns)
            if data.dtype != np.float64 or not np.array_equal(data, expected):
                sys.exit(f"trial {trial}: wrong data {data.dtype} {data.shape}")
            if trial % 7 == 0:
                bits = f[f"b{trial}"][()]
                expected_bits = np.array([(trial >> k) & 1 for k in range(8)], dtype=bool)
                if bits.dtype != bool or not np.array_equal(bits, expected_bits):
                    sys.exit(f"trial {trial}: wrong bool data {bits.dtype} {bits}")
        print(f"ok {done} of {len(f)}")


if __name__ == "__main__":
    main(*sys.argv[1:])
