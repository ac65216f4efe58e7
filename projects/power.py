"""The power facts trackers exist for: grid power requested or contracted, the connection's
status, the energy source or supply contract, cooling, water use and PUE.

Each but the connection is a claim attribute of the registry (``projects.attributes``) with no
project column: a single-valued one (grid power, water use, PUE) shows its headline claim, a
multi-valued one (energy sources, cooling) every accepted claim. The connection's status is
the project's grid connections', each typed by hand or standing on an accepted claim. This
module reads them off a project's prefetched claims and connections, for the project page,
the API's detail and the downloads, in one shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from projects import attributes, choices
from projects.figures import native_value
from projects.models import Claim, GridConnection, Project, values_agree

A = choices.ClaimAttribute
ACCEPTED = choices.ClaimStatus.ACCEPTED
WHOLE_PROJECT = choices.ClaimScope.PROJECT

POWER_ATTRIBUTES: tuple[str, ...] = (A.GRID_POWER_MW, A.ENERGY_SOURCE, A.COOLING, A.WATER_USE_M3, A.PUE)
# How each unit is written in downloads and schemas.
UNIT_WORDS = {"MW": "megawatts", "m³/year": "cubic metres a year", "": "a ratio, no unit"}


@dataclass
class PowerFact:
    """One power attribute of a project: its accepted claims about the whole project, headline first."""

    attribute: attributes.Attribute
    claims: list[Claim] = field(default_factory=list)
    # Accepted claims about a phase, a building or the eventual build-out: context, never the value.
    other_scope_claims: list[Claim] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.attribute.name

    @property
    def label(self) -> str:
        return str(self.attribute.label)

    @property
    def unit(self) -> str:
        return self.attribute.unit

    @property
    def multi_valued(self) -> bool:
        return self.attribute.multi_valued

    @property
    def headline(self) -> Claim | None:
        return next((claim for claim in self.claims if claim.is_headline), None)

    @property
    def shown(self) -> list[Claim]:
        """The claims whose values the project shows: the headline, or every one of a multi-valued attribute."""
        if self.multi_valued:
            return self.claims
        headline = self.headline
        return [headline] if headline is not None else []

    @property
    def value(self):
        """The headline's value as a number or a text (a range's lower end); None for a multi-valued attribute."""
        return None if self.multi_valued else native_value(self.headline)

    @property
    def values(self) -> list:
        seen = []
        for claim in self.shown:
            value = native_value(claim)
            if value not in seen:
                seen.append(value)
        return seen

    @property
    def conflicting_claims(self) -> list[Claim]:
        if self.multi_valued:
            return []
        keys = {claim.value_key for claim in self.claims}
        return [c for c in self.claims if any(not values_agree(c.value_kind, c.value_key, k) for k in keys)]


def _sort_key(claim: Claim):
    return (not claim.is_headline, claim.as_of is None, claim.as_of, claim.pk)


def power_facts(project: Project, *, include_empty: bool = False) -> list[PowerFact]:
    """The project's power facts in the registry's order, from its prefetched claims (accepted ones only)."""
    return facts_of([claim for claim in project.claims.all() if claim.status == ACCEPTED], include_empty)


def facts_of(claims, include_empty: bool = False) -> list[PowerFact]:
    by_attribute: dict[str, PowerFact] = {name: PowerFact(attributes.get(name)) for name in POWER_ATTRIBUTES}
    for claim in claims:
        fact = by_attribute.get(claim.attribute)
        if fact is None or claim.status != ACCEPTED:
            continue
        (fact.claims if claim.scope == WHOLE_PROJECT else fact.other_scope_claims).append(claim)
    for fact in by_attribute.values():
        fact.claims.sort(key=_sort_key)
        fact.other_scope_claims.sort(key=_sort_key)
    return [fact for fact in by_attribute.values() if include_empty or fact.claims or fact.other_scope_claims]


def connection_statuses(connections) -> list[str]:
    """The distinct statuses of the project's grid connections, in the lifecycle's order."""
    present = {connection.status for connection in connections}
    return [status for status in choices.ConnectionStatus.values if status in present]


def grid_connections_of(project: Project) -> list[GridConnection]:
    return list(project.grid_connections.all())
