"""The power facts (grid power, connection status, energy source, cooling, water use, PUE) are
claims accepted through the services, shown on the project page with their sources and
confidence, in the API's detail, filterable, and in the downloads with their units."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from rest_framework.test import APIClient

from projects import choices, services
from projects.models import GridConnection
from tests.factories import ProjectFactory, SourceFactory, SubstationFactory, make

pytestmark = pytest.mark.django_db

A = choices.ClaimAttribute
LIST = "/api/v1/projects/"


@pytest.fixture
def api():
    return APIClient()


def accepted(project, source, attribute, *, accept=True, **values):
    claim = services.claim_create(data={"project": project, "source": source, "attribute": attribute, **values})
    return services.claim_accept(claim=claim) if accept else claim


@pytest.fixture
def powered(db):
    """A campus with every power fact, each from an article, and a grid connection typed by hand."""
    project = ProjectFactory(name="Bruyères campus", slug="bruyeres-campus")
    article = SourceFactory(title="Raccordement demandé à RTE", language="fr")
    accepted(
        project,
        article,
        A.GRID_POWER_MW,
        value_number=Decimal("120"),
        quote="un raccordement de 120 MW demandé à RTE",
        origin=choices.ClaimOrigin.EXTRACTION,
        confidence=0.75,
    )
    accepted(project, article, A.ENERGY_SOURCE, value_text="PPA", quote="un contrat d'achat d'électricité")
    accepted(project, article, A.ENERGY_SOURCE, value_text="solar", quote="des panneaux solaires")
    accepted(project, article, A.COOLING, value_text="free cooling", quote="refroidi par free cooling")
    accepted(
        project,
        article,
        A.WATER_USE_M3,
        value_number=Decimal("52000"),
        bound=choices.ClaimBound.AT_MOST,
        quote="jusqu'à 52 000 m³ d'eau par an",
    )
    accepted(project, article, A.PUE, value_number=Decimal("1.2"), quote="un PUE de 1,2")
    # proposed, not accepted: no reader sees it, no filter finds it
    accepted(project, article, A.ENERGY_SOURCE, value_text="nuclear", quote="le nucléaire voisin", accept=False)
    make(
        GridConnection,
        project=project,
        substation=SubstationFactory(name="Mastaing 400 kV"),
        status=choices.ConnectionStatus.REQUESTED,
        capacity_mw=Decimal("120"),
    )
    ProjectFactory(name="Other campus", slug="other-campus")
    return project


def test_the_project_page_shows_each_fact_with_unit_source_quote_and_confidence(client, powered):
    page = client.get(powered.get_absolute_url()).content.decode()
    section = page[page.index('id="power-title"') : page.index('id="sources-title"')]

    assert "Grid power requested or contracted (MW)" in section
    assert '<td class="num">120</td>' in section and "<td>MW</td>" in section
    assert "un raccordement de 120 MW demandé à RTE" in section and "Raccordement demandé à RTE" in section
    assert "75%" in section  # the extractor's confidence
    assert "Entered by hand" in section  # a claim typed into the admin has no confidence
    assert ">PPA<" in section and ">solar<" in section and "free cooling" in section
    assert "at most 52,000" in section and "m³/year" in section
    assert ">1.2<" in section
    assert "nuclear" not in page
    assert "Requested, 120" in section and "Mastaing 400 kV" in section and "typed by hand" in section
    # the claim's confidence beside it in the list of sources too
    assert "confidence 75%" in page[page.index('id="sources-title"') :]


def test_the_page_in_french(client, powered):
    page = client.get(powered.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    section = page[page.index('id="power-title"') : page.index('id="sources-title"')]
    assert "Puissance, refroidissement et eau" in section
    assert "75\u00a0%" in section and "au plus 52\u202f000" in section


def test_a_project_without_power_facts_has_no_such_section(client):
    project = ProjectFactory()
    assert 'id="power-title"' not in client.get(project.get_absolute_url()).content.decode()


def test_the_api_detail_gives_each_fact_as_numbers_with_units_and_claims(api, powered):
    body = api.get(f"{LIST}{powered.slug}/").json()
    power = {fact["attribute"]: fact for fact in body["power"]}

    assert list(power) == ["grid_power_mw", "energy_source", "cooling", "water_use_m3", "pue"]
    grid = power["grid_power_mw"]
    assert (grid["value"], grid["unit"], grid["multi_valued"]) == (120, "MW", False)
    assert grid["claims"][0]["quote"] == "un raccordement de 120 MW demandé à RTE"
    assert (grid["claims"][0]["confidence"], grid["claims"][0]["origin"]) == (0.75, "extraction")
    assert grid["headline_claim"] == grid["claims"][0]["id"]
    assert sorted(power["energy_source"]["values"]) == ["PPA", "solar"]
    assert power["energy_source"]["value"] is None
    assert (power["water_use_m3"]["value"], power["water_use_m3"]["unit"]) == (52000, "m³/year")
    assert power["water_use_m3"]["claims"][0]["bound"] == "at_most"
    assert power["pue"]["value"] == 1.2
    assert [c["status"] for c in body["grid_connections"]] == ["requested"]


@pytest.mark.parametrize(
    "params, found",
    [
        ({"grid_power_min": 100}, True),
        ({"grid_power_min": 121}, False),
        ({"grid_power_max": 120}, True),
        ({"grid_power_max": 119.5}, False),
        ({"energy_source": "solar"}, True),
        ({"energy_source": "wind,ppa"}, True),
        ({"energy_source": "nuclear"}, False),  # proposed only
        ({"cooling": "free"}, True),
        ({"cooling": "seawater"}, False),
        ({"pue_max": 1.3}, True),
        ({"pue_max": 1.1}, False),
        ({"connection_status": "requested,agreed"}, True),
        ({"connection_status": "connected"}, False),
    ],
)
def test_the_filters_in_the_api_the_list_page_and_the_downloads(api, client, powered, params, found):
    expected = ["bruyeres-campus"] if found else []
    assert [row["slug"] for row in api.get(LIST, params).json()["results"]] == expected
    page = client.get("/projects/", params).content.decode()
    assert ("Bruyères campus" in page) is found and "Other campus" not in page
    body = b"".join(client.get("/data/projects.csv", params).streaming_content).decode()
    assert [row["slug"] for row in csv.DictReader(io.StringIO(body))] == expected


@pytest.mark.parametrize(
    "params, status",
    [
        ({"grid_power_min": "lots"}, 400),
        ({"connection_status": "maybe"}, 400),
        # a rule the schema cannot state: 422, as for a search of too many words
        ({"energy_source": ",".join("abcdefghijk")}, 422),
        ({"cooling": "x" * 201}, 400),
    ],
)
def test_bad_filter_values_are_refused_naming_the_parameter(api, params, status):
    response = api.get(LIST, params)
    assert response.status_code == status
    assert next(iter(params)) in response.json()["error"]["fields"]


def test_the_downloads_have_the_facts_with_their_units(client, powered):
    body = b"".join(client.get("/data/projects.csv").streaming_content).decode()
    row = next(row for row in csv.DictReader(io.StringIO(body)) if row["slug"] == powered.slug)
    assert row["grid_power_mw"] == "120" and row["grid_power_bound"] == "exact" and row["grid_power_mw_max"] == ""
    assert row["energy_sources"] == "PPA; solar" and row["cooling"] == "free cooling"
    assert row["water_use_m3"] == "52000" and row["pue"] == "1.2"
    assert row["grid_connection_status"] == "requested"

    claims = b"".join(client.get("/data/claims.csv").streaming_content).decode()
    grid = next(row for row in csv.DictReader(io.StringIO(claims)) if row["attribute"] == "grid_power_mw")
    assert (grid["value"], grid["unit"], grid["confidence"]) == ("120", "MW", "0.75")

    schema = client.get("/data/datapackage.json").json()["resources"][0]["schema"]["fields"]
    fields = {field["name"]: field for field in schema}
    assert fields["grid_power_mw"]["type"] == "number" and "Unit: megawatts." in fields["grid_power_mw"]["description"]
    assert "Unit: cubic metres a year." in fields["water_use_m3"]["description"]

    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(client.get("/data/projects.xlsx").streaming_content)))
    sheet = workbook["projects"]
    header = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    values = next([cell.value for cell in row] for row in sheet.iter_rows(min_row=2) if row[0].value == powered.slug)
    record = dict(zip(header, values, strict=True))
    assert (record["grid_power_mw"], record["pue"], record["energy_sources"]) == (120, 1.2, "PPA; solar")


def test_the_package_with_power_facts_is_valid(client, powered, tmp_path):
    from frictionless import validate

    (tmp_path / "datapackage.json").write_bytes(client.get("/data/datapackage.json").content)
    for name in ("projects", "organizations", "claims", "sources"):
        body = b"".join(client.get(f"/data/{name}.csv").streaming_content)
        (tmp_path / f"{name}.csv").write_bytes(body)

    report = validate(str(tmp_path / "datapackage.json"))

    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
