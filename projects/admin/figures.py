"""The figures of a project as a reader of the page wants them: each value in the reader's
locale, with the sources that back it and their words, conflicts and pending claims marked."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch

from core.formatting import format_number
from projects import attributes, choices
from projects.figures import figures_by_name
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
    # The project's own value when it was typed by hand rather than taken from the headline claim.
    edited_value: str | None = None


def project_value(project: Project, name: str) -> str:
    value = getattr(project, name)
    if isinstance(value, Decimal):
        return format_number(value)
    if name == "status":
        return project.get_status_display()
    return "—" if value in (None, "") else str(value)


def project_figures(project: Project) -> list[Figure]:
    """Every attribute with an accepted or a proposed claim, in the attributes' order.

    Reads the project's prefetched claims (``claims_with_sources()``): no query per claim.
    """
    accepted = figures_by_attribute(project)
    shown = figures_by_name(project)
    conflicted = {conflict.attribute for conflict in project_conflicts(project)}
    proposed = defaultdict(list)
    for claim in project.claims.all():
        if claim.status == choices.ClaimStatus.PROPOSED:
            proposed[claim.attribute].append(FigureClaim(claim, claim.display_value))
    figures = []
    for attribute, label in ClaimAttribute.choices:
        if attribute not in accepted and attribute not in proposed:
            continue
        figure = Figure(
            attribute=attribute,
            label=label,
            accepted=[FigureClaim(claim, claim.display_value) for claim in accepted.get(attribute, [])],
            proposed=proposed.get(attribute, []),
            in_conflict=attribute in conflicted,
        )
        if attribute in attributes.MULTI_VALUED:
            figure.values = list(dict.fromkeys(item.value for item in figure.accepted))
        elif figure.accepted:
            figure.values = [figure.accepted[0].value]  # the headline comes first
        for item in figure.accepted:
            item.shows_value = figure.in_conflict or len(figure.values) > 1 or item.value not in figure.values
        if attribute in shown and shown[attribute].typed_by_hand:
            figure.edited_value = shown[attribute].display
        figures.append(figure)
    return figures
