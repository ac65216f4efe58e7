"""Benchmark of the REST API: list latency and query counts, and the memory of a full CSV download.

Seeds N projects into a scratch database (the test database of the configured
one: SQLite in memory by default, PostgreSQL when DATABASE_URL is set), then
measures through Django's test client, so the numbers include the whole
request path (middleware, throttling, rendering) but no network.

    python scripts/bench_api.py                 # 20,000 projects
    python scripts/bench_api.py --projects 100000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dctracker python scripts/bench_api.py
"""

import argparse
import os
import random
import statistics
import sys
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.test_settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from projects import choices  # noqa: E402
from projects.models import Project  # noqa: E402

COUNTRIES = ["FR", "DE", "NL", "IE", "ES", "IT", "SE", "PL", "GB", "US"]


def seed(count: int):
    rng = random.Random(4)
    batch = []
    for n in range(count):
        batch.append(
            Project(
                name=f"Bench project {n}",
                slug=f"bench-project-{n}",
                kind=rng.choice(choices.ProjectKind.values),
                status=rng.choice(choices.ProjectStatus.values),
                country=rng.choice(COUNTRIES),
                municipality=f"Town {n % 500}",
                latitude=rng.uniform(36, 60),
                longitude=rng.uniform(-9, 25),
                capacity_mw=Decimal(rng.randint(1, 1500)),
                investment_amount=Decimal(rng.randint(1, 10_000)) * 1_000_000,
                investment_currency=rng.choice(["EUR", "USD"]),
                jobs_permanent=rng.randint(5, 3000),
                operational_year=rng.randint(2026, 2035),
            )
        )
        if len(batch) == 5000:
            Project.objects.bulk_create(batch)
            batch = []
    Project.objects.bulk_create(batch)


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


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--projects", type=int, default=20000, help="how many projects to seed (default 20000)")
    args = parser.parse_args()

    setup_test_environment()
    from django.conf import settings

    # the benchmark makes more requests than a person would
    settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = []
    from rest_framework.settings import api_settings

    api_settings.reload()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        start = time.perf_counter()
        seed(args.projects)
        print(f"database: {connection.vendor}; seeded {args.projects} projects in {time.perf_counter() - start:.1f} s")
        client = Client()
        slug = Project.objects.order_by("id").values_list("slug", flat=True)[args.projects // 2]
        cases = [
            ("list, page_size=10", "/api/v1/projects/?page_size=10"),
            ("list, page_size=100", "/api/v1/projects/?page_size=100"),
            ("list, page_size=500", "/api/v1/projects/?page_size=500"),
            ("list, last page of 50", f"/api/v1/projects/?page={args.projects // 50}"),
            (
                "filtered: FR, >=500 MW, by 2030",
                "/api/v1/projects/?country=FR&capacity_min=500&operational_year_max=2030",
            ),
            (
                "near 50.36,3.52 r=100 km by distance",
                "/api/v1/projects/?near=50.36,3.52&radius_km=100&ordering=distance",
            ),
            ("cursor page of 100", "/api/v1/projects/?paginate=cursor&page_size=100"),
            ("detail", f"/api/v1/projects/{slug}/"),
            ("stats by country", "/api/v1/stats/capacity/?group_by=country"),
            ("CSV, whole table", "/api/v1/projects/?format=csv"),
            ("GeoJSON, whole table", "/api/v1/projects/?format=geojson"),
        ]
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
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
