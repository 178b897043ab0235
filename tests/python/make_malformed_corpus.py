"""Writes the malformed-input corpus: one small AxoPy storage root per case, plus cases.json
saying, for each case, which kernel-API call must fail with which typed error naming which
file (or must succeed: robustness cases that pandas/h5py read fine).

Usage: make_malformed_corpus.py OUTDIR [--big]   (--big adds the 100 MB trials.csv case)
"""
import json
import os
import pickle
import shutil
import sys

import h5py
import numpy as np
import pandas


def task_dir(out, case):
    path = os.path.join(out, case, "s1", "t1")
    os.makedirs(path, exist_ok=True)
    return path


def good_task(path, rows=3, arrays=("emg",)):
    pandas.DataFrame({"block": [0] * rows, "trial": list(range(rows))}).to_csv(os.path.join(path, "trials.csv"), index=False)
    for name in arrays:
        with h5py.File(os.path.join(path, name + ".hdf5"), "w") as f:
            for i in range(rows):
                f.create_dataset(str(i), data=np.full((2, 4), i, dtype=np.float64))


def python_reading(task, call):
    """The result pandas/h5py/pickle give for `call` on `task`, as JSON-able data."""
    if call == "trials":
        df = pandas.read_csv(os.path.join(task, "trials.csv"))
        if len(df) > 1000:
            return {"columns": list(df.columns), "rows": len(df)}
        return {"columns": list(df.columns), "rows": len(df), "values": {col: df[col].tolist() for col in df.columns}}
    if call.startswith("array:"):
        # What AxoPy's TaskReader.array does: one dataset per row of trials.csv, vstacked.
        rows = len(pandas.read_csv(os.path.join(task, "trials.csv")))
        with h5py.File(os.path.join(task, call[6:] + ".hdf5"), "r") as f:
            stacked = np.vstack([f[str(i)][()] for i in range(rows)])
        return {"dtype": str(stacked.dtype), "shape": list(stacked.shape), "values": stacked.ravel().tolist()}
    if call.startswith("pickle:"):
        with open(os.path.join(task, call[7:] + ".pkl"), "rb") as f:
            return pickle.load(f)
    return None


class Evil:
    """Pickles to a call of os.system: must never be executed by a reader."""

    def __init__(self, func, arg):
        self.func, self.arg = func, arg

    def __reduce__(self):
        return (self.func, (self.arg,))


def main(out, big):
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    cases = []

    def case(name, call, error, file=None, note=""):
        cases.append({"name": name, "call": call, "error": error, "file": file, "note": note})
        return task_dir(out, name)

    # --- HDF5 ---
    p = case("hdf5-truncated", "array:emg", "FormatError", "emg.hdf5")
    good_task(p, rows=20)
    size = os.path.getsize(os.path.join(p, "emg.hdf5"))
    with open(os.path.join(p, "emg.hdf5"), "r+b") as f:
        f.truncate(size // 3)
    p = case("hdf5-bitflipped-superblock", "array:emg", "FormatError", "emg.hdf5")
    good_task(p)
    with open(os.path.join(p, "emg.hdf5"), "r+b") as f:
        data = bytearray(f.read())
        for i in range(8, 40):
            data[i] ^= 0xA5
        f.seek(0)
        f.write(data)
    p = case("hdf5-garbage", "array:emg", "FormatError", "emg.hdf5")
    good_task(p, arrays=())
    with open(os.path.join(p, "emg.hdf5"), "wb") as f:
        f.write(os.urandom(4096))
    p = case("hdf5-empty-file", "array:emg", "FormatError", "emg.hdf5")
    good_task(p, arrays=())
    open(os.path.join(p, "emg.hdf5"), "wb").close()
    p = case("hdf5-group-not-dataset", "array:emg", "DatasetError", "emg.hdf5")
    good_task(p, arrays=())
    with h5py.File(os.path.join(p, "emg.hdf5"), "w") as f:
        f.create_group("0")
        f.create_dataset("1", data=np.zeros(3))
        f.create_dataset("2", data=np.zeros(3))
    p = case("hdf5-string-dataset", "array:emg", "FormatError", "emg.hdf5")
    good_task(p, arrays=())
    with h5py.File(os.path.join(p, "emg.hdf5"), "w") as f:
        for i in range(3):
            f.create_dataset(str(i), data=np.array([b"abc", b"de"]))
    p = case("hdf5-compound-dataset", "array:emg", "FormatError", "emg.hdf5")
    good_task(p, arrays=())
    with h5py.File(os.path.join(p, "emg.hdf5"), "w") as f:
        for i in range(3):
            f.create_dataset(str(i), data=np.zeros(2, dtype=[("a", "<f8"), ("b", "<i4")]))
    p = case("hdf5-float16-dataset", "array:emg", "FormatError", "emg.hdf5")
    good_task(p, arrays=())
    with h5py.File(os.path.join(p, "emg.hdf5"), "w") as f:
        for i in range(3):
            f.create_dataset(str(i), data=np.zeros(2, dtype=np.float16))
    p = case("hdf5-missing-dataset", "array:emg", "DatasetError", "emg.hdf5", "3 rows, datasets 0 and 1 only")
    good_task(p)
    with h5py.File(os.path.join(p, "emg.hdf5"), "a") as f:
        del f["2"]
    p = case("hdf5-extra-dataset", "array:emg", None, None, "datasets beyond the rows are ignored, as AxoPy does")
    good_task(p)
    with h5py.File(os.path.join(p, "emg.hdf5"), "a") as f:
        f.create_dataset("3", data=np.zeros((2, 4)))
    p = case("hdf5-ragged-trials", "array:emg", "DatasetError", "emg.hdf5", "1-D trials of different lengths do not stack")
    good_task(p, arrays=())
    with h5py.File(os.path.join(p, "emg.hdf5"), "w") as f:
        for i in range(3):
            f.create_dataset(str(i), data=np.zeros(i + 1))
    p = case("hdf5-gzip-chunked", "array:emg", None, None, "h5py compression: still readable")
    good_task(p, arrays=())
    with h5py.File(os.path.join(p, "emg.hdf5"), "w") as f:
        for i in range(3):
            f.create_dataset(str(i), data=np.full((2, 4), i, dtype=np.float64), compression="gzip", chunks=(1, 4))
    p = case("array-file-is-folder", "array:emg", "FormatError", "emg.hdf5")
    good_task(p, arrays=())
    os.makedirs(os.path.join(p, "emg.hdf5"))
    p = case("array-file-missing", "array:emg", "FileNotFoundError", "emg.hdf5")
    good_task(p, arrays=())

    # --- trials.csv ---
    def raw_csv(name, content, error, note=""):
        p = case(name, "trials", error, "trials.csv" if error else None, note)
        with open(os.path.join(p, "trials.csv"), "wb") as f:
            f.write(content)
        return p

    raw_csv("csv-ragged-row", b"block,trial\n0,0\n0,1,99\n0,2\n", "FormatError", "a row with more fields than the header")
    raw_csv("csv-unterminated-quote", b'block,label\n0,x\n1,"abc\n2,def\n', "FormatError", "an open quote runs to the end of a file ending with a newline: pandas raises (EOF inside string), so do we")
    raw_csv("csv-non-utf8", "block,label\n0,caf\u00e9\n".encode("latin-1"), "FormatError")
    raw_csv("csv-empty-file", b"", "FormatError", "pandas: EmptyDataError")
    raw_csv("csv-bom", b"\xef\xbb\xbfblock,trial\n0,0\n0,1\n", None, "BOM is dropped as pandas does")
    raw_csv("csv-crlf", b"block,trial\r\n0,0\r\n0,1\r\n", None, "CRLF reads like LF")
    raw_csv("csv-header-only", b"block,trial\n", None, "zero trials")
    raw_csv("csv-quoted-wrong", b'block,label\n0,ab"c\n1,"d""e"\n', None, "a stray quote inside a field is text, as pandas reads it")
    raw_csv("csv-html-cells", b'block,label\n0,<script>window.__pwned=1</script>\n1,"<img src=x onerror=""window.__pwned=2"">"\n', None, "hostile text stays text")
    raw_csv("csv-partial-last-line", b"block,trial\n0,0\n0,1\n0,", None, "a line being written (no newline yet) is left out")
    p = case("csv-is-folder", "trials", "FormatError", "trials.csv")
    os.makedirs(os.path.join(p, "trials.csv"))
    case("csv-missing", "trials", "FileNotFoundError", "trials.csv")
    if big:
        p = case("csv-100mb", "trials", None, None, "100 MB trials.csv")
        rows = 1_600_000
        df = pandas.DataFrame({"block": np.zeros(rows, dtype=int), "trial": np.arange(rows), "force": np.linspace(0, 1, rows), "label": ["gesture-%d" % (i % 7) for i in range(rows)]})
        df.to_csv(os.path.join(p, "trials.csv"), index=False)

    # --- pickles ---
    def pkl(name, data, error, note=""):
        p = case(name, "pickle:obj", error, "obj.pkl" if error else None, note)
        good_task(p)
        with open(os.path.join(p, "obj.pkl"), "wb") as f:
            f.write(data)

    marker = os.path.join(out, "PICKLE-EXECUTED")
    pkl("pickle-os-system", pickle.dumps(Evil(os.system, "touch " + marker), protocol=4), "UnsafePickleError", "must never run")
    pkl("pickle-builtins-eval", pickle.dumps(Evil(eval, "__import__('os').system('touch %s')" % marker), protocol=2), "UnsafePickleError")
    pkl("pickle-subprocess", pickle.dumps(Evil(__import__("subprocess").call, ["touch", marker]), protocol=0), "UnsafePickleError")
    pkl("pickle-truncated", pickle.dumps({"a": list(range(100))}, protocol=4)[:40], "FormatError")
    pkl("pickle-garbage", os.urandom(256), "FormatError")
    pkl("pickle-plain-ok", pickle.dumps({"rate": 2000, "names": ["a", "<b>"]}, protocol=4), None)

    # --- names and links ---
    outside = os.path.join(out, "outside-root")
    os.makedirs(outside, exist_ok=True)
    good_task(outside)
    p = case("symlink-subject-outside-root", "listing", None, None, "a subject linking outside the root is not listed")
    os.symlink(outside, os.path.join(out, "symlink-subject-outside-root", "escaped"))
    good_task(p)
    p = case("symlink-csv-outside-root", "trials", "FormatError", "trials.csv", "trials.csv links outside the root")
    os.symlink("/etc/hostname", os.path.join(p, "trials.csv"))
    p = case("names-hostile", "listing", None, None, "odd but legal folder names are listed as text; unusable ones skipped")
    for name in ["<img src=x onerror=alert(1)>", "back\\slash", ".hidden", "x" * 255, "émoji 😀"]:
        os.makedirs(os.path.join(out, "names-hostile", name), exist_ok=True)

    # What Python itself reads from each case that must read fine: the test compares the kernel
    # API's result with it (cases whose reading differs on purpose are checked in the test).
    differs_on_purpose = {"csv-partial-last-line"}
    for c in cases:
        if c["error"] is None and c["call"] != "listing" and c["name"] not in differs_on_purpose:
            c["expect"] = python_reading(os.path.join(out, c["name"], "s1", "t1"), c["call"])

    with open(os.path.join(out, "cases.json"), "w") as f:
        json.dump({"marker": marker, "cases": cases}, f, indent=1)
    print(len(cases))


if __name__ == "__main__":
    main(sys.argv[1], "--big" in sys.argv)
