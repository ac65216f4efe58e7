"""Press forms of figures, dates, statuses and roles, one short sentence each (texts written for these tests)."""

import pytest

from projects.extraction import extract_facts


def value(text, field):
    return extract_facts(text).value(field)


def facts(text, field):
    return extract_facts(text).get(field)


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("Le groupe annonce un investissement de 1,5 milliard d'euros dans son campus.", 1.5e9, "EUR"),
        ("Le data center sera construit pour un montant de 300 M€.", 3e8, "EUR"),
        ("The company will invest €1.2bn in the data centre campus.", 1.2e9, "EUR"),
        ("The developer will invest US$2 billion in the data center.", 2e9, "USD"),
        ("The £1bn data centre project was unveiled today.", 1e9, "GBP"),
        ("Le projet représente un investissement de 4 milliards de dollars.", 4e9, "USD"),
        ("Le projet, estimé à 250 millions d'euros, devait ouvrir en 2027.", 2.5e8, "EUR"),
    ],
)
def test_investment_forms(text, amount, currency):
    (fact,) = facts(text, "investment")
    assert (fact.value, fact.currency) == (amount, currency)


@pytest.mark.parametrize(
    ("text", "megawatts"),
    [
        ("The campus will have a capacity of 1 GW.", 1000),
        ("Le campus aura une capacité de 1,2 GW.", 1200),
        ("Le campus démarrera à 200 MW et atteindra jusqu'à 1 GW à terme.", 1000),
        ("The campus will offer 100MW initially, rising to 500MW.", 500),
        ("Le data center aura une puissance de 150 MW IT.", 150),
        ("The facility will offer 200 MW of IT load.", 200),
        ("The developer plans a 1GW campus in Texas.", 1000),
    ],
)
def test_capacity_forms(text, megawatts):
    assert value(text, "capacity_mw") == megawatts


def test_capacity_of_the_companys_other_sites_is_not_the_projects():
    text = (
        "Alpenwatt va construire un campus de 300 MW à Saint-Avold. "
        "Alpenwatt exploite déjà cinq data centers en Suisse, pour une capacité totale de 80 MW."
    )
    assert [f.value for f in facts(text, "capacity_mw")] == [300]


@pytest.mark.parametrize(
    ("text", "field", "expected"),
    [
        ("Le bâtiment fera 18 000 m² de surface de plancher.", "floor_area_m2", 18000),
        ("Le bâtiment s'étendra sur 120.000 m2.", "floor_area_m2", 120000),
        ("QTS files plans for a 2 million sq ft data center campus.", "floor_area_m2", 185806.08),
        ("The data center campus will span 300 acres.", "site_area_ha", 121.4057),
        ("Le campus s'étendra sur un terrain de 2 km².", "site_area_ha", 200),
    ],
)
def test_area_forms(text, field, expected):
    assert value(text, field) == pytest.approx(expected, rel=1e-3)


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("Le data center sera opérationnel en 2027.", 2027),
        ("La mise en service du data center interviendra courant 2026.", 2026),
        ("Le data center doit ouvrir fin 2028.", 2028),
        ("The data centre will be operational by the end of 2027.", 2027),
        ("The facility is due to open in the second half of 2026.", 2026),
        ("The campus is expected to be operational in 2029.", 2029),
        ("La mise en service du campus est prévue en 2028.", 2028),
        ("La mise en service de la première tranche est attendue au second semestre 2027.", 2027),
        ("Les travaux démarreront en septembre pour une ouverture prévue au printemps 2026.", 2026),
        ("Le bâtiment est opérationnel depuis mai 2025.", 2025),
        ("Le campus accueillera 300 MW, dont une première tranche de 80 MW dès 2029.", 2029),
        ("The data centre is due to be handed over in the second half of 2027.", 2027),
    ],
)
def test_operational_year_forms(text, year):
    assert value(text, "operational_year") == year


@pytest.mark.parametrize(
    "text",
    [
        "Microsoft expects the data center to create 2,300 union construction jobs by 2025.",
        "Le groupe va investir 5 milliards d'euros dans le campus d'ici 2030.",
        "Les travaux du data center démarreront en 2026.",
        "Investment in European data centres is expected to reach €100bn by 2030.",
    ],
)
def test_years_that_are_not_an_opening(text):
    assert value(text, "operational_year") is None


@pytest.mark.parametrize(
    ("text", "field", "expected"),
    [
        ("The company expects the data center to create 2,300 union construction jobs.", "jobs_construction", 2300),
        ("The project will create 350 full-time jobs.", "jobs_permanent", 350),
        ("Le projet créera une cinquantaine d'emplois permanents.", "jobs_permanent", 50),
        ("The facility will employ 60 people once running and 400 during construction.", "jobs_construction", 400),
        ("The facility will employ 60 people once running and 400 during construction.", "jobs_permanent", 60),
        ("The developer expects the data centre to employ 55 people.", "jobs_permanent", 55),
        ("It would provide up to 120 jobs once operating.", "jobs_permanent", 120),
    ],
)
def test_jobs_forms(text, field, expected):
    assert value(text, field) == expected


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("Le projet a obtenu son permis de construire.", "permitted"),
        ("Mesa City Council approves $1bn data center near airport.", "permitted"),
        ("Les travaux ont débuté en janvier sur le site.", "construction"),
        ("Les travaux du campus de données ont débuté lundi.", "construction"),
        ("The project has been scrapped.", "cancelled"),
        ("Le projet de data center a été abandonné.", "cancelled"),
        ("Kestrel Digital walks away from its Dublin data centre scheme.", "cancelled"),
        ("Le projet de data center a été mis en pause.", "shelved"),
        ("The data centre project has been paused.", "shelved"),
        ("The data centre is now live.", "operational"),
        ("Le data center est opérationnel depuis 2023.", "operational"),
        ("QTS files plans for a data center campus in Fayetteville.", "planning"),
        ("The company said it would invest $6.5 billion to build a data center campus.", "announced"),
        ("Fjellkraft will host the servers at its planned campus near Narvik.", "announced"),
        ("An inspector has allowed an appeal against the refusal of a 60MW data centre.", "permitted"),
        ("Le groupe a présenté lundi un projet de data center de 50 MW.", "announced"),
        ("The committee has resolved to grant outline planning permission for the 40MW data centre.", "permitted"),
        ("The 36MW data centre has topped out, six months after work started.", "construction"),
        ("Les fondations du futur data center sont coulées.", "construction"),
        ("The city council approved a development agreement and site plan for the 250MW campus.", "permitted"),
        ("For the 400MW campus, an application has been filed with the city.", "planning"),
        ("Keystone Data has filed a land development plan for a 240MW data center campus.", "planning"),
        ("Dundee City Council is considering the application for the 60MW data centre.", "planning"),
        ("Highland Compute has withdrawn its 90MW data centre proposal.", "cancelled"),
        ("La préfecture de la Moselle a autorisé l'exploitation du data center par arrêté.", "permitted"),
        (
            "Le groupe a présenté un projet de data center. Le dépôt du permis de construire est attendu en juin.",
            "announced",
        ),
    ],
)
def test_status_forms(text, status):
    assert value(text, "status") == status


def test_grid_connections_on_hold_do_not_shelve_a_project():
    assert value("In Ireland, new grid connections around Dublin are effectively on hold.", "status") is None


@pytest.mark.parametrize(
    ("text", "name", "role"),
    [
        ("Le projet est porté par Hautval Energies.", "Hautval Energies", "developer"),
        ("Le site sera exploité par Polderhost.", "Polderhost", "operator"),
        ("The campus will be built by Kier, and Polderhost, which will operate the site, is pleased.", "Polderhost",
         "operator"),
        ("Le raccordement sera assuré par RTE.", "RTE", "grid_operator"),
        ("The substation is owned by National Grid.", "National Grid", "grid_operator"),
        ("Le projet est financé par le fonds Horizon Infrastructures.", "Horizon Infrastructures", "investor"),
        ("Le campus hébergera les serveurs de Mistral AI.", "Mistral AI", "tenant"),
        ("Le campus hébergera les serveurs de l'éditeur d'IA français Lumina AI.", "Lumina AI", "tenant"),
        ("The Blackstone-owned firm did not disclose a figure.", "Blackstone", "owner"),
        ("Developer Elsham Park, backed by Northgate Capital, plans four buildings.", "Elsham Park", "developer"),
        ("Marsh Lane Data is seeking permission to build a 40MW data centre.", "Marsh Lane Data", "developer"),
        ("Quercus Digital, qui porte le projet, prévoit 30 MW.", "Quercus Digital", "developer"),
        ("The Planning Inspectorate said the 50MW data centre's benefits outweighed the harm.",
         "Planning Inspectorate", "public_authority"),
        ("L'autorisation du data center, instruite par la DREAL Occitanie, porte sur 20 MW.", "DREAL Occitanie",
         "public_authority"),
        ("Construction of the data centre will be carried out by Fenland Build Group.", "Fenland Build Group",
         "builder"),
        ("Les travaux du data center, confiés au groupe Armor Bâtiment, débutent en mars.", "Armor Bâtiment",
         "builder"),
        ("Le terrain du data center a été cédé par la Foncière Garonne.", "Foncière Garonne", "owner"),
        ("Tamar Energy has agreed to build a switching station for the 80MW data center.", "Tamar Energy",
         "grid_operator"),
        ("Le data center sera raccordé par RTE en 2028.", "RTE", "grid_operator"),
        ("Le data center a fait une demande de raccordement auprès d'Enedis.", "Enedis", "grid_operator"),
        ("Un consortium réunissant Adour Compute, Landes Infra Capital et l'énergéticien Vallée Énergies a présenté"
         " un data center de 60 MW.", "Adour Compute", "developer"),
        ("Un consortium réunissant Adour Compute, Landes Infra Capital et l'énergéticien Vallée Énergies a présenté"
         " un data center de 60 MW.", "Landes Infra Capital", "investor"),
        ("Le projet de data center de Tamise Cloud, filiale du fonds Seine Infrastructures, vise 30 MW.",
         "Tamise Cloud", "developer"),
        ("La communauté de communes Sarre-Moselle a approuvé la vente du terrain du data center.",
         "Communauté de communes Sarre-Moselle", "public_authority"),
        ("In Hereford, Wye Data Parks said a hyperscale tenant has signed a lease for its 40MW building.",
         "Wye Data Parks", "developer"),
        ("Ashcombe Compute (developer) has filed plans for a 90MW campus.", "Ashcombe Compute", "developer"),
        ("Ashcombe Compute is a subsidiary of Meridian Holdings.", "Meridian Holdings", "developer"),
        ("Le projet est porté par Aulne Data, filiale du fonds Iroise Capital.", "Iroise Capital", "investor"),
        ("Northvale Cloud has signed a lease for the first 40MW building.", "Northvale Cloud", "tenant"),
        ("Le terrain du data center appartient à la Ville de Valence.", "Ville de Valence", "owner"),
        ("L'opérateur Garance Data, qui porte le projet, vise 30 MW ; Garance Data, qui exploitera le site, recrute.",
         "Garance Data", "developer"),
        ("Rochebrune Compute construit un data center de 24 MW.", "Rochebrune Compute", "developer"),
        ("Oncor will build a new substation to serve the 100MW campus.", "Oncor", "grid_operator"),
        ("Le raccordement se ferait via le poste RTE des Murs, près du data center.", "RTE", "grid_operator"),
        ("La direction attend une réponse de RTE sur le renforcement du poste de Cordemais.", "RTE", "grid_operator"),
        ("Le poste source de Seclin, qui alimentera le data center, sera renforcé par Enedis.", "Enedis",
         "grid_operator"),
        ("Le groupe Sologne Datacenters a indiqué qu'il renonçait à son projet de 80 MW.", "Sologne Datacenters",
         "developer"),
        ("The 200MW campus needs a permit; Kestrel Edge, which is behind the project, expects one in May.",
         "Kestrel Edge", "developer"),
    ],
)  # fmt: skip
def test_organization_roles(text, name, role):
    found = {f.value: f.role for f in facts(text, "organization")}
    assert found.get(name) == role, found


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Vantor Cloud to spend $6.5 billion on Texas AI data center campus", "Vantor Cloud"),
        ("Kestrel Digital had applied to the council for permission.", "Kestrel Digital"),
        ("Le spécialiste de l'hébergement Sudalys a inauguré son data center.", "Sudalys"),
        ("Des riverains, au sein de l'association Herblinois Vigilants, contestent le projet.", "Herblinois Vigilants"),
        ("Lannion-Trégor Communauté accompagne le projet.", "Lannion-Trégor Communauté"),
        ("La Métropole européenne de Lille soutient le dossier.", "Métropole européenne de Lille"),
        ("Plans were filed with Redcar and Cleveland Borough Council.", "Redcar and Cleveland Borough Council"),
    ],
)
def test_organization_forms(text, name):
    assert name in [f.value for f in facts(text, "organization")]


@pytest.mark.parametrize(
    "text",
    [
        "The campus will scale to 100MW, the company said.",
        "Fos-sur-Mer, qui compte 16 000 habitants, accueille déjà plusieurs projets.",
        "The deal was signed with French AI company Mistral AI.",
    ],
)
def test_not_organizations(text):
    names = [f.value for f in facts(text, "organization")]
    assert not {"MW", "Fos-sur-Mer", "French AI", "French"} & set(names), names


@pytest.mark.parametrize(
    "text",
    [
        "La France compte 300 data centers.",
        "The UK's data centres consumed 5 TWh last year.",
        "Le marché devrait atteindre 10 milliards d'euros en 2030.",
        "The company's revenue of $5bn rose 10%.",
        "The town has a population of 20,000.",
        "There will be 200 workers on site each day.",
        "The tenant will take 30% of the capacity.",
        "The operator signed a 20-year lease on the data centre.",
        "Contact: 01 23 45 67 89 or +44 20 7946 0958.",
        "Article 123456 - data centre news",
        "The company, founded in 1998, runs the data centre.",
        "Take-up across the five markets reached a record 1,100MW.",
        "En cause : le coût du raccordement au réseau électrique, chiffré par RTE à 35 millions d'euros.",
    ],
)
def test_negatives_give_no_figure(text):
    produced = [f.field for f in extract_facts(text).facts if f.field not in ("organization", "municipality")]
    assert produced == []


LEAD_MICROSOFT = (
    "Microsoft said on Wednesday it would invest $3.3 billion through 2026 to build cloud computing and AI "
    "infrastructure in Mount Pleasant, Wisconsin, on the site of a failed Foxconn project. The company expects "
    "the data center to create 2,300 union construction jobs by 2025 and 2,000 permanent jobs over time."
)
LEAD_FERRYBRIDGE = (
    "Plans for a 90MW data centre at the former Ferrybridge power station near Knottingley, West Yorkshire, have "
    "been approved by Wakefield Council. Construction would begin in early 2026, with the first phase operational "
    "by 2028."
)


def test_investment_horizon_and_job_dates_are_not_the_opening():
    extraction = extract_facts(LEAD_MICROSOFT)
    assert extraction.value("investment") == 3.3e9
    assert extraction.value("operational_year") is None
    assert extraction.value("jobs_construction") == 2300
    assert extraction.value("jobs_permanent") == 2000
    assert extraction.value("former_use") == "Foxconn project"
    assert extraction.value("municipality") == "Mount Pleasant"


def test_site_named_after_a_former_power_station():
    extraction = extract_facts(LEAD_FERRYBRIDGE)
    assert extraction.value("capacity_mw") == 90
    assert extraction.value("former_use") == "Ferrybridge power station"
    assert extraction.value("municipality") == "Ferrybridge"
    assert extraction.value("operational_year") == 2028
    assert extraction.value("status") == "permitted"


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("OSLO, Sept 8 (Reuters) - Fjellkraft Data plans a 1 GW campus near Narvik in northern Norway.", "Narvik"),
        (
            "Vantor plans a campus near Abilene, Texas.\n\n(Reporting by a correspondent in Houston; Editing by X)",
            "Abilene",
        ),
        ("Phoenix, Jan 14 - Mesa's city council approved a data center campus.", "Mesa"),
        (
            "Operator Glenmore Compute has switched on its campus near Inverness in Scotland. "
            "The UK's total data centre capacity is mostly around London. Glenmore, founded in 2019, is growing.",
            "Inverness",
        ),
    ],
)
def test_municipality_is_the_site_not_the_dateline(text, place):
    assert value(text, "municipality") == place


def test_announcement_date_from_a_dated_statement():
    text = "The company said on 14 March 2025 that the data centre would cost £4.5bn."
    assert value(text, "announced_on") == "2025-03-14"


def test_announcement_at_a_summit_is_dated():
    text = "Annoncé en mai 2024 lors du sommet Choose France, le projet représentait 4 milliards de dollars."
    assert value(text, "announced_on") == "2024-05"


def test_former_use_vocabulary():
    assert value("Le data center s'installera sur l'ancienne teinturerie Lemaire.", "former_use") == (
        "teinturerie Lemaire"
    )
    assert value("The facility sits on 30 hectares of a former distillery.", "former_use") == "distillery"


def test_names_do_not_run_across_lines():
    text = (
        "Un campus de 300 MW sur le site de l'ancienne centrale de Saint-Avold\n\nLe développeur a annoncé le projet."
    )
    assert "\n" not in value(text, "former_use")


@pytest.mark.parametrize(
    "text",
    [
        "Swansea data centre wins consent as Wales pipeline tops 1GW",
        "La France compte près de 300 data centers, pour une puissance totale d'environ 1,5 GW.",
        "The £340 million facility will draw power from a 70MW solar farm nearby.",
        "National Grid will connect the campus to its Didcot substation, which has a capacity of 1,000MW.",
        "RTE raccordera le data center au poste de Saint-Avold, d'une capacité de 400 MW.",
        "Le campus sera voisin de la centrale Émile-Huchet et de ses 860 MW.",
        "Oxfordshire already hosts around 600MW of data centre capacity.",
        "La région compte déjà plus de 300 MW de capacités de data centers.",
    ],
)
def test_totals_and_power_plants_are_not_the_capacity(text):
    assert value(text, "capacity_mw") is None


def test_the_only_company_named_with_the_project_is_its_developer_marked_low():
    text = "Le projet de data center de 50 MW de Marais Datacenters à Béthune est abandonné, a-t-on appris."
    (fact,) = facts(text, "organization")
    assert (fact.value, fact.role, fact.low_confidence) == ("Marais Datacenters", "developer", True)
    assert fact.reason.startswith("inferred")


def test_a_studys_author_is_no_developer():
    text = "Demand for data centre capacity rose by 20%, according to a report by consultancy Harbor Partners."
    assert all(f.role is None for f in facts(text, "organization"))


def test_phases_of_a_figure_each_are_phases():
    (fact,) = facts("The 240MW data center campus will be built in two phases of 120MW each.", "capacity_mw")[1:]
    assert (fact.value, fact.scope) == (120, "phase")


def test_the_companys_site_that_opened_years_ago_dates_nothing():
    text = "The company already runs an 18MW site in Bletchley, which opened in 2021."
    assert value(text, "operational_year") is None
    assert value(text, "status") is None


def test_power_drawn_from_a_solar_farm_is_an_energy_source():
    text = "The data centre will draw power from a 70MW solar farm nearby under a private wire agreement."
    assert value(text, "energy_source") == "solar"


def test_a_market_under_construction_is_no_projects_status():
    text = "Arizona has become the second-largest data center market, with more than 2GW under construction."
    assert value(text, "status") is None


@pytest.mark.parametrize(
    ("text", "former"),
    [
        ("Work started on what was the Fujitsu office campus, now a 36MW data centre site.", "Fujitsu office campus"),
        ("Sur l'emprise de l'ex-usine Renault Trucks, le data center de 18 MW sort de terre.", "usine Renault Trucks"),
    ],
)
def test_former_sites_named_by_what_was_and_ex(text, former):
    assert value(text, "former_use") == former


def test_a_voltage_is_no_substation_name():
    assert (
        value("The grid operator is building a new 132kV substation next to the 36MW data centre.", "substation")
        is None
    )


def test_a_us_state_named_on_the_page_places_its_towns_in_the_us():
    text = "In Warrenton, Virginia, a developer has filed plans for a 96MW data center campus."
    (fact,) = facts(text, "municipality")
    assert (fact.value, fact.country) == ("Warrenton", "US")


def test_a_first_building_within_a_planned_campus_is_a_phase():
    text = "A tenant has leased the whole of its 96MW first building, part of a planned 288MW campus."
    assert {(f.value, f.scope) for f in facts(text, "capacity_mw")} == {(96, "phase"), (288, "project")}
