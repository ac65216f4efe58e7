"""The extraction result: candidate facts with the exact words they came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from projects.attributes import ATTRIBUTES

# What the extractor reads, from the registry of claim attributes: the fields that hold one
# value per project keep the best candidate; the others (organizations, jobs of unstated
# kind) keep every distinct one.
FIELDS = tuple(name for name, attribute in ATTRIBUTES.items() if attribute.extracted)
SINGLE_VALUED_FIELDS = tuple(name for name in FIELDS if not ATTRIBUTES[name].multi_valued)
MULTI_VALUED_FIELDS = tuple(name for name in FIELDS if ATTRIBUTES[name].multi_valued)

# Optional attributes, reported only when set.
_EXTRAS = (
    "currency", "unit", "basis", "precision", "country", "latitude", "longitude", "role", "value_max", "job_type",
    "event_date", "event_precision", "reason",
)  # fmt: skip

# What part of the project a figure is about, and how it bounds the value (the claim's scope and bound).
PROJECT, PHASE, BUILDING, EVENTUAL = "project", "phase", "building", "eventual"
EXACT, AT_LEAST, AT_MOST, RANGE = "exact", "at_least", "at_most", "range"
# Below this confidence a fact is marked for a careful look in the review queue.
LOW_CONFIDENCE = 0.5


@dataclass
class Fact:
    field: str
    value: Any
    quote: str
    start: int  # text[start:end] == quote
    end: int
    confidence: float
    currency: str | None = None
    unit: str | None = None
    basis: str | None = None  # capacity: "gross" or "it"
    precision: str | None = None  # dates: "day", "month" or "year"
    country: str | None = None  # ISO 3166-1 alpha-2
    latitude: float | None = None
    longitude: float | None = None
    role: str | None = None  # organizations
    scope: str = PROJECT
    bound: str = EXACT
    value_max: Any = None  # the upper end of a range
    job_type: str | None = None  # jobs of unstated attribute: "indirect", "induced"
    # When the event a status reports happened (a permit granted), ISO with its precision.
    event_date: str | None = None
    event_precision: str | None = None
    # Why the extractor believes it: "exact phrase", "cue word: ..." or "inferred: ...".
    reason: str | None = None
    # A figure the article says was replaced or withdrawn ("au lieu des 400 MW annoncés").
    superseded: bool = False
    # Where the value itself is written (the quote is its clause): the project a figure belongs
    # to is the one whose part of the page holds it, which may begin inside the clause.
    at: int | None = None

    @property
    def position(self) -> int:
        return self.start if self.at is None else self.at

    @property
    def low_confidence(self) -> bool:
        return self.confidence < LOW_CONFIDENCE

    def as_dict(self) -> dict[str, Any]:
        data = {
            "field": self.field,
            "value": self.value,
            "scope": self.scope,
            "bound": self.bound,
            "quote": self.quote,
            "start": self.start,
            "end": self.end,
            "confidence": round(self.confidence, 2),
            "low_confidence": self.low_confidence,
        }
        data.update({name: getattr(self, name) for name in _EXTRAS if getattr(self, name) is not None})
        return data


def _rank(fact: Fact) -> tuple[bool, float]:
    return (fact.scope == PROJECT, fact.confidence)


@dataclass(frozen=True)
class KnownOrganization:
    """An organisation the tracker already has: matched by its whole name or an alias, never a part of a word."""

    name: str
    aliases: tuple[str, ...] = ()
    kind: str = ""  # the Organization kind: "grid_operator", "public_authority", "investor", ...


class FactLookup:
    """Reading the facts of one field from ``self.facts``."""

    facts: list[Fact]

    def get(self, field_name: str) -> list[Fact]:
        """Facts of one field, whole-project figures first, then the most confident."""
        return sorted((f for f in self.facts if f.field == field_name), key=_rank, reverse=True)

    def value(self, field_name: str) -> Any:
        """The value of a field (a whole-project figure before a phase's), or None."""
        found = self.get(field_name)
        return found[0].value if found else None


@dataclass
class ProjectCandidate(FactLookup):
    """One project a page speaks of, with its own facts (a roundup has several)."""

    facts: list[Fact]
    start: int  # the span of the page about it
    end: int
    main: bool = False
    # The words that open its part of the page ("Denain, sur l'ancienne cokerie").
    anchor: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "main": self.main,
            "anchor": self.anchor,
            "start": self.start,
            "end": self.end,
            "facts": [fact.as_dict() for fact in self.facts],
        }


@dataclass
class Relationship:
    """Organizations tied together by the page (a partnership, a joint venture, an acquisition)."""

    kind: str
    organizations: list[str]
    quote: str
    start: int
    end: int
    confidence: float
    purpose: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "organizations": self.organizations,
            "purpose": self.purpose,
            "quote": self.quote,
            "start": self.start,
            "end": self.end,
            "confidence": round(self.confidence, 2),
        }


@dataclass
class Indicator:
    """A market figure not tied to one project: a forecast, a national total."""

    value: float
    unit: str
    quote: str
    start: int
    end: int
    confidence: float
    year: int | None = None
    is_forecast: bool = False
    stated_by: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "unit": self.unit,
            "year": self.year,
            "is_forecast": self.is_forecast,
            "stated_by": self.stated_by,
            "quote": self.quote,
            "start": self.start,
            "end": self.end,
            "confidence": round(self.confidence, 2),
        }


@dataclass
class Extraction(FactLookup):
    """What a page says: the facts of its main project, every project candidate, relationships, indicators."""

    language: str
    facts: list[Fact] = field(default_factory=list)
    projects: list[ProjectCandidate] = field(default_factory=list)
    relationships: list[Relationship] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    # The ISO date of the page's dateline, when it has one.
    dateline: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "dateline": self.dateline,
            "facts": [fact.as_dict() for fact in self.facts],
            "projects": [project.as_dict() for project in self.projects],
            "relationships": [relationship.as_dict() for relationship in self.relationships],
            "indicators": [indicator.as_dict() for indicator in self.indicators],
        }
