"""Optimistic locking everywhere: a write to a record must say which version it was made against.

PUT, PATCH, DELETE and the claim review actions without ``If-Match`` answer 428 in the error
shape and change nothing; ``API_REQUIRE_IF_MATCH`` off lets them through (the versioned UPDATE
still refuses an edit saved meanwhile). Creates need no header.
"""

from decimal import Decimal

import pytest
from django.core.management import call_command

from projects.models import Claim, Project
from tests.factories import ClaimFactory, ProjectFactory
from tests.projects.api.helpers import if_match

pytestmark = pytest.mark.django_db

REVIEWS = ["accept", "reject", "set-headline"]
# A user's own records, which only their owner writes and which keep no version: no If-Match.
OWN_RECORDS = ("/api/v1/follows/", "/api/v1/webhooks/")
ERROR_SHAPE = {"$ref": "#/components/schemas/Error"}


def assert_precondition_required(response):
    assert response.status_code == 428, response.content
    error = response.json()["error"]
    assert (error["status"], error["code"]) == (428, "precondition_required")
    assert "If-Match" in error["message"]


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_a_write_without_if_match_is_428_and_changes_nothing(editor_api, method):
    project = ProjectFactory(name="Fouju campus", capacity_mw=Decimal("100"))
    url = f"/api/v1/projects/{project.slug}/"
    response = getattr(editor_api, method)(url, {"name": "Renamed", "capacity_mw": 5}, format="json")
    assert_precondition_required(response)
    project.refresh_from_db()
    assert (project.name, project.capacity_mw, project.version) == ("Fouju campus", Decimal("100"), 1)


@pytest.mark.parametrize("action", REVIEWS)
def test_a_review_without_if_match_is_428_and_changes_nothing(editor_api, action):
    claim = ClaimFactory()
    status = claim.status
    response = editor_api.post(f"/api/v1/claims/{claim.pk}/{action}/", {"note": "n"}, format="json")
    assert_precondition_required(response)
    claim.refresh_from_db()
    assert (claim.status, claim.version) == (status, 1)


def test_every_resource_asks_for_it(editor_api, demo):
    for resource in ["organizations", "sources", "claims", "substations", "roles", "grid-connections"]:
        record = editor_api.get(f"/api/v1/{resource}/").json()["results"][0]
        url = f"/api/v1/{resource}/{record.get('slug') or record['id']}/"
        assert_precondition_required(editor_api.patch(url, {}, format="json"))
        assert_precondition_required(editor_api.delete(url))


def test_permission_and_existence_come_first(api, reader_api, editor_api):
    project = ProjectFactory()
    url = f"/api/v1/projects/{project.slug}/"
    assert api.patch(url, {"name": "x"}, format="json").status_code == 401
    assert reader_api.patch(url, {"name": "x"}, format="json").status_code == 403
    assert editor_api.patch("/api/v1/projects/no-such-project/", {}, format="json").status_code == 404


def test_with_the_etag_the_write_goes_through(editor_api):
    project = ProjectFactory()
    url = f"/api/v1/projects/{project.slug}/"
    response = editor_api.patch(url, {"name": "Renamed"}, format="json", **if_match(editor_api, url))
    assert response.status_code == 200 and response.json()["name"] == "Renamed"
    assert editor_api.delete(url, HTTP_IF_MATCH="*").status_code == 204


def test_creates_need_no_if_match(editor_api):
    response = editor_api.post("/api/v1/projects/", {"name": "Fouju campus", "country": "FR"}, format="json")
    assert response.status_code == 201, response.content


def test_the_setting_relaxes_it(editor_api, settings):
    settings.API_REQUIRE_IF_MATCH = False
    project = ProjectFactory()
    claim = ClaimFactory(project=project)
    assert editor_api.patch(f"/api/v1/projects/{project.slug}/", {"name": "Renamed"}, format="json").status_code == 200
    assert editor_api.post(f"/api/v1/claims/{claim.pk}/accept/").status_code == 200
    assert Claim.objects.get(pk=claim.pk).status == "accepted"
    assert editor_api.delete(f"/api/v1/projects/{project.slug}/").status_code == 204
    assert not Project.objects.filter(pk=project.pk).exists()


def test_the_schema_documents_the_header_and_the_428(tmp_path):
    import yaml

    path = tmp_path / "schema.yaml"
    call_command("spectacular", "--file", str(path), "--validate")
    schema = yaml.safe_load(path.read_text())
    checked = 0
    for address, operations in schema["paths"].items():
        for method, operation in operations.items():
            review = method == "post" and address.rsplit("/", 2)[-2] in REVIEWS
            headers = {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "header"}
            if address.startswith(OWN_RECORDS):
                assert "If-Match" not in headers and "428" not in operation["responses"], (method, address)
            elif method in ("put", "patch", "delete") or review:
                checked += 1
                assert headers["If-Match"]["required"] is True, (method, address)
                assert {"412", "428"} <= set(operation["responses"]), (method, address)
                assert operation["responses"]["428"]["content"]["application/json"]["schema"] == ERROR_SHAPE
            elif method == "post":
                assert "If-Match" not in headers and "428" not in operation["responses"], (method, address)
    assert checked >= 3 * 11 + len(REVIEWS)
