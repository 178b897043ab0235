"""Writes an HDF5 file with h5py as AxoPy does (File(path, "a").create_dataset(name, data=array))
holding every dtype the project supports in 1-D/2-D/3-D and zero-length shapes, with NaN, -0.0,
inf and integer extremes, plus a JSON manifest of each dataset's dtype, shape and raw
little-endian bytes (hex) for the Node side to compare bit for bit.

Usage: hdf5_write_fixtures.py OUT.hdf5 MANIFEST.json
"""
import json
import sys

import h5py
import numpy as np

DTYPES = ["float64", "float32", "int8", "int16", "int32", "int64",
          "uint8", "uint16", "uint32", "uint64", "bool"]


def special_values(dtype):
    """Values at the edges of a dtype: extremes for ints, NaN/-0.0/inf/subnormal for floats."""
    if dtype == "bool":
        return np.array([True, False, True, True, False])
    if dtype.startswith("float"):
        info = np.finfo(dtype)
        return np.array([np.nan, -0.0, 0.0, np.inf, -np.inf, info.max, info.min, info.tiny,
                         info.smallest_subnormal, 0.1, -1 / 3], dtype=dtype)
    info = np.iinfo(dtype)
    return np.array([info.min, info.max, 0, 1, info.max - 1], dtype=dtype)


def arrays_for(dtype):
    rng = np.random.default_rng(len(dtype))
    if dtype == "bool":
        random = rng.integers(0, 2, size=24).astype(bool)
    elif dtype.startswith("float"):
        random = rng.standard_normal(24).astype(dtype)
    else:
        info = np.iinfo(dtype)
        random = rng.integers(info.min, info.max, size=24, dtype=dtype, endpoint=True)
    return {
        "special": special_values(dtype),
        "1d": random,
        "2d": random.reshape(4, 6),
        "3d": random.reshape(2, 3, 4),
        "empty": np.zeros((0,), dtype=dtype),
        "empty2d": np.zeros((8, 0), dtype=dtype),
    }


def main(out_path, manifest_path):
    manifest = {}
    for dtype in DTYPES:
        for kind, array in arrays_for(dtype).items():
            name = f"{dtype}_{kind}"
            with h5py.File(out_path, "a") as f:
                f.create_dataset(name, data=array)
            manifest[name] = {
                "dtype": str(array.dtype),
                "shape": list(array.shape),
                "hex": array.astype(array.dtype.newbyteorder("<")).tobytes().hex(),
            }
    # h5py stores big-endian arrays as big-endian HDF5 types; readers must convert.
    with h5py.File(out_path, "a") as f:
        f.create_dataset("bigendian_float64", data=np.array([1.5, -0.0, np.inf], dtype=">f8"))
    manifest["bigendian_float64"] = {"dtype": "float64", "shape": [3],
                                     "hex": np.array([1.5, -0.0, np.inf], "<f8").tobytes().hex()}
    with open(manifest_path, "w") as f:
        json.dump(manifest, f)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
