"""Servers side by side for ``scripts/bench_api.py``: the tracker under gunicorn, the raw
psycopg + orjson baseline (``scripts/bench_raw_server.py``) and Datasette, loaded by wrk.

Datasette is no dependency of the tracker: it is installed from PyPI into its own virtualenv
under ``.cache/bench/`` (ignored by git) the first time, and serves an immutable SQLite copy of
the same generated rows, with facet suggestions off.
"""

from __future__ import annotations

import contextlib
import datetime
import decimal
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "bench"
DATASETTE_VERSION = "0.65.5"
BIN = Path(sys.executable).parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    name: str
    command: list[str]
    env: dict
    ready_path: str
    cwd: Path = ROOT
    process: subprocess.Popen | None = None
    port: int = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 90):
        self.port = free_port()
        command = [part.replace("{port}", str(self.port)) for part in self.command]
        log = open(CACHE / f"{self.name}.log", "w")  # noqa: SIM115  (closed with the process)
        self.process = subprocess.Popen(
            command, cwd=self.cwd, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} stopped at start-up; see {log.name}")
            with contextlib.suppress(OSError), urllib.request.urlopen(self.base + self.ready_path, timeout=5) as answer:
                if answer.status == 200:
                    return self
            time.sleep(0.3)
        raise RuntimeError(f"{self.name} did not answer within {timeout} s; see {log.name}")

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def processes(self) -> list[str]:
        """The server's process and its workers (gunicorn's master has one child a worker)."""
        if self.process is None:
            return []
        pids = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return [str(self.process.pid), *pids]

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by the server's processes."""
        total = 0.0
        for pid in self.processes():
            with contextlib.suppress(OSError):
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
        return total

    def worker_rss_mb(self) -> list[float]:
        """Resident memory of each process under the server's master (gunicorn's workers)."""
        if self.process is None:
            return []
        pids = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        sizes = []
        for pid in pids or [str(self.process.pid)]:
            with contextlib.suppress(OSError):
                status = Path(f"/proc/{pid}/status").read_text()
                sizes.append(int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024)
        return sizes


def database_address(database: dict) -> str:
    """``user[:password]@host:port/name`` of a Django database's settings."""
    credentials = database["USER"] + (f":{database['PASSWORD']}" if database["PASSWORD"] else "")
    return f"{credentials}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}"


def deployed_env(database: dict, **settings: str) -> dict:
    """The environment of the tracker in its deployed settings (debug off) on ``database``, throttled
    at rates a benchmark does not reach (the counters still run, in Redis); ``settings`` add to it."""
    return {
        **{key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")},
        "DJANGO_SETTINGS_MODULE": "tracker.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "benchmark-only-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": f"postgres://{database_address(database)}",
        "API_THROTTLE_ANON": "1000000000/minute",
        "API_THROTTLE_USER": "1000000000/minute",
        "PAGE_THROTTLE_ANON": "1000000000/minute",
        **settings,
    }


def gunicorn(name: str, target: str, env: dict, workers: int, ready_path: str, cwd: Path = ROOT) -> Server:
    command = [str(BIN / "gunicorn"), target, "--workers", str(workers), "--bind", "127.0.0.1:{port}"]
    return Server(name, [*command, "--log-level", "warning"], env, ready_path, cwd)


def datasette(database: Path) -> Server:
    venv = CACHE / f"datasette-{DATASETTE_VERSION}"
    executable = venv / "bin" / "datasette"
    if not executable.exists():
        print(f"installing Datasette {DATASETTE_VERSION} into {venv} ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(venv / "bin" / "pip"), "install", "--quiet", f"datasette=={DATASETTE_VERSION}", "setuptools<81"],
            check=True,
        )
    version = subprocess.run([str(executable), "--version"], capture_output=True, text=True, check=True).stdout
    command = [str(executable), "serve", "-i", str(database), "--host", "127.0.0.1", "--port", "{port}"]
    command += ["--setting", "suggest_facets", "off", "--setting", "sql_time_limit_ms", "5000"]
    server = Server("datasette", command, {**os.environ}, f"/{database.stem}.json")
    server.version = version.strip()
    return server


def sqlite_copy(cursor, model, columns: tuple[str, ...], path: Path) -> int:
    """The projects table as the API lists it, rows read with ``cursor`` (the benchmark's database)."""
    path.unlink(missing_ok=True)
    target = sqlite3.connect(path)
    types = {field.attname: _sqlite_type(field) for field in model._meta.concrete_fields}
    declared = ", ".join(f"{name} {types[name]}" for name in columns)
    target.execute(f"CREATE TABLE projects ({declared}, PRIMARY KEY (id))")
    cursor.execute(f"SELECT {', '.join(columns)} FROM projects_project ORDER BY id")
    count = 0

    def value(item):
        if isinstance(item, decimal.Decimal):
            return float(item)
        if isinstance(item, datetime.datetime | datetime.date):
            return item.isoformat()
        if isinstance(item, list | dict):
            return json.dumps(item)
        return item

    while rows := cursor.fetchmany(5000):
        target.executemany(
            f"INSERT INTO projects VALUES ({', '.join('?' * len(columns))})",
            [tuple(value(item) for item in row) for row in rows],
        )
        count += len(rows)
    # the same indexes as the tracker's for these lists
    target.execute("CREATE INDEX projects_country_capacity ON projects (country, capacity_mw)")
    target.execute("CREATE INDEX projects_name ON projects (name)")
    target.commit()
    target.execute("ANALYZE")
    target.close()
    return count


def _sqlite_type(field) -> str:
    kind = field.get_internal_type()
    if kind in ("DecimalField", "FloatField"):
        return "REAL"
    if "Integer" in kind or kind in ("BooleanField", "BigAutoField", "AutoField"):
        return "INTEGER"
    return "TEXT"


LATENCY = re.compile(r"^\s*(50|75|90|99)%\s+([\d.]+)(us|ms|s)\s*$", re.M)
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(url: str, clients: int, seconds: float, threads: int = 2, server: Server | None = None) -> dict:
    """Requests per second, latency percentiles (ms) and non-2xx answers of one wrk run; with
    ``server``, also the CPU time its processes spent per request (ms), which the load others put
    on a shared machine stretches less than it stretches the wall-clock figures."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk not found: install it (Debian: apt-get install wrk) to run the HTTP comparison")
    cpu_before = server.cpu_seconds() if server is not None else 0.0
    output = subprocess.run(
        ["wrk", "-t", str(threads), "-c", str(clients), "-d", f"{seconds}s", "--latency", "--timeout", "10s", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))}
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    if server is not None and requests:
        result["cpu_ms"] = (server.cpu_seconds() - cpu_before) * 1000 / requests
    for percentile, number, unit in LATENCY.findall(output):
        result[f"p{percentile}"] = float(number) * UNITS[unit]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors: connect (\d+), read \d+, write (\d+), timeout (\d+)", output)
    result["non_2xx"] = int(bad.group(1)) if bad else 0
    result["socket_errors"] = sum(int(n) for n in errors.groups()) if errors else 0
    return result


def fetch_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.load(response)
