"""Pages rather than strings: chrome, datelines, sections per project, scopes and bounds, typed jobs,
statuses with their dates, roles, relationships and indicators (texts written for these tests)."""

import pytest

from projects.extraction import extract_facts
from projects.extraction.document import Document
from projects.extraction.page import CHROME, DATELINE, HEADING, classify_lines


def value(text, field):
    return extract_facts(text).value(field)


def facts(text, field):
    return extract_facts(text).get(field)


PAGE = """Littoral Infos
Accueil  Dunkerquois  Calaisis  Économie  Sports
Nous utilisons des cookies pour améliorer votre navigation. Tout accepter
Accueil > Économie > Numérique

Loon-Plage : un campus de 700 MW

Publié le 6 mars 2026

Le développeur Opale Compute a officialisé ce vendredi son projet de campus à Loon-Plage.

À lire aussi
Denain : 200 MW et 400 emplois pour l'ancienne cokerie
"""


def test_chrome_lines_are_blanked_headings_and_dateline_kept():
    kinds = {line.of(PAGE).strip(): line.kind for line in classify_lines(PAGE)}
    assert kinds["Accueil  Dunkerquois  Calaisis  Économie  Sports"] == CHROME
    assert kinds["Nous utilisons des cookies pour améliorer votre navigation. Tout accepter"] == CHROME
    assert kinds["Accueil > Économie > Numérique"] == CHROME
    assert kinds["Denain : 200 MW et 400 emplois pour l'ancienne cokerie"] == CHROME  # a related link
    assert kinds["Loon-Plage : un campus de 700 MW"] == HEADING
    assert kinds["Publié le 6 mars 2026"] == DATELINE
    doc = Document(PAGE, "fr")
    assert len(doc.text) == len(PAGE) and "Denain" not in doc.text and "Opale Compute" in doc.text


def test_related_links_give_no_figure_and_the_dateline_dates_the_announcement():
    extraction = extract_facts(PAGE)
    assert extraction.dateline == "2026-03-06"
    assert [f.value for f in extraction.get("capacity_mw")] == [700]
    assert extraction.get("jobs_permanent") == []
    [announced] = extraction.get("announced_on")
    assert announced.value == "2026-03-06"  # "ce vendredi" of a page dated Friday 6 March


def test_a_weekday_is_read_back_from_the_dateline():
    text = "Par Claire Vasseur, le 25 juin 2025\n\nLe consortium a présenté mardi son projet de campus à Marcoussis."
    assert value(text, "announced_on") == "2025-06-24"


FORUM = """Forum Trégor
Accueil du forum » Vie locale » Pleumeur-Bodou
Sujet : nouveau data center ?

#1 Posté le 22/04/2025 à 21:10 par Gwenn22
Membre depuis : 2016 | Messages : 1 204
Armor Edge va construire un data center de 12 MW à Pleumeur-Bodou, pour 90 millions d'euros.

#2 Posté le 23/04/2025 à 08:47 par pierre_lannion
Membre depuis : 2019 | Messages : 77
> Armor Edge va construire un data center de 12 MW
Mon beau-frère parle plutôt de 30 MW ?
"""


def test_forum_headers_and_quoted_posts_are_no_facts():
    extraction = extract_facts(FORUM)
    assert extraction.value("capacity_mw") == 12
    assert extraction.get("jobs") == [] and extraction.get("jobs_permanent") == []
    assert extraction.value("municipality") == "Pleumeur-Bodou"


ROUNDUP = """Data centres : trois projets autour de Metz

Publié le 3 novembre 2025

Woippy : 120 MW sur l'ancienne gare de triage
À Woippy, le développeur Lorraine Compute prévoit un campus de 120 MW, pour un investissement de 800 millions \
d'euros. Le permis de construire a été déposé en septembre.

Yutz : le chantier a démarré
À Yutz, les travaux du data center de 18 MW de Moselle Hébergement ont démarré en juin. Coût : 95 millions d'euros.

Illkirch-Graffenstaden : un projet en pause
À Illkirch-Graffenstaden, le projet de 40 MW porté par la start-up Rhin Calcul est suspendu faute de clients.
"""


def test_a_roundup_gives_each_project_its_own_facts():
    extraction = extract_facts(ROUNDUP)
    by_place = {p.value("municipality"): p for p in extraction.projects}
    assert set(by_place) == {"Woippy", "Yutz", "Illkirch-Graffenstaden"}
    assert [p.value("municipality") for p in extraction.projects if p.main] == ["Woippy"]
    assert by_place["Woippy"].value("capacity_mw") == 120
    assert by_place["Woippy"].value("status") == "planning"
    assert by_place["Yutz"].value("investment") == 95_000_000
    assert by_place["Yutz"].value("status") == "construction"
    assert by_place["Illkirch-Graffenstaden"].value("status") == "shelved"
    # The main project's facts hold none of the next projects' figures.
    assert {f.value for f in extraction.facts if f.field == "capacity_mw"} == {120}
    assert {f.value for f in extraction.facts if f.field == "organization"} == {"Lorraine Compute"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Phase one will bring 60MW online, and the campus will reach a total of 150MW.",
         {(60, "phase"), (150, "project")}),
        ("The campus will have six data halls of 30MW each, giving 180MW of IT capacity.",
         {(30, "building"), (180, "project")}),
        ("Le campus aura une puissance de 700 MW et pourrait atteindre 1 GW à terme.",
         {(700, "project"), (1000, "eventual")}),
        ("The developer has withdrawn its application for a 3.5GW campus and will seek permission for a 300MW "
         "first phase.", {(300, "phase")}),
        ("La puissance du campus est portée à 300 MW, contre 120 MW prévus en 2024.", {(300, "project")}),
    ],
)  # fmt: skip
def test_capacity_scopes(text, expected):
    assert {(f.value, f.scope) for f in facts(text, "capacity_mw")} == expected


@pytest.mark.parametrize(
    ("text", "field", "bound", "value"),
    [
        ("The company will invest more than $7 billion in the data center campus.", "investment", "at_least", 7e9),
        ("Le projet représente un investissement d'au moins 3 milliards d'euros.", "investment", "at_least", 3e9),
        ("The AI data centre of up to 500MW would sit on 50 hectares.", "capacity_mw", "at_most", 500),
        ("The data centre will offer more than 90MW of IT capacity.", "capacity_mw", "at_least", 90),
        ("Construction will employ up to 2,500 workers at peak.", "jobs_construction", "at_most", 2500),
    ],
)
def test_bounds_are_kept_with_their_qualifier(text, field, bound, value):
    [fact] = facts(text, field)
    assert (fact.bound, fact.value) == (bound, value)


def test_a_range_keeps_both_ends():
    [fact] = facts("The data centre campus would draw between 200 and 300MW.", "capacity_mw")
    assert (fact.bound, fact.value, fact.value_max) == ("range", 200, 300)


@pytest.mark.parametrize(
    ("text", "field", "value", "job_type"),
    [
        ("The 250MW campus will create 100 direct jobs.", "jobs_permanent", 100, None),
        ("The campus will create an estimated 400 indirect jobs in the region.", "jobs", 400, "indirect"),
        ("Construction, expected to start next year, will employ about 1,200 people.", "jobs_construction", 1200,
         None),
        ("Le chantier, confié à Batiloire, mobilisera 400 compagnons.", "jobs_construction", 400, None),
        ("Le data center devait ouvrir en 2028 et employer 90 personnes.", "jobs_permanent", 90, None),
        ("Il emploiera 250 personnes en exploitation et 800 pendant les travaux.", "jobs_construction", 800, None),
    ],
)  # fmt: skip
def test_typed_jobs(text, field, value, job_type):
    [fact] = facts(text, field)
    assert (fact.value, fact.job_type) == (value, job_type)


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("Le projet de centre de données a été autorisé par le préfet.", "permitted"),
        ("Doncaster Council has granted full planning permission for the data centre campus.", "permitted"),
        ("Kestrel Ridge has lodged a planning application for a data centre campus.", "planning"),
        ("Le préfet a refusé le permis de construire du data center ; le promoteur a déposé un recours.", "planning"),
        ("Tilbury data centre plans scrapped", "cancelled"),
        ("Le développeur renonce au projet de data center de Lens.", "cancelled"),
        ("The Temple City Council approved an incentive agreement for a data center campus that Bellwood Digital "
         "will build.", "announced"),
        ("The operator has opened the first of the four data halls; the others are being fitted out.",
         "partially_operational"),
    ],
)  # fmt: skip
def test_status_forms_on_pages(text, status):
    assert value(text, "status") == status


def test_a_status_carries_the_date_of_its_event():
    text = "Publié le 15 octobre 2025\n\nLe permis de construire du data center a été accordé le 10 octobre 2025."
    [status] = facts(text, "status")
    assert (status.value, status.event_date, status.event_precision) == ("permitted", "2025-10-10", "day")


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("Le campus serait opérationnel à l'horizon 2030.", 2030),
        ("The first hall should be live by the end of 2027.", 2027),
        ("Le bâtiment ouvrira dans un an. Mise en service visée : 2027.", 2027),
        ("Le chantier doit démarrer au début de l'année prochaine, pour une mise en service à la fin de 2027.", 2027),
        ("The campus would include six buildings, to be delivered in phases starting in 2028.", 2028),
    ],
)
def test_operational_year_phrasings(text, year):
    assert value(text, "operational_year") == year


@pytest.mark.parametrize(
    ("text", "name", "role"),
    [
        ("Essex Compute has unveiled plans for a 360MW data centre campus in Harlow.", "Essex Compute", "developer"),
        ("Le consortium réunissant le fonds émirati Gulf Horizon Investments et l'opérateur Hexaflux a été retenu.",
         "Gulf Horizon Investments", "investor"),
        ("Le chantier sera confié à l'entreprise générale Batiloire.", "Batiloire", "builder"),
        ("GazelEnergie, propriétaire du site, a signé un bail avec le développeur.", "GazelEnergie", "owner"),
        ("Le raccordement sera assuré par RTE depuis le poste de Cheviré.", "RTE", "grid_operator"),
        ("Power comes from SSEN's Knocknagael substation.", "SSEN", "grid_operator"),
        ("Meath County Council refused permission for Orchard Data's 90MW campus.", "Orchard Data", "developer"),
        ("Le site appartient au Grand Port Maritime de Dunkerque.", "Grand Port Maritime de Dunkerque", "owner"),
        ("Le dossier est instruit par l'Eurométropole de Strasbourg.", "Eurométropole de Strasbourg",
         "public_authority"),
    ],
)  # fmt: skip
def test_roles_from_the_words_around(text, name, role):
    found = {f.value: f.role for f in facts(text, "organization")}
    assert found.get(name) == role, found


def test_no_place_inside_a_word_and_no_country_is_an_organization():
    text = "Ireland's data centre pipeline kept moving. Liffey Digital's 45MW expansion of its Tallaght campus."
    names = {f.value for f in facts(text, "organization")}
    assert "Ireland" not in names and "Liffey Digital" in names


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("LEESBURG, Va., Sept. 30, 2025 — The developer has filed plans for a 600MW data center campus on 180 acres "
         "in Loudoun County, just north of Leesburg.", "Leesburg"),
        ("Le permis du data center de la rue du Bel-Air à Wissous a été accordé.", "Wissous"),
    ],
)  # fmt: skip
def test_a_county_or_a_street_is_no_municipality(text, place):
    assert value(text, "municipality") == place


def test_kind_and_region_are_proposed():
    text = "Un campus dédié à l'intelligence artificielle sera construit à Escaudain, près de Valenciennes."
    extraction = extract_facts(text)
    assert extraction.value("kind") == "ai"
    [region] = extraction.get("region")
    assert region.value == "Hauts-de-France" and region.reason.startswith("inferred")


def test_relationships_and_indicators_are_not_project_figures():
    text = (
        "L'alliance entre Nexity, leader français de l'immobilier, et GSE, contractant général, vise à proposer des "
        "terrains. Le groupe Armorique Télécom a finalisé le rachat de l'hébergeur Ouest Serveurs. La Commission "
        "européenne prévoit que 75 % des entreprises utiliseront le cloud d'ici 2030."
    )
    extraction = extract_facts(text)
    assert {(r.kind, tuple(r.organizations)) for r in extraction.relationships} == {
        ("partnership", ("Nexity", "GSE")),
        ("acquisition", ("Armorique Télécom", "Ouest Serveurs")),
    }
    [indicator] = extraction.indicators
    assert (indicator.value, indicator.unit, indicator.year, indicator.is_forecast) == (75, "%", 2030, True)
    assert indicator.stated_by == "Commission européenne"
    assert extraction.get("operational_year") == [] and extraction.get("capacity_mw") == []


def test_the_json_contract():
    data = extract_facts(ROUNDUP).as_dict()
    assert set(data) == {"language", "dateline", "facts", "projects", "relationships", "indicators"}
    for fact in data["facts"]:
        assert {"field", "value", "scope", "bound", "quote", "start", "end", "confidence"} <= set(fact)
        assert ROUNDUP[fact["start"] : fact["end"]] == fact["quote"]
        assert fact["reason"]
    assert [p["main"] for p in data["projects"]] == [True, False, False]
