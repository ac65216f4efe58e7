"""Writes: tokens and model permissions, conditional requests, services and history."""

import datetime
from decimal import Decimal

import pytest

from core.models import ObjectChange
from projects import choices, services
from projects.models import Claim, Project
from tests.factories import ClaimFactory, ProjectFactory, SourceFactory
from tests.projects.api.helpers import if_match

pytestmark = pytest.mark.django_db

LIST = "/api/v1/projects/"


def detail(project):
    return f"{LIST}{project.slug}/"


def test_anonymous_patch_is_refused(demo, api):
    response = api.patch(detail(demo), {"capacity_mw": 1})
    assert response.status_code == 401
    assert response.json()["error"]["status"] == 401
    demo.refresh_from_db()
    assert demo.capacity_mw == Decimal("700")


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_a_token_without_model_permission_cannot_write(demo, reader_api, method):
    url = LIST if method == "post" else detail(demo)
    response = getattr(reader_api, method)(url, {"name": "Renamed"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert Project.objects.get().name == "Escaudain AI data center"


def test_a_token_without_model_permission_can_read(demo, reader_api):
    assert reader_api.get(detail(demo)).status_code == 200


def test_get_answers_with_an_etag_and_honours_if_none_match(demo, api):
    first = api.get(detail(demo))
    etag = first["ETag"]
    assert etag.startswith(f'"{demo.version}-')
    again = api.get(detail(demo), HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert api.get(detail(demo), HTTP_IF_NONE_MATCH=f"W/{etag}").status_code == 304
    assert api.get(detail(demo), HTTP_IF_NONE_MATCH='"1-stale"').status_code == 200


def test_etag_changes_when_a_claim_behind_the_project_changes(demo, api):
    etag = api.get(detail(demo))["ETag"]
    claim = demo.claims.get(attribute="capacity_mw")
    services.claim_update(claim=claim, data={"quote": "une capacité de 700 MW"})
    assert api.get(detail(demo), HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_patch_with_a_stale_if_match_is_412_and_changes_nothing(demo, api, editor_api):
    stale = api.get(detail(demo))["ETag"]
    assert editor_api.patch(detail(demo), {"jobs_construction": 1000}, **if_match(api, detail(demo))).status_code == 200
    response = editor_api.patch(detail(demo), {"capacity_mw": 650}, HTTP_IF_MATCH=stale)
    assert response.status_code == 412
    assert response.json()["error"]["code"] == "precondition_failed"
    demo.refresh_from_db()
    assert demo.capacity_mw == Decimal("700")


def test_patch_with_a_fresh_if_match_succeeds_and_appears_in_the_changes_feed(demo, api, editor_api, editor):
    before = api.get(detail(demo))
    response = editor_api.patch(detail(demo), {"capacity_mw": 650}, HTTP_IF_MATCH=before["ETag"])
    assert response.status_code == 200, response.content
    assert response.json()["capacity_mw"] == 650.0
    assert response["ETag"] != before["ETag"]
    assert response["ETag"] == api.get(detail(demo))["ETag"]
    change = ObjectChange.objects.filter(object_id=demo.pk, content_type__model="project").latest("id")
    assert change.user == editor and change.source == "api"
    assert change.changed_fields == ["capacity_mw", "typed_by_hand"]  # no source says the new value

    feed = api.get("/api/v1/changes/", {"since": before.json()["last_updated"]}).json()["results"]
    [entry] = [entry for entry in feed if entry["request_id"] == str(change.request_id)]
    assert (entry["object_type"], entry["object_id"], entry["action"]) == ("projects.project", demo.pk, "update")
    assert entry["user"] == ""  # the author is not shown to anonymous readers
    assert entry["changed_fields"] == ["capacity_mw", "typed_by_hand"]
    assert (entry["before"]["capacity_mw"], entry["after"]["capacity_mw"]) == ("700", "650")


def test_if_match_star_matches_any_existing_record(demo, editor_api):
    assert editor_api.patch(detail(demo), {"jobs_construction": 10}, HTTP_IF_MATCH="*").status_code == 200


def test_a_weak_tag_never_matches_if_match(demo, api, editor_api):
    etag = api.get(detail(demo))["ETag"]
    assert editor_api.patch(detail(demo), {"jobs_construction": 10}, HTTP_IF_MATCH=f"W/{etag}").status_code == 412


def test_an_edit_saved_between_loading_and_saving_is_refused(demo, editor_api, monkeypatch):
    """The race the If-Match check cannot see: the versioned UPDATE refuses it."""
    from projects import services

    real_update = services.project_update

    def update_after_someone_else(*, project, **kwargs):
        Project.objects.filter(pk=project.pk).update(jobs_construction=5)  # another app, meanwhile
        return real_update(project=project, **kwargs)

    header = if_match(editor_api, detail(demo))
    monkeypatch.setattr(services, "project_update", update_after_someone_else)
    response = editor_api.patch(detail(demo), {"capacity_mw": 650}, **header)
    assert response.status_code == 412
    demo.refresh_from_db()
    assert demo.capacity_mw == Decimal("700") and demo.jobs_construction == 5


def test_status_change_through_the_api_goes_through_the_service(demo, editor_api):
    response = editor_api.patch(detail(demo), {"status": "permitted"}, **if_match(editor_api, detail(demo)))
    assert response.status_code == 200
    assert [step["status"] for step in response.json()["status_history"]] == ["announced", "permitted"]


def test_model_validation_is_a_422_naming_the_field(demo, editor_api):
    """The model's rules across fields: the values match the schema, the record cannot take them."""
    header = if_match(editor_api, detail(demo))
    response = editor_api.patch(detail(demo), {"investment_currency": ""}, **header)
    assert response.status_code == 422
    assert "investment_currency" in response.json()["error"]["fields"]
    response = editor_api.patch(detail(demo), {"operational_year": 2020}, **header)  # before the 2025 announcement
    assert response.status_code == 422
    response = editor_api.patch(detail(demo), {"latitude": None}, **header)
    assert response.status_code == 422
    assert "longitude" in response.json()["error"]["fields"]


def test_create_project_answers_201_with_location_etag_and_history(editor_api, editor):
    response = editor_api.post(
        LIST, {"name": "Fouju campus", "country": "FR", "capacity_mw": 1000, "kind": "hyperscale"}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["slug"] == "fouju-campus"
    assert response["Location"].endswith(f"/api/v1/projects/{body['slug']}/")
    assert response["ETag"].startswith('"1-')
    assert body["status_history"][0]["status"] == "announced"
    change = ObjectChange.objects.get(object_id=body["id"], content_type__model="project")
    assert (change.action, change.user, change.source) == ("create", editor, "api")


def test_put_replaces_the_writable_fields(demo, editor_api):
    response = editor_api.put(
        detail(demo),
        {"name": "Escaudain campus", "slug": demo.slug},
        format="json",
        **if_match(editor_api, detail(demo)),
    )
    assert response.status_code == 200, response.content
    assert response.json()["name"] == "Escaudain campus"


def test_delete_with_stale_if_match_is_412_and_fresh_is_204(api, editor_api):
    project = ProjectFactory()
    stale = api.get(detail(project))["ETag"]
    editor_api.patch(detail(project), {"jobs_construction": 3}, HTTP_IF_MATCH=stale)
    assert editor_api.delete(detail(project), HTTP_IF_MATCH=stale).status_code == 412
    fresh = api.get(detail(project))["ETag"]
    assert editor_api.delete(detail(project), HTTP_IF_MATCH=fresh).status_code == 204
    assert not Project.objects.filter(pk=project.pk).exists()
    assert ObjectChange.objects.filter(object_id=project.pk, content_type__model="project", action="delete").exists()


def test_deleting_a_record_still_referred_to_is_a_409(editor_api):
    claim = ClaimFactory()
    url = f"/api/v1/sources/{claim.source_id}/"
    response = editor_api.delete(url, **if_match(editor_api, url))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "in_use"


# Claims and their review ------------------------------------------------------------------------


def review(client, pk, action, data=None):
    """A review action, sent with the claim's ETag."""
    header = if_match(client, f"/api/v1/claims/{pk}/")
    return client.post(f"/api/v1/claims/{pk}/{action}/", data, format="json", **header)


def create_and_accept(editor_api, project, **value):
    data = {"project": project.pk, "source": SourceFactory().pk, "quote": "as the article says", **value}
    response = editor_api.post("/api/v1/claims/", data, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "proposed"
    return review(editor_api, response.json()["id"], "accept")


def test_claim_created_accepted_and_made_headline(editor_api, editor):
    project = ProjectFactory(former_use="")
    accepted = create_and_accept(editor_api, project, attribute="former_use", value_text="Sugar refinery")
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["status"] == "accepted" and accepted.json()["is_headline"] is True
    project.refresh_from_db()
    assert project.former_use == "Sugar refinery"
    assert Claim.objects.get(pk=accepted.json()["id"]).reviewed_by == editor


def test_numeric_claim_accepted_becomes_the_project_figure(editor_api):
    project = ProjectFactory(capacity_mw=None)
    accepted = create_and_accept(editor_api, project, attribute="capacity_mw", value_number=300)
    assert accepted.status_code == 200, accepted.content
    project.refresh_from_db()
    assert project.capacity_mw == Decimal("300")


def test_claim_status_is_changed_by_actions_not_by_patch(editor_api):
    claim = ClaimFactory()
    url = f"/api/v1/claims/{claim.pk}/"
    response = editor_api.patch(url, {"status": "accepted"}, **if_match(editor_api, url))
    assert response.status_code == 422
    assert "status" in response.json()["error"]["fields"]


def test_claim_without_source_cannot_be_accepted(editor_api):
    claim = ClaimFactory(source=None)
    response = review(editor_api, claim.pk, "accept")
    assert response.status_code == 422
    assert "source" in response.json()["error"]["fields"]


def test_conflict_resolved_by_set_headline_and_reject(editor_api):
    project = ProjectFactory(operational_year=None)
    first, second = (
        ClaimFactory(project=project, attribute="announced_on", value_number=None, value_date=date, quote="announced")
        for date in (datetime.date(2025, 12, 9), datetime.date(2025, 12, 1))
    )
    for claim in (first, second):
        assert review(editor_api, claim.pk, "accept").status_code == 200
    project.refresh_from_db()
    assert project.conflict_count == 1 and project.announced_on == datetime.date(2025, 12, 9)
    assert review(editor_api, second.pk, "set-headline").status_code == 200
    project.refresh_from_db()
    assert project.announced_on == datetime.date(2025, 12, 1)
    response = review(editor_api, first.pk, "reject", {"note": "Older figure"})
    assert response.status_code == 200 and response.json()["note"] == "Older figure"
    project.refresh_from_db()
    assert project.conflict_count == 0


def test_review_actions_need_the_change_permission(editor, reader_api):
    claim = ClaimFactory()
    assert reader_api.post(f"/api/v1/claims/{claim.pk}/accept/").status_code == 403
    claim.refresh_from_db()
    assert claim.status == choices.ClaimStatus.PROPOSED


def test_review_action_honours_if_match(editor_api):
    claim = ClaimFactory()
    stale = editor_api.get(f"/api/v1/claims/{claim.pk}/")["ETag"]
    editor_api.patch(f"/api/v1/claims/{claim.pk}/", {"quote": "a capacity of about 100 MW"}, HTTP_IF_MATCH=stale)
    assert editor_api.post(f"/api/v1/claims/{claim.pk}/accept/", HTTP_IF_MATCH=stale).status_code == 412
