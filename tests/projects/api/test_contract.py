"""The OpenAPI contract and the interactive docs."""

import re

import pytest
import yaml
from django.contrib.staticfiles import finders
from openapi_spec_validator import validate

from projects.filtersets import ProjectFilterSet

pytestmark = pytest.mark.django_db

ERROR_CODES = {"400", "401", "403", "404", "412", "429"}


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from rest_framework.test import APIClient

    with django_db_blocker.unblock():
        response = APIClient().get("/api/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def test_schema_is_valid_openapi_3(schema):
    assert schema["openapi"].startswith("3.")
    validate(schema)


def test_every_resource_has_the_five_operations(schema):
    for resource in ("projects", "organizations", "sources", "claims", "substations", "indicators"):
        lookup = "{slug}" if resource in ("projects", "organizations", "substations") else "{id}"
        assert set(schema["paths"][f"/api/v1/{resource}/"]) >= {"get", "post"}
        assert set(schema["paths"][f"/api/v1/{resource}/{lookup}/"]) >= {"get", "put", "patch", "delete"}


def test_every_project_filter_is_documented_with_its_help(schema):
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/projects/"]["get"]["parameters"]}
    for name, project_filter in ProjectFilterSet.base_filters.items():
        assert name in parameters, name
        expected = str(project_filter.extra.get("help_text") or project_filter.label)
        assert parameters[name]["description"].startswith(expected), name
    assert set(parameters["format"]["schema"]["enum"]) == {"json", "csv", "geojson"}
    assert {"page", "page_size", "paginate", "cursor"} <= set(parameters)
    stats = {p["name"] for p in schema["paths"]["/api/v1/stats/capacity/"]["get"]["parameters"]}
    assert {"group_by", "capacity_min", "near", "country"} <= stats


def test_formats_are_documented(schema):
    content = schema["paths"]["/api/v1/projects/"]["get"]["responses"]["200"]["content"]
    assert set(content) == {"application/json", "text/csv", "application/geo+json"}
    assert content["application/geo+json"]["schema"]["$ref"].endswith("/GeoJSONFeatureCollection")


def test_the_error_shape_is_documented_for_every_error(schema):
    error = schema["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    seen = set()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for code, response in operation["responses"].items():
                if code in ERROR_CODES:
                    assert response["content"]["application/json"]["schema"]["$ref"].endswith("/Error"), (path, code)
                    seen.add(code)
            assert "429" in operation["responses"], (path, method)
    assert seen == ERROR_CODES
    patch = schema["paths"]["/api/v1/projects/{slug}/"]["patch"]["responses"]
    assert {"400", "401", "403", "404", "412"} <= set(patch)


def test_docs_page_loads_only_local_assets(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    urls = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
    assert urls, "the page should load the Swagger UI assets"
    for url in urls:
        assert url.startswith("/static/"), url
        assert finders.find(url.removeprefix("/static/")), f"{url} is not shipped locally"
    assert not re.search(r"https?://", html.replace("http://testserver", ""))
    assert '"/api/schema/"' in html
