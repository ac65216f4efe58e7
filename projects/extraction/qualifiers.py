"""What a figure is of and how it bounds the value: scope (project, phase, building,
eventual), bound (exact, at least, at most, range), and whether the article says it was
replaced ("150 MW au lieu des 400 MW annoncés", "3.5GW withdrawn").

The words read are those between the figure and its neighbours in the same clause, so
that in "the first 20MW hall of its 80MW data centre" the "first" qualifies 20 MW only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .document import Document
from .facts import AT_LEAST, AT_MOST, BUILDING, EVENTUAL, EXACT, PHASE, PROJECT, RANGE
from .numbers import parse_digits

_I = re.IGNORECASE

_BUILDING_AFTER = re.compile(
    r"^\s*(?:of\s+)?(?:IT\s+|informatiques?\s+)?(?:capacity\s+)?(?:each|chacun\w*|apiece|per (?:data )?(?:hall|building"
    r"|block|unit|module)|par (?:bâtiment|salle|hall|module|unité|data ?hall)|a (?:hall|building))\b",
    _I,
)
_BUILDING_BEFORE = re.compile(
    r"\b(?:(?:\d+|two|three|four|five|six|seven|eight|nine|ten|twelve|deux|trois|quatre|cinq|six|sept|huit|neuf"
    r"|dix|douze)\s+(?:(?:data|IT)\s+)?(?:halls?|buildings?|bâtiments?|salles?|blocks?|modules?|data halls?)"
    r"\s+(?:of|de|d['’])|(?:each|chaque) (?:hall|building|bâtiment|salle)\s+(?:of|de|will|aura|would)"
    r"(?:\s+\w+){0,3})\s*$",
    _I,
)
# "two phases of 120MW each", "en trois tranches de 40 MW chacune": each is a phase, not a building.
_PHASES_BEFORE = re.compile(
    r"\b(?:\d+|two|three|four|five|six|deux|trois|quatre|cinq|six)\s+(?:equal\s+)?(?:phases|stages|tranches|étapes)"
    r"(?:\s+(?:égales|successives))?\s+(?:of|de|d['’])\s*$",
    _I,
)
_EVENTUAL_AFTER = re.compile(
    r"^[\s,]*(?:\S+\s+){0,2}?(?:à terme|à long terme|ultimately|eventually|in the long term|over time"
    r"|at full build-?out|when fully built out|dans un second temps)\b",
    _I,
)
_EVENTUAL_BEFORE = re.compile(
    r"\b(?:pourrai(?:t|ent) (?:atteindre|aller jusqu['’]à|monter à|passer à)|pouvant (?:atteindre|aller jusqu['’]à)"
    r"|extensible (?:à|jusqu['’]à)|could (?:eventually |later |ultimately )?(?:reach|grow to|rise to|expand to|scale"
    r" to)|(?:with|offering) (?:the )?potential (?:for|to reach)|potentiel de|ultimately|eventually|à terme"
    r"|in the long term|up to .{0,20} over time)\s+(?:\S+\s+){0,2}$",
    _I,
)
_PHASE_BEFORE = re.compile(
    r"\b(?:(?:first|initial|opening|1st|second|next|later) (?:phase|stage|tranche|step|building|hall|block|unit)s?"
    r"|phase (?:one|1|I|two|2)|(?:première|premier|deuxième|seconde?|prochaine) (?:phase|tranche|étape|bâtiment"
    r"|salle|hall|module)s?|initially|at first|dans un premier temps|au départ|d['’]abord|starting (?:at|with)"
    r"|start(?:s|ing)? with|démarrera (?:à|avec)|commencera (?:à|avec)|the first|les premiers|le premier|la première"
    r")\b[^.;]{0,30}$|\b(?:phases|tranches|stages|étapes)\s+(?:de|d['’]|of)\s*$",
    _I,
)
_PHASE_AFTER = re.compile(
    r"^\s*(?:of (?:IT )?capacity\s+)?(?:[\w-]+\s+){0,2}?(?:first phase|first stage|initial phase|initially|at first"
    r"|first (?:building|hall|data hall|block)\b(?!\s+of\b)"
    r"|to start with|dans un premier temps|au départ|pour (?:la|une) première (?:phase|étape|tranche)|for the first"
    r" (?:phase|stage)|(?:de|pour|of|in) (?:la |the )?(?:première|first) (?:phase|tranche|étape|stage))\b",
    _I,
)
# The full build-out when a phase is given too: "for a total of 240MW", "atteindra jusqu'à 1 GW".
_TOTAL_BEFORE = re.compile(
    r"\b(?:total\w*(?: of| de)?|au total|in total|combined|cumulée?|full|entire|whole|ensemble|part of"
    r"|partie d['’]un)\s+(?:\S+\s+){0,2}$",
    _I,
)

_AT_LEAST = re.compile(
    r"\b(?:at least|more than|over|upwards of|in excess of|no less than|a minimum of|minimum of|plus de|au moins"
    r"|au minimum|supérieure? à|d['’]au moins|de plus de|dépassant|north of)\s+(?:\S+\s+)?$",
    _I,
)
_AT_MOST = re.compile(
    r"\b(?:up to|as much as|as many as|of up to|no more than|at most|a maximum of|maximum of|capped at"
    r"|jusqu['’]à|pouvant aller jusqu['’]à|au plus|d['’]au plus|au maximum|maximum de|allant jusqu['’]à)\s+$",
    _I,
)
_RANGE_BEFORE = re.compile(
    r"\b(?:between|entre|from|de)\s+(?P<low>\d[\d.,\s]*?)\s*(?P<unit>MW|GW|m²|ha|hectares|acres|bn|billion"
    r"|milliards?|millions?|m)?\s+(?:and|et|to|à)\s+$"
    r"|(?<![\w.,])(?P<low2>\d[\d.,]*)\s*(?:-|–|to|à)\s*$",
    _I,
)
_UNIT_FAMILIES = (
    ("power", r"mw|gw"),
    ("area", r"m²|ha\b|hectares|acres"),
    ("money", r"bn|billion|milliard|million|m\b"),
)


def _unit_family(text: str) -> str:
    return next((family for family, pattern in _UNIT_FAMILIES if re.search(pattern, text)), "")


# A figure the article says was replaced, withdrawn or only claimed: "au lieu des 400 MW", "down from £2bn".
_SUPERSEDED_BEFORE = re.compile(
    r"\b(?:contre|compared with|compared to|down from|up from|reduced from"
    r"|cut from|revised from|initialement (?:estimée?s?|prévue?s?|annoncée?s?)(?: à)?|initially (?:planned|announced"
    r"|estimated|put) at|previously|auparavant|it was|were|had been|once promised|withdrawn|withdrew|scrapped"
    r"|abandonné|retiré|first article say)\s+(?:\S+\s+){0,5}$",
    _I,
)
_SUPERSEDED_AFTER = re.compile(
    r"^\s*(?:\S+\s+){0,2}?(?:withdrawn|scrapped|dropped|abandonnés?|retirés?|initialement|initially|once promised"
    r"|annoncés? (?:en|in) (?:19|20)\d\d|prévus? lors|announced in (?:19|20)\d\d|previously)\b",
    _I,
)


@dataclass(frozen=True)
class Qualifiers:
    scope: str = PROJECT
    bound: str = EXACT
    low: float | None = None  # a range's lower end (the figure itself is its upper end)
    superseded: bool = False
    cue: str = ""  # the words that set the scope or the bound, for the fact's reason


def _before(doc: Document, start: int, width: int = 60) -> str:
    sentence = doc.sentence_at(start)
    text = doc.text[max(sentence.start, start - width) : start]
    # Only the words after the previous figure qualify this one.
    numbers = list(re.finditer(r"\d+(?:[.,]\d+)?\s?(?:MW|GW|m²|ha|%|bn|md|milliards?|millions?)?", text))
    if numbers:
        last = numbers[-1]
        between = text[last.end() :]
        if not re.fullmatch(r"\s*(?:-|–|to|à|and|et)\s*", between):
            text = between
    return text


def _after(doc: Document, end: int, width: int = 60) -> str:
    sentence = doc.sentence_at(end - 1)
    text = doc.text[end : min(sentence.end, end + width)]
    cut = re.search(r"\d", text)
    return text[: cut.start()] if cut else text


def qualify(doc: Document, start: int, end: int, scale: float = 1.0, value: float | None = None) -> Qualifiers:
    """Scope, bound and supersession of the figure at ``doc.text[start:end]``.

    ``scale`` turns the lower end of a range written without its unit ("between 200 and 300MW")
    into the figure's unit; ``value`` is the figure itself.
    """
    before, after = _before(doc, start), _after(doc, end)
    scope, cue = PROJECT, ""
    if match := _PHASES_BEFORE.search(before):
        scope, cue = PHASE, match.group().strip()
    elif match := (_BUILDING_AFTER.search(after) or _BUILDING_BEFORE.search(before)):
        scope, cue = BUILDING, match.group().strip()
    elif match := (_EVENTUAL_AFTER.search(after) or _EVENTUAL_BEFORE.search(before)):
        scope, cue = EVENTUAL, match.group().strip()
    elif match := (
        _PHASE_AFTER.search(after) or (not _TOTAL_BEFORE.search(before) and _PHASE_BEFORE.search(before))
    ):  # "the whole of its 96MW first building": the words right after the figure say what it is
        scope, cue = PHASE, match.group().strip()
    bound, low = EXACT, None
    wide_before = doc.text[max(doc.sentence_at(start).start, start - 40) : start]
    if match := _RANGE_BEFORE.search(wide_before):
        low_text = match.group("low") or match.group("low2")
        try:
            written, _ = parse_digits(low_text.strip())
        except ValueError:
            written = None
        unit = (match.groupdict().get("unit") or "").casefold()
        if unit and _unit_family(unit) != _unit_family(doc.text[start:end].casefold()):
            written = None  # "un bâtiment de 60 MW et 380 millions d'euros": two figures, no range
        if written is not None and value is not None:
            low_value = written * (1.0 if match.groupdict().get("unit") else scale)
            if 0 < low_value < value:
                bound, low, cue = RANGE, low_value, cue or match.group().strip()
    if bound == EXACT:
        if match := _AT_LEAST.search(wide_before):
            bound, cue = AT_LEAST, cue or match.group().strip()
        elif match := _AT_MOST.search(wide_before):
            bound, cue = AT_MOST, cue or match.group().strip()
        elif re.match(r"\+", doc.text[end : end + 1]):
            bound = AT_LEAST
    superseded = bool(_SUPERSEDED_BEFORE.search(wide_before) or _SUPERSEDED_AFTER.search(after))
    if doc.sentence_text(start).rstrip().endswith("?"):
        superseded = True  # "Didn't the first article say £2bn?"
    return Qualifiers(scope, bound, low, superseded, cue)
