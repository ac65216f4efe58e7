"""One visibility rule (``projects.selectors.Visibility``) behind every public read.

Anonymous readers see no draft project and nothing of one, only accepted claims, and no author
in the changes feed; users holding a permission on projects ask for drafts with include_drafts.
Records are written through the API, as a newsroom user would, so that they carry what the
write path derives.
"""

import csv
import io
import json
from decimal import Decimal

import pytest
import yaml
from django.contrib.auth.models import Permission
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.models import ObjectChange
from projects import choices
from projects.ingestion import ingest_source, store_source
from projects.models import Claim, Project
from tests.factories import (
    ClaimFactory,
    OrganizationFactory,
    ProjectFactory,
    SourceFactory,
    SubstationFactory,
    UserFactory,
)
from tests.projects.api.helpers import if_match

pytestmark = pytest.mark.django_db

PROJECTS = "/api/v1/projects/"
CLAIMS = "/api/v1/claims/"
CHANGES = "/api/v1/changes/"
STATS = "/api/v1/stats/capacity/"

ARTICLE = """Hyperscale campus planned in Cambrai

A developer has unveiled plans for a 250 MW data centre campus in Cambrai, northern France, \
with an investment of €10bn and 300 permanent jobs.
"""
CAMBRAI = "50.17,3.23"


def client_with(*permissions: str, username: str, **fields) -> APIClient:
    user = UserFactory(username=username, **fields)
    for name in permissions:
        app_label, codename = name.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def post(client, url, body=None, **headers) -> dict:
    response = client.post(url, body or {}, format="json", **headers)
    assert response.status_code in (200, 201), (url, response.content)
    return response.json()


def accept(client, claim) -> Claim:
    post(client, f"{CLAIMS}{claim.pk}/accept/", **if_match(client, f"{CLAIMS}{claim.pk}/"))
    return Claim.objects.get(pk=claim.pk)


def reject(client, claim) -> Claim:
    post(client, f"{CLAIMS}{claim.pk}/reject/", {"note": "Older figure"}, **if_match(client, f"{CLAIMS}{claim.pk}/"))
    return Claim.objects.get(pk=claim.pk)


@pytest.fixture
def public_project(editor_api):
    """A public project 13 km from the draft's town (too far for ingestion to take it for the same
    site), with an accepted figure."""
    project = ProjectFactory(name="Cambrai south hall", municipality="Caudry", latitude=50.125, longitude=3.41)
    accept(editor_api, ClaimFactory(project=project, value_number=Decimal("100")))
    return project


@pytest.fixture
def draft(editor_api, public_project):
    """A draft proposed by ingesting an article, with an accepted figure so that it weighs in totals."""
    source = store_source(text=ARTICLE, title="Hyperscale campus planned in Cambrai")
    result = ingest_source(source=source, project=None)
    project = result.project
    assert result.project_created and project.is_draft and project != public_project
    accept(editor_api, Claim.objects.get(project=project, attribute="capacity_mw"))
    project.refresh_from_db()
    assert project.capacity_mw == Decimal("250")
    Project.objects.filter(pk=project.pk).update(investment_amount=Decimal("10000000000"), investment_currency="EUR")
    project.refresh_from_db()
    return project


def slugs(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [project["slug"] for project in response.json()["results"]]


def about(entry, project) -> bool:
    return (entry["object_type"], entry["object_id"]) == ("projects.project", project.pk) or (
        entry["parent_type"],
        entry["parent_object_id"],
    ) == ("projects.project", project.pk)


# Drafts ------------------------------------------------------------------------------------


def test_an_ingested_draft_reaches_no_anonymous_reader(api, client, draft, public_project):
    assert slugs(api.get(PROJECTS)) == [public_project.slug]
    assert api.get(f"{PROJECTS}{draft.slug}/").status_code == 404
    assert api.get(f"{PROJECTS}{draft.pk}/").status_code == 404
    assert slugs(api.get(PROJECTS, {"near": CAMBRAI, "radius_km": 20})) == [public_project.slug]
    assert slugs(api.get(PROJECTS, {"bbox": "3,50,3.5,50.5"})) == [public_project.slug]
    assert slugs(api.get(PROJECTS, {"q": "Cambrai"})) == [public_project.slug]

    rows = list(csv.DictReader(io.StringIO(b"".join(api.get(PROJECTS, {"format": "csv"}).streaming_content).decode())))
    assert [row["slug"] for row in rows] == [public_project.slug]
    geojson = json.loads(b"".join(api.get(PROJECTS, {"format": "geojson", "near": CAMBRAI}).streaming_content))
    assert [feature["properties"]["slug"] for feature in geojson["features"]] == [public_project.slug]

    for group_by in ("country", "status", "kind", "operational_year"):
        groups = api.get(STATS, {"group_by": group_by}).json()["groups"]
        assert sum(group["project_count"] for group in groups) == 1, group_by
        assert sum(group["capacity_mw"] or 0 for group in groups) == 100.0, group_by
        assert all(group["investment"] == [] for group in groups), group_by

    feed = api.get(CHANGES, {"page_size": 500}).json()["results"]
    assert feed and not [entry for entry in feed if about(entry, draft)]
    assert not api.get(CLAIMS, {"project": draft.pk}).json()["results"]
    accepted = Claim.objects.get(project=draft, status=choices.ClaimStatus.ACCEPTED)
    assert api.get(f"{CLAIMS}{accepted.pk}/").status_code == 404

    # the public pages and the map data read the same rule
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert [project.slug for project in client.get("/projects/").context["page"]] == [public_project.slug]
    features = client.get("/map/data.geojson").json()["features"]
    assert [feature["properties"]["name"] for feature in features] == [public_project.name]
    overview = client.get("/")
    assert overview.context["totals"]["projects"] == 1
    assert [row["investment_currency"] for row in overview.context["investments"]] == []
    assert draft.name not in {change.object_repr for change in overview.context["changes"]}
    stats = client.get("/stats/")
    assert sum(row["mw"] for row in stats.context["capacity"].rows) == Decimal("100")
    assert stats.context["investment"].rows == []


def test_a_draft_is_listed_only_when_someone_allowed_asks(api, reader_api, editor_api, draft, public_project):
    assert draft.slug not in slugs(editor_api.get(PROJECTS))
    assert set(slugs(editor_api.get(PROJECTS, {"include_drafts": "true"}))) == {draft.slug, public_project.slug}
    assert slugs(editor_api.get(PROJECTS, {"include_drafts": "true", "near": CAMBRAI, "capacity_min": 200})) == [
        draft.slug
    ]
    download = editor_api.get(PROJECTS, {"include_drafts": "true", "format": "csv"})
    assert draft.slug in b"".join(download.streaming_content).decode()
    stats = editor_api.get(STATS, {"group_by": "country", "include_drafts": "true"}).json()["groups"]
    assert stats[0]["project_count"] == 2 and stats[0]["capacity_mw"] == 350.0
    # a draft's detail answers those who may see it: that is where it is read and confirmed
    read = editor_api.get(f"{PROJECTS}{draft.slug}/")
    assert read.json()["is_draft"] is True
    assert (
        editor_api.patch(f"{PROJECTS}{draft.slug}/", {"is_draft": False}, HTTP_IF_MATCH=read["ETag"]).status_code == 200
    )
    assert draft.slug in slugs(api.get(PROJECTS))


@pytest.mark.parametrize("who", ["anonymous", "reader"])
def test_asking_for_drafts_without_the_permission_is_refused(api, reader_api, draft, who):
    client = api if who == "anonymous" else reader_api
    for url in (PROJECTS, STATS, CLAIMS, CHANGES, "/api/v1/phases/"):
        response = client.get(url, {"include_drafts": "true", "group_by": "country"})
        assert response.status_code == 403, url
        assert "permission" in response.json()["error"]["message"]
    assert reader_api.get(f"{PROJECTS}{draft.slug}/").status_code == 404


def test_a_permission_on_projects_is_what_opens_drafts_not_being_staff(draft):
    staff = client_with(username="staff", is_staff=True)
    assert staff.get(PROJECTS, {"include_drafts": "true"}).status_code == 403
    viewer = client_with("projects.view_project", username="viewer")
    assert draft.slug in slugs(viewer.get(PROJECTS, {"include_drafts": "true"}))


def test_include_drafts_takes_a_boolean(editor_api, db):
    response = editor_api.get(PROJECTS, {"include_drafts": "maybe"})
    assert response.status_code == 400 and "include_drafts" in response.json()["error"]["fields"]


def test_a_drafts_parts_are_not_public(api, editor_api, draft):
    bodies = {
        "phases": {"name": "Phase 1"},
        "milestones": {"kind": "permit_filed", "date": "2026-03-01"},
        "roles": {"role": "developer", "undisclosed": True},
        "grid-connections": {"substation": SubstationFactory().pk},
    }
    for resource, body in bodies.items():
        url = f"/api/v1/{resource}/"
        part = post(editor_api, url, {"project": draft.pk, **body})["id"]
        assert api.get(url).json()["results"] == [], resource
        assert api.get(f"{url}{part}/").status_code == 404, resource
        assert editor_api.get(url).json()["results"] == [], resource
        assert [row["id"] for row in editor_api.get(url, {"include_drafts": "true"}).json()["results"]] == [part]
        assert editor_api.get(f"{url}{part}/").status_code == 200, resource
    assert not [entry for entry in api.get(CHANGES, {"page_size": 500}).json()["results"] if about(entry, draft)]


# Claims ------------------------------------------------------------------------------------


@pytest.fixture
def reviewed(editor_api, public_project):
    """Claims of a public project in each review state, and two about an organization."""
    organization = OrganizationFactory()
    return {
        "accepted": Claim.objects.get(project=public_project, status=choices.ClaimStatus.ACCEPTED),
        "proposed": ClaimFactory(project=public_project, value_number=Decimal("12345"), quote="12345 MW"),
        "rejected": reject(
            editor_api, ClaimFactory(project=public_project, value_number=Decimal("6789"), quote="6789 MW")
        ),
        "organization accepted": accept(
            editor_api, ClaimFactory(project=None, organization=organization, attribute="other", value_text="Founded")
        ),
        "organization proposed": ClaimFactory(
            project=None, organization=organization, attribute="other", value_text="Sold"
        ),
    }


def claim_ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {claim["id"] for claim in response.json()["results"]}


def test_anonymous_readers_see_accepted_claims_only(api, reader_api, reviewed):
    accepted = {reviewed["accepted"].pk, reviewed["organization accepted"].pk}
    for client in (api, reader_api):  # a token without a permission on claims reads as the public does
        assert claim_ids(client.get(CLAIMS)) == accepted
        assert claim_ids(client.get(CLAIMS, {"status": "proposed"})) == set()
        for name, claim in reviewed.items():
            expected = 200 if claim.pk in accepted else 404
            assert client.get(f"{CLAIMS}{claim.pk}/").status_code == expected, name


@pytest.mark.parametrize("permission", ["view_claim", "add_claim", "change_claim", "review_claim"])
def test_a_permission_on_claims_shows_every_review_state(reviewed, permission):
    client = client_with(f"projects.{permission}", username=permission)
    assert claim_ids(client.get(CLAIMS)) == {claim.pk for claim in reviewed.values()}
    assert client.get(f"{CLAIMS}{reviewed['rejected'].pk}/").status_code == 200


def leaves(data):
    """Every number and string in a JSON answer, whatever its shape."""
    if isinstance(data, dict):
        data = list(data.values())
    if isinstance(data, list):
        return [leaf for item in data for leaf in leaves(item)]
    return [data]


def test_a_projects_detail_shows_no_unaccepted_claim(api, client, reviewed, public_project):
    # whatever shape the figures take, neither unaccepted value nor its quote is anywhere in the answer
    values = leaves(api.get(f"{PROJECTS}{public_project.slug}/").json())
    assert 100 in values
    assert 12345 not in values and 6789 not in values
    assert not [value for value in values if isinstance(value, str) and ("12345" in value or "6789" in value)]
    page = client.get(public_project.get_absolute_url()).content.decode()
    assert not [text for text in ("12345", "12,345", "6789", "6,789") if text in page]


def test_public_pages_show_no_unaccepted_claim_and_no_organization_only_in_a_draft(client, editor_api, reviewed, draft):
    public_project = reviewed["accepted"].project
    changes = client.get(public_project.get_absolute_url()).context["changes"]
    claims = {change.object_id for change in changes if change.content_type.model == "claim"}
    assert claims == {reviewed["accepted"].pk}
    for project, name in ((draft, "Quiet Partner"), (public_project, "Open Partner")):
        role = {"project": project.pk, "organization": OrganizationFactory(name=name).pk, "role": "investor"}
        post(editor_api, "/api/v1/roles/", role)
    page = client.get("/projects/").content.decode()
    assert "Open Partner" in page and "Quiet Partner" not in page


# Changes feed ------------------------------------------------------------------------------


def test_the_changes_feed_shows_anonymous_readers_what_they_see_and_no_author(api, reviewed, draft):
    rita = client_with("projects.review_claim", username="rita")
    accept(rita, ClaimFactory(project=reviewed["accepted"].project, value_number=Decimal("100")))
    feed = api.get(CHANGES, {"page_size": 500}).json()["results"]
    claims = {entry["object_id"] for entry in feed if entry["object_type"] == "projects.claim"}
    assert claims == set(Claim.objects.filter(status="accepted").exclude(project=draft).values_list("pk", flat=True))
    assert not [entry for entry in feed if about(entry, draft)]
    assert {entry["user"] for entry in feed} == {""}
    assert ObjectChange.objects.filter(user_name="rita").exists()
    for entry in feed:
        for data in (entry["before"], entry["after"]):
            assert "reviewed_by_id" not in (data or {})


def test_a_part_standing_on_a_claim_in_review_keeps_its_history_out_of_the_feed(api, public_project):
    """A phase recorded from a proposed claim waits, in the feed as on the page, until it is accepted."""
    from projects import services
    from projects.models import Phase
    from tests.factories import make

    claim = ClaimFactory(project=public_project, value_number=Decimal("120"), scope=choices.ClaimScope.PHASE)
    phase = make(Phase, project=public_project, name="Phase 1", capacity_mw=Decimal("120"), claim=claim)
    typed = make(Phase, project=public_project, name="Phase 2", capacity_mw=Decimal("80"))

    def phase_ids():
        feed = api.get(CHANGES, {"object_type": "projects.phase", "page_size": 500}).json()["results"]
        return {entry["object_id"] for entry in feed}

    assert phase_ids() == {typed.pk}
    services.claim_accept(claim=Claim.objects.get(pk=claim.pk))
    assert phase_ids() == {typed.pk, phase.pk}
    services.record_delete(instance=Phase.objects.get(pk=phase.pk))
    assert phase_ids() == {typed.pk, phase.pk}  # a sync client learns that a public phase is gone


def test_the_history_permission_shows_authors_and_review_states(reviewed, draft):
    reject(client_with("projects.review_claim", username="rita"), reviewed["proposed"])
    client = client_with("core.view_objectchange", "projects.view_claim", username="historian")
    feed = client.get(CHANGES, {"page_size": 500}).json()["results"]
    rejected = [entry for entry in feed if entry["object_id"] == reviewed["proposed"].pk]
    assert rejected[-1]["user"] == "rita" and rejected[-1]["after"]["status"] == "rejected"
    assert "reviewed_by_id" in rejected[-1]["after"]
    # drafts stay out of the feed unless asked for, by someone who may see them
    assert not [entry for entry in feed if about(entry, draft)]
    assert client.get(CHANGES, {"include_drafts": "true"}).status_code == 403
    editor = client_with("core.view_objectchange", "projects.view_project", username="deskeditor")
    with_drafts = editor.get(CHANGES, {"include_drafts": "true", "page_size": 500}).json()["results"]
    assert [entry for entry in with_drafts if about(entry, draft)]


def test_a_confirmed_draft_brings_its_history_and_a_deleted_project_its_deletion(api, editor_api, draft):
    url = f"{PROJECTS}{draft.slug}/"
    assert editor_api.patch(url, {"is_draft": False}, **if_match(editor_api, url)).status_code == 200
    feed = api.get(CHANGES, {"page_size": 500}).json()["results"]
    assert [entry["action"] for entry in feed if about(entry, draft)][:1] == ["create"]

    public_pk = ProjectFactory(name="Closed hall").pk
    another_pk = ProjectFactory(is_draft=True).pk
    for pk in (public_pk, another_pk):
        assert editor_api.delete(f"{PROJECTS}{pk}/", **if_match(editor_api, f"{PROJECTS}{pk}/")).status_code == 204
    feed = api.get(CHANGES, {"object_type": "projects.project", "action": "delete"}).json()["results"]
    # a sync client learns that a public project is gone; a draft deleted unconfirmed was never public
    assert [entry["object_id"] for entry in feed] == [public_pk]
    assert another_pk not in {entry["object_id"] for entry in api.get(CHANGES, {"page_size": 500}).json()["results"]}


@pytest.mark.parametrize("drafts", [3, 30])
def test_the_filtered_feed_is_still_one_query_a_page(api, editor_api, django_assert_max_num_queries, drafts):
    source = SourceFactory()
    for index in range(drafts):
        project = ProjectFactory(is_draft=index % 2 == 0)
        claim = ClaimFactory(project=project, source=source)
        if index % 3 == 0:
            accept(editor_api, claim)
    with django_assert_max_num_queries(1):
        results = api.get(CHANGES, {"page_size": 500}).json()["results"]
    public = set(Project.objects.filter(is_draft=False).values_list("pk", flat=True))
    accepted = set(Claim.objects.filter(status="accepted", project__in=public).values_list("pk", flat=True))
    projects = {entry["object_id"] for entry in results if entry["object_type"] == "projects.project"}
    claims = {entry["object_id"] for entry in results if entry["object_type"] == "projects.claim"}
    parents = {entry["parent_object_id"] for entry in results if entry["parent_type"] == "projects.project"}
    assert projects == public and claims == accepted and parents <= public
    staff = client_with("core.view_objectchange", "projects.view_claim", "projects.view_project", username="desk")
    # a token, the user's permissions and groups: a fixed few more, whatever the number of rows
    with django_assert_max_num_queries(5):
        assert staff.get(CHANGES, {"page_size": 500, "include_drafts": "true"}).status_code == 200


# Totals ------------------------------------------------------------------------------------


@pytest.fixture
def portfolio(db):
    for status, country, mw, amount in (
        ("announced", "FR", "700", "5000000000"),
        ("construction", "FR", "300", "1000000000"),
        ("cancelled", "FR", "900", "9000000000"),
        ("decommissioned", "DE", "40", "100000000"),
        ("operational", "DE", "50", None),
    ):
        ProjectFactory(
            status=status,
            country=country,
            capacity_mw=Decimal(mw),
            investment_amount=Decimal(amount) if amount else None,
            investment_currency="EUR" if amount else "",
        )
    ProjectFactory(status="announced", country="FR", capacity_mw=Decimal("5000"), is_draft=True)


def test_api_stats_and_the_stats_page_count_by_one_rule(api, client, portfolio):
    groups = {group["key"]: group for group in api.get(STATS, {"group_by": "country"}).json()["groups"]}
    page = client.get("/stats/").context
    mw = {row["country"]: row["mw"] for row in page["capacity"].rows}
    assert {key: group["capacity_mw"] for key, group in groups.items()} == {"FR": 1000.0, "DE": 50.0}
    assert mw == {"FR": Decimal("1000"), "DE": Decimal("50")}
    invested = {(row["country"], row["currency"]): row["total"] for row in page["investment"].rows}
    assert invested == {("FR", "EUR"): Decimal("6000000000")}
    assert groups["FR"]["investment"] == [{"currency": "EUR", "amount": 6000000000.0, "project_count": 2}]
    by_kind = sum(row["projects"] for row in page["kinds"].rows)
    assert by_kind == sum(group["project_count"] for group in groups.values()) == 3
    assert client.get("/").context["totals"]["projects"] == 3
    # left out by default, counted when asked for by status
    statuses = {group["key"] for group in api.get(STATS, {"group_by": "status"}).json()["groups"]}
    assert statuses == {"announced", "construction", "operational"}
    cancelled = api.get(STATS, {"group_by": "status", "status": "cancelled"}).json()["groups"]
    assert [(group["key"], group["capacity_mw"]) for group in cancelled] == [("cancelled", 900.0)]


# Schema ------------------------------------------------------------------------------------


def test_include_drafts_is_documented_in_the_schema(api):
    schema = yaml.safe_load(api.get("/api/schema/").content)
    for path in (PROJECTS, CLAIMS, CHANGES, STATS, "/api/v1/phases/", "/api/v1/grid-connections/"):
        operation = schema["paths"][path]["get"]
        parameters = {parameter["name"]: parameter for parameter in operation["parameters"]}
        assert parameters["include_drafts"]["schema"]["type"] == "boolean", path
        assert "403" in operation["responses"], path
    detail = schema["paths"][f"{PROJECTS}{{slug}}/"]["get"]
    assert "include_drafts" not in {parameter["name"] for parameter in detail["parameters"]}
    user = schema["components"]["schemas"]["Change"]["properties"]["user"]
    assert "core.view_objectchange" in user["description"]


def test_the_newsroom_s_own_records_stay_out_of_the_public_changes_feed(api, public_project):
    """A feed the newsroom watches is the admin's business: readers learn nothing of it."""
    from projects.newsdesk.models import Feed
    from projects.newsdesk.services import feed_save

    feed = feed_save(instance=Feed(url="https://news.example.org/private-watchlist.xml", title="Watch list"))
    anonymous = api.get(CHANGES, {"page_size": 500}).json()["results"]
    assert anonymous and not [entry for entry in anonymous if entry["object_type"].startswith("newsdesk.")]
    historian = client_with("core.view_objectchange", username="historian")
    entries = historian.get(CHANGES, {"object_type": "newsdesk.feed", "page_size": 500}).json()["results"]
    assert [entry["object_id"] for entry in entries] == [feed.pk]
