"""Rate limits that hold under concurrency, for the API and the public pages.

DRF's ``SimpleRateThrottle`` keeps a list of request times per client: it reads the list,
appends and writes it back, so requests arriving together all read the same list and all
pass (8 parallel clients of one address against a live server on Redis, limit 20: 28 to 40
served). Here each client has one counter per window, which the cache increments atomically
(``INCR`` in Redis with django-redis, a lock in the local-memory cache): the limit is exact
whatever the concurrency.

The window opens at a client's first request and lasts the rate's period (``120/minute``: 120
requests, then 429 until a minute after the first); further requests do not extend it.
Clients are told apart by ``BaseThrottle.get_ident``: the connection's address, or the
``X-Forwarded-For`` entry added by the trusted proxies (``DJANGO_NUM_PROXIES``).
"""

from __future__ import annotations

import functools
import math

from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from rest_framework import throttling

# A window that ends between our add() and incr() is opened again; more attempts mean a broken cache.
ATTEMPTS = 3


def count_hit(cache, key: str, period: int) -> int:
    """Count one request in the window at ``key``: the number of requests in it, this one included."""
    for _ in range(ATTEMPTS):
        try:
            return cache.incr(key)  # one round trip while the window is open (it raises when there is none)
        except ValueError:  # no window yet, or it just expired
            pass
        if cache.add(key, 1, timeout=period):  # SET NX with expiry: the first request opens the window
            return 1
    raise RuntimeError(f"The cache could not count requests at {key!r}.")


class AtomicWindowMixin:
    """A fixed window counted atomically, in place of ``SimpleRateThrottle``'s request history.

    The rates, scopes and cache keys stay DRF's (``DEFAULT_THROTTLE_RATES``, ``scope``,
    ``get_cache_key``); only the counting changes.
    """

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.count = count_hit(self.cache, self.key, self.duration)
        return self.count <= self.num_requests

    def wait(self):
        # django-redis tells how long the window has left; other caches, at most the whole period.
        ttl = getattr(self.cache, "ttl", None)
        left = ttl(self.key) if callable(ttl) else None
        if not isinstance(left, int | float) or left <= 0:
            left = self.duration
        return max(1, math.ceil(left))


class AnonRateThrottle(AtomicWindowMixin, throttling.AnonRateThrottle):
    """Anonymous API clients, per address: ``API_THROTTLE_ANON``."""


class UserRateThrottle(AtomicWindowMixin, throttling.UserRateThrottle):
    """Authenticated API clients, per user: ``API_THROTTLE_USER``."""


class PageRateThrottle(AtomicWindowMixin, throttling.AnonRateThrottle):
    """Anonymous readers of the public pages, per address: ``PAGE_THROTTLE_ANON``.

    A counter of its own: reading pages does not use up a client's API allowance. Signed-in
    users are not counted.
    """

    scope = "pages"


def throttle_anonymous(view):
    """Decorates a public page: an anonymous address over ``PAGE_THROTTLE_ANON`` gets a 429 page
    with ``Retry-After``, rendered without touching the database."""

    @functools.wraps(view)
    def throttled_view(request, *args, **kwargs):
        throttle = PageRateThrottle()
        if throttle.allow_request(request, None):
            return view(request, *args, **kwargs)
        seconds = throttle.wait()
        response = render(request, "429.html", {"retry_after": seconds}, status=429)
        response["Retry-After"] = str(seconds)
        patch_vary_headers(response, ["Cookie"])  # a signed-in reader is not throttled
        return response

    return throttled_view
