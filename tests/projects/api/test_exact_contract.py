"""The schema says exactly what the API does: what it reads, the addresses it answers, what pages look like.

The deployed-mode contract run (scripts/api_contract.sh) checks the same with generated requests;
these are the cases it found, held here one by one.
"""

import pytest
import yaml
from jsonschema import Draft4Validator

from projects import services
from projects.models import GridConnection, Project, ProjectRole
from tests.factories import ClaimFactory, ProjectFactory
from tests.projects.api.helpers import if_match

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


# 400 for what the schema states, 422 for a rule it cannot state, 409 for a value taken ----------


@pytest.mark.parametrize(
    "body, field",
    [
        ({"name": 12}, "name"),  # a number for a text
        ({"name": "Typed", "capacity_mw": "700"}, "capacity_mw"),  # a text for a number
        ({"name": "Typed", "is_draft": 1}, "is_draft"),  # a number for a boolean
        ({"name": "Typed", "jobs_permanent": True}, "jobs_permanent"),  # a boolean for an integer
        ({"name": "Typed", "aliases": "Other name"}, "aliases"),  # a text for a list
        ({"name": "Typed", "aliases": ["Other", 3]}, "aliases"),  # a number in a list of texts
        ({"name": "Typed", "kind": "castle"}, "kind"),  # not one of the choices
    ],
)
def test_a_value_that_breaks_the_schema_is_a_400_naming_it(editor_api, body, field):
    response = editor_api.post(PROJECTS, body, format="json")
    assert response.status_code == 400, response.content
    assert list(response.json()["error"]["fields"]) == [field]
    assert not Project.objects.exists()


def test_an_integral_number_is_an_integer_as_json_schema_says(editor_api):
    response = editor_api.post(PROJECTS, {"name": "Jobs", "jobs_permanent": 30.0}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["jobs_permanent"] == 30


def test_figures_are_rounded_to_their_places_not_refused(editor_api):
    body = {
        "name": "Rounded",
        "capacity_mw": 0.1 + 0.2,
        "investment_amount": 99999999.999,
        "investment_currency": "EUR",
    }
    response = editor_api.post(PROJECTS, body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["capacity_mw"] == 0.3
    assert response.json()["investment_amount"] == 100000000.0
    below_the_maximum = {"name": "Largest", "capacity_mw": 99999999.999}
    assert editor_api.post(PROJECTS, below_the_maximum, format="json").json()["capacity_mw"] == 99999999.99
    too_large = editor_api.post(PROJECTS, {"name": "Too large", "capacity_mw": 1e8}, format="json")
    assert too_large.status_code == 400 and list(too_large.json()["error"]["fields"]) == ["capacity_mw"]


def test_a_related_record_that_does_not_exist_is_a_422(editor_api):
    project = ProjectFactory()
    response = editor_api.post("/api/v1/phases/", {"project": project.pk + 1000, "name": "Phase 1"}, format="json")
    assert response.status_code == 422
    assert response.json()["error"] | {"fields": None} == {
        "status": 422,
        "code": "does_not_exist",
        "message": "Invalid input: project.",
        "fields": None,
    }


def test_a_rule_across_fields_is_a_422(editor_api):
    body = {"name": "Late", "announced_on": "2030-01-01", "operational_year": 2026}
    response = editor_api.post(PROJECTS, body, format="json")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "rule"
    assert list(response.json()["error"]["fields"]) == ["non_field_errors"]


def test_a_schema_error_beside_a_rule_is_a_400(editor_api):
    body = {"name": "Late", "announced_on": "2030-01-01", "operational_year": 2026, "kind": "castle"}
    assert editor_api.post(PROJECTS, body, format="json").status_code == 400


def test_a_slug_already_taken_is_a_409(editor_api):
    taken = ProjectFactory()
    other = ProjectFactory()
    url = f"{PROJECTS}{other.slug}/"
    response = editor_api.patch(url, {"slug": taken.slug}, format="json", **if_match(editor_api, url))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "unique"
    assert list(response.json()["error"]["fields"]) == ["slug"]


def test_a_web_address_django_refuses_is_a_422(editor_api):
    response = editor_api.post("/api/v1/sources/", {"title": "Memo", "url": "urn:isbn:0451450523"}, format="json")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "url"


def test_an_item_of_a_list_is_named_by_its_index(editor_api):
    response = editor_api.post(PROJECTS, {"name": "Nul", "aliases": ["fine", "nul\x00"]}, format="json")
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"aliases.1": ["Null characters are not allowed."]}


def test_422_and_414_are_documented(schema):
    responses = schema["paths"][PROJECTS]["post"]["responses"]
    assert {"400", "409", "422"} <= set(responses)
    assert set(schema["paths"][PROJECTS]["get"]["responses"]) >= {"400", "422", "414"}
    assert schema["paths"]["/api/v1/claims/{id}/"]["get"]["responses"]["414"]["content"] == {
        "text/html": {"schema": {"type": "string"}}
    }


# Query parameters: as typed as the schema says ------------------------------------------------


def test_a_related_id_that_no_record_has_filters_to_nothing(api):
    project = ProjectFactory()
    assert api.get("/api/v1/claims/", {"project": project.pk + 1000}).json()["count"] == 0
    assert api.get("/api/v1/claims/", {"project": 2**70}).json()["count"] == 0
    response = api.get("/api/v1/claims/", {"project": "first"})
    assert response.status_code == 400 and list(response.json()["error"]["fields"]) == ["project"]


@pytest.mark.parametrize(
    "url, params",
    [
        (PROJECTS, {"status": ""}),
        (PROJECTS, {"capacity_min": ""}),
        (PROJECTS, {"updated_since": ""}),
        (PROJECTS, {"format": ""}),
        (PROJECTS, {"include_drafts": ""}),
        ("/api/v1/organizations/", {"country": ""}),
        ("/api/v1/changes/", {"since": ""}),
        ("/api/v1/changes/", {"object_type": ""}),
    ],
)
def test_an_empty_value_where_the_schema_states_a_type_is_a_400(api, url, params):
    response = api.get(url, params)
    assert response.status_code == 400, response.content
    assert list(response.json()["error"]["fields"]) == list(params)


def test_an_empty_text_is_still_a_text(api):
    ProjectFactory()
    assert api.get(PROJECTS, {"q": "", "region": ""}).json()["count"] == 1


@pytest.mark.parametrize("params", [{"jobs_min": "1.5"}, {"operational_year_max": "2030.5"}])
def test_an_integer_parameter_takes_whole_numbers(api, params):
    response = api.get(PROJECTS, params)
    assert response.status_code == 400 and list(response.json()["error"]["fields"]) == list(params)


def test_a_number_parameter_has_no_cap_the_schema_does_not_state(api):
    assert api.get(PROJECTS, {"capacity_min": "1e60"}).json()["count"] == 0


def test_a_cursor_page_still_holds_page_to_a_whole_number(api):
    response = api.get(PROJECTS, {"paginate": "cursor", "page": "0"})
    assert response.status_code == 400 and list(response.json()["error"]["fields"]) == ["page"]


def test_radius_without_a_point_is_a_rule_across_parameters(api):
    response = api.get(PROJECTS, {"radius_km": "10"})
    assert response.status_code == 422 and list(response.json()["error"]["fields"]) == ["near"]


def test_the_object_types_of_the_feed_are_listed_in_the_schema(schema):
    parameters = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/changes/"]["get"]["parameters"]}
    assert "projects.project" in parameters["object_type"]["enum"]


def test_a_slug_is_never_digits_alone_which_would_read_as_an_id(editor_api):
    made = editor_api.post(PROJECTS, {"name": "2025"}, format="json")
    assert made.status_code == 201
    slug = made.json()["slug"]
    assert not slug.isdigit() and slug.startswith("2025")
    assert editor_api.get(made["Location"]).json()["slug"] == slug
    given = editor_api.post(PROJECTS, {"name": "Numbered", "slug": "1234"}, format="json")
    assert given.status_code == 422
    assert given.json()["error"]["code"] == "numeric_slug"


def test_an_accepted_claim_turned_into_a_figure_without_a_value_is_a_422_not_a_500(editor_api):
    claim = ClaimFactory(attribute="municipality", value_number=None, value_text="Escaudain", status="accepted")
    url = f"/api/v1/claims/{claim.pk}/"
    response = editor_api.patch(url, {"attribute": "capacity_mw"}, format="json", **if_match(editor_api, url))
    assert response.status_code == 422, response.content
    assert "value_number" in response.json()["error"]["fields"]


def test_a_field_the_body_does_not_take_is_refused_not_ignored(editor_api, schema):
    response = editor_api.post(PROJECTS, {"name": "Typo", "capacity": 700, "id": 5}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "capacity": ["Not a field of this body: the schema lists the fields a client may send."],
        "id": ["Not a field of this body: the schema lists the fields a client may send."],
    }
    assert not Project.objects.exists()
    requests = [name for name in schema["components"]["schemas"] if name.endswith("Request")]
    assert requests
    for name in requests:
        assert schema["components"]["schemas"][name]["additionalProperties"] is False, name


def test_a_name_of_spaces_alone_is_a_rule_and_an_empty_one_breaks_the_schema(editor_api):
    spaces = editor_api.post(PROJECTS, {"name": "\x1c "}, format="json")
    assert spaces.status_code == 422 and spaces.json()["error"]["code"] == "whitespace_only"
    empty = editor_api.post(PROJECTS, {"name": ""}, format="json")
    assert empty.status_code == 400 and empty.json()["error"]["code"] == "blank"


def test_an_emptied_slug_is_made_from_the_name_again(editor_api):
    project = ProjectFactory(name="Fouju campus")
    url = f"{PROJECTS}{project.slug}/"
    response = editor_api.patch(url, {"slug": ""}, format="json", **if_match(editor_api, url))
    assert response.status_code == 200, response.content
    assert response.json()["slug"] == "fouju-campus"
    project.refresh_from_db()
    assert project.slug == "fouju-campus"


def test_a_download_still_checks_the_paging_parameters(api):
    response = api.get(PROJECTS, {"format": "csv", "paginate": "sideways"})
    assert response.status_code == 400 and list(response.json()["error"]["fields"]) == ["paginate"]
    for params in ({"format": "csv", "page": "0"}, {"format": "geojson", "page_size": "-1"}):
        response = api.get(PROJECTS, params)
        assert response.status_code == 400 and list(response.json()["error"]["fields"]) == [list(params)[1]]


def test_an_integer_past_its_column_filters_to_nothing(api):
    """year is a small integer column: 40000 matches no row, counted without a query (it was a 500)."""
    response = api.get("/api/v1/indicators/", {"year": 40000})
    assert response.status_code == 200 and response.json()["count"] == 0
