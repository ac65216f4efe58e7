"""Shared fixtures for the browser tests: Playwright driving Debian's headless Chromium.

``page`` fails the test when the page asks for anything outside localhost (the pages must
work with no outside network) and saves a screenshot of where the test ended into
``test-artifacts/``.

The server the tests drive (``live_server``) is Django's threaded test server by default.
With ``BROWSER_TESTS_SERVER=gunicorn`` (what ``make deploy-check`` runs) it is the deployed
mode instead: debug off, ``collectstatic`` into a fresh directory (manifest storage, hashed
names), gunicorn with 2 workers on the test database (PostgreSQL) and the suite's Redis.
The tests write their records in the test process as usual; gunicorn's workers read them
from the same database. Between two tests the database is emptied and its content types made
again, with new ids; Django's test server, in the test's own process, forgets the ones it had
cached, but a gunicorn worker would go on writing the old ids (the change log's content type, a
foreign key: the write fails). So before a test, when the content types are not those the workers
started with, gunicorn replaces its workers (``SIGHUP``), and they start afresh as after a deploy.
"""

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import types
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls the test makes
# itself (factories, fixtures) stay synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
SERVER = os.environ.get("BROWSER_TESTS_SERVER", "").strip().lower() or "django"
if SERVER not in ("django", "gunicorn"):
    raise pytest.UsageError(f"BROWSER_TESTS_SERVER must be django or gunicorn, not {SERVER!r}")
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]"}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("data", "blob", "about") or parts.hostname in LOCAL_HOSTS


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    executable = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if not Path(executable).exists():
        # `make test` and .ci/run install Debian's chromium; elsewhere, say what is missing.
        message = f"no Chromium at {executable}: install Debian's chromium or set CHROMIUM_PATH"
        if SERVER == "gunicorn":
            pytest.fail(message)  # the deployed-mode check must not pass by skipping its browser tests
        pytest.skip(message)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            headless=True,
            args=CHROMIUM_ARGS,
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    outside: list[str] = []

    def refuse(route):
        outside.append(route.request.url)
        route.abort()

    # Requests to other hosts are recorded and never sent.
    context.route(lambda url: not is_local(url), refuse)
    page = context.new_page()
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", request.node.name)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    context.close()
    if outside:
        pytest.fail(f"The page asked for something outside localhost: {outside}")


WORKERS = 2


def _content_types() -> list[tuple]:
    from django.contrib.contenttypes.models import ContentType

    return list(ContentType.objects.order_by("pk").values_list("pk", "app_label", "model"))


def _children(pid: int) -> set[int]:
    """The processes whose parent is ``pid`` (gunicorn's workers), from /proc."""
    children = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        if int(fields[1]) == pid and fields[0] != "Z":
            children.add(int(stat.parent.name))
    return children


def _wait_ready(url: str, process: subprocess.Popen, log: Path, what: str):
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/health/ready", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"gunicorn {what}:\n{log.read_text()[-4000:]}")
        time.sleep(0.3)


class DeployedServer:
    """gunicorn serving the test database in the deployed mode; ``url`` like pytest-django's live server."""

    def __init__(self, url: str, process: subprocess.Popen, log: Path):
        self.url, self.process, self.log = url, process, log
        # The content types the workers may have cached (their ids): those of the database they started on.
        self.content_types: list[tuple] = []
        # pytest-django's live-server helper turns these on and off around each test.
        self._live_server_modified_settings = types.SimpleNamespace(enable=lambda: None, disable=lambda: None)

    def __str__(self):
        return self.url

    def new_workers(self):
        """Replace every worker by a fresh one, and return once none of the old ones is left to answer."""
        old = _children(self.process.pid)
        self.process.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 60
        while True:
            workers = _children(self.process.pid)
            if len(workers) == WORKERS and not workers & old:
                break
            if self.process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not replace its workers:\n{self.log.read_text()[-4000:]}")
            time.sleep(0.1)
        _wait_ready(self.url, self.process, self.log, "did not answer after replacing its workers")


def _database_url(settings_dict: dict) -> str:
    user = quote(settings_dict.get("USER") or "", safe="")
    if settings_dict.get("PASSWORD"):
        user += ":" + quote(settings_dict["PASSWORD"], safe="")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{user}@{host}:{port}/{settings_dict['NAME']}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


if SERVER == "gunicorn":

    @pytest.fixture(scope="session")
    def live_server(django_db_setup, django_db_blocker, tmp_path_factory):
        """The deployed mode on the test database; stopped before the test database is dropped."""
        from django.db import connection

        if connection.vendor != "postgresql":
            pytest.fail("BROWSER_TESTS_SERVER=gunicorn needs PostgreSQL: set DATABASE_URL")
        work = tmp_path_factory.mktemp("deployed")
        port = _free_port()
        env = {
            name: value
            for name, value in os.environ.items()
            if name not in ("SQLITE_PATH", "DATABASE_REPLICA_URL", "DJANGO_LIVE_TEST_SERVER_ADDRESS")
        }
        env.update(
            # The suite's settings (its fast password hasher, so the users the tests create can log
            # in), with debug off and what a production server reads.
            DJANGO_SETTINGS_MODULE="tracker.test_settings",
            DJANGO_DEBUG="0",
            DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
            DJANGO_ALLOWED_HOSTS="127.0.0.1",
            DJANGO_STATIC_ROOT=str(work / "static"),
            DATABASE_URL=_database_url(connection.settings_dict),
        )
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
        )
        assert (work / "static" / "staticfiles.json").exists(), "collectstatic wrote no manifest"
        log = work / "gunicorn.log"
        gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
        with log.open("wb") as log_file:
            process = subprocess.Popen(
                [gunicorn, "tracker.wsgi", "--workers", str(WORKERS), "--bind", f"127.0.0.1:{port}", "--timeout", "60"],
                cwd=ROOT,
                env=env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_ready(url, process, log, "did not start")
            server = DeployedServer(url, process, log)
            with django_db_blocker.unblock():
                server.content_types = _content_types()
            yield server
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if process.returncode not in (0, -15):
                print(f"gunicorn exited with {process.returncode}:\n{log.read_text()[-4000:]}")

    @pytest.fixture(autouse=True)
    def _workers_know_the_content_types(request, django_db_blocker):
        """The workers serve a test with the content types of its database: when the test before
        emptied it (and its content types came back with other ids), gunicorn starts new workers."""
        if "live_server" not in request.fixturenames:
            return
        server = request.getfixturevalue("live_server")
        with django_db_blocker.unblock():
            content_types = _content_types()
        if content_types != server.content_types:
            server.new_workers()
            server.content_types = content_types
