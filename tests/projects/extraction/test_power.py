"""Power facts: grid power, energy source or supply contract, cooling, water use, PUE (texts written here)."""

from decimal import Decimal

import pytest

from projects import attributes
from projects.extraction import extract_facts
from projects.ingestion import ingest_source, store_source
from projects.models import Claim

TITLE = "Un data center en projet\n\n"


def facts(text, field):
    extraction = extract_facts(TITLE + text)
    return extraction.get(field)


def values(text, field):
    return sorted(str(fact.value) for fact in facts(text, field))


@pytest.mark.parametrize(
    ("text", "megawatts"),
    [
        ("Le data center de 100 MW a obtenu un raccordement de 120 MW auprès de RTE.", 120),
        ("L'exploitant a signé avec RTE une convention de raccordement de 130 MW.", 130),
        ("Le campus dispose de 90 MW de puissance réservée auprès de RTE.", 90),
        ("The 200MW data centre campus has secured a 150MW grid connection from National Grid.", 150),
        ("The developer has a connection offer for 80MW from the network operator for the campus.", 80),
    ],
)
def test_grid_power_forms(text, megawatts):
    (fact,) = facts(text, "grid_power_mw")
    assert fact.value == megawatts and fact.reason.startswith("cue words")
    assert (TITLE + text)[fact.start : fact.end] == fact.quote


def test_grid_power_is_not_the_projects_capacity():
    text = "Le data center de 100 MW a obtenu un raccordement de 120 MW auprès de RTE."
    assert [fact.value for fact in facts(text, "capacity_mw")] == [100]


def test_a_facility_the_developer_applied_for_is_its_capacity_not_grid_power():
    text = "The developer had applied for permission to build a 110MW data centre on the site."
    assert facts(text, "grid_power_mw") == []
    assert [fact.value for fact in facts(text, "capacity_mw")] == [110]


@pytest.mark.parametrize(
    ("text", "sources"),
    [
        ("Le site sera alimenté par un contrat d'achat d'électricité (PPA) d'origine solaire.", ["PPA", "solar"]),
        ("Le campus sera alimenté à 100 % par des énergies renouvelables.", ["renewable"]),
        ("The campus will run on 100% renewable power under a PPA with a wind farm.", ["PPA", "renewable", "wind"]),
        ("The operator signed a power purchase agreement with a wind and solar developer.", ["PPA", "solar", "wind"]),
        ("Power will be supplied by the nearby nuclear plant under a long-term contract.", ["nuclear"]),
    ],
)
def test_energy_source_forms(text, sources):
    assert values(text, "energy_source") == sorted(sources)


def test_a_power_station_near_the_site_is_no_supply():
    text = "Le campus sera construit à proximité de la centrale nucléaire de Gravelines."
    assert facts(text, "energy_source") == []


@pytest.mark.parametrize(
    ("text", "coolings"),
    [
        ("Le refroidissement se fera en circuit fermé, complété par du free cooling.", ["closed loop", "free cooling"]),
        ("Le campus sera doté d'un refroidissement par eau de mer.", ["seawater"]),
        ("The halls will use direct-to-chip liquid cooling and adiabatic coolers.", ["adiabatic", "liquid cooling"]),
    ],
)
def test_cooling_forms(text, coolings):
    assert values(text, "cooling") == sorted(coolings)


def test_cooling_in_the_pages_chrome_is_not_the_projects():
    text = (
        "Home | News | Power | Cooling\n\nUn data center de 50 MW est prévu.\n\n"
        "Related: Liquid cooling at scale — download the white paper"
    )
    assert facts(text, "cooling") == []


@pytest.mark.parametrize(
    ("text", "cubic_metres", "bound"),
    [
        ("La consommation d'eau ne devrait pas dépasser 12 000 m³ par an.", 12_000, "at_most"),
        ("Le site prélèvera 1,5 million de m³ d'eau par an.", 1_500_000, "exact"),
        ("The data centre would use around 40,000 litres of water a day.", 14_600, "exact"),
        ("The site will consume 200 cubic metres of water per day at peak.", 73_000, "exact"),
    ],
)
def test_water_use_forms(text, cubic_metres, bound):
    (fact,) = facts(text, "water_use_m3")
    assert fact.value == pytest.approx(cubic_metres) and fact.bound == bound
    assert fact.unit == "m³/year"


def test_a_volume_without_its_period_is_no_yearly_use():
    assert facts("Le bassin de rétention contiendra 5 000 m³ d'eau.", "water_use_m3") == []


@pytest.mark.parametrize(
    ("text", "pue", "bound"),
    [
        ("Le PUE visé est de 1,25.", 1.25, "exact"),
        ("L'indicateur d'efficacité énergétique (PUE) visé est de 1,2.", 1.2, "exact"),
        ("The campus was designed for a PUE of below 1.25.", 1.25, "at_most"),
        ("The facility will run at a 1.15 PUE.", 1.15, "exact"),
        # Once a negative of the figures (no capacity, no money): a PUE is a fact of its own now.
        ("The data centre targets a PUE of 1.2.", 1.2, "exact"),
    ],
)
def test_pue_forms(text, pue, bound):
    (fact,) = facts(text, "pue")
    assert (fact.value, fact.bound) == (pue, bound)


def test_an_average_pue_is_no_sites():
    assert facts("The average PUE of new facilities has fallen to 1.3.", "pue") == []


def test_power_facts_feed_no_project_column():
    for name in ("grid_power_mw", "energy_source", "cooling", "water_use_m3", "pue"):
        attribute = attributes.get(name)
        assert attribute.extracted and not attribute.is_figure and attribute.fields == ()
    assert attributes.get("energy_source").multi_valued and attributes.get("cooling").multi_valued
    assert not attributes.get("pue").multi_valued


ARTICLE = """Bruyères-le-Châtel : le data center réserve sa puissance

Le projet de data center de 110 MW à Bruyères-le-Châtel, en Essonne, a obtenu un raccordement de 130 MW \
auprès de RTE. Il sera alimenté par un contrat d'achat d'électricité (PPA) d'origine solaire. \
Son refroidissement en circuit fermé limitera la consommation d'eau à 12 000 m³ par an, pour un PUE de 1,2.
"""


@pytest.mark.django_db
def test_power_facts_are_proposed_as_claims_with_their_quotes():
    source = store_source(text=ARTICLE, title="Le data center réserve sa puissance")
    project = ingest_source(source=source).project
    claims = Claim.objects.filter(source=source)
    grid = claims.get(attribute="grid_power_mw")
    assert grid.value_number == Decimal("130") and grid.status == "proposed"
    assert ARTICLE[grid.quote_start : grid.quote_end] == grid.quote
    assert "cue words" in grid.note
    assert sorted(claims.filter(attribute="energy_source").values_list("value_text", flat=True)) == ["PPA", "solar"]
    assert claims.get(attribute="cooling").value_text == "closed loop"
    assert claims.get(attribute="water_use_m3").value_number == Decimal("12000")
    assert claims.get(attribute="pue").value_number == Decimal("1.2")
    project.refresh_from_db()
    assert project.capacity_mw is None or project.capacity_mw == Decimal("110")
