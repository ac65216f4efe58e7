#!/usr/bin/env bash
# The background jobs in the deployed mode (called by scripts/deploy_check.sh, with its environment:
# DATABASE_URL, REDIS_URL, debug off): a Celery worker and beat on Redis as the broker; beat writes its
# schedule (the feed polls, the link check) into the database, and a job queued by the application is
# run by the worker, its result recorded in the database.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
: "${DATABASE_URL:?set DATABASE_URL}"
: "${REDIS_URL:?set REDIS_URL}"
export CELERY_BROKER_URL="${CELERY_BROKER_URL:-$REDIS_URL}"
work=$(mktemp -d)
pids=()
cleanup() {
    status=$?
    for pid in "${pids[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
        for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
        kill -KILL "$pid" 2>/dev/null || true
    done
    if [ "$status" -ne 0 ]; then
        for log in "$work"/*.log; do echo "-- $log (last 30 lines)"; tail -n 30 "$log"; done
    fi
    rm -rf "$work"
}
trap cleanup EXIT
fail() {
    echo "jobs check FAILED: $*" >&2
    exit 1
}

echo "== celery worker and beat on $CELERY_BROKER_URL"
.venv/bin/celery -A tracker worker --concurrency 2 --hostname "deploy-check-$$@%h" --loglevel INFO \
    >"$work/worker.log" 2>&1 &
pids+=($!)
.venv/bin/celery -A tracker beat --loglevel INFO --pidfile= >"$work/beat.log" 2>&1 &
pids+=($!)

"$PY" - <<'EOF'
import os
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
django.setup()
from django_celery_beat.models import PeriodicTask
from django_celery_results.models import TaskResult

from tracker.celery import app

deadline = time.monotonic() + 90
name = f"deploy-check-{os.getppid()}@"
while not any(next(iter(reply)).startswith(name) for reply in app.control.ping(timeout=1)):
    if time.monotonic() > deadline:
        sys.exit("the worker did not answer within 90 s")
print("worker answers")
expected = {"newsdesk-poll-feeds", "newsdesk-check-source-links"}
while not expected <= set(PeriodicTask.objects.values_list("name", flat=True)):
    if time.monotonic() > deadline:
        sys.exit(f"beat did not write its schedule within 90 s: {sorted(expected)}")
    time.sleep(0.5)
print("beat's schedule in the database:", ", ".join(sorted(PeriodicTask.objects.values_list("name", flat=True))))
job = app.send_task("projects.newsdesk.tasks.poll_all_feeds")
while not TaskResult.objects.filter(task_id=job.id, status="SUCCESS").exists():
    failed = TaskResult.objects.filter(task_id=job.id, status="FAILURE").first()
    if failed is not None:
        sys.exit(f"the job failed: {failed.result}")
    if time.monotonic() > deadline + 30:
        sys.exit("the job queued was not run within 30 s")
    time.sleep(0.5)
result = TaskResult.objects.get(task_id=job.id)
print(f"job {result.task_name} run by {result.worker}: {result.result}")
EOF
echo "jobs check passed"
