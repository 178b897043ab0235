"""The Jupyter server endpoints of "Export as ZIP", under ``<base_url>/jupyterlab-axopy/export``.

    POST   export/jobs               a plan -> {"id"}; a server save starts at once
    GET    export/jobs/<id>          progress: state, files and bytes done, archive bytes, error
    GET    export/jobs/<id>/archive  the archive as a download (once; a job of destination "download")
    DELETE export/jobs/<id>          cancels: a save removes its partial file, a download is cut

Every endpoint is authenticated as the Jupyter APIs are (token or login cookie; XSRF checked on
POST and DELETE by ``APIHandler``). Jobs are held in memory, by an unguessable id.
"""
import asyncio
import json
import os
import secrets
import threading
import time
from typing import Dict, Optional

from jupyter_server.base.handlers import APIHandler, JupyterHandler
from jupyter_server.services.contents.fileio import FileManagerMixin
from jupyter_server.utils import url_path_join
from tornado import web
from tornado.iostream import StreamClosedError

from .export_zip import (
    ArchivePlan,
    ExportCancelled,
    ExportFileError,
    PlanError,
    Progress,
    archive_chunks,
    open_root,
    parse_plan,
    path_components,
    write_archive_file,
)

#: A job not downloaded, or finished, is forgotten after this many seconds.
JOB_LIFETIME_SECONDS = 15 * 60
#: Jobs kept at once (older finished ones are dropped first).
MAX_JOBS = 64


class ExportJob:
    def __init__(self, plan: ArchivePlan, destination: str, archive_path: str, archive_name: str, replace: bool):
        self.id = secrets.token_urlsafe(24)
        self.plan = plan
        self.destination = destination
        self.archive_path = archive_path
        self.archive_name = archive_name
        self.replace = replace
        self.progress = Progress()
        self.state = "pending"  # -> running -> done | failed | cancelled
        self.error: Optional[str] = None
        self.error_file: Optional[str] = None
        self.created = time.monotonic()
        self.finished: Optional[float] = None
        self._cancel = threading.Event()

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()
        if self.state == "pending":
            self.finish("cancelled")

    def finish(self, state: str, error: Optional[BaseException] = None) -> None:
        self.state = state
        self.finished = time.monotonic()
        if error is not None:
            self.error = str(error)
            self.error_file = getattr(error, "path", None)

    def model(self) -> dict:
        progress = self.progress
        return {
            "id": self.id,
            "destination": self.destination,
            "state": self.state,
            "filesDone": progress.files_done,
            "filesTotal": len(self.plan.entries),
            "bytesDone": progress.bytes_done,
            "bytesTotal": self.plan.total_bytes,
            "archiveBytes": progress.archive_bytes,
            "currentFile": progress.current_file,
            "warnings": list(progress.warnings),
            "error": self.error,
            "errorFile": self.error_file,
            "archivePath": self.archive_path,
        }


class ExportJobs:
    """The jobs of one server."""

    def __init__(self, root_dir: str, allow_hidden: bool):
        self.root_dir = root_dir
        self.allow_hidden = allow_hidden
        self.jobs: Dict[str, ExportJob] = {}

    def add(self, job: ExportJob) -> None:
        now = time.monotonic()
        for key, old in list(self.jobs.items()):
            if now - (old.finished or old.created) > JOB_LIFETIME_SECONDS and old.state != "running":
                old.cancel()
                del self.jobs[key]
        while len(self.jobs) >= MAX_JOBS:
            finished = [old for old in self.jobs.values() if old.state not in ("running", "pending")]
            if not finished:
                raise web.HTTPError(429, "too many exports running")
            del self.jobs[min(finished, key=lambda old: old.finished or 0).id]
        self.jobs[job.id] = job

    def get(self, job_id: str) -> ExportJob:
        job = self.jobs.get(job_id)
        if job is None:
            raise web.HTTPError(404, "no such export job")
        return job

    def run_save(self, job: ExportJob) -> None:
        """Writes a server save in a thread of its own."""

        def work():
            root_fd = open_root(self.root_dir)
            try:
                write_archive_file(root_fd, job.archive_path, job.plan, job.progress, job.replace,
                                   job.cancelled, secrets.token_hex(6))
                job.finish("cancelled" if job.cancelled() else "done")
            except ExportCancelled:
                job.finish("cancelled")
            except (ExportFileError, OSError) as error:
                job.finish("cancelled" if job.cancelled() else "failed", error)
            except Exception as error:  # reported to the browser, not lost in a thread
                job.finish("failed", error)
            finally:
                os.close(root_fd)

        job.state = "running"
        threading.Thread(target=work, name=f"axopy-export-{job.id[:8]}", daemon=True).start()


class _Base(APIHandler):
    @property
    def jobs(self) -> ExportJobs:
        return self.settings["jupyterlab_axopy_export_jobs"]


class ProbeHandler(_Base):
    @web.authenticated
    def get(self):
        self.finish(json.dumps({"api": 1}))


class JobsHandler(_Base):
    @web.authenticated
    def post(self):
        try:
            body = json.loads(self.request.body or b"null")
            plan = parse_plan(body, self.jobs.allow_hidden)
            destination = body.get("destination")
            if destination not in ("download", "server"):
                raise PlanError("destination must be 'download' or 'server'")
            archive_path = body.get("archivePath", "")
            replace = body.get("replace", False) is True
            archive_name = f"{plan.base.split('/')[-1]}.zip"
            if destination == "server":
                parts = path_components(archive_path, "archivePath", self.jobs.allow_hidden)
                if not parts[-1].endswith(".zip"):
                    raise PlanError("a server archive's name must end in .zip")
                archive_name = parts[-1]
            elif isinstance(body.get("archiveName"), str) and body["archiveName"].endswith(".zip"):
                archive_name = path_components(body["archiveName"], "archiveName", True)[-1]
        except (ValueError, PlanError) as error:
            raise web.HTTPError(400, str(error)) from None
        job = ExportJob(plan, destination, archive_path, archive_name, replace)
        self.jobs.add(job)
        if destination == "server":
            self.jobs.run_save(job)
        self.set_status(201)
        self.finish(json.dumps(job.model()))


class JobHandler(_Base):
    @web.authenticated
    def get(self, job_id):
        self.finish(json.dumps(self.jobs.get(job_id).model()))

    @web.authenticated
    def delete(self, job_id):
        job = self.jobs.get(job_id)
        job.cancel()
        self.set_status(204)
        self.finish()


class ArchiveHandler(JupyterHandler):
    """Streams a download job's archive: chunks made in a worker thread, one ahead of the
    socket, each sent before the next is asked for (memory: two chunks plus Tornado's buffer)."""

    @web.authenticated
    async def get(self, job_id):
        jobs: ExportJobs = self.settings["jupyterlab_axopy_export_jobs"]
        job = jobs.get(job_id)
        if job.destination != "download" or job.state != "pending":
            raise web.HTTPError(409, "this export job is not a download waiting to start")
        job.state = "running"
        self.set_header("Content-Type", "application/zip")
        self.set_header("Cache-Control", "no-store")
        quoted = job.archive_name.encode("utf-8").hex()
        quoted = "".join(f"%{quoted[i:i + 2]}" for i in range(0, len(quoted), 2))
        self.set_header("Content-Disposition", f"attachment; filename*=UTF-8''{quoted}")
        loop = asyncio.get_running_loop()
        root_fd = open_root(jobs.root_dir)
        chunks = archive_chunks(root_fd, job.plan, job.progress, job.cancelled)
        done = object()
        try:
            upcoming = loop.run_in_executor(None, next, chunks, done)
            while True:
                chunk = await upcoming
                if chunk is done:
                    break
                upcoming = loop.run_in_executor(None, next, chunks, done)
                self.write(chunk)
                await self.flush()
            job.finish("done")
            self.finish()
        except (ExportCancelled, StreamClosedError) as error:
            job.finish("cancelled")
            self._cut(error)
        except Exception as error:
            job.finish("cancelled" if job.cancelled() else "failed", error)
            self.log.warning("jupyterlab-axopy: export of %s failed: %s", job.archive_name, error)
            self._cut(error)
        finally:
            # Let the generator's open file close (the executor may still run its last step).
            try:
                await upcoming
            except BaseException:
                pass
            chunks.close()
            os.close(root_fd)

    def _cut(self, error: BaseException) -> None:
        # Headers are sent: the only way to tell the browser is to end the response unfinished,
        # so its download fails and no partial archive is kept.
        if not self._headers_written:
            raise web.HTTPError(500, str(error))
        self.request.connection.stream.close()
        self._finished = True  # nothing more to send; Tornado must not try to end the response


def setup_handlers(serverapp) -> None:
    web_app = serverapp.web_app
    contents = serverapp.contents_manager
    if not isinstance(contents, FileManagerMixin):
        # Files not on this disk (S3, a database...): the browser path reads them through the
        # Contents API instead.
        serverapp.log.info("jupyterlab-axopy: contents are not files on disk; export stays in the browser")
        return
    web_app.settings["jupyterlab_axopy_export_jobs"] = ExportJobs(
        contents.root_dir, bool(getattr(contents, "allow_hidden", False))
    )
    # The page learns without a request (no 404 where the extension is off) that it can use it.
    web_app.settings.setdefault("page_config_data", {})["axopyServerExport"] = "1"
    base = url_path_join(web_app.settings["base_url"], "jupyterlab-axopy", "export")
    job_id = r"([A-Za-z0-9_-]+)"
    serverapp.log.info("jupyterlab-axopy: export endpoints at %s", base)
    web_app.add_handlers(".*$", [
        (base, ProbeHandler),
        (url_path_join(base, "jobs"), JobsHandler),
        (url_path_join(base, "jobs", job_id), JobHandler),
        (url_path_join(base, "jobs", job_id, "archive"), ArchiveHandler),
    ])
