"""Time the public pages against a database seeded with thousands of generated projects.

    .venv/bin/python scripts/bench_pages.py [--projects 3000] [--runs 5]

Runs in a throw-away test database (SQLite in memory, or ``test_<name>`` on the
PostgreSQL server of DATABASE_URL), loads the demo project, adds generated projects with
roles, then requests each page through Django's test client and prints the median time and
the number of queries per page as a Markdown table (see docs/pages.md).
"""

import argparse
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.test_settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from projects import choices  # noqa: E402
from projects.models import Organization, Project, ProjectRole  # noqa: E402

# (country, latitude, longitude) around which generated projects are scattered
CENTRES = [
    ("FR", 46.6, 2.4),
    ("DE", 51.1, 10.4),
    ("ES", 40.4, -3.7),
    ("IT", 42.8, 12.5),
    ("NL", 52.2, 5.3),
    ("BE", 50.6, 4.6),
    ("IE", 53.3, -7.9),
    ("GB", 52.5, -1.5),
    ("SE", 60.1, 15.6),
    ("NO", 61.0, 9.0),
    ("FI", 62.0, 25.7),
    ("DK", 56.0, 9.5),
    ("PL", 52.1, 19.4),
    ("PT", 39.6, -8.0),
    ("US", 39.0, -98.0),
    ("CA", 50.0, -96.0),
    ("BR", -14.2, -51.9),
    ("IN", 21.0, 78.0),
    ("JP", 36.2, 138.2),
    ("AU", -25.3, 133.8),
]
CURRENCIES = {"US": "USD", "GB": "GBP", "CA": "CAD", "BR": "BRL", "IN": "INR", "JP": "JPY", "AU": "AUD"}
PAGES = [
    "/",
    "/projects/",
    "/projects/?status=planning,construction&country=FR&ordering=-capacity_mw",
    "/projects/?place=Paris&radius_km=300&ordering=distance",
    "/projects/?page=40",
    "/projects/escaudain-ai-data-center/",
    "/map/",
    "/map/data.geojson",
    "/map/data.geojson?kind=ai&capacity_min=100",
    "/stats/",
    "/stats/pipeline.csv",
]


def seed(count: int) -> None:
    call_command("load_demo", verbosity=0)
    rng = random.Random(6)
    organizations = Organization.objects.bulk_create(
        Organization(name=f"Developer {n}", slug=f"developer-{n}") for n in range(200)
    )
    projects = []
    for n in range(count):
        country, latitude, longitude = rng.choice(CENTRES)
        announced_year = rng.randint(2018, 2026)
        capacity = Decimal(rng.choice([5, 10, 20, 36, 50, 100, 150, 300, 500, 1000]))
        projects.append(
            Project(
                name=f"Generated project {n}",
                slug=f"generated-project-{n}",
                kind=rng.choice(choices.ProjectKind.values),
                status=rng.choice(choices.ProjectStatus.values),
                country=country,
                municipality=f"Town {n % 400}",
                latitude=latitude + rng.uniform(-3, 3),
                longitude=longitude + rng.uniform(-3, 3),
                capacity_mw=capacity,
                investment_amount=capacity * Decimal(8_000_000) if rng.random() < 0.7 else None,
                investment_currency=CURRENCIES.get(country, "EUR"),
                operational_year=announced_year + rng.randint(1, 8),
                announced_on=f"{announced_year}-{rng.randint(1, 12):02}-01",
            )
        )
    projects = Project.objects.bulk_create(projects, batch_size=500)
    ProjectRole.objects.bulk_create(
        (
            ProjectRole(project=project, organization=rng.choice(organizations), role=choices.RoleKind.DEVELOPER)
            for project in projects
        ),
        batch_size=500,
    )


def measure(runs: int) -> list[tuple[str, float, float, int, int]]:
    client = Client()
    results = []
    for url in PAGES:
        client.get(url)  # warm caches: templates, content types, the gazetteer
        timings = []
        for _ in range(runs):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                response = client.get(url)
                timings.append(time.perf_counter() - start)
            assert response.status_code == 200, (url, response.status_code)
        results.append((url, statistics.median(timings), max(timings), len(queries), len(response.content)))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        start = time.perf_counter()
        seed(args.projects)
        print(
            f"{connection.vendor}: {Project.objects.count()} projects seeded in {time.perf_counter() - start:.1f} s",
            file=sys.stderr,
        )
        print("| Page | Median | Slowest | Queries | Size |")
        print("| --- | ---: | ---: | ---: | ---: |")
        for url, median, slowest, queries, size in measure(args.runs):
            print(f"| `{url}` | {median * 1000:.0f} ms | {slowest * 1000:.0f} ms | {queries} | {size / 1024:.0f} KB |")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
