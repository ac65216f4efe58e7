"""Runs every reader over an article and keeps the best candidate per field."""

from __future__ import annotations

from collections.abc import Iterable

from .dates import announcement_facts, operational_year_facts
from .document import Document
from .facts import MULTI_VALUED_FIELDS, SINGLE_VALUED_FIELDS, Extraction, Fact
from .figures import figure_facts
from .language import SUPPORTED_LANGUAGES, detect_language
from .organizations import organization_facts
from .places import former_use_facts, municipality_fact, substation_facts
from .status import status_fact

# A value repeated in several places of the article is more likely the project's own.
REPEAT_BONUS = 0.05


def _best_per_field(candidates: Iterable[Fact]) -> list[Fact]:
    """One fact per single-valued field: the most confident, repeats adding confidence, earliest on a tie."""
    by_field: dict[str, dict[object, Fact]] = {}
    for fact in candidates:
        values = by_field.setdefault(fact.field, {})
        key = str(fact.value).casefold()
        if key in values:
            kept = values[key]
            kept.confidence = min(max(kept.confidence, fact.confidence) + REPEAT_BONUS, 0.99)
        else:
            values[key] = fact
    best = []
    for values in by_field.values():
        best.append(max(values.values(), key=lambda f: (f.confidence, -f.start)))
    return best


def _distinct_per_field(candidates: Iterable[Fact]) -> list[Fact]:
    """Every distinct value of a field that holds several ("400 direct jobs and 1,000 indirect")."""
    kept: dict[tuple[str, str], Fact] = {}
    for fact in candidates:
        kept.setdefault((fact.field, str(fact.value).casefold()), fact)
    return list(kept.values())


def _company_words(organizations: list[Fact]) -> set[str]:
    """First words of multi-word company names ("Glenmore" of "Glenmore Compute"), which may stand alone.

    Public authorities are left out: "Mesa City Council" is named after the place.
    """
    return {org.value.split()[0] for org in organizations if " " in org.value and org.role != "public_authority"}


def extract_facts(text: str, language: str | None = None) -> Extraction:
    """Candidate facts about the project an article describes.

    ``language`` ("fr" or "en") is detected from the text when not given.
    """
    if language not in SUPPORTED_LANGUAGES:
        language = detect_language(text)
    doc = Document(text, language)

    organizations, organization_spans = organization_facts(doc)
    substations = list(substation_facts(doc))
    # Substation and company names are not the site's municipality ("poste de Mastaing").
    not_places = organization_spans + [(f.start, f.end) for f in substations]
    municipality = municipality_fact(doc, not_places, _company_words(organizations))

    candidates: list[Fact] = [*substations, *former_use_facts(doc)]
    candidates += figure_facts(doc)  # after the municipality: "$" depends on the country
    candidates += announcement_facts(doc)
    candidates += operational_year_facts(doc)
    if municipality:
        candidates.append(municipality)
    status = status_fact(doc)
    if status:
        candidates.append(status)

    facts = _best_per_field(f for f in candidates if f.field in SINGLE_VALUED_FIELDS) + organizations
    facts += _distinct_per_field(f for f in candidates if f.field in MULTI_VALUED_FIELDS and f.field != "organization")
    facts.sort(key=lambda f: (f.start, f.field))
    return Extraction(language=language, facts=facts)
