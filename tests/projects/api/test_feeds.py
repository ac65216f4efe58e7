"""The changes feed for sync clients, and the capacity aggregates."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from core.models import ObjectChange
from projects import services
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

CHANGES = "/api/v1/changes/"
STATS = "/api/v1/stats/capacity/"


def test_changes_since_a_time_oldest_first(api):
    old = ProjectFactory(name="Old")
    ObjectChange.objects.filter(object_id=old.pk).update(time=timezone.now() - datetime.timedelta(days=2))
    since = timezone.now() - datetime.timedelta(days=1)
    new = ProjectFactory(name="New")
    services.project_update(project=new, data={"capacity_mw": Decimal("120")})
    results = api.get(CHANGES, {"since": since.isoformat(), "object_type": "projects.project"}).json()["results"]
    assert [(entry["object_repr"], entry["action"]) for entry in results] == [("New", "create"), ("New", "update")]
    update = results[1]
    assert update["object_type"] == "projects.project" and update["object_id"] == new.pk
    assert update["changed_fields"] == ["capacity_mw"]
    assert update["before"]["capacity_mw"] == "100" and update["after"]["capacity_mw"] == "120"
    assert update["time"] >= results[0]["time"]


def test_changes_pages_with_a_cursor_that_holds_its_place(api):
    ProjectFactory.create_batch(5)
    first = api.get(CHANGES, {"page_size": 3, "object_type": "projects.project"}).json()
    assert len(first["results"]) == 3 and "count" not in first
    ProjectFactory(name="Made while paging")
    second = api.get(first["next"]).json()
    seen = [entry["object_repr"] for entry in first["results"] + second["results"]]
    assert seen[-1] == "Made while paging"
    assert len(seen) == len({entry["id"] for entry in first["results"] + second["results"]}) == 6


def test_changes_filter_by_object_type_and_action(api):
    project = ProjectFactory()
    pk = project.pk
    services.project_delete(project=project)
    results = api.get(CHANGES, {"object_type": "projects.project", "action": "delete"}).json()["results"]
    assert [(entry["object_id"], entry["action"]) for entry in results] == [(pk, "delete")]
    assert results[0]["after"] is None and results[0]["before"]["name"] == project.name


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"since": "yesterday"}, "since"),
        ({"since": "9999-12-31T23:59:59-23:00"}, "since"),
        ({"action": "rename"}, "action"),
        ({"object_type": "projects.projet"}, "object_type"),
        ({"object_type": "auth.user"}, "object_type"),
        ({"page_size": "all"}, "page_size"),
    ],
)
def test_invalid_changes_parameters_are_400(api, db, params, parameter):
    response = api.get(CHANGES, params)
    assert response.status_code == 400
    assert parameter in response.json()["error"]["fields"]


def test_changes_feed_reads_in_fixed_queries(api, django_assert_max_num_queries):
    ProjectFactory.create_batch(30)
    with django_assert_max_num_queries(1):
        assert len(api.get(CHANGES, {"page_size": 30}).json()["results"]) == 30


@pytest.fixture
def portfolio(db):
    ProjectFactory(
        country="FR",
        status="announced",
        kind="ai",
        capacity_mw=Decimal("700"),
        operational_year=2030,
        investment_amount=Decimal("5000000000"),
        investment_currency="EUR",
    )
    ProjectFactory(
        country="FR",
        status="construction",
        kind="ai",
        capacity_mw=Decimal("300"),
        operational_year=2027,
        investment_amount=Decimal("1000000000"),
        investment_currency="EUR",
    )
    ProjectFactory(
        country="FR",
        status="construction",
        kind="edge",
        capacity_mw=None,
        operational_year=None,
        investment_amount=Decimal("20000000"),
        investment_currency="USD",
    )
    ProjectFactory(
        country="DE",
        status="operational",
        kind="colocation",
        capacity_mw=Decimal("50"),
        operational_year=2024,
        latitude=50.11,
        longitude=8.68,
    )


def groups(response):
    assert response.status_code == 200, response.content
    return {group["key"]: group for group in response.json()["groups"]}


def test_capacity_by_country_with_investment_per_currency(api, portfolio):
    by_country = groups(api.get(STATS, {"group_by": "country"}))
    france = by_country["FR"]
    assert france["label"] == "France"
    assert (france["project_count"], france["projects_with_capacity"], france["capacity_mw"]) == (3, 2, 1000.0)
    assert france["investment"] == [
        {"currency": "EUR", "amount": 6000000000.0, "project_count": 2},
        {"currency": "USD", "amount": 20000000.0, "project_count": 1},
    ]
    assert by_country["DE"]["capacity_mw"] == 50.0 and by_country["DE"]["investment"] == []


@pytest.mark.parametrize(
    ("group_by", "expected"),
    [
        ("status", {"announced": 700.0, "construction": 300.0, "operational": 50.0}),
        ("kind", {"ai": 1000.0, "edge": None, "colocation": 50.0}),
        ("operational_year", {"2030": 700.0, "2027": 300.0, "2024": 50.0, None: None}),
    ],
)
def test_capacity_grouped_by(api, portfolio, group_by, expected):
    assert {
        key: group["capacity_mw"] for key, group in groups(api.get(STATS, {"group_by": group_by})).items()
    } == expected


def test_capacity_honours_the_project_filters(api, portfolio):
    assert list(groups(api.get(STATS, {"group_by": "country", "capacity_min": 100}))) == ["FR"]
    near_frankfurt = groups(api.get(STATS, {"group_by": "country", "near": "50.1,8.7", "radius_km": 10}))
    assert list(near_frankfurt) == ["DE"] and near_frankfurt["DE"]["project_count"] == 1


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"group_by": "colour"}, "group_by"),
        ({}, "group_by"),
        ({"group_by": "country", "capacity_min": "x"}, "capacity_min"),
    ],
)
def test_invalid_stats_parameters_are_400(api, db, params, parameter):
    response = api.get(STATS, params)
    assert response.status_code == 400
    assert parameter in response.json()["error"]["fields"]
