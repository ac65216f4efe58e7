"""Old addresses answer with a permanent redirect to the record they now lead to.

A page or an API detail that finds no live record at its address asks ``selectors.moved_to``
whether a renamed or merged record left it; if so the answer is 301 for a read (GET, HEAD)
and 308 for anything else (the method and body are kept), to the same view of the record at
its current slug, with the query string kept (``?as_of=...``). A live record always wins.
"""

from __future__ import annotations

import functools

from django.http import Http404, HttpResponsePermanentRedirect
from django.urls import reverse
from rest_framework import status
from rest_framework.response import Response

from projects.selectors import moved_to


def moved_url(request, record, lookup: str) -> str:
    """The address of the view that was asked, with ``lookup`` naming the record by its slug now."""
    match = request.resolver_match
    url = reverse(match.view_name, kwargs={**match.kwargs, lookup: record.slug})
    query = request.META.get("QUERY_STRING", "")
    return f"{url}?{query}" if query else url


def follows_old_addresses(queryset, lookup: str = "slug"):
    """For a page view taking the record's slug: an old address redirects to the record's page.

    ``queryset()`` gives the records the reader may see, so a draft's old address stays a 404.
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                return view(request, *args, **kwargs)
            except Http404:
                record = moved_to(queryset(), kwargs[lookup])
                if record is None:
                    raise
                return HttpResponsePermanentRedirect(moved_url(request, record, lookup))

        return wrapper

    return decorator


class RecordMoved(Exception):
    def __init__(self, location: str):
        self.location = location
        super().__init__(location)


class FollowsOldAddressesMixin:
    """For API viewsets of projects and organizations: a detail at an old slug or a merged record's ID
    answers 301 (read) or 308 (write) to the record's address now."""

    def get_object(self):
        try:
            return super().get_object()
        except Http404:
            if self.queryset is None or getattr(self.queryset.model, "redirects", None) is None:
                raise
            lookup = self.lookup_url_kwarg or self.lookup_field
            record = moved_to(self.get_queryset(), self.kwargs[lookup])
            if record is None:
                raise
            raise RecordMoved(self.request.build_absolute_uri(moved_url(self.request, record, lookup))) from None

    def handle_exception(self, exc):
        if isinstance(exc, RecordMoved):
            reading = self.request.method in ("GET", "HEAD", "OPTIONS")
            code = status.HTTP_301_MOVED_PERMANENTLY if reading else status.HTTP_308_PERMANENT_REDIRECT
            return Response(status=code, headers={"Location": exc.location})
        return super().handle_exception(exc)
