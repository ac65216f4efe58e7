"""A deployment with a real streaming replica, end to end.

The fixture makes its own PostgreSQL primary and a streaming replica of it (two clusters in a
temporary folder, made with the server's initdb, pg_basebackup and pg_ctl, each on a free port,
run as the ``postgres`` user when the tests run as root), loads the demo into the primary, and
starts two app processes (gunicorn, debug off, after collectstatic, as scripts/deploy_check.sh
starts one) that share Redis. Everything is stopped and removed afterwards, whatever happened.

With the replica's replay paused, an edit made in the admin on one process and one made through
the API on the other are read back by their authors from the other process; an anonymous reader
still reads the replica, which has not replayed them. With the replica stopped, every page still
answers 200, from the primary.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib import error, parse
from urllib import request as urllib_request

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[2]
DATABASE = "dct_replica_e2e"
PASSWORD = "correct horse battery staple"
SLUG = "escaudain-ai-data-center"
PAGES = ["/", "/projects/", f"/projects/{SLUG}/", "/map/", "/stats/", f"/api/v1/projects/{SLUG}/", "/admin/login/"]


def server_binaries() -> Path | None:
    """The newest PostgreSQL server installed the Debian way, with the tools a replica needs."""
    tools = ("initdb", "pg_ctl", "pg_basebackup")
    found = []
    for bindir in Path("/usr/lib/postgresql").glob("*/bin"):
        if bindir.parent.name.isdigit() and all((bindir / tool).exists() for tool in tools):
            found.append((int(bindir.parent.name), bindir))
    return max(found)[1] if found else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(what: str, condition, timeout: float = 30, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s")
        time.sleep(interval)


class Cluster:
    """A PostgreSQL cluster of our own in ``folder``, run as ``postgres`` when we are root."""

    def __init__(self, bindir: Path, folder: Path, name: str):
        self.bindir, self.data, self.log = bindir, folder / name, folder / f"{name}.log"
        self.port = free_port()
        self.as_postgres = os.geteuid() == 0

    def run(self, tool: str, *args: str, timeout: float = 60):
        command = [str(self.bindir / tool), *args]
        if self.as_postgres:  # the server refuses to run as root
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        if result.returncode:
            log = self.log.read_text()[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}\n{log}")

    def configure(self, **settings):
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.writelines(f"{name} = {value}\n" for name, value in settings.items())

    def start(self):
        self.run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "30", "start")

    def stop(self, mode: str = "fast"):
        if (self.data / "postmaster.pid").exists():
            self.run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "30", "stop")

    def url(self, database: str = DATABASE) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def query(self, sql: str, database: str = "postgres"):
        with psycopg.connect(self.url(database), autocommit=True, connect_timeout=5) as connection:
            cursor = connection.execute(sql)
            return cursor.fetchone()[0] if cursor.description else None


@dataclass
class App:
    """One app process: a gunicorn master with one worker."""

    name: str
    port: int
    log: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)


@dataclass
class Deployment:
    primary: Cluster
    replica: Cluster
    apps: list[App]
    token: str
    measured: dict = field(default_factory=dict)

    def replayed_everything(self) -> bool:
        written = self.primary.query("SELECT pg_current_wal_insert_lsn()::text")
        return self.replica.query(f"SELECT pg_last_wal_replay_lsn() >= '{written}'::pg_lsn")


SETUP = f"""
import django
django.setup()
from django.contrib.auth import get_user_model
from django.core.management import call_command
from rest_framework.authtoken.models import Token
call_command("migrate", interactive=False, verbosity=0)
call_command("load_demo", verbosity=0)
editor = get_user_model().objects.create_superuser("editor", "editor@example.org", {PASSWORD!r})
print(Token.objects.create(user=editor).key)
"""


def run_checked(process: subprocess.Popen, what: str, timeout: float = 120) -> str:
    out, _ = process.communicate(timeout=timeout)
    if process.returncode:
        raise RuntimeError(f"{what} failed:\n{out[-3000:]}")
    return out


@pytest.fixture(scope="module")
def deployment():
    bindir = server_binaries()
    if bindir is None:
        pytest.skip(
            "PostgreSQL's server binaries (initdb, pg_ctl, pg_basebackup under /usr/lib/postgresql/<version>/bin) "
            "are not installed: no primary and replica of our own can be made"
        )
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        pytest.skip("REDIS_URL is not set: the two app processes need a Redis to share")
    started = time.monotonic()
    with contextlib.ExitStack() as cleanup:
        folder = Path(tempfile.mkdtemp(prefix="dct-replica-"))
        cleanup.callback(shutil.rmtree, folder, ignore_errors=True)
        if os.geteuid() == 0:
            postgres = pwd.getpwnam("postgres")
            os.chown(folder, postgres.pw_uid, postgres.pw_gid)

        primary = Cluster(bindir, folder, "primary")
        primary.run("initdb", "-D", str(primary.data), "-U", "postgres", "--auth=trust", "-N", "-E", "UTF8")
        settings = {"listen_addresses": "'127.0.0.1'", "unix_socket_directories": f"'{folder}'", "fsync": "off"}
        primary.configure(port=primary.port, **settings, full_page_writes="off", max_connections=40)
        cleanup.callback(primary.stop, "immediate")
        primary.start()

        replica = Cluster(bindir, folder, "replica")
        # -R: a standby.signal and the primary's address, so that it starts streaming from the primary
        replica.run(
            "pg_basebackup", "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres",
            "-D", str(replica.data), "-R", "-X", "stream", "-N",
        )  # fmt: skip
        replica.configure(port=replica.port)
        cleanup.callback(replica.stop, "immediate")
        replica.start()
        wait_for("the replica streams", lambda: primary.query("SELECT count(*) FROM pg_stat_replication"))
        primary.query(f"CREATE DATABASE {DATABASE}")

        environment = {
            **{name: value for name, value in os.environ.items() if name in ("PATH", "HOME", "LANG", "PYTHONPATH")},
            "DJANGO_SETTINGS_MODULE": "tracker.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_STATIC_ROOT": str(folder / "static"),
            "DJANGO_SECURE_COOKIES": "0",  # plain HTTP between the test and the servers
            "DATABASE_URL": primary.url(),
            "REDIS_URL": redis_url,
            "CACHE_KEY_PREFIX": f"replica-e2e-{secrets.token_hex(4)}",
        }
        # The demo goes straight to the primary; collectstatic runs meanwhile.
        pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.STDOUT, "text": True, "cwd": ROOT}
        setup = subprocess.Popen([sys.executable, "-c", SETUP], env=environment, **pipes)
        collect = subprocess.Popen(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], env=environment, **pipes
        )
        token = run_checked(setup, "migrate and load_demo").strip().splitlines()[-1]
        run_checked(collect, "collectstatic")

        apps = [App(name, free_port(), folder / f"{name}.log") for name in ("a", "b")]
        for app in apps:
            cleanup.callback(app.stop)
            app.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "tracker.wsgi", "--workers", "1", "--timeout", "30",
                 "--bind", f"127.0.0.1:{app.port}", "--access-logfile", "/dev/null", "--no-control-socket"],
                env={**environment, "DATABASE_REPLICA_URL": replica.url()},
                cwd=ROOT, stdout=app.log.open("w"), stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        for app in apps:
            wait_for(f"app {app.name} answers", lambda app=app: answers(app), timeout=60, interval=0.3)

        deployment = Deployment(primary, replica, apps, token)
        wait_for("the replica replays the demo", deployment.replayed_everything)
        deployment.measured["setup_seconds"] = round(time.monotonic() - started, 1)
        try:
            yield deployment
        finally:
            print(f"\nreplica e2e measured: {json.dumps(deployment.measured)}")
            for app in apps:
                print(f"-- app {app.name} log (last 15 lines)\n" + "\n".join(app.log.read_text().splitlines()[-15:]))


def answers(app: App) -> bool:
    if app.process.poll() is not None:
        raise RuntimeError(f"app {app.name} exited:\n{app.log.read_text()[-3000:]}")
    try:
        with urllib_request.urlopen(f"{app.url}/admin/login/", timeout=2):
            return True
    except (OSError, error.HTTPError):
        return False


# --- a small browser: cookies, forms, JSON -------------------------------------------------


@dataclass
class Answer:
    status: int
    text: str
    url: str
    seconds: float
    headers: dict = field(default_factory=dict)

    def json(self):
        return json.loads(self.text)


class Browser:
    """Cookies kept across both app processes (same host), as one person's browser keeps them."""

    def __init__(self, token: str | None = None):
        self.token = token
        self.opener = urllib_request.build_opener(urllib_request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def open(self, url: str, data: bytes | None = None, method: str | None = None, headers=None) -> Answer:
        headers = dict(headers or {})
        if self.token:
            headers["Authorization"] = f"Token {self.token}"
        started = time.monotonic()
        try:
            with self.opener.open(urllib_request.Request(url, data, headers, method=method), timeout=20) as response:
                body = response.read().decode()
                return Answer(response.status, body, response.url, time.monotonic() - started, dict(response.headers))
        except error.HTTPError as failure:
            body = failure.read().decode()
            return Answer(failure.code, body, url, time.monotonic() - started, dict(failure.headers))

    def get(self, url: str) -> Answer:
        return self.open(url)

    def submit(self, url: str, fields: list[tuple[str, str]]) -> Answer:
        return self.open(url, parse.urlencode(fields).encode(), headers={"Referer": url})

    def patch(self, url: str, data: dict, etag: str) -> Answer:
        headers = {"Content-Type": "application/json", "If-Match": etag}
        return self.open(url, json.dumps(data).encode(), "PATCH", headers)

    def form(self, url: str, form_id: str | None = None) -> list[tuple[str, str]]:
        page = self.get(url)
        assert page.status == 200, (url, page.status)
        fields = FormFields(form_id)
        fields.feed(page.text)
        assert fields.found, f"no form {form_id or ''} on {url}"
        return fields.values

    def log_in(self, app: App, username: str, password: str):
        url = f"{app.url}/admin/login/?next=/admin/"
        fields = dict(self.form(url))
        fields.update(username=username, password=password)
        answer = self.submit(url, list(fields.items()))
        assert answer.status == 200 and answer.url.endswith("/admin/"), (answer.status, answer.url)


class FormFields(HTMLParser):
    """The fields a browser submits with a form: the first one, or the one with ``form_id``."""

    def __init__(self, form_id: str | None):
        super().__init__()
        self.form_id, self.found, self.inside = form_id, False, False
        self.values: list[tuple[str, str]] = []
        self.select: dict | None = None
        self.textarea: list | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and not self.found and (self.form_id is None or attrs.get("id") == self.form_id):
            self.found = self.inside = True
        if not self.inside or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.values.append((name, attrs.get("value", "on")))
            elif kind not in ("submit", "button", "image", "reset", "file"):
                self.values.append((name, attrs.get("value", "")))
        elif tag == "select" and name:
            self.select = {"name": name, "multiple": "multiple" in attrs, "chosen": [], "first": None}
        elif tag == "option" and self.select is not None:
            value = attrs.get("value", "")
            if self.select["first"] is None:
                self.select["first"] = value
            if "selected" in attrs:
                self.select["chosen"].append(value)
        elif tag == "textarea" and name:
            self.textarea = [name]

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea.append(data)

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "select" and self.select is not None:
            chosen = self.select["chosen"] or ([] if self.select["multiple"] else [self.select["first"] or ""])
            self.values.extend((self.select["name"], value) for value in chosen)
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            # a browser drops the one newline that follows <textarea>
            self.values.append((self.textarea[0], re.sub(r"^\r?\n", "", "".join(self.textarea[1:]))))
            self.textarea = None


def replace(fields: list[tuple[str, str]], name: str, value: str) -> list[tuple[str, str]]:
    assert any(key == name for key, _ in fields), f"no field {name}"
    return [(key, value if key == name else old) for key, old in fields]


# --- the checks ----------------------------------------------------------------------------


def api_project(browser: Browser, app: App) -> dict:
    answer = browser.get(f"{app.url}/api/v1/projects/{SLUG}/")
    assert answer.status == 200, answer.text[:500]
    return answer.json()


def test_with_replay_paused_writers_read_their_writes_from_either_process(deployment):
    a, b = deployment.apps
    replica = deployment.replica
    anonymous = Browser()
    before = api_project(anonymous, a)
    replica.query("SELECT pg_wal_replay_pause()")
    wait_for("replay pauses", lambda: replica.query("SELECT pg_get_wal_replay_pause_state()") == "paused")

    # An editor logs in on one process, renames the project in the admin ...
    editor = Browser()
    editor.log_in(a, "editor", PASSWORD)
    change = f"{a.url}/admin/projects/project/{before['id']}/change/"
    new_name = f"Escaudain campus {secrets.token_hex(3)}"
    saved = editor.submit(change, [*replace(editor.form(change, "project_form"), "name", new_name), ("_save", "Save")])
    assert saved.status == 200 and "was changed successfully" in saved.text, saved.text[-2000:]
    assert saved.url.endswith("/admin/projects/project/")
    # ... and reads it back from the other process: the public page, the admin's list, the API
    assert new_name in editor.get(f"{b.url}/projects/{SLUG}/").text
    assert new_name in editor.get(f"{b.url}/admin/projects/project/?q=Escaudain").text
    assert api_project(editor, b)["name"] == new_name

    # A token client that has not written yet reads from the replica: the project as it was before the
    # admin's edit. Its write, against that version, is refused; having written (even in vain), it
    # reads from the primary until the replica has replayed that, so it gets the current version.
    client = Browser(token=deployment.token)
    url = f"{b.url}/api/v1/projects/{SLUG}/"
    loaded = client.get(url)
    assert loaded.json()["name"] == before["name"]
    new_description = f"Described through the API ({secrets.token_hex(3)})."
    assert client.patch(url, {"description": new_description}, loaded.headers["ETag"]).status == 412
    reloaded = client.get(url)
    assert reloaded.json()["name"] == new_name
    patched = client.patch(url, {"description": new_description}, reloaded.headers["ETag"])
    assert patched.status == 200, patched.text[:500]
    # ... and reads its write back from the first process too
    assert api_project(client, a)["description"] == new_description
    assert api_project(client, b)["description"] == new_description

    # Everyone else reads from the replica, which has not replayed either edit.
    for app in (a, b):
        seen = api_project(anonymous, app)
        assert (seen["name"], seen["description"]) == (before["name"], before["description"])
        page = anonymous.get(f"{app.url}/projects/{SLUG}/")
        assert page.status == 200 and before["name"] in page.text and new_name not in page.text

    ready = anonymous.get(f"{a.url}/health/ready/")
    assert ready.status == 200, ready.text
    lag = ready.json()["checks"]["replica"]
    assert lag["answers"] and lag["replay_paused"] and lag["lag_bytes"] > 0 and not lag["reads_on_primary"], lag
    deployment.measured["paused_lag"] = lag

    # Replay resumes: the replica catches up, and anonymous readers see both edits.
    replica.query("SELECT pg_wal_replay_resume()")
    started = time.monotonic()
    wait_for("anonymous readers see the edits", lambda: api_project(anonymous, b)["name"] == new_name, timeout=10)
    deployment.measured["catch_up_seconds"] = round(time.monotonic() - started, 3)
    assert api_project(anonymous, a)["description"] == new_description
    level = anonymous.get(f"{b.url}/health/ready/").json()["checks"]["replica"]
    assert level["answers"] and not level["replay_paused"], level
    deployment.measured["level_lag"] = level


def test_with_the_replica_stopped_every_page_answers_from_the_primary(deployment):
    a, b = deployment.apps
    anonymous, client = Browser(), Browser(token=deployment.token)
    deployment.replica.stop("fast")

    first = anonymous.get(f"{a.url}/projects/{SLUG}/")
    assert first.status == 200
    seconds = {}
    for app in (a, b):
        for page in PAGES:
            answer = anonymous.get(app.url + page)
            assert answer.status == 200, (app.name, page, answer.status, answer.text[:500])
            seconds[f"{app.name} {page}"] = round(answer.seconds, 3)
    deployment.measured["replica_down_first_request_seconds"] = round(first.seconds, 3)
    deployment.measured["replica_down_slowest_page_seconds"] = max(seconds.values())

    # writes and reads carry on, from the primary
    description = f"Written with the replica down ({secrets.token_hex(3)})."
    url = f"{a.url}/api/v1/projects/{SLUG}/"
    assert client.patch(url, {"description": description}, client.get(url).headers["ETag"]).status == 200
    assert api_project(anonymous, b)["description"] == description

    logs = a.log.read_text() + b.log.read_text()
    assert "The read replica does not answer" in logs
    ready = anonymous.get(f"{b.url}/health/ready/")
    assert ready.status == 200, ready.text
    replica = ready.json()["checks"]["replica"]
    assert replica["ok"] and not replica["answers"] and replica["reads_on_primary"], replica  # reported, still ready
