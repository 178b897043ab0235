"""``<base_url>/jupyterlab-axopy/files/<path>``: Jupyter's ``/files/`` with multi-range requests.

The HDF5 worker reads the root group's tree of a trial file before it can read trials directly;
h5py scatters that tree's nodes over the file (about 350 nodes for 2000 trials). Through
``/files/``, which answers one range per request, they cost one request each, and Jupyter's
server spends about a millisecond on every request. Here one request asks for all of them:
``Range: bytes=a-b,c-d,...`` is answered as HTTP defines it (RFC 9110 14.6), a
``multipart/byteranges`` body with one part per range, in the order asked.

Every response also answers, when asked, whether a file of a given name lies beside the one read
(``X-AxoPy-Sibling: <name>`` in, ``X-AxoPy-Sibling-Exists: 1`` or ``0`` out): the worker names
the file's flush journal, so that the check for a writer committing in place comes with the data,
as it was read, instead of from a folder listing per chunk of trials (about 4 ms of this server's
time each, about a third of its work in a read of 2000 trials).

Everything else is ``/files/``'s own handler: the same login, the same refusal of hidden files
and of links leading out of the served folder, and a request with one range or none is answered
exactly as ``/files/`` answers it.
"""
import os
import re
import secrets
from typing import List, Optional, Tuple

from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import AuthenticatedFileHandler
from jupyter_server.utils import url_path_join
from tornado import iostream, web

#: Ranges one request may ask for, and the bytes they may add up to: a tree pass of the worker
#: asks for a few hundred windows of 6 KiB; a bound keeps a careless client from a huge response.
MAX_RANGES = 4096
MAX_TOTAL_BYTES = 64 * 1024 * 1024
#: Bytes read from the file and written at a time.
PIECE_BYTES = 1024 * 1024

#: The request header naming a file beside the one read, and the answer's.
SIBLING_HEADER = "X-AxoPy-Sibling"
SIBLING_EXISTS_HEADER = "X-AxoPy-Sibling-Exists"

_RANGE_SPEC = re.compile(r"^\s*(\d*)\s*-\s*(\d*)\s*$")


class RangeError(ValueError):
    """A Range header that cannot be answered: the message says why."""


def parse_byte_ranges(header: str, size: int) -> List[Tuple[int, int]]:
    """The ``[start, end)`` byte ranges of a ``bytes=...`` header for a file of ``size`` bytes.

    Ranges are kept in the order asked; an end past the file is cut at its end (as ``/files/``
    does). Raises :class:`RangeError` for another unit, a malformed spec, a range starting at or
    past the end, too many ranges or too many bytes.
    """
    unit, _, specs = header.partition("=")
    if unit.strip().lower() != "bytes" or not specs.strip():
        raise RangeError("not a bytes range")
    ranges = []
    for spec in specs.split(","):
        match = _RANGE_SPEC.match(spec)
        if match is None or match.group(1) == match.group(2) == "":
            raise RangeError(f"malformed range {spec.strip()!r}")
        first, last = match.group(1), match.group(2)
        if first == "":  # a suffix: the last N bytes
            start, end = max(0, size - int(last)), size
        else:
            start = int(first)
            end = size if last == "" else min(size, int(last) + 1)
            if last != "" and int(last) < start:
                raise RangeError(f"range {spec.strip()!r} ends before it starts")
        if start >= size or end <= start:
            raise RangeError(f"range {spec.strip()!r} is not within the file's {size} bytes")
        ranges.append((start, end))
        if len(ranges) > MAX_RANGES:
            raise RangeError(f"more than {MAX_RANGES} ranges")
    if sum(end - start for start, end in ranges) > MAX_TOTAL_BYTES:
        raise RangeError(f"more than {MAX_TOTAL_BYTES} bytes asked for")
    return ranges


class MultiRangeFileHandler(AuthenticatedFileHandler):
    """Jupyter's file handler (root, login and hidden-file rules unchanged), with multi-range GETs."""

    @web.authenticated
    @authorized
    async def get(self, path: str, include_body: bool = True) -> None:  # type:ignore[override]
        header = self.request.headers.get("Range", "")
        if "," not in header:
            await super().get(path, include_body=include_body)
            return
        self.check_xsrf_cookie()
        # The path checks of tornado's and Jupyter's handler, as a single-range GET makes them.
        self.path = self.parse_url_path(path)
        self.absolute_path = self.validate_absolute_path(self.root, self.get_absolute_path(self.root, self.path))
        if self.absolute_path is None:
            return
        self.modified = self.get_modified_time()
        self.set_headers()
        size = self.get_content_size()
        try:
            ranges = parse_byte_ranges(header, size)
        except RangeError as error:
            self._refuse(416, f"{self.path}: {error}", size)
            return
        # The file validated above, never a link put in its place since (O_NOFOLLOW), and as
        # long as it was then: a file cut short meanwhile is refused, not answered with holes.
        try:
            fd = os.open(self.absolute_path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except OSError as error:
            self._refuse(404, f"{self.path}: {error.strerror}", size)
            return
        with os.fdopen(fd, "rb", buffering=0) as file:
            if os.fstat(fd).st_size < max(end for _, end in ranges):
                self._refuse(416, f"{self.path}: the file became shorter while being read", size)
                return
            boundary = secrets.token_hex(16)
            heads = [
                (f"--{boundary}\r\nContent-Type: application/octet-stream\r\n"
                 f"Content-Range: bytes {start}-{end - 1}/{size}\r\n\r\n").encode("ascii")
                for start, end in ranges
            ]
            tail = f"--{boundary}--\r\n".encode("ascii")
            self.set_status(206)
            self.set_header("Content-Type", f"multipart/byteranges; boundary={boundary}")
            self.set_header(
                "Content-Length",
                sum(len(head) + end - start + 2 for head, (start, end) in zip(heads, ranges)) + len(tail),
            )
            if not include_body:
                return
            try:
                await self._write_parts(file, heads, ranges, tail)
            except iostream.StreamClosedError:
                return

    async def _write_parts(self, file, heads: List[bytes], ranges: List[Tuple[int, int]], tail: bytes) -> None:
        unflushed = 0
        for head, (start, end) in zip(heads, ranges):
            self.write(head)
            position = start
            while position < end:
                piece = os.pread(file.fileno(), min(PIECE_BYTES, end - position), position)
                if not piece:
                    # Cut short after the check: the response ends unfinished, so the client
                    # sees a failed read rather than parts of the wrong length.
                    self.request.connection.stream.close()
                    self._finished = True
                    return
                self.write(piece)
                position += len(piece)
                unflushed += len(piece)
                if unflushed >= PIECE_BYTES:
                    await self.flush()
                    unflushed = 0
            self.write(b"\r\n")
        self.write(tail)
        await self.flush()

    def set_headers(self) -> None:
        """``/files/``'s headers, and the answer about the sibling file asked for (both GET paths)."""
        super().set_headers()
        name = self.request.headers.get(SIBLING_HEADER)
        # Only a plain name in the same folder, never a hidden one: nothing the listing of that
        # folder would not show.
        if name is None or not name or name.startswith(".") or any(c in name for c in "/\\\0"):
            return
        exists = os.path.lexists(os.path.join(os.path.dirname(self.absolute_path), name))
        self.set_header(SIBLING_EXISTS_HEADER, "1" if exists else "0")

    def _refuse(self, status: int, message: str, size: Optional[int]) -> None:
        self.clear_header("Content-Type")
        self.set_status(status)
        self.set_header("Content-Type", "text/plain; charset=UTF-8")
        if status == 416 and size is not None:
            self.set_header("Content-Range", f"bytes */{size}")
        self.finish(message)


def setup_range_handlers(serverapp) -> bool:
    """Adds the endpoint where Jupyter serves files from disk with its own handler; says whether it did."""
    contents = serverapp.contents_manager
    if getattr(contents, "files_handler_class", None) is not AuthenticatedFileHandler:
        return False
    web_app = serverapp.web_app
    route = url_path_join(web_app.settings["base_url"], "jupyterlab-axopy", "files", "(.*)")
    web_app.add_handlers(".*$", [(route, MultiRangeFileHandler, dict(contents.files_handler_params))])
    # The page learns without a request (no 404 where the extension is off) that it can use it.
    web_app.settings.setdefault("page_config_data", {})["axopyMultiRangeFiles"] = "1"
    return True
