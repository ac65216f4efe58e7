"""Jobs of following: the fan-out of each committed write, webhook calls, e-mail digests.

``changes_committed`` is told by ``core.changes`` of the entries each transaction wrote and
enqueues one fan-out job per transaction (per ``FAN_OUT_BATCH`` entries for a bulk write).
Every job is idempotent: a notification is unique per user and change, a delivery per
subscription and change, and a delivery already made is not sent again.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError, transaction

from projects.following import services

logger = logging.getLogger(__name__)

# Change log entries handed to one fan-out job.
FAN_OUT_BATCH = 1000


def changes_committed(change_ids: list[int]):
    """Called once a transaction has committed the change log entries ``change_ids``.

    The write is committed whatever happens here: a queue that cannot be reached costs its
    followers this notification (logged), never the writer's request.
    """
    for start in range(0, len(change_ids), FAN_OUT_BATCH):
        batch = change_ids[start : start + FAN_OUT_BATCH]
        try:
            fan_out.delay(batch)
        except Exception:
            if settings.CELERY_TASK_ALWAYS_EAGER and settings.CELERY_TASK_EAGER_PROPAGATES:
                raise
            logger.exception("The changes %s..%s could not be handed to the fan-out job.", batch[0], batch[-1])


@shared_task(autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=5)
def fan_out(change_ids: list[int]) -> dict:
    """Notifications and webhook deliveries for the changes of one committed write."""
    with transaction.atomic():
        made = services.fan_out(change_ids)
        to_send = made.pop("to_send")
        transaction.on_commit(lambda: [deliver_webhook.delay(pk) for pk in to_send])
    return made


@shared_task(
    autoretry_for=(services.DeliveryFailed,),
    retry_backoff=settings.WEBHOOK_RETRY_BACKOFF,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=max(settings.WEBHOOK_MAX_ATTEMPTS - 1, 0),
)
def deliver_webhook(delivery_id: int) -> dict | None:
    """One signed POST of a delivery; a network error, a 5xx or a 429 is tried again later."""
    delivery = services.deliver(delivery_id)
    if delivery is None:
        return None
    return {"delivery": delivery.pk, "attempts": delivery.attempts, "status_code": delivery.status_code}


@shared_task(autoretry_for=(DatabaseError, OSError), retry_backoff=True, max_retries=3)
def send_digests(frequency: str) -> int:
    """The daily or weekly e-mail digests (scheduled in ``CELERY_BEAT_SCHEDULE``)."""
    return services.send_digests(frequency)
