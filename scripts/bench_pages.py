"""Server time of every public page and admin list at a given size, and the workers' memory.

    python scripts/bench_pages.py                      # 20,000 projects
    python scripts/bench_pages.py --projects 100000 --runs 5
    python scripts/bench_pages.py --reuse              # the configured database as it is (already seeded)

Seeds N generated projects (``scripts/bench_data.py``, as ``scripts/bench_api.py`` does) and the
demo into a scratch database (``test_<name>`` on the PostgreSQL server of DATABASE_URL, SQLite
in memory without it; dropped at the end), then:

1. requests each page through Django's test client with debug off (the whole request path, no
   network and no test instrumentation of templates: the server's time) as an anonymous reader
   and, for the admin, as a superuser, and prints the median and slowest of ``--runs`` runs
   after one warm-up, the queries and the size sent and gzip-compressed, as a Markdown table (docs/benchmarks.md);
2. serves the same database with gunicorn (2 workers, debug off, the deployed settings), asks
   every endpoint once or more (pages, admin, API, every download) and prints the largest
   resident memory its workers reached.

The map's first view is what the map asks for first: the whole world at zoom 2, as clusters.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import http.cookiejar
import os
import secrets
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.test_settings")

import django  # noqa: E402

django.setup()

import bench_data  # noqa: E402
import bench_http  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import PBKDF2PasswordHasher  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from projects.models import Claim, Organization, Project, Source  # noqa: E402

WORLD = "zoom=2&view=-180,-85,180,85"
FRANCE = "zoom=6&view=-5.5,41.2,9.8,51.3"


def public_pages(slug: str) -> list[str]:
    return [
        "/",
        "/projects/",
        "/projects/?country=FR&status=planning,construction&ordering=-capacity_mw",
        "/projects/?q=orleans",
        "/projects/?place=Paris&radius_km=50&ordering=distance",
        "/projects/?page=1000",
        "/projects/?ordering=-capacity_mw&page=500",
        f"/projects/{slug}/",
        f"/projects/{slug}/changes/",
        "/map/",
        f"/map/data.geojson?{WORLD}",
        f"/map/data.geojson?{FRANCE}",
        f"/map/data.geojson?country=FR&capacity_min=100&{FRANCE}",
        "/stats/",
        "/stats/?country=FR",
        "/stats/pipeline.csv",
        "/data/",
    ]


def admin_pages(project_id: int, claim_id: int) -> list[str]:
    return [
        "/admin/projects/project/",
        "/admin/projects/project/?q=orleans",
        "/admin/projects/project/?country__exact=FR&status__exact=planning",
        "/admin/projects/project/?o=-3",
        f"/admin/projects/project/{project_id}/change/",
        "/admin/projects/organization/",
        "/admin/projects/organization/?q=rhine",
        "/admin/projects/claim/",
        f"/admin/projects/claim/{claim_id}/change/",
        "/admin/projects/source/",
        "/admin/core/objectchange/",
        "/admin/desk/",
    ]


def downloads() -> list[str]:
    """Asked once each by the memory run: every endpoint that reads the whole table."""
    return [
        "/api/v1/projects/?format=csv",
        "/api/v1/projects/?format=geojson",
        "/api/v1/projects/?page_size=500",
        "/api/v1/stats/capacity/?group_by=country",
        "/data/projects.csv",
        "/data/claims.csv",
        "/data/organizations.csv",
        "/data/projects.xlsx",
        "/data/datapackage.json",
        "/map/data.geojson",
        "/api/v1/changes/",
    ]


def measure(client: Client, urls: list[str], runs: int) -> list[dict]:
    results = []
    for url in urls:
        cache.clear()  # the first request of each page pays for what it caches
        client.get(url)  # warm-up: templates, content types, the gazetteer
        timings = []
        for _ in range(runs):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                response = client.get(url, HTTP_ACCEPT_ENCODING="identity")
                body = b"".join(response.streaming_content) if response.streaming else response.content
                timings.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
        results.append(
            {
                "url": url,
                "median": statistics.median(timings),
                "slowest": max(timings),
                "queries": len(queries),
                "size": len(body),
                "gzip": len(gzip.compress(body, 6)),
            }
        )
    return results


def table(results: list[dict]) -> None:
    print("| Page | Median | Slowest | Queries | Size | gzip |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for row in results:
        print(
            f"| `{row['url']}` | {row['median'] * 1000:.1f} ms | {row['slowest'] * 1000:.0f} ms | {row['queries']} "
            f"| {row['size'] / 1024:,.0f} KB | {row['gzip'] / 1024:,.1f} KB |"
        )


def signed_in_opener(base: str, username: str, password: str) -> urllib.request.OpenerDirector:
    """An opener holding an admin session, signed in through the admin's login form."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(f"{base}/admin/login/", timeout=30).read()
    token = next(cookie.value for cookie in jar if cookie.name == settings.CSRF_COOKIE_NAME)
    form = urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": token, "next": "/admin/"}
    ).encode()
    request = urllib.request.Request(f"{base}/admin/login/", data=form, headers={"Referer": f"{base}/admin/login/"})
    opener.open(request, timeout=30).read()
    if not any(cookie.name == settings.SESSION_COOKIE_NAME for cookie in jar):
        raise RuntimeError("could not sign in to the admin")
    return opener


def memory(urls: list[str], admin_urls: list[str], password: str, repeat: int) -> None:
    """Every endpoint through gunicorn in the deployed settings; the workers' largest resident memory."""
    bench_http.CACHE.mkdir(parents=True, exist_ok=True)
    env = bench_http.deployed_env(
        connection.settings_dict,
        DJANGO_STATIC_ROOT=str(bench_http.CACHE / "static"),
        DJANGO_SECURE_COOKIES="0",  # plain HTTP on the loopback
    )
    # the deployed pages' manifest, collected where the server's settings look for it
    collect = [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"]
    subprocess.run(collect, env=env, cwd=bench_http.ROOT, check=True)
    server = bench_http.gunicorn("tracker-pages", "tracker.wsgi", env, 2, "/health/ready")
    server.start()
    peak, failed = [0.0, 0.0], []
    try:
        anonymous = urllib.request.build_opener()
        staff = signed_in_opener(server.base, "bench", password)
        asked = [(anonymous, url) for url in urls] + [(staff, url) for url in admin_urls]
        for round_number in range(repeat):
            for opener, url in asked:
                request = urllib.request.Request(server.base + url, headers={"Accept-Encoding": "gzip"})
                start, size = time.perf_counter(), 0
                try:
                    with opener.open(request, timeout=300) as response:
                        while chunk := response.read(1 << 20):
                            size += len(chunk)
                except (http.client.IncompleteRead, urllib.error.HTTPError) as error:
                    # a worker stopped mid-answer or before it (gunicorn's timeout), or any other error
                    code = getattr(error, "code", "cut off")
                    retry = error.headers.get("Retry-After") if code == 503 else None
                    if retry is not None:  # a large download written apart (projects/data_files.py): not a failure
                        print(f"  {url}: 503, being written apart (Retry-After: {retry} s)")
                        continue
                    print(f"  {url}: FAILED ({code}) after {time.perf_counter() - start:.1f} s and {size:,} bytes")
                    failed.append(url)
                    continue
                if round_number == 0:
                    print(f"  {url}: {time.perf_counter() - start:.2f} s, {size:,} bytes (gzip)")
                sizes = server.worker_rss_mb()
                peak = [max(old, new) for old, new in zip(peak, sizes + [0.0] * (2 - len(sizes)), strict=False)]
    finally:
        server.stop()
    print(
        f"\ngunicorn, 2 workers, debug off: every page, API list and download above asked {repeat} times; "
        f"largest resident memory of each worker: {', '.join(f'{size:.0f}' for size in peak)} MB"
    )
    if failed:
        print(f"failed: {', '.join(sorted(set(failed)))}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="use the configured database as it is, seeded")
    parser.add_argument("--no-memory", action="store_true", help="skip the gunicorn memory run")
    parser.add_argument("--only", default="", help="only the pages whose address contains this text")
    args = parser.parse_args()
    # Not setup_test_environment(): its instrumented template rendering (a signal and a copy of
    # the context per template) would add a third to a page's time; only the test client's host.
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    old_name = None
    if not args.reuse:
        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        if not args.reuse:
            made = bench_data.seed(args.projects, quiet=True)
            call_command("load_demo", verbosity=0)
            print(f"seeded {made['projects']:,} projects in {made['total_s']:.0f} s", file=sys.stderr)
        password = "bench-" + secrets.token_urlsafe(12)
        user, _ = get_user_model().objects.update_or_create(
            username="bench", defaults={"is_staff": True, "is_superuser": True, "email": "bench@example.org"}
        )
        # hashed as the deployed server checks it (the test settings hash with MD5 only)
        user.password = PBKDF2PasswordHasher().encode(password, PBKDF2PasswordHasher().salt())
        user.save()
        demo = Project.objects.filter(claims__isnull=False).order_by("id").first()
        claim = Claim.objects.order_by("id").first()
        print(
            f"{time.strftime('%Y-%m-%d %H:%M')} · {connection.vendor} · {Project.objects.count():,} projects, "
            f"{Organization.objects.count():,} organizations, {Source.objects.count():,} sources · "
            f"load average {os.getloadavg()[0]:.1f}"
        )
        print(f"\nPublic pages, anonymous, test client, debug off; median of {args.runs}\n")
        table(measure(Client(), [url for url in public_pages(demo.slug) if args.only in url], args.runs))
        staff = Client()
        staff.force_login(user)
        print(f"\nAdmin, signed in as a superuser; median of {args.runs}\n")
        table(measure(staff, [url for url in admin_pages(demo.pk, claim.pk) if args.only in url], args.runs))
        if not args.no_memory and connection.vendor == "postgresql":
            memory(public_pages(demo.slug) + downloads(), admin_pages(demo.pk, claim.pk), password, repeat=2)
        print(f"load average at the end {os.getloadavg()[0]:.1f}")
    finally:
        if old_name is not None:
            connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
