"""Every project filter through the API: what it selects, and a 400 naming it when its value is wrong."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from projects import choices
from projects.models import Project, ProjectRole
from tests.factories import OrganizationFactory, ProjectFactory, make

pytestmark = pytest.mark.django_db

LIST = "/api/v1/projects/"


@pytest.fixture
def projects(db):
    """Three projects that differ on every filtered column."""
    operator = OrganizationFactory(name="Nordic Compute", slug="nordic-compute")
    paris = ProjectFactory(
        name="Paris Saclay campus",
        aliases=["Saclay DC"],
        kind=choices.ProjectKind.AI,
        status=choices.ProjectStatus.ANNOUNCED,
        country="FR",
        region="Île-de-France",
        municipality="Saclay",
        latitude=48.73,
        longitude=2.17,
        capacity_mw=Decimal("1000"),
        investment_amount=Decimal("8000000000"),
        investment_currency="EUR",
        jobs_permanent=500,
        operational_year=2031,
        announced_on=datetime.date(2025, 2, 10),
    )
    frankfurt = ProjectFactory(
        name="Frankfurt Hanau",
        kind=choices.ProjectKind.COLOCATION,
        status=choices.ProjectStatus.CONSTRUCTION,
        country="DE",
        region="Hesse",
        municipality="Hanau",
        latitude=50.13,
        longitude=8.92,
        capacity_mw=Decimal("180"),
        investment_amount=Decimal("1000000000"),
        investment_currency="USD",
        jobs_permanent=60,
        operational_year=2027,
        announced_on=datetime.date(2023, 6, 1),
    )
    fiji = ProjectFactory(
        name="Suva edge",
        kind=choices.ProjectKind.EDGE,
        status=choices.ProjectStatus.OPERATIONAL,
        country="FJ",
        region="Central",
        municipality="Suva",
        latitude=-18.14,
        longitude=178.44,
        capacity_mw=Decimal("2"),
        jobs_permanent=None,
        operational_year=2024,
        announced_on=datetime.date(2022, 1, 1),
    )
    make(ProjectRole, project=frankfurt, organization=operator, role=choices.RoleKind.OPERATOR)
    make(ProjectRole, project=fiji, organization=operator, role=choices.RoleKind.INVESTOR)
    Project.objects.filter(pk=fiji.pk).update(conflict_count=1)
    return {"paris": paris, "frankfurt": frankfurt, "fiji": fiji}


def selected(api, **params):
    response = api.get(LIST, params)
    assert response.status_code == 200, response.content
    return sorted(project["municipality"] for project in response.json()["results"])


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "saclay"}, ["Saclay"]),
        ({"q": "DC"}, ["Saclay"]),  # an alias
        ({"q": "nordic"}, ["Hanau", "Suva"]),  # an organization's name
        ({"status": "announced,construction"}, ["Hanau", "Saclay"]),
        ({"kind": "edge"}, ["Suva"]),
        ({"country": "fr,DE"}, ["Hanau", "Saclay"]),
        ({"region": "hesse"}, ["Hanau"]),
        ({"municipality": "SUVA"}, ["Suva"]),
        ({"capacity_min": 180}, ["Hanau", "Saclay"]),
        ({"capacity_max": 180}, ["Hanau", "Suva"]),
        ({"investment_min": 2000000000, "currency": "EUR"}, ["Saclay"]),
        ({"investment_max": 2000000000, "currency": "usd"}, ["Hanau"]),
        ({"jobs_min": 100}, ["Saclay"]),
        ({"operational_year_min": 2027}, ["Hanau", "Saclay"]),
        ({"operational_year_max": 2027}, ["Hanau", "Suva"]),
        ({"announced_after": "2023-01-01"}, ["Hanau", "Saclay"]),
        ({"announced_before": "2023-06-01"}, ["Hanau", "Suva"]),
        ({"organization": "nordic-compute"}, ["Hanau", "Suva"]),
        ({"organization": "nordic-compute", "role": "operator"}, ["Hanau"]),
        ({"role": "investor"}, ["Suva"]),
        ({"near": "50.11,8.68", "radius_km": 30}, ["Hanau"]),  # Frankfurt
        ({"near": "-18.0,-179.9", "radius_km": 300}, ["Suva"]),  # across the antimeridian
        ({"bbox": "2,48,9,51"}, ["Hanau", "Saclay"]),
        ({"bbox": "170,-20,-170,-10"}, ["Suva"]),  # across the antimeridian
        ({"has_conflicts": "true"}, ["Suva"]),
        ({"has_conflicts": "false"}, ["Hanau", "Saclay"]),
    ],
)
def test_filter_selects(api, projects, params, expected):
    assert selected(api, **params) == expected


def test_organization_by_id(api, projects):
    organization = ProjectRole.objects.first().organization
    assert selected(api, organization=organization.pk) == ["Hanau", "Suva"]


def test_updated_since(api, projects):
    later = timezone.now() + datetime.timedelta(seconds=1)
    assert selected(api, updated_since=later.isoformat()) == []
    earlier = timezone.now() - datetime.timedelta(hours=1)
    assert selected(api, updated_since=earlier.isoformat()) == ["Hanau", "Saclay", "Suva"]


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("capacity_mw", ["Suva", "Hanau", "Saclay"]),
        ("-capacity_mw", ["Saclay", "Hanau", "Suva"]),
        ("operational_year", ["Suva", "Hanau", "Saclay"]),
        ("-announced_on", ["Saclay", "Hanau", "Suva"]),
        ("name", ["Hanau", "Saclay", "Suva"]),
    ],
)
def test_ordering(api, projects, ordering, expected):
    results = api.get(LIST, {"ordering": ordering}).json()["results"]
    assert [project["municipality"] for project in results] == expected


def test_ordering_by_distance_with_distances(api, projects):
    results = api.get(LIST, {"near": "50.11,8.68", "radius_km": 1000, "ordering": "distance"}).json()["results"]
    assert [project["municipality"] for project in results] == ["Hanau", "Saclay"]
    assert results[0]["distance_km"] < results[1]["distance_km"]


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"capacity_min": "abc"}, "capacity_min"),
        ({"capacity_max": "1e"}, "capacity_max"),
        ({"investment_min": "lots", "currency": "EUR"}, "investment_min"),
        ({"jobs_min": "many"}, "jobs_min"),
        ({"operational_year_min": "soon"}, "operational_year_min"),
        ({"announced_after": "2025-13-01"}, "announced_after"),
        ({"announced_before": "yesterday"}, "announced_before"),
        ({"status": "dreaming"}, "status"),
        ({"kind": "quantum"}, "kind"),
        ({"role": "landlord"}, "role"),
        ({"has_conflicts": "perhaps"}, "has_conflicts"),
        ({"updated_since": "last week"}, "updated_since"),
        # past year 9999 once in UTC; PostgreSQL also refuses the -23:00 offset itself
        ({"updated_since": "9999-12-31T23:59:59-23:00"}, "updated_since"),
        ({"ordering": "colour"}, "ordering"),
    ],
)
def test_invalid_value_is_a_400_naming_the_parameter(api, projects, params, parameter):
    """A value that breaks what the schema states of the parameter: its type, format or choices."""
    response = api.get(LIST, params)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert isinstance(error["code"], str) and error["code"]
    assert parameter in error["fields"]
    assert all(isinstance(message, str) for message in error["fields"][parameter])


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"investment_min": "100"}, "currency"),
        ({"country": "XX"}, "country"),
        ({"near": "north"}, "near"),
        ({"near": "95,3"}, "near"),
        ({"near": "50,3", "radius_km": "-5"}, "radius_km"),
        ({"radius_km": "5"}, "near"),
        ({"bbox": "1,2,3"}, "bbox"),
        ({"ordering": "distance"}, "ordering"),
    ],
)
def test_a_value_the_schema_cannot_judge_is_a_422_naming_the_parameter(api, projects, params, parameter):
    """A text the schema leaves free (a country list, a point, a box) that the filter cannot read,
    or parameters that do not go together: the schema cannot state the rule, the answer names it."""
    response = api.get(LIST, params)
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert isinstance(error["code"], str) and error["code"]  # never null, even for a rule across parameters
    assert parameter in error["fields"]
    assert all(isinstance(message, str) for message in error["fields"][parameter])


def test_organization_made_of_other_digits_is_a_slug(api, projects):
    """ "²" passes str.isdigit() but is no ID: it names no organization rather than failing."""
    response = api.get(LIST, {"organization": "²"})
    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_updated_since_reads_any_offset(api, projects):
    assert api.get(LIST, {"updated_since": "2000-01-01T00:00:00-20:00"}).json()["count"] == 3
