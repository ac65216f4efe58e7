"""Imports started from the admin, run in the background with their progress on a page.

An uploaded file is kept in a directory of its own (``PROJECT_IMPORT_DIR``, by default
``project-imports`` in the system's temporary directory) with ``job.json``, the job's state:
its phase (``check``: a dry run that writes nothing, then ``import``), how many rows are done,
the counts and the errors by row and column. A thread of the web process runs each phase
through the bulk service, as ``manage.py import_projects`` does, and writes the state after
each chunk; the admin's page reads it. The request that uploads or confirms returns at once.

An import is one transaction, so a job whose process stops (a restart of the web server)
has written nothing: its page says it stopped, by the age of its last sign of life. Another
way to run a job (a task queue) only has to call ``run(job_id, phase)``.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import secrets
import shutil
import tempfile
import threading
import time
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.utils import translation

# Errors kept for the page (all of them are counted).
ERRORS_KEPT = 500
# A running job that has not written its state for this long has stopped (its process did).
STALE_SECONDS = 120
# Job directories older than this are removed when a new file is uploaded.
KEEP_SECONDS = 7 * 24 * 3600

_threads: dict[str, threading.Thread] = {}
_lock = threading.Lock()


def jobs_dir() -> Path:
    return Path(getattr(settings, "PROJECT_IMPORT_DIR", "") or Path(tempfile.gettempdir()) / "project-imports")


def _job_dir(job_id: str) -> Path:
    if not job_id or not job_id.replace("-", "").replace("_", "").isalnum():
        raise KeyError(job_id)
    return jobs_dir() / job_id


def create(uploaded, file_format: str, user, language: str | None) -> str:
    """Keep an uploaded file for a new job; returns the job's ID."""
    _sweep()
    job_id = secrets.token_urlsafe(16)
    directory = _job_dir(job_id)
    directory.mkdir(parents=True, mode=0o700)
    with open(directory / f"upload.{file_format}", "wb") as out:
        for chunk in uploaded.chunks():
            out.write(chunk)
    _write(
        job_id,
        {
            "id": job_id,
            "file_name": Path(uploaded.name).name,
            "format": file_format,
            "size": uploaded.size,
            "user_id": user.pk,
            "language": language,
            "phase": "check",
            "status": "queued",
            "rows_total": None,
            "rows_done": 0,
            "created": 0,
            "updated": 0,
            "unchanged": 0,
            "error_rows": 0,
            "errors": [],
            "skip_invalid": False,
            "message": "",
            "started": time.time(),
            "heartbeat": time.time(),
            "finished": None,
        },
    )
    return job_id


def read(job_id: str) -> dict:
    """The job's state; a job that stopped without saying so is marked ``stopped``."""
    try:
        state = json.loads((_job_dir(job_id) / "job.json").read_text())
    except (OSError, ValueError):
        raise KeyError(job_id) from None
    if state["status"] in ("queued", "running") and time.time() - state["heartbeat"] > STALE_SECONDS:
        state["status"] = "stopped"
    return state


def start(job_id: str, phase: str, *, skip_invalid: bool = False):
    """Run a phase of the job in a thread of this process."""
    _update(job_id, phase=phase, status="queued", skip_invalid=skip_invalid, heartbeat=time.time())
    thread = threading.Thread(target=run, args=(job_id, phase), name=f"project-import-{job_id}", daemon=False)
    _threads[job_id] = thread
    thread.start()


def wait(job_id: str, timeout: float | None = None):
    """Until the job's thread in this process ends (the tests, and a small file's quick answer)."""
    thread = _threads.get(job_id)
    if thread is not None:
        thread.join(timeout)
        if not thread.is_alive():
            _threads.pop(job_id, None)


def run(job_id: str, phase: str):
    """Check (a dry run) or import the job's file, writing its state as the rows go."""
    from django.contrib.auth import get_user_model

    from core.changes import actor
    from projects import services
    from projects.import_worker import MIN_BYTES, read_prepared
    from projects.imports import ImportFileError, count_rows, read_rows, row_errors
    from projects.services.bulk import ImportRolledBack

    state = read(job_id)
    path = _job_dir(job_id) / f"upload.{state['format']}"
    user = get_user_model()._default_manager.filter(pk=state["user_id"]).first()
    _update(job_id, status="running", rows_done=0, message="", heartbeat=time.time(), finished=None)

    def progress(result):
        _update(
            job_id,
            rows_done=result.rows,
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
            error_rows=len(result.errors),
            heartbeat=time.time(),
        )

    def finish(result, status, message=""):
        errors = [list(error) for error in itertools.islice(row_errors(result.errors), ERRORS_KEPT)]
        _update(
            job_id,
            status=status,
            message=message,
            rows_done=result.rows,
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
            error_rows=len(result.errors),
            errors=errors,
            heartbeat=time.time(),
            finished=time.time(),
        )

    try:
        with translation.override(state["language"]), actor(user, source="import"):
            with open(path, "rb") as stream:
                _update(job_id, rows_total=count_rows(stream, state["format"]))
                ahead = path.stat().st_size >= MIN_BYTES
                rows = read_prepared(path, state["format"]) if ahead else read_rows(stream, state["format"])
                with contextlib.closing(rows):
                    result = services.projects_import(
                        rows=rows,
                        dry_run=phase == "check",
                        skip_invalid=state["skip_invalid"] and phase == "import",
                        progress=progress,
                    )
            finish(result, "done")
            if phase == "import":
                with contextlib.suppress(OSError):
                    path.unlink()  # imported: the file is no longer needed
    except ImportRolledBack as rolled_back:
        finish(rolled_back.result, "failed")
    except ImportFileError as error:
        _update(job_id, status="failed", message=str(error), finished=time.time(), heartbeat=time.time())
    except Exception as error:
        _update(
            job_id,
            status="failed",
            message=f"{type(error).__name__}: {error}",
            finished=time.time(),
            heartbeat=time.time(),
        )
        raise
    finally:
        connections.close_all()  # this thread's connections


def _update(job_id: str, **changes):
    with _lock:
        state = json.loads((_job_dir(job_id) / "job.json").read_text())
        state.update(changes)
        _write(job_id, state)


def _write(job_id: str, state: dict):
    directory = _job_dir(job_id)
    temporary = directory / "job.json.part"
    temporary.write_text(json.dumps(state))
    os.replace(temporary, directory / "job.json")


def _sweep():
    """Remove the directories of jobs older than ``KEEP_SECONDS``."""
    root = jobs_dir()
    if not root.is_dir():
        return
    for directory in root.iterdir():
        with contextlib.suppress(OSError):
            if directory.is_dir() and time.time() - directory.stat().st_mtime > KEEP_SECONDS:
                shutil.rmtree(directory)
