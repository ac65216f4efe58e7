"""Project lists render plain values (projects/api/rows.py) in exactly the list serializer's shape,
count cheaply (core/api/counts.py), and select around a point exactly by the geodesic."""

import datetime
from decimal import Decimal

import orjson
import pytest
from django.db import connection
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from core.api import counts
from projects.api.rows import list_values, project_rows
from projects.api.serializers import ProjectListSerializer
from projects.models import Project
from projects.selectors import attach_distances
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/projects/"


@pytest.fixture
def varied(db):
    """Projects that differ in every way a list column can: empty values, fractions, amounts, dates."""
    return [
        ProjectFactory(
            name="Saint-Étienne campus",
            aliases=["SE1"],
            country="FR",
            region="Auvergne-Rhône-Alpes",
            capacity_mw=Decimal("12.5"),
            investment_amount=Decimal("123456789.25"),
            investment_currency="EUR",
            investment_year=2025,
            jobs_permanent=40,
            jobs_construction=300,
            site_area_ha=Decimal("7.75"),
            announced_on=datetime.date(2025, 3, 1),
            operational_year=2028,
        ),
        ProjectFactory(
            name="Nowhere yet",
            country="",
            municipality="",
            latitude=None,
            longitude=None,
            location_precision="",
            capacity_mw=None,
            operational_year=None,
        ),
        ProjectFactory(name="Big one", capacity_mw=Decimal("1500")),
    ]


@pytest.mark.parametrize("query", ["", "?format=json"])
@pytest.mark.parametrize("near", [None, (50.36, 3.52)])
def test_rows_are_what_the_list_serializer_gives(varied, query, near):
    request = Request(APIRequestFactory().get(f"{LIST}{query}"))
    projects = list(Project.objects.order_by("pk"))
    attach_distances(projects, near)
    expected = ProjectListSerializer(projects, many=True, context={"request": request}).data
    rows = project_rows(list(list_values(Project.objects.order_by("pk"))), request, near)
    assert orjson.dumps(rows) == orjson.dumps([dict(item) for item in expected])
    assert [list(row) for row in rows] == [list(item) for item in expected]


def test_the_api_page_has_the_serializers_rows(api, varied):
    response = api.get(LIST, {"ordering": "name"})
    request = Request(APIRequestFactory().get(LIST))
    expected = ProjectListSerializer(Project.objects.order_by("name"), many=True, context={"request": request}).data
    body = response.json()
    assert list(body) == ["count", "count_is_estimate", "next", "previous", "results"]
    assert body["count"] == 3 and body["count_is_estimate"] is False
    assert body["results"] == orjson.loads(orjson.dumps([dict(item) for item in expected]))


# Counts ----------------------------------------------------------------------------------


@pytest.fixture
def small_limit(monkeypatch):
    monkeypatch.setattr(counts.CheapCountPaginator, "exact_count_limit", 3)


def test_a_count_within_the_limit_is_exact(api, small_limit):
    ProjectFactory.create_batch(3)
    body = api.get(LIST).json()
    assert (body["count"], body["count_is_estimate"], body["next"]) == (3, False, None)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="estimates come from PostgreSQL's planner")
def test_past_the_limit_the_count_is_an_estimate_and_pages_still_end(api, small_limit):
    ProjectFactory.create_batch(4)
    ProjectFactory(country="DE")
    first = api.get(LIST, {"page_size": 2}).json()
    assert first["count_is_estimate"] is True and first["count"] >= 4
    assert len(first["results"]) == 2 and first["next"]
    last = api.get(LIST, {"page_size": 2, "page": 3}).json()
    assert [len(last["results"]), last["next"]] == [1, None]
    assert api.get(LIST, {"page_size": 2, "page": 4}).status_code == 404
    # a filter that selects few rows is counted exactly
    narrow = api.get(LIST, {"country": "DE", "page_size": 2}).json()
    assert (narrow["count"], narrow["count_is_estimate"]) == (1, False)


def test_sqlite_and_postgresql_count_exactly_when_small(api, django_assert_max_num_queries):
    ProjectFactory.create_batch(4)
    with django_assert_max_num_queries(3):  # the bounded count, the page and its claims' latest dates
        assert api.get(LIST).json()["count"] == 4


# Near -------------------------------------------------------------------------------------


def test_near_selects_exactly_the_projects_within_the_geodesic_radius(api):
    """The great circle decides in SQL, the geodesic at the edge: the same projects as the geodesic alone,
    projects a hair inside or outside the radius included, across the antimeridian and near a pole."""
    import random

    from core.geo import distance_km

    rng = random.Random(3)
    sites = [(rng.uniform(-85, 85), rng.uniform(-180, 180)) for _ in range(25)]
    sites += [(48.85 + rng.uniform(-1, 1), 2.35 + rng.uniform(-1.5, 1.5)) for _ in range(25)]
    sites += [(-17.8, 179.9), (-17.9, -179.9), (89.5, 10.0), (89.7, -170.0)]
    for number, (latitude, longitude) in enumerate(sites):
        ProjectFactory(name=f"Site {number}", latitude=latitude, longitude=longitude)
    centres = [(48.85, 2.35), (-18.0, 180.0), (89.9, 0.0), (0.0, 0.0)]
    for centre in centres:
        distances = sorted(distance_km(centre, site) for site in sites)
        radii = [50, 300, 5000] + [d * factor for d in distances[:8] for factor in (0.999999, 1.000001)]
        for radius in [r for r in radii if 0 < r <= 20000]:
            expected = sorted(f"Site {n}" for n, site in enumerate(sites) if distance_km(centre, site) <= radius)
            response = api.get(LIST, {"near": f"{centre[0]},{centre[1]}", "radius_km": radius, "page_size": 500})
            assert response.status_code == 200, response.content
            found = sorted(project["name"] for project in response.json()["results"])
            assert found == expected, (centre, radius)
