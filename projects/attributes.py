"""What each claim attribute is, written once.

The services, ingestion, the extractor, the admin, the API and the scoring read this
registry: the kind of value an attribute takes, its unit, whether a project holds one
value of it (a *figure*, with one headline claim) or several at once, and the project
fields a headline claim feeds.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from projects import choices

ValueKind = choices.ValueKind


@dataclass(frozen=True)
class Attribute:
    name: str
    label: str
    value_kind: str
    unit: str = ""
    # Several accepted values at once are no disagreement (organizations, jobs of several kinds).
    multi_valued: bool = False
    # The project's own columns a headline claim of this attribute sets.
    fields: tuple[str, ...] = field(default_factory=tuple)
    # Whether the extractor reads it from articles.
    extracted: bool = True

    def __hash__(self):
        # By name, which tells attributes apart: the generated hash would translate the lazy label each time.
        return hash(self.name)

    @property
    def is_figure(self) -> bool:
        """A single value shown on the project, backed by one headline claim or typed by hand."""
        return not self.multi_valued and bool(self.fields)

    def project_values(self, claim) -> dict:
        """The values a headline claim gives this attribute's project fields."""
        if not self.fields:
            return {}
        if self.name == "investment":
            as_of = claim.as_of or claim.event_date
            return {
                "investment_amount": _fit("investment_amount", claim.value_number),
                "investment_currency": claim.currency,
                "investment_year": as_of.year if as_of else None,
            }
        if self.value_kind == ValueKind.DATE:
            return {
                self.fields[0]: claim.value_date,
                self.fields[1]: claim.value_date_precision or choices.DatePrecision.DAY,
            }
        if self.value_kind == ValueKind.NUMBER:
            (name,) = self.fields
            model_field = _project_field(name)
            if getattr(model_field, "decimal_places", None) is not None:
                return {name: _fit(name, claim.value_number)}
            return {name: int(claim.value_number)}
        (name,) = self.fields
        return {name: claim.value_text}

    def empty_values(self) -> dict:
        """The project fields as they are with no figure: what clearing the headline leaves."""
        return {name: _project_field(name).get_default() for name in self.fields}

    def empty_value(self, name: str):
        """One of ``empty_values()``: the field ``name`` with no figure."""
        return _project_field(name).get_default()


@functools.cache
def _project_field(name: str):
    from projects.models import Project

    return Project._meta.get_field(name)


def _fit(field_name: str, value) -> Decimal:
    """A claim's figure (four decimals) rounded to the project field's precision."""
    places = _project_field(field_name).decimal_places
    return Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


A = choices.ClaimAttribute

ATTRIBUTES: dict[str, Attribute] = {
    attribute.name: attribute
    for attribute in (
        Attribute(A.CAPACITY_MW, A.CAPACITY_MW.label, ValueKind.NUMBER, "MW", fields=("capacity_mw",)),
        Attribute(
            A.INVESTMENT,
            A.INVESTMENT.label,
            ValueKind.MONEY,
            fields=("investment_amount", "investment_currency", "investment_year"),
        ),
        Attribute(A.JOBS_PERMANENT, A.JOBS_PERMANENT.label, ValueKind.NUMBER, "jobs", fields=("jobs_permanent",)),
        Attribute(
            A.JOBS_CONSTRUCTION, A.JOBS_CONSTRUCTION.label, ValueKind.NUMBER, "jobs", fields=("jobs_construction",)
        ),
        # Direct, indirect, induced...: an article may give several counts of jobs of unstated kind.
        Attribute(A.JOBS, A.JOBS.label, ValueKind.NUMBER, "jobs", multi_valued=True),
        Attribute(A.SITE_AREA_HA, A.SITE_AREA_HA.label, ValueKind.NUMBER, "ha", fields=("site_area_ha",)),
        Attribute(A.FLOOR_AREA_M2, A.FLOOR_AREA_M2.label, ValueKind.NUMBER, "m²", fields=("floor_area_m2",)),
        Attribute(A.ANNOUNCED_ON, A.ANNOUNCED_ON.label, ValueKind.DATE, fields=("announced_on", "announced_precision")),
        Attribute(A.OPERATIONAL_YEAR, A.OPERATIONAL_YEAR.label, ValueKind.NUMBER, "year", fields=("operational_year",)),
        Attribute(A.MUNICIPALITY, A.MUNICIPALITY.label, ValueKind.TEXT, fields=("municipality",)),
        Attribute(A.REGION, A.REGION.label, ValueKind.TEXT, fields=("region",)),
        Attribute(A.COUNTRY, A.COUNTRY.label, ValueKind.TEXT, fields=("country",), extracted=False),
        # Feeds the project's grid connections, not a column of its own.
        Attribute(A.SUBSTATION, A.SUBSTATION.label, ValueKind.TEXT),
        Attribute(A.FORMER_USE, A.FORMER_USE.label, ValueKind.TEXT, fields=("former_use",)),
        Attribute(A.STATUS, A.STATUS.label, ValueKind.TEXT, fields=("status",)),
        # Feeds the project's roles.
        Attribute(A.ORGANIZATION, A.ORGANIZATION.label, ValueKind.ORGANIZATION, multi_valued=True),
        # Power facts, when an article states them: no project column, like "other".
        # The power the grid operator is asked for or has agreed to ("un raccordement de 120 MW demandé à RTE").
        Attribute(A.GRID_POWER_MW, A.GRID_POWER_MW.label, ValueKind.NUMBER, "MW"),
        # Solar, wind, nuclear, a PPA...: a site may name several at once.
        Attribute(A.ENERGY_SOURCE, A.ENERGY_SOURCE.label, ValueKind.TEXT, multi_valued=True),
        # Free cooling, liquid cooling, seawater, closed loop...
        Attribute(A.COOLING, A.COOLING.label, ValueKind.TEXT, multi_valued=True),
        # Litres and daily volumes converted, the article's own words kept in the quote.
        Attribute(A.WATER_USE_M3, A.WATER_USE_M3.label, ValueKind.NUMBER, "m³/year"),
        Attribute(A.PUE, A.PUE.label, ValueKind.NUMBER),
        Attribute(A.OTHER, A.OTHER.label, ValueKind.TEXT, multi_valued=True, extracted=False),
    )
}

FIGURES: tuple[Attribute, ...] = tuple(attribute for attribute in ATTRIBUTES.values() if attribute.is_figure)
SINGLE_VALUED: frozenset[str] = frozenset(name for name, attribute in ATTRIBUTES.items() if not attribute.multi_valued)
MULTI_VALUED: frozenset[str] = frozenset(name for name, attribute in ATTRIBUTES.items() if attribute.multi_valued)
# Project column -> the attribute whose headline feeds it.
FIELD_ATTRIBUTE: dict[str, Attribute] = {name: attribute for attribute in FIGURES for name in attribute.fields}


def get(name: str) -> Attribute:
    return ATTRIBUTES[name]


def value_kind(name: str) -> str:
    attribute = ATTRIBUTES.get(name)
    return attribute.value_kind if attribute else ValueKind.TEXT


def unit(name: str) -> str:
    attribute = ATTRIBUTES.get(name)
    return attribute.unit if attribute else ""
