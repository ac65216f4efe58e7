"""Reads on a read replica, with every reader seeing their own writes (used when DATABASE_REPLICA_URL is set).

Writes go to the primary (``default``); reads go to the replica, except:

* reads inside a transaction on the primary (a write path must see its own writes: validation,
  version checks, the change log);
* every read of a request that may write (POST, PUT, PATCH, DELETE): it loads what it edits from
  the primary, as it is now;
* the reads of someone who wrote recently: after a write request, the primary's WAL position is
  kept in the cache (Redis, shared by every app process) under the reader's key (their API token,
  else their user, else their session), and their reads stay on the primary until the replica
  has replayed up to that position;
* sessions and API tokens, always read from the primary: the request that follows a login, or
  the creation of a token, must find it;
* while the replica does not answer: the first request that finds it down logs a warning, and
  for ``DATABASE_REPLICA_RETRY_SECONDS`` every app process reads from the primary without trying
  it again (its ``connect_timeout`` bounds how long that first request waits).

``ReadYourWritesMiddleware`` makes the decision once per request; the router follows it.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import logging

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.core.exceptions import MiddlewareNotUsed
from django.db import DatabaseError, connections, transaction

logger = logging.getLogger(__name__)

REPLICA = "replica"
# Rows that say who the reader is: the request after a login, or after a token is made, must find them.
PRIMARY_APPS = frozenset({"sessions", "authtoken"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
REPLICA_DOWN_KEY = "replica:down"
WRITTEN_KEY = "replica:written:{}"

_reads_on_primary: contextvars.ContextVar[bool] = contextvars.ContextVar("reads_on_primary", default=False)


@contextlib.contextmanager
def reads_on_primary(value: bool = True):
    """Route the reads made inside the block to the primary (or, with ``False``, let them go to the replica)."""
    token = _reads_on_primary.set(value)
    try:
        yield
    finally:
        _reads_on_primary.reset(token)


class ReplicaRouter:
    """Send reads to the replica and writes to the primary, except as the module says."""

    def db_for_read(self, model, **hints):
        if (
            _reads_on_primary.get()
            or model._meta.app_label in PRIMARY_APPS
            or transaction.get_connection("default").in_atomic_block
        ):
            return "default"
        return REPLICA

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


def lsn(text: str) -> int:
    """A PostgreSQL WAL position (``'16/B374D848'``) as a number that compares as the server does."""
    high, low = text.split("/")
    return (int(high, 16) << 32) + int(low, 16)


def reader_key(request) -> str | None:
    """Who is reading: their API token, else their user, else their session; ``None`` for an anonymous visitor."""
    authorization = request.META.get("HTTP_AUTHORIZATION", "")
    if authorization.startswith("Token "):
        return "token:" + hashlib.sha256(authorization[6:].strip().encode()).hexdigest()
    session = getattr(request, "session", None)
    if session is None:
        return None
    if user_id := session.get(SESSION_KEY):
        return f"user:{user_id}"
    return f"session:{session.session_key}" if session.session_key else None


def primary_position() -> str:
    """Where the primary's WAL ends now: past the commit of every transaction committed so far.

    The insert position, not the write position: with ``synchronous_commit`` off a commit may
    return before its record is written out.
    """
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_insert_lsn()::text")
        return cursor.fetchone()[0]


def on_replica(sql: str) -> tuple:
    """One row from the replica.

    A connection kept from an earlier request may have been cut (the replica restarted): then it is
    dropped and one new connection is tried. A new connection that fails is not tried again:
    ``connect_timeout`` bounds how long that takes.
    """
    connection = connections[REPLICA]
    kept = connection.connection is not None
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchone()
    except DatabaseError:
        connection.close()
        if not kept:
            raise
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()


def replica_position() -> str | None:
    """How far the replica has replayed the primary's WAL (``None``: it is not a standby, it has every write)."""
    return on_replica("SELECT pg_last_wal_replay_lsn()::text")[0]


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def remember_write(key: str) -> None:
    """Keep ``key``'s reads on the primary until the replica has replayed what the primary holds now."""
    cache.set(WRITTEN_KEY.format(key), primary_position(), settings.DATABASE_REPLICA_PIN_SECONDS)


def replica_serves(key: str | None) -> bool:
    """Whether this reader's reads may go to the replica now."""
    written_key = WRITTEN_KEY.format(key) if key else None
    try:
        known = cache.get_many([REPLICA_DOWN_KEY, *([written_key] if written_key else [])])
    except Exception:
        logger.warning("The cache does not answer: reading from the primary database", exc_info=True)
        return False
    if known.get(REPLICA_DOWN_KEY):
        return False
    try:
        replayed = replica_position()
    except DatabaseError as error:
        logger.warning(
            "The read replica does not answer (%s): reading from the primary for %s s",
            _first_line(error),
            settings.DATABASE_REPLICA_RETRY_SECONDS,
        )
        with contextlib.suppress(Exception):
            cache.set(REPLICA_DOWN_KEY, True, settings.DATABASE_REPLICA_RETRY_SECONDS)
        return False
    written = known.get(written_key)
    return written is None or replayed is None or lsn(replayed) >= lsn(written)


class ReadYourWritesMiddleware:
    """Decides, once per request, whether its reads go to the replica (see the module's docstring)."""

    def __init__(self, get_response):
        if REPLICA not in settings.DATABASES:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        writes = request.method not in SAFE_METHODS
        on_primary = writes or not replica_serves(reader_key(request))
        with reads_on_primary(on_primary):
            response = self.get_response(request)
        if writes and (key := reader_key(request)):  # after a login, the key is the user's
            try:
                remember_write(key)
            except Exception:
                logger.warning("Could not record a write for read-your-writes", exc_info=True)
        if response.streaming:
            response.streaming_content = _reading_on_primary(response.streaming_content, on_primary)
        return response


def _reading_on_primary(chunks, on_primary: bool):
    """A streamed body's rows are read as the response is sent, after the middleware returned."""
    chunks = iter(chunks)
    while True:
        with reads_on_primary(on_primary):
            chunk = next(chunks, None)
        if chunk is None:
            return
        yield chunk


def replica_status() -> dict | None:
    """The replica as the readiness check reports it (``None`` with no replica): whether it answers, its lag.

    ``lag_bytes`` is how much of the primary's WAL it has still to replay; ``lag_seconds``, while it is
    behind, is how long ago the last transaction it replayed was committed (0 when it is level).
    ``reads_on_primary``: a failure seen in the last DATABASE_REPLICA_RETRY_SECONDS sends every read
    to the primary. A replica that does not answer is reported, not an error: reads fall back.
    """
    if REPLICA not in settings.DATABASES:
        return None
    primary = primary_position()
    try:
        replayed, since_last_replay, paused = on_replica(
            "SELECT pg_last_wal_replay_lsn()::text,"
            " extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float,"
            " CASE WHEN pg_is_in_recovery() THEN pg_is_wal_replay_paused() ELSE false END"
        )
    except DatabaseError as error:
        logger.warning("The read replica does not answer the readiness check (%s)", _first_line(error))
        return {"answers": False, "reads_on_primary": True}
    behind = max(0, lsn(primary) - lsn(replayed)) if replayed else 0
    return {
        "answers": True,
        "lag_bytes": behind,
        "lag_seconds": round(since_last_replay or 0.0, 3) if behind else 0.0,
        "replay_paused": bool(paused),
        "reads_on_primary": bool(cache.get(REPLICA_DOWN_KEY)),
    }
