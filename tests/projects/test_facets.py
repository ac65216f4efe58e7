"""Facets on the API's project list and the list page: exact counts under the current filter, each
facet ignoring its own filter, that add up to the filtered totals and equal what filtering by each
value answers."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from projects import choices, facets
from projects.models import ProjectRole
from tests.factories import OrganizationFactory, ProjectFactory, make

pytestmark = pytest.mark.django_db

PROJECTS = "/api/v1/projects/"
AI, HYPERSCALE = choices.ProjectKind.AI, choices.ProjectKind.HYPERSCALE
PLANNING, OPERATIONAL = choices.ProjectStatus.PLANNING, choices.ProjectStatus.OPERATIONAL


@pytest.fixture
def catalogue():
    builder, operator = OrganizationFactory(name="Builder SA"), OrganizationFactory(name="Operator Ltd")
    rows = [
        ("FR", HYPERSCALE, PLANNING, [builder, operator]),
        ("FR", HYPERSCALE, OPERATIONAL, [builder]),
        ("FR", AI, PLANNING, [operator]),
        ("DE", HYPERSCALE, PLANNING, [builder]),
        ("DE", AI, OPERATIONAL, []),
        ("AU", HYPERSCALE, PLANNING, [operator]),
    ]
    for country, kind, status, organizations in rows:
        project = ProjectFactory(country=country, kind=kind, status=status)
        for organization in organizations:
            make(ProjectRole, project=project, organization=organization, role=choices.RoleKind.DEVELOPER)
        # a second role of the same organization counts the project once
        if organizations:
            make(ProjectRole, project=project, organization=organizations[0], role=choices.RoleKind.OWNER)
    ProjectFactory(country="FR", kind=HYPERSCALE, is_draft=True)  # never counted for readers
    return {"builder": builder, "operator": operator}


def count(api, **params) -> int:
    response = api.get(PROJECTS, params)
    assert response.status_code == 200, response.content
    return response.json()["count"]


def test_facet_counts_equal_the_filtered_totals(catalogue):
    api = APIClient()
    response = api.get(PROJECTS, {"facets": "country,status,kind,organization", "kind": "hyperscale"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 4
    counts = {name: {item["value"]: item["count"] for item in values} for name, values in body["facets"].items()}
    # under a filter on another facet: the sum is the filtered total, each value what filtering by it answers
    assert counts["country"] == {"FR": 2, "DE": 1, "AU": 1}
    assert sum(counts["country"].values()) == body["count"]
    assert sum(counts["status"].values()) == body["count"]
    for code, number in counts["country"].items():
        assert count(api, kind="hyperscale", country=code) == number
    for status, number in counts["status"].items():
        assert count(api, kind="hyperscale", status=status) == number
    for slug, number in counts["organization"].items():
        assert count(api, kind="hyperscale", organization=slug) == number
    assert counts["organization"] == {catalogue["builder"].slug: 3, catalogue["operator"].slug: 2}
    # a facet ignores its own filter: every kind is offered, with the counts filtering by it gives
    assert counts["kind"] == {"hyperscale": 4, "ai": 2}
    assert count(api, kind="ai") == 2
    selected = {item["value"]: item["selected"] for item in body["facets"]["kind"]}
    assert selected == {"hyperscale": True, "ai": False}


def test_each_facet_ignores_only_its_own_filter(catalogue):
    body = APIClient().get(PROJECTS, {"facets": "country,status", "country": "FR", "status": "planning"}).json()
    countries = {item["value"]: item["count"] for item in body["facets"]["country"]}
    statuses = {item["value"]: item["count"] for item in body["facets"]["status"]}
    assert countries == {"FR": 2, "DE": 1, "AU": 1}  # planning projects, by country
    assert statuses == {"planning": 2, "operational": 1}  # French projects, by status
    assert body["count"] == 2


def test_no_facets_unless_asked(catalogue):
    assert "facets" not in APIClient().get(PROJECTS).json()


@pytest.mark.parametrize("value", ["", "colour", "country,,nope"])
def test_an_unknown_facet_is_a_400_naming_the_parameter(catalogue, value):
    response = APIClient().get(PROJECTS, {"facets": value})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["facets"]


def test_the_organization_facet_holds_the_top_30():
    project = ProjectFactory()
    other = ProjectFactory()
    organizations = [
        OrganizationFactory(name=f"Company {number:02d}") for number in range(facets.ORGANIZATION_LIMIT + 2)
    ]
    for organization in organizations:
        make(ProjectRole, project=project, organization=organization, role=choices.RoleKind.INVESTOR)
    make(ProjectRole, project=other, organization=organizations[-1], role=choices.RoleKind.INVESTOR)
    values = APIClient().get(PROJECTS, {"facets": "organization"}).json()["facets"]["organization"]
    assert len(values) == facets.ORGANIZATION_LIMIT
    assert values[0] == {"value": organizations[-1].slug, "label": "Company 31", "count": 2, "selected": False}
    assert [item["label"] for item in values[1:3]] == ["Company 00", "Company 01"]


def test_facet_queries_are_one_per_facet_whatever_the_number_of_projects():
    api = APIClient()

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get(PROJECTS, {"facets": "country,status,kind,organization"}).status_code == 200
        return len(captured)

    organization = OrganizationFactory()
    for number in range(3):
        project = ProjectFactory(country="FR", capacity_mw=Decimal(number + 1))
        make(ProjectRole, project=project, organization=organization, role=choices.RoleKind.DEVELOPER)
    api.get(PROJECTS)  # the throttle window and content types, read once
    few = queries()
    for _number in range(12):
        project = ProjectFactory(country="DE", kind=AI, status=OPERATIONAL)
        make(ProjectRole, project=project, organization=OrganizationFactory(), role=choices.RoleKind.DEVELOPER)
    assert queries() == few
    with CaptureQueriesContext(connection) as captured:
        api.get(PROJECTS)
    assert few - len(captured) == 2  # the column facets share one grouped query; the organizations, one
    with CaptureQueriesContext(connection) as captured:
        assert api.get(PROJECTS, {"facets": "country,status,kind", "country": "FR", "kind": "ai"}).status_code == 200
    with CaptureQueriesContext(connection) as unfaceted:
        api.get(PROJECTS, {"country": "FR", "kind": "ai"})
    assert len(captured) - len(unfaceted) == 3  # one for each facet whose own filter is set, one for the rest


def test_the_schema_documents_facets(client):
    schema = client.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/projects/"]["get"]
    assert "facets" in {parameter["name"] for parameter in operation["parameters"]}
    page = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    properties = schema["components"]["schemas"][page]["properties"]["facets"]["properties"]
    assert set(properties) == set(facets.FACETS)


def test_the_list_page_shows_facets_as_filters_with_counts(client, catalogue):
    response = client.get("/projects/", {"kind": "hyperscale"})
    assert response.status_code == 200
    text = response.text
    assert 'class="facets"' in text
    assert '<a href="?kind=hyperscale&amp;country=FR">France</a> <span class="count">2</span>' in text
    assert '<a href="?kind=ai%2Chyperscale">AI</a> <span class="count">2</span>' in text
    # a chosen value takes itself out
    assert '<a href="?" aria-current="true" class="selected">Hyperscale</a> <span class="count">4</span>' in text
    followed = client.get("/projects/", {"kind": "hyperscale", "country": "FR"})
    assert followed.status_code == 200
    assert "2 projects" in followed.text
