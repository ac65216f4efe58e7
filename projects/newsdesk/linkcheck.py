"""Whether the sources' addresses still answer: checked periodically, the longest unchecked first.

A check asks for the page's headers (``HEAD``, or ``GET`` from a server that refuses it) through
``projects.fetching.fetch``; an answer under 400 after redirects is a page that answers. A source
whose address fails is marked so (``LinkCheck.answers``), with the status or the error and since
when; its archived text (``SourceArchive``) is what the claims keep quoting.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from projects.fetching import FetchError, fetch
from projects.models import Source
from projects.newsdesk.models import ERROR_MAX_LENGTH, LinkCheck


def due_sources():
    """Sources with an address, never checked or checked more than ``LINK_CHECK_RECHECK_HOURS`` ago, oldest first."""
    since = timezone.now() - timedelta(hours=settings.LINK_CHECK_RECHECK_HOURS)
    return (
        Source.objects.exclude(url=None)
        .exclude(url="")
        .filter(Q(link_check=None) | Q(link_check__checked_at__lt=since))
        .order_by(F("link_check__checked_at").asc(nulls_first=True), "pk")
    )


def _ask(url: str) -> int:
    response = fetch(url, method="HEAD")
    if response.status in (405, 501):
        response = fetch(url)
    return response.status


def check(source_id: int) -> dict:
    source = Source.objects.filter(pk=source_id).only("pk", "url").first()
    if source is None or not source.url:
        return {"source": source_id, "skipped": "no address"}
    now = timezone.now()
    status, error = None, ""
    try:
        status = _ask(source.url)
    except FetchError as exc:
        error = str(exc) or type(exc).__name__
    answers = status is not None and status < 400
    if status is not None and not answers:
        error = f"HTTP {status}"
    previous = LinkCheck.objects.filter(source_id=source_id).first()
    values = {
        "checked_at": now,
        "answers": answers,
        "status_code": status,
        "error": error[:ERROR_MAX_LENGTH],
    }
    if answers:
        values.update(consecutive_failures=0, failing_since=None, last_answered_at=now)
    else:
        values.update(
            consecutive_failures=(previous.consecutive_failures if previous else 0) + 1,
            failing_since=(previous.failing_since if previous and previous.failing_since else now),
        )
    LinkCheck.objects.update_or_create(source_id=source_id, defaults=values)
    return {"source": source_id, "answers": answers, "status": status, "error": error}
