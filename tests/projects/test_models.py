import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from projects import choices, services
from projects.models import Claim, GridConnection, Project, ProjectRole, Source
from tests.factories import ClaimFactory, OrganizationFactory, ProjectFactory, SourceFactory, SubstationFactory, make

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("capacity_mw", Decimal("-1"), "greater than or equal to 0"),
        ("latitude", 91.0, "less than or equal to 90"),
        ("longitude", -181.0, "greater than or equal to -180"),
        ("investment_currency", "eur", "three-letter ISO 4217"),
        ("operational_year", 1900, "greater than or equal to 1950"),
    ],
)
def test_validation_names_the_field_and_saves_nothing(field, value, message):
    data = {"name": "Refused", "investment_amount": Decimal("1"), "investment_currency": "EUR", field: value}
    if field in ("latitude", "longitude"):
        data.update({"latitude": 50.0, "longitude": 3.0, field: value})
    with pytest.raises(ValidationError) as refused:
        services.project_create(data=data)
    assert field in refused.value.message_dict
    assert message in " ".join(refused.value.message_dict[field])
    assert not Project.objects.exists()


def test_investment_without_currency_is_refused():
    with pytest.raises(ValidationError) as refused:
        services.project_create(data={"name": "No currency", "investment_amount": Decimal("5e9")})
    assert "investment_currency" in refused.value.message_dict


@pytest.mark.parametrize(
    "update",
    [
        {"capacity_mw": Decimal("-5")},
        {"latitude": 120.0},
        {"latitude": 10.0, "longitude": None},
        {"investment_amount": Decimal("10"), "investment_currency": "eur"},
        {"announced_on": datetime.date(2026, 1, 1), "operational_year": 2025},
    ],
)
def test_database_constraints_hold_even_when_validation_is_bypassed(update):
    project = ProjectFactory(latitude=None, longitude=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.filter(pk=project.pk).update(**update)


def test_operation_before_announcement_is_refused_with_a_message():
    with pytest.raises(ValidationError) as refused:
        services.project_create(
            data={"name": "Backwards", "announced_on": datetime.date(2026, 5, 1), "operational_year": 2024}
        )
    assert "cannot be before the announcement" in str(refused.value)


def test_source_url_is_unique_when_present():
    SourceFactory(url="https://news.example.org/a")
    make(Source, title="No URL one")
    make(Source, title="No URL two")  # blank URLs do not collide
    with pytest.raises(ValidationError) as refused:
        Source(title="Duplicate", url="https://news.example.org/a").full_clean()
    assert "url" in refused.value.message_dict


def test_role_needs_an_organization_or_undisclosed():
    project = ProjectFactory()
    with pytest.raises(ValidationError):
        ProjectRole(project=project, role=choices.RoleKind.DEVELOPER).full_clean()
    role = make(ProjectRole, project=project, role=choices.RoleKind.DEVELOPER, undisclosed=True)
    assert str(role) == "Developer: undisclosed"


def test_grid_connection_distance_is_computed_with_geopy():
    project = ProjectFactory(latitude=50.33315, longitude=3.3443)
    connection = make(GridConnection, project=project, substation=SubstationFactory())
    assert connection.distance_km == pytest.approx(4.1, abs=0.1)


def test_claim_without_source_cannot_be_accepted():
    claim = ClaimFactory(source=None)
    with pytest.raises(ValidationError) as refused:
        services.claim_accept(claim=claim)
    assert "source" in refused.value.message_dict
    claim.refresh_from_db()
    assert claim.status == choices.ClaimStatus.PROPOSED
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.filter(pk=claim.pk).update(status=choices.ClaimStatus.ACCEPTED)


def test_money_claim_needs_a_currency():
    with pytest.raises(ValidationError) as refused:
        services.claim_create(
            data={
                "project": ProjectFactory(),
                "source": SourceFactory(),
                "attribute": choices.ClaimAttribute.INVESTMENT,
                "value_number": Decimal("5e9"),
            }
        )
    assert "currency" in refused.value.message_dict


def test_first_accepted_claim_sets_the_headline_figure():
    project = ProjectFactory(capacity_mw=None)
    claim = ClaimFactory(project=project, value_number=Decimal("700"))
    services.claim_accept(claim=claim)
    project.refresh_from_db()
    claim.refresh_from_db()
    assert project.capacity_mw == Decimal("700")
    assert claim.is_headline


def test_disagreeing_accepted_claims_both_stay_and_show_a_conflict():
    project = ProjectFactory()
    first = services.claim_create(
        data={
            "project": project,
            "source": SourceFactory(publisher="Actualités 24"),
            "attribute": choices.ClaimAttribute.SITE_AREA_HA,
            "value_number": Decimal("38"),
            "quote": "38 hectares",
            "status": choices.ClaimStatus.ACCEPTED,
        }
    )
    later = services.claim_create(
        data={
            "project": project,
            "source": SourceFactory(published_on=datetime.date(2026, 6, 1)),
            "attribute": choices.ClaimAttribute.SITE_AREA_HA,
            "value_number": Decimal("33"),
            "quote": "33 ha",
            "status": choices.ClaimStatus.ACCEPTED,
        }
    )
    project.refresh_from_db()
    assert project.site_area_ha == Decimal("38")  # nothing overwritten silently
    assert project.conflict_count == 1
    assert set(Claim.objects.filter(in_conflict=True).values_list("pk", flat=True)) == {first.pk, later.pk}

    services.claim_set_headline(claim=later)
    project.refresh_from_db()
    assert project.site_area_ha == Decimal("33")
    assert project.conflict_count == 1  # still disputed until a claim is rejected

    first.refresh_from_db()  # setting the headline saved it: a stale copy would be refused
    services.claim_reject(claim=first)
    project.refresh_from_db()
    assert project.conflict_count == 0
    assert not Claim.objects.filter(in_conflict=True).exists()


def test_proposed_claim_contradicting_an_accepted_one_is_flagged():
    project = ProjectFactory()
    ClaimFactory(project=project, value_number=Decimal("700"), status=choices.ClaimStatus.ACCEPTED)
    agreeing = ClaimFactory(project=project, value_number=Decimal("700.0"))
    contradicting = ClaimFactory(project=project, value_number=Decimal("1000"))
    agreeing.refresh_from_db()
    contradicting.refresh_from_db()
    assert not agreeing.in_conflict
    assert contradicting.in_conflict
    project.refresh_from_db()
    assert project.conflict_count == 0  # proposed claims do not dispute the headline yet


def test_organization_claim_with_role_adds_the_role():
    project = ProjectFactory()
    organization = OrganizationFactory(name="Digital Realty")
    services.claim_create(
        data={
            "project": project,
            "source": SourceFactory(),
            "attribute": choices.ClaimAttribute.ORGANIZATION,
            "value_organization": organization,
            "role": choices.RoleKind.DEVELOPER,
            "status": choices.ClaimStatus.ACCEPTED,
        }
    )
    assert project.roles.filter(organization=organization, role="developer").exists()


def test_status_change_is_dated_in_the_history():
    project = services.project_create(
        data={"name": "Lifecycle", "status": "announced"}, status_date=datetime.date(2026, 2, 1)
    )
    services.project_update(project=project, data={"status": "construction"}, status_date=datetime.date(2026, 9, 1))
    assert list(project.status_history.values_list("status", flat=True)) == ["announced", "construction"]
    assert project.status_history.last().date == datetime.date(2026, 9, 1)


def test_accepting_a_claim_loaded_from_the_database_sets_the_figure():
    """Claims store four decimals; the project's fields two: the figure is rounded to fit."""
    project = ProjectFactory(site_area_ha=None)
    claim = ClaimFactory(project=project, attribute="site_area_ha", value_number=Decimal("6.755"))
    claim = Claim.objects.get(pk=claim.pk)
    services.claim_accept(claim=claim)
    project.refresh_from_db()
    assert project.site_area_ha == Decimal("6.76")
