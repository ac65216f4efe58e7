"""The writes of the news desk.

A feed is a tracked record: :func:`feed_save` and :func:`feed_delete` are its only write path
(the admin, the API), validated, versioned and in the change log. What polling learns about a
feed is written by :func:`record_poll`, as bookkeeping: it moves neither the feed's version
(an editor's ``If-Match`` stays valid) nor its history.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F
from django.utils import timezone

from core.writes import service
from projects.newsdesk.models import ERROR_MAX_LENGTH, POLL_FIELDS, Feed
from projects.services.base import apply, check_version, save_validated


@service
def feed_save(*, instance: Feed, data: dict | None = None, user=None, expected_version: int | None = None) -> Feed:
    """Create (unsaved ``instance``) or edit a feed."""
    if not instance._state.adding:
        current = Feed._base_manager.select_for_update().get(pk=instance.pk)
        check_version(current, instance.version if expected_version is None else expected_version)
        instance.version = current.version
        # What polling wrote since the instance was loaded stays: an edit never writes back older poll state.
        for name in POLL_FIELDS:
            setattr(instance, name, getattr(current, name))
    apply(instance, {name: value for name, value in (data or {}).items() if name not in POLL_FIELDS})
    return save_validated(instance)


@service
def feed_delete(*, instance: Feed, user=None, expected_version: int | None = None) -> None:
    """Delete a feed and its entries; the sources it brought stay."""
    current = Feed._base_manager.select_for_update().filter(pk=instance.pk).first()
    if current is None:
        return
    check_version(current, instance.version if expected_version is None else expected_version)
    current.delete()


def record_poll(
    feed_id: int,
    *,
    error: str = "",
    entries_seen: int = 0,
    http_etag: str | None = None,
    http_last_modified: str | None = None,
) -> None:
    """What a poll found: when, the error if it failed, and what it saw (one UPDATE, no version step)."""
    now = timezone.now()
    values: dict = {"last_polled_at": now, "last_error": error[:ERROR_MAX_LENGTH]}
    if error:
        values["consecutive_failures"] = F("consecutive_failures") + 1
    else:
        values.update(
            last_success_at=now,
            consecutive_failures=0,
            entries_seen=F("entries_seen") + entries_seen,
        )
        if http_etag is not None:
            values["http_etag"] = http_etag[:300]
        if http_last_modified is not None:
            values["http_last_modified"] = http_last_modified[:100]
    # The plain queryset's update: TrackedQuerySet.update would step the version and log the row.
    models.QuerySet(Feed).filter(pk=feed_id).update(**values)


def count_ingested(feed_id: int, count: int = 1) -> None:
    """An entry of the feed was read into a source (written as the entry's job ends)."""
    models.QuerySet(Feed).filter(pk=feed_id).update(articles_ingested=F("articles_ingested") + count)


class FeedWriter:
    """The services behind feeds, for the generic code in ``core`` (admin forms, revert, restore)."""

    def save(self, instance, data, user, expected_version=None):
        return feed_save(instance=instance, data=data, user=user, expected_version=expected_version)

    def delete(self, instance, user, expected_version=None):
        feed_delete(instance=instance, user=user, expected_version=expected_version)

    def revert(self, instance, data, user):
        return feed_save(instance=instance, data=data, user=user, expected_version=instance.version)

    @service
    def restore(self, model, pk, data, user):
        instance = model(pk=pk)
        apply(instance, data)
        instance.full_clean(validate_unique=True)
        instance.save(force_insert=True)
        return instance
