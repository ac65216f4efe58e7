"""The figures of a project as a reader of the page wants them: each value in the reader's
locale, with the sources that back it and their words, conflicts and pending claims marked."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from projects import choices
from projects.models import Claim, Project
from projects.selectors import figures_by_attribute, project_conflicts

ClaimAttribute = choices.ClaimAttribute
ValueKind = choices.ValueKind


def claims_with_sources() -> Prefetch:
    """What the figures summary and its conflicts read: every claim with its source, in one query."""
    return Prefetch(
        "claims",
        queryset=Claim.objects.select_related("source", "value_organization").order_by(
            "attribute", "-is_headline", "id"
        ),
    )


# Stored units that are words, shown in the reader's language.
UNIT_LABELS = {"jobs": _("jobs")}


def format_figure(value) -> str:
    """A figure in the reader's locale, with digit grouping and without trailing zeros."""
    if value is None:
        return "—"
    if isinstance(value, Decimal) and value == value.to_integral():
        value = value.quantize(Decimal(1))
    elif isinstance(value, Decimal):
        value = value.normalize()
    return formats.number_format(value, use_l10n=True, force_grouping=True)


def format_partial_date(date, precision) -> str:
    if date is None:
        return "—"
    if precision == choices.DatePrecision.YEAR:
        return str(date.year)
    if precision == choices.DatePrecision.MONTH:
        return formats.date_format(date, "YEAR_MONTH_FORMAT")
    return formats.date_format(date, "DATE_FORMAT")


def claim_value(claim: Claim) -> str:
    """A claim's value as the page shows it: "700 MW", "5 000 000 000 EUR", "9 décembre 2025"."""
    kind = choices.ATTRIBUTE_VALUE_KIND.get(claim.attribute, ValueKind.TEXT)
    if kind == ValueKind.MONEY:
        return f"{format_figure(claim.value_number)} {claim.currency}".strip()
    if kind == ValueKind.NUMBER:
        if claim.attribute == ClaimAttribute.OPERATIONAL_YEAR and claim.value_number is not None:
            return str(int(claim.value_number))  # a year is not grouped: 2030, not 2 030
        unit = claim.unit or choices.ATTRIBUTE_UNIT.get(claim.attribute, "")
        return f"{format_figure(claim.value_number)} {UNIT_LABELS.get(unit, unit)}".strip()
    if kind == ValueKind.DATE:
        return format_partial_date(claim.value_date, claim.value_date_precision)
    if claim.attribute == ClaimAttribute.STATUS and claim.value_text in choices.ProjectStatus.values:
        return str(choices.ProjectStatus(claim.value_text).label)
    return claim.display_value


@dataclass
class FigureClaim:
    claim: Claim
    value: str
    # Whether the page repeats the value next to this claim's source: when it is not simply the headline.
    shows_value: bool = True


@dataclass
class Figure:
    """One attribute of the project: its headline value and the claims behind it."""

    attribute: str
    label: str
    values: list[str] = field(default_factory=list)
    accepted: list[FigureClaim] = field(default_factory=list)
    proposed: list[FigureClaim] = field(default_factory=list)
    in_conflict: bool = False


def project_figures(project: Project) -> list[Figure]:
    """Every attribute with an accepted or a proposed claim, in the attributes' order.

    Reads the project's prefetched claims (``claims_with_sources()``): no query per claim.
    """
    accepted = figures_by_attribute(project)
    conflicted = {conflict.attribute for conflict in project_conflicts(project)}
    proposed = defaultdict(list)
    for claim in project.claims.all():
        if claim.status == choices.ClaimStatus.PROPOSED:
            proposed[claim.attribute].append(FigureClaim(claim, claim_value(claim)))
    figures = []
    for attribute, label in ClaimAttribute.choices:
        if attribute not in accepted and attribute not in proposed:
            continue
        figure = Figure(
            attribute=attribute,
            label=label,
            accepted=[FigureClaim(claim, claim_value(claim)) for claim in accepted.get(attribute, [])],
            proposed=proposed.get(attribute, []),
            in_conflict=attribute in conflicted,
        )
        if attribute in choices.MULTI_VALUED_ATTRIBUTES:
            figure.values = list(dict.fromkeys(item.value for item in figure.accepted))
        elif figure.accepted:
            figure.values = [figure.accepted[0].value]  # the headline comes first
        for item in figure.accepted:
            item.shows_value = figure.in_conflict or len(figure.values) > 1 or item.value not in figure.values
        figures.append(figure)
    return figures
