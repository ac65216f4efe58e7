"""The news desk's background jobs (Celery; inline when no broker is configured).

- ``poll_all_feeds``: every active feed gets a ``poll_feed`` job (periodic, see ``CELERY_BEAT_SCHEDULE``);
- ``poll_feed(feed_id)``: reads the feed, records its new entries, and queues an ``ingest_entry`` for each;
- ``ingest_entry(entry_id)``: fetches the article, recognises it if already read (address, text, nearly
  the same text), else stores it as a source and proposes its claims;
- ``check_source_links``: queues a ``check_source_link`` for the sources checked longest ago (periodic);
- ``check_source_link(source_id)``: whether the source's address still answers.

Every job can run twice: entries are unique per feed and address, an address and a text are read into a
source once (unique indexes), and a job finding its work done returns. A fetch that fails is tried again
``FETCH_RETRIES`` times, waiting longer each time (exponential backoff with jitter).
"""

from __future__ import annotations

import logging

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings

from projects.fetching import FetchError
from projects.newsdesk import linkcheck, polling
from projects.newsdesk.models import Feed

logger = logging.getLogger(__name__)

FETCH_RETRIES = 3
BACKOFF_FACTOR = 60  # seconds: about 1, 2, then 4 minutes
BACKOFF_MAX = 15 * 60


def _countdown(retries: int) -> int:
    return get_exponential_backoff_interval(BACKOFF_FACTOR, retries, BACKOFF_MAX, full_jitter=True)


def _enqueue(task, ids) -> None:
    for pk in ids:
        try:
            task.delay(pk)
        except Exception:  # only inline (no broker), where the job's own error surfaces here
            if not settings.CELERY_TASK_ALWAYS_EAGER:
                raise
            logger.exception("Job %s(%s) failed", task.name, pk)


@shared_task(bind=True, max_retries=FETCH_RETRIES)
def poll_feed(self, feed_id: int) -> dict:
    feed = Feed.objects.filter(pk=feed_id).first()
    if feed is None or not feed.active:
        return {"feed": feed_id, "skipped": "inactive or deleted"}
    try:
        with polling.job_actor():
            result = polling.poll(feed)
    except polling.PermanentFetchError:
        raise
    except FetchError as error:
        raise self.retry(exc=error, countdown=_countdown(self.request.retries)) from error
    _enqueue(ingest_entry, [*result.new_entries, *result.pending_entries])
    return result.as_dict()


@shared_task
def poll_all_feeds() -> dict:
    ids = list(polling.due_feeds().values_list("pk", flat=True))
    _enqueue(poll_feed, ids)
    return {"feeds": len(ids)}


@shared_task(bind=True, max_retries=FETCH_RETRIES)
def ingest_entry(self, entry_id: int) -> dict:
    try:
        with polling.job_actor():
            return polling.read_entry(entry_id).as_dict()
    except FetchError as error:
        if self.request.retries >= self.max_retries or isinstance(error, polling.PermanentFetchError):
            polling.mark_failed(entry_id, str(error))
            raise
        raise self.retry(exc=error, countdown=_countdown(self.request.retries)) from error


@shared_task
def check_source_links() -> dict:
    ids = list(linkcheck.due_sources().values_list("pk", flat=True)[: settings.LINK_CHECK_BATCH])
    _enqueue(check_source_link, ids)
    return {"sources": len(ids)}


@shared_task
def check_source_link(source_id: int) -> dict:
    return linkcheck.check(source_id)
