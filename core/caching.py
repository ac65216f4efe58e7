"""Answers about the whole public table, kept in the cache until the next write.

Every write, through a service or a queryset bulk write, records its changes in the change
log (``core.changes``), which moves the *data generation* on, at once and again when the
transaction commits. Cached answers are keyed by the generation they were computed in, so
the first read after a write computes afresh and older answers are never read again (they
expire by themselves). Answers are computed on the primary: a lagging replica would store
what was true before the write. ``WHOLE_TABLE_CACHE_SECONDS`` bounds how long any answer
lives. Only unfiltered views are cached; filtered ones are always exact. With the
per-process memory cache (no ``REDIS_URL``) each process has its own generation: run one
process, or use Redis.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from core.db import reads_on_primary

GENERATION_KEY = "data-generation"
T = TypeVar("T")


def generation() -> int:
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, 1, timeout=None)
        value = cache.get(GENERATION_KEY, 1)
    return value


def _bump():
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # expired or never set: any new value starts a new generation
        cache.add(GENERATION_KEY, 2, timeout=None)


def data_changed(using: str | None = None):
    """Called for each write recorded in the change log: cached answers end with it.

    Bumped at once (the writer's own reads see the write) and again once the transaction
    commits (an answer computed by another reader in between, from before the commit, is
    dropped too): one callback per transaction, however many records it writes.
    """
    _bump()
    connection = transaction.get_connection(using)
    if not any(entry[1] is _bump for entry in connection.run_on_commit):
        transaction.on_commit(_bump, using=using)


def forget():
    """Drop every cached answer (the tests start each case with this)."""
    _bump()


def cached(name: str, compute: Callable[[], T], timeout: int | None = None) -> T:
    """``compute()``'s answer for the current data generation, computed at most once per generation."""
    key = f"whole-table:{generation()}:{name}"
    value = cache.get(key)
    if value is None:
        # Computed on the primary: a lagging replica would store what was true before the
        # write that began this generation, for every reader, its writer included.
        with reads_on_primary():
            value = compute()
        cache.set(key, value, timeout=settings.WHOLE_TABLE_CACHE_SECONDS if timeout is None else timeout)
    return value
