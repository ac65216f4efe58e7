"""``manage.py import_projects FILE``: the admin's columns, in CSV or XLSX, through the bulk service."""

import csv
import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from core.models import ObjectChange
from projects.models import Project
from projects.resources import ProjectResource
from tests.factories import ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

HEADER = ["slug", "name", "aliases", "kind", "status", "country", "capacity_mw", "announced_on", "operational_year"]


def row(n, capacity="20"):
    return ["", f"Campus {n}", f"C{n}; DC {n}", "hyperscale", "planning", "FR", capacity, "2025-03-01", "2030"]


def write_csv(path, rows, header=HEADER):
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    return str(path)


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_projects", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_csv_file_is_imported_with_its_history(tmp_path):
    user = UserFactory(username="importer")
    out, _err = run(write_csv(tmp_path / "projects.csv", [row(n) for n in range(1, 31)]), "--user", "importer")
    assert "30 projects created" in out
    project = Project.objects.get(slug="campus-7")
    assert project.aliases == ["C7", "DC 7"] and project.capacity_mw == 20
    assert sorted(project.typed_by_hand) == ["announced_on", "capacity_mw", "country", "operational_year", "status"]
    assert list(project.status_history.values_list("status", "date")) == [("planning", project.announced_on)]
    logged = ObjectChange.objects.filter(content_type__model="project", action="create")
    assert logged.count() == 30 and set(logged.values_list("source", "user")) == {("import", user.pk)}


def test_a_bad_cell_or_rule_names_its_row_and_column_and_nothing_is_written(tmp_path):
    rows = [row(1), row(2, capacity="lots"), row(3), row(4, capacity="-3")]
    path = write_csv(tmp_path / "projects.csv", rows)
    err = io.StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("import_projects", path, stderr=err)
    assert failed.value.returncode == 1
    assert "2 of 4 rows have errors; nothing was imported" in str(failed.value)
    assert "row 2, capacity_mw: “lots” is not a number." in err.getvalue()
    assert "row 4, capacity_mw: Ensure this value is greater than or equal to 0." in err.getvalue()
    assert not Project.objects.exists() and not ObjectChange.objects.exists()


def test_skip_invalid_writes_the_good_rows_and_lists_the_bad(tmp_path):
    path = write_csv(tmp_path / "projects.csv", [row(1), row(2, capacity="lots"), [], row(4)])
    out, err = run(path, "--skip-invalid")
    assert "2 projects created" in out and "1 bad rows skipped" in out
    assert "row 2, capacity_mw" in err
    assert sorted(Project.objects.values_list("slug", flat=True)) == ["campus-1", "campus-4"]


def test_a_dry_run_writes_nothing(tmp_path):
    out, _err = run(write_csv(tmp_path / "projects.csv", [row(1), row(2)]), "--dry-run")
    assert "2 projects would be created" in out and "nothing was written" in out
    assert not Project.objects.exists()


def test_an_xlsx_file_is_read_like_a_csv_one(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([*HEADER, "municipality"])
    sheet.append(
        ["", "Sheet campus", "A; B", "hyperscale", "planning", "FR", 45.5, datetime.date(2025, 3, 1), 2031, 59000]
    )
    sheet.append(["", "Second sheet campus", None, "hyperscale", "planning", "FR", 12, "2024-06-30", None, "Lille"])
    workbook.save(tmp_path / "projects.xlsx")
    run(str(tmp_path / "projects.xlsx"))
    project = Project.objects.get(slug="sheet-campus")
    assert project.capacity_mw == 45.5 and project.operational_year == 2031 and project.aliases == ["A", "B"]
    assert project.announced_on == datetime.date(2025, 3, 1) and project.municipality == "59000"  # not "59000.0"
    second = Project.objects.get(slug="second-sheet-campus")
    assert second.announced_on == datetime.date(2024, 6, 30) and second.aliases == [] and second.capacity_mw == 12


@pytest.mark.parametrize("second_process", [False, True], ids=["in-process", "read-by-a-second-process"])
def test_an_export_is_imported_back_as_updates_and_a_stale_one_is_refused(tmp_path, monkeypatch, second_process):
    if second_process:
        from projects.management.commands import import_projects

        monkeypatch.setattr(import_projects, "MIN_BYTES", 0)
    project = ProjectFactory(name="Exported campus", description="=HYPERLINK(1)")
    path = tmp_path / "export.csv"
    with open(path, "w", newline="", encoding="utf-8") as out:
        out.write(ProjectResource().export().csv.replace(",100.00,", ",250,"))
    out, _err = run(str(path))
    assert "1 updated" in out
    project.refresh_from_db()
    assert project.capacity_mw == 250 and project.description == "=HYPERLINK(1)"  # the escaping apostrophe is gone
    with pytest.raises(CommandError) as failed:
        call_command("import_projects", str(path), stderr=io.StringIO())  # the same file again: made at the old version
    assert failed.value.returncode == 1


def test_a_file_without_the_columns_is_refused(tmp_path):
    with pytest.raises(CommandError, match="No column of the file"):
        run(write_csv(tmp_path / "other.csv", [["1", "2"]], header=["a", "b"]))
    with pytest.raises(CommandError, match="CSV or XLSX"):
        run(str(tmp_path / "projects.txt"))


def test_a_large_file_is_read_in_a_second_process_with_the_same_result(tmp_path, monkeypatch):
    from projects.management.commands import import_projects

    path = write_csv(tmp_path / "projects.csv", [row(n) for n in range(1, 1201)] + [row(1201, capacity="lots")])
    monkeypatch.setattr(import_projects, "MIN_BYTES", 0)
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 of 1,201 rows have errors"):
        call_command("import_projects", path, stderr=err)
    assert "row 1201, capacity_mw: “lots” is not a number." in err.getvalue()
    assert not Project.objects.exists()
    out, _err = run(path, "--skip-invalid")
    assert "1,200 projects created" in out
    project = Project.objects.get(slug="campus-1200")
    assert sorted(project.typed_by_hand) == ["announced_on", "capacity_mw", "country", "operational_year", "status"]
    assert project.status_history.count() == 1
