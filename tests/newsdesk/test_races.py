"""Two workers reading the same article at the same moment, under two addresses: one source, not two."""

import threading

import pytest
from django.db import connection

from projects.models import Source
from projects.newsdesk import polling, services
from projects.newsdesk.models import DuplicateReason, EntryState, Feed, FeedEntry

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_same_text_read_by_two_jobs_at_once_becomes_one_source(news_site):
    if connection.vendor != "postgresql":
        pytest.skip("the advisory lock is PostgreSQL's")
    entries = []
    for name, path in (("Desk", "/articles/vierzon.html"), ("Wire", "/syndication/vierzon-copy.html")):
        feed = services.feed_save(instance=Feed(url=f"{news_site.base}/{name}.xml", title=name))
        url = f"{news_site.base}{path}"
        entries.append(FeedEntry.objects.create(feed=feed, url=url, normalized_url=url))
    start = threading.Barrier(2)
    outcomes, errors = [], []

    def read(entry):
        try:
            start.wait(timeout=10)
            with polling.job_actor():
                outcomes.append(polling.read_entry(entry.pk))
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=read, args=(entry,)) for entry in entries]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors
    assert sorted(outcome.state for outcome in outcomes) == [EntryState.DUPLICATE, EntryState.INGESTED]
    assert Source.objects.count() == 1
    duplicate = FeedEntry.objects.get(state=EntryState.DUPLICATE)
    assert duplicate.duplicate_reason == DuplicateReason.CONTENT
    assert duplicate.source == Source.objects.get()
