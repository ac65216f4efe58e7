"""A real Celery worker (``celery -A tracker worker``, Redis as broker) runs the news desk's jobs against
the test PostgreSQL database, and records each job's result there, where the admin lists it."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.db import connection
from django_celery_results.models import TaskResult

from projects import choices
from projects.models import Claim, Source
from projects.newsdesk import services
from projects.newsdesk.models import EntryState, Feed, FeedEntry
from tracker.celery import app

ROOT = Path(__file__).resolve().parents[2]
BROKER = os.environ.get("NEWSDESK_TEST_BROKER_URL", "redis://127.0.0.1:6379/2")

pytestmark = [pytest.mark.django_db(transaction=True)]


def _database_url() -> str:
    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _wait(predicate, timeout: float, what: str, process=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            pytest.fail(f"the worker exited with {process.returncode} while waiting for {what}")
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    pytest.fail(f"timed out waiting for {what}")


def _new_connections():
    """The app's connections are made again from its current configuration."""
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker():
    """The test process sends its jobs to Redis instead of running them inline."""
    if connection.vendor != "postgresql":
        pytest.skip("the worker shares the test database: PostgreSQL only")
    try:
        redis.Redis.from_url(BROKER).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {BROKER}")
    redis.Redis.from_url(BROKER).flushdb()
    saved = {name: app.conf[name] for name in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=BROKER, task_always_eager=False)
    _new_connections()
    try:
        yield BROKER
    finally:
        app.conf.update(**saved)
        _new_connections()


@pytest.fixture
def worker(broker, tmp_path):
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tracker.settings",
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": _database_url(),
        "DATABASE_POOL": "0",
        "CELERY_BROKER_URL": broker,
        "FETCH_ALLOW_PRIVATE": "1",
        "PYTHONUNBUFFERED": "1",
    }
    celery = shutil.which("celery", path=str(Path(sys.executable).parent)) or "celery"
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(
        [
            celery,
            "-A",
            "tracker",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--hostname=newsdesk-test@%h",
        ],
        cwd=ROOT,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait(lambda: app.control.ping(timeout=1), 90, "the worker to answer", process)
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        print((tmp_path / "worker.log").read_text()[-4000:])


def test_a_worker_process_polls_a_feed_and_reads_its_articles(news_site, worker):
    feed = services.feed_save(instance=Feed(url=f"{news_site.base}/feeds/desk.atom", language="fr"))
    job = app.send_task("projects.newsdesk.tasks.poll_all_feeds")
    # poll_all_feeds queues poll_feed, which queues ingest_entry for each of the three entries
    ingested = TaskResult.objects.filter(task_name="projects.newsdesk.tasks.ingest_entry", status="SUCCESS")
    _wait(lambda: ingested.count() == 3, 180, "three articles read", worker)
    assert FeedEntry.objects.filter(state=EntryState.INGESTED).count() == 3
    assert worker.pid != os.getpid()

    results = {r.task_name: r for r in TaskResult.objects.all()}
    assert TaskResult.objects.get(task_id=job.id).status == "SUCCESS"
    poll = results["projects.newsdesk.tasks.poll_feed"]
    assert poll.status == "SUCCESS" and f'"feed": {feed.pk}' in poll.result
    assert poll.worker and poll.worker.startswith("newsdesk-test@")
    assert Source.objects.count() == 3
    for source in Source.objects.all():
        assert Claim.objects.filter(source=source, status=choices.ClaimStatus.PROPOSED).exists()

    # the same job again, on the worker: it finds its work done and creates nothing
    again = app.send_task("projects.newsdesk.tasks.poll_feed", args=[feed.pk])
    _wait(lambda: TaskResult.objects.filter(task_id=again.id, status="SUCCESS").exists(), 60, "the second poll")
    assert '"new_entries": []' in TaskResult.objects.get(task_id=again.id).result
    assert (Source.objects.count(), FeedEntry.objects.count()) == (3, 3)
    feed.refresh_from_db()
    assert feed.articles_ingested == 3 and feed.last_error == ""
