"""The background job queue: Celery, with Redis as its broker in production.

Jobs (URL ingestion, feed polling, extraction, webhook calls, digests) are Celery tasks defined
in each app's ``tasks.py``. With no ``CELERY_BROKER_URL`` (the embedded default of ``make run``,
and the tests) they run inline in the calling process, so nothing else has to be started; in
production they go through the broker to ``celery -A tracker worker`` processes, as many as the
load needs, and ``celery -A tracker beat`` enqueues the periodic ones (schedules kept in the
database and editable in the admin). Results and failures are kept in the database and listed in
the admin.
"""

import os

from celery import Celery, Task

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")


class SiteLanguageTask(Task):
    """A job speaks the site's language (``LANGUAGE_CODE``), whoever queued it: what it stores (an
    entry's error, a job's result) does not depend on the language of the request that ran before
    it in the same process, inline or on a worker. A job writing to a reader (a digest) switches
    to theirs itself."""

    def __call__(self, *args, **kwargs):
        from django.conf import settings
        from django.utils import translation

        with translation.override(settings.LANGUAGE_CODE):
            return super().__call__(*args, **kwargs)


app = Celery("tracker", task_cls=SiteLanguageTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
