"""The other resources: list, detail, create, update, partial update, delete, with history and validation."""

import pytest

from core.models import ObjectChange
from projects.models import Indicator, Organization, Phase
from tests.factories import OrganizationFactory, ProjectFactory, SourceFactory, SubstationFactory, make

pytestmark = pytest.mark.django_db


def payloads():
    """(resource, model, body to create, field to update and its new value) for each resource."""
    project, organization, other, source = (
        ProjectFactory(),
        OrganizationFactory(),
        OrganizationFactory(),
        SourceFactory(),
    )
    substation = SubstationFactory()
    return [
        (
            "organizations",
            "organization",
            {"name": "Data4", "kind": "company", "country": "FR"},
            ("website", "https://data4.example"),
        ),
        (
            "relationships",
            "organizationrelationship",
            {"from_organization": organization.pk, "to_organization": other.pk, "kind": "partnership"},
            ("purpose", "Sites for data centers"),
        ),
        (
            "sources",
            "source",
            {"title": "Le data center", "url": "https://news.example.org/dc"},
            ("publisher", "La Voix"),
        ),
        (
            "substations",
            "substation",
            {"name": "Avelin", "country": "FR", "latitude": 50.5, "longitude": 3.1},
            ("voltage_kv", 400),
        ),
        (
            "indicators",
            "indicator",
            {"name": "Cloud use", "value": 75, "unit": "%", "source": source.pk, "year": 2030},
            ("scope", "European companies"),
        ),
        ("phases", "phase", {"project": project.pk, "name": "Phase 2", "capacity_mw": 350}, ("target_year", 2032)),
        (
            "milestones",
            "milestone",
            {"project": project.pk, "kind": "permit_filed", "date": "2026-03-01", "date_precision": "month"},
            ("description", "Building permit filed"),
        ),
        (
            "roles",
            "projectrole",
            {"project": project.pk, "role": "developer", "undisclosed": True},
            ("note", "Name confidential"),
        ),
        (
            "grid-connections",
            "gridconnection",
            {"project": project.pk, "substation": substation.pk, "status": "requested"},
            ("voltage_kv", 225),
        ),
    ]


def test_every_resource_supports_the_full_lifecycle(api, editor_api, editor):
    for resource, model, body, (field, value) in payloads():
        url = f"/api/v1/{resource}/"
        created = editor_api.post(url, body, format="json")
        assert created.status_code == 201, (resource, created.content)
        record = created.json()
        detail = f"{url}{record['slug'] if 'slug' in record else record['id']}/"
        assert api.get(url).json()["count"] >= 1
        fetched = api.get(detail)
        assert fetched.status_code == 200 and fetched["ETag"]

        patched = editor_api.patch(detail, {field: value}, format="json", HTTP_IF_MATCH=fetched["ETag"])
        assert patched.status_code == 200, (resource, patched.content)
        assert patched.json()[field] == value
        assert patched.json()["version"] == record["version"] + 1

        put = editor_api.put(detail, {**body, field: value}, format="json", HTTP_IF_MATCH=patched["ETag"])
        assert put.status_code == 200, (resource, put.content)

        assert editor_api.delete(detail, HTTP_IF_MATCH=put["ETag"]).status_code == 204, resource
        assert api.get(detail).status_code == 404
        actions = list(
            ObjectChange.objects.filter(object_id=record["id"], content_type__model=model)
            .order_by("id")
            .values_list("action", "source")
        )
        assert actions[0] == ("create", "api") and actions[-1] == ("delete", "api"), resource


def test_organization_by_slug_or_id(api):
    organization = OrganizationFactory(name="Nexity")
    assert api.get(f"/api/v1/organizations/{organization.slug}/").json()["name"] == "Nexity"
    assert api.get(f"/api/v1/organizations/{organization.pk}/").json()["name"] == "Nexity"


def test_write_validation_names_the_field(editor_api):
    response = editor_api.post("/api/v1/substations/", {"name": "Nowhere", "latitude": 50}, format="json")
    assert response.status_code == 422  # a rule across fields: the schema cannot state it
    assert response.json()["error"]["fields"]["non_field_errors"] == ["Give both latitude and longitude, or neither."]
    organization = OrganizationFactory()
    response = editor_api.post(
        "/api/v1/relationships/",
        {"from_organization": organization.pk, "to_organization": organization.pk, "kind": "partnership"},
        format="json",
    )
    assert response.status_code == 422
    response = editor_api.post("/api/v1/sources/", {"title": "Duplicate", "url": SourceFactory().url}, format="json")
    assert response.status_code == 409  # a unique value already taken
    assert "url" in response.json()["error"]["fields"]


def test_source_full_text_is_accepted_but_never_published(api, editor_api):
    created = editor_api.post("/api/v1/sources/", {"title": "Article", "text": "The whole article."}, format="json")
    assert created.status_code == 201
    assert "text" not in created.json()
    assert "text" not in api.get(f"/api/v1/sources/{created.json()['id']}/").json()
    [change] = api.get("/api/v1/changes/", {"object_type": "projects.source"}).json()["results"]
    assert "text" not in change["after"]


def test_child_resources_filter_by_project(api):
    first, second = ProjectFactory(), ProjectFactory()
    for project in (first, second):
        make(Phase, project=project, name="Phase 1")
    response = api.get("/api/v1/phases/", {"project": first.pk})
    assert [phase["project"] for phase in response.json()["results"]] == [first.pk]


@pytest.mark.parametrize("resource", ["organizations", "claims", "phases", "indicators"])
def test_anonymous_writes_are_refused_on_every_resource(api, resource):
    response = api.post(f"/api/v1/{resource}/", {"name": "x"}, format="json")
    assert response.status_code == 401
    assert Organization.objects.count() == 0


@pytest.mark.parametrize(
    ("resource", "params", "parameter"),
    [
        ("claims", {"in_conflict": "maybe"}, "in_conflict"),
        ("claims", {"is_headline": "yes please"}, "is_headline"),
        ("indicators", {"is_forecast": "perhaps"}, "is_forecast"),
    ],
)
def test_invalid_boolean_filters_are_400(api, resource, params, parameter):
    response = api.get(f"/api/v1/{resource}/", params)
    assert response.status_code == 400
    assert parameter in response.json()["error"]["fields"]


def test_boolean_filters_still_filter(api):
    source = SourceFactory()
    for is_forecast in (True, False):
        make(Indicator, name="Cloud use", value=75, unit="%", source=source, is_forecast=is_forecast)
    assert api.get("/api/v1/indicators/", {"is_forecast": "true"}).json()["count"] == 1
    assert api.get("/api/v1/indicators/").json()["count"] == 2


@pytest.mark.parametrize("path", ["claims/abc/", "claims/²/", "organizations/²/", "substations/²/", "phases/1x/"])
def test_malformed_ids_are_404_in_the_error_shape(api, path):
    response = api.get(f"/api/v1/{path}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
