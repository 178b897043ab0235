"""Writes an HDF5 file whose root holds what AxoPy array files never do: a group (with a dataset
inside), a string dataset, a compound dataset, plus one ordinary float64 dataset "ok".

Usage: hdf5_write_unsupported.py OUT.hdf5
"""
import sys

import h5py
import numpy as np


def main(out_path):
    with h5py.File(out_path, "w") as f:
        f.create_dataset("ok", data=np.arange(3.0))
        f.create_group("group").create_dataset("inner", data=np.arange(2))
        f.create_dataset("text", data=np.array([b"ab", b"cd"]))
        f.create_dataset("pairs", data=np.zeros(2, dtype=[("x", "<f8"), ("y", "<i4")]))


if __name__ == "__main__":
    main(sys.argv[1])
