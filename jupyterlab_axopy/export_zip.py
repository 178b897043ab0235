"""The server side of "Export as ZIP": checks an archive plan sent by the browser and writes it.

The plan (which files, under which names, stored or deflated, in which order) is made once, by
the core's ``planStorageZip`` in the browser; this module only checks that it is safe to run
and runs it. Files are reached from the server root one folder at a time with ``O_NOFOLLOW``
(a symlink anywhere in a path is refused, so nothing outside the root is read), and each file
opened must be a regular file (``fstat``). Bytes travel in chunks of ``CHUNK_BYTES``: memory
stays bounded whatever the archive's size.

No Tornado here: ``archive_chunks`` yields the archive's bytes; the handlers send them or
write them to a file.
"""
import os
import stat
import struct
import time
import zlib
from dataclasses import dataclass, field
from typing import Callable, Iterator, List

#: Bytes read from a file at once (and the largest piece of archive yielded but for headers).
CHUNK_BYTES = 4 * 1024 * 1024
#: Files up to this size are read whole: sizes and CRC-32 then go in the local header.
SMALL_FILE_BYTES = 1024 * 1024
#: The core's SNAPSHOT_MAX_BYTES: the largest file the plan may ask to read ahead.
READ_FIRST_MAX_BYTES = 4 * 1024 * 1024
#: Entries a plan may hold (a bound on the memory the central directory takes).
MAX_ENTRIES = 1_000_000
ZIP32_MAX = 0xFFFFFFFF
ZIP32_MAX_ENTRIES = 0xFFFF

_FLAG_DATA_DESCRIPTOR = 0x0008
_FLAG_UTF8 = 0x0800
_METHODS = {"store": 0, "deflate": 8}
# "Made by" Unix, spec 4.5; external attributes: a regular rw-r--r-- file (as the core writer).
_MADE_BY = (3 << 8) | 45
_EXTERNAL_ATTRIBUTES = (0o100644 << 16) & 0xFFFFFFFF


class PlanError(ValueError):
    """The plan sent is malformed or asks for something not allowed (bad names, bad sizes)."""


class ExportFileError(Exception):
    """A planned file cannot be archived; ``path`` is its server path."""

    def __init__(self, path: str, message: str):
        super().__init__(message)
        self.path = path


class RefusedFileError(ExportFileError):
    """A planned path is a symlink, crosses one, or is not a regular file: skipped, with a warning."""


class ExportCancelled(Exception):
    """The export was cancelled while running."""


@dataclass
class PlannedEntry:
    archive_path: str
    relative_path: str
    size: int
    mtime_ms: float
    method: str
    read_first: bool


@dataclass
class ArchivePlan:
    #: The storage root's folder, from the server root ("/"-joined); relative paths start there.
    base: str
    entries: List[PlannedEntry]
    zip64: bool

    @property
    def total_bytes(self) -> int:
        return sum(entry.size for entry in self.entries)

    def server_path(self, entry: PlannedEntry) -> str:
        return f"{self.base}/{entry.relative_path}"


@dataclass
class Progress:
    """What a running export has done; read by the progress requests (another thread)."""

    files_done: int = 0
    bytes_done: int = 0
    archive_bytes: int = 0
    current_file: str = ""
    warnings: List[str] = field(default_factory=list)


def path_components(path: str, what: str, allow_hidden: bool) -> List[str]:
    """The components of a relative "/"-joined path; refuses absolute paths, `.`, `..`, empty parts."""
    if not isinstance(path, str) or path == "":
        raise PlanError(f"{what} must be a non-empty relative path")
    if path.startswith("/") or "\0" in path:
        raise PlanError(f"{what} {path!r} is absolute or holds a NUL")
    parts = path.split("/")
    for part in parts:
        if part in ("", ".", ".."):
            raise PlanError(f"{what} {path!r} has an empty, '.' or '..' component")
        if part.startswith(".") and not allow_hidden:
            raise PlanError(f"{what} {path!r} names a hidden file or folder")
    return parts


def parse_plan(body: object, allow_hidden: bool = False) -> ArchivePlan:
    """Checks the JSON plan the browser sent (see src/lab/export/server-export.ts)."""
    if not isinstance(body, dict):
        raise PlanError("the plan must be a JSON object")
    base = body.get("base")
    path_components(base, "base", allow_hidden)
    zip64 = body.get("zip64")
    if not isinstance(zip64, bool):
        raise PlanError("zip64 must be true or false")
    raw_entries = body.get("entries")
    if not isinstance(raw_entries, list) or len(raw_entries) > MAX_ENTRIES:
        raise PlanError(f"entries must be a list of at most {MAX_ENTRIES} entries")
    entries = []
    names = set()
    for raw in raw_entries:
        if not isinstance(raw, dict):
            raise PlanError("each entry must be a JSON object")
        archive_path = raw.get("archivePath")
        # Archive names were escaped by the core: no part an extractor could climb out with.
        parts = path_components(archive_path, "archivePath", True)
        if any("\\" in part for part in parts):
            raise PlanError(f"archivePath {archive_path!r} holds a backslash")
        if archive_path in names:
            raise PlanError(f"archivePath {archive_path!r} appears twice")
        names.add(archive_path)
        relative_path = raw.get("relativePath")
        path_components(relative_path, "relativePath", allow_hidden)
        size, mtime, method, read_first = raw.get("size"), raw.get("mtime"), raw.get("method"), raw.get("readFirst")
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise PlanError(f"{relative_path}: size must be a non-negative integer")
        if not isinstance(mtime, (int, float)) or isinstance(mtime, bool) or mtime != mtime:
            raise PlanError(f"{relative_path}: mtime must be milliseconds since the epoch")
        if method not in _METHODS:
            raise PlanError(f"{relative_path}: method must be 'store' or 'deflate'")
        if not isinstance(read_first, bool) or (read_first and size > READ_FIRST_MAX_BYTES):
            raise PlanError(f"{relative_path}: readFirst must be a boolean, and only for files up to 4 MiB")
        entries.append(PlannedEntry(archive_path, relative_path, size, float(mtime), method, read_first))
    return ArchivePlan(base, entries, zip64)


def open_under_root(root_fd: int, path: str) -> int:
    """Opens `path` (relative, "/"-joined) under the directory `root_fd` without following any
    symlink, and checks it is a regular file.

    :returns: the file descriptor (the caller closes it).
    :raises ExportFileError: naming the path when it is missing, a symlink or not a regular file.
    """
    parts = path.split("/")
    dir_fd = root_fd
    opened = []
    try:
        for part in parts[:-1]:
            try:
                dir_fd = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=dir_fd)
            except FileNotFoundError:
                raise ExportFileError(path, f"{path} disappeared during the export") from None
            except OSError as error:
                raise RefusedFileError(path, f"{path}: refused, {part} is a symlink or not a folder ({error.strerror})") from None
            opened.append(dir_fd)
        try:
            # O_NONBLOCK: a FIFO planted under the planned name must not hang the export.
            fd = os.open(parts[-1], os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=dir_fd)
        except FileNotFoundError:
            raise ExportFileError(path, f"{path} disappeared during the export") from None
        except OSError as error:
            raise RefusedFileError(path, f"{path}: refused, it is a symlink or cannot be opened ({error.strerror})") from None
    finally:
        for folder in opened:
            os.close(folder)
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise RefusedFileError(path, f"{path}: refused, not a regular file")
    return fd


def _dos_time(mtime_ms: float):
    # DOS times are local and start in 1980; unzip and zipfile read them so.
    local = time.localtime(max(mtime_ms / 1000, 315532800))
    dos_time = (local.tm_hour << 11) | (local.tm_min << 5) | (local.tm_sec // 2)
    dos_date = ((local.tm_year - 1980) << 9) | (local.tm_mon << 5) | local.tm_mday
    return dos_time, dos_date


def _unix_time_extra(mtime_ms: float) -> bytes:
    # Extended timestamp (0x5455): the modification time to the second, in UTC.
    return struct.pack("<HHBI", 0x5455, 5, 1, int(max(0, min(mtime_ms / 1000, 0xFFFFFFFF))))


@dataclass
class _Written:
    name: bytes
    method: int
    flags: int
    dos_time: int
    dos_date: int
    crc: int
    compressed: int
    size: int
    offset: int
    mtime_ms: float


def _read_exactly(fd: int, size: int, path: str, cancelled: Callable[[], bool]) -> Iterator[bytes]:
    """The first `size` bytes of `fd`, in chunks; a file that ends earlier was truncated meanwhile."""
    left = size
    while left > 0:
        if cancelled():
            raise ExportCancelled()
        chunk = os.read(fd, min(CHUNK_BYTES, left))
        if not chunk:
            raise ExportFileError(path, f"{path} shrank during the export")
        left -= len(chunk)
        yield chunk


#: A trials.csv modified this recently belongs to a task being recorded.
RECORDING_SECONDS = 10.0
#: How long to wait for a recorded task's arrays to catch up with its rows.
ARRAYS_WAIT_SECONDS = 2.0
#: An array file unmodified this long is taken as done with its last write.
QUIET_SECONDS = 0.05


def _read_snapshot(fd, entry, path, cancelled, progress):
    """Reads a trials.csv whole. A recorder rewriting it (AxoPy truncates it, then writes every
    row again) can leave it empty, shorter than listed, or ending mid-line, for a moment: read again
    until it is whole, for up to ARRAYS_WAIT_SECONDS; else keep the last read, with a warning."""
    deadline = time.monotonic() + ARRAYS_WAIT_SECONDS
    while True:
        snapshot = os.fstat(fd)
        if snapshot.st_size > READ_FIRST_MAX_BYTES:
            raise ExportFileError(path, f"{path} grew beyond 4 MiB during the export")
        data = os.pread(fd, snapshot.st_size, 0)
        whole = data.endswith(b"\n") if data else time.time() - snapshot.st_mtime > RECORDING_SECONDS
        if whole and len(data) >= entry.size:
            return snapshot, data
        if time.monotonic() > deadline:
            progress.warnings.append(f"{path} was being written while archived; its copy may be inconsistent")
            return snapshot, data
        if cancelled():
            raise ExportCancelled()
        time.sleep(QUIET_SECONDS / 5)


def _await_arrays_after_rows(root_fd, plan, trials, snapshot, progress, cancelled) -> None:
    """For a task being recorded, waits until each array file of its folder was last written
    after the trials.csv just read (and is quiet): AxoPy writes a trial's row, then its datasets,
    so the array holds the dataset of the newest row read. Warns when it does not catch up."""
    if time.time() - snapshot.st_mtime > RECORDING_SECONDS:
        return
    folder = trials.relative_path.rsplit("/", 1)[0]
    arrays = [entry for entry in plan.entries
              if entry.relative_path.rsplit("/", 1)[0] == folder and entry.relative_path.endswith(".hdf5")]
    deadline = time.monotonic() + ARRAYS_WAIT_SECONDS
    for entry in arrays:
        path = plan.server_path(entry)
        while True:
            if cancelled():
                raise ExportCancelled()
            try:
                fd = open_under_root(root_fd, path)
            except RefusedFileError:
                break  # left out, with its warning, when its turn comes
            try:
                info = os.fstat(fd)
            finally:
                os.close(fd)
            if info.st_mtime_ns >= snapshot.st_mtime_ns and time.time() - info.st_mtime >= QUIET_SECONDS:
                break
            if time.monotonic() > deadline:
                progress.warnings.append(f"{path}: its task was being recorded; the newest row of its trials.csv may lack its dataset")
                break
            time.sleep(QUIET_SECONDS / 2)


def archive_chunks(
    root_fd: int,
    plan: ArchivePlan,
    progress: Progress,
    cancelled: Callable[[], bool] = lambda: False,
) -> Iterator[bytes]:
    """The archive's bytes, in pieces of at most about CHUNK_BYTES.

    Each task's trials.csv is read before any other file (the plan's ``readFirst``), so rows
    archived while a task is being recorded have their datasets in the arrays read after.
    A file is archived as it is when opened (its size then; a file that grew since the plan
    is archived whole); symlinks and non-regular files are skipped with a warning.
    """
    ahead = {}
    for index, entry in enumerate(plan.entries):
        if entry.read_first:
            path = plan.server_path(entry)
            try:
                fd = open_under_root(root_fd, path)
            except RefusedFileError as error:
                progress.warnings.append(str(error))
                ahead[index] = None
                continue
            try:
                snapshot, ahead[index] = _read_snapshot(fd, entry, path, cancelled, progress)
            finally:
                os.close(fd)
            _await_arrays_after_rows(root_fd, plan, entry, snapshot, progress, cancelled)

    offset = 0
    written: List[_Written] = []
    for index, entry in enumerate(plan.entries):
        if cancelled():
            raise ExportCancelled()
        path = plan.server_path(entry)
        progress.current_file = path
        if index in ahead:
            data = ahead.pop(index)
            if data is None:
                continue
            fd = None
            size = len(data)
        else:
            try:
                fd = open_under_root(root_fd, path)
            except RefusedFileError as error:
                progress.warnings.append(str(error))
                continue
            opened = os.fstat(fd)
            size = opened.st_size
            if size < entry.size:
                os.close(fd)
                raise ExportFileError(path, f"{path} shrank during the export ({entry.size} bytes planned, {size} now)")
            data = None
        try:
            name = entry.archive_path.encode("utf-8")
            method = _METHODS[entry.method]
            dos_time, dos_date = _dos_time(entry.mtime_ms)
            time_extra = _unix_time_extra(entry.mtime_ms)
            if data is None and size <= SMALL_FILE_BYTES:
                data = b"".join(_read_exactly(fd, size, path, cancelled))
            if data is not None:
                # Whole in memory: CRC-32 and sizes up front, no data descriptor.
                crc = zlib.crc32(data)
                packed = _deflate_all(data) if method == 8 else data
                entry_zip64 = size >= ZIP32_MAX or offset >= ZIP32_MAX
                extra = (struct.pack("<HHQQ", 1, 16, size, len(packed)) if entry_zip64 else b"") + time_extra
                header = _local_header(method, _FLAG_UTF8, dos_time, dos_date, crc,
                                       ZIP32_MAX if entry_zip64 else len(packed),
                                       ZIP32_MAX if entry_zip64 else size, name, extra, entry_zip64)
                written.append(_Written(name, method, _FLAG_UTF8, dos_time, dos_date, crc, len(packed), size, offset, entry.mtime_ms))
                offset += len(header) + len(packed)
                progress.archive_bytes = offset
                yield header
                yield packed
            else:
                # Streamed: the sizes and CRC-32 follow the data (a download cannot seek back).
                # A ZIP64 local extra (sizes 0) tells readers the descriptor holds 8-byte sizes.
                entry_zip64 = plan.zip64 or size >= ZIP32_MAX - CHUNK_BYTES or offset >= ZIP32_MAX
                flags = _FLAG_UTF8 | _FLAG_DATA_DESCRIPTOR
                extra = (struct.pack("<HHQQ", 1, 16, 0, 0) if entry_zip64 else b"") + time_extra
                header = _local_header(method, flags, dos_time, dos_date, 0,
                                       ZIP32_MAX if entry_zip64 else 0, ZIP32_MAX if entry_zip64 else 0,
                                       name, extra, entry_zip64)
                start = offset
                offset += len(header)
                yield header
                crc = 0
                compressed = 0
                compressor = zlib.compressobj(6, zlib.DEFLATED, -15) if method == 8 else None
                for chunk in _read_exactly(fd, size, path, cancelled):
                    crc = zlib.crc32(chunk, crc)
                    progress.bytes_done += len(chunk)
                    out = compressor.compress(chunk) if compressor else chunk
                    if out:
                        compressed += len(out)
                        offset += len(out)
                        progress.archive_bytes = offset
                        yield out
                if compressor:
                    out = compressor.flush()
                    compressed += len(out)
                    offset += len(out)
                    yield out
                if entry_zip64:
                    descriptor = struct.pack("<IIQQ", 0x08074B50, crc, compressed, size)
                else:
                    descriptor = struct.pack("<IIII", 0x08074B50, crc, compressed, size)
                offset += len(descriptor)
                progress.archive_bytes = offset
                yield descriptor
                written.append(_Written(name, method, flags, dos_time, dos_date, crc, compressed, size, start, entry.mtime_ms))
                size = 0  # its bytes were counted as they went
        finally:
            if fd is not None:
                now = os.fstat(fd)
                os.close(fd)
                if (now.st_size, now.st_mtime_ns) != (opened.st_size, opened.st_mtime_ns):
                    # Its first `size` bytes are archived; a writer may have changed them meanwhile.
                    progress.warnings.append(f"{path} was being written while archived; its copy may be inconsistent")
        progress.files_done += 1
        progress.bytes_done += size
    yield from _central_directory(written, offset, plan.zip64, progress)
    progress.current_file = ""


def _deflate_all(data: bytes) -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def _local_header(method, flags, dos_time, dos_date, crc, compressed, size, name, extra, zip64) -> bytes:
    return struct.pack(
        "<IHHHHHIIIHH", 0x04034B50, 45 if zip64 else 20, flags, method, dos_time, dos_date,
        crc, compressed, size, len(name), len(extra),
    ) + name + extra


def _central_directory(written: List[_Written], cd_offset: int, plan_zip64: bool, progress: Progress) -> Iterator[bytes]:
    records = []
    cd_size = 0
    for item in written:
        values = []
        size = item.size
        compressed = item.compressed
        offset = item.offset
        if size >= ZIP32_MAX:
            values.append(size)
            size = ZIP32_MAX
        if compressed >= ZIP32_MAX:
            values.append(compressed)
            compressed = ZIP32_MAX
        if offset >= ZIP32_MAX:
            values.append(offset)
            offset = ZIP32_MAX
        extra = (struct.pack("<HH", 1, 8 * len(values)) + struct.pack(f"<{len(values)}Q", *values) if values else b"")
        extra += _unix_time_extra(item.mtime_ms)
        record = struct.pack(
            "<IHHHHHHIIIHHHHHII", 0x02014B50, _MADE_BY, 45 if values else 20, item.flags, item.method,
            item.dos_time, item.dos_date, item.crc, compressed, size, len(item.name), len(extra), 0, 0, 0,
            _EXTERNAL_ATTRIBUTES, offset,
        ) + item.name + extra
        cd_size += len(record)
        records.append(record)
        if len(records) >= 256:
            yield b"".join(records)
            records = []
    if records:
        yield b"".join(records)
    end = cd_offset + cd_size
    count = len(written)
    tail = b""
    if plan_zip64 or count >= ZIP32_MAX_ENTRIES or cd_size >= ZIP32_MAX or cd_offset >= ZIP32_MAX:
        tail += struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, _MADE_BY, 45, 0, 0, count, count, cd_size, cd_offset)
        tail += struct.pack("<IIQI", 0x07064B50, 0, end, 1)
        tail += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF, ZIP32_MAX, ZIP32_MAX, 0)
    else:
        tail += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, cd_size, cd_offset, 0)
    progress.archive_bytes = end + len(tail)
    yield tail


def open_root(root_dir: str) -> int:
    """A directory descriptor of the server root (its real path)."""
    return os.open(os.path.realpath(root_dir), os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)


def write_archive_file(
    root_fd: int,
    archive_path: str,
    plan: ArchivePlan,
    progress: Progress,
    replace: bool,
    cancelled: Callable[[], bool],
    partial_suffix: str,
) -> None:
    """Writes the archive at `archive_path` (relative to the root): into `<name>.partial-<suffix>`
    in the same folder, renamed over the archive when complete; removed on error or cancel.
    """
    parts = archive_path.split("/")
    folder = "/".join(parts[:-1])
    name = parts[-1]
    if folder:
        dir_fd = _open_folder(root_fd, folder, archive_path)
    else:
        dir_fd = os.dup(root_fd)
    partial = f"{name}.partial-{partial_suffix}"
    try:
        if not replace and _exists(name, dir_fd):
            raise ExportFileError(archive_path, f"{archive_path} already exists")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644, dir_fd=dir_fd)
        try:
            with os.fdopen(fd, "wb", buffering=0, closefd=True) as out:
                for chunk in archive_chunks(root_fd, plan, progress, cancelled):
                    view = memoryview(chunk)
                    while view:
                        view = view[out.write(view):]
                if cancelled():
                    raise ExportCancelled()
                os.fsync(out.fileno())
            if not replace and _exists(name, dir_fd):
                raise ExportFileError(archive_path, f"{archive_path} appeared during the export")
            os.rename(partial, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
        except BaseException:
            try:
                os.unlink(partial, dir_fd=dir_fd)
            except FileNotFoundError:
                pass
            raise
    finally:
        os.close(dir_fd)


def _exists(name: str, dir_fd: int) -> bool:
    try:
        os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
        return True
    except FileNotFoundError:
        return False


def _open_folder(root_fd: int, folder: str, what: str) -> int:
    dir_fd = root_fd
    for part in folder.split("/"):
        try:
            next_fd = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=dir_fd)
        except OSError as error:
            if dir_fd != root_fd:
                os.close(dir_fd)
            raise RefusedFileError(what, f"{what}: refused, {part} is a symlink or not a folder ({error.strerror})") from None
        if dir_fd != root_fd:
            os.close(dir_fd)
        dir_fd = next_fd
    return dir_fd
