import csv
import io

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from core.models import ObjectChange
from projects.models import Project
from projects.resources import ProjectResource

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


def confirm(client, preview):
    form = preview.context["confirm_form"]
    return client.post(reverse("admin:projects_project_process_import"), {**form.initial})


def test_a_file_with_one_bad_row_imports_nothing_and_names_the_row(admin_client):
    response = upload(admin_client, projects_csv(1000, bad_row=617))
    assert response.status_code == 200
    result = response.context["result"]
    assert [row.number for row in result.invalid_rows] == [617]
    assert "capacity_mw" in result.invalid_rows[0].field_specific_errors
    page = response.content.decode()
    assert "617" in page and "capacity_mw" in page
    assert "confirm_form" not in response.context  # no way to go on with a broken file
    assert Project.objects.count() == 0
    assert not ObjectChange.objects.exists()


def test_a_direct_import_with_a_bad_row_rolls_the_whole_file_back():
    dataset = tablib.Dataset().load(projects_csv(30, bad_row=30).decode(), format="csv")
    result = ProjectResource().import_data(dataset, dry_run=False)
    assert result.has_validation_errors()
    assert Project.objects.count() == 0


def test_a_clean_file_is_previewed_then_imported_with_history(admin_client, superuser):
    preview = upload(admin_client, projects_csv(200))
    assert preview.status_code == 200 and "confirm_form" in preview.context
    assert Project.objects.count() == 0  # the preview writes nothing

    response = confirm(admin_client, preview)
    assert response.status_code == 302
    assert Project.objects.count() == 200
    project = Project.objects.get(name="Imported campus 7")
    assert project.aliases == ["Campus 7", "DC7"] and project.slug == "imported-campus-7"
    assert list(project.status_history.values_list("status", flat=True)) == ["planning"]
    created = ObjectChange.objects.filter(content_type__model="project", action="create")
    assert created.count() == 200
    assert set(created.values_list("source", "user")) == {("import", superuser.pk)}


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
