"""The multi-range endpoint (jupyterlab_axopy/range_handlers.py) on a real Jupyter server started
from this checkout: parts parsed by Python's own MIME parser equal the file's bytes in the order
asked, one range is answered as /files/ answers it, and the endpoint keeps /files/'s refusals
(no token, a hidden file, a link out of the root) and refuses ranges it cannot answer; asked
about a file beside the one read (the flush journal), each answer says whether it exists, as
os.path tells, and a name that is not a plain visible name in that folder gets no answer.

    .venv/bin/python -m unittest tests/python/test_ranges_server.py
"""
import email.parser
import email.policy
import http.client
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RangesServerTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.root = os.path.join(cls.tmp.name, "root")
        os.makedirs(os.path.join(cls.root, "s1", "t1"))
        cls.data = os.urandom(3 * 1024 * 1024 + 123)
        with open(os.path.join(cls.root, "s1", "t1", "emg.hdf5"), "wb") as f:
            f.write(cls.data)
        with open(os.path.join(cls.root, "s1", ".hidden.hdf5"), "wb") as f:
            f.write(b"hidden" * 100)
        with open(os.path.join(cls.tmp.name, "secret.hdf5"), "wb") as f:
            f.write(b"outside the root" * 100)
        os.symlink(os.path.join(cls.tmp.name, "secret.hdf5"), os.path.join(cls.root, "s1", "t1", "link.hdf5"))
        cls.token = secrets.token_hex(16)
        cls.port = free_port()
        config = os.path.join(cls.tmp.name, "config")
        os.makedirs(config)
        with open(os.path.join(config, "jupyter_server_config.json"), "w") as f:
            json.dump({"ServerApp": {"jpserver_extensions": {"jupyterlab_axopy": True}}}, f)
        env = dict(os.environ, PYTHONPATH=REPO, JUPYTER_CONFIG_DIR=config)
        cls.server = subprocess.Popen(
            [os.path.join(os.path.dirname(sys.executable), "jupyter"), "server", "--no-browser", "--allow-root",
             f"--port={cls.port}", "--ip=127.0.0.1", f"--IdentityProvider.token={cls.token}",
             f"--ServerApp.root_dir={cls.root}"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while True:
            try:
                cls.request("api/status")
                break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline or cls.server.poll() is not None:
                    cls.server.kill()
                    raise RuntimeError("jupyter server did not start: " + cls.server.stderr.read().decode()[-2000:])
                time.sleep(0.2)

    @classmethod
    def tearDownClass(cls):
        cls.server.terminate()
        cls.server.wait(20)
        cls.server.stderr.close()
        cls.tmp.cleanup()

    @classmethod
    def request(cls, path, headers=None, token=True):
        url = f"http://127.0.0.1:{cls.port}/{path}"
        all_headers = dict(headers or {})
        if token:
            all_headers["Authorization"] = f"token {cls.token}"
        with urllib.request.urlopen(urllib.request.Request(url, headers=all_headers), timeout=30) as response:
            return response.status, dict(response.headers), response.read()

    def status_of(self, path, headers=None, token=True):
        """The status of a GET, redirects not followed (a login page is no file)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            all_headers = dict(headers or {})
            if token:
                all_headers["Authorization"] = f"token {self.token}"
            connection.request("GET", "/" + path, headers=all_headers)
            return connection.getresponse().status
        finally:
            connection.close()

    def parts(self, headers, body):
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            f"Content-Type: {headers['Content-Type']}\r\n\r\n".encode() + body)
        self.assertTrue(message.is_multipart())
        return [(part["Content-Range"], part.get_payload(decode=True)) for part in message.iter_parts()]

    def test_parts_are_the_file_bytes_in_the_order_asked(self):
        size = len(self.data)
        asked = [(2_000_000, 2_000_099), (0, 0), (4096, 10_239), (size - 10, size + 500), (5000, 6000)]
        status, headers, body = self.request(
            "jupyterlab-axopy/files/s1/t1/emg.hdf5",
            {"Range": "bytes=" + ",".join(f"{a}-{b}" for a, b in asked) + ",-7"})
        self.assertEqual(status, 206)
        self.assertEqual(int(headers["Content-Length"]), len(body))
        parts = self.parts(headers, body)
        expected = [(a, min(b, size - 1)) for a, b in asked] + [(size - 7, size - 1)]
        self.assertEqual([r for r, _ in parts], [f"bytes {a}-{b}/{size}" for a, b in expected])
        for (a, b), (_, payload) in zip(expected, parts):
            self.assertEqual(payload, self.data[a:b + 1])
        self.assertEqual(headers["Last-Modified"], self.request("files/s1/t1/emg.hdf5")[1]["Last-Modified"])

    def test_one_range_or_none_is_answered_as_files_answers_it(self):
        for extra in ({"Range": "bytes=100-4195"}, {}):
            ours = self.request("jupyterlab-axopy/files/s1/t1/emg.hdf5", extra)
            theirs = self.request("files/s1/t1/emg.hdf5", extra)
            self.assertEqual(ours[0], theirs[0])
            self.assertEqual(ours[2], theirs[2])
            self.assertEqual(ours[1].get("Content-Range"), theirs[1].get("Content-Range"))
        self.assertEqual(ours[2], self.data)

    def test_refusals_of_files_hold_for_many_ranges(self):
        many = {"Range": "bytes=0-9,20-29"}
        self.assertIn(self.status_of("jupyterlab-axopy/files/s1/t1/emg.hdf5", many, token=False), (302, 401, 403))
        self.assertEqual(self.status_of("jupyterlab-axopy/files/s1/.hidden.hdf5", many), 404)
        self.assertIn(self.status_of("jupyterlab-axopy/files/s1/t1/link.hdf5", many), (403, 404))
        self.assertIn(self.status_of("jupyterlab-axopy/files/../secret.hdf5", many), (403, 404))
        self.assertEqual(self.status_of("jupyterlab-axopy/files/s1/t1/none.hdf5", many), 404)

    def test_ranges_it_cannot_answer_are_refused_with_the_file_named(self):
        size = len(self.data)
        for header in (f"bytes=0-9,{size}-{size + 9}", "bytes=0-9,x-y", "bytes=9-0,0-1",
                       "bytes=" + ",".join("0-0" for _ in range(5000)),
                       "bytes=" + ",".join(f"0-{size - 1}" for _ in range(30))):
            with self.assertRaises(urllib.error.HTTPError) as caught:
                self.request("jupyterlab-axopy/files/s1/t1/emg.hdf5", {"Range": header})
            self.assertEqual(caught.exception.code, 416, header[:40])
            self.assertIn("s1/t1/emg.hdf5", caught.exception.read().decode())
            self.assertEqual(caught.exception.headers["Content-Range"], f"bytes */{size}")

    def test_each_answer_says_whether_the_sibling_asked_about_exists(self):
        folder = os.path.join(self.root, "s1", "t1")
        journal = os.path.join(folder, "emg.hdf5-journal")
        asked = {"X-AxoPy-Sibling": "emg.hdf5-journal"}
        requests = ({"Range": "bytes=0-9"}, {"Range": "bytes=0-9,20-29"}, {})
        for present in (False, True):
            if present:
                with open(journal, "wb") as f:
                    f.write(b"batch")
            try:
                for extra in requests:
                    _, headers, _ = self.request("jupyterlab-axopy/files/s1/t1/emg.hdf5", {**extra, **asked})
                    said = {k.lower(): v for k, v in headers.items()}.get("x-axopy-sibling-exists")
                    self.assertEqual(said, "1" if os.path.exists(journal) else "0", extra)
            finally:
                if present:
                    os.remove(journal)
        # Not asked, or asked about a path, a hidden name or the folder above: no answer.
        for name in (None, "../emg.hdf5", "t1/emg.hdf5", ".hidden.hdf5", "..", ""):
            headers = {"Range": "bytes=0-9"} if name is None else {"Range": "bytes=0-9", "X-AxoPy-Sibling": name}
            _, answered, _ = self.request("jupyterlab-axopy/files/s1/t1/emg.hdf5", headers)
            self.assertNotIn("x-axopy-sibling-exists", [k.lower() for k in answered], name)
        # /files/ itself is unchanged.
        _, theirs, _ = self.request("files/s1/t1/emg.hdf5", {"Range": "bytes=0-9", **asked})
        self.assertNotIn("x-axopy-sibling-exists", [k.lower() for k in theirs])


if __name__ == "__main__":
    unittest.main()
