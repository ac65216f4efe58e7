"""The promise: every figure a reader sees is its headline claim's value, or is plainly typed by hand.

Each scenario is one a user ran into; after each, ``check_integrity`` must find nothing.
"""

import csv
import datetime
import io
import json
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.history import revert_to
from core.models import ObjectChange
from core.writes import DirectWriteError
from projects import choices, services
from projects.integrity import violations
from projects.models import Claim, GridConnection, Project, Source
from tests.factories import ClaimFactory, ProjectFactory, SourceFactory, UserFactory, make

pytestmark = pytest.mark.django_db

CAPACITY = choices.ClaimAttribute.CAPACITY_MW
ACCEPTED = choices.ClaimStatus.ACCEPTED


def clean():
    found = [str(violation) for violation in violations()]
    assert found == []


def capacity_claims(project):
    return project.claims.filter(attribute=CAPACITY).order_by("pk")


@pytest.fixture
def editor(db):
    """Every add, change and delete permission, but not the review permission."""
    user = UserFactory(username="editor")
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="projects").exclude(codename="review_claim")
    )
    return user


def token_client(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


# A hand edit is shown as typed by hand everywhere ---------------------------------------------


def test_a_figure_typed_by_hand_says_so_on_every_reader(demo, admin_client, client):
    services.project_update(project=demo, data={"capacity_mw": Decimal("750")})
    demo.refresh_from_db()
    assert demo.capacity_mw == Decimal("750")
    assert "capacity_mw" in demo.typed_by_hand
    clean()

    page = client.get(f"/projects/{demo.slug}/").content.decode()
    assert "typed by hand; sources say 700 MW" in page
    assert "750 MW · 1 source" not in page

    api = APIClient()
    detail = api.get(f"/api/v1/projects/{demo.slug}/").json()
    capacity = next(f for f in detail["figures"] if f["attribute"] == "capacity_mw")
    assert capacity["value"] == 750 and capacity["unit"] == "MW"
    assert capacity["sourced"] is False and capacity["typed_by_hand"] is True
    assert [c["value_number"] for c in capacity["claims"]] == [700.0]
    assert detail["capacity_mw"] == 750 and "capacity_mw" in detail["typed_by_hand"]

    listed = api.get("/api/v1/projects/").json()["results"][0]
    assert "capacity_mw" in listed["typed_by_hand"]
    rows = list(
        csv.DictReader(io.StringIO(b"".join(api.get("/api/v1/projects/?format=csv").streaming_content).decode()))
    )
    assert "capacity_mw" in rows[0]["typed_by_hand"].split(";")
    geojson = json.loads(b"".join(api.get("/api/v1/projects/?format=geojson").streaming_content))
    assert "capacity_mw" in geojson["features"][0]["properties"]["typed_by_hand"]

    admin_page = admin_client.get(f"/admin/projects/project/{demo.pk}/change/").content.decode()
    assert "The project shows 750 MW, typed by hand" in admin_page
    admin_list = admin_client.get("/admin/projects/project/").content.decode()
    assert "Capacity (MW)" in admin_list  # the list names the figures typed by hand

    stats = api.get("/api/v1/stats/capacity/", {"group_by": "country"}).json()["groups"][0]
    assert stats["capacity_mw"] == 750 and stats["capacity_mw_typed_by_hand"] == 750
    overview = client.get("/").content.decode()
    assert "of which 750 MW typed by hand, with no source" in overview


def test_setting_the_figure_back_to_its_source_makes_it_sourced_again(demo):
    services.project_update(project=demo, data={"capacity_mw": Decimal("750")})
    services.project_update(project=demo, data={"capacity_mw": Decimal("700")})
    demo.refresh_from_db()
    assert "capacity_mw" not in demo.typed_by_hand
    clean()


def test_using_the_sources_value_again_drops_the_hand_typed_one(demo):
    services.project_update(project=demo, data={"capacity_mw": Decimal("750")})
    services.project_use_sources(project=demo, attribute=CAPACITY)
    demo.refresh_from_db()
    assert demo.capacity_mw == Decimal("700") and "capacity_mw" not in demo.typed_by_hand
    clean()


# Headlines pass on, or the figure is cleared --------------------------------------------------


def add_capacity(project, mw, as_of, **extra):
    return ClaimFactory(
        project=project,
        source=SourceFactory(published_on=as_of),
        value_number=Decimal(mw),
        quote=f"{mw} MW",
        status=ACCEPTED,
        **extra,
    )


def test_deleting_the_headline_passes_it_to_the_latest_accepted_claim(demo):
    headline = capacity_claims(demo).get(is_headline=True)
    later = add_capacity(demo, "1000", datetime.date(2026, 5, 1))
    add_capacity(demo, "900", datetime.date(2026, 4, 1))
    services.claim_delete(claim=headline)
    demo.refresh_from_db()
    later.refresh_from_db()
    assert later.is_headline and demo.capacity_mw == Decimal("1000")
    assert demo.conflict_count == 1  # 1,000 and 900 still disagree
    clean()


def test_rejecting_or_deleting_the_last_claim_clears_the_figure(demo):
    headline = capacity_claims(demo).get(is_headline=True)
    services.claim_reject(claim=headline)
    demo.refresh_from_db()
    assert demo.capacity_mw is None
    clean()
    services.claim_delete(claim=Claim.objects.get(pk=headline.pk))
    clean()


def announcement_claims(project, *dates):
    source = SourceFactory()
    return [
        services.claim_create(
            data={
                "project": project,
                "source": source,
                "attribute": choices.ClaimAttribute.ANNOUNCED_ON,
                "value_date": date,
                "value_date_precision": "day",
                "as_of": as_of,
                "quote": f"announced on {date}",
                "status": ACCEPTED,
            }
        )
        for date, as_of in dates
    ]


def test_the_headline_passes_over_a_claim_the_project_cannot_show(client):
    """Next in line says 2031, after the target year typed by hand: the headline goes to 2024."""
    project = services.project_create(data={"name": "Next in line", "country": "FR", "operational_year": 2029})
    older, headline = announcement_claims(
        project, (datetime.date(2024, 10, 15), datetime.date(2024, 10, 16)), (datetime.date(2025, 2, 1), None)
    )
    services.claim_update(claim=headline, data={"as_of": datetime.date(2026, 1, 1)})
    late = announcement_claims(project, (datetime.date(2031, 1, 1), datetime.date(2025, 6, 1)))[0]
    services.claim_reject(claim=Claim.objects.get(pk=headline.pk))
    project.refresh_from_db()
    assert Claim.objects.get(pk=older.pk).is_headline and not Claim.objects.get(pk=late.pk).is_headline
    assert project.announced_on == datetime.date(2024, 10, 15)
    assert "announced_on" not in project.typed_by_hand
    clean()


def test_when_no_claim_left_can_be_shown_the_figure_is_emptied_and_typed_by_hand(client):
    project = services.project_create(data={"name": "Unshowable", "country": "FR", "operational_year": 2029})
    headline, late = announcement_claims(
        project, (datetime.date(2024, 10, 15), datetime.date(2026, 1, 1)), (datetime.date(2031, 1, 1), None)
    )
    services.claim_delete(claim=Claim.objects.get(pk=headline.pk))
    project.refresh_from_db()
    assert Claim.objects.get(pk=late.pk).is_headline  # the sources' word stays on record...
    assert project.announced_on is None and project.operational_year == 2029
    assert "announced_on" in project.typed_by_hand  # ...and readers are told the figure is not theirs
    clean()
    detail = APIClient().get(f"/api/v1/projects/{project.slug}/").json()
    figure = next(f for f in detail["figures"] if f["attribute"] == "announced_on")
    assert figure["value"] is None and figure["typed_by_hand"] is True and figure["sourced"] is False
    assert "typed by hand; sources say" in client.get(f"/projects/{project.slug}/").content.decode()


def test_a_value_kept_against_the_sources_stays_when_the_headline_goes(demo):
    services.project_update(project=demo, data={"capacity_mw": Decimal("750")})
    services.claim_reject(claim=capacity_claims(demo).get(is_headline=True))
    demo.refresh_from_db()
    assert demo.capacity_mw == Decimal("750")
    clean()


def test_after_a_revert_the_figure_and_its_headline_agree(demo, client):
    claim = capacity_claims(demo).get(is_headline=True)
    services.claim_update(claim=claim, data={"value_number": Decimal("1000"), "quote": "1 000 MW"})
    services.claim_update(claim=claim, data={"value_number": Decimal("700"), "quote": "700 MW"})
    to_1000 = next(
        change
        for change in ObjectChange.objects.filter(object_id=claim.pk, content_type__model="claim").order_by("pk")
        if (change.postchange_data or {}).get("value_number") == "1000"
    )
    revert_to(to_1000)
    demo.refresh_from_db()
    claim.refresh_from_db()
    assert claim.value_number == Decimal("1000") and demo.capacity_mw == Decimal("1000")
    detail = APIClient().get(f"/api/v1/projects/{demo.slug}/").json()
    capacity = next(f for f in detail["figures"] if f["attribute"] == "capacity_mw")
    assert detail["capacity_mw"] == capacity["value"] == 1000 and capacity["sourced"]
    clean()


def test_reverting_the_project_to_an_old_figure_marks_it_typed_by_hand(demo):
    claim = capacity_claims(demo).get(is_headline=True)
    before = ObjectChange.objects.filter(object_id=demo.pk, content_type__model="project").latest("pk")
    services.claim_update(claim=claim, data={"value_number": Decimal("1000")})
    revert_to(before)  # the project as it was: 700, which no source says any more
    demo.refresh_from_db()
    assert demo.capacity_mw == Decimal("700") and "capacity_mw" in demo.typed_by_hand
    clean()


# Review is the same everywhere ----------------------------------------------------------------


def test_an_editor_token_cannot_create_an_accepted_claim(demo, editor):
    response = token_client(editor).post(
        "/api/v1/claims/",
        {
            "project": demo.pk,
            "source": demo.claims.first().source_id,
            "attribute": "jobs_construction",
            "value_number": 9999,
            "quote": "9 999 jobs",
            "status": "accepted",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "proposed"
    demo.refresh_from_db()
    assert demo.jobs_construction != 9999
    clean()


def test_an_editor_cannot_change_an_accepted_claims_value(demo, editor):
    claim = capacity_claims(demo).get(is_headline=True)
    client, url = token_client(editor), f"/api/v1/claims/{claim.pk}/"
    response = client.patch(url, {"value_number": 1}, format="json", HTTP_IF_MATCH=client.get(url)["ETag"])
    assert response.status_code == 403
    assert "projects.review_claim" in json.dumps(response.json())
    claim.refresh_from_db()
    assert claim.value_number == Decimal("700")
    with pytest.raises(PermissionDenied):
        services.claim_update(claim=claim, data={"value_number": Decimal("1")}, user=editor)
    services.claim_update(claim=claim, data={"quote": "une capacité de 700 MW"}, user=editor)  # wording is fine


# Derived values follow the write --------------------------------------------------------------


def test_moving_the_site_moves_the_grid_distance(demo):
    connection_ = GridConnection.objects.get(project=demo)
    assert connection_.distance_km == pytest.approx(4.12, abs=0.01)
    services.project_update(project=demo, data={"latitude": 48.8566, "longitude": 2.3522})
    connection_.refresh_from_db()
    assert connection_.distance_km > 150
    clean()


def test_moving_a_substation_moves_the_distances_to_it(demo):
    connection_ = GridConnection.objects.select_related("substation").get(project=demo)
    services.record_save(instance=connection_.substation, data={"latitude": 48.8566, "longitude": 2.3522})
    connection_.refresh_from_db()
    assert connection_.distance_km > 150
    clean()


def test_an_eventual_build_out_does_not_conflict_with_the_first_stage(demo):
    add_capacity(demo, "1000", datetime.date(2026, 5, 1), scope=choices.ClaimScope.EVENTUAL)
    demo.refresh_from_db()
    assert demo.conflict_count == 0 and demo.capacity_mw == Decimal("700")
    add_capacity(demo, "650", datetime.date(2026, 5, 2), bound=choices.ClaimBound.AT_LEAST)
    demo.refresh_from_db()
    assert demo.conflict_count == 0  # "at least 650" allows 700
    add_capacity(demo, "800", datetime.date(2026, 5, 3))
    demo.refresh_from_db()
    assert demo.conflict_count == 1
    clean()


def test_an_article_about_a_2024_announcement_dates_the_timeline_2024(client):
    from projects.ingestion import ingest_source, store_source

    text = (
        "Lille, 3 octobre 2024 – La société Nordhall a annoncé le 3 octobre 2024 la construction d'un centre de "
        "données de 120 MW à Escaudain, dans le Nord. Le projet représente un investissement de 800 millions "
        "d'euros et doit être opérationnel en 2028."
    )
    source = store_source(text=text, title="Nordhall à Escaudain")
    result = ingest_source(source=source)
    steps = list(result.project.status_history.all())
    assert [step.date.year for step in steps] == [2024]
    status_claims = [c for c in result.claims if c.attribute == "status"]
    for claim in status_claims:
        assert claim.event_date.year == 2024


# The integrity check --------------------------------------------------------------------------


def test_check_integrity_is_clean_on_the_demo_and_names_a_figure_changed_behind_its_back(demo, capsys):
    call_command("check_integrity")
    assert "No integrity violation" in capsys.readouterr().out
    Project.objects.filter(pk=demo.pk).update(capacity_mw=1)
    with pytest.raises(CommandError) as failed:
        call_command("check_integrity")
    assert failed.value.returncode == 1
    out = capsys.readouterr().out
    assert "escaudain-ai-data-center" in out and "capacity_mw" in out


# One write path -------------------------------------------------------------------------------


def test_saves_outside_the_services_are_refused_and_say_which_to_call(demo):
    with pytest.raises(DirectWriteError, match="project_update"):
        Project.objects.create(name="Shell project")
    with pytest.raises(DirectWriteError, match="claim_delete"):
        demo.claims.first().delete()
    with pytest.raises(DirectWriteError):
        Source(title="Shell source").save()
    clean()


def test_bulk_updates_stay_possible_and_are_logged(demo):
    before = ObjectChange.objects.count()
    Project.objects.filter(pk=demo.pk).update(description="Bulk edit")
    assert ObjectChange.objects.count() == before + 1


def test_the_bulk_import_gives_the_same_errors_as_one_edit(demo):
    bad = {"name": "Fouju", "slug": "fouju", "capacity_mw": Decimal("-5"), "latitude": 48.5}
    with pytest.raises(Exception) as single:
        services.project_create(data=bad)
    with pytest.raises(services.bulk.ImportRolledBack) as bulk:
        services.projects_import(rows=[{"name": "Fine", "slug": "fine"}, bad])
    assert set(bulk.value.result.errors[2]) == set(single.value.message_dict)
    assert not Project.objects.filter(slug__in=["fine", "fouju"]).exists()
    services.projects_import(rows=[{"name": "Fine", "slug": "fine", "capacity_mw": Decimal("30")}])
    assert Project.objects.get(slug="fine").typed_by_hand == ["capacity_mw"]
    clean()


# Query budget ---------------------------------------------------------------------------------


def queries_of(call) -> int:
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)


@pytest.mark.parametrize("claims", [6, 60])
def test_each_service_call_runs_a_bounded_number_of_queries(claims):
    project = ProjectFactory()
    source = SourceFactory()
    for n in range(claims - 2):
        make(
            Claim,
            project=project,
            source=source,
            attribute=choices.ClaimAttribute.JOBS,
            value_number=Decimal(n + 1),
            quote=f"{n + 1} jobs",
            status=ACCEPTED,
        )
    first = ClaimFactory(project=project, source=source, value_number=Decimal("100"), status=ACCEPTED)
    second = ClaimFactory(project=project, source=source, value_number=Decimal("120"))
    counts = {
        "claim_accept": queries_of(lambda: services.claim_accept(claim=second)),
        "claim_reject": queries_of(lambda: services.claim_reject(claim=first)),
        "project_update": queries_of(
            lambda: services.project_update(project=Project.objects.get(pk=project.pk), data={"name": "Renamed"})
        ),
    }
    assert max(counts.values()) <= 20, counts


# Every sourced record, not only figures -------------------------------------------------------


def test_a_part_backed_by_a_claim_in_review_waits_for_it_and_one_typed_by_hand_says_so(demo, client):
    from projects.models import Phase

    proposed = ClaimFactory(project=demo, attribute=choices.ClaimAttribute.OTHER, value_text="phase 2", quote="phase 2")
    waiting = make(Phase, project=demo, name="Phase 2", capacity_mw=Decimal("300"), claim=proposed)
    typed = make(Phase, project=demo, name="Phase 1", capacity_mw=Decimal("400"))
    api = APIClient()
    phases = {p["name"] for p in api.get("/api/v1/phases/", {"project": demo.pk}).json()["results"]}
    assert phases == {"Phase 1"}
    assert api.get(f"/api/v1/phases/{waiting.pk}/").status_code == 404
    detail = api.get(f"/api/v1/projects/{demo.slug}/").json()
    assert [p["name"] for p in detail["phases"]] == ["Phase 1"] and detail["phases"][0]["claim"] is None
    page = client.get(f"/projects/{demo.slug}/").content.decode()
    assert '<th scope="row">Phase 2' not in page
    assert '<th scope="row">Phase 1 <span class="note typed-by-hand">typed by hand</span>' in page
    services.claim_accept(claim=proposed)
    assert api.get(f"/api/v1/phases/{waiting.pk}/").json()["claim"] == proposed.pk
    with pytest.raises(Exception, match="this project"):
        make(Phase, project=ProjectFactory(), name="Elsewhere", claim=proposed)
    assert typed.claim_id is None
    clean()


def test_an_article_s_dateline_dates_what_it_reports_when_nothing_else_does():
    from projects.ingestion import ingest_source, store_source

    text = (
        "Campus de données à Escaudain\n\n14 mars 2025\n\n"
        "Le projet de centre de données de 200 MW à Escaudain, dans le Nord, a obtenu son permis de construire."
    )
    result = ingest_source(source=store_source(text=text, title="Escaudain"))
    assert result.source.published_on == datetime.date(2025, 3, 14)
    assert [step.date for step in result.project.status_history.all()] == [datetime.date(2025, 3, 14)]


def test_an_undated_article_puts_no_invented_date_on_the_timeline():
    from projects.ingestion import ingest_source, store_source

    text = "Un centre de données de 200 MW est prévu à Escaudain, dans le Nord."
    result = ingest_source(source=store_source(text=text, title="Escaudain"))
    assert result.source.published_on is None
    assert list(result.project.status_history.all()) == []


def test_a_headline_that_would_break_a_rule_across_figures_is_refused_with_the_rule():
    from django.core.exceptions import ValidationError

    project = ProjectFactory(operational_year=2029)  # typed by hand
    claim = ClaimFactory(
        project=project,
        attribute=choices.ClaimAttribute.ANNOUNCED_ON,
        value_date=datetime.date(2032, 1, 1),
        value_date_precision="year",
        quote="annoncé en 2032",
    )
    project.refresh_from_db()
    version = project.version
    with pytest.raises(ValidationError, match="target year of operation cannot be before the announcement"):
        services.claim_accept(claim=claim)
    project.refresh_from_db()
    claim.refresh_from_db()
    assert claim.status == "proposed" and project.version == version and project.announced_on is None
    clean()
