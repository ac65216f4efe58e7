from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from projects.models import Claim
from tests.factories import ClaimFactory, SourceFactory, UserFactory
from tests.projects.api.helpers import if_match

pytestmark = pytest.mark.django_db

REVISED = (
    "Escaudain : le data center se précise\n\n"
    "Le projet de centre de données d'Escaudain occupera 33 hectares de l'ancien site Usinor, "
    "pour une capacité de 700 mégawatts."
)


def client_for(*codenames):
    user = UserFactory()
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="projects", codename__in=codenames))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def test_extract_records_proposed_claims_on_the_matched_project(demo, editor_api):
    source = SourceFactory(text=REVISED, language="fr")
    response = editor_api.post(f"/api/v1/sources/{source.pk}/extract/")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["project"]["slug"] == demo.slug and body["project_created"] is False
    area = next(claim for claim in body["claims"] if claim["attribute"] == "site_area_ha")
    assert area["status"] == "proposed" and area["in_conflict"] is True
    assert Claim.objects.get(pk=area["id"]).value_number == Decimal("33")


def test_extract_onto_a_named_project(demo, editor_api):
    source = SourceFactory(text="A 250 MW data centre campus is planned in Cambrai, France.")
    response = editor_api.post(f"/api/v1/sources/{source.pk}/extract/", {"project": demo.slug})
    assert response.status_code == 201
    assert response.json()["project"]["id"] == demo.pk


def test_extract_errors_name_the_field(editor_api):
    empty = SourceFactory(text="")
    response = editor_api.post(f"/api/v1/sources/{empty.pk}/extract/")
    assert response.status_code == 422 and "text" in response.json()["error"]["fields"]
    source = SourceFactory(text=REVISED)
    for project in ("no-such-project", "²"):  # "²" passes str.isdigit() yet is no ID
        response = editor_api.post(f"/api/v1/sources/{source.pk}/extract/", {"project": project})
        assert response.status_code == 422 and "project" in response.json()["error"]["fields"]
    assert not Claim.objects.exists()


def test_extract_needs_the_add_claim_permission(api):
    source = SourceFactory(text=REVISED)
    assert api.post(f"/api/v1/sources/{source.pk}/extract/").status_code in (401, 403)
    assert client_for("view_claim").post(f"/api/v1/sources/{source.pk}/extract/").status_code == 403
    assert not Claim.objects.exists()


def test_accepting_needs_the_review_permission_not_just_change():
    claim = ClaimFactory()
    editor = client_for("add_claim", "change_claim", "view_claim")
    assert editor.post(f"/api/v1/claims/{claim.pk}/accept/").status_code == 403
    reviewer = client_for("change_claim", "review_claim")
    header = if_match(reviewer, f"/api/v1/claims/{claim.pk}/")
    assert reviewer.post(f"/api/v1/claims/{claim.pk}/accept/", **header).status_code == 200
    claim.refresh_from_db()
    assert claim.status == "accepted"
