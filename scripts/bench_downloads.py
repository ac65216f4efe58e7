"""Time the /data/ downloads against a database seeded with thousands of generated projects.

    .venv/bin/python scripts/bench_downloads.py [--projects 3000] [--runs 3]
    .venv/bin/python scripts/bench_downloads.py --reuse     # the configured database as it is (already seeded)

Seeds a throw-away test database as scripts/bench_pages.py does (generated projects with roles),
then reads each download to its end through Django's test client with debug off and prints the
median time, the queries, the rows and the size as a Markdown table. The first request of an
unfiltered download writes its file for the data generation (``projects.data_files``, into a
directory of its own, in the request whatever its size) and is timed apart; the runs after it
are sent from the file.
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_pages  # noqa: E402  (sets up Django)
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from projects import data_files  # noqa: E402
from projects.models import Project  # noqa: E402

DOWNLOADS = [
    "/data/projects.csv",
    "/data/projects.csv?country=FR",
    "/data/organizations.csv",
    "/data/claims.csv",
    "/data/sources.csv",
    "/data/projects.xlsx",
    "/data/datapackage.json",
    "/data/",
]


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def measure(runs: int):
    client = Client()
    for url in DOWNLOADS:
        start = time.perf_counter()
        body(client.get(url))  # warm up; an unfiltered download writes its file
        first = time.perf_counter() - start
        timings = []
        for _ in range(runs):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                response = client.get(url)
                content = body(response)
                timings.append(time.perf_counter() - start)
            assert response.status_code == 200, (url, response.status_code)
        rows = content.count(b"\n") - 1 if ".csv" in url else ""
        yield url, first, statistics.median(timings), max(timings), len(queries), rows, len(content)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--reuse", action="store_true", help="use the configured database as it is, seeded")
    args = parser.parse_args()
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.DATA_FILES_DIR = Path(tempfile.mkdtemp(prefix="bench-data-files-"))
    # every file written by the request that finds it missing, whatever its size: "First" is its writing
    data_files.CSV_REQUEST_PROJECTS = data_files.XLSX_REQUEST_PROJECTS = sys.maxsize
    old_name = None if args.reuse else connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        if not args.reuse:
            bench_pages.bench_data.seed(args.projects, quiet=True)
        print(f"{connection.vendor}: {Project.objects.count()} projects", file=sys.stderr)
        print("| Download | First | Median | Slowest | Queries | Rows | Size |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        for url, first, median, slowest, queries, rows, size in measure(args.runs):
            print(
                f"| `{url}` | {first * 1000:.0f} ms | {median * 1000:.0f} ms | {slowest * 1000:.0f} ms | {queries} "
                f"| {rows} | {size / 1024:.0f} KB |"
            )
    finally:
        if old_name is not None:
            connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
