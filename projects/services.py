"""The one write path for projects and claims: the admin, the API, imports and
commands all call these functions, so validation, history and derived values
cannot diverge."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import ConcurrentEditError
from projects import choices
from projects.models import (
    Claim,
    GridConnection,
    Project,
    ProjectRole,
    ProjectStatusChange,
    Substation,
    values_agree,
    values_disagree,
)

ClaimAttribute = choices.ClaimAttribute
# A claim's words and notes, not its value: editing them leaves the project's figures alone.
CLAIM_WORDING_FIELDS = frozenset({"quote", "quote_start", "quote_end", "note"})


def check_version(instance, expected_version: int | None):
    """Refuse an edit prepared against an older version of the record."""
    if expected_version is not None and int(expected_version) != instance.version:
        raise ConcurrentEditError(instance, int(expected_version))


@transaction.atomic
def project_create(*, data: dict, status_date: datetime.date | None = None) -> Project:
    project = Project(**data)
    project.full_clean()
    project.save()
    ProjectStatusChange.objects.create(
        project=project, status=project.status, date=status_date or project.announced_on or timezone.localdate()
    )
    return project


@transaction.atomic
def project_update(
    *, project: Project, data: dict, expected_version: int | None = None, status_date: datetime.date | None = None
) -> Project:
    check_version(project, expected_version)
    previous_status = Project._base_manager.filter(pk=project.pk).values_list("status", flat=True).first()
    for name, value in data.items():
        setattr(project, name, value)
    project.full_clean()
    project.save()
    if previous_status is not None and previous_status != project.status:
        ProjectStatusChange.objects.create(
            project=project, status=project.status, date=status_date or timezone.localdate()
        )
    return project


@transaction.atomic
def project_mark_verified(*, project: Project, on: datetime.date | None = None) -> Project:
    project.last_verified_on = on or timezone.localdate()
    project.save(update_fields=["last_verified_on"])
    return project


# Claims ---------------------------------------------------------------------------------------


@transaction.atomic
def claim_create(*, data: dict) -> Claim:
    claim = Claim(**data)
    if claim.as_of is None and claim.source_id and claim.source.published_on:
        claim.as_of = claim.source.published_on
    claim.full_clean()
    claim.save()
    if claim.status == choices.ClaimStatus.ACCEPTED:
        _adopt_if_first(claim)
    return claim


@transaction.atomic
def claim_update(*, claim: Claim, data: dict, expected_version: int | None = None) -> Claim:
    check_version(claim, expected_version)
    for name, value in data.items():
        setattr(claim, name, value)
    claim.full_clean()
    claim.save()
    # Rewording a quote or a note must not overwrite a figure typed on the project since.
    if claim.is_headline and claim.status == choices.ClaimStatus.ACCEPTED and data.keys() - CLAIM_WORDING_FIELDS:
        apply_claim_to_project(claim)
    return claim


@transaction.atomic
def claim_revert(*, claim: Claim, data: dict) -> Claim:
    """Bring a claim back to an earlier version's values, with the consequences of an edit.

    Which claim is the headline stays the reviewers' current choice; the project shows the
    reverted value when the claim is its headline, and a claim that is no longer accepted
    gives the headline up as a rejection does.
    """
    was_headline = claim.is_headline
    data = {name: value for name, value in data.items() if name not in ("is_headline", "in_conflict")}
    accepted = data.get("status", claim.status) == choices.ClaimStatus.ACCEPTED
    if not accepted:
        data["is_headline"] = False
    claim = claim_update(claim=claim, data=data)
    if accepted:
        _adopt_if_first(claim)
    elif was_headline and claim.project_id:
        _hand_over_headline(claim)
    return claim


@transaction.atomic
def claim_accept(*, claim: Claim, user=None) -> Claim:
    if claim.source_id is None:
        raise ValidationError({"source": _("A claim without a source cannot be accepted.")})
    claim.status = choices.ClaimStatus.ACCEPTED
    claim.reviewed_by = user if getattr(user, "is_authenticated", False) else None
    claim.reviewed_at = timezone.now()
    claim.full_clean()
    claim.save()
    _adopt_if_first(claim)
    return claim


@transaction.atomic
def claim_reject(*, claim: Claim, user=None, note: str = "") -> Claim:
    was_headline = claim.is_headline
    claim.status = choices.ClaimStatus.REJECTED
    claim.is_headline = False
    claim.reviewed_by = user if getattr(user, "is_authenticated", False) else None
    claim.reviewed_at = timezone.now()
    if note:
        claim.note = note
    claim.full_clean()
    claim.save()
    if was_headline and claim.project_id:
        _hand_over_headline(claim)
    return claim


def _hand_over_headline(claim: Claim):
    """Another accepted claim takes over only when it is the sole remaining value."""
    remaining = accepted_claims(claim.project_id, claim.attribute)
    if len({c.value_key for c in remaining}) == 1:
        claim_set_headline(claim=remaining[0])


@transaction.atomic
def claim_set_headline(*, claim: Claim) -> Claim:
    """Make an accepted claim the one whose value the project shows."""
    if claim.status != choices.ClaimStatus.ACCEPTED:
        raise ValidationError({"status": _("Only an accepted claim can be the headline figure.")})
    if claim.project_id is None:
        raise ValidationError({"project": _("Only a claim about a project can be its headline figure.")})
    for other in Claim.objects.filter(project_id=claim.project_id, attribute=claim.attribute, is_headline=True).exclude(
        pk=claim.pk
    ):
        other.is_headline = False
        other.save(update_fields=["is_headline"])
    if not claim.is_headline:
        claim.is_headline = True
        claim.save(update_fields=["is_headline"])
    apply_claim_to_project(claim)
    return claim


def accepted_claims(project_id: int, attribute: str) -> list[Claim]:
    return list(
        Claim.objects.filter(project_id=project_id, attribute=attribute, status=choices.ClaimStatus.ACCEPTED)
        .select_related("source", "value_organization")
        .order_by("-as_of", "-id")
    )


def _adopt_if_first(claim: Claim):
    """The first accepted value of an attribute becomes the headline; later ones may conflict."""
    if claim.project_id is None or claim.attribute in choices.MULTI_VALUED_ATTRIBUTES:
        if claim.attribute == ClaimAttribute.ORGANIZATION and claim.project_id:
            apply_claim_to_project(claim)
        return
    has_headline = Claim.objects.filter(project_id=claim.project_id, attribute=claim.attribute, is_headline=True)
    if not has_headline.exists():
        claim_set_headline(claim=claim)


def fit_to_field(field_name: str, value: Decimal) -> Decimal:
    """A claim's figure (four decimals) rounded to the project field's precision."""
    places = Project._meta.get_field(field_name).decimal_places
    return Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def project_fields_from_claim(claim: Claim, project: Project) -> dict:
    """The project's own fields a headline claim sets, with the values it gives them."""
    attribute = claim.attribute
    if attribute in (ClaimAttribute.CAPACITY_MW, ClaimAttribute.SITE_AREA_HA, ClaimAttribute.FLOOR_AREA_M2):
        return {attribute: fit_to_field(attribute, claim.value_number)}
    if attribute in (ClaimAttribute.JOBS_PERMANENT, ClaimAttribute.JOBS_CONSTRUCTION, ClaimAttribute.OPERATIONAL_YEAR):
        return {attribute: int(claim.value_number)}
    if attribute == ClaimAttribute.INVESTMENT:
        as_of = claim.as_of or (claim.source.published_on if claim.source_id else None)
        return {
            "investment_amount": fit_to_field("investment_amount", claim.value_number),
            "investment_currency": claim.currency,
            "investment_year": as_of.year if as_of else project.investment_year,
        }
    if attribute == ClaimAttribute.ANNOUNCED_ON:
        return {
            "announced_on": claim.value_date,
            "announced_precision": claim.value_date_precision or choices.DatePrecision.DAY,
        }
    if attribute in (
        ClaimAttribute.MUNICIPALITY,
        ClaimAttribute.REGION,
        ClaimAttribute.COUNTRY,
        ClaimAttribute.FORMER_USE,
        ClaimAttribute.STATUS,
    ):
        return {attribute: claim.value_text}
    return {}


def project_differs_from_claim(claim: Claim, project: Project) -> list[str]:
    """The fields where the project no longer shows what its headline claim says (edited by hand)."""
    return [
        name for name, value in project_fields_from_claim(claim, project).items() if getattr(project, name) != value
    ]


def apply_claim_to_project(claim: Claim):
    """Copy a headline claim's value into the project's own fields."""
    project = Project.objects.select_for_update().get(pk=claim.project_id)
    if claim.attribute == ClaimAttribute.ORGANIZATION and claim.role:
        ProjectRole.objects.get_or_create(
            project=project, organization=claim.value_organization, role=claim.role, defaults={"source": claim.source}
        )
    elif claim.attribute == ClaimAttribute.SUBSTATION:
        substation = Substation.objects.filter(name__iexact=claim.value_text).first()
        if substation and not project.grid_connections.filter(substation=substation).exists():
            GridConnection.objects.create(project=project, substation=substation, source=claim.source)
    data = project_fields_from_claim(claim, project)
    changed = {name: data[name] for name in project_differs_from_claim(claim, project)}
    if changed:
        project_update(project=project, data=changed)


def refresh_conflicts(project_id: int):
    """Flag claims that disagree and count the project's disputed attributes.

    Accepted claims disagree when an attribute holds two different values. A
    proposed claim is flagged too when it contradicts an accepted one, so the
    review queue shows it as a conflict.
    """
    claims = list(
        Claim._base_manager.filter(project_id=project_id)
        .exclude(attribute__in=choices.MULTI_VALUED_ATTRIBUTES)
        .values("id", "attribute", "status", "value_kind", "value_key", "in_conflict")
    )
    accepted_values = defaultdict(set)
    for claim in claims:
        if claim["status"] == choices.ClaimStatus.ACCEPTED:
            accepted_values[claim["attribute"]].add(claim["value_key"])
    kinds = {claim["attribute"]: claim["value_kind"] for claim in claims}
    disputed = {attribute for attribute, values in accepted_values.items() if values_disagree(kinds[attribute], values)}
    flagged, cleared = [], []
    for claim in claims:
        values = accepted_values.get(claim["attribute"], set())
        if claim["status"] == choices.ClaimStatus.ACCEPTED:
            conflicting = claim["attribute"] in disputed
        elif claim["status"] == choices.ClaimStatus.PROPOSED:
            conflicting = bool(values) and not any(
                values_agree(claim["value_kind"], claim["value_key"], value) for value in values
            )
        else:
            conflicting = False
        if conflicting != claim["in_conflict"]:
            (flagged if conflicting else cleared).append(claim["id"])
    # Derived flags: written without the change log, which records the claims themselves.
    if flagged:
        Claim._base_manager.filter(id__in=flagged).update(in_conflict=True)
    if cleared:
        Claim._base_manager.filter(id__in=cleared).update(in_conflict=False)
    Project._base_manager.filter(pk=project_id).exclude(conflict_count=len(disputed)).update(
        conflict_count=len(disputed)
    )
