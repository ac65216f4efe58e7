#!/usr/bin/env bash
# The deployed mode, end to end (`make deploy-check`, run by CI): debug off, collectstatic
# into a fresh directory, migrate and load the demo into a PostgreSQL database, then gunicorn
# with 2 workers on 127.0.0.1 (a free port) with Redis as the cache and JSON logs; the health
# checks answer, every page must answer 200 with hashed static file URLs that are served, under
# the Content-Security-Policy, and every log line is JSON. Then the API contract (schemathesis and
# a generated client, scripts/api_contract.sh) and the browser tests run against gunicorn in the
# same mode (tests/browser, BROWSER_TESTS_SERVER=gunicorn). The background jobs are checked with a
# Celery worker and beat on Redis (scripts/jobs_check.sh).
#
#   DEPLOY_CHECK_DATABASE_URL  PostgreSQL database to use (created when missing)
#   DEPLOY_CHECK_REDIS_URL     Redis database for the cache
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
: "${DEPLOY_CHECK_DATABASE_URL:?set DEPLOY_CHECK_DATABASE_URL to a PostgreSQL URL}"
: "${DEPLOY_CHECK_REDIS_URL:?set DEPLOY_CHECK_REDIS_URL to a Redis URL}"
PAGES=(/ /projects/ /projects/escaudain-ai-data-center/ /map/ /stats/ /admin/login/ /api/docs/)

work=$(mktemp -d)
gunicorn_pid=""
stop_gunicorn() {
    if [ -n "$gunicorn_pid" ] && kill -0 "$gunicorn_pid" 2>/dev/null; then
        kill -TERM "$gunicorn_pid"
        for _ in $(seq 1 20); do kill -0 "$gunicorn_pid" 2>/dev/null || break; sleep 0.5; done
        kill -KILL "$gunicorn_pid" 2>/dev/null || true
    fi
    gunicorn_pid=""
}
cleanup() {
    status=$?
    stop_gunicorn
    if [ "$status" -ne 0 ] && [ -s "$work/gunicorn.log" ]; then
        echo "-- gunicorn log (last 40 lines)"
        tail -n 40 "$work/gunicorn.log"
    fi
    rm -rf "$work"
}
trap cleanup EXIT
fail() {
    echo "deploy check FAILED: $*" >&2
    exit 1
}

# Only what a production server reads: nothing from the developer's or CI's environment.
export DJANGO_DEBUG=0
DJANGO_SECRET_KEY=$("$PY" -c "import secrets; print(secrets.token_urlsafe(50))")
export DJANGO_SECRET_KEY
export DJANGO_ALLOWED_HOSTS=127.0.0.1
export DJANGO_STATIC_ROOT="$work/static"
export DATABASE_URL="$DEPLOY_CHECK_DATABASE_URL"
export REDIS_URL="$DEPLOY_CHECK_REDIS_URL"
export LOG_FORMAT=json
unset DJANGO_SETTINGS_MODULE SQLITE_PATH DATABASE_REPLICA_URL

case "$DATABASE_URL" in postgres://* | postgresql://*) ;; *) fail "DEPLOY_CHECK_DATABASE_URL is not PostgreSQL" ;; esac
"$PY" - <<'EOF'
# Create the database when missing (connecting to the server's "postgres" database).
import os
from urllib.parse import urlsplit

import psycopg
from psycopg import sql

url = urlsplit(os.environ["DATABASE_URL"])
name = url.path.lstrip("/")
with psycopg.connect(url._replace(path="/postgres").geturl(), autocommit=True) as connection:
    if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        print(f"created database {name}")
EOF
"$PY" -c "import redis, os; redis.Redis.from_url(os.environ['REDIS_URL'], socket_timeout=5).ping()" \
    || fail "Redis does not answer at $REDIS_URL"

echo "== backup before migrating (backup_db: pg_dump, custom format)"
"$PY" manage.py backup_db "$work/before-migrate.dump"
echo "== collectstatic (debug off, manifest storage)"
"$PY" manage.py collectstatic --noinput | tail -n 1
echo "== migrate and load the demo"
"$PY" manage.py migrate --noinput -v0
"$PY" manage.py load_demo
# Every figure is its source (or says it is not), and nothing unpublished is answered to anyone.
"$PY" manage.py check_integrity

port=$("$PY" -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
base="http://127.0.0.1:$port"
echo "== gunicorn, 2 workers, on $base"
.venv/bin/gunicorn tracker.wsgi --workers 2 --bind "127.0.0.1:$port" --timeout 30 \
    --error-logfile "$work/gunicorn.log" --access-logfile /dev/null >>"$work/gunicorn.log" 2>&1 &
gunicorn_pid=$!
for _ in $(seq 1 60); do
    curl -s -o /dev/null --max-time 2 "$base/" && break
    kill -0 "$gunicorn_pid" 2>/dev/null || fail "gunicorn exited"
    sleep 0.5
done
curl -s -o /dev/null --max-time 5 "$base/" || fail "gunicorn did not answer within 30 s"

for probe in /health/live /health/ready; do
    status=$(curl -s -o "$work/body" -w '%{http_code}' --max-time 10 "$base$probe")
    [ "$status" = 200 ] || fail "$probe answered $status: $(cat "$work/body")"
    echo "200 $probe $(cat "$work/body")"
done

for page in "${PAGES[@]}"; do
    status=$(curl -s -o "$work/body" -D "$work/headers" -w '%{http_code}' --max-time 20 "$base$page")
    [ "$status" = 200 ] || fail "$page answered $status"
    policy=$(grep -i '^content-security-policy:' "$work/headers" || true)
    [ -n "$policy" ] || fail "$page has no Content-Security-Policy"
    case "$policy" in *unsafe-inline* | *unsafe-eval*) fail "$page allows unsafe inline code: $policy" ;; esac
    # every static file the page names has the manifest's content hash, and is served
    grep -o '/static/[^"'"'"' )]*' "$work/body" | sort -u >"$work/static-urls" || true
    [ -s "$work/static-urls" ] || fail "$page names no static file"
    if grep -Ev '\.[0-9a-f]{12}\.[A-Za-z0-9]+$' "$work/static-urls" >"$work/unhashed"; then
        fail "$page names static files without a hash: $(tr '\n' ' ' <"$work/unhashed")"
    fi
    while read -r url; do
        asset_status=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$base$url")
        [ "$asset_status" = 200 ] || fail "$page: $url answered $asset_status"
    done <"$work/static-urls"
    echo "200 $page ($(wc -l <"$work/static-urls") hashed static files, served)"
done

# Bounded work per request: a 2,000-word search is refused at once, not run.
long_query=$("$PY" -c "print('+'.join(['x'] * 2000))")
for page in "/api/v1/projects/?q=$long_query" "/projects/?q=$long_query"; do
    result=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' --max-time 5 "$base$page") \
        || fail "a 2,000-word q on ${page%%\?*} took more than 5 s"
    [ "${result%% *}" = 400 ] || fail "a 2,000-word q on ${page%%\?*} answered ${result%% *}"
    echo "400 ${page%%\?*}?q=<2,000 words> in ${result#* } s"
done

stop_gunicorn
# LOG_FORMAT=json: gunicorn's and the application's log lines are one JSON object each.
"$PY" - "$work/gunicorn.log" <<'EOF'
import json
import sys

lines = [line for line in open(sys.argv[1], encoding="utf-8").read().splitlines() if line.strip()]
for number, line in enumerate(lines, 1):
    try:
        record = json.loads(line)
    except ValueError:
        sys.exit(f"gunicorn.log line {number} is not JSON: {line[:200]}")
    if not {"time", "level", "logger", "message"} <= record.keys():
        sys.exit(f"gunicorn.log line {number} lacks time, level, logger or message: {line[:200]}")
print(f"{len(lines)} log lines, each one JSON object")
EOF

# The background jobs: a Celery worker and beat on Redis run a job queued by the application.
bash scripts/jobs_check.sh

# The API contract on a throwaway copy of this database: schemathesis, then a generated client.
bash scripts/api_contract.sh

echo "== browser tests against gunicorn (debug off, collectstatic, 2 workers, on a test database)"
# The fixture in tests/browser/conftest.py does what this script did above, on the database the
# tests write to: test_<name of DEPLOY_CHECK_DATABASE_URL>.
BROWSER_TESTS_SERVER=gunicorn .venv/bin/pytest -p no:cacheprovider -q tests/browser

echo "deploy check passed"
