"""Ingesting real-shaped pages: a roundup proposes each of its projects with its own facts, figures keep
their scope and bound, a phase is proposed as a phase, organizations are matched by whole names, and the
ties between organizations and the market figures a page gives are proposed as such (texts written for
these tests)."""

from decimal import Decimal

import pytest

from projects.ingestion import ingest_source, match_organization, same_organization, store_source
from projects.models import Claim, Indicator, OrganizationRelationship, Phase, Project
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

ROUNDUP = """Le Nord Économique
Accueil > Dossiers > Numérique

Trois projets de data centers dans le Nord

Publié le 2 décembre 2025

Gravelines, le plus avancé
À Gravelines, les travaux du campus de 240 MW de Flandre Calcul ont commencé en septembre. La première \
tranche, de 80 MW, doit être mise en service en 2027. Montant : 1,8 milliard d'euros.

Denain, sur l'ancienne cokerie
À Denain, la start-up Hainaut Compute vise 200 MW sur l'ancienne cokerie et annonce 400 emplois permanents. \
Elle a déposé une demande de permis de construire en octobre.

À lire aussi
Dunkerque : 20 millions d'euros pour les quais
"""

SEED_LIKE = """Cloud : les alliances se multiplient

L'alliance entre Nexity, leader français de l'immobilier, et GSE, contractant général, vise à proposer des \
terrains prêts à accueillir des centres de données. Des acteurs comme Evroc et Suse s'associent pour lancer \
une offre cloud européenne. La Commission européenne prévoit que 75 % des entreprises européennes \
utiliseront le cloud d'ici 2030.
"""


def test_a_roundup_proposes_each_project_with_its_own_facts():
    source = store_source(text=ROUNDUP, title="Trois projets")
    result = ingest_source(source=source)

    assert result.project.municipality == "Gravelines" and result.project_created
    [other] = result.others
    assert other.project.municipality == "Denain" and other.project_created
    mine = {(c.attribute, c.value_number, c.scope) for c in result.claims if c.value_number is not None}
    theirs = {(c.attribute, c.value_number) for c in other.claims if c.value_number is not None}
    assert ("capacity_mw", Decimal("240"), "project") in mine
    assert ("capacity_mw", Decimal("80"), "phase") in mine
    assert ("capacity_mw", Decimal("200")) in theirs and ("jobs_permanent", Decimal("400")) in theirs
    # No figure of the next project on the main one, and none from the related links.
    assert not {Decimal("200"), Decimal("400"), Decimal("20000000")} & {value for _, value, _ in mine}
    statuses = {c.project.municipality: c.value_text for c in result.all_claims if c.attribute == "status"}
    assert statuses == {"Gravelines": "construction", "Denain": "planning"}


def test_a_phase_is_proposed_as_a_phase_standing_on_its_claim():
    source = store_source(text=ROUNDUP, title="Trois projets")
    result = ingest_source(source=source)
    [phase] = result.phases
    assert phase.project == result.project
    assert (phase.capacity_mw, phase.target_year) == (Decimal("80"), 2027)
    assert phase.claim.scope == "phase" and phase.claim.status == "proposed"
    again = ingest_source(source=source)
    assert again.claims == [] and again.phases == [] and Phase.objects.count() == 1
    assert Project.objects.count() == 2  # the same page again proposes no new project


def test_bounds_and_eventual_figures_reach_the_claims():
    text = (
        "Loon-Plage : un campus de 700 MW\n\n"
        "Le développeur Opale Compute prévoit à Loon-Plage un campus de 700 MW, qui pourrait atteindre 1 GW à "
        "terme, pour un investissement d'au moins 3 milliards d'euros.\n"
    )
    result = ingest_source(source=store_source(text=text, title="Loon-Plage"))
    by_value = {c.value_number: c for c in result.claims if c.value_number is not None}
    assert by_value[Decimal("700")].scope == "project"
    assert by_value[Decimal("1000")].scope == "eventual"
    assert by_value[Decimal("3000000000")].bound == "at_least"
    assert "à terme" in by_value[Decimal("1000")].note


def test_a_draft_takes_the_kind_the_page_says_and_a_region_is_proposed():
    text = (
        "Un campus d'intelligence artificielle à Loon-Plage\n\nLe data center d'IA de 300 MW sera bâti à Loon-Plage.\n"
    )
    result = ingest_source(source=store_source(text=text, title="Loon-Plage"))
    assert result.project_created and result.project.kind == "ai"
    [region] = [c for c in result.claims if c.attribute == "region"]
    assert region.value_text == "Hauts-de-France" and "inferred" in region.note


def test_organizations_match_whole_names_never_parts_of_words():
    agglo = OrganizationFactory(name="Communauté d'agglomération de la Porte du Hainaut", aliases=["CAPH"])
    rte = OrganizationFactory(name="Réseau de transport d'électricité", aliases=["RTE"], kind="grid_operator")
    kao = OrganizationFactory(name="Kao Data")
    assert match_organization("RTE") == rte
    assert match_organization("Porte") is None
    assert match_organization("CAPH") == agglo
    assert match_organization("Kao Data Ltd") == kao
    assert match_organization("Data") is None
    assert same_organization("Gatwick Compute", "Gatwick Compute Ltd")
    assert not same_organization("RTE", "Porte du Hainaut")


def test_known_organizations_are_recognised_anywhere_with_their_kind():
    OrganizationFactory(name="Réseau de transport d'électricité", aliases=["RTE"], kind="grid_operator")
    text = "Un data center de 50 MW à Escaudain\n\nLe site sera alimenté depuis 2027. RTE a confirmé le calendrier.\n"
    result = ingest_source(source=store_source(text=text, title="Escaudain"))
    roles = {c.value_organization.name: c.role for c in result.claims if c.attribute == "organization"}
    assert roles == {"Réseau de transport d'électricité": "grid_operator"}


def test_relationships_and_indicators_are_proposed_not_project_figures():
    source = store_source(text=SEED_LIKE, title="Cloud")
    result = ingest_source(source=source)
    pairs = {(r.from_organization.name, r.to_organization.name, r.kind) for r in result.relationships}
    assert pairs == {("Nexity", "GSE", "partnership"), ("Evroc", "Suse", "partnership")}
    assert all(
        r.claim.status == "proposed" and r.claim.organization == r.from_organization for r in result.relationships
    )
    [indicator] = result.indicators
    assert (indicator.value, indicator.unit, indicator.year, indicator.is_forecast) == (Decimal("75"), "%", 2030, True)
    assert indicator.stated_by.name.casefold() == "commission européenne"
    assert not [c for c in result.claims if c.attribute in ("capacity_mw", "investment", "operational_year")]
    assert OrganizationRelationship.objects.count() == 2 and Indicator.objects.count() == 1
    assert Claim.objects.filter(source=source, project__isnull=True).count() == 3
