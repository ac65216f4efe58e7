from decimal import Decimal

import pytest
from django.core.management import call_command

from core.models import ObjectChange
from projects.models import Indicator, Organization, OrganizationRelationship, Project

pytestmark = pytest.mark.django_db

EXPECTED_HEADLINES = {
    "capacity_mw": ("capacity_mw", Decimal("700")),
    "investment": ("investment_amount", Decimal("5000000000")),
    "jobs_permanent": ("jobs_permanent", 2400),
    "site_area_ha": ("site_area_ha", Decimal("38")),
    "operational_year": ("operational_year", 2030),
    "municipality": ("municipality", "Escaudain"),
    "status": ("status", "announced"),
}


def test_demo_project_carries_every_figure_backed_by_a_quoted_accepted_claim(demo):
    assert demo.capacity_basis == "gross"
    assert demo.investment_currency == "EUR"
    assert demo.announced_on.isoformat() == "2025-12-09"
    assert "Usinor" in demo.former_use
    for attribute, (field, value) in EXPECTED_HEADLINES.items():
        assert getattr(demo, field) == value, field
        claim = demo.claims.get(attribute=attribute, is_headline=True)
        assert claim.status == "accepted"
        assert claim.source.publisher == "Actualités 24"
        assert claim.quote
    assert demo.claims.get(attribute="announced_on").quote.startswith("Annoncé le 9 décembre 2025")


def test_demo_project_location_grid_and_roles(demo):
    assert (round(demo.latitude, 2), round(demo.longitude, 2)) == (50.33, 3.34)
    connection = demo.grid_connections.select_related("substation").get()
    assert connection.substation.name == "Mastaing"
    assert connection.distance_km == pytest.approx(4.1, abs=0.1)
    assert connection.status == "planned"
    assert demo.roles.get(role="developer").undisclosed
    assert demo.roles.get(role="public_authority").organization.name.startswith("Communauté d'agglomération")


def test_demo_organizations_relationships_and_indicator(demo):
    pairs = set(OrganizationRelationship.objects.values_list("from_organization__name", "to_organization__name"))
    assert {("Nexity", "GSE"), ("Evroc", "SUSE"), ("Outscale", "OKS")} <= pairs
    indicator = Indicator.objects.get()
    assert (indicator.value, indicator.unit, indicator.year) == (Decimal("75"), "%", 2030)
    assert indicator.stated_by == Organization.objects.get(name="European Commission")


def test_loading_the_demo_twice_changes_nothing(demo):
    changes_before = ObjectChange.objects.count()
    call_command("load_demo", verbosity=0)
    assert ObjectChange.objects.count() == changes_before
    assert Project.objects.count() == 1
