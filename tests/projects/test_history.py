"""A project as recorded at the end of a past day (``?as_of=``) and what changed between two days,
on the API and the public pages, rebuilt from the change log.

Each scenario writes through the services, then moves the logged changes back in time (the log's
times are what the rebuild reads), so "before" and "after" an edit are days apart.
"""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.models import ObjectChange
from projects import choices, services
from projects.models import Claim, Phase, Project
from tests.factories import ClaimFactory, ProjectFactory, SourceFactory, UserFactory, make

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def days_ago(days: int) -> str:
    return (TODAY() - datetime.timedelta(days=days)).isoformat()


def backdate(days: int) -> None:
    """Every change logged so far happened ``days`` days earlier."""
    ObjectChange.objects.update(time=F("time") - datetime.timedelta(days=days))


def api_client(*permissions: str) -> APIClient:
    user = UserFactory()
    for name in permissions:
        app_label, codename = name.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def accepted_claim(project, value: str, **fields) -> Claim:
    claim = ClaimFactory(project=project, value_number=Decimal(value), quote=f"{value} MW", **fields)
    return services.claim_accept(claim=claim, user=None)


@pytest.fixture
def edited():
    """A project of 100 MW (an accepted claim) recorded 10 days ago, whose capacity was typed as 150 MW today."""
    project = ProjectFactory(name="Escaudain campus", capacity_mw=None)
    accepted_claim(project, "100")
    backdate(10)
    return services.project_update(project=Project.objects.get(pk=project.pk), data={"capacity_mw": Decimal("150")})


# The API ----------------------------------------------------------------------------------


def test_api_as_of_before_and_after_an_edit(edited):
    api = APIClient()
    before = api.get(f"/api/v1/projects/{edited.slug}/", {"as_of": days_ago(5)})
    after = api.get(f"/api/v1/projects/{edited.pk}/", {"as_of": days_ago(0)})
    assert before.status_code == after.status_code == 200
    assert before.json()["capacity_mw"] == 100
    assert "capacity_mw" not in before.json()["typed_by_hand"]
    assert after.json()["capacity_mw"] == 150
    assert "capacity_mw" in after.json()["typed_by_hand"]
    # today's state is the present record, but for the bookkeeping the log does not keep as such
    bookkeeping = ("created", "last_updated", "version")
    present = api.get(f"/api/v1/projects/{edited.slug}/").json()
    assert {k: v for k, v in after.json().items() if k not in bookkeeping} == {
        k: v for k, v in present.items() if k not in bookkeeping
    }
    figure = next(f for f in before.json()["figures"] if f["attribute"] == "capacity_mw")
    assert (figure["value"], figure["sourced"], figure["claims"][0]["quote"]) == (100, True, "100 MW")
    assert before.headers["ETag"] != after.headers["ETag"]


def test_api_as_of_is_404_before_the_project_existed(edited):
    response = APIClient().get(f"/api/v1/projects/{edited.slug}/", {"as_of": days_ago(11)})
    assert response.status_code == 404


@pytest.mark.parametrize("value", ["", "yesterday", "2025-13-01", "2025-1-1", "01/02/2025", "2025-02-30T00:00"])
def test_api_bad_as_of_is_a_400_naming_it(edited, value):
    response = APIClient().get(f"/api/v1/projects/{edited.slug}/", {"as_of": value})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["as_of"]


def test_api_as_of_a_future_day_is_a_422_and_a_malformed_one_a_400(edited):
    """A day to come is well formed but has no record yet (422); a malformed one breaks the schema (400)."""
    api = APIClient()
    response = api.get(f"/api/v1/projects/{edited.slug}/", {"as_of": days_ago(-1)})
    assert response.status_code == 422
    assert list(response.json()["error"]["fields"]) == ["as_of"]
    assert api.get(f"/api/v1/projects/{edited.slug}/", {"as_of": "2025-1-1"}).status_code == 400
    assert api.get(f"/api/v1/projects/{edited.slug}/changes/", {"to": ""}).status_code == 400


def test_api_as_of_after_deletion_is_404_and_before_it_answers_by_id():
    project = ProjectFactory(capacity_mw=Decimal("80"))
    project_id = project.pk
    backdate(10)
    services.project_delete(project=project)
    api = APIClient()
    assert api.get(f"/api/v1/projects/{project_id}/", {"as_of": days_ago(0)}).status_code == 404
    then = api.get(f"/api/v1/projects/{project_id}/", {"as_of": days_ago(5)})
    assert then.status_code == 200
    assert then.json()["capacity_mw"] == 80


def test_a_draft_then_is_hidden_from_readers_and_shown_to_editors():
    project = ProjectFactory(is_draft=True, capacity_mw=Decimal("40"))
    backdate(10)
    services.project_update(project=project, data={"is_draft": False})
    url = f"/api/v1/projects/{project.slug}/"
    assert APIClient().get(url, {"as_of": days_ago(5)}).status_code == 404
    assert APIClient().get(url, {"as_of": days_ago(0)}).status_code == 200
    editor = api_client("projects.view_project")
    assert editor.get(url, {"as_of": days_ago(5)}).json()["is_draft"] is True


def test_a_claim_accepted_since_is_not_shown_as_of_before_its_acceptance():
    project = ProjectFactory(capacity_mw=None)
    claim = ClaimFactory(project=project, value_number=Decimal("300"), quote="300 MW")
    make(Phase, project=project, name="Phase 1", capacity_mw=Decimal("300"), claim=claim)
    backdate(10)
    services.claim_accept(claim=claim, user=None)
    url = f"/api/v1/projects/{project.slug}/"
    before = APIClient().get(url, {"as_of": days_ago(5)}).json()
    assert before["capacity_mw"] is None
    assert "capacity_mw" not in {f["attribute"] for f in before["figures"]}
    assert before["phases"] == []
    now = APIClient().get(url, {"as_of": days_ago(0)}).json()
    assert now["capacity_mw"] == 300
    assert [phase["name"] for phase in now["phases"]] == ["Phase 1"]
    reviewer = api_client("projects.view_claim")
    # a reviewer sees the claim proposed then, but the figure was not its value yet
    assert "capacity_mw" not in {f["attribute"] for f in reviewer.get(url, {"as_of": days_ago(5)}).json()["figures"]}


def test_sources_are_named_as_they_were_then():
    source = SourceFactory(title="First title")
    project = ProjectFactory(capacity_mw=None)
    accepted_claim(project, "100", source=source)
    backdate(10)
    from core import writes

    source.title = "Second title"
    writes.writer_for(type(source)).save(source, None, None)
    before = APIClient().get(f"/api/v1/projects/{project.slug}/", {"as_of": days_ago(5)}).json()
    after = APIClient().get(f"/api/v1/projects/{project.slug}/", {"as_of": days_ago(0)}).json()
    assert before["figures"][0]["claims"][0]["source"]["title"] == "First title"
    assert after["figures"][0]["claims"][0]["source"]["title"] == "Second title"


def _as_of_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, {"as_of": days_ago(0)}).status_code == 200
    return len(queries)


def test_as_of_queries_are_flat_in_the_number_of_claims_and_changes():
    small, large = ProjectFactory(capacity_mw=None), ProjectFactory(capacity_mw=None)
    accepted_claim(small, "100")
    for number in range(12):
        accepted_claim(large, str(100 + number), attribute=choices.ClaimAttribute.CAPACITY_MW)
        services.project_update(project=Project.objects.get(pk=large.pk), data={"description": f"Edit {number}"})
    api = APIClient()
    # content types and the reader's throttle window are read once
    api.get(f"/api/v1/projects/{small.slug}/", {"as_of": days_ago(0)})
    api.get(f"/projects/{small.slug}/", {"as_of": days_ago(0)})
    assert _as_of_queries(api, f"/api/v1/projects/{small.slug}/") == _as_of_queries(
        api, f"/api/v1/projects/{large.slug}/"
    )
    assert _as_of_queries(api, f"/projects/{small.slug}/") == _as_of_queries(api, f"/projects/{large.slug}/")


def test_api_changes_between_two_days(edited):
    url = f"/api/v1/projects/{edited.slug}/changes/"
    recent = APIClient().get(url, {"from": days_ago(1), "to": days_ago(0)})
    assert recent.status_code == 200
    changes = recent.json()["results"]
    update = next(c for c in changes if c["object_type"] == "projects.project")
    assert update["action"] == "update"
    assert (update["before"]["capacity_mw"], update["after"]["capacity_mw"]) == ("100", "150")
    assert all(change["user"] == "" for change in changes)
    earlier = APIClient().get(url, {"from": days_ago(12), "to": days_ago(5)}).json()["results"]
    assert {c["action"] for c in earlier} == {"create", "update"}
    assert all(change["time"] < recent.json()["results"][0]["time"] for change in earlier)
    everything = APIClient().get(url).json()["results"]
    assert len(everything) == len(earlier) + len(changes)


def test_api_changes_show_authors_only_to_history_readers(edited):
    user = UserFactory(username="reporter")
    services.project_update(project=Project.objects.get(pk=edited.pk), data={"description": "Seen"}, user=user)
    from core.changes import actor

    with actor(user):
        services.project_update(project=Project.objects.get(pk=edited.pk), data={"description": "Again"})
    url = f"/api/v1/projects/{edited.slug}/changes/"
    assert {c["user"] for c in APIClient().get(url).json()["results"]} == {""}
    reader = api_client("core.view_objectchange")
    assert "reporter" in {c["user"] for c in reader.get(url).json()["results"]}


@pytest.mark.parametrize(
    ("params", "named", "status"),
    [
        ({"from": "2025-02-31"}, "from", 400),
        ({"to": "last week"}, "to", 400),
        ({"from": days_ago(1), "to": days_ago(3)}, "to", 422),  # well formed, but ends before it begins
    ],
)
def test_api_changes_bad_days_are_refused_naming_them(edited, params, named, status):
    response = APIClient().get(f"/api/v1/projects/{edited.slug}/changes/", params)
    assert response.status_code == status
    assert list(response.json()["error"]["fields"]) == [named]


def test_api_changes_of_a_draft_are_not_found_for_readers():
    project = ProjectFactory(is_draft=True)
    assert APIClient().get(f"/api/v1/projects/{project.slug}/changes/").status_code == 404


def test_the_schema_documents_as_of_and_changes(client):
    schema = client.get("/api/schema/?format=json").json()
    retrieve = schema["paths"]["/api/v1/projects/{slug}/"]["get"]
    assert "as_of" in {parameter["name"] for parameter in retrieve["parameters"]}
    changes = schema["paths"]["/api/v1/projects/{slug}/changes/"]["get"]
    assert {"from", "to"} <= {parameter["name"] for parameter in changes["parameters"]}


# The pages --------------------------------------------------------------------------------


def test_page_as_of_before_and_after_an_edit(client, edited):
    before = client.get(f"/projects/{edited.slug}/", {"as_of": days_ago(5)})
    after = client.get(f"/projects/{edited.slug}/", {"as_of": days_ago(0)})
    assert before.status_code == after.status_code == 200
    assert "100 MW" in before.text and "150 MW" not in before.text
    assert "150 MW" in after.text
    assert "This page shows an earlier state" in before.text
    assert f'href="/projects/{edited.slug}/"' in before.text
    assert "This page shows an earlier state" not in client.get(f"/projects/{edited.slug}/").text


def test_page_as_of_is_404_before_creation_and_400_for_a_bad_date(client, edited):
    assert client.get(f"/projects/{edited.slug}/", {"as_of": days_ago(11)}).status_code == 404
    bad = client.get(f"/projects/{edited.slug}/", {"as_of": "2025-02-30"})
    assert bad.status_code == 400
    assert "as_of" in bad.text


def test_page_as_of_in_french(client, edited):
    response = client.get(f"/projects/{edited.slug}/", {"as_of": days_ago(5)}, headers={"accept-language": "fr"})
    assert response.status_code == 200
    assert "état antérieur" in response.text


def test_changes_page_lists_fields_before_and_after_without_authors(client, edited):
    user = UserFactory(username="hidden-author")
    from core.changes import actor

    with actor(user):
        services.project_update(project=Project.objects.get(pk=edited.pk), data={"description": "<b>bold</b>"})
    response = client.get(f"/projects/{edited.slug}/changes/", {"from": days_ago(1)})
    assert response.status_code == 200
    assert "hidden-author" not in response.text
    assert "&lt;b&gt;bold&lt;/b&gt;" in response.text
    assert "<td>100</td>" in response.text and "<td>150</td>" in response.text
    assert client.get(f"/projects/{edited.slug}/changes/", {"from": "soon"}).status_code == 400
    assert client.get("/projects/no-such-project/changes/").status_code == 404
