"""The replica router's rules, in one process. tests/core/test_replica_e2e.py runs them against a real
streaming replica and two app processes."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.exceptions import MiddlewareNotUsed
from django.db import transaction
from django.test import RequestFactory
from rest_framework.authtoken.models import Token

from core.db import ReadYourWritesMiddleware, ReplicaRouter, _reading_on_primary, lsn, reader_key, reads_on_primary
from projects.models import Project

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db(transaction=True)
def test_reads_go_to_the_replica_except_inside_a_write_transaction():
    router = ReplicaRouter()
    assert router.db_for_read(Project) == "replica"
    assert router.db_for_write(Project) == "default"
    with transaction.atomic():
        assert router.db_for_read(Project) == "default"
    assert router.allow_migrate("replica", "projects") is False


def test_a_request_that_writes_or_follows_a_write_reads_from_the_primary():
    router = ReplicaRouter()
    with reads_on_primary():
        assert router.db_for_read(Project) == "default"
        with reads_on_primary(False):
            assert router.db_for_read(Project) == "replica"
        assert router.db_for_read(Project) == "default"
    assert router.db_for_read(Project) == "replica"


def test_sessions_and_tokens_are_always_read_from_the_primary():
    # the request after a login, or after a token is made, must find it
    router = ReplicaRouter()
    assert router.db_for_read(Session) == "default"
    assert router.db_for_read(Token) == "default"


def test_wal_positions_compare_as_the_server_compares_them():
    assert lsn("0/0") == 0
    assert lsn("0/16B3748") == 0x16B3748
    assert lsn("1/0") > lsn("0/FFFFFFFF")
    assert lsn("A/10") < lsn("a/11")


@pytest.mark.django_db
def test_the_reader_is_the_token_else_the_user_else_the_session():
    factory = RequestFactory()
    anonymous = factory.get("/")
    anonymous.session = SessionStore()
    assert reader_key(anonymous) is None

    visitor = factory.get("/")
    visitor.session = SessionStore()
    visitor.session["seen"] = True
    visitor.session.save()
    assert reader_key(visitor) == f"session:{visitor.session.session_key}"

    signed_in = factory.get("/")
    signed_in.session = SessionStore()
    signed_in.session[SESSION_KEY] = "42"
    assert reader_key(signed_in) == "user:42"

    client = factory.get("/", HTTP_AUTHORIZATION="Token abc123")
    client.session = signed_in.session
    key = reader_key(client)
    assert key.startswith("token:") and "abc123" not in key  # the token itself is not written to the cache
    assert key == reader_key(factory.get("/api/v1/projects/", HTTP_AUTHORIZATION="Token abc123"))


def test_without_a_replica_the_middleware_stays_out():
    with pytest.raises(MiddlewareNotUsed):
        ReadYourWritesMiddleware(lambda request: None)


def test_a_streamed_body_is_read_where_its_request_was_routed():
    router = ReplicaRouter()

    def rows():
        for _ in range(3):
            yield router.db_for_read(Project).encode()

    assert list(_reading_on_primary(rows(), True)) == [b"default"] * 3
    assert list(_reading_on_primary(rows(), False)) == [b"replica"] * 3


def test_a_replica_that_does_not_answer_costs_one_bounded_wait_then_none():
    """A server that takes the connection and never answers (a hung host): the first request waits
    ``connect_timeout``, then reads from the primary; the next ones do not wait (fresh process)."""
    script = """
import django, json, time
django.setup()
from core.db import replica_serves
timings = []
for _ in range(3):
    started = time.monotonic()
    timings.append([replica_serves(None), time.monotonic() - started])
print(json.dumps(timings))
"""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)  # connections complete in the kernel's backlog; nothing ever answers
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tracker.test_settings",
            "DATABASE_REPLICA_URL": f"postgres://postgres@127.0.0.1:{silent.getsockname()[1]}/replica",
            "DATABASE_REPLICA_CONNECT_TIMEOUT": "1",
        }
        env.pop("REDIS_URL", None)  # the process's own memory cache: nothing shared with other tests
        result = subprocess.run(
            [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
        )
    assert result.returncode == 0, result.stderr
    (first, first_seconds), *later = json.loads(result.stdout.strip().splitlines()[-1])
    assert first is False and 0.5 < first_seconds < 3.5, first_seconds
    assert all(serves is False and seconds < 0.05 for serves, seconds in later), later
    assert result.stderr.count("The read replica does not answer") == 1, result.stderr
