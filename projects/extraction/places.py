"""Where the project is: its municipality, the substation feeding it and what the site used to be.

Municipalities are capitalised names found in the offline gazetteer
(``core.geo``). Articles name several places; the site is the one introduced
by "à", "in", "at", not the city it is "near" or "north of".
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from babel import Locale

from core.geo import Place, gazetteer, normalize_place_name

from . import context
from .document import Document
from .facts import Fact
from .names import NAME, Name, find_names, is_common_word, sub_names

_I = re.IGNORECASE

# Countries often named otherwise than in babel's territory names.
_COUNTRY_ALIASES = {
    "uk": "GB", "u.k.": "GB", "britain": "GB", "great britain": "GB", "england": "GB", "scotland": "GB",
    "wales": "GB", "angleterre": "GB", "écosse": "GB", "us": "US", "u.s.": "US", "usa": "US",
    "america": "US", "amérique": "US", "hexagone": "FR",
}  # fmt: skip
FRENCH_SPEAKING = ("FR", "BE", "CH", "LU", "MC", "CA")


@functools.cache
def _country_names() -> dict[str, str]:
    names = dict(_COUNTRY_ALIASES)
    for locale in ("en", "fr"):
        for code, name in Locale.parse(locale).territories.items():
            if len(code) == 2 and code.isalpha():
                names[name.casefold()] = code
    return names


def mentioned_countries(text: str) -> Counter[str]:
    """ISO codes of the countries the article names, with how often."""
    names = _country_names()
    pattern = r"(?<![\w.])(" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) + r")(?![\w])"
    found: Counter[str] = Counter()
    for match in re.finditer(pattern, text, _I):
        word = match.group()
        if word.isupper() or word[0].isupper():  # "us" the pronoun is not the United States
            found[names[word.casefold()]] += 1
    return found


# "à Escaudain", "in La Courneuve", "sur la commune de ...": the site itself.
_AT = re.compile(
    r"(?:\b(?:à|au|en|in|at|sur la commune de|commune de|communes? d['’]|ville de|mairie de|based in|located in"
    r"|situé à|implanté à|installé à|outside of)\s+"
    r"|\b(?:data ?cent(?:er|re)s?|centres? de données|campus|projet|site)\s+(?:de|d['’]|du)\s*)$",
    _I,
)
# "près de Valenciennes", "north of Paris", "à 20 km de Lyon": a landmark, not the site.
_NEAR = re.compile(
    r"\b(?:près|proche|à proximité|aux portes|non loin|au (?:nord|sud|est|ouest)(?:-\w+)?|banlieue|agglomération"
    r"|métropole|région|near|close to|outskirts of|north|south|east|west|(?:north|south)-(?:east|west)"
    r"|km|kilomètres|miles|from)\s*(?:de|d['’]|du|of)?\s*$",
    _I,
)
_LOCATIVE_WINDOW = 30
REPEAT_WEIGHT = 0.3


@dataclass
class _Candidate:
    place: Place
    score: float = 0.0
    mentions: int = 0
    mention: Name | None = None  # the most telling mention, quoted in the fact
    mention_score: float = float("-inf")


def _lookup(name: str, countries: Iterable[str], allow_alternate: bool) -> Place | None:
    """The gazetteer place called ``name``, preferring the article's countries."""
    found = gazetteer().candidates(name)
    if not allow_alternate:
        key = normalize_place_name(name)
        found = [p for p in found if normalize_place_name(p.name) == key]
    for country in countries:
        for place in found:
            if place.country == country:
                return place
    return found[0] if found else None


def _is_sentence_start(doc: Document, position: int) -> bool:
    return doc.sentence_at(position).start == position


def _looks_like_common_word(doc: Document, part: Name, place: Place, countries: list[str]) -> bool:
    """A capitalised word that names some village, but is more likely a word or a company here."""
    if " " in part.text or "-" in part.text:
        return False
    if _is_sentence_start(doc, part.start):
        # "Escaudain : ...", "SLOUGH, England —": a headline or dateline that opens on a place.
        if re.match(r"\s*[:,(–—]", doc.text[part.end : part.end + 3]):
            return False
        return place.population < 50_000
    return place.population < (1000 if place.country in countries[:1] else 5000)


def _place_mentions(
    doc: Document, exclude: list[tuple[int, int]], countries: list[str]
) -> Iterator[tuple[Name, Place, float]]:
    for name in find_names(doc.text):
        taken: list[Name] = []
        for part in sub_names(name):
            if any(t.start < part.end and part.start < t.end for t in taken):
                continue
            if any(s < part.end and part.start < e for s, e in exclude) or is_common_word(part.text):
                continue
            before = doc.text[max(part.start - _LOCATIVE_WINDOW, 0) : part.start]
            located = bool(_AT.search(before))
            place = _lookup(part.text, countries, allow_alternate=located)
            if place is None:
                continue
            if not located and _looks_like_common_word(doc, part, place, countries):
                continue
            taken.append(part)
            yield part, place, _mention_score(doc, name, part, before, located)


# "Lévis, Quebec" or "Escaudain (Nord)": the second name qualifies the first.
_QUALIFIED = re.compile(rf"({NAME})\s*(?:,|\()\s*$")


def _is_qualifier(before: str) -> bool:
    match = _QUALIFIED.search(before)
    return bool(match) and match.group(1) in gazetteer()


def _mention_score(doc: Document, name: Name, part: Name, before: str, located: bool) -> float:
    score = 1.0
    if located:
        score += 1.0
    if _NEAR.search(before) or _is_qualifier(before):
        score -= 1.5
    if part.text != name.text:
        score -= 1.0  # "Paris" inside "Paris Digital Park" names a building, not the site
    if context.DATA_CENTRE.search(doc.sentence_text(part.start)):
        score += 0.5
    return score


def municipality_fact(doc: Document, exclude: list[tuple[int, int]]) -> Fact | None:
    """The most likely site municipality; sets ``doc.country`` from it."""
    mentioned = [code for code, _ in mentioned_countries(doc.text).most_common()]
    countries = mentioned + (list(FRENCH_SPEAKING) if doc.language == "fr" else [])
    candidates: dict[tuple[str, str], _Candidate] = {}
    for part, place, score in _place_mentions(doc, exclude, countries):
        candidate = candidates.setdefault((place.name, place.country), _Candidate(place))
        candidate.mentions += 1
        if score > candidate.mention_score:
            candidate.mention, candidate.mention_score = part, score
    for candidate in candidates.values():
        # The best mention decides; repeats only break ties, so a region named thrice does not win.
        candidate.score = candidate.mention_score + REPEAT_WEIGHT * (candidate.mentions - 1)
    if mentioned:
        doc.country = mentioned[0]
    best = max(candidates.values(), key=lambda c: c.score, default=None)
    if best is None or best.score <= 0 or best.mention is None:
        return None
    doc.country = best.place.country
    confidence = 0.5 + min(best.score, 4) / 10
    return doc.fact(
        "municipality",
        best.place.name,
        best.mention.start,
        best.mention.end,
        confidence,
        country=best.place.country,
        latitude=best.place.latitude,
        longitude=best.place.longitude,
    )


_SUBSTATION = [
    re.compile(
        r"\bposte\s+(?:(?:très haute tension|haute tension|THT|HTB|électrique|source|de transformation|RTE"
        rf"|de raccordement|\d+\s?kV)\s+)*(?:de\s|d['’]|du\s)(?P<name>{NAME})"
    ),
    re.compile(
        rf"(?P<name>{NAME})\s+(?:\d+\s?kV\s+)?(?:(?:grid|electricity|bulk supply|National Grid)\s+)?substation\b"
    ),
    re.compile(rf"\bsubstation\s+(?:at|in|of|near|called)\s+(?P<name>{NAME})"),
]


def substation_facts(doc: Document) -> Iterator[Fact]:
    for pattern in _SUBSTATION:
        for match in pattern.finditer(doc.text):
            name = match.group("name")
            if is_common_word(name) or name.casefold() in {"national grid", "the", "a", "rte"}:
                continue
            yield doc.fact("substation", name, match.start(), match.end(), 0.75)


# "l'ancien site Usinor", "l'ancienne centrale à charbon de Gardanne", "a former steelworks".
_GENERIC_SITES = r"site(?: industriel)?|terrain|emprise|zone|complexe|parc|campus"
_FORMER_SITES = (
    r"usine|base(?: aérienne)?|aéroport|aérodrome|centrale|hôpital|caserne|mine|raffinerie|entrepôt|papeterie"
    r"|aciérie|sucrerie|imprimerie|carrière|gare|halle|hypermarché|centre commercial|friche"
)
_FORMER_FR = re.compile(
    rf"\bancien(?:ne)?s?\s+(?:(?P<generic>{_GENERIC_SITES})|(?P<kind>{_FORMER_SITES}))"
    rf"(?P<detail>(?:\s+(?!de\b|du\b|d['’])[a-zà-ÿ]+){{0,2}}?(?:\s+à\s+[a-zà-ÿ]+)?)"
    rf"(?:\s+(?:de\s+la\s+|de\s+l['’]|de\s+|d['’]|du\s+|des\s+)?(?P<name>{NAME}))?"
)
_EN_FORMER_SITES = (
    r"steelworks|steel ?works|steel mill|works|plant|factory|airfield|airport|air ?base|base|power station"
    r"|power plant|mine|colliery|quarry|refinery|warehouse|depot|landfill|hospital|barracks|mill|printworks"
    r"|gasworks|shopping centre|mall|retail park|distribution centre|car plant|site|industrial site|golf course"
)
_FORMER_EN = re.compile(
    rf"\b(?:former|disused|old|decommissioned|redundant)\s+(?P<what>(?:[\w&-]+\s+){{0,3}}?(?:{_EN_FORMER_SITES}))\b",
)
_BROWNFIELD = re.compile(r"\b(?:friches?\s+industrielles?|brownfield(?: site| land)?)\b", _I)


def former_use_facts(doc: Document) -> Iterator[Fact]:
    for match in _FORMER_FR.finditer(doc.text):
        name, detail = match.group("name"), match.group("detail").strip()
        if match.group("generic"):
            value = name or (f"{match.group('generic')} {detail}".strip() if detail else None)
        else:
            value = " ".join(part for part in (match.group("kind"), detail, name) if part)
        if value:
            yield doc.fact("former_use", value, match.start(), match.end(), 0.75 if name else 0.6)
    for match in _FORMER_EN.finditer(doc.text):
        what = match.group("what")
        what = re.sub(r"\s+(?:site)$", "", what) if " " in what else what
        if what in ("site", "base", "works", "plant"):
            continue  # "the old site" says nothing about what it was
        yield doc.fact("former_use", what, match.start(), match.end(), 0.7)
    for match in _BROWNFIELD.finditer(doc.text):
        yield doc.fact("former_use", match.group().casefold(), match.start(), match.end(), 0.4)
