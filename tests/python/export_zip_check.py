"""Fixtures and checks for the ZIP export's end-to-end tests and benchmark.

    export_zip_check.py big ROOT MEGABYTES    # <ROOT>/s1/t1: trials.csv by pandas + 4 big array files
    export_zip_check.py verify ZIP BASE PATH  # compare ZIP with the files under BASE/PATH; prints JSON

`big` writes sparse files with a random MiB every 64 MiB: fast to make, cheap on disk, and
every byte still has to travel through the export. `verify` opens the archive with Python's
zipfile (CRC-checks every entry) and compares names, bytes, methods and times with the files
under BASE/PATH, whose archive names are their paths relative to BASE; it also reports each
entry's record layout (data descriptor, "made by" system, Unix mode).
"""
import json
import os
import sys
import time
import zipfile

import pandas as pd

MIB = 1024 * 1024


def write_big(root, megabytes):
    task = os.path.join(root, "s1", "t1")
    os.makedirs(task, exist_ok=True)
    pd.DataFrame({"trial": range(4), "gain": [0.5 * i for i in range(4)]}).to_csv(
        os.path.join(task, "trials.csv"), index=False)
    per_file = megabytes * MIB // 4
    for i in range(4):
        with open(os.path.join(task, f"emg{i}.hdf5"), "wb") as f:
            f.truncate(per_file)
            for offset in range(0, per_file - MIB, 64 * MIB):
                f.seek(offset)
                f.write(os.urandom(MIB))


def same_bytes(archive, info, source):
    with archive.open(info) as packed, open(source, "rb") as original:
        while True:
            left = packed.read(4 * MIB)
            right = original.read(4 * MIB)
            if left != right:
                return False
            if not left:
                return True


def verify(zip_path, base, path):
    expected = {}
    for folder, _, files in os.walk(os.path.join(base, path)):
        for name in files:
            full = os.path.join(folder, name)
            expected[os.path.relpath(full, base).replace(os.sep, "/")] = full
    report = {"names": [], "expected": sorted(expected), "bad_crc": None,
              "different": [], "methods": {}, "time_off": [], "records": {}}
    with zipfile.ZipFile(zip_path) as archive:
        report["bad_crc"] = archive.testzip()
        for info in archive.infolist():
            report["names"].append(info.filename)
            report["methods"][info.filename] = {
                zipfile.ZIP_STORED: "store", zipfile.ZIP_DEFLATED: "deflate"}.get(info.compress_type, "other")
            # How the writer laid the entry out: sizes after the data (streamed) or in the
            # local header, and the Unix "made by" system and mode it records.
            report["records"][info.filename] = {
                "data_descriptor": bool(info.flag_bits & 0x08),
                "made_by": {3: "unix", 0: "dos"}.get(info.create_system, str(info.create_system)),
                "unix_mode": oct(info.external_attr >> 16),
            }
            source = expected.get(info.filename)
            if source is None or not same_bytes(archive, info, source):
                report["different"].append(info.filename)
                continue
            # DOS times are local, in 2 s steps.
            wanted = time.mktime(time.localtime(int(os.stat(source).st_mtime)))
            stored = time.mktime(info.date_time + (0, 0, -1))
            if abs(wanted - stored) > 2:
                report["time_off"].append(info.filename)
    report["names"].sort()
    print(json.dumps(report))


def main(argv):
    if argv[1] == "big":
        write_big(argv[2], int(argv[3]))
    elif argv[1] == "verify":
        verify(argv[2], argv[3], argv[4])
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
