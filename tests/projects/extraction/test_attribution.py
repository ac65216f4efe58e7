"""Figures attributed to the project they are about when a paragraph or a sentence names another
(a roundup's next project in the same sentence, "respectively" lists, a project mentioned in
passing, a paragraph opening on another project's company, a table flattened to text)."""

from projects.extraction import extract_facts


def project(extraction, anchor):
    return next(p for p in extraction.projects if p.anchor == anchor)


def values(candidate, field):
    return sorted(f.value for f in candidate.facts if f.field == field)


def test_the_next_project_in_the_same_sentence_keeps_its_figures():
    text = (
        "Data centers en Occitanie\n\n"
        "À Colomiers, le permis du data center de Garonne Numérique a été accordé. Ce centre de 18 MW doit "
        "ouvrir en 2027 ; à quelques kilomètres, à Blagnac, le projet concurrent de Pyrène Cloud, annoncé à "
        "35 MW, attend son autorisation. Garonne Numérique promet 45 emplois directs.\n\n"
        "Pyrène Cloud, de son côté, ne communique plus de calendrier. Son dossier porte sur un investissement "
        "de 300 millions d'euros.\n"
    )
    extraction = extract_facts(text)
    assert extraction.value("capacity_mw") == 18
    assert extraction.value("jobs_permanent") == 45
    assert extraction.value("investment") is None  # Pyrène Cloud's, in a paragraph about it
    blagnac = project(extraction, "Blagnac")
    assert values(blagnac, "capacity_mw") == [35]
    assert values(blagnac, "investment") == [300_000_000]


def test_respectively_gives_each_place_its_figure_and_a_combined_total_is_nobodys():
    text = (
        "Halcyon picks Motherwell and Livingston\n\n"
        "Halcyon Data Centres today announced plans for two campuses at Motherwell and Livingston, with "
        "capacities of 80MW and 40MW respectively. The two campuses represent a combined investment of "
        "£1.2bn, of which £800m at Motherwell. SP Energy Networks has offered a 100MW grid connection at "
        "Motherwell; the Livingston site, which Halcyon expects to open in 2029, is awaiting its own offer.\n"
    )
    extraction = extract_facts(text)
    assert extraction.value("capacity_mw") == 80
    assert extraction.value("investment") == 800_000_000
    assert extraction.value("operational_year") is None
    livingston = project(extraction, "Livingston")
    assert values(livingston, "capacity_mw") == [40]
    assert values(livingston, "operational_year") == [2029]


def test_a_project_mentioned_in_passing_lends_nothing():
    text = (
        "Councillors back 30MW data centre at Kilmarnock\n\n"
        "East Ayrshire Council has approved a 30MW data centre in Kilmarnock. The scheme, brought forward by "
        "Irvine Valley Digital and Caledonia Infrastructure Partners, which will respectively develop and "
        "finance it, is expected to cost £210m. It is far smaller than the 250MW campus Forth Compute "
        "proposed at Grangemouth, which was withdrawn in June.\n"
    )
    extraction = extract_facts(text)
    assert extraction.value("capacity_mw") == 30
    assert extraction.value("status") == "permitted"
    roles = {f.value: f.role for f in extraction.get("organization")}
    assert roles["Irvine Valley Digital"] == "developer"
    assert roles["Caledonia Infrastructure Partners"] == "investor"
    assert "Forth Compute" not in roles
    grangemouth = project(extraction, "Grangemouth")
    assert values(grangemouth, "capacity_mw") == [250]
    assert values(grangemouth, "status") == ["cancelled"]


def test_a_clause_naming_the_main_site_again_returns_to_it():
    text = (
        "Corbas : feu vert pour le data center de Rhône Calcul\n\n"
        "Le préfet a autorisé le data center que Rhône Calcul veut construire à Corbas. Contrairement au projet "
        "de 150 MW que Chimie Data avait présenté à Feyzin avant de l'abandonner, celui de Corbas, de 36 MW, "
        "n'a fait l'objet d'aucun recours. Enedis assurera le raccordement.\n"
    )
    extraction = extract_facts(text)
    assert extraction.value("capacity_mw") == 36
    assert {f.value: f.role for f in extraction.get("organization")}.get("Enedis") == "grid_operator"
    assert values(project(extraction, "Feyzin"), "capacity_mw") == [150]


def test_a_table_row_belongs_to_the_site_in_its_first_cell():
    text = (
        "Corbas : feu vert pour le data center de Rhône Calcul\n\n"
        "Le préfet a autorisé le data center de 36 MW que Rhône Calcul veut construire à Corbas.\n\n"
        "Commune\tPorteur\tPuissance\tStatut\n"
        "Corbas\tRhône Calcul\t36 MW\tAutorisé\n"
        "Meyzieu\tDatalyon\t24 MW\tAnnoncé\n"
    )
    extraction = extract_facts(text)
    assert values(extraction, "capacity_mw") == [36]
    assert "Porteur Puissance" not in {f.value for f in extraction.get("organization")}
    meyzieu = project(extraction, "Meyzieu")
    assert values(meyzieu, "capacity_mw") == [24]
    assert values(meyzieu, "municipality") == ["Meyzieu"]  # the place the row opens on
    assert {(f.value, f.role) for f in meyzieu.facts if f.field == "organization"} == {("Datalyon", "developer")}
    names = {f.value for p in extraction.projects for f in p.facts if f.field == "organization"}
    assert not {"Corbas Rhône Calcul", "Meyzieu Datalyon"} & names  # cells are not one name


def test_a_project_dropped_before_the_main_one_is_its_own_cancellation():
    text = (
        "Corbas : feu vert\n\n"
        "Le préfet a autorisé le data center de 36 MW que Rhône Calcul veut construire à Corbas. Contrairement au "
        "projet de 150 MW que Chimie Data avait présenté à Feyzin avant de l'abandonner en 2024, celui de Corbas "
        "n'a fait l'objet d'aucun recours.\n"
    )
    extraction = extract_facts(text)
    assert extraction.value("status") == "permitted"
    assert values(project(extraction, "Feyzin"), "status") == ["cancelled"]


def test_a_power_and_an_amount_joined_by_et_are_no_range():
    extraction = extract_facts(
        "À Saint-Priest, Lugdunum DC a déposé une demande de permis pour un bâtiment de 60 MW et "
        "380 millions d'euros.\n"
    )
    investment = extraction.get("investment")[0]
    assert (investment.value, investment.bound, investment.value_max) == (380_000_000, "exact", None)
    assert [f.value for f in extraction.get("capacity_mw")] == [60]


def test_a_rival_named_by_its_company_alone_is_a_candidate_of_its_own():
    text = (
        "Thurrock backs Marsh Data's 96MW campus at Grays\n\n"
        "Thurrock Council has granted planning permission for Marsh Data's 96MW campus at Grays. The £750m scheme, "
        "larger than the 60MW campus Riverside Compute is building nearby, will create 110 permanent jobs.\n\n"
        "Unlike Kestrel Digital's 300MW proposal, which was withdrawn last year when no grid connection could be "
        "secured, Marsh Data has signed a 100MW connection agreement with UK Power Networks.\n"
    )
    extraction = extract_facts(text)
    assert [f.value for f in extraction.get("capacity_mw")] == [96]
    assert extraction.value("status") == "permitted"
    roles = {f.value: f.role for f in extraction.get("organization")}
    assert roles["Marsh Data"] == "developer"  # not the grid operator its connection agreement names
    assert roles["UK Power Networks"] == "grid_operator"
    assert not {"Kestrel Digital", "Unlike Kestrel Digital", "Riverside Compute"} & set(roles)
    riverside, kestrel = (p for p in extraction.projects if not p.main)
    assert values(riverside, "capacity_mw") == [60]
    assert [(f.value, f.role) for f in riverside.get("organization")] == [("Riverside Compute", "developer")]
    assert values(kestrel, "capacity_mw") == [300]
    assert values(kestrel, "status") == ["cancelled"]


def test_run_on_text_is_read_in_bounded_parts():
    from projects.extraction.sentences import MAX_SENTENCE_CHARS, split_sentences

    run_on = "À Lyon, " + "à Paris, 10 MW ; " * 300 + "x" * 5000 + " Paris, Lyon et Lille respectivement 1 MW"
    assert max(s.end - s.start for s in split_sentences(run_on)) <= MAX_SENTENCE_CHARS
    extraction = extract_facts(run_on)
    for candidate in extraction.projects:
        for fact in candidate.facts:
            assert run_on[fact.start : fact.end] == fact.quote
            assert fact.start <= fact.position <= fact.end


def test_a_locality_written_before_the_sites_town_is_no_other_project():
    text = (
        "Ministers back data centre\n\n"
        "GLENROTHES, Fife, 3 December 2025 — Ministers have granted consent for a 90MW data centre campus at "
        "Southfield, Glenrothes, after a public inquiry.\n"
    )
    extraction = extract_facts(text)
    assert extraction.value("capacity_mw") == 90
    assert extraction.value("status") == "permitted"
    assert [p.anchor for p in extraction.projects if not p.main] == []


def test_a_figure_given_by_ellipsis_goes_to_the_place_it_follows():
    text = (
        "Two schemes go before planners\n\n"
        "Two data centre schemes are heading for committees, one on a former colliery and one next to the A1.\n\n"
        "In Newark, Trent Valley Data has submitted plans for a 60MW campus; in Mansfield, Sherwood Digital has "
        "lodged an application for a 45MW facility. The Newark scheme would cost £300m and Mansfield £180m, while "
        "Newark would create 70 permanent jobs and Mansfield 40.\n\n"
        "Mansfield District Council has not set a date.\n"
    )
    extraction = extract_facts(text)
    assert extraction.value("investment") == 300_000_000
    assert extraction.value("jobs_permanent") == 70
    assert extraction.value("former_use") is None  # the summary of both schemes is neither's
    mansfield = project(extraction, "Mansfield")
    assert values(mansfield, "investment") == [180_000_000]
    assert values(mansfield, "jobs_permanent") == [40]
    assert "Mansfield District Council" in values(mansfield, "organization")


def test_the_first_and_the_second_are_the_pages_projects_in_order():
    text = (
        "Deux data centers dans le Cher\n\n"
        "Le premier, à Vierzon, est porté par Sologne Data pour un bâtiment de 40 MW. Le second, à Bourges, de "
        "Berry Numérique, vise 25 MW.\n\n"
        "Le premier promet 35 emplois, le second une vingtaine.\n"
    )
    extraction = extract_facts(text)
    assert extraction.value("jobs") == 35
    bourges = project(extraction, "Bourges")
    assert values(bourges, "jobs") == [20]
    assert values(bourges, "status") == ["announced"]


def test_a_second_project_of_the_company_is_its_own_and_the_company_develops_it():
    text = (
        "Bracknell data centre tops out\n\n"
        "Loddon Compute's 36MW data centre in Bracknell has topped out. The £210m building is due in 2027.\n\n"
        "Loddon Compute is also weighing a second, larger building near Wokingham, which could add another 60MW "
        "and cost £400m.\n"
    )
    extraction = extract_facts(text)
    assert extraction.value("investment") == 210_000_000
    wokingham = project(extraction, "Wokingham")
    assert values(wokingham, "capacity_mw") == [60]
    assert [(f.value, f.role) for f in wokingham.get("organization")] == [("Loddon Compute", "developer")]
