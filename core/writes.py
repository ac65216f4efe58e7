"""Services are the only code that saves or deletes a tracked record.

A service runs inside ``service_write()``; a single ``save()`` or ``delete()`` of a
tracked record outside one (a shell ``Model.objects.create``, a form's ``save()``) is
refused with ``DirectWriteError`` naming the service to call, because only the service
computes what the write implies (a slug, a claim's comparable value, the project's
headline figures, its conflicts, the grid distances, its status history).

Queryset bulk writes (``update()``, ``bulk_create()``) stay possible for repairs and
migrations: they are recorded in the change log, and ``manage.py check_integrity``
reports any figure they leave out of step with its sources.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools

from django.db import transaction

_depth: contextvars.ContextVar[int] = contextvars.ContextVar("service_write_depth", default=0)


class DirectWriteError(Exception):
    """A tracked record was saved or deleted without going through its service."""

    def __init__(self, instance, action: str):
        model = type(instance)
        hint = getattr(model, "write_services", "") or "the functions of its app's services module"
        super().__init__(
            f"{model._meta.label} records are not {action} directly: call {hint}, which validates the record, "
            "keeps its derived values and records its history."
        )


@contextlib.contextmanager
def service_write():
    token = _depth.set(_depth.get() + 1)
    try:
        yield
    finally:
        _depth.reset(token)


def in_service() -> bool:
    return _depth.get() > 0


def service(func):
    """A write service: atomic, and allowed to save and delete tracked records."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with service_write(), transaction.atomic():
            return func(*args, **kwargs)

    return wrapper


# The service that writes each model, for the code in ``core`` (the admin's generic forms,
# revert and restore) that writes records of apps it does not know.
_writers: dict[type, object] = {}


def register_writer(model, writer):
    """``writer`` offers ``save(instance, data, user, expected_version)``, ``delete(instance, user,
    expected_version)``, ``revert(instance, data, user)`` and ``restore(model, pk, data, user)``."""
    _writers[model] = writer


def writer_for(model):
    try:
        return _writers[model]
    except KeyError:
        raise LookupError(f"No service writes {model._meta.label} records.") from None
