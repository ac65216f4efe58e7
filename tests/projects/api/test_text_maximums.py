"""Every free text has a maximum length, refused with a 400 naming the field.

A description 20,000 characters, a quote 5,000, a source's full text 500,000 (which still fits
in the 1 MB body the API reads); in the API, the services and the admin alike.
"""

import json

import orjson
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from projects import services
from projects.models import Claim, Project, Source
from projects.models.limits import DESCRIPTION_MAX_LENGTH, QUOTE_MAX_LENGTH, SOURCE_TEXT_MAX_LENGTH
from tests.factories import ProjectFactory, SourceFactory, UserFactory
from tests.projects.admin.helpers import changeform_data

pytestmark = pytest.mark.django_db

FRENCH = "Le campus de données d’Escaudain atteindra 700 MW, a précisé l’opérateur élu. "


def long_text(length: int) -> str:
    """French prose of exactly ``length`` characters, ending in a letter (fields trim spaces)."""
    return (FRENCH * (length // len(FRENCH) + 1))[: length - 1] + "x"


def post_json(client, url, body):
    return client.generic("POST", url, orjson.dumps(body), content_type="application/json")


@pytest.mark.parametrize(
    ("url", "body", "field", "limit"),
    [
        ("/api/v1/projects/", {"name": "Fouju"}, "description", DESCRIPTION_MAX_LENGTH),
        ("/api/v1/organizations/", {"name": "Data4", "kind": "company"}, "description", DESCRIPTION_MAX_LENGTH),
        ("/api/v1/sources/", {"title": "Un campus à Fouju"}, "text", SOURCE_TEXT_MAX_LENGTH),
    ],
)
def test_a_text_over_its_maximum_is_a_400_naming_the_field(editor_api, url, body, field, limit):
    response = post_json(editor_api, url, {**body, field: long_text(limit + 1)})
    assert response.status_code == 400
    error = response.json()["error"]
    assert list(error["fields"]) == [field]
    assert f"no more than {limit} characters" in error["fields"][field][0]
    response = post_json(editor_api, url, {**body, field: long_text(limit)})
    assert response.status_code == 201, response.content[:300]


def test_the_longest_source_text_fits_in_the_body_limit(editor_api):
    text = long_text(SOURCE_TEXT_MAX_LENGTH)
    # as a client that escapes every non-ASCII character sends it (Python's json.dumps does)
    body = json.dumps({"title": "Un campus à Fouju", "text": text}).encode()
    assert len(body) < 1024 * 1024
    response = editor_api.generic("POST", "/api/v1/sources/", body, content_type="application/json")
    assert response.status_code == 201
    assert len(Source.objects.get().text) == SOURCE_TEXT_MAX_LENGTH


def test_a_quote_over_its_maximum_is_a_400_naming_it(editor_api):
    project, source = ProjectFactory(), SourceFactory()
    body = {"project": project.pk, "source": source.pk, "attribute": "capacity_mw", "value_number": 10}
    response = post_json(editor_api, "/api/v1/claims/", {**body, "quote": long_text(QUOTE_MAX_LENGTH + 1)})
    assert response.status_code == 400 and list(response.json()["error"]["fields"]) == ["quote"]
    assert not Claim.objects.exists()


def test_the_services_check_the_maximum_too(db):
    with pytest.raises(ValidationError) as error:
        services.project_create(data={"name": "Fouju", "description": long_text(DESCRIPTION_MAX_LENGTH + 1)})
    assert list(error.value.message_dict) == ["description"]
    assert f"at most {DESCRIPTION_MAX_LENGTH} characters" in error.value.message_dict["description"][0]
    assert not Project.objects.exists()


def test_the_schema_states_the_maximums(api):
    schema = api.get("/api/schema/", {"format": "json"}).json()["components"]["schemas"]
    assert schema["ProjectWriteRequest"]["properties"]["description"]["maxLength"] == DESCRIPTION_MAX_LENGTH
    assert schema["SourceRequest"]["properties"]["text"]["maxLength"] == SOURCE_TEXT_MAX_LENGTH
    assert schema["ClaimRequest"]["properties"]["quote"]["maxLength"] == QUOTE_MAX_LENGTH


def test_the_admin_form_refuses_it_next_to_the_field(client):
    client.force_login(UserFactory(username="chief", is_staff=True, is_superuser=True))
    project = ProjectFactory()
    url = reverse("admin:projects_project_change", args=[project.pk])
    page = client.get(url)
    assert f'maxlength="{DESCRIPTION_MAX_LENGTH}"' in page.content.decode()
    data = changeform_data(page)
    data["description"] = long_text(DESCRIPTION_MAX_LENGTH + 1)
    response = client.post(url, data)
    assert response.status_code == 200
    assert "description" in response.context["adminform"].form.errors
    project.refresh_from_db()
    assert project.description == ""
