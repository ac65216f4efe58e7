"""The unfiltered downloads as files: written once per data generation, then served from disk.

Most researchers take the whole table, and writing it again for each of them would give every
request the same seconds of work (at 100,000 projects, more than a worker may take). So the
files of ``/data/`` without a filter are written once per *data generation* (``core.caching``:
it moves on at every write) and day (a file holds the day's inferred statuses and citation date)
into ``DATA_FILES_DIR/<generation>-<day>-<key>/``, and served from there until the next write
or the next day. The key is drawn when a generation is first asked for on a day and kept in the
cache, so a cache that was emptied (its generation counting again from 1) never finds the files
of an older generation under the same name; ``manage.py write_data_files --fresh`` draws a new
one after a deployment, whose code or settings may write the files otherwise.

The first request after a write asks for the file. For a small table (a few seconds of
writing) that request writes it, while the others asking for it meanwhile get the previous
generation's file. A large one (13 s for projects.csv at 100,000 projects, a minute for the
workbook) is written apart: by a job worker (``projects.tasks.write_data_file``), or with no job
queue (``CELERY_BROKER_URL`` unset) by ``manage.py write_data_files`` started by the process
that found it missing (by the request itself with no ``REDIS_URL``: that process would have a
generation of its own); every request meanwhile gets the previous file. The same command
writes every file after a deployment or an import. One file has one writer at a time.

A previous file says so (``X-Data-Stale``, with the time it was made), and every file says its
generation and time (``X-Data-Generation``, ``Last-Modified``). When none was ever written, a
CSV is written by the request that asks for it (or, while another process writes it, read row
by row), and a workbook's request is told when to come back (503, ``Retry-After``). Files
are written beside their final place and renamed into it, so a reader never meets half of
one; the two latest files of each download are kept, older ones removed.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import secrets
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.cache import cache

from core import caching
from core.db import reads_on_primary
from projects import data, staleness

XLSX = "projects.xlsx"
# Most projects whose files a request writes itself (a few seconds); larger ones are written apart.
CSV_REQUEST_PROJECTS = 25_000
XLSX_REQUEST_PROJECTS = 10_000
# Longest time a file may take to write before another process may write it again.
WRITE_SECONDS = 600
# How long a generation's key is kept (losing it costs one more writing of the files).
KEY_SECONDS = 7 * 24 * 3600


def filenames() -> tuple[str, ...]:
    return (*(table.filename for table in data.TABLES.values()), XLSX)


def files_dir() -> Path:
    return Path(settings.DATA_FILES_DIR)


def _key_name(generation: int) -> str:
    # A file holds what is true on the day it is written (each project's inferred status, the date
    # in its citation): a new day is a new directory, as a new generation is.
    return f"data-files:{generation}:{staleness.today().isoformat()}"


def _generation_dir(generation: int) -> str:
    """The directory name of ``generation``'s files today: its number, the day and its key."""
    name = _key_name(generation)
    key = cache.get(name)
    if key is None:
        cache.add(name, secrets.token_hex(4), timeout=KEY_SECONDS)
        key = cache.get(name)
    return f"{generation}-{staleness.today():%Y%m%d}-{key}"


def renew() -> None:
    """A new key for the current generation's files: every file is written again (after a deployment,
    whose code or settings may write them otherwise), the ones written before sent as previous."""
    cache.set(_key_name(caching.generation()), secrets.token_hex(4), timeout=KEY_SECONDS)


@dataclass(frozen=True)
class DataFile:
    """A written file: where it is, the generation it was written in, and whether that is the current one."""

    path: Path
    generation: int
    current: bool

    @property
    def made_at(self) -> datetime.datetime:
        return datetime.datetime.fromtimestamp(self.path.stat().st_mtime, tz=datetime.UTC).replace(microsecond=0)


def writing_lock(filename: str) -> str:
    """The cache key held while ``filename`` is being written: one writer of a file at a time,
    whatever its generation (writes in a row start no pile of writers)."""
    return f"data-files:writing:{filename}"


def _write(filename: str, path: Path) -> None:
    selection = data.Selection.everything()
    if filename == XLSX:
        data.write_xlsx(selection, path)
    else:
        with path.open("w", encoding="utf-8", newline="") as output:
            data.write_csv(data.TABLES[filename.removesuffix(".csv")], selection, output)


def write(filename: str) -> Path | None:
    """Write ``filename`` for the current generation, unless it is written or being written."""
    directory = files_dir() / _generation_dir(caching.generation())
    final = directory / filename
    if final.exists():
        return final
    lock, owner = writing_lock(filename), secrets.token_hex(8)
    if not cache.add(lock, owner, timeout=WRITE_SECONDS):
        return None  # another process is writing it
    staging = None
    try:
        directory.mkdir(parents=True, exist_ok=True)
        descriptor, staging = tempfile.mkstemp(prefix=f".{filename}-", dir=directory)
        os.close(descriptor)
        # what was true before the write that began this generation would be served until the next
        with reads_on_primary():
            _write(filename, Path(staging))
        os.chmod(staging, 0o644)
        os.replace(staging, final)
    except FileNotFoundError:
        return None  # its generation's directory was removed meanwhile: generations came after it
    finally:
        if staging is not None:
            Path(staging).unlink(missing_ok=True)
        if cache.get(lock) == owner:  # not a later writer's, after this one outlived WRITE_SECONDS
            cache.delete(lock)
    _remove_older(keep=directory.name)
    return final


def _written(filename: str) -> list[tuple[float, Path]]:
    """Every generation's file of ``filename``, newest first."""
    root = files_dir()
    if not root.is_dir():
        return []
    found = []
    for directory in root.iterdir():
        path = directory / filename
        if path.is_file():
            found.append((path.stat().st_mtime, path))
    return sorted(found, reverse=True)


def _remove_older(*, keep: str) -> None:
    """Each download's files but the two latest, and the directories left empty: a reader still
    sending an older file keeps it open (the system removes it once closed)."""
    for filename in filenames():
        for _mtime, path in _written(filename)[2:]:
            if path.parent.name != keep:
                path.unlink(missing_ok=True)
    # a writer killed mid-file (a worker's timeout, a restart) leaves its staging file
    abandoned = datetime.datetime.now().timestamp() - WRITE_SECONDS
    for staging in files_dir().glob("*/.*"):
        with contextlib.suppress(FileNotFoundError):
            if staging.stat().st_mtime < abandoned:
                staging.unlink()
    for directory in files_dir().iterdir():
        if directory.is_dir() and directory.name != keep and not any(directory.iterdir()):
            directory.rmdir()  # one being written holds its staging file


def written_in_request(filename: str) -> bool:
    """Whether a request may write ``filename`` itself, in a few seconds at most: a CSV up to
    ``CSV_REQUEST_PROJECTS`` projects, a workbook up to ``XLSX_REQUEST_PROJECTS``."""
    most = XLSX_REQUEST_PROJECTS if filename == XLSX else CSV_REQUEST_PROJECTS
    return data.Selection.everything().projects.count() <= most


def _ask_for(filename: str, *, previous: bool) -> None:
    # with no previous file to send meanwhile, a CSV is written by the request itself: one reading of
    # the rows, rather than this request's and a writer's side by side
    if written_in_request(filename) or (not previous and filename != XLSX):
        write(filename)
        return
    # once per generation and file, however many requests find it missing, and not while it is written
    if cache.get(writing_lock(filename)) is not None:
        return
    if not cache.add(f"data-files:asked:{_generation_dir(caching.generation())}:{filename}", 1, timeout=60):
        return
    _write_apart(filename)


def _write_apart(filename: str) -> None:
    if not settings.REDIS_URL:
        # the cache is this process's own memory: another process (a job worker too) would not know
        # its generation, and would write where this one never looks
        write(filename)
    elif settings.CELERY_TASK_ALWAYS_EAGER:
        # no job queue: a process of its own writes it, on another core, while this one goes on answering
        subprocess.Popen(  # noqa: S603 (our own command, and a name of filenames())
            [sys.executable, str(settings.BASE_DIR / "manage.py"), "write_data_files", filename],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            start_new_session=True,  # not stopped with the worker that asked
        )
    else:
        from projects.tasks import write_data_file

        write_data_file.delay(filename)


def current(filename: str) -> DataFile | None:
    """The current generation's file if it is written, without asking for it."""
    name = _generation_dir(caching.generation())
    path = files_dir() / name / filename
    return DataFile(path, int(name.split("-")[0]), current=True) if path.exists() else None


def current_or_previous(filename: str) -> DataFile | None:
    """The current generation's file, written now if need be (see the module's text), else the
    latest one written, or None when none ever was."""
    name = _generation_dir(caching.generation())
    path = files_dir() / name / filename
    if not path.exists():
        _ask_for(filename, previous=bool(_written(filename)))
    if path.exists():
        return DataFile(path, int(name.split("-")[0]), current=True)
    for _mtime, previous in _written(filename):
        return DataFile(previous, int(previous.parent.name.split("-")[0]), current=False)
    return None
