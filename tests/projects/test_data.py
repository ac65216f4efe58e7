"""/data/: machine-format downloads, the Frictionless data package and its dated releases."""

import csv
import datetime
import hashlib
import io
from decimal import Decimal

import openpyxl
import orjson
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects import choices, data
from projects.models import ProjectRole
from tests.factories import ClaimFactory, OrganizationFactory, ProjectFactory, SourceFactory, make

pytestmark = pytest.mark.django_db


def rows(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def published_project(**fields):
    project = ProjectFactory(
        announced_on=datetime.date(2025, 2, 1), announced_precision=choices.DatePrecision.MONTH, **fields
    )
    ClaimFactory(project=project, value_number=Decimal("700"), status=choices.ClaimStatus.ACCEPTED)
    organization = OrganizationFactory(name=f"Builder of {project.name}")
    make(
        ProjectRole, project=project, organization=organization, role=choices.RoleKind.DEVELOPER, source=SourceFactory()
    )
    return project


def test_projects_csv_writes_machine_values_with_precision_roles_and_sources(client):
    project = published_project(name="Escaudain campus")
    ProjectFactory(name="Draft campus", is_draft=True)

    response = client.get("/data/projects.csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["X-Data-Filter"] == "none (every published project)"
    (row,) = rows(response)
    assert row["slug"] == project.slug
    assert row["capacity_mw"] == "700"  # not "700.00"
    assert row["announced_on"] == "2025-02"
    assert row["announced_precision"] == "month"
    assert row["organizations"] == "Builder of Escaudain campus (developer)"
    assert row["page_url"] == project.get_absolute_url()
    assert row["organization_roles"].endswith(":developer")
    urls = row["source_urls"].split("; ")
    assert len(urls) == 2 and all(url.startswith("https://news.example.org/") for url in urls)


def test_a_download_says_its_filter_and_keeps_to_it(client):
    french = published_project(country="FR")
    published_project(country="DE")

    response = client.get("/data/projects.csv?country=FR&ordering=name")
    assert response["X-Data-Filter"] == "country=FR"
    assert [row["slug"] for row in rows(response)] == [french.slug]

    claims = rows(client.get("/data/claims.csv?country=FR"))
    assert {row["project"] for row in claims} == {french.slug}

    package = orjson.loads(client.get("/data/datapackage.json?country=FR").content)
    assert package["filter"] == "country=FR"
    assert "Filter: country=FR." in package["description"]
    assert package["resources"][0]["path"] == "projects.csv?country=FR"


def test_an_invalid_filter_is_a_400_that_says_why(client):
    response = client.get("/data/projects.csv?capacity_min=lots")
    assert response.status_code == 400
    assert b"capacity_min" in response.content


def test_claims_csv_has_accepted_claims_of_published_projects_only(client):
    project = ProjectFactory()
    accepted = ClaimFactory(
        project=project, value_number=Decimal("700"), status=choices.ClaimStatus.ACCEPTED, quote="up to 700 MW"
    )
    ClaimFactory(project=project, value_number=Decimal("900"))  # proposed
    ClaimFactory(project=ProjectFactory(is_draft=True), value_number=Decimal("50"), status=choices.ClaimStatus.ACCEPTED)

    (row,) = rows(client.get("/data/claims.csv"))

    assert row["id"] == str(accepted.pk)
    assert row["project"] == project.slug
    assert row["attribute"] == "capacity_mw"
    assert row["value"] == "700"
    assert row["unit"] == accepted.unit
    assert row["scope"] == "project"
    assert row["bound"] == "exact"
    assert row["source_url"] == accepted.source.url
    assert row["quote"] == "up to 700 MW"
    assert row["status"] == "accepted"
    assert row["as_of"] == accepted.as_of.isoformat()


def test_text_cells_never_open_as_formulas(client):
    published_project(name='=HYPERLINK("http://evil.example/","x")')
    (row,) = rows(client.get("/data/projects.csv"))
    assert row["name"].startswith("'=")


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
        else:
            response.getvalue()
    return len(queries)


@pytest.mark.parametrize(
    "url",
    ["/data/projects.csv", "/data/claims.csv", "/data/organizations.csv", "/data/sources.csv", "/data/projects.xlsx"],
)
def test_a_download_runs_as_many_queries_for_many_rows_as_for_one(client, url):
    published_project()
    one = count_queries(client, url)
    for _ in range(5):
        published_project()
    assert count_queries(client, url) == one


def test_the_workbook_has_numbers_as_numbers_and_says_its_filter(client):
    project = published_project(country="FR")

    response = client.get("/data/projects.xlsx?country=FR")

    assert response["X-Data-Filter"] == "country=FR"
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    about = dict(workbook["about"].iter_rows(values_only=True))
    assert about["filter"] == "country=FR"
    assert about["licence"] == "CC-BY-4.0"
    header, *values = workbook["projects"].iter_rows(values_only=True)
    (row,) = [dict(zip(header, value, strict=True)) for value in values]
    assert row["slug"] == project.slug
    assert row["capacity_mw"] == 700 and isinstance(row["capacity_mw"], int)
    assert row["announced_on"] == "2025-02"
    assert len(list(workbook["claims"].iter_rows(values_only=True))) == 2  # the header and the one claim


def test_the_schema_speaks_the_models_words(client):
    package = orjson.loads(client.get("/data/datapackage.json").content)

    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    assert "citation" in package
    resources = {resource["name"]: resource for resource in package["resources"]}
    assert set(resources) == {"projects", "organizations", "claims", "sources"}
    fields = {field["name"]: field for field in resources["projects"]["schema"]["fields"]}
    assert fields["capacity_basis"]["description"].startswith("Whether the MW figure is gross grid power or IT load.")
    assert fields["capacity_basis"]["constraints"]["enum"] == list(choices.CapacityBasis.values)
    assert fields["capacity_mw"]["type"] == "number"
    assert "Unit: megawatts." in fields["capacity_mw"]["description"]
    assert fields["jobs_permanent"]["type"] == "integer"


def test_the_data_page_links_every_download_and_the_nav_links_it(client):
    response = client.get("/data/")
    assert response.status_code == 200
    page = response.content.decode()
    for name in ("datapackage.json", "projects.csv", "claims.csv", "organizations.csv", "sources.csv", "projects.xlsx"):
        assert name in page
    assert 'href="/data/"' in client.get("/").content.decode()


@pytest.fixture
def releases_dir(settings, tmp_path):
    settings.RELEASES_DIR = tmp_path / "releases"
    return settings.RELEASES_DIR


def test_a_release_is_a_valid_frictionless_package(demo, releases_dir):
    from frictionless import validate

    published_project()
    ClaimFactory(
        organization=OrganizationFactory(),
        project=None,
        attribute=choices.ClaimAttribute.OTHER,
        value_text="Founded in 1999",
        status=choices.ClaimStatus.ACCEPTED,
    )
    call_command("make_release", "--date", "2026-01-15", stdout=io.StringIO())

    report = validate(str(releases_dir / "2026-01-15" / "datapackage.json"))

    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert report.stats["tasks"] == 4
    claims = {task.name: task.stats["rows"] for task in report.tasks}
    assert claims["claims"] >= 8 and claims["projects"] >= 2


@pytest.mark.django_db(transaction=True)
def test_the_served_package_with_a_filter_is_valid(live_server):
    from frictionless import validate

    published_project(country="FR")
    published_project(country="DE")

    report = validate(f"{live_server.url}/data/datapackage.json?country=FR")

    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert {task.name: task.stats["rows"] for task in report.tasks} == {
        "projects": 1,
        "organizations": 1,
        "claims": 1,
        "sources": 2,
    }


def test_releases_are_written_once_with_their_hashes_and_what_changed(client, releases_dir):
    kept = published_project()
    removed = published_project()
    call_command("make_release", "--date", "2026-01-15", stdout=io.StringIO())
    with pytest.raises(CommandError, match="never overwritten"):
        call_command("make_release", "--date", "2026-01-15", stdout=io.StringIO())

    from projects.services import project_delete, project_update

    removed.refresh_from_db()
    kept.refresh_from_db()
    project_delete(project=removed)
    project_update(project=kept, data={"capacity_mw": Decimal("750")})
    added = published_project()
    call_command("make_release", "--date", "2026-02-15", stdout=io.StringIO())

    manifest = orjson.loads(b"".join(client.get("/data/releases/2026-02-15/release.json").streaming_content))
    assert manifest["changes"]["since"] == "2026-01-15"
    assert manifest["changes"]["projects_added"] == [added.slug]
    assert manifest["changes"]["projects_removed"] == [removed.slug]
    assert manifest["changes"]["figure_changes"] == [
        {"project": kept.slug, "column": "capacity_mw", "before": "700", "after": "750"}
    ]
    assert manifest["counts"]["projects"] == 2
    response = client.get("/data/releases/2026-02-15/projects.csv")
    body = b"".join(response.streaming_content)
    assert hashlib.sha256(body).hexdigest() == manifest["files"]["projects.csv"]["sha256"]
    assert "immutable" in response["Cache-Control"]
    package = orjson.loads((releases_dir / "2026-02-15" / "datapackage.json").read_bytes())
    assert package["version"] == "2026-02-15"
    assert "release 2026-02-15" in package["citation"]
    assert package["citation"].endswith("/data/releases/2026-02-15/datapackage.json")
    assert package["resources"][0]["hash"] == f"sha256:{manifest['files']['projects.csv']['sha256']}"
    assert not (releases_dir / "2026-02-15" / "projects.csv").stat().st_mode & 0o222  # read-only

    page = client.get("/data/").content.decode()
    assert "2026-02-15" in page and "2026-01-15" in page
    assert "1 projects added, 1 removed, 1 figures changed" in page
    assert client.get("/data/releases/2026-02-15/../secret").status_code == 404
    assert client.get("/data/releases/2026-02-15/other.csv").status_code == 404


def test_the_columns_are_those_the_schema_lists():
    for table in data.TABLES.values():
        assert [field["name"] for field in table.schema()["fields"]] == [column.name for column in table.columns]


def test_the_api_downloads_write_numbers_as_numbers_and_dates_at_their_precision(client):
    published_project()

    (row,) = rows(client.get("/api/v1/projects/?format=csv"))
    assert row["capacity_mw"] == "700"
    assert (row["announced_on"], row["announced_precision"]) == ("2025-02", "month")

    response = client.get("/api/v1/projects/?format=geojson")
    (feature,) = orjson.loads(b"".join(response.streaming_content))["features"]
    assert feature["properties"]["capacity_mw"] == 700 and isinstance(feature["properties"]["capacity_mw"], int)


def test_the_project_list_links_the_downloads_of_its_filter(client):
    published_project(country="FR")
    page = client.get("/projects/?country=FR").content.decode()
    assert 'href="/data/projects.csv?country=FR"' in page
    assert 'href="/data/claims.csv?country=FR"' in page


def test_downloads_are_throttled_like_the_pages(client, monkeypatch):
    from rest_framework import throttling

    monkeypatch.setattr(
        throttling.SimpleRateThrottle, "THROTTLE_RATES", {"anon": "2/hour", "user": "2/hour", "pages": "2/hour"}
    )
    statuses = [client.get("/data/claims.csv").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


# The whole table, written once per data generation ------------------------------------------


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def data_files_dir(settings, tmp_path):
    """No file of another test's data to serve as the previous generation's."""
    settings.DATA_FILES_DIR = tmp_path / "data-files"
    return settings.DATA_FILES_DIR


def test_the_whole_table_is_a_file_written_once_per_data_generation(
    client, data_files_dir, django_assert_max_num_queries
):
    first = published_project()

    written = client.get("/data/projects.csv")
    again_queries = CaptureQueriesContext(connection)
    with again_queries:
        again = client.get("/data/projects.csv")
        served = body(again)

    assert written["X-Data-Filter"] == "none (every published project)"
    assert written["X-Data-Generation"] == again["X-Data-Generation"]
    assert "X-Data-Stale" not in again
    assert 'filename="projects.csv"' in again["Content-Disposition"]
    assert served == body(written)
    assert not [query for query in again_queries if "projects_project" in query["sql"]]  # read from disk
    assert client.get("/data/projects.csv", HTTP_IF_NONE_MATCH=again["ETag"]).status_code == 304

    second = published_project()  # a write: the next generation, and its own file
    with django_assert_max_num_queries(12):
        rewritten = client.get("/data/projects.csv")
        slugs = {row["slug"] for row in csv.DictReader(io.StringIO(body(rewritten).decode()))}
    assert int(rewritten["X-Data-Generation"]) > int(written["X-Data-Generation"])
    assert slugs == {first.slug, second.slug}


def test_while_a_newer_file_is_written_the_previous_one_is_served_and_says_so(client, data_files_dir):
    from django.core.cache import cache

    from projects import data_files

    published_project()
    previous = client.get("/data/projects.xlsx")
    previous_body = body(previous)
    published_project()
    cache.add(data_files.writing_lock("projects.xlsx"), 1)  # another process is writing it

    response = client.get("/data/projects.xlsx")

    assert response.status_code == 200
    assert response["X-Data-Generation"] == previous["X-Data-Generation"]
    assert response["X-Data-Stale"].startswith("a file of the latest data is being written; this one was made at ")
    assert body(response) == previous_body


def test_a_download_never_written_yet_is_read_by_the_request_or_asked_again_later(client, data_files_dir):
    from django.core.cache import cache

    from projects import data_files

    project = published_project()
    for name in ("projects.csv", "projects.xlsx"):
        cache.add(data_files.writing_lock(name), 1)

    csv_response = client.get("/data/projects.csv")
    assert csv_response.status_code == 200 and "X-Data-Generation" not in csv_response
    assert [row["slug"] for row in rows(csv_response)] == [project.slug]
    workbook = client.get("/data/projects.xlsx")
    assert workbook.status_code == 503 and workbook["Retry-After"] == "30"


def test_a_large_workbook_is_written_by_a_job_and_then_served(client, monkeypatch):
    from projects import data_files, tasks

    project = published_project()
    monkeypatch.setattr(data_files, "XLSX_REQUEST_PROJECTS", 0)
    assert not data_files.written_in_request("projects.xlsx") and data_files.written_in_request("projects.csv")

    tasks.write_data_file("projects.xlsx")

    response = client.get("/data/projects.xlsx")
    assert "X-Data-Stale" not in response
    sheet = openpyxl.load_workbook(io.BytesIO(body(response)), read_only=True)["projects"]
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == [project.slug]


def test_a_filtered_workbook_is_bounded_and_says_where_the_rows_are(client, monkeypatch):
    from projects import data_views

    published_project(country="FR")
    published_project(country="FR")
    monkeypatch.setattr(data_views, "XLSX_MAX_PROJECTS", 1)

    response = client.get("/data/projects.xlsx?country=FR")

    assert response.status_code == 422
    assert response["X-Data-Filter"] == "country=FR"
    assert "chooses 2 projects" in response.content.decode() and "projects.csv" in response.content.decode()


def test_a_formula_like_text_is_text_in_the_workbook(client):
    published_project(name='=HYPERLINK("http://evil.example/","x")', municipality="-2+3+cmd|' /C calc'!A0")

    workbook = openpyxl.load_workbook(io.BytesIO(body(client.get("/data/projects.xlsx"))))

    assert all(cell.data_type != "f" for row in workbook["projects"].iter_rows() for cell in row)
    header, values = ([cell.value for cell in row] for row in workbook["projects"].iter_rows(max_row=2))
    row = dict(zip(header, values, strict=True))
    assert row["name"] == "'" + '=HYPERLINK("http://evil.example/","x")'
    assert row["municipality"].startswith("'-2+3")
    assert row["capacity_mw"] == 700 and row["address"] is None  # an empty text is an empty cell


@pytest.mark.parametrize(
    "url", ["/data/projects.csv?country=FR", "/data/organizations.csv?country=FR", "/data/claims.csv?country=FR"]
)
def test_a_filtered_download_of_many_rows_runs_a_few_queries(client, url, django_assert_max_num_queries):
    for _ in range(30):
        project = published_project(country="FR")
        ClaimFactory(
            project=project,
            attribute=choices.ClaimAttribute.PUE,
            value_number=Decimal("1.3"),
            status=choices.ClaimStatus.ACCEPTED,
        )
    with django_assert_max_num_queries(8):
        assert len(rows(client.get(url))) >= 30


def test_the_files_can_be_written_ahead_and_old_generations_go(client, data_files_dir):
    published_project()
    call_command("write_data_files", stdout=io.StringIO())
    written = sorted(path.name for path in data_files_dir.glob("*/*"))
    assert written == ["claims.csv", "organizations.csv", "projects.csv", "projects.xlsx", "sources.csv"]
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/data/projects.xlsx").status_code == 200
    assert not [query for query in queries if "projects_project" in query["sql"]]

    for _ in range(3):
        published_project()
        call_command("write_data_files", "projects.csv", stdout=io.StringIO())
    assert len(list(data_files_dir.glob("*/projects.csv"))) == 2  # the two latest
    assert len(list(data_files_dir.glob("*/projects.xlsx"))) == 1  # the latest, however old
    assert len([path for path in data_files_dir.iterdir() if path.is_dir()]) == 3  # none left empty
    with pytest.raises(CommandError, match="No such download: other.csv"):
        call_command("write_data_files", "other.csv")


def test_a_large_table_is_written_apart_while_the_previous_file_is_served(client, data_files_dir, monkeypatch):
    from django.core.cache import cache

    from projects import data_files

    published_project()
    previous = client.get("/data/projects.csv")
    added = published_project()
    started = []
    monkeypatch.setattr(data_files, "CSV_REQUEST_PROJECTS", 1)
    monkeypatch.setattr(data_files, "_write_apart", started.append)

    stale = client.get("/data/projects.csv")
    again = client.get("/data/projects.csv")

    assert started == ["projects.csv"]  # one writer for the generation, however many ask
    assert stale["X-Data-Generation"] == again["X-Data-Generation"] == previous["X-Data-Generation"]
    assert "X-Data-Stale" in stale
    assert added.slug not in body(stale).decode()

    published_project()
    cache.add(data_files.writing_lock("projects.csv"), 1)  # the writer of the generation before is still at it
    client.get("/data/projects.csv")
    assert started == ["projects.csv"]

    cache.delete(data_files.writing_lock("projects.csv"))
    data_files.write("projects.csv")  # what the writer started apart does
    fresh = client.get("/data/projects.csv")
    assert "X-Data-Stale" not in fresh and added.slug in body(fresh).decode()


@pytest.mark.parametrize("name", ["projects", "claims"])
def test_a_filtered_table_is_the_whole_files_rows_of_the_chosen_projects(client, data_files_dir, name):
    for country in ("FR", "DE", "FR"):
        project = published_project(country=country, name=f'=cmd|"{country}" campus\nsecond line')
        ClaimFactory(project=project, value_number=Decimal("12.5"), status=choices.ClaimStatus.ACCEPTED)
    url = f"/data/{name}.csv"
    selection = data.Selection(data.Selection.everything().projects.filter(country="FR"), (("country", "FR"),))
    read_again = "".join(data.csv_chunks(data.TABLES[name], selection))

    assert body(client.get(url, {"country": "FR"})).decode() == read_again  # no file yet: the rows read
    client.get(url)  # the whole table's file
    with CaptureQueriesContext(connection) as queries:
        filtered = client.get(url, {"country": "FR"})
        assert body(filtered).decode() == read_again
    assert filtered["X-Data-Filter"] == "country=FR"
    assert len(queries) <= 2  # the chosen projects' slugs, and the filter's own look-ups
    assert len(list(csv.DictReader(io.StringIO(read_again)))) == (2 if name == "projects" else 4)


def test_a_large_table_with_no_file_yet_is_written_by_its_first_request(client, data_files_dir, monkeypatch):
    from projects import data_files

    published_project()
    started = []
    monkeypatch.setattr(data_files, "CSV_REQUEST_PROJECTS", 1)
    monkeypatch.setattr(data_files, "_write_apart", started.append)

    response = client.get("/data/projects.csv")

    assert "X-Data-Generation" in response and "X-Data-Stale" not in response
    assert started == []  # one reading of the rows, not the request's and a writer's
    assert client.get("/data/projects.xlsx").status_code == 200  # small enough for the request
    monkeypatch.setattr(data_files, "XLSX_REQUEST_PROJECTS", 1)
    published_project()
    assert client.get("/data/projects.xlsx")["X-Data-Stale"]
    assert started == ["projects.xlsx"]


def test_a_new_day_writes_the_files_again_with_the_days_inferred_statuses(client, data_files_dir, monkeypatch):
    """A file holds what is true on the day it is written: a project turns "shelved — inferred" on the
    second anniversary of its last report, with no write to move the data generation on."""
    from projects import staleness

    project = ProjectFactory(status=choices.ProjectStatus.ANNOUNCED, announced_on=datetime.date(2024, 6, 1))

    def inferred(day):
        monkeypatch.setattr(staleness, "today", lambda: day)
        response = client.get("/data/projects.csv")
        assert "X-Data-Stale" not in response
        return {row["slug"]: row["inferred_status"] for row in csv.DictReader(io.StringIO(body(response).decode()))}

    assert inferred(datetime.date(2026, 5, 31)) == {project.slug: ""}
    assert inferred(datetime.date(2026, 6, 1)) == {project.slug: "shelved"}
    filtered = client.get("/data/projects.csv", {"inferred_status": "shelved"})
    assert [row["inferred_status"] for row in csv.DictReader(io.StringIO(body(filtered).decode()))] == ["shelved"]


def test_after_a_deployment_every_file_is_written_afresh_and_abandoned_ones_go(client, data_files_dir):
    """``write_data_files --fresh``: the code or settings that write the files may have changed, so
    none of the files written before is the current one any more; a writer killed mid-file leaves a
    staging file, removed once it is older than any write may take."""
    import os
    import time

    from projects import data_files

    published_project()
    call_command("write_data_files", stdout=io.StringIO())
    (before,) = {path.parent for path in data_files_dir.glob("*/projects.csv")}
    abandoned = before / ".projects.csv-killed"
    abandoned.write_text("half a file")
    old = time.time() - data_files.WRITE_SECONDS - 60
    os.utime(abandoned, (old, old))

    call_command("write_data_files", "--fresh", stdout=io.StringIO())

    (after,) = {path.parent for path in data_files_dir.glob("*/projects.xlsx")} - {before}
    assert after.name.split("-")[0] == before.name.split("-")[0]  # the same generation, a new key
    assert client.get("/data/projects.csv")["X-Data-Generation"] == after.name.split("-")[0]
    assert (after / "projects.csv").read_bytes() == (before / "projects.csv").read_bytes()
    assert not abandoned.exists()
