"""Benchmark of the REST API at a given size: in-process timings, search plans, and a side-by-side HTTP run.

Seeds N generated projects (``scripts/bench_data.py``) into a scratch database (the test
database of the configured one: SQLite in memory by default, ``test_<name>`` on the PostgreSQL
server of DATABASE_URL; dropped at the end), then:

1. times requests through Django's test client (whole request path, no network), with their
   query counts;
2. on PostgreSQL, runs EXPLAIN ANALYZE on the queries that text searches send (the count and
   the page), with their SQL time and the indexes they use;
3. on PostgreSQL, serves the same database with gunicorn (2 workers, debug off, the deployed
   settings), a raw psycopg + orjson server (``scripts/bench_raw_server.py``, same gunicorn
   workers) and Datasette (its own virtualenv, an immutable SQLite copy of the same rows), and
   loads each with wrk in interleaved rounds: "French projects of at least 100 MW, largest
   first, 50 a page, with the total count". It prints requests/s, p50 and p99 per server, the
   ratios, then the tracker alone on a text search, a search around a point and an unfiltered
   page, and the workers' memory.

    python scripts/bench_api.py                 # 20,000 projects
    python scripts/bench_api.py --projects 100000
    python scripts/bench_api.py --reuse         # the configured database as it is (already seeded)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dct_bench REDIS_URL=redis://127.0.0.1:6379/9 \\
        python scripts/bench_api.py --projects 100000 --rounds 9
"""

import argparse
import contextlib
import json
import os
import platform
import shutil
import statistics
import sys
import time
import tracemalloc
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.test_settings")

import django  # noqa: E402

django.setup()

import bench_data  # noqa: E402
import bench_http  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from projects.api.serializers import PROJECT_LIST_FIELDS  # noqa: E402
from projects.models import Project  # noqa: E402

# The query of the side-by-side comparison, as each server spells it.
FRENCH_100MW = "country=FR&capacity_min=100&ordering=-capacity_mw&page_size=50"
DATASETTE_FRENCH_100MW = "country=FR&capacity_mw__gte=100&is_draft=0&_sort_desc=capacity_mw&_size=50&_shape=objects"
# The tracker alone, at the same concurrency.
TRACKER_ALSO = [
    ("q: two words of organization names", "q=rhine+fiber"),
    ("q: a town without its accent", "q=orleans"),
    ("near Paris, 50 km, by distance", "near=48.8566,2.3522&radius_km=50&ordering=distance"),
    ("unfiltered, first page", ""),
]
SEARCHES = [
    ("q=rhine fiber", {"q": "rhine fiber"}),
    ("q=orleans", {"q": "orleans"}),
    ("q=nordic (many matches)", {"q": "nordic"}),
    ("q=orleans, -capacity_mw, FR", {"q": "orleans", "country": "FR", "ordering": "-capacity_mw"}),
]


def timed(client, url, repeat=5):
    durations, queries = [], 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(url)
            if response.streaming:
                size = sum(len(chunk) for chunk in response.streaming_content)
            else:
                size = len(response.content)
            durations.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(captured.captured_queries)
    return statistics.median(durations) * 1000, queries, size


def stream_peak(client, url):
    tracemalloc.start()
    response = client.get(url)
    start = time.perf_counter()
    size = sum(len(chunk) for chunk in response.streaming_content)
    elapsed = time.perf_counter() - start
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak, size, elapsed


def explain_searches(client):
    """EXPLAIN ANALYZE of the queries each search sends: SQL time, and the indexes the plan reads."""
    print("\nSearch on PostgreSQL: the queries of one request, EXPLAIN ANALYZE (planning + execution)")
    print(f"{'search':34} {'query':6} {'SQL ms':>8} {'rows':>7}  indexes")
    for label, params in SEARCHES:
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/api/v1/projects/", params)
        assert response.status_code == 200, response.content
        for query in captured.captured_queries:
            if query["sql"].lstrip().upper().startswith("EXPLAIN"):
                milliseconds = float(query["time"]) * 1000  # as the client saw it
                print(f"{label:34} {'plan':6} {milliseconds:8.2f} {'':>7}  (the planner's estimate of the count)")
                continue
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + query["sql"])
                document = cursor.fetchone()[0]
            plan = (json.loads(document) if isinstance(document, str) else document)[0]
            milliseconds = plan["Planning Time"] + plan["Execution Time"]
            indexes = sorted(set(_indexes(plan["Plan"]))) or ["(none: sequential scan)"]
            kind = "count" if query["sql"].lstrip().upper().startswith("SELECT COUNT") else "page"
            rows = plan["Plan"].get("Actual Rows", 0)
            print(f"{label:34} {kind:6} {milliseconds:8.2f} {rows:7d}  {', '.join(indexes)}")
        body = response.json()
        estimate = " (an estimate)" if body.get("count_is_estimate") else ""
        print(f"{'':34} {'':6} {'':>8} count {body.get('count')}{estimate}")


def _indexes(node):
    if "Index Name" in node:
        yield node["Index Name"]
    for child in node.get("Plans", []):
        yield from _indexes(child)


def side_by_side(args):
    """The tracker, the raw baseline and Datasette on the same rows, loaded in interleaved rounds."""
    if shutil.which("wrk") is None:
        print("\nwrk not found (Debian: apt-get install wrk, or make wrk): the side-by-side HTTP run is skipped.")
        return
    settings = connection.settings_dict
    address = bench_http.database_address(settings)
    bench_http.CACHE.mkdir(parents=True, exist_ok=True)
    sqlite_path = bench_http.CACHE / "bench.db"
    with connection.cursor() as cursor:
        copied = bench_http.sqlite_copy(cursor, Project, PROJECT_LIST_FIELDS, sqlite_path)
    print(f"\nSQLite copy for Datasette: {copied:,} rows")
    env = bench_http.deployed_env(settings)
    tracker = bench_http.gunicorn("tracker", "tracker.wsgi", env, args.workers, "/health/ready")
    raw = bench_http.gunicorn(
        "raw",
        "bench_raw_server:app",
        {**os.environ, "BENCH_RAW_DSN": f"postgresql://{address}"},
        args.workers,
        "/projects/?page_size=1",
        cwd=Path(__file__).resolve().parent,
    )
    servers = {"tracker": tracker, "raw": raw}
    urls = {
        "tracker": lambda base: f"{base}/api/v1/projects/?{FRENCH_100MW}",
        "raw": lambda base: f"{base}/projects/?{FRENCH_100MW}",
    }
    if not args.no_datasette:
        servers["datasette"] = bench_http.datasette(sqlite_path)
        urls["datasette"] = lambda base: f"{base}/bench/projects.json?{DATASETTE_FRENCH_100MW}"
    try:
        for server in servers.values():
            server.start()
        counts = {}
        for name, server in servers.items():
            body = bench_http.fetch_json(urls[name](server.base))
            counts[name] = body.get("count", body.get("filtered_table_rows_count"))
            bench_http.wrk(urls[name](server.base), args.clients, 2)  # warm up
        print(f"counts: {counts}" + (f"; {servers['datasette'].version}" if "datasette" in servers else ""))
        results = {name: [] for name in servers}
        names = list(servers)
        for round_number in range(args.rounds):
            order = names[round_number % len(names) :] + names[: round_number % len(names)]
            for name in order:
                server = servers[name]
                result = bench_http.wrk(urls[name](server.base), args.clients, args.seconds, server=server)
                results[name].append(result)
            line = "  ".join(f"{name} {results[name][-1]['rps']:7.0f}/s" for name in names)
            print(f"round {round_number + 1}/{args.rounds}: {line}  (load {os.getloadavg()[0]:.1f})", flush=True)
        print(
            f"\nFrench projects of at least 100 MW, largest first, 50 a page, with the count; {args.clients} clients, "
            f"{args.rounds} rounds of {args.seconds} s, medians"
        )
        print(f"{'server':12} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8} {'CPU ms/request':>15}")
        summary = {}
        for name in names:
            rows = results[name]
            keys = ("rps", "p50", "p99", "cpu_ms")
            summary[name] = {key: statistics.median(row.get(key, 0.0) for row in rows) for key in keys}
            errors = sum(row["non_2xx"] for row in rows)
            print(
                f"{name:12} {summary[name]['rps']:8.0f} {summary[name]['p50']:8.1f} {summary[name]['p99']:8.1f} "
                f"{errors:8d} {summary[name]['cpu_ms']:15.2f}"
            )
        print("(CPU ms/request: the server's own processes, not the database's)")
        for other in names[1:]:
            pairs = zip(results["tracker"], results[other], strict=True)
            ratio = statistics.median(ours["rps"] / theirs["rps"] for ours, theirs in pairs)
            print(f"tracker / {other} (median of the rounds' throughput ratios): {ratio:.2f}x")
        print(f"\nThe tracker alone, {args.clients} clients, {args.seconds} s each")
        print(f"{'request':40} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8} {'CPU ms/request':>15}")
        for label, query in TRACKER_ALSO:
            url = f"{tracker.base}/api/v1/projects/?{query}"
            result = bench_http.wrk(url, args.clients, args.seconds, server=tracker)
            print(
                f"{label:40} {result['rps']:8.0f} {result['p50']:8.1f} {result['p99']:8.1f} {result['non_2xx']:8d} "
                f"{result['cpu_ms']:15.2f}"
            )
        rss = ", ".join(f"{size:.0f}" for size in tracker.worker_rss_mb())
        print(f"tracker workers' resident memory after the run: {rss} MB; load average {os.getloadavg()[0]:.1f}")
    finally:
        for server in servers.values():
            server.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--projects", type=int, default=20000, help="how many projects to seed (default 20000)")
    parser.add_argument("--rounds", type=int, default=9, help="interleaved rounds of the HTTP comparison")
    parser.add_argument("--seconds", type=int, default=5, help="length of each wrk run")
    parser.add_argument("--clients", type=int, default=16, help="concurrent connections")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers of each server")
    parser.add_argument("--no-http", action="store_true", help="skip the side-by-side HTTP run")
    parser.add_argument("--no-datasette", action="store_true", help="compare with the raw baseline only")
    parser.add_argument("--reuse", action="store_true", help="use the configured database as it is, seeded")
    args = parser.parse_args()

    setup_test_environment()
    from django.conf import settings

    # the benchmark makes more requests than a person would
    settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = []
    from rest_framework.settings import api_settings

    api_settings.reload()
    machine = platform.machine()
    with contextlib.suppress(OSError, StopIteration):
        lines = Path("/proc/cpuinfo").read_text().splitlines()
        machine = next(line for line in lines if line.startswith("model name")).split(":", 1)[1].strip()
    print(f"{time.strftime('%Y-%m-%d %H:%M')} · {platform.node()} · {machine} · {os.cpu_count()} cores", end="")
    print(f" · Python {platform.python_version()}")
    old_name = None if args.reuse else connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        version = ".".join(map(str, connection.get_database_version()))
        if args.reuse:
            args.projects = Project.objects.count()
            print(f"database: {connection.vendor} {version}; {args.projects:,} projects as they are")
        else:
            made = bench_data.seed(args.projects)
            seeded = f"seeded {made['projects']:,} projects in {made['total_s']:.1f} s"
            print(f"database: {connection.vendor} {version}; {seeded}")
        client = Client()
        slug = Project.objects.order_by("id").values_list("slug", flat=True)[args.projects // 2]
        cases = [
            ("list, page_size=10", "/api/v1/projects/?page_size=10"),
            ("list, page_size=100", "/api/v1/projects/?page_size=100"),
            ("list, page_size=500", "/api/v1/projects/?page_size=500"),
            ("list, last page of 50", f"/api/v1/projects/?page={int(args.projects * 0.99) // 50}"),
            ("FR, >=100 MW, largest first", f"/api/v1/projects/?{FRENCH_100MW}"),
            (
                "filtered: FR, >=500 MW, by 2030",
                "/api/v1/projects/?country=FR&capacity_min=500&operational_year_max=2030",
            ),
            ("q=rhine fiber", "/api/v1/projects/?q=rhine+fiber"),
            (
                "near 48.86,2.35 r=100 km by distance",
                "/api/v1/projects/?near=48.86,2.35&radius_km=100&ordering=distance",
            ),
            ("cursor page of 100", "/api/v1/projects/?paginate=cursor&page_size=100"),
            ("detail", f"/api/v1/projects/{quote(slug)}/"),
            ("stats by country", "/api/v1/stats/capacity/?group_by=country"),
            ("CSV, whole table", "/api/v1/projects/?format=csv"),
            ("GeoJSON, whole table", "/api/v1/projects/?format=geojson"),
        ]
        print("\nDjango test client, median of 5 (whole-table downloads: 1)")
        print(f"{'request':40} {'median ms':>10} {'queries':>8} {'bytes':>12}")
        for label, url in cases:
            repeat = 1 if "whole table" in label else 5
            milliseconds, queries, size = timed(client, url, repeat)
            print(f"{label:40} {milliseconds:10.1f} {queries:8d} {size:12,d}")
        for label, url in (("CSV", "/api/v1/projects/?format=csv"), ("GeoJSON", "/api/v1/projects/?format=geojson")):
            peak, size, elapsed = stream_peak(client, url)
            print(
                f"{label} download of {args.projects} projects: {size / 1e6:.1f} MB in {elapsed:.2f} s, "
                f"peak Python memory {peak / 1e6:.1f} MB"
            )
        if connection.vendor == "postgresql":
            explain_searches(client)
            if not args.no_http:
                side_by_side(args)
        elif not args.no_http:
            print("\nThe side-by-side HTTP run needs PostgreSQL (DATABASE_URL); skipped.")
    finally:
        if old_name is not None:
            connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
