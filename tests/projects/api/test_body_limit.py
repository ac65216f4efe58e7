"""Bounded work per request: the API reads a body of at most ``API_MAX_BODY_BYTES`` (1 MB).

A larger one is refused with 413 in the error shape by its announced length, before it is read.
"""

import time

import orjson
import pytest

from projects.models import Project
from tests.factories import ProjectFactory
from tests.projects.api.helpers import if_match

pytestmark = pytest.mark.django_db


def post_json(client, url, body, **headers):
    return client.generic("POST", url, orjson.dumps(body), content_type="application/json", **headers)


def test_a_ten_megabyte_body_is_a_quick_413_in_the_error_shape(editor_api):
    started = time.perf_counter()
    response = post_json(editor_api, "/api/v1/projects/", {"name": "Fouju", "description": "x" * 10_000_000})
    assert time.perf_counter() - started < 1
    assert response.status_code == 413
    assert response.json() == {
        "error": {
            "status": 413,
            "code": "too_large",
            "message": "The request body is larger than the API reads: at most 1,048,576 bytes.",
        }
    }
    assert not Project.objects.exists()


def test_the_limit_applies_to_every_write(editor_api, settings):
    settings.API_MAX_BODY_BYTES = 1000
    project = ProjectFactory()
    url = f"/api/v1/projects/{project.slug}/"
    body = orjson.dumps({"description": "x" * 1000})
    for method in ("PATCH", "PUT"):
        response = editor_api.generic(method, url, body, content_type="application/json", **if_match(editor_api, url))
        assert response.status_code == 413 and response.json()["error"]["code"] == "too_large", method
    small = post_json(editor_api, "/api/v1/projects/", {"name": "Fouju"})
    assert small.status_code == 201


def test_permission_and_throttling_come_before_the_size(api):
    response = post_json(api, "/api/v1/projects/", {"description": "x" * 2_000_000})
    assert response.status_code == 401


def test_djangos_own_body_limit_is_a_413_too(settings):
    """Should a body be read under DATA_UPLOAD_MAX_MEMORY_SIZE (Django's form parsing), its refusal
    is the same 413. The API parses JSON only, which DRF reads past that setting: the announced
    length above is what bounds it."""
    from django.core.exceptions import RequestDataTooBig

    from core.api.errors import exception_handler

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = exception_handler(RequestDataTooBig("Request body exceeded"), {})
    assert response.status_code == 413
    assert response.data["error"]["code"] == "too_large"
    assert "1,000 bytes" in response.data["error"]["message"]


def test_the_schema_documents_the_413_on_writes_with_a_body(api):
    paths = api.get("/api/schema/", {"format": "json"}).json()["paths"]
    for method, operation in paths["/api/v1/projects/{slug}/"].items():
        assert ("413" in operation["responses"]) == (method in ("put", "patch")), method
    assert "413" in paths["/api/v1/projects/"]["post"]["responses"]
