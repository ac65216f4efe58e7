"""Quantities: a number with its unit, normalised (power in MW, money as a full amount, areas in ha or m²).

This module only reads units; whether a quantity is the project's figure is
decided in ``figures`` from the surrounding words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .numbers import Number, find_numbers

_I = re.IGNORECASE

POWER = "power"
MONEY = "money"
JOBS = "jobs"
LAND = "land"  # hectares
FLOOR = "floor"  # square metres, land or floor depending on context


@dataclass(frozen=True)
class Quantity:
    kind: str
    value: float
    start: int  # span of number and unit, currency symbol included
    end: int
    unit: str = ""  # "MW", "ha", "m2" or an ISO 4217 code ("" when the currency is not said)
    dollar: bool = False  # a bare "$" whose currency depends on the country
    words: str = ""  # the unit words as written, e.g. "emplois permanents"


_POWER_UNITS = {"gw": 1000.0, "gigawatt": 1000.0, "mw": 1.0, "megawatt": 1.0, "kw": 0.001, "kilowatt": 0.001}
_POWER = re.compile(
    r"\s?-?\s?(?P<unit>GW|gigawatts?|MW|m[ée]gawatts?|kW|kilowatts?)(?![\w²])",
    _I,
)

_SCALES = {
    "milliard": 1e9, "milliards": 1e9, "md": 1e9, "mds": 1e9, "mrd": 1e9, "billion": 1e9, "billions": 1e9,
    "bn": 1e9, "b": 1e9, "million": 1e6, "millions": 1e6, "mn": 1e6, "m": 1e6, "mio": 1e6, "k": 1e3,
    "thousand": 1e3, "mille": 1e3,
}  # fmt: skip
# Single-letter scales ("€5m", "$2B", "500 M€") only count next to a currency sign.
_SHORT_SCALES = {"m", "b", "k"}

_CURRENCY_WORDS = [
    (r"euros?|€|EUR", "EUR"),
    (r"livres?(?: sterling)?|pounds?(?: sterling)?|£|GBP", "GBP"),
    (r"dollars? (?:am[ée]ricains|US)|US ?dollars?|US\$|USD", "USD"),
    (r"dollars? canadiens|Canadian dollars?|C\$|CA\$|CAD", "CAD"),
    (r"dollars? australiens|Australian dollars?|A\$|AU\$|AUD", "AUD"),
    (r"NZ\$|NZD", "NZD"),
    (r"S\$|SGD", "SGD"),
    (r"francs? suisses|Swiss francs?|CHF", "CHF"),
    (r"dollars?|\$", "$"),
]
_CURRENCY_ALTERNATION = "|".join(f"(?:{pattern})" for pattern, _ in _CURRENCY_WORDS)
_PREFIX_CURRENCY = re.compile(rf"(?P<currency>{_CURRENCY_ALTERNATION})\s?$", _I)
_MONEY_SUFFIX = re.compile(
    rf"\s?(?P<scale>milliards?|mds?|mrd|md|billions?|bn|millions?|mio|mn|thousand|mille|[mbk])?\.?"
    rf"(?:\s?(?:d['’]\s?|de\s|of\s)?(?P<currency>{_CURRENCY_ALTERNATION}))?(?![\w])",
    _I,
)

_JOB_NOUNS = (
    r"emplois|jobs|postes|positions|roles|workers|salariés|employés|employees|staff|ouvriers|recrutements"
    r"|embauches|personnes|people|CDI|compagnons|techniciens|ingénieurs|engineers|technicians"
)
# Up to two qualifying words before the noun ("2,300 union construction jobs", "350 full-time roles"),
# but no preposition or article, which would tie the number to something else ("5 years of jobs").
_JOB_QUALIFIER = r"(?!(?:of|in|for|and|or|the|to|by|on|at|with|et|ou|de|des|du|à|en|par|au|aux|sur|avec)\s)[a-zà-ÿ-]+"
_JOBS = re.compile(
    rf"\s(?:(?:de|d['’])\s?)?(?P<words>(?:{_JOB_QUALIFIER}\s){{0,2}}(?:{_JOB_NOUNS})(?:\s(?:permanents?|pérennes"
    r"|durables|directs?|indirects?|temporaires|induits))*)\b",
    _I,
)
# "employ 60 people once running and 400 during construction": the second number borrows the noun.
_JOBS_ELLIPSIS_BEFORE = re.compile(rf"\b(?:{_JOB_NOUNS})\b[^.;\d]{{0,40}}\b(?:and|et)\s+$", _I)
_JOBS_ELLIPSIS_AFTER = re.compile(
    r"\s+(?P<words>(?:during|pendant|lors)\s+(?:the\s+|de\s+la\s+|des\s+|du\s+|les\s+|le\s+)?"
    r"(?:construction|build\w*|travaux"
    r"|chantier)|(?:once|une fois)\s+(?:running|open|operational|en service|opérationnel\w*))",
    _I,
)

_AREA_UNITS = [
    (r"hectares?|ha", LAND, 1.0, "ha"),
    (r"acres?", LAND, 0.40468564224, "ha"),
    (r"km²|km2|kilomètres? carrés|square kilomet(?:re|er)s|sq\.? ?km", LAND, 100.0, "ha"),
    (r"m²|m2|mètres? carrés|square met(?:re|er)s|sq\.? ?m|sqm", FLOOR, 1.0, "m2"),
    (r"square[- ]f(?:ee|oo)t|sq\.? ?ft|pieds carrés", FLOOR, 0.09290304, "m2"),
]
# "2 million sq ft", "1.1m square feet": a scale word between the number and the unit.
_AREA_SCALES = {"million": 1e6, "millions": 1e6, "m": 1e6, "mn": 1e6, "thousand": 1e3, "k": 1e3}
_AREA = re.compile(
    r"(?:\s?(?P<scale>millions?|mn|m|thousand|k)\b)?"
    r"\s?-?\s?(?:" + "|".join(f"(?P<u{i}>{p})" for i, (p, *_) in enumerate(_AREA_UNITS)) + r")(?![\w²])",
    _I,
)


def _currency_code(written: str) -> str:
    for pattern, code in _CURRENCY_WORDS:
        if re.fullmatch(pattern, written, _I):
            return code
    return ""


def _power(text: str, number: Number) -> Quantity | None:
    match = _POWER.match(text, number.end)
    if not match:
        return None
    unit = match.group("unit").casefold().replace("é", "e").rstrip("s")
    value = number.value * _POWER_UNITS[unit]
    return Quantity(POWER, value, number.start, match.end(), "MW", words=match.group("unit"))


def _money(text: str, number: Number) -> Quantity | None:
    prefix = _PREFIX_CURRENCY.search(text, max(0, number.start - 4), number.start)
    suffix = _MONEY_SUFFIX.match(text, number.end)
    scale = (suffix.group("scale") or "").casefold() if suffix else ""
    written = (prefix.group("currency") if prefix else "") or (suffix.group("currency") if suffix else "")
    if not written and (not scale or scale in _SHORT_SCALES or _SCALES[scale] < 1e6):
        return None  # "5 millions" may be money; "5" or "5k" alone is not
    if scale in _SHORT_SCALES and not written:
        return None
    value = number.value
    if scale and number.ambiguous_decimal is not None:
        value = number.ambiguous_decimal  # "$1.125 billion" is 1.125, not 1125
    value *= _SCALES.get(scale, 1.0)
    code = _currency_code(written) if written else ""
    start = prefix.start("currency") if prefix else number.start
    end = suffix.end() if suffix and (scale or suffix.group("currency")) else number.end
    return Quantity(MONEY, value, start, end, "" if code == "$" else code, dollar=code == "$")


def _jobs(text: str, number: Number) -> Quantity | None:
    match = _JOBS.match(text, number.end)
    if not match:
        match = _JOBS_ELLIPSIS_AFTER.match(text, number.end)
        if not (match and _JOBS_ELLIPSIS_BEFORE.search(text, max(number.start - 80, 0), number.start)):
            return None
    return Quantity(JOBS, number.value, number.start, match.end(), words=match.group("words"))


def _area(text: str, number: Number) -> Quantity | None:
    match = _AREA.match(text, number.end)
    if not match:
        return None
    scale = _AREA_SCALES[match.group("scale").casefold()] if match.group("scale") else 1.0
    value = number.ambiguous_decimal if scale > 1 and number.ambiguous_decimal is not None else number.value
    for i, (_, kind, factor, unit) in enumerate(_AREA_UNITS):
        if match.group(f"u{i}"):
            words = match.group(f"u{i}")
            return Quantity(kind, value * scale * factor, number.start, match.end(), unit, words=words)
    return None


def find_quantities(text: str, language: str) -> list[Quantity]:
    """Every power, money, jobs and area quantity in ``text``; a number has at most one unit."""
    quantities = []
    for number in find_numbers(text, language):
        for reader in (_power, _area, _money, _jobs):
            quantity = reader(text, number)
            if quantity is not None:
                quantities.append(quantity)
                break
    return quantities
