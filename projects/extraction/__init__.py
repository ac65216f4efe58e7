"""Fact extraction: candidate facts about one data-centre project from a press article.

``extract_facts(text)`` reads a French or English article and returns facts
(capacity, investment, jobs, areas, dates, municipality, substation, former
use, organisations, status), each quoting the exact words it came from with
their character offsets. Everything runs offline; place names are resolved
with the gazetteer of ``core.geo``, which needs Django settings.
"""

from __future__ import annotations

from .extractor import extract_facts
from .facts import FIELDS, SINGLE_VALUED_FIELDS, Extraction, Fact, KnownOrganization
from .language import detect_language

__all__ = [
    "FIELDS",
    "SINGLE_VALUED_FIELDS",
    "Extraction",
    "Fact",
    "KnownOrganization",
    "detect_language",
    "extract_facts",
]
