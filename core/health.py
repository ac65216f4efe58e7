"""Health checks for load balancers and orchestrators.

- ``/health/live``: the process answers (touches neither the database nor the cache);
- ``/health/ready``: the process can serve, i.e. every check in ``CHECKS`` passes; otherwise
  503 with a JSON body naming what failed.

Both are answered by :class:`HealthCheckMiddleware`, placed first in ``MIDDLEWARE``, so that no
other middleware runs for them: no HTTPS redirect, host-name check, session, authentication,
throttling or page cache. A probe sent to the container's address over plain HTTP gets its
answer. The body says which check failed, never the error's text (host names, ports): that goes
to the log.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import caches
from django.db import connections
from django.http import HttpResponseNotAllowed, JsonResponse

logger = logging.getLogger(__name__)

LIVE_PATH = "/health/live"
READY_PATH = "/health/ready"


def check_database() -> None:
    """The primary database answers a query (reads fall back to it when a replica is down)."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache() -> None:
    """The default cache (Redis in production) stores and returns a value."""
    cache = caches["default"]
    key = f"health:{uuid.uuid4().hex}"
    cache.set(key, "ok", timeout=10)
    try:
        if cache.get(key) != "ok":
            raise RuntimeError("the cache did not return the value just stored")
    finally:
        cache.delete(key)


def check_replica() -> dict:
    """The read replica's lag, reported; a replica that does not answer is reported too, never a
    failure: reads fall back to the primary (core/db.py)."""
    from core.db import replica_status

    return replica_status()


# Name -> check; a check passes when it returns (a dict it returns is reported), fails when it raises.
CHECKS: dict[str, Callable[[], dict | None]] = {
    "database": check_database,
    "cache": check_cache,
}
if "replica" in settings.DATABASES:
    CHECKS["replica"] = check_replica


def readiness() -> tuple[bool, dict[str, dict]]:
    results: dict[str, dict] = {}
    for name, check in CHECKS.items():
        started = time.monotonic()
        try:
            details = check()
        except Exception as exc:
            logger.error("Readiness check %s failed", name, exc_info=True)
            results[name] = {"ok": False, "error": type(exc).__name__}
        else:
            results[name] = {"ok": True, **(details or {})}
        results[name]["ms"] = round((time.monotonic() - started) * 1000, 1)
    return all(result["ok"] for result in results.values()), results


def _answer(status: int, body: dict) -> JsonResponse:
    response = JsonResponse(body, status=status)
    response["Cache-Control"] = "no-store"
    return response


def live_view(request):
    return _answer(200, {"status": "ok"})


def ready_view(request):
    ready, results = readiness()
    body = {"status": "ok" if ready else "unavailable", "checks": results}
    if not ready:
        body["failed"] = [name for name, result in results.items() if not result["ok"]]
    return _answer(200 if ready else 503, body)


VIEWS = {LIVE_PATH: live_view, READY_PATH: ready_view}


class HealthCheckMiddleware:
    """Answers the health paths before any other middleware runs (keep it first in ``MIDDLEWARE``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        view = VIEWS.get(request.path_info.rstrip("/"))
        if view is None:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        return view(request)
