"""Unit tests of the server export (jupyterlab_axopy/export_zip.py): archives read back by
Python's zipfile, plans refused, symlinks not followed, Cancel leaves no file, and archives
taken while the real AxoPy records a task consistent (or warned about).

    .venv/bin/python -m unittest tests/python/test_export_server.py
"""
import io
import json
import os
import subprocess
import sys
import tempfile
import time
import unittest
import zipfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", ".."))

from jupyterlab_axopy.export_zip import (  # noqa: E402
    ExportCancelled,
    ExportFileError,
    PlanError,
    Progress,
    archive_chunks,
    open_root,
    parse_plan,
    write_archive_file,
)


class ExportServerTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = os.path.join(self.tmp.name, "root")
        self.task = os.path.join(self.root, "data", "s1", "t1")
        os.makedirs(self.task)
        self.files = {
            "trials.csv": b"trial,gain\n0,0.5\n1,1.0\n",
            "emg.hdf5": os.urandom(3 * 1024 * 1024 + 7),
            "notes.txt": b"trial ok\n" * 300_000,
        }
        for name, data in self.files.items():
            with open(os.path.join(self.task, name), "wb") as f:
                f.write(data)
        with open(os.path.join(self.tmp.name, "secret.txt"), "wb") as f:
            f.write(b"outside the root")
        self.root_fd = open_root(self.root)

    def tearDown(self):
        os.close(self.root_fd)
        self.tmp.cleanup()

    def entry(self, name, method, read_first=False, **changes):
        full = os.path.join(self.task, name)
        info = os.lstat(full)
        entry = {"archivePath": f"data/s1/t1/{name}", "relativePath": f"s1/t1/{name}", "size": info.st_size,
                 "mtime": info.st_mtime * 1000, "method": method, "readFirst": read_first}
        entry.update(changes)
        return entry

    def plan(self, zip64=False, extra=()):
        return parse_plan({"base": "data", "zip64": zip64, "entries": [
            self.entry("emg.hdf5", "store"), self.entry("notes.txt", "deflate"),
            self.entry("trials.csv", "deflate", True), *extra]})

    def test_archives_read_back_byte_for_byte_with_and_without_zip64(self):
        for zip64 in (False, True):
            progress = Progress()
            data = b"".join(archive_chunks(self.root_fd, self.plan(zip64), progress))
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                self.assertIsNone(archive.testzip())
                for name, content in self.files.items():
                    self.assertEqual(archive.read(f"data/s1/t1/{name}"), content)
                methods = {info.filename: info.compress_type for info in archive.infolist()}
                self.assertEqual(methods["data/s1/t1/emg.hdf5"], zipfile.ZIP_STORED)
                self.assertEqual(methods["data/s1/t1/notes.txt"], zipfile.ZIP_DEFLATED)
            self.assertEqual(progress.archive_bytes, len(data))
            self.assertEqual(progress.bytes_done, sum(len(content) for content in self.files.values()))
            self.assertEqual(progress.files_done, 3)
            # ZIP64 end records exactly when planned (this archive is small).
            self.assertEqual(b"PK\x06\x06" in data[-200:], zip64)

    def test_symlinks_are_skipped_not_followed(self):
        os.symlink(os.path.join(self.tmp.name, "secret.txt"), os.path.join(self.task, "leak.txt"))
        os.symlink(self.tmp.name, os.path.join(self.root, "data", "s1", "out"))
        leak = self.entry("leak.txt", "deflate", size=16)
        through_folder = dict(leak, archivePath="data/s1/out/secret.txt", relativePath="s1/out/secret.txt")
        progress = Progress()
        data = b"".join(archive_chunks(self.root_fd, self.plan(extra=[leak, through_folder]), progress))
        self.assertNotIn(b"outside the root", data)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            self.assertEqual(sorted(archive.namelist()), sorted(f"data/s1/t1/{name}" for name in self.files))
        self.assertEqual(len(progress.warnings), 2)

    def test_unsafe_plans_are_refused(self):
        good = self.entry("trials.csv", "deflate")
        for base, entry in [
            ("..", good), ("/etc", good), ("data/../..", good), ("", good),
            ("data", dict(good, relativePath="../secret.txt")),
            ("data", dict(good, relativePath="s1//t1/trials.csv")),
            ("data", dict(good, archivePath="../evil.csv")),
            ("data", dict(good, archivePath="/evil.csv")),
            ("data", dict(good, archivePath="data\\..\\evil.csv")),
            ("data", dict(good, relativePath="s1/t1/.hidden")),
            ("data", dict(good, size=-1)),
            ("data", dict(good, method="bzip2")),
            ("data", dict(good, readFirst=True, size=5 * 1024 * 1024)),
        ]:
            with self.subTest(base=base, entry=entry), self.assertRaises(PlanError):
                parse_plan({"base": base, "zip64": False, "entries": [entry]})
        with self.assertRaises(PlanError):
            parse_plan({"base": "data", "zip64": False, "entries": [good, good]})

    def test_a_file_that_vanished_or_shrank_is_named(self):
        plan = self.plan()
        os.remove(os.path.join(self.task, "emg.hdf5"))
        with self.assertRaises(ExportFileError) as caught:
            b"".join(archive_chunks(self.root_fd, plan, Progress()))
        self.assertEqual(caught.exception.path, "data/s1/t1/emg.hdf5")
        self.assertIn("disappeared", str(caught.exception))

    def test_save_renames_when_complete_and_leaves_nothing_on_cancel_or_error(self):
        write_archive_file(self.root_fd, "data.zip", self.plan(), Progress(), False, lambda: False, "x1")
        with zipfile.ZipFile(os.path.join(self.root, "data.zip")) as archive:
            self.assertIsNone(archive.testzip())
        self.assertEqual(sorted(os.listdir(self.root)), ["data", "data.zip"])
        with self.assertRaises(ExportFileError):  # exists, not confirmed
            write_archive_file(self.root_fd, "data.zip", self.plan(), Progress(), False, lambda: False, "x2")
        os.remove(os.path.join(self.root, "data.zip"))
        calls = []

        def cancel_after_a_few_chunks():
            calls.append(1)
            return len(calls) > 3

        with self.assertRaises(ExportCancelled):
            write_archive_file(self.root_fd, "data.zip", self.plan(), Progress(), False, cancel_after_a_few_chunks, "x3")
        self.assertEqual(os.listdir(self.root), ["data"])
        plan = self.plan()
        os.remove(os.path.join(self.task, "notes.txt"))
        with self.assertRaises(ExportFileError):
            write_archive_file(self.root_fd, "data.zip", plan, Progress(), False, lambda: False, "x4")
        self.assertEqual(os.listdir(self.root), ["data"])


REPO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
AXOPY_PYTHON = os.path.join(REPO, ".venv-axopy", "bin", "python")


@unittest.skipUnless(os.path.exists(AXOPY_PYTHON), "needs .venv-axopy (the real AxoPy)")
class ExportWhileRecordingTest(unittest.TestCase):
    """Archives taken while the real AxoPy records a task: each archived row has its dataset
    (trials.csv is read first, as the plan says), or the export warned that a file was being
    written. Judged by pandas and h5py (tests/python/zip_task_consistency.py)."""

    def test_archives_during_recording_are_consistent_or_warned(self):
        with tempfile.TemporaryDirectory() as tmp:
            root = os.path.join(tmp, "root")
            os.makedirs(root)
            writer = subprocess.Popen([AXOPY_PYTHON, os.path.join(REPO, "tests", "python", "record_task_live.py"), root, "50", "5"],
                                      stdout=subprocess.DEVNULL, env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
            archives, warned = [], 0
            root_fd = open_root(tmp)
            try:
                while writer.poll() is None:
                    task = os.path.join(root, "s1", "live")
                    if not os.path.exists(os.path.join(task, "trials.csv")):
                        time.sleep(0.03)
                        continue
                    entries = []
                    for name in sorted(os.listdir(task)):
                        info = os.stat(os.path.join(task, name))
                        # The plan as the browser sends it: trials.csv read first, .hdf5 stored.
                        entries.append({"archivePath": f"root/s1/live/{name}", "relativePath": f"s1/live/{name}",
                                        "size": info.st_size, "mtime": info.st_mtime * 1000,
                                        "method": "store" if name.endswith(".hdf5") else "deflate",
                                        "readFirst": name == "trials.csv"})
                    progress = Progress()
                    archive = os.path.join(tmp, f"snapshot-{len(archives)}.zip")
                    with open(archive, "wb") as out:
                        for chunk in archive_chunks(root_fd, parse_plan({"base": "root", "zip64": False, "entries": entries}), progress):
                            out.write(chunk)
                    archives.append(archive)
                    warned += any("being" in message for message in progress.warnings)
                    time.sleep(0.03)
            finally:
                os.close(root_fd)
                writer.wait()
            report = json.loads(subprocess.check_output(
                [sys.executable, os.path.join(REPO, "tests", "python", "zip_task_consistency.py"), "root/s1/live", *archives]))
            inconsistent = [name for name, result in report.items()
                            if "error" in result or result["unreadable"] or any(result["missing"].values())]
            self.assertGreaterEqual(len(archives), 5)
            self.assertLessEqual(len(inconsistent), warned, f"{len(inconsistent)} of {len(archives)} inconsistent, {warned} warned: {[report[name] for name in inconsistent[:3]]}")


if __name__ == "__main__":
    unittest.main()
