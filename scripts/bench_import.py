"""Benchmark of ``manage.py import_projects``: rows/s, total time and queries per 1,000 rows.

For each size, generates a file of N projects in the admin's import columns (every column
filled, a name in fifty shared so that slugs need their numbers), imports it into a fresh
scratch database (the test database of the configured one: PostgreSQL when DATABASE_URL
is set), then runs check_integrity over the result. Besides the time it prints the CPU time
of the importing process and of the process that reads a large file, and the machine's load
average during the import: on a shared machine the time depends on what else runs.

    python scripts/bench_import.py                         # 1,000, 10,000 and 100,000 rows, CSV
    python scripts/bench_import.py --rows 100000 --format xlsx
    python scripts/bench_import.py --write-only 100000 projects.csv   # just the file, e.g. for a bench of pages

The generator (``write_rows``) is importable by other benchmarks that load projects
through the import.
"""

import argparse
import contextlib
import csv
import datetime
import os
import platform
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.test_settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from core.models import ObjectChange  # noqa: E402
from projects import choices  # noqa: E402
from projects.imports import read_rows  # noqa: E402
from projects.models import Project, ProjectStatusChange  # noqa: E402
from projects.resources import COLUMNS  # noqa: E402

COUNTRIES = {"FR": "Hauts-de-France", "DE": "Hessen", "NL": "Noord-Holland", "IE": "Leinster", "ES": "Madrid"}
TOWNS = ["Lille", "Frankfurt", "Amsterdam", "Dublin", "Madrid", "Marseille", "Escaudain", "Eemshaven"]


def project_row(n: int, rng: random.Random) -> dict:
    country = rng.choice(list(COUNTRIES))
    announced = datetime.date(2018, 1, 1) + datetime.timedelta(days=rng.randrange(3000))
    investment = rng.random() < 0.7
    # One name in fifty is shared with the row fifty before it: its slug takes the next number.
    name = f"Bench campus {n - 50 if n % 50 == 0 and n > 50 else n}"
    return {
        "slug": "",
        "name": name,
        "aliases": f"BC{n}; Campus {n}",
        "description": f"Generated project {n} for the import benchmark.",
        "kind": rng.choice(choices.ProjectKind.values),
        "status": rng.choice(choices.ProjectStatus.values),
        "country": country,
        "region": COUNTRIES[country],
        "municipality": rng.choice(TOWNS),
        "address": f"{rng.randint(1, 300)} rue de l'Industrie",
        "latitude": f"{rng.uniform(36, 60):.5f}",
        "longitude": f"{rng.uniform(-9, 25):.5f}",
        "location_precision": rng.choice(choices.LocationPrecision.values),
        "site_area_ha": f"{rng.uniform(1, 200):.2f}",
        "floor_area_m2": f"{rng.uniform(1000, 200000):.2f}",
        "former_use": rng.choice(["", "steelworks", "farmland", "warehouse"]),
        "capacity_mw": str(rng.randint(1, 1500)),
        "capacity_basis": rng.choice(choices.CapacityBasis.values),
        "investment_amount": str(rng.randint(1, 10_000) * 1_000_000) if investment else "",
        "investment_currency": rng.choice(["EUR", "USD"]) if investment else "",
        "investment_year": str(announced.year) if investment else "",
        "jobs_permanent": str(rng.randint(5, 3000)),
        "jobs_construction": str(rng.randint(50, 5000)),
        "announced_on": announced.isoformat(),
        "announced_precision": "day",
        "operational_year": str(rng.randint(announced.year, 2035)),
        "last_verified_on": "",
        "version": "",
    }


def write_rows(path: Path, count: int, file_format: str = "csv", seed: int = 12) -> Path:
    rng = random.Random(seed)
    if file_format == "csv":
        with open(path, "w", newline="", encoding="utf-8") as out:
            writer = csv.DictWriter(out, fieldnames=COLUMNS)
            writer.writeheader()
            for n in range(1, count + 1):
                writer.writerow(project_row(n, rng))
        return path
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(list(COLUMNS))
    for n in range(1, count + 1):
        sheet.append(list(project_row(n, rng).values()))
    workbook.save(path)
    return path


def cpu_seconds(usage) -> float:
    return usage.ru_utime + usage.ru_stime


def database_cpu_seconds() -> float | None:
    """CPU time of the PostgreSQL backend serving this connection, when it runs on this machine."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def machine() -> str:
    name = platform.machine()
    with contextlib.suppress(OSError, StopIteration):
        lines = Path("/proc/cpuinfo").read_text().splitlines()
        name = next(line for line in lines if line.startswith("model name")).split(":", 1)[1].strip()
    return f"{platform.node()} · {name} · {os.cpu_count()} cores · Python {platform.python_version()}"


def bench(count: int, file_format: str, directory: Path) -> dict:
    path = write_rows(directory / f"projects-{count}.{file_format}", count, file_format)
    with open(path, "rb") as stream:
        started = time.monotonic()
        read = sum(1 for _row in read_rows(stream, file_format))
        reading = time.monotonic() - started
    assert read == count
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        counter = QueryCounter()
        database_before = database_cpu_seconds()
        with connection.execute_wrapper(counter), open(os.devnull, "w") as quiet:
            load = os.getloadavg()[0]
            usage, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.monotonic()
            call_command("import_projects", str(path), verbosity=0, stdout=quiet)
            elapsed = time.monotonic() - started
            cpu = cpu_seconds(resource.getrusage(resource.RUSAGE_SELF)) - cpu_seconds(usage)
            reader_cpu = cpu_seconds(resource.getrusage(resource.RUSAGE_CHILDREN)) - cpu_seconds(children)
            load = max(load, os.getloadavg()[0])
        database_after = database_cpu_seconds()
        database = database_after - database_before if database_before is not None and database_after else None
        assert Project.objects.count() == count
        started = time.monotonic()
        with open(os.devnull, "w") as quiet:
            call_command("check_integrity", "--no-public", verbosity=0, stdout=quiet)
        integrity = time.monotonic() - started
        return {
            "database": ".".join(map(str, connection.get_database_version())),
            "rows": count,
            "seconds": elapsed,
            "rows_per_s": count / elapsed,
            "queries": counter.count,
            "queries_per_1000": counter.count / count * 1000,
            "reading_s": reading,
            "changes": ObjectChange.objects.count(),
            "status_steps": ProjectStatusChange.objects.count(),
            "integrity_s": integrity,
            "cpu_s": cpu,
            "reader_cpu_s": reader_cpu,
            "database_cpu_s": database,
            "load": load,
        }
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    parser.add_argument("--write-only", nargs=2, metavar=("N", "FILE"), help="write a file of N rows and stop")
    args = parser.parse_args()
    if args.write_only:
        count, path = int(args.write_only[0]), Path(args.write_only[1])
        write_rows(path, count, path.suffix.lstrip(".") or "csv")
        print(f"{count:,} rows written to {path}")
        return
    print(f"{time.strftime('%Y-%m-%d %H:%M')} · {machine()} · {connection.vendor}")
    print(
        f"{'rows':>8} {'format':>6} {'total s':>8} {'rows/s':>8} {'queries/1k rows':>16} {'CPU s':>6} "
        f"{'reader CPU s':>12} {'database CPU s':>14} {'load':>5} {'reading s':>10} {'changes':>9} "
        f"{'check_integrity s':>18}"
    )
    with tempfile.TemporaryDirectory() as directory:
        for count in args.rows:
            result = bench(count, args.format, Path(directory))
            print(
                f"{result['rows']:>8,} {args.format:>6} {result['seconds']:>8.1f} {result['rows_per_s']:>8,.0f} "
                f"{result['queries_per_1000']:>16.1f} {result['cpu_s']:>6.1f} {result['reader_cpu_s']:>12.1f} "
                f"{result['database_cpu_s'] if result['database_cpu_s'] is not None else float('nan'):>14.1f} "
                f"{result['load']:>5.1f} {result['reading_s']:>10.1f} {result['changes']:>9,} "
                f"{result['integrity_s']:>18.1f}  ({connection.vendor} {result['database']})",
                flush=True,
            )


if __name__ == "__main__":
    main()
