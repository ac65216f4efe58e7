"""End-to-end extraction on short articles written for these tests (French and English)."""

import re

import pytest

from projects.extraction import extract_facts

FR_ANNOUNCEMENT = """Data4 va investir 1,2 milliard d'euros dans un nouveau campus à Marcoussis

Publié le 14 mars 2025

L'opérateur de centres de données Data4 a annoncé le 12 mars 2025 la construction d'un campus de 250 MW \
à Marcoussis, dans l'Essonne, à une trentaine de kilomètres au sud de Paris.

Le projet, qui s'étendra sur un terrain de 12 hectares, comprendra quatre bâtiments pour une surface de \
plancher totale de 60 000 m². Les travaux débuteront à l'automne et la mise en service du premier bâtiment \
est prévue en 2027.

Selon l'entreprise, le chantier mobilisera jusqu'à 500 personnes et le site créera 150 emplois directs. \
Le raccordement sera assuré par RTE depuis le poste source de Villejust.

La France compte environ 300 data centers, pour une consommation qui représente près de 2 % de \
l'électricité nationale. Le maire, Jean Dupont, s'est félicité de cette annonce.
"""

EN_PLANNING = """Steel town bets on data: 90MW project approved in Ebbw Vale

Blaenau Gwent County Borough Council has granted planning permission for a 90MW data centre on a former \
steelworks in Ebbw Vale, Wales. The developer, Tritax Holdings, said the £450m scheme would be built by \
Kier Group and create 120 permanent jobs.

The facility will offer 250,000 sq ft of floor space, with racks designed for 50 kW each. Construction is \
expected to start next year, with the first data hall due to open in 2028.
"""

EN_AUSTRALIA = """AirTrunk unveils $3.1 billion Melbourne campus

Sydney-based operator AirTrunk on December 9, 2025 announced plans for a 354MW hyperscale campus in \
Derrimut, its third in Victoria, Australia. The project sits on a 600-acre site. It is expected online in 2027.

Construction will employ 1,200 people, with 200 workers on site each day at peak, and the campus will \
create 150 full-time roles. Australia's data centre market is forecast to reach 3 GW by 2030.
"""

FR_SHELVED = """À Fos-sur-Mer, le projet de data center est suspendu

Le projet de centre de données porté par la société Eclairion sur la zone industrialo-portuaire de \
Fos-sur-Mer a été suspendu, faute de raccordement électrique suffisant. Annoncé en 2023, ce campus devait \
atteindre une puissance de 1 GW pour un investissement de 3 Md€, sur l'ancien site Lafarge.

En 2019, la commune comptait 15 000 habitants. Le préfet a indiqué que le dossier serait réexaminé d'ici 2027.
"""

EN_MARKET = """Why the UK is running out of grid capacity for data centres

Britain has more than 500 data centres, consuming about 4% of the country's electricity. Analysts expect \
that 75% of companies will use AI tools by 2030, and the government says demand could reach 6 GW by 2035.

In the 1990s, the Docklands became home to the first carrier hotels. Around two thousand engineers now \
work in the sector in London, which attracted £10bn of investment last year.
"""

FR_RUMOUR = """Un data center à Cestas ? Les habitants s'inquiètent

La question agite cette commune de 16 000 habitants de la banlieue bordelaise. Plusieurs opérateurs \
auraient visité des terrains pour jusqu'à trois centres de données, pour plusieurs milliards d'euros, \
mais aucun projet n'a été déposé. En France, la filière compte plus de 300 centres de données et 75 % \
des entreprises utiliseront le cloud d'ici 2030.
"""

EN_OPERATIONAL = """Inside the ring-shaped data centre of Saint-Denis

Visitors to Saint-Denis rarely notice the building, run by Telehouse, that stands on a 4.5-hectare plot. \
Three of its five halls are already running; the other two are still being fitted out.
"""

NUMERIC_FIELDS = {
    "capacity_mw",
    "investment",
    "jobs",
    "jobs_permanent",
    "jobs_construction",
    "site_area_ha",
    "floor_area_m2",
    "announced_on",
    "operational_year",
}


def values(extraction):
    """{field: value} for single-valued fields, {"organization": set} for organisations."""
    found = {f.field: f.value for f in extraction.facts if f.field != "organization"}
    found["organization"] = {f.value for f in extraction.facts if f.field == "organization"}
    return found


def numeric(extraction):
    return {f.field: f.value for f in extraction.facts if f.field in NUMERIC_FIELDS}


ALL_TEXTS = [FR_ANNOUNCEMENT, EN_PLANNING, EN_AUSTRALIA, FR_SHELVED, EN_MARKET, FR_RUMOUR, EN_OPERATIONAL]


@pytest.mark.parametrize("text", ALL_TEXTS)
def test_every_quote_is_the_text_at_its_offsets(text):
    for fact in extract_facts(text).facts:
        assert text[fact.start : fact.end] == fact.quote
        assert 0 < fact.confidence < 1


@pytest.mark.parametrize("text", ALL_TEXTS)
def test_numeric_values_come_from_their_quote(text):
    for fact in extract_facts(text).facts:
        if fact.field in ("capacity_mw", "jobs", "jobs_permanent", "jobs_construction", "operational_year"):
            digits = re.sub(r"\D", "", fact.quote)
            leading = str(fact.value).rstrip("0") or "0"
            assert leading in digits or fact.field == "capacity_mw" and "GW" in fact.quote, fact


def test_french_announcement():
    extraction = extract_facts(FR_ANNOUNCEMENT)
    assert extraction.language == "fr"
    found = values(extraction)
    assert numeric(extraction) == {
        "investment": 1_200_000_000,
        "announced_on": "2025-03-12",
        "capacity_mw": 250,
        "site_area_ha": 12,
        "floor_area_m2": 60000,
        "operational_year": 2027,
        "jobs_construction": 500,
        "jobs_permanent": 150,
    }
    assert found["municipality"] == "Marcoussis"
    assert found["substation"] == "Villejust"
    assert found["status"] == "announced"
    assert {"Data4", "RTE"} <= found["organization"]
    assert not any("Dupont" in name for name in found["organization"])

    [investment] = extraction.get("investment")
    assert investment.currency == "EUR"
    [place] = extraction.get("municipality")
    assert place.country == "FR"
    assert place.latitude == pytest.approx(48.64, abs=0.05)
    [rte] = [f for f in extraction.facts if f.value == "RTE"]
    assert rte.role == "grid_operator"
    [announced] = extraction.get("announced_on")
    assert announced.precision == "day"


def test_english_planning_consent():
    extraction = extract_facts(EN_PLANNING)
    assert extraction.language == "en"
    found = values(extraction)
    assert numeric(extraction) == {
        "capacity_mw": 90,
        "investment": 450_000_000,
        "jobs_permanent": 120,
        "floor_area_m2": pytest.approx(23225.76),
        "operational_year": 2028,
    }
    assert extraction.get("investment")[0].currency == "GBP"
    assert found["municipality"] == "Ebbw Vale"
    assert found["former_use"] == "steelworks"
    assert found["status"] == "permitted"
    assert {"Blaenau Gwent County Borough Council", "Tritax Holdings", "Kier Group"} <= found["organization"]
    roles = {f.value: f.role for f in extraction.get("organization")}
    assert roles["Kier Group"] == "builder"
    assert roles["Tritax Holdings"] == "developer"
    assert roles["Blaenau Gwent County Borough Council"] == "public_authority"


def test_dollar_follows_the_country_and_head_counts_are_not_jobs():
    extraction = extract_facts(EN_AUSTRALIA)
    found = numeric(extraction)
    assert found == {
        "investment": 3_100_000_000,
        "announced_on": "2025-12-09",
        "capacity_mw": 354,
        "site_area_ha": pytest.approx(242.8114),
        "operational_year": 2027,
        "jobs_construction": 1200,
        "jobs_permanent": 150,
    }
    assert extraction.get("investment")[0].currency == "AUD"
    assert values(extraction)["municipality"] == "Derrimut"


def test_shelved_project():
    extraction = extract_facts(FR_SHELVED)
    found = values(extraction)
    assert numeric(extraction) == {
        "announced_on": "2023",
        "capacity_mw": 1000,
        "investment": 3_000_000_000,
    }
    assert extraction.get("announced_on")[0].precision == "year"
    assert found["status"] == "shelved"
    assert found["municipality"] == "Fos-sur-Mer"
    assert found["former_use"] == "Lafarge"
    assert "Eclairion" in found["organization"]


def test_market_article_yields_no_project_figures():
    extraction = extract_facts(EN_MARKET)
    assert numeric(extraction) == {}
    assert "status" not in values(extraction)


def test_vague_article_yields_no_figures():
    extraction = extract_facts(FR_RUMOUR)
    assert numeric(extraction) == {}
    assert values(extraction)["municipality"] == "Cestas"


def test_partially_operational():
    extraction = extract_facts(EN_OPERATIONAL)
    found = values(extraction)
    assert found["status"] == "partially_operational"
    assert found["site_area_ha"] == 4.5
    assert found["municipality"] == "Saint-Denis"
    assert "Telehouse" in found["organization"]


def test_site_is_preferred_to_the_nearby_city():
    text = "Le campus sera construit à Escaudain, près de Valenciennes, sur une friche de 20 hectares."
    assert values(extract_facts(text))["municipality"] == "Escaudain"
    text = "The data centre in La Courneuve, north of Paris, hosts banking workloads."
    assert values(extract_facts(text))["municipality"] == "La Courneuve"


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("Le data center sera opérationnel à l'horizon 2030.", 2030),
        ("The campus should be fully operational by 2031.", 2031),
        ("Le site doit être livré d'ici 2028.", 2028),
        ("Le centre de données sera opérationnel en 2028.", 2028),
        ("The facility is expected online in 2027.", 2027),
        ("La mise en service du campus est prévue courant 2029.", 2029),
    ],
)
def test_operational_year(text, year):
    assert numeric(extract_facts(text)) == {"operational_year": year}


@pytest.mark.parametrize(
    ("text", "date", "precision"),
    [
        ("Le projet a été annoncé le 9 décembre 2025 par la préfecture.", "2025-12-09", "day"),
        ("The project was announced on 9 December 2025 by the council.", "2025-12-09", "day"),
        ("The operator announced the campus on December 9, 2025.", "2025-12-09", "day"),
        ("Le projet, dévoilé en mars 2024, reste discret.", "2024-03", "month"),
        ("Annoncé le 1er février 2026, le campus avance.", "2026-02-01", "day"),
    ],
)
def test_announcement_dates(text, date, precision):
    [fact] = extract_facts(text).get("announced_on")
    assert (fact.value, fact.precision) == (date, precision)


def test_dateline_with_announced_today():
    text = "21 April 2026\n\nThe operator announced today a new data centre campus in Slough."
    [fact] = extract_facts(text).get("announced_on")
    assert fact.value == "2026-04-21"


def test_a_bare_dateline_is_not_an_announcement():
    text = "21 April 2026\n\nA data centre campus in Slough has been designated as nationally significant."
    assert extract_facts(text).get("announced_on") == []


@pytest.mark.parametrize(
    ("text", "field", "value"),
    [
        ("Le projet créera 2 400 emplois pérennes.", "jobs_permanent", 2400),
        ("The build will support 1,000 construction jobs.", "jobs_construction", 1000),
        ("Le data center créera 300 emplois.", "jobs", 300),
        ("Le chantier mobilisera 800 ouvriers.", "jobs_construction", 800),
    ],
)
def test_job_kinds(text, field, value):
    assert numeric(extract_facts(text)) == {field: value}


@pytest.mark.parametrize(
    "text",
    [
        "About 200 workers are on site each day.",
        "L'usine employait 3 000 salariés dans les années 1980.",
        "La région compte 9 000 habitants et 12 % de chômage.",
        "The plant's 50 MW solar farm will feed the grid.",
        "Each rack is designed for 80 kW.",
        "Le secteur a levé 2 milliards d'euros l'an dernier.",
        "Le montant se chiffrerait en plusieurs milliards d'euros.",
        "La France compte 300 data centers pour une capacité installée de 1 GW.",
    ],
)
def test_figures_about_something_else_are_ignored(text):
    assert numeric(extract_facts(text)) == {}


def test_land_in_square_metres_is_a_site_area():
    text = "Le data center sera bâti sur un terrain de 50 000 m² en bordure de la zone."
    assert numeric(extract_facts(text)) == {"site_area_ha": 5}


def test_capacity_basis():
    gross = extract_facts("Le centre vise une capacité brute de 700 mégawatts.").get("capacity_mw")[0]
    it = extract_facts("The scheme would deliver 300MW of IT capacity.").get("capacity_mw")[0]
    assert (gross.value, gross.basis, gross.unit) == (700, "gross", "MW")
    assert (it.value, it.basis) == (300, "it")


def test_organisation_patterns():
    text = (
        "Le géant américain Microsoft s'installe sur un site libéré par le constructeur automobile PSA. "
        "L'alliance entre Nexity, leader français de l'immobilier, et GSE, contractant général, se confirme. "
        "Des acteurs comme Evroc et Suse s'associent. C'est le cas d'Outscale, qui innove. "
        "Le projet est porté par la communauté d’agglomération de la Porte du Hainaut. "
        "Le maire, Philippe Bonnin, n'a pas confirmé."
    )
    names = values(extract_facts(text))["organization"]
    assert {
        "Microsoft",
        "PSA",
        "Nexity",
        "GSE",
        "Evroc",
        "Suse",
        "Outscale",
        "Communauté d'agglomération de la Porte du Hainaut",
    } <= names
    assert not any("Bonnin" in name or "Philippe" in name for name in names)


def test_former_use_and_substation_in_french():
    text = (
        "Le campus occupera l'ancien site Usinor et sera raccordé au poste très haute tension de Mastaing, à Escaudain."
    )
    found = values(extract_facts(text))
    assert found["former_use"] == "Usinor"
    assert found["substation"] == "Mastaing"
    assert found["municipality"] == "Escaudain"


def test_substation_in_english():
    text = "The campus in Didcot will connect to the Culham substation, the operator said."
    assert values(extract_facts(text))["substation"] == "Culham"


def test_language_can_be_forced():
    assert extract_facts("Le data center", language="en").language == "en"
    assert extract_facts("The data centre", language="xx").language == "en"


def test_as_dict_reports_only_set_attributes():
    fact = extract_facts("Le projet représente un investissement de 5 Md€.").get("investment")[0]
    data = fact.as_dict()
    assert data["value"] == 5_000_000_000
    assert data["currency"] == "EUR"
    assert "role" not in data and "unit" not in data


def test_existing_workforce_is_not_project_jobs():
    text = "Google, which employs 5,000 people in Ireland, said the campus would create 300 jobs during construction."
    assert numeric(extract_facts(text)) == {"jobs_construction": 300}


def test_negated_announcement_is_no_status():
    assert "status" not in values(extract_facts("Le montant du projet n'a pas été dévoilé."))


def test_known_company_named_like_a_common_word():
    text = "Le groupe Orange va construire un centre de données à Petit-Couronne, dans la métropole de Rouen."
    found = values(extract_facts(text))
    assert "Orange" in found["organization"]
    assert found["municipality"] == "Petit-Couronne"


def test_full_build_out_wins_over_first_phase():
    text = "Une première phase de 40 MW sera livrée en 2027, avant une montée jusqu'à 200 MW à terme pour le campus."
    found = numeric(extract_facts(text))
    assert found["capacity_mw"] == 200


def test_place_after_an_elided_article_and_in_a_headline():
    text = (
        "Escaudain : le data center se précise\n\n"
        "Le projet de centre de données d'Escaudain, près de Valenciennes, s'étendra sur 33 hectares."
    )
    found = values(extract_facts(text))
    assert found["municipality"] == "Escaudain"
    assert found["site_area_ha"] == 33
