"""Appends dataset NAME = arange(COUNT) (int64) to an HDF5 file the way AxoPy does, to prove
h5py can keep writing files this project created. Usage: hdf5_append.py FILE.hdf5 NAME COUNT
"""
import sys

import h5py
import numpy as np


def main(path, name, count):
    with h5py.File(path, "a") as f:
        f.create_dataset(name, data=np.arange(int(count), dtype=np.int64))


if __name__ == "__main__":
    main(*sys.argv[1:])
