"""Numbers as the press writes them, with their offsets.

Handles digits with any thousands separator ("2 400" with a space, U+00A0 or
U+202F, "2.400", "5,826"), decimal commas and points ("1,2", "3.1") and
numbers in words ("cinq", "two thousand", through ``text2num``). Scale words
("milliards", "bn", "M") are left to the unit parsers, which know whether a
bare "m" means million or metre.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from text_to_num import text2num


@dataclass(frozen=True)
class Number:
    value: float
    start: int
    end: int
    # A separator followed by three digits ("1.125") read as a thousands separator;
    # the caller may re-read it as a decimal when a scale word follows ("$1.125 billion").
    ambiguous_decimal: float | None = None


_GROUP_SEPARATORS = " \u00a0\u202f"

# First alternative: space-grouped thousands ("2 400", "12 000,5"); the first group has at
# most three digits so a year followed by a number ("2030 300") is not glued together.
_DIGITS = re.compile(r"(?<![\w.,])(?:\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d+)?(?![\d])|\d+(?:[.,]\d+)*)")

_WORDS = {
    "fr": (
        "zéro un une deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze "
        "quinze seize vingt vingts trente quarante cinquante soixante septante huitante nonante "
        "cent cents mille"
    ),
    "en": (
        "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety "
        "hundred thousand"
    ),
}
_CONNECTORS = {"fr": "et", "en": "and"}

# French round counts: "une cinquantaine d'emplois" is about 50, "un millier de postes" about 1,000.
_APPROXIMATE = {
    "dizaine": 10, "douzaine": 12, "quinzaine": 15, "vingtaine": 20, "trentaine": 30, "quarantaine": 40,
    "cinquantaine": 50, "soixantaine": 60, "centaine": 100, "millier": 1000,
}  # fmt: skip
_APPROXIMATE_PATTERN = re.compile(rf"(?<!\w)(?:une?|quelque)\s+(?P<noun>{'|'.join(_APPROXIMATE)})(?!\w)", re.IGNORECASE)


def _word_pattern(language: str) -> re.Pattern[str]:
    words = "|".join(sorted(_WORDS[language].split(), key=len, reverse=True))
    word = rf"(?:{words})"
    return re.compile(rf"(?<![\w-]){word}(?:[\s-]+(?:{_CONNECTORS[language]}[\s-]+)?{word})*(?![\w-])", re.IGNORECASE)


_WORD_PATTERNS = {language: _word_pattern(language) for language in _WORDS}


def parse_digits(raw: str) -> tuple[float, float | None]:
    """Value of a digit string, and the decimal reading when it is ambiguous.

    "1,2" and "3.1" are decimals; "2.400", "5,826" and "1,200,000" group thousands.
    With both marks the last one is the decimal mark ("1,234.5", "1.234,5").
    """
    cleaned = raw.translate({ord(c): None for c in _GROUP_SEPARATORS})
    marks = [c for c in cleaned if c in ".,"]
    if not marks:
        return float(cleaned), None
    if len(set(marks)) == 2:
        decimal_mark = cleaned[max(cleaned.rfind("."), cleaned.rfind(","))]
        thousands_mark = "," if decimal_mark == "." else "."
        return float(cleaned.replace(thousands_mark, "").replace(decimal_mark, ".")), None
    mark = marks[0]
    integer, _, fraction = cleaned.rpartition(mark)
    if len(marks) > 1:
        return float(cleaned.replace(mark, "")), None
    if len(fraction) == 3:
        return float(integer + fraction), float(f"{integer}.{fraction}")
    return float(f"{integer}.{fraction}"), None


def find_numbers(text: str, language: str) -> list[Number]:
    """Every number in ``text`` (digits, and words in ``language``), in order of position."""
    numbers = []
    for match in _DIGITS.finditer(text):
        value, decimal = parse_digits(match.group())
        numbers.append(Number(value, match.start(), match.end(), decimal))
    for match in _WORD_PATTERNS.get(language, _WORD_PATTERNS["en"]).finditer(text):
        phrase = re.sub(r"[\s-]+", " ", match.group().casefold())
        if language == "fr":
            phrase = phrase.replace(" ", "-")  # French compounds are hyphenated ("vingt-cinq")
        try:
            value = text2num(phrase, language)
        except ValueError:
            continue
        numbers.append(Number(float(value), match.start(), match.end()))
    for match in _APPROXIMATE_PATTERN.finditer(text):
        # The article "une" was read as the number one: the round count replaces it.
        numbers = [n for n in numbers if not match.start() <= n.start < match.end()]
        numbers.append(Number(float(_APPROXIMATE[match.group("noun").casefold()]), match.start(), match.end()))
    return sorted(numbers, key=lambda n: n.start)


def as_number(value: float) -> int | float:
    """An int when the value is whole (700, not 700.0), else a float rounded to 4 decimals."""
    rounded = round(value, 4)
    return int(rounded) if rounded == int(rounded) else rounded
