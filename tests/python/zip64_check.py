"""Reads an archive of the core ZIP writer's ZIP64 tests back with Python's zipfile.

    zip64_check.py ZIP NAME...   # prints JSON: entry count, ZIP64 end record, testzip's
                                 # verdict, and for each NAME its size, method, flag bits and
                                 # (when under 1 KiB) its text

zipfile.testzip() reads every entry and checks its CRC-32, so a wrong checksum, size or
offset anywhere fails it.
"""
import json
import sys
import zipfile

path, names = sys.argv[1], sys.argv[2:]
with open(path, "rb") as f:
    f.seek(-22 - 20 - 56, 2)
    tail = f.read()
with zipfile.ZipFile(path) as archive:
    infos = archive.infolist()
    report = {
        "count": len(infos),
        "zip64_end_record": tail.startswith(b"PK\x06\x06"),
        "testzip": archive.testzip(),
        "entries": {},
    }
    for name in names:
        info = archive.getinfo(name)
        entry = {
            "size": info.file_size,
            "method": {zipfile.ZIP_STORED: "store", zipfile.ZIP_DEFLATED: "deflate"}.get(info.compress_type, "other"),
            "data_descriptor": bool(info.flag_bits & 0x08),
            "utf8": bool(info.flag_bits & 0x800),
        }
        if info.file_size < 1024:
            entry["text"] = archive.read(info).decode("utf-8")
        report["entries"][name] = entry
print(json.dumps(report))
