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
_EXTRAS = ("currency", "unit", "basis", "precision", "country", "latitude", "longitude", "role")


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

    def as_dict(self) -> dict[str, Any]:
        data = {
            "field": self.field,
            "value": self.value,
            "quote": self.quote,
            "start": self.start,
            "end": self.end,
            "confidence": round(self.confidence, 2),
        }
        data.update({name: getattr(self, name) for name in _EXTRAS if getattr(self, name) is not None})
        return data


@dataclass
class Extraction:
    language: str
    facts: list[Fact] = field(default_factory=list)

    def get(self, field_name: str) -> list[Fact]:
        """Facts of one field, most confident first."""
        return sorted((f for f in self.facts if f.field == field_name), key=lambda f: -f.confidence)

    def value(self, field_name: str) -> Any:
        """The most confident value of a field, or None."""
        found = self.get(field_name)
        return found[0].value if found else None

    def as_dict(self) -> dict[str, Any]:
        return {"language": self.language, "facts": [fact.as_dict() for fact in self.facts]}
