"""What a reader is shown of each figure: the value, and whether its sources back it.

One shape for every reader (the public page, the API, the downloads, the admin's fact
sheet): the value with its unit, the localized display beside it, whether it is
*sourced* (the headline claim's value) or *typed by hand*, the headline claim, the
other accepted claims, and those that disagree. Reads the project's prefetched claims.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from projects import attributes, choices
from projects.models import Claim, Project, values_agree

ACCEPTED = choices.ClaimStatus.ACCEPTED


@dataclass
class Figure:
    attribute: attributes.Attribute
    value: object
    unit: str
    display: str
    sourced: bool
    typed_by_hand: bool
    headline_claim: Claim | None
    claims: list[Claim] = field(default_factory=list)
    conflicting_claims: list[Claim] = field(default_factory=list)
    # Accepted claims about a phase, a building or the eventual build-out: context, not the figure.
    other_scope_claims: list[Claim] = field(default_factory=list)

    @property
    def sources_say(self) -> list[str]:
        """The values the accepted claims give, when they are not what readers see."""
        seen: list[str] = []
        for claim in self.claims:
            if claim.display_value not in seen and claim.display_value != self.display:
                seen.append(claim.display_value)
        return seen

    @property
    def in_conflict(self) -> bool:
        return bool(self.conflicting_claims)


def figure_claim(project: Project, attribute: attributes.Attribute) -> Claim | None:
    """The project's own value of a figure, as an unsaved claim so it is shown by the one formatter."""
    values = {name: getattr(project, name) for name in attribute.fields}
    if all(value in (None, "") for name, value in values.items() if name not in ("announced_precision",)):
        return None
    claim = Claim(attribute=attribute.name, value_kind=attribute.value_kind, unit=attribute.unit)
    match attribute.value_kind:
        case choices.ValueKind.MONEY:
            claim.value_number, claim.currency = project.investment_amount, project.investment_currency
        case choices.ValueKind.NUMBER:
            claim.value_number = values[attribute.fields[0]]
        case choices.ValueKind.DATE:
            claim.value_date, claim.value_date_precision = values[attribute.fields[0]], values[attribute.fields[1]]
        case _:
            claim.value_text = str(values[attribute.fields[0]])
    if claim.value_number is None and claim.value_date is None and not claim.value_text:
        return None
    return claim


def native_value(claim: Claim | None):
    if claim is None:
        return None
    if claim.value_kind in (choices.ValueKind.NUMBER, choices.ValueKind.MONEY):
        number = claim.value_number
        if isinstance(number, int):
            return number
        return int(number) if number == number.to_integral_value() else float(number)
    if claim.value_kind == choices.ValueKind.DATE:
        return claim.value_date
    return claim.value_text


def value_unit(claim: Claim | None, attribute: attributes.Attribute) -> str:
    if claim is not None and claim.value_kind == choices.ValueKind.MONEY:
        return claim.currency
    return attribute.unit


def project_figures(project: Project, *, include_empty: bool = False) -> list[Figure]:
    """Every figure of the project in the registry's order; empty ones only when asked."""
    accepted: dict[str, list[Claim]] = {}
    for claim in project.claims.all():
        if claim.status == ACCEPTED:
            accepted.setdefault(claim.attribute, []).append(claim)
    typed = set(project.typed_by_hand)
    figures = []
    for attribute in attributes.FIGURES:
        claims = accepted.get(attribute.name, [])
        whole = [c for c in claims if c.scope == choices.ClaimScope.PROJECT]
        whole.sort(key=lambda c: (not c.is_headline, c.as_of is None, c.as_of, c.pk))
        headline = next((c for c in whole if c.is_headline), None)
        shown = figure_claim(project, attribute)
        if shown is None and not whole and not include_empty:
            continue
        sourced = headline is not None and attribute.name not in typed
        keys = {c.value_key for c in whole}
        conflicting = [c for c in whole if any(not values_agree(c.value_kind, c.value_key, k) for k in keys)]
        figures.append(
            Figure(
                attribute=attribute,
                value=native_value(shown),
                unit=value_unit(shown, attribute) if shown is not None else attribute.unit,
                display=shown.display_value if shown is not None else "",
                sourced=sourced,
                typed_by_hand=attribute.name in typed,
                headline_claim=headline,
                claims=whole,
                conflicting_claims=conflicting,
                other_scope_claims=[c for c in claims if c.scope != choices.ClaimScope.PROJECT],
            )
        )
    return figures


def figures_by_name(project: Project) -> dict[str, Figure]:
    return {figure.attribute.name: figure for figure in project_figures(project)}
