"""Power facts an article may state: grid power requested or contracted, the energy source
or supply contract, the cooling, the water used and the PUE.

Each is read only next to words that say what it is ("un raccordement de 120 MW demandé à
RTE", "a PPA for solar power", "refroidi par eau de mer", "1,2 million de m³ par an",
"un PUE de 1,2"): a megawatt figure on its own stays the project's capacity, a power
station near the site is no supply contract.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from . import context
from .document import Document
from .facts import AT_MOST, Fact
from .numbers import as_number, find_numbers
from .quantities import POWER, Quantity, find_quantities

_I = re.IGNORECASE

# Grid power: the connection or the power asked of / agreed with the grid operator, just before the figure
# ("a demandé un raccordement de 120 MW", "grid connection of 200MW", "secured 150 MW of grid capacity")...
_GRID_BEFORE = re.compile(
    r"\b(?P<cue>raccordement|demande de raccordement|puissance (?:de raccordement|réservée|demandée|garantie"
    r"|allouée|contractualisée)|capacité de raccordement|accès au réseau|grid connection|connection offer"
    r"|connection agreement|grid capacity|grid power|import capacity|power supply agreement)"
    r"\b[^.;\d]{0,40}$",
    _I,
)
# ... or just after it ("120 MW de puissance réservée auprès de RTE", "a 200MW grid connection").
_GRID_AFTER = re.compile(
    r"^\s?(?:de |d['’]|of )?(?P<cue>puissance (?:réservée|demandée|garantie|allouée|de raccordement)"
    r"|raccordement|(?:grid |import )?connection|grid capacity|of (?:grid |import )?(?:power|capacity) from"
    r"|from the grid|(?:demandés?|réservés?|accordés?|obtenus?) (?:à|auprès de|par) (?:RTE|Enedis|l['’]opérateur"
    r"|du gestionnaire))\b",
    _I,
)


_GRID_OPERATOR = re.compile(r"\bNational Grid\b")
_SHARE = re.compile(r"\d+\s?(?:%|pour ?cent|per ?cent)", _I)


def _off(text: str) -> bool:
    """Words of a market, a country or a forecast; "100 % renewable" is a supply, not a share,
    and National Grid a grid operator, not a national total."""
    text = _GRID_OPERATOR.sub("", _SHARE.sub("", text))
    return context.is_aggregate(text) or context.is_forecast(text)


def grid_cue(doc: Document, q: Quantity) -> str | None:
    """The words that make a power figure the grid's ("raccordement"), or None."""
    sentence = doc.sentence_at(q.start)
    before = doc.text[max(q.start - 80, sentence.start) : q.start]
    match = _GRID_BEFORE.search(before) or _GRID_AFTER.match(doc.text[q.end : min(q.end + 60, sentence.end)])
    return match.group("cue") if match else None


def _grid_power(doc: Document, q: Quantity) -> Fact | None:
    cue = grid_cue(doc, q)
    if cue is None or q.value < 1 or _off(doc.clause_text(q.start, q.end)):
        return None
    fact = doc.fact("grid_power_mw", as_number(q.value), q.start, q.end, 0.75, unit="MW")
    fact.reason = f"cue words: {cue}"
    return fact


# Energy sources, each with its name in the tracker, read only where the sentence speaks of supply.
_SOURCES = (
    ("PPA", r"PPA|power purchase agreement|contrat d['’]achat d['’](?:électricité|énergie)|corporate PPA"),
    ("solar", r"solaire|photovolta\w+|solar"),
    ("wind", r"éolien\w*|wind(?: power| energy| farms?| turbines?|(?= and solar))"),
    ("nuclear", r"nucléaire|nuclear"),
    ("hydro", r"hydro(?:électri\w+|electric\w*|power)?|hydraulique"),
    ("renewable", r"renouvelables?|renewables?|énergie verte|électricité verte|green (?:power|energy|electricity)"),
    ("gas", r"turbines? à gaz|gas turbines?|gas-fired|centrale à gaz"),
)
_SOURCE = re.compile("|".join(rf"(?P<s{i}>\b(?:{p})\b)" for i, (_, p) in enumerate(_SOURCES)), _I)
_SUPPLY = re.compile(
    r"\b(?:aliment\w+|approvisionn\w+|fourni\w*|fourniture|powered|power(?:ing)? (?:it|the)|supplied|supply"
    r"|sourced?|sourcing|contrat\w*|contract\w*|PPA|power purchase|runs? on|run on|fonctionnera|signé\w*"
    r"|signed|achètera|will buy|purchase|100 ?%|draws? (?:its )?power from|drawing power from|private wire)\b",
    _I,
)


def _energy_sources(doc: Document) -> Iterator[Fact]:
    for sentence in doc.sentences:
        text = sentence.of(doc.text)
        if not _SUPPLY.search(text) or _off(text):
            continue
        for match in _SOURCE.finditer(text):
            name = next(_SOURCES[i][0] for i in range(len(_SOURCES)) if match.group(f"s{i}"))
            start, end = sentence.start + match.start(), sentence.start + match.end()
            fact = doc.fact("energy_source", name, start, end, 0.7)
            fact.reason = f"cue words: {match.group(0)}"
            yield fact


_COOLINGS = (
    ("free cooling", r"free[- ]?cooling|refroidissement (?:libre|naturel)|air extérieur|outside air"),
    ("immersion cooling", r"(?:refroidissement par )?immersion(?: cooling)?"),
    ("liquid cooling", r"liquid[- ]cool\w*|refroidissement liquide|direct[- ]to[- ]chip|watercooling"),
    ("seawater", r"eau de mer|sea ?water"),
    ("river water", r"eau (?:de la rivière|du fleuve)|river water"),
    ("groundwater", r"nappe phréatique|groundwater|eau de la nappe"),
    ("closed loop", r"circuit fermé|boucle fermée|closed[- ]loop"),
    ("adiabatic", r"adiabatique|adiabatic"),
    ("air cooling", r"refroidissement (?:par|à) (?:l['’])?air|air[- ]cool\w*"),
)
_COOLING = re.compile("|".join(rf"(?P<c{i}>\b(?:{p})\b)" for i, (_, p) in enumerate(_COOLINGS)), _I)
_COOLING_CUE = re.compile(r"\b(?:refroidi\w*|cool\w*|climatis\w*)\b", _I)


def _cooling(doc: Document) -> Iterator[Fact]:
    for sentence in doc.sentences:
        text = sentence.of(doc.text)
        if not _COOLING_CUE.search(text) or _off(text):
            continue
        for match in _COOLING.finditer(text):
            name = next(_COOLINGS[i][0] for i in range(len(_COOLINGS)) if match.group(f"c{i}"))
            start, end = sentence.start + match.start(), sentence.start + match.end()
            fact = doc.fact("cooling", name, start, end, 0.7)
            fact.reason = f"cue words: {match.group(0)}"
            yield fact


# An average over many sites is no site's PUE.
_AVERAGE = re.compile(r"\b(?:average|moyen\w*|typical|typique|en moyenne|on average)\b", _I)
_AT_MOST = re.compile(
    r"\b(?:inférieur\w* à|sous|moins de|below|under|less than|at most|maximum|up to|jusqu['’]à|pas dépasser"
    r"|ne dépass\w+)\b",
    _I,
)


# Water: a volume with its period; litres and daily volumes are converted to m³ a year.
_WATER_UNIT = re.compile(
    r"\s?(?P<scale>millions?|milliards?|billions?|thousand|mille|k)?\s?(?:de |d['’]|of )?"
    r"(?P<unit>m³|m3|mètres? cubes?|cubic met(?:re|er)s?|litres?|liters?|gallons?)"
    r"(?:\s?(?:d['’]eau|of water))?"
    r"\s?(?P<period>par an|/an|par année|chaque année|annuels?|per year|a year|/year|each year|annually"
    r"|par jour|/jour|quotidiens?|per day|a day|/day|each day)?",
    _I,
)
_WATER_SCALES = {"million": 1e6, "millions": 1e6, "milliard": 1e9, "milliards": 1e9, "billion": 1e9}
_WATER_SCALES |= {"billions": 1e9, "thousand": 1e3, "mille": 1e3, "k": 1e3}
_WATER_FACTORS = {"m": 1.0, "c": 1.0, "l": 0.001, "g": 0.003785411784}
_WATER_CUE = re.compile(
    r"\b(?:eau|water|consomm\w+|consum\w+|prél[eè]v\w+|withdraw\w*|pomp\w+|pump\w*|uses?|utilis\w+)\b", _I
)
_DAILY = re.compile(r"jour|quotidien|day", _I)


def _water_use(doc: Document) -> Iterator[Fact]:
    for number in find_numbers(doc.text, doc.language):
        match = _WATER_UNIT.match(doc.text, number.end)
        if not match or not match.group("period"):
            continue  # a volume without its period is no yearly use
        sentence = doc.sentence_text(number.start)
        if not _WATER_CUE.search(sentence) or _off(sentence):
            continue
        scale = match.group("scale")
        value = number.value
        if scale:
            if number.ambiguous_decimal is not None:
                value = number.ambiguous_decimal
            value *= _WATER_SCALES[scale.casefold()]
        value *= _WATER_FACTORS[match.group("unit")[0].casefold()]
        if _DAILY.search(match.group("period")):
            value *= 365
        fact = doc.fact("water_use_m3", as_number(round(value, 2)), number.start, match.end(), 0.7, unit="m³/year")
        if _AT_MOST.search(doc.text[max(number.start - 30, 0) : number.start]):
            fact.bound = AT_MOST
        fact.reason = f"cue words: {match.group(0).strip()}"
        yield fact


# PUE: "un PUE de 1,2", "a PUE of 1.15", "PUE cible inférieur à 1,3", "1.2 PUE".
_PUE = re.compile(
    r"\b(?:PUE|power usage effectiveness|indicateur d['’]efficacité énergétique)\b(?:\s?\([^)]{0,40}\))?"
    r"(?P<words>[^.;\d]{0,40}?)(?P<value>[1-3](?:[.,]\d{1,2})?)(?!\d|[.,]\d)"
    r"|(?P<value2>[1-3][.,]\d{1,2})\s?(?:de )?PUE\b",
    _I,
)


def _pue(doc: Document) -> Iterator[Fact]:
    for match in _PUE.finditer(doc.text):
        group = "value" if match.group("value") else "value2"
        value = float(match.group(group).replace(",", "."))
        sentence = doc.sentence_text(match.start())
        if not 1.0 <= value <= 3.0 or _off(sentence) or _AVERAGE.search(sentence):
            continue
        words = match.group("words") or ""
        bound = AT_MOST if _AT_MOST.search(words) else None
        fact = doc.fact("pue", as_number(value), match.start(), match.end(), 0.8)
        if bound:
            fact.bound = bound
        fact.reason = f"cue words: {match.group(0).strip()}"
        yield fact


def power_facts(doc: Document) -> Iterator[Fact]:
    """Every power fact the page states, with its quote and offsets."""
    for quantity in find_quantities(doc.text, doc.language):
        if quantity.kind == POWER:
            fact = _grid_power(doc, quantity)
            if fact is not None:
                yield fact
    yield from _energy_sources(doc)
    yield from _cooling(doc)
    yield from _water_use(doc)
    yield from _pue(doc)
