"""/health/live and /health/ready: what a load balancer or an orchestrator asks."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def closed_port() -> int:
    """A local port nothing listens on (bound then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_live_touches_neither_the_database_nor_the_cache(client):
    # No django_db mark: any query would fail the test.
    response = client.get("/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_ready_checks_the_database_and_the_cache(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/health/ready")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {name: check["ok"] for name, check in body["checks"].items()} == {"database": True, "cache": True}


@pytest.mark.django_db
def test_ready_answers_503_naming_the_cache_when_it_is_down(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        }
    }
    response = client.get("/health/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable" and body["failed"] == ["cache"]
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["cache"] == {"ok": False, "error": "ConnectionError", "ms": body["checks"]["cache"]["ms"]}
    assert "127.0.0.1" not in response.content.decode(), "the body names the check, not the address"


def test_ready_answers_503_naming_the_database_when_it_is_down():
    """A server whose database does not answer (a real refused connection, in a fresh process)."""
    script = (
        "import django, json; django.setup(); from django.test import Client;"
        "r = Client().get('/health/ready'); print(json.dumps({'status': r.status_code, 'body': r.json()}))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tracker.test_settings",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{closed_port()}/nothing",
    }
    env.pop("REDIS_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["status"] == 503
    assert answer["body"]["failed"] == ["database"]
    assert answer["body"]["checks"]["cache"]["ok"] is True
    assert "Readiness check database failed" in result.stderr, "the error itself goes to the log"


@pytest.mark.django_db
def test_health_is_answered_before_redirects_host_checks_and_throttling(client, settings):
    settings.SECURE_SSL_REDIRECT = True  # a probe over plain HTTP is not redirected
    settings.ALLOWED_HOSTS = ["tracker.example.org"]  # a probe to the container's address is answered
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "2/minute"}}
    for _ in range(5):
        for path in ("/health/live", "/health/ready", "/health/ready/"):
            assert client.get(path, HTTP_HOST="10.1.2.3:8000").status_code == 200
    assert client.get("/", HTTP_HOST="10.1.2.3:8000").status_code == 400


def test_health_answers_get_and_head_only(client):
    assert client.head("/health/live").status_code == 200
    assert client.post("/health/live").status_code == 405
