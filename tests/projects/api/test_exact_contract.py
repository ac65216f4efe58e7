"""The schema says exactly what the API does: what it reads, the addresses it answers, what pages look like.

The deployed-mode contract run (scripts/api_contract.sh) checks the same with generated requests;
these are the cases it found, held here one by one.
"""

import pytest
import yaml
from jsonschema import Draft4Validator

from projects import services
from projects.models import GridConnection, ProjectRole
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

PROJECTS = "/api/v1/projects/"


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from rest_framework.test import APIClient

    with django_db_blocker.unblock():
        response = APIClient().get("/api/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def component(schema, name):
    """A component as JSON Schema (OpenAPI 3.0's ``nullable`` spelled as a type), its references resolved."""

    def resolve(node):
        if isinstance(node, list):
            return [resolve(item) for item in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            return resolve(schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]])
        node = {key: resolve(value) for key, value in node.items() if key not in ("readOnly", "writeOnly", "example")}
        if node.pop("nullable", False):
            return {"anyOf": [node, {"type": "null"}]}
        return node

    return resolve(schema["components"]["schemas"][name])


def conforms(schema, name, data):
    errors = [error.message for error in Draft4Validator(component(schema, name)).iter_errors(data)]
    assert not errors, errors


# Bodies are JSON only --------------------------------------------------------------------------


def test_every_request_body_is_declared_json_only(schema):
    bodies = [
        (path, method, set(operation["requestBody"]["content"]))
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if "requestBody" in operation
    ]
    assert bodies
    assert all(types == {"application/json"} for _path, _method, types in bodies), bodies


@pytest.mark.parametrize("content_type", ["multipart/form-data; boundary=x", "application/x-www-form-urlencoded"])
def test_a_form_body_is_refused_with_415(editor_api, content_type):
    response = editor_api.generic("POST", PROJECTS, "name=Formed", content_type=content_type)
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"


# Addresses: IDs are numbers, and a dot is not a format suffix ---------------------------------


@pytest.mark.parametrize(
    "path", ["/api/v1/claims/0.5/", "/api/v1/claims/1.json/", "/api/v1/claims/-1/", "/api/v1/projects/x.csv/"]
)
def test_an_address_that_is_not_an_id_or_slug_is_a_json_404(api, path):
    response = api.get(path)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_path_parameters_are_typed_as_the_addresses_match(schema):
    claim = schema["paths"]["/api/v1/claims/{id}/"]["get"]["parameters"]
    assert [p["schema"] for p in claim if p["in"] == "path"] == [{"type": "integer"}]
    project = schema["paths"]["/api/v1/projects/{slug}/"]["get"]["parameters"]
    assert [p["schema"] for p in project if p["in"] == "path"] == [{"type": "string", "pattern": "^[-a-zA-Z0-9_]+$"}]
    assert not [path for path in schema["paths"] if "format" in path]


def test_a_project_is_read_by_slug_or_id(api):
    project = ProjectFactory()
    assert api.get(f"{PROJECTS}{project.slug}/").json()["id"] == project.pk
    assert api.get(f"{PROJECTS}{project.pk}/").json()["slug"] == project.slug


# Pages ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["0", "-1", "abc", "", "last", "1.5"])
def test_a_page_number_that_is_not_a_whole_number_is_a_400_naming_it(api, page):
    response = api.get(PROJECTS, {"page": page})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["page"]


def test_a_page_past_the_last_is_a_404_as_documented(api, schema):
    ProjectFactory()
    response = api.get(PROJECTS, {"page": 2})
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    for path in ("/api/v1/projects/", "/api/v1/claims/", "/api/v1/changes/"):
        assert "404" in schema["paths"][path]["get"]["responses"], path
    parameters = {p["name"]: p["schema"] for p in schema["paths"][PROJECTS]["get"]["parameters"]}
    assert parameters["page"] == {"type": "integer", "minimum": 1}
    assert parameters["page_size"] == {"type": "integer", "minimum": 1}


def test_number_and_cursor_pages_both_match_the_documented_list(api, schema):
    ProjectFactory.create_batch(3)
    numbered = api.get(PROJECTS, {"page_size": 2}).json()
    cursor = api.get(PROJECTS, {"paginate": "cursor", "page_size": 2}).json()
    assert numbered["count"] == 3 and "count" not in cursor
    for page in (numbered, cursor):
        conforms(schema, "PaginatedProjectListList", page)


# Values that may be null are declared nullable --------------------------------------------------


def test_distance_is_null_without_near_as_documented(api, schema):
    ProjectFactory()
    page = api.get(PROJECTS).json()
    assert page["results"][0]["distance_km"] is None
    conforms(schema, "PaginatedProjectListList", page)


def test_an_undisclosed_role_and_a_connection_without_substation_match_the_schema(api, schema):
    project = ProjectFactory()
    role = services.record_save(instance=ProjectRole(project=project, role="developer", undisclosed=True), data={})
    grid = services.record_save(instance=GridConnection(project=project), data={})
    body = api.get(f"/api/v1/roles/{role.pk}/").json()
    assert body["organization_name"] is None
    conforms(schema, "ProjectRole", body)
    body = api.get(f"/api/v1/grid-connections/{grid.pk}/").json()
    assert body["substation_name"] is None
    conforms(schema, "GridConnection", body)
