"""A large file's rows read and checked in a second process while the import writes the rows before them.

An import is bound by Python: reading each cell with the admin's widgets and checking each new
project with the model's rules cost about as much as writing it. A process of its own
(``python -m projects.import_worker``) does those (``projects.imports.read_rows``, then
``services.bulk.prepared``) on the machine's other core and hands the rows over in batches through
a pipe; the import itself, its queries and its one transaction stay in the calling process. The
second process never opens a database connection.
"""

from __future__ import annotations

import os
import pickle
import struct
import subprocess
import sys
from collections.abc import Iterator

BATCH = 500
# Files from this size on are read in a second process (below it, starting one costs more than it saves).
MIN_BYTES = 2_000_000
HEADER = struct.Struct("!Q")


def read_prepared(path, file_format: str) -> Iterator:
    """The rows of the file at ``path``, as ``prepared(read_rows(...))`` gives them, read in a second process."""
    from django.conf import settings
    from django.utils import translation

    from projects.imports import ImportFileError

    readable, writable = os.pipe()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(entry for entry in sys.path if entry)}
    # The settings module the process started with (settings overridden since have none).
    env.setdefault("DJANGO_SETTINGS_MODULE", settings.SETTINGS_MODULE or "")
    language = translation.get_language() or ""
    command = [sys.executable, "-m", "projects.import_worker", str(path), file_format, language, str(writable)]
    try:
        reader = subprocess.Popen(command, env=env, pass_fds=(writable,), cwd=settings.BASE_DIR)
    finally:
        os.close(writable)
    stream = os.fdopen(readable, "rb")
    try:
        while True:
            header = stream.read(HEADER.size)
            if len(header) < HEADER.size:
                raise RuntimeError(f"The process reading the file stopped (exit code {reader.wait()}).")
            kind, payload = pickle.loads(stream.read(HEADER.unpack(header)[0]))
            if kind == "rows":
                yield from _unpacked(payload)
            elif kind == "end":
                return
            elif kind == "file":
                raise ImportFileError(payload)
            else:
                raise RuntimeError(f"Reading the file failed: {payload}")
    finally:
        stream.close()
        if reader.poll() is None:
            reader.terminate()
        reader.wait(timeout=30)


def _packed(rows: list) -> list:
    """The rows with their records as plain values (each record's ``__dict__`` but its state): pickled in a
    third of the time model instances take (Django's ``__reduce__``, ``__getstate__`` and ``__setstate__``
    for each), read back by ``_unpacked``."""
    from projects.services.bulk import PreparedRow

    packed = []
    for row in rows:
        if isinstance(row, PreparedRow):
            step = None if row.step is None else _fields_of(row.step)
            row = (row.data, _fields_of(row.project), row.exclude, row.errors, row.made_slug, step)
        packed.append(row)
    return packed


def _fields_of(record) -> dict:
    values = record.__dict__.copy()
    del values["_state"]
    return values


def _unpacked(rows: list) -> Iterator:
    from django.db.models.base import ModelState

    from projects.models import Project, ProjectStatusChange
    from projects.services.bulk import PreparedRow

    def record(model, values):
        instance = model.__new__(model)
        instance.__dict__.update(values)
        instance._state = ModelState()  # new: not saved, no database yet
        return instance

    cache_project = ProjectStatusChange.project.field.set_cached_value
    for row in rows:
        if type(row) is tuple:
            data, project, exclude, errors, made_slug, step = row
            project = record(Project, project)
            if step is not None:
                step = record(ProjectStatusChange, step)
                cache_project(step, project)  # as first_status_step set it: its ID is read once the project has one
            row = PreparedRow(data, project, exclude, errors, made_slug, step)
        yield row


def _send(out, kind: str, payload):
    data = pickle.dumps((kind, payload), protocol=pickle.HIGHEST_PROTOCOL)
    out.write(HEADER.pack(len(data)))
    out.write(data)


def main(path: str, file_format: str, language: str, fd: int):
    """In the second process: the file's rows, prepared, in batches on the pipe ``fd``."""
    import gc

    import django

    gc.disable()  # a process of its own, making objects that hold no cycles

    django.setup()
    from django.utils import translation

    from projects.imports import ImportFileError, read_rows
    from projects.services.bulk import prepared

    with os.fdopen(fd, "wb") as out:
        try:
            with translation.override(language or None), open(path, "rb") as stream:
                batch = []
                for row in prepared(read_rows(stream, file_format)):
                    batch.append(row)
                    if len(batch) >= BATCH:
                        _send(out, "rows", _packed(batch))
                        batch = []
                if batch:
                    _send(out, "rows", _packed(batch))
            _send(out, "end", None)
        except BrokenPipeError:
            pass  # the import stopped reading
        except ImportFileError as error:
            _send(out, "file", str(error))
        except Exception as error:  # noqa: BLE001  (anything else is the reader's failure, reported to the import)
            _send(out, "failed", f"{type(error).__name__}: {error}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))
