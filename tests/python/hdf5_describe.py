"""Prints, as JSON, what h5py sees in an HDF5 file: for every root dataset its dtype, shape,
raw little-endian bytes (hex), layout (chunks), compression, filters and attribute count.

Usage: hdf5_describe.py FILE.hdf5
"""
import json
import sys

import h5py


def main(path):
    out = {}
    with h5py.File(path, "r") as f:
        for name, ds in f.items():
            data = ds[()]
            out[name] = {
                "dtype": str(ds.dtype),
                "shape": list(ds.shape),
                "hex": data.astype(data.dtype.newbyteorder("<")).tobytes().hex(),
                "chunks": ds.chunks,
                "compression": ds.compression,
                "contiguous": ds.id.get_create_plist().get_layout() == h5py.h5d.CONTIGUOUS,
                "attrs": len(ds.attrs),
            }
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
