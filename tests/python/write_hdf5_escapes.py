"""HDF5 files whose datasets reach outside their file, declare more than they hold, or need
what the reader lacks, for the containment tests (issue 13). Written by h5py as a user could.

    write_hdf5_escapes.py OUT_DIR

OUT_DIR/outside/secret.bin        64 bytes (8 float64 1..8) outside the storage root
OUT_DIR/outside/target.hdf5       dataset "0": float64 [2, 4] of 10..17
OUT_DIR/root/p/t/trials.csv       two trials
OUT_DIR/root/p/t/<case>.hdf5      dataset "0" per case, "1" a plain float64 [3] of 0..2
Prints a JSON manifest: what h5py reads for each case (hex of the C-order bytes) or why not.
"""
import json
import os
import sys

import h5py
import numpy as np
import pandas as pd


def plain_second(f):
    f.create_dataset("1", data=np.arange(3, dtype=np.float64))


def main(out):
    outside = os.path.join(out, "outside")
    task = os.path.join(out, "root", "p", "t")
    os.makedirs(outside, exist_ok=True)
    os.makedirs(task, exist_ok=True)
    pd.DataFrame({"block": [0, 0], "trial": [0, 1]}).to_csv(os.path.join(task, "trials.csv"), index=False)

    secret = os.path.join(outside, "secret.bin")
    np.arange(1, 9, dtype="<f8").tofile(secret)
    target = os.path.join(outside, "target.hdf5")
    with h5py.File(target, "w") as f:
        f.create_dataset("0", data=np.arange(10, 18, dtype=np.float64).reshape(2, 4))

    manifest = {}

    def case(name, build, libver=None):
        path = os.path.join(task, name + ".hdf5")
        with h5py.File(path, "w", libver=libver) as f:
            build(f)
            plain_second(f)
        with h5py.File(path, "r") as f:
            try:
                value = f["0"][()]
                entry = {"dtype": str(value.dtype), "shape": list(np.shape(value)),
                         "hex": np.ascontiguousarray(value).tobytes().hex() if value.nbytes < 4096 else None}
            except Exception as error:  # what h5py says instead
                entry = {"error": type(error).__name__ + ": " + str(error)}
        entry["fileBytes"] = os.path.getsize(path)
        manifest[name] = entry

    case("external_raw", lambda f: f.create_dataset("0", shape=(8,), dtype="<f8", external=[(secret, 0, 64)]))
    # The newest format: version-2 object headers ("OHDR"), another layout of the same facts.
    case("external_raw_v2", lambda f: f.create_dataset("0", shape=(8,), dtype="<f8", external=[(secret, 0, 64)]),
         libver="latest")
    case("external_link", lambda f: f.__setitem__("0", h5py.ExternalLink(target, "/0")))

    def virtual(f):
        layout = h5py.VirtualLayout(shape=(2, 4), dtype="<f8")
        layout[:] = h5py.VirtualSource(target, "0", shape=(2, 4))
        f.create_virtual_dataset("0", layout, fillvalue=0)
    case("virtual", virtual)

    # Declared, never written: HDF5 allocates contiguous storage late, so the file stays ~1 KB.
    case("bomb_contiguous", lambda f: f.create_dataset("0", shape=(2 ** 28,), dtype="<f8"))
    case("bomb_chunked", lambda f: f.create_dataset("0", shape=(2 ** 31, 2 ** 31), dtype="u1", chunks=(1, 1024)))
    case("scalar", lambda f: f.create_dataset("0", data=np.float64(3.5)))
    case("lzf", lambda f: f.create_dataset("0", data=np.arange(8, dtype="<f8").reshape(2, 4), compression="lzf"))
    case("gzip", lambda f: f.create_dataset("0", data=np.arange(8, dtype="<f8").reshape(2, 4), compression="gzip"))
    case("plain", lambda f: f.create_dataset("0", data=np.arange(8, dtype="<f8").reshape(2, 4)))

    json.dump(manifest, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
