# Two commands: `make run` (set up and serve with demo data) and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_DEBUG ?= 1

.PHONY: run test deploy-check install assets chromium wrk migrate demo lint format bench-extraction bench bench-import backup restore clean

$(BIN)/activate: requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found; set PYTHON=/path/to/python3.11"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(BIN)/activate

install: $(BIN)/activate

# Front-end libraries from the npm registry, rebuilt only when the manifest or sources change.
FRONTEND_BUILD := frontend/dist/.built
$(FRONTEND_BUILD): frontend/package.json frontend/package-lock.json $(wildcard frontend/src/* frontend/scripts/*)
	@command -v npm >/dev/null 2>&1 || { echo "npm not found: install Node.js 18 or newer"; exit 1; }
	cd frontend && npm ci --no-audit --no-fund && npm run build
	touch $@

assets: $(FRONTEND_BUILD)

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo

run: install assets demo
	$(PY) manage.py setup_roles
	$(PY) manage.py local_admin --url http://$(HOST):$(PORT)/admin/
	$(PY) manage.py runserver $(HOST):$(PORT)

# The browser tests drive Debian's Chromium; install it where we can (root with apt).
chromium:
	@command -v chromium >/dev/null 2>&1 || [ -n "$$CHROMIUM_PATH" ] || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else echo "Chromium not found: the browser tests will be skipped (install chromium or set CHROMIUM_PATH)"; fi; }

test: install assets chromium
	$(BIN)/pytest $(PYTEST_ARGS)

# The deployed mode, as CI runs it: debug off, collectstatic, gunicorn with 2 workers on
# PostgreSQL and Redis, every page checked with curl (scripts/deploy_check.sh).
DEPLOY_CHECK_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/dctracker_deploy_check
DEPLOY_CHECK_REDIS_URL ?= redis://127.0.0.1:6379/14
deploy-check: install assets
	DEPLOY_CHECK_DATABASE_URL=$(DEPLOY_CHECK_DATABASE_URL) DEPLOY_CHECK_REDIS_URL=$(DEPLOY_CHECK_REDIS_URL) \
		bash scripts/deploy_check.sh

# Back up the database of DATABASE_URL (pg_dump's custom format; BACKUP=file, default backups/NAME-TIME.dump),
# and restore one into a new database (DATABASE_URL names it; created, then check_integrity).
backup: install
	$(PY) manage.py backup_db $(BACKUP)

restore: install
	@test -n "$(BACKUP)" || { echo "usage: make restore BACKUP=path/to/file.dump DATABASE_URL=postgres://.../new_database"; exit 2; }
	$(PY) manage.py restore_db $(BACKUP)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench-extraction: install
	$(PY) scripts/bench_extraction.py $(ARTICLES)

# The import of N generated rows through manage.py import_projects (ROWS="1000 10000 100000" by default).
bench-import: install
	$(PY) scripts/bench_import.py $(if $(ROWS),--rows $(ROWS),)

# make bench PROJECTS=100000 (default 20000): the API's timings, search plans and, on PostgreSQL
# (DATABASE_URL), the side-by-side run with Datasette and a raw psycopg + orjson server (wrk loads
# them), then the public pages; each in a scratch database of that many generated projects, dropped
# afterwards. BENCH_ARGS passes more options to scripts/bench_api.py (--rounds, --seconds, --clients).
PROJECTS ?= 20000
bench: install assets wrk
	$(PY) scripts/bench_api.py --projects $(PROJECTS) $(BENCH_ARGS)
	$(PY) scripts/bench_pages.py --projects $(PROJECTS)

# The load generator of the side-by-side run, from Debian where we can (root with apt).
wrk:
	@command -v wrk >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
		else echo "wrk not found: the side-by-side HTTP run will be skipped (install wrk)"; fi; }

clean:
	rm -rf $(VENV) staticfiles frontend/node_modules frontend/dist db.sqlite3
