"""Reads a ZIP archive with Python's zipfile and compares it with a storage root.

Usage: zip_check.py ARCHIVE ROOT TOPFOLDER
Prints JSON: testzip result, names, compression methods, UTF-8 flags, whether the archive has
ZIP64 end records, the names whose bytes differ from the file under ROOT, and the largest
difference (seconds) between an entry's date_time and its file's mtime (local time, as
zipfile.write stores it).
"""
import json
import os
import sys
import time
import zipfile

archive, root, top = sys.argv[1], sys.argv[2], sys.argv[3]
with open(archive, "rb") as f:
    f.seek(0, os.SEEK_END)
    f.seek(max(0, f.tell() - 65536 - 200))
    tail = f.read()
with zipfile.ZipFile(archive) as z:
    infos = z.infolist()
    bad_crc = z.testzip()
    differing = []
    worst_time_diff = 0.0
    for info in infos:
        path = os.path.join(root, *info.filename.split("/")[1:])
        with open(path, "rb") as f:
            if z.read(info) != f.read():
                differing.append(info.filename)
        mtime = os.stat(path).st_mtime
        archived = time.mktime(info.date_time + (0, 0, -1))
        worst_time_diff = max(worst_time_diff, abs(archived - mtime))
print(json.dumps({
    "testzip": bad_crc,
    "names": [info.filename for info in infos],
    "methods": {info.filename: info.compress_type for info in infos},
    "utf8": {info.filename: bool(info.flag_bits & 0x800) for info in infos},
    "zip64_end_record": b"PK\x06\x06" in tail,
    "differing": differing,
    "worst_time_diff": worst_time_diff,
    "top_folders": sorted({info.filename.split("/")[0] for info in infos}),
    "expected_top": top,
}))
