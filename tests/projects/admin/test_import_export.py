import csv
import io
import time

import pytest
import tablib
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from core.models import ObjectChange
from projects import import_jobs
from projects.models import Project
from projects.resources import ProjectResource
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HEADER = ["slug", "name", "aliases", "kind", "status", "country", "municipality", "capacity_mw", "operational_year"]


def projects_csv(count: int, bad_row: int | None = None) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for n in range(1, count + 1):
        capacity = "lots" if n == bad_row else str(10 + n % 500)
        name, aliases = f"Imported campus {n}", f"Campus {n}; DC{n}"
        writer.writerow(["", name, aliases, "hyperscale", "planning", "FR", "Lille", capacity, "2030"])
    return out.getvalue().encode()


def upload(client, content: bytes, name="projects.csv", file_format="0"):
    return client.post(
        reverse("admin:projects_project_import"),
        {"format": file_format, "resource": "0", "import_file": SimpleUploadedFile(name, content)},
    )


def job_page(client, response):
    """The page of the job an upload or a confirmation redirected to, once its job has finished."""
    assert response.status_code == 302, response.content[:500]
    job_id = response.url.rstrip("/").split("/")[-1]
    import_jobs.wait(job_id)
    return client.get(response.url)


@pytest.fixture
def jobs(settings, tmp_path):
    settings.PROJECT_IMPORT_DIR = str(tmp_path / "imports")


# The job runs in a thread, on its own connection: committed data. (No serialized rollback: after
# another transactional test has flushed the database, reloading the migrations' rows clashes with
# the content types the flush recreated.)
background = pytest.mark.django_db(transaction=True)


@background
def test_a_file_with_one_bad_row_imports_nothing_and_names_the_row(admin_client, jobs):
    form = admin_client.get(reverse("admin:projects_project_import"))
    assert form.status_code == 200 and "capacity_mw" in form.content.decode()  # the columns it reads
    page = job_page(admin_client, upload(admin_client, projects_csv(1000, bad_row=617)))
    assert page.status_code == 200
    job = page.context["job"]
    assert job["status"] == "failed" and job["error_rows"] == 1
    assert job["errors"] == [[617, "capacity_mw", "“lots” is not a number."]]
    content = page.content.decode()
    assert "617" in content and "capacity_mw" in content and "nothing was imported" in content
    assert "Confirm import" not in content  # no way to go on with the file as it is ...
    assert "Import the valid rows" in content  # ... but the valid rows may be imported without the bad one
    assert Project.objects.count() == 0
    assert not ObjectChange.objects.exists()


@background
def test_a_clean_file_is_checked_then_imported_with_history(admin_client, superuser, jobs):
    checked = job_page(admin_client, upload(admin_client, projects_csv(200)))
    job = checked.context["job"]
    assert (job["phase"], job["status"], job["created"]) == ("check", "done", 200)
    assert "Confirm import" in checked.content.decode()
    assert Project.objects.count() == 0  # the check writes nothing

    done = job_page(admin_client, admin_client.post(checked.context["confirm_url"]))
    assert done.context["job"]["status"] == "done" and "200 projects created" in done.content.decode()
    assert Project.objects.count() == 200
    project = Project.objects.get(name="Imported campus 7")
    assert project.aliases == ["Campus 7", "DC7"] and project.slug == "imported-campus-7"
    assert list(project.status_history.values_list("status", flat=True)) == ["planning"]
    created = ObjectChange.objects.filter(content_type__model="project", action="create")
    assert created.count() == 200
    assert set(created.values_list("source", "user")) == {("import", superuser.pk)}


@background
def test_the_valid_rows_of_a_file_with_errors_can_be_imported_without_the_others(admin_client, jobs):
    checked = job_page(admin_client, upload(admin_client, projects_csv(50, bad_row=7)))
    done = job_page(admin_client, admin_client.post(checked.context["confirm_url"], {"skip_invalid": "1"}))
    assert done.context["job"]["status"] == "done" and done.context["job"]["error_rows"] == 1
    assert Project.objects.count() == 49 and not Project.objects.filter(name="Imported campus 7").exists()


@background
def test_a_large_file_is_read_by_a_second_process_and_an_xlsx_one_too(admin_client, jobs, monkeypatch):
    from projects import import_worker

    monkeypatch.setattr(import_worker, "MIN_BYTES", 0)
    workbook = Workbook()
    workbook.active.append(HEADER)
    for n in range(1, 41):
        workbook.active.append(["", f"Sheet campus {n}", "", "hyperscale", "planning", "FR", "Lille", 10 + n, 2030])
    content = io.BytesIO()
    workbook.save(content)
    checked = job_page(admin_client, upload(admin_client, content.getvalue(), name="projects.xlsx", file_format="1"))
    assert checked.context["job"]["status"] == "done", checked.context["job"]["message"]
    assert checked.context["job"]["rows_total"] == 40
    job_page(admin_client, admin_client.post(checked.context["confirm_url"]))
    assert Project.objects.get(slug="sheet-campus-40").capacity_mw == 50


def test_a_running_import_is_followed_and_one_whose_process_stopped_says_so(admin_client, superuser, jobs):
    job_id = import_jobs.create(SimpleUploadedFile("big.csv", b"name\nA\n"), "csv", superuser, "en")
    import_jobs._update(job_id, status="running", rows_total=100_000, rows_done=25_000)
    url = reverse("admin:projects_project_import_job", args=[job_id])
    page = admin_client.get(url)
    assert page["Refresh"] == "2" and page.context["percent"] == 25
    assert "25000 of about 100000 rows done" in page.content.decode().replace(",", "").replace("\u202f", "")
    french = admin_client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "lignes traitées sur environ" in french
    import_jobs._update(job_id, heartbeat=time.time() - import_jobs.STALE_SECONDS - 1)
    page = admin_client.get(url)
    assert "Refresh" not in page and "Nothing of the file was written" in page.content.decode()


def test_an_import_is_seen_only_by_who_started_it(client, superuser, jobs):
    job_id = import_jobs.create(SimpleUploadedFile("mine.csv", b"name\nA\n"), "csv", superuser, "en")
    other = UserFactory(username="other-editor", is_staff=True)
    other.user_permissions.set(Permission.objects.filter(codename__in=["add_project", "change_project"]))
    client.force_login(other)
    assert client.get(reverse("admin:projects_project_import_job", args=[job_id])).status_code == 404
    assert client.post(reverse("admin:projects_project_import_confirm", args=[job_id])).status_code == 404
    assert client.get(reverse("admin:projects_project_import_job", args=["..etc"])).status_code == 404


def test_a_direct_import_with_a_bad_row_rolls_the_whole_file_back():
    dataset = tablib.Dataset().load(projects_csv(30, bad_row=30).decode(), format="csv")
    result = ProjectResource().import_data(dataset, dry_run=False)
    assert result.has_validation_errors()
    assert Project.objects.count() == 0


def test_an_export_is_reimported_as_an_update_and_a_stale_export_is_refused(admin_client, demo):
    exported = ProjectResource().export()
    row = dict(zip(exported.headers, exported[0], strict=True))
    assert row["slug"] == demo.slug and row["capacity_mw"] == "700.00"

    def with_capacity(capacity: str) -> tablib.Dataset:
        return tablib.Dataset({**row, "capacity_mw": capacity}.values(), headers=exported.headers)

    result = ProjectResource().import_data(with_capacity("710"), dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    demo.refresh_from_db()
    assert demo.capacity_mw == 710

    # Another edit from the same, now outdated, export: the record has moved on since.
    result = ProjectResource().import_data(with_capacity("720"), dry_run=False)
    assert result.has_errors()
    assert "was changed by someone else" in str(result.row_errors()[0][1][0].error)
    demo.refresh_from_db()
    assert demo.capacity_mw == 710


@pytest.mark.parametrize("file_format", ["0", "1"], ids=["csv", "xlsx"])
def test_export_from_the_admin(admin_client, demo, file_format):
    form = admin_client.get(reverse("admin:projects_project_export")).context["form"]
    every_column = {name: "on" for name, field in form.fields.items() if hasattr(field, "resource_name")}
    response = admin_client.post(
        reverse("admin:projects_project_export"), {"format": file_format, "resource": "0", **every_column}
    )
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if file_format == "0":
        assert b"escaudain-ai-data-center" in content and b"700.00" in content
    else:
        sheet = load_workbook(io.BytesIO(content)).active
        assert "escaudain-ai-data-center" in [cell.value for cell in sheet["A"]]
