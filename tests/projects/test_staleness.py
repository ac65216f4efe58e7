"""Shelved and cancelled — inferred: a project no source has reported on for two or four years,
read beside its recorded status in the API, the pages, the admin and the downloads."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from projects import choices, services, staleness
from projects.models import Project
from tests.factories import ProjectFactory, SourceFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 1)
LIST = "/api/v1/projects/"


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(staleness, "today", lambda: TODAY)


def reported(as_of: datetime.date | None, *, status=choices.ProjectStatus.PLANNING, announced_on=None, **fields):
    """A project whose one accepted claim (accepted through the services) is true as of ``as_of``."""
    project = ProjectFactory(status=status, announced_on=announced_on, operational_year=None, **fields)
    if as_of is not None:
        claim = services.claim_create(
            data={
                "project": project,
                "source": SourceFactory(published_on=as_of),
                "attribute": choices.ClaimAttribute.CAPACITY_MW,
                "value_number": Decimal("100"),
                "quote": "a capacity of 100 MW",
                "as_of": as_of,
            }
        )
        services.claim_accept(claim=claim)
    return project


# Boundaries, just under and just over two and four years ---------------------------------------

BOUNDARIES = [
    (datetime.date(2024, 6, 2), None),  # two years less a day
    (datetime.date(2024, 6, 1), "shelved"),  # two years to the day
    (datetime.date(2024, 5, 31), "shelved"),
    (datetime.date(2022, 6, 2), "shelved"),  # four years less a day
    (datetime.date(2022, 6, 1), "cancelled"),  # four years to the day
    (datetime.date(2019, 1, 1), "cancelled"),
]


@pytest.mark.parametrize("as_of, expected", BOUNDARIES)
def test_the_inference_at_its_boundaries_in_the_api_and_its_filter(api, as_of, expected):
    project = reported(as_of)

    row = api.get(LIST).json()["results"][0]
    detail = api.get(f"{LIST}{project.slug}/").json()

    assert (row["last_reported_on"], row["inferred_status"]) == (as_of.isoformat(), expected)
    assert (detail["last_reported_on"], detail["inferred_status"]) == (as_of.isoformat(), expected)
    for value in ("shelved", "cancelled"):
        found = [item["slug"] for item in api.get(LIST, {"inferred_status": value}).json()["results"]]
        assert found == ([project.slug] if value == expected else [])
    # the recorded status is the sources' own, whatever is inferred
    assert row["status"] == detail["status"] == "planning"
    assert Project.objects.get(pk=project.pk).status == "planning"


def test_the_python_rule_and_the_sql_filter_agree_on_every_case():
    projects = {as_of: reported(as_of) for as_of, _expected in BOUNDARIES}
    for status in choices.ProjectStatus.values:
        projects[status] = reported(datetime.date(2020, 1, 1), status=status)
    projects["announced only"] = reported(None, announced_on=datetime.date(2023, 1, 10))
    projects["undated"] = reported(None)

    annotated = {p.pk: p for p in staleness.with_last_reported(Project.objects.all())}
    for value in staleness.InferredStatus.values:
        in_sql = set(staleness.filter_inferred(Project.objects.all(), [value]).values_list("pk", flat=True))
        in_python = {pk for pk, project in annotated.items() if staleness.inferred_of(project) == value}
        assert in_sql == in_python, value
    both = staleness.filter_inferred(Project.objects.all(), staleness.InferredStatus.values)
    assert both.count() == sum(1 for p in annotated.values() if staleness.inferred_of(p))


@pytest.mark.parametrize(
    "status, expected",
    [
        ("announced", "cancelled"),
        ("planning", "cancelled"),
        ("permitted", "cancelled"),
        # built, running, or already given an ending by the sources: nothing to infer
        ("construction", None),
        ("partially_operational", None),
        ("operational", None),
        ("shelved", None),
        ("cancelled", None),
        ("decommissioned", None),
    ],
)
def test_only_projects_not_yet_built_are_inferred(status, expected):
    project = reported(datetime.date(2020, 1, 1), status=status)
    assert staleness.inferred_of(Project.objects.get(pk=project.pk)) == expected


def test_the_announcement_dates_a_project_with_no_claim_and_a_newer_date_wins():
    announced = reported(None, announced_on=datetime.date(2023, 1, 10))
    undated = reported(None)
    renewed = reported(datetime.date(2021, 1, 1), announced_on=datetime.date(2025, 1, 1))

    assert staleness.inferred_of(announced) == "shelved"
    assert staleness.inferred_of(undated) is None and staleness.last_reported_of(undated) is None
    assert staleness.last_reported_of(renewed) == datetime.date(2025, 1, 1)
    assert staleness.inferred_of(renewed) is None


def test_a_new_source_takes_the_inference_away_and_a_proposed_one_does_not(api):
    project = reported(datetime.date(2021, 3, 1))
    assert staleness.inferred_of(project) == "cancelled"

    fresh = services.claim_create(
        data={
            "project": project,
            "source": SourceFactory(published_on=datetime.date(2026, 5, 1)),
            "attribute": choices.ClaimAttribute.JOBS_PERMANENT,
            "value_number": Decimal("40"),
            "quote": "40 jobs",
        }
    )
    assert api.get(LIST, {"inferred_status": "cancelled"}).json()["count"] == 1  # proposed: not a report yet

    services.claim_accept(claim=fresh)

    assert api.get(LIST, {"inferred_status": "cancelled"}).json()["count"] == 0
    row = api.get(LIST).json()["results"][0]
    assert (row["last_reported_on"], row["inferred_status"]) == ("2026-05-01", None)


def test_february_29th_counts_back_to_february_28th(monkeypatch):
    monkeypatch.setattr(staleness, "today", lambda: datetime.date(2028, 2, 29))
    # 2026 has no 29 February, 2024 has one
    assert staleness.cutoffs() == (datetime.date(2026, 2, 28), datetime.date(2024, 2, 29))


def test_a_bad_value_is_a_400_naming_the_parameter(api):
    response = api.get(LIST, {"inferred_status": "forgotten"})
    assert response.status_code == 400
    assert "inferred_status" in response.content.decode()


# Pages, admin and downloads -------------------------------------------------------------------


def test_the_list_page_filters_and_shows_the_inference_beside_the_status(client):
    shelved = reported(datetime.date(2023, 5, 1), name="Quiet campus")
    reported(datetime.date(2026, 1, 1), name="Busy campus")

    page = client.get("/projects/", {"inferred_status": "shelved"}).content.decode()
    everything = client.get("/projects/").content.decode()

    assert "Quiet campus" in page and "Busy campus" not in page
    assert "Planning <span" in page and "(Shelved — inferred)" in page
    assert everything.count("Shelved — inferred)") == 1 and "Busy campus" in everything
    detail = client.get(shelved.get_absolute_url()).content.decode()
    assert "Shelved — inferred" in detail and "May 1, 2023" in detail


def test_the_project_page_says_it_in_french(client):
    project = reported(datetime.date(2021, 5, 1))
    page = client.get(project.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Annulé — déduit" in page and "1 mai 2021" in page


def test_the_admin_list_filters_by_inferred_status(admin_client):
    reported(datetime.date(2021, 5, 1), name="Forgotten site")
    reported(datetime.date(2023, 5, 1), name="Quiet site")
    reported(datetime.date(2026, 5, 1), name="Busy site")

    page = admin_client.get("/admin/projects/project/", {"inferred_status": "cancelled"}).content.decode()
    everything = admin_client.get("/admin/projects/project/").content.decode()

    assert "Forgotten site" in page and "Quiet site" not in page and "Busy site" not in page
    assert "Cancelled — inferred" in page
    assert "inferred status" in everything.lower() and "Shelved — inferred" in everything


def test_the_downloads_carry_the_date_and_the_inference(client):
    reported(datetime.date(2021, 5, 1), name="Forgotten site")
    reported(datetime.date(2026, 5, 1), name="Busy site")

    def table(url, **params):
        response = client.get(url, params)
        body = b"".join(response.streaming_content).decode()
        return {row["name"]: row for row in csv.DictReader(io.StringIO(body))}

    data = table("/data/projects.csv")
    api_csv = table(LIST, format="csv")
    filtered = table("/data/projects.csv", inferred_status="cancelled")

    for rows in (data, api_csv):
        assert rows["Forgotten site"]["last_reported_on"] == "2021-05-01"
        assert rows["Forgotten site"]["inferred_status"] == "cancelled"
        assert rows["Busy site"]["inferred_status"] == ""
        assert rows["Forgotten site"]["status"] == "planning"
    assert list(filtered) == ["Forgotten site"]
    fields = {
        field["name"]: field
        for field in client.get("/data/datapackage.json").json()["resources"][0]["schema"]["fields"]
    }
    assert fields["inferred_status"]["constraints"]["enum"] == ["shelved", "cancelled"]
    assert fields["last_reported_on"]["type"] == "date"


# Query counts ----------------------------------------------------------------------------------


def count_queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
        if response.streaming:
            b"".join(response.streaming_content)
        assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "url, params",
    [
        (LIST, {}),
        (LIST, {"inferred_status": "shelved,cancelled"}),
        (LIST, {"format": "csv"}),
        ("/projects/", {}),
        ("/projects/", {"inferred_status": "shelved"}),
        ("/data/projects.csv", {}),
    ],
)
def test_lists_with_staleness_run_as_many_queries_for_many_rows_as_for_one(client, url, params):
    reported(datetime.date(2023, 1, 1))
    one = count_queries(client, url, params)
    for year in range(2016, 2026):
        reported(datetime.date(year, 3, 1))
    assert count_queries(client, url, params) == one


def test_a_count_of_the_annotated_list_leaves_the_date_out():
    with CaptureQueriesContext(connection) as queries:
        staleness.with_last_reported(Project.objects.all()).count()
    assert "MAX(" not in queries[0]["sql"].upper()


def test_the_readme_defines_every_status_as_the_data_page_does():
    from pathlib import Path

    from django.utils import translation

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    table = readme[readme.index("## Statuses, recorded and inferred") :]
    with translation.override("en"):  # whatever language a page asked for before
        for value, label in choices.ProjectStatus.choices:
            assert f"| `{value}` | {label} | {staleness.STATUS_DEFINITIONS[value]} |" in table
        for value, label in staleness.InferredStatus.choices:
            assert f"| `inferred_status={value}` | {label} |" in table
