"""Time the /data/ downloads against a database seeded with thousands of generated projects.

    .venv/bin/python scripts/bench_downloads.py [--projects 3000] [--runs 3]

Seeds a throw-away test database as scripts/bench_pages.py does (the demo and generated
projects with roles), then reads each download to its end through Django's test client and
prints the median time, the queries, the rows and the size as a Markdown table.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_pages  # noqa: E402  (sets up Django)
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

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
        body(client.get(url))  # warm up
        timings = []
        for _ in range(runs):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                response = client.get(url)
                content = body(response)
                timings.append(time.perf_counter() - start)
            assert response.status_code == 200, (url, response.status_code)
        rows = content.count(b"\n") - 1 if ".csv" in url else ""
        yield url, statistics.median(timings), max(timings), len(queries), rows, len(content)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        bench_pages.seed(args.projects)
        print(f"{connection.vendor}: {Project.objects.count()} projects", file=sys.stderr)
        print("| Download | Median | Slowest | Queries | Rows | Size |")
        print("| --- | ---: | ---: | ---: | ---: | ---: |")
        for url, median, slowest, queries, rows, size in measure(args.runs):
            print(
                f"| `{url}` | {median * 1000:.0f} ms | {slowest * 1000:.0f} ms | {queries} | {rows} | "
                f"{size / 1024:.0f} KB |"
            )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
