"""Reading a feed and its new articles; the jobs in ``tasks.py`` and ``manage.py poll_feeds`` call these.

A feed's document is fetched by ``projects.fetching.fetch`` (public addresses only, pinned,
bounded) and handed to feedparser as bytes in a stream: feedparser never opens an address or a
file itself (given a string, it would fetch a URL or read a local path of that name).
"""

from __future__ import annotations

import calendar
import contextlib
import datetime
import io
import logging
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import feedparser
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from core.changes import actor
from projects.fetching import FetchError, fetch, fetch_html, html_to_article
from projects.ingestion import ingest_source, store_source
from projects.models import Source
from projects.models.limits import SOURCE_TEXT_MAX_LENGTH
from projects.newsdesk import services
from projects.newsdesk.dedupe import content_hash, near_duplicate, normalize_url
from projects.newsdesk.models import ERROR_MAX_LENGTH, DuplicateReason, EntryState, Feed, FeedEntry, SourceArchive

logger = logging.getLogger(__name__)

FEED_ACCEPT = "application/atom+xml, application/rss+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1"
# Ingestions take this PostgreSQL advisory lock (transaction-scoped), so that two workers reading
# the same article under two addresses cannot both find no duplicate and both ingest it.
INGEST_LOCK = 0x6E657773  # "news"


@contextlib.contextmanager
def job_actor():
    """Changes made by the news desk's jobs are recorded as theirs (source "job", no user), and the errors
    they keep are written in the site's language, whichever request ran them inline."""
    with actor(source="job"), translation.override(settings.LANGUAGE_CODE):
        yield


# An entry whose job never finished (a worker lost, an unexpected error) is asked again by the next polls,
# until it has been tried this many times.
MAX_ATTEMPTS = 4


class PermanentFetchError(FetchError):
    """A fetch that will fail the same way if tried again (not a feed, gone): no retry."""


@dataclass
class PollResult:
    feed_id: int
    not_modified: bool = False
    entries_seen: int = 0
    new_entries: list[int] = field(default_factory=list)
    pending_entries: list[int] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "feed": self.feed_id,
            "not_modified": self.not_modified,
            "entries_seen": self.entries_seen,
            "new_entries": self.new_entries,
            "pending_entries": self.pending_entries,
        }


@dataclass
class EntryResult:
    entry_id: int
    state: str
    source_id: int | None = None
    claims: int = 0
    duplicate_reason: str = ""
    similarity: float | None = None

    def as_dict(self) -> dict:
        return {
            "entry": self.entry_id,
            "state": self.state,
            "source": self.source_id,
            "claims": self.claims,
            "duplicate_reason": self.duplicate_reason,
            "similarity": self.similarity,
        }


def fetch_feed(feed: Feed) -> tuple[feedparser.FeedParserDict | None, dict]:
    """The parsed feed (None when the server says it has not changed) and the caching headers to keep."""
    headers = {"Accept": FEED_ACCEPT}
    if feed.http_etag:
        headers["If-None-Match"] = feed.http_etag
    if feed.http_last_modified:
        headers["If-Modified-Since"] = feed.http_last_modified
    response = fetch(feed.url, headers=headers)
    if response.status == 304:
        return None, {}
    if response.status in (404, 410):
        raise PermanentFetchError(_("The server answered %(status)s.") % {"status": response.status})
    if not 200 <= response.status < 300:
        raise FetchError(_("The server answered %(status)s.") % {"status": response.status})
    if b"<!ENTITY" in response.body:
        # Entities declared in a feed are a billion-laughs bomb or an external file, never a news feed's need:
        # expat stops the expansion, but feedparser then retries with its loose parser, for seconds.
        raise PermanentFetchError(_("The address is not a readable feed: %(reason)s.") % {"reason": "<!ENTITY>"})
    parsed = feedparser.parse(
        io.BytesIO(response.body),
        response_headers={
            "content-type": response.headers.get("Content-Type", "application/xml"),
            "content-location": response.url,
        },
    )
    if not parsed.get("version") and not parsed.entries:
        reason = parsed.get("bozo_exception") or _("no RSS or Atom document")
        raise PermanentFetchError(_("The address is not a readable feed: %(reason)s.") % {"reason": reason})
    caching = {
        "http_etag": response.headers.get("ETag", ""),
        "http_last_modified": response.headers.get("Last-Modified", ""),
    }
    return parsed, caching


def _published(entry) -> datetime.datetime | None:
    moment = entry.get("published_parsed") or entry.get("updated_parsed")
    if not moment:
        return None
    try:
        return datetime.datetime.fromtimestamp(calendar.timegm(moment), tz=datetime.UTC)
    except (OverflowError, ValueError):
        return None


def _link(entry, base: str) -> str:
    link = entry.get("link") or ""
    if not link and entry.get("guidislink"):
        link = entry.get("id") or ""
    return urljoin(base, link.strip()) if link else ""


def record_entries(feed: Feed, parsed) -> PollResult:
    """An entry row for each article of the feed not listed before (at most ``FEED_MAX_ENTRIES`` a poll)."""
    result = PollResult(feed_id=feed.pk)
    base = feed.url
    for item in parsed.entries[: settings.FEED_MAX_ENTRIES]:
        link = _link(item, base)
        if urlsplit(link).scheme not in ("http", "https") or len(link) > 2000:
            continue
        normalized = normalize_url(link)
        if len(normalized) > 1000:
            continue
        result.entries_seen += 1
        entry, created = FeedEntry.objects.get_or_create(
            feed=feed,
            normalized_url=normalized,
            defaults={
                "url": link,
                "guid": Truncator(item.get("id") or "").chars(1000),
                "title": Truncator(item.get("title") or "").chars(500),
                "published_at": _published(item),
            },
        )
        if created:
            result.new_entries.append(entry.pk)
        elif entry.state == EntryState.NEW and entry.attempts <= MAX_ATTEMPTS:
            result.pending_entries.append(entry.pk)  # listed before, its job never finished: asked again
    return result


def poll(feed: Feed) -> PollResult:
    """Read the feed once; a failure is recorded on the feed and raised."""
    try:
        parsed, caching = fetch_feed(feed)
    except FetchError as error:
        services.record_poll(feed.pk, error=str(error) or type(error).__name__)
        raise
    if parsed is None:
        services.record_poll(feed.pk)
        return PollResult(feed_id=feed.pk, not_modified=True)
    result = record_entries(feed, parsed)
    services.record_poll(feed.pk, entries_seen=len(result.new_entries), **caching)
    if not feed.title and parsed.feed.get("title"):
        services.feed_save(instance=feed, data={"title": Truncator(parsed.feed.title).chars(300)})
    return result


# Reading one entry ---------------------------------------------------------------------------


def _mark(entry: FeedEntry, state: str, **values) -> None:
    FeedEntry.objects.filter(pk=entry.pk).update(state=state, updated=timezone.now(), **values)
    entry.state = state
    for name, value in values.items():
        setattr(entry, name, value)


def _duplicate(entry: FeedEntry, reason: str, source_id: int | None, similarity: float | None = None, **values):
    _mark(
        entry,
        EntryState.DUPLICATE,
        duplicate_reason=reason,
        source_id=source_id,
        similarity=similarity,
        error="",
        **values,
    )
    return EntryResult(entry.pk, EntryState.DUPLICATE, source_id, 0, reason, similarity)


def same_address(entry: FeedEntry, *urls: str) -> int | None:
    """The source already read from one of these addresses (tracking parameters aside), if any."""
    normalized = {normalize_url(url) for url in urls if url}
    ingested = (
        FeedEntry.objects.filter(normalized_url__in=normalized, state=EntryState.INGESTED)
        .exclude(pk=entry.pk)
        .values_list("source_id", flat=True)
        .first()
    )
    if ingested is not None:
        return ingested
    return Source.objects.filter(url__in={*normalized, *urls}).values_list("pk", flat=True).first()


def same_text(entry: FeedEntry, digest: str) -> int | None:
    """The source whose archived text is this one (spaces aside), if any."""
    ingested = (
        FeedEntry.objects.filter(content_hash=digest, state=EntryState.INGESTED)
        .exclude(pk=entry.pk)
        .exclude(source=None)
        .values_list("source_id", flat=True)
        .first()
    )
    if ingested is not None:
        return ingested
    return SourceArchive.objects.filter(content_hash=digest).values_list("source_id", flat=True).first()


def _lock_ingestions() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [INGEST_LOCK])


def read_entry(entry_id: int) -> EntryResult:
    """Fetch the entry's article, and read it into a source with proposed claims unless it is one already read.

    Running it again for an entry already read or recognised as a duplicate does nothing.
    A fetch error is recorded on the entry and raised (the job retries it).
    """
    entry = FeedEntry.objects.select_related("feed").filter(pk=entry_id).first()
    if entry is None:
        return EntryResult(entry_id, "deleted")  # its feed was deleted since the job was queued
    if entry.state in (EntryState.INGESTED, EntryState.DUPLICATE):
        return EntryResult(entry.pk, entry.state, entry.source_id, entry.claims_proposed, entry.duplicate_reason)
    known = same_address(entry, entry.url, entry.normalized_url)
    if known is not None:
        return _duplicate(entry, DuplicateReason.URL, known)
    FeedEntry.objects.filter(pk=entry.pk).update(attempts=entry.attempts + 1)
    try:
        final_url, html = fetch_html(entry.url)
        article = html_to_article(final_url, html)
    except FetchError as error:
        FeedEntry.objects.filter(pk=entry.pk).update(error=str(error)[:ERROR_MAX_LENGTH], updated=timezone.now())
        raise
    if len(article.text) > SOURCE_TEXT_MAX_LENGTH:
        # Refused before anything reads it (dating and extracting half a million characters takes minutes).
        message = _("The article's text has %(count)s characters; a source holds at most %(limit)s.") % {
            "count": len(article.text),
            "limit": SOURCE_TEXT_MAX_LENGTH,
        }
        mark_failed(entry_id, message)
        return EntryResult(entry_id, EntryState.FAILED)
    url = normalize_url(article.url)
    digest = content_hash(article.text)
    # The comparison with every recent source (the costly part, about 0.5 s for 500 of them) runs before the
    # lock; under it, only the sources made since are compared again (since the start of the oldest ingestion
    # that could still be committing: a job runs at most CELERY_TASK_TIME_LIMIT seconds).
    compared_at = timezone.now() - datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    near = near_duplicate(article.text)
    try:
        with transaction.atomic():
            _lock_ingestions()
            entry = FeedEntry.objects.select_for_update().select_related("feed").get(pk=entry_id)
            if entry.state in (EntryState.INGESTED, EntryState.DUPLICATE):
                return EntryResult(entry.pk, entry.state, entry.source_id, entry.claims_proposed)
            known = same_address(entry, article.url, url)
            if known is not None:
                return _duplicate(entry, DuplicateReason.URL, known, content_hash=digest)
            known = same_text(entry, digest)
            if known is not None:
                return _duplicate(entry, DuplicateReason.CONTENT, known, content_hash=digest)
            near = near or near_duplicate(article.text, created_since=compared_at)
            if near is not None:
                return _duplicate(entry, DuplicateReason.NEAR, near.source_id, near.similarity, content_hash=digest)
            feed = entry.feed
            published_on = article.published_on or (entry.published_at.date() if entry.published_at else None)
            source = store_source(
                text=article.text,
                url=url,
                title=article.title or entry.title,
                publisher=article.publisher or feed.publisher,
                author=article.author,
                published_on=published_on,
            )
            ingestion = ingest_source(source=source, language=feed.language or None)
            claims = len(ingestion.all_claims)
            _mark(
                entry,
                EntryState.INGESTED,
                source_id=source.pk,
                content_hash=digest,
                claims_proposed=claims,
                duplicate_reason="",
                error="",
            )
            services.count_ingested(feed.pk)
    except ValidationError as error:
        # The article breaks a rule of the records (a text longer than a source may hold): not worth retrying.
        mark_failed(entry_id, "; ".join(error.messages))
        return EntryResult(entry_id, EntryState.FAILED)
    except IntegrityError:
        # Another job read the same address or text at the same moment (a unique index said so).
        logger.info("Feed entry %s was read by another job at the same time", entry_id)
        by_address = same_address(entry, article.url, url)
        by_text = same_text(entry, digest) if by_address is None else None
        if by_address is None and by_text is None:
            raise
        reason = DuplicateReason.URL if by_address is not None else DuplicateReason.CONTENT
        return _duplicate(entry, reason, by_address or by_text, content_hash=digest)
    return EntryResult(entry.pk, EntryState.INGESTED, source.pk, claims)


def mark_failed(entry_id: int, error: str) -> None:
    FeedEntry.objects.filter(pk=entry_id).exclude(state__in=(EntryState.INGESTED, EntryState.DUPLICATE)).update(
        state=EntryState.FAILED, error=error[:ERROR_MAX_LENGTH], updated=timezone.now()
    )


def due_feeds():
    """The active feeds, the longest unread first."""
    return Feed.objects.filter(active=True).order_by(F("last_polled_at").asc(nulls_first=True), "pk")
