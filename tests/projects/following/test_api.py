"""/api/v1/follows/, /api/v1/notifications/ and /api/v1/webhooks/: a user's own records only."""

from decimal import Decimal

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from projects import services
from projects.following import services as following
from projects.following.models import Follow, Notification, WebhookSubscription
from tests.factories import ClaimFactory, OrganizationFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


def client_of(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.fixture
def reader(db):
    return UserFactory(username="api-reader")


@pytest.fixture
def api(reader):
    return client_of(reader)


def test_anonymous_clients_are_refused(client):
    for path in ("/api/v1/follows/", "/api/v1/notifications/", "/api/v1/webhooks/"):
        assert APIClient().get(path).status_code in (401, 403)


def test_follow_a_project_an_organization_and_a_search(api, reader):
    project = ProjectFactory()
    organization = OrganizationFactory()
    made = api.post("/api/v1/follows/", {"project": project.slug}, format="json")
    assert made.status_code == 201, made.json()
    assert made.json()["kind"] == "project" and made.json()["project"] == project.slug
    again = api.post("/api/v1/follows/", {"project": project.slug}, format="json")
    assert again.json()["id"] == made.json()["id"]  # following again answers the same follow
    assert api.post("/api/v1/follows/", {"organization": organization.slug}, format="json").status_code == 201
    search = api.post("/api/v1/follows/", {"search": "status=construction&country=FR"}, format="json")
    assert search.status_code == 201 and search.json()["search"] == "country=FR&status=construction"
    assert api.get("/api/v1/follows/").json()["count"] == 3
    both = api.post("/api/v1/follows/", {"project": project.slug, "search": "q=x"}, format="json")
    assert both.status_code == 422
    bad = api.post("/api/v1/follows/", {"search": "capacity_min=lots"}, format="json")
    assert bad.status_code == 422 and "capacity_min" in str(bad.json())
    draft = ProjectFactory(is_draft=True)
    assert api.post("/api/v1/follows/", {"project": draft.slug}, format="json").status_code in (400, 422)
    follow_id = made.json()["id"]
    assert api.delete(f"/api/v1/follows/{follow_id}/").status_code == 204
    assert not Follow.objects.filter(pk=follow_id).exists()


def test_each_user_sees_only_their_own(api, reader, django_capture_on_commit_callbacks):
    project = ProjectFactory()
    other = UserFactory()
    following.follow_project(user=reader, project=project)
    theirs, _ = following.follow_project(user=other, project=project)
    hook = WebhookSubscription.objects.create(
        owner=other, url="https://hooks.example.org/", secret="x" * 20, active=False
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.claim_accept(claim=ClaimFactory(project=project, value_number=Decimal("55")))
    assert Notification.objects.count() == 2
    listed = api.get("/api/v1/notifications/").json()
    assert listed["count"] == 1
    assert listed["results"][0]["event"] == "claim.accepted"
    assert listed["results"][0]["data"]["claim"]["value"] == "55 MW"
    assert api.get(f"/api/v1/follows/{theirs.pk}/").status_code == 404
    assert api.delete(f"/api/v1/follows/{theirs.pk}/").status_code == 404
    assert api.get(f"/api/v1/webhooks/{hook.pk}/").status_code == 404
    assert api.get("/api/v1/notifications/", {"unread": "true"}).json()["count"] == 1
    assert api.get("/api/v1/notifications/", {"unread": "maybe"}).status_code == 400
    marked = api.post("/api/v1/notifications/read/", {}, format="json")
    assert marked.json() == {"marked": 1}
    assert api.get("/api/v1/notifications/", {"unread": "true"}).json()["count"] == 0
    assert Notification.objects.filter(user=other, is_read=False).exists()


def test_a_webhook_is_made_with_its_secret_shown_once(api, reader, settings):
    settings.FETCH_ALLOW_PRIVATE = False
    follow, _ = following.follow_project(user=reader, project=ProjectFactory())
    refused = api.post("/api/v1/webhooks/", {"url": "http://127.0.0.1:8000/hook"}, format="json")
    assert refused.status_code == 422 and "not a public address" in str(refused.json())
    made = api.post(
        "/api/v1/webhooks/",
        {"url": "https://93.184.215.14/hook", "events": ["claim.accepted"], "follows": [follow.pk]},
        format="json",
    )
    assert made.status_code == 201, made.json()
    body = made.json()
    assert len(body["secret"]) >= 32 and body["follows"] == [follow.pk]
    hook = WebhookSubscription.objects.get(pk=body["id"])
    assert hook.secret == body["secret"] and hook.owner == reader
    shown = api.get(f"/api/v1/webhooks/{hook.pk}/").json()
    assert "secret" not in shown
    assert api.get(f"/api/v1/webhooks/{hook.pk}/deliveries/").json()["count"] == 0
    someone_elses, _ = following.follow_project(user=UserFactory(), project=ProjectFactory())
    stolen = api.patch(f"/api/v1/webhooks/{hook.pk}/", {"follows": [someone_elses.pk]}, format="json")
    assert stolen.status_code in (400, 422)
    off = api.patch(f"/api/v1/webhooks/{hook.pk}/", {"active": False}, format="json")
    assert off.status_code == 200 and off.json()["active"] is False


def test_the_schema_lists_the_endpoints(api):
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    for path in (
        "/api/v1/follows/",
        "/api/v1/notifications/",
        "/api/v1/notifications/read/",
        "/api/v1/webhooks/",
        "/api/v1/webhooks/{id}/deliveries/",
    ):
        assert path in schema["paths"], path


def test_one_account_follows_and_subscribes_to_a_bounded_number(api, reader, settings):
    """Each follow is work for every change's fan-out: an account cannot pile them up."""
    settings.FOLLOWS_MAX_PER_USER = 3
    settings.WEBHOOKS_MAX_PER_USER = 1
    projects = ProjectFactory.create_batch(3)
    for project in projects[:2]:
        assert api.post("/api/v1/follows/", {"project": project.slug}, format="json").status_code == 201
    assert api.post("/api/v1/follows/", {"search": "q=a1"}, format="json").status_code == 201
    refused = api.post("/api/v1/follows/", {"search": "q=a2"}, format="json")
    assert refused.status_code == 422 and "the most one account may" in str(refused.json()["error"])
    assert "search" in str(refused.json()["error"])
    assert api.post("/api/v1/follows/", {"project": projects[0].slug}, format="json").status_code in (200, 201)
    assert Follow.objects.filter(user=reader).count() == 3

    settings.FETCH_ALLOW_PRIVATE = False
    first = api.post("/api/v1/webhooks/", {"url": "https://93.184.215.14/hook"}, format="json")
    assert first.status_code == 201, first.json()
    second = api.post("/api/v1/webhooks/", {"url": "https://93.184.215.14/other"}, format="json")
    assert second.status_code == 422 and "url" in str(second.json()["error"])
    assert WebhookSubscription.objects.filter(owner=reader).count() == 1
    assert api.patch(f"/api/v1/webhooks/{first.json()['id']}/", {"active": False}, format="json").status_code == 200
