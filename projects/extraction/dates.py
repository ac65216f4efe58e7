"""Dates: when the project was announced and the year it should be operational.

Dates are read with month names from babel's French and English locales
(both, since either language quotes the other). Only dates and years tied to
an announcement or to the start of operations become facts.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from babel.dates import get_month_names

from . import context
from .document import Document
from .facts import Fact

_I = re.IGNORECASE


def _fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).rstrip(".")


def _month_names() -> dict[str, int]:
    """Month names as written ("décembre", "déc", "Dec") mapped to their number."""
    names = {"sept": 9, "fév": 2}
    for locale in ("fr", "en"):
        for width in ("wide", "abbreviated"):
            for number, name in get_month_names(width, locale=locale).items():
                names[name.casefold().rstrip(".")] = number
    return names


_MONTH_NAMES = _month_names()
_MONTHS = {_fold(name): number for name, number in _MONTH_NAMES.items()}
_MONTH = r"(?P<month>" + "|".join(sorted(map(re.escape, _MONTH_NAMES), key=len, reverse=True)) + r")\.?"
_YEAR = r"(?P<year>(?:19|20)\d{2})(?!\d)"
_DAY = r"(?P<day>[0-3]?\d|1er|premier)"

_DATE_PATTERNS = [
    re.compile(rf"(?<!\w){_DAY}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\s+{_YEAR}", _I),  # 9 décembre 2025
    re.compile(rf"(?<!\w){_MONTH}\s+{_DAY}(?:st|nd|rd|th)?,?\s+{_YEAR}", _I),  # December 9, 2025
    re.compile(rf"(?<!\w){_MONTH}\s+{_YEAR}", _I),  # décembre 2025
]


@dataclass(frozen=True)
class DateMention:
    iso: str
    precision: str  # "day", "month" or "year"
    start: int
    end: int


def _mention(match: re.Match[str]) -> DateMention | None:
    month = _MONTHS.get(_fold(match.group("month")))
    if month is None:
        return None
    year = int(match.group("year"))
    day_text = match.groupdict().get("day")
    if not day_text:
        return DateMention(f"{year:04d}-{month:02d}", "month", match.start(), match.end())
    day = 1 if day_text.casefold() in ("1er", "premier") else int(day_text)
    if not 1 <= day <= 31:
        return None
    return DateMention(f"{year:04d}-{month:02d}-{day:02d}", "day", match.start(), match.end())


# "18/09/2025", "14/05/2026 à 17h42": day first, as written in French and British pages.
_NUMERIC_DATE = re.compile(r"(?<![\d/])(?P<day>[0-3]?\d)/(?P<month>[01]?\d)/(?P<year>(?:19|20)\d{2})(?![\d/])")


def _numeric(match: re.Match[str]) -> DateMention | None:
    day, month, year = int(match.group("day")), int(match.group("month")), int(match.group("year"))
    if month > 12 and day <= 12:
        day, month = month, day  # "09/30/2025"
    try:
        datetime.date(year, month, day)
    except ValueError:
        return None
    return DateMention(f"{year:04d}-{month:02d}-{day:02d}", "day", match.start(), match.end())


def find_dates(text: str) -> list[DateMention]:
    """Dates with a month, most precise reading first where two overlap."""
    found: list[DateMention] = []
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            mention = _mention(match)
            if mention and not any(m.start <= mention.start < m.end for m in found):
                found.append(mention)
    for match in _NUMERIC_DATE.finditer(text):
        mention = _numeric(match)
        if mention and not any(m.start <= mention.start < m.end for m in found):
            found.append(mention)
    return sorted(found, key=lambda m: m.start)


# A dateline at the head of the first paragraph: "LOON-PLAGE (Nord), 6 mars 2026 –",
# "ROCKDALE, Texas, Feb. 24, 2026 /PRNewswire/ --".
_INLINE_DATELINE_END = re.compile(r"^\s*(?:[—–-]{1,2}|/[A-Za-z ]+/|\((?:Reuters|AFP|AP|Bloomberg)\))")


def dateline_date(doc: Document) -> DateMention | None:
    """The date the page was published, from its dateline line or the head of its first paragraph."""
    cached = doc.cache.get("dateline")
    if cached is not None or "dateline" in doc.cache:
        return cached
    mention = None
    line = doc.dateline
    if line is not None:
        mention = next(iter(find_dates(doc.text[line.start : line.end])), None)
        if mention is not None:
            mention = DateMention(mention.iso, mention.precision, mention.start + line.start, mention.end + line.start)
    if mention is None:
        for first in [line for line in doc.lines if line.kind in ("body", "heading")][:4]:
            head = doc.text[first.start : min(first.end, first.start + 90)]
            for found in find_dates(head):
                if _INLINE_DATELINE_END.match(head[found.end :]) or not head[found.end :].strip():
                    mention = DateMention(
                        found.iso, found.precision, found.start + first.start, found.end + first.start
                    )
                    break
            if mention is not None:
                break
    if mention is None:
        # A bare date alone on its line near the top.
        for found in find_dates(doc.text[:600]):
            sentence = doc.sentence_at(found.start)
            if sentence.end - sentence.start <= (found.end - found.start) + 12:
                mention = found
                break
    doc.cache["dateline"] = mention
    return mention


_ANNOUNCED = re.compile(
    r"\b(?:annonc\w*|announc\w*|unveil\w*|dévoil\w*|officialis\w*|rendu public|made public|présenté\w*|présentation"
    r"|revealed|a fait part)\b",
    _I,
)
# "The company said on 14 March 2025 that...": a dated statement from the project's side.
_SAID_ON = re.compile(r"\b(?:said|announced|confirmed|a (?:annoncé|indiqué|confirmé|déclaré))\s+(?:on\s+|le\s+)?$", _I)
_ANNOUNCED_IN_YEAR = re.compile(rf"\b(?:annonc\w*|announc\w*|unveil\w*|dévoil\w*)\s+(?:en|in)\s+{_YEAR}", _I)
# "announced today" refers to the article's dateline.
_TODAY = re.compile(
    r"\b(?:aujourd['’]hui|ce (?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|matin)|today|this morning"
    r"|on (?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday))\b",
    _I,
)


def publication_date(text: str, language: str = "en") -> str | None:
    """The ISO date of the dateline at the top of an article ("21 April 2026" on its own line), if any."""
    mention = dateline_date(Document(text, language))
    return mention.iso if mention is not None and mention.precision == "day" else None


_WEEKDAYS = {
    "lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3, "vendredi": 4, "samedi": 5, "dimanche": 6,
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6,
}  # fmt: skip
# When, relative to the dateline: "ce vendredi", "mardi", "on Tuesday", "today", "yesterday", "last night".
_RELATIVE_DAY = re.compile(
    r"\b(?:(?:ce |on |last |this )?(?P<weekday>lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|Monday|Tuesday"
    r"|Wednesday|Thursday|Friday|Saturday|Sunday)(?! \d)|(?P<today>aujourd['’]hui|ce matin|today|this morning)"
    r"|(?P<yesterday>hier|yesterday))\b",
    _I,
)


def relative_day(doc: Document, start: int, end: int) -> tuple[str, int, int] | None:
    """The ISO date a weekday or "today" between ``start`` and ``end`` stands for, from the dateline."""
    dateline = dateline_date(doc)
    if dateline is None or dateline.precision != "day":
        return None
    match = _RELATIVE_DAY.search(doc.text, start, end)
    if not match:
        return None
    day = datetime.date.fromisoformat(dateline.iso)
    if match.group("weekday"):
        day -= datetime.timedelta(days=(day.weekday() - _WEEKDAYS[match.group("weekday").casefold()]) % 7)
    elif match.group("yesterday"):
        day -= datetime.timedelta(days=1)
    return day.isoformat(), match.start(), match.end()


# What is announced is the works, not the project: "annonce aujourd'hui le lancement des travaux".
_WORKS_ANNOUNCED = re.compile(
    r"\b(?:lancement des travaux|début des travaux|premi(?:ère|er)s? (?:pierre|coups?)|construction (?:start|began)"
    r"|broke ground|breaks? ground|groundbreaking|inaugur\w+|opening of|l['’]ouverture|la mise en service"
    r"|que la puissance|revis\w+|revu\w*|portée? à)\b",
    _I,
)
# The page reports the unveiling itself: "a officialisé son projet", "has unveiled plans", "today announced plans".
_UNVEILS = re.compile(
    r"\b(?:a (?:officialisé|dévoilé|présenté|annoncé)|ont (?:officialisé|dévoilé|présenté|annoncé)|officialise|dévoile"
    r"|présente son projet|annonce (?:son|un|la création|la construction|un projet)|has (?:unveiled|announced)"
    r"|have (?:unveiled|announced)|(?:today )?(?:unveiled|announced|unveils|announces)(?: today)? (?:plans|an?|the|its)"
    r"|unveil\w* (?:a|its|the))\b",
    _I,
)


def announcement_facts(doc: Document) -> Iterator[Fact]:
    dates = find_dates(doc.text)
    dateline = dateline_date(doc)
    for mention in dates:
        if dateline is not None and mention.start == dateline.start:
            continue
        clause = doc.clause_text(mention.start, mention.end)
        if context.is_off_project(clause, events=False):
            continue
        if _ANNOUNCED.search(clause):
            yield doc.fact("announced_on", mention.iso, mention.start, mention.end, 0.8, precision=mention.precision)
        elif _SAID_ON.search(doc.text[max(mention.start - 25, 0) : mention.start]):
            yield doc.fact("announced_on", mention.iso, mention.start, mention.end, 0.6, precision=mention.precision)
    for match in _ANNOUNCED_IN_YEAR.finditer(doc.text):
        yield doc.fact("announced_on", match.group("year"), match.start(), match.end(), 0.6, precision="year")
    if dateline is None:
        return
    # The page reports the announcement: its dateline dates it ("a officialisé ce vendredi", "announced today").
    for sentence in doc.sentences:
        text = sentence.of(doc.text)
        unveils = _UNVEILS.search(text)
        if not unveils or context.is_off_project(text, events=False) or _WORKS_ANNOUNCED.search(text):
            continue
        if find_dates(text) and not (dateline.start >= sentence.start and dateline.end <= sentence.end):
            continue  # the sentence dates the announcement itself
        relative = relative_day(doc, sentence.start, sentence.end)
        if relative is not None:
            iso, start, end = relative
            fact = doc.fact("announced_on", iso, start, end, 0.6, precision="day")
        elif _TODAY.search(text) or dateline.precision == "day":
            start, end = sentence.start + unveils.start(), sentence.start + unveils.end()
            fact = doc.fact("announced_on", dateline.iso, start, end, 0.5, precision=dateline.precision)
        else:
            continue
        fact.reason = "inferred: the page's dateline"
        yield fact
        return


# A target year: "à l'horizon 2030", "d'ici (fin) 2028", "by 2031", "(expected) online in 2027"...
_TARGET_YEAR = re.compile(
    r"\b(?:(?P<horizon>à l['’]horizon(?: de)?|d['’]ici(?: à)?(?: la)?(?: fin(?: de)?| début| mi-)?|by(?: the end of)?"
    r"(?: early| late| mid-| the end of)?)"
    r"|(?P<verb>opérationnel\w*|en service|mise? en (?:service|exploitation|route)|mis en service|livr\w+"
    r"|ouvrir\w*|ouvre\w*|ouvert\w*|ouverture|inaugur\w+|démarr\w+|entr\w+ en (?:service|activité|fonctionnement)"
    r"|fonctionnel\w*|achev\w+"
    r"|operational|online|on ?line|operations?|open\w*|go(?:es)? live|live|complet\w+|commission\w*"
    r"|in service|ready|energi[sz]ed|up and running|switched on|deliver\w*|handed over|handover)"
    r"(?:\s+\S+){0,8}?\s+(?:en|au|pour|courant|dès|fin(?: de)?|début|d['’]ici|depuis|in|by|from|during|since|early"
    r"|late|mid-|the end of|(?:visée?|prévue?|attendue?|espérée?|envisagée?|programmée?|planned|expected|targeted"
    r"|scheduled)\s*:?)"
    r"(?:\s+(?:early|late|the end of|fin|début|l['’]année|the (?:first|second) half of"
    r"|the (?:first|second|third|fourth) quarter of|(?:premier|second|deuxième|troisième|quatrième) "
    r"(?:semestre|trimestre)(?: de)?|H[12]|Q[1-4]|(?:the )?(?:spring|summer|autumn|fall|winter)(?: of)?"
    r"|(?:le )?(?:printemps|été|automne|hiver)|" + _MONTH.replace("(?P<month>", "(?:") + r"))?)\s*" + _YEAR,
    _I,
)
# "2,300 construction jobs by 2025", "investir 5 milliards d'ici 2030": the horizon dates the
# jobs or the spending, not the opening.
_FIGURE_BEFORE = re.compile(
    r"(?:jobs?|emplois?|postes|roles|workers|positions|billion|bn|milliards?|millions?|€|\$|£|euros?|dollars?"
    r"|invest\w*)[\s,]*(?:\S+\s+){0,3}$",
    _I,
)
# "Prévu pour 2028" and "scheduled for 2027" only say when something opens near a project word.
_PROJECT_SUBJECT = re.compile(
    r"\b(?:centre|center|campus|projet|project|site|data|facility|installation|bâtiment|building|phase"
    r"|scheme|opérationnel\w*|operational|service|online|ouvr\w+|ouvert\w*|ouverture|open\w*|livr\w+|live"
    r"|halls?|tranche|deliver\w*|capacity|capacité)\b",
    _I,
)
_PLANNED_FOR = re.compile(
    rf"\b(?:prévue?s? pour|attendue?s? (?:en|pour)|scheduled for|slated for|due in)\s+{_YEAR}", _I
)

# A phase given with the year it starts: "une première tranche de 100 MW dès 2028", "the first 50MW from 2027".
_PART_FROM = re.compile(
    rf"\b(?:tranche|phase|stage|MW|bâtiment|building|hall)\b[^.;\n]{{0,30}}?\b(?P<verb>dès|from)\s+{_YEAR}", _I
)


# "Les travaux démarreront en septembre": the verb dates the start of construction, not of operations.
_WORKS_BEFORE = re.compile(r"\b(?:travaux|chantier|construction|works?)\s+(?:\S+\s+){0,3}$", _I)
_START_VERB = re.compile(r"démarr|commenc|début", _I)


def _clause_start(doc: Document, match: re.Match[str]) -> int:
    """Where the clause holding ``match`` starts, at most 60 characters back."""
    return max(doc.clause(match.start(), match.end()).start, match.start() - 60)


def _target_years(doc: Document, pattern: re.Pattern[str]) -> Iterator[re.Match[str]]:
    """Matches of ``pattern``, looking again after a construction-start verb instead of skipping its span."""
    position = 0
    while match := pattern.search(doc.text, position):
        verb = match.groupdict().get("verb") or ""
        if _START_VERB.match(verb) and _WORKS_BEFORE.search(doc.text[max(match.start() - 40, 0) : match.start()]):
            position = match.end("verb")
            continue
        yield match
        position = match.end()


_FIRST_PART = re.compile(
    r"\b(?:first|initial|1st) (?:phase|stage|building|hall|block|data hall|tranche)|phase (?:one|1)\b"
    r"|(?:première|premier) (?:phase|tranche|bâtiment|salle|étape|module)",
    _I,
)


def operational_year_facts(doc: Document) -> Iterator[Fact]:
    for pattern, confidence in ((_TARGET_YEAR, 0.75), (_PLANNED_FOR, 0.6), (_PART_FROM, 0.6)):
        for match in _target_years(doc, pattern):
            clause = doc.clause_text(match.start(), match.end())
            if context.is_off_project(clause) or context.is_historical(clause) or not _PROJECT_SUBJECT.search(clause):
                continue
            if context.is_existing_assets(doc.sentence_text(match.start())):
                continue  # the company's other sites and when they opened
            weight = confidence
            horizon = bool(match.groupdict().get("horizon"))
            if horizon and _FIGURE_BEFORE.search(doc.text[_clause_start(doc, match) : match.start()]):
                continue  # "2,300 construction jobs by 2025"
            if horizon and not context.DATA_CENTRE.search(clause):
                weight -= 0.15  # "d'ici 2028" alone may date anything (jobs, a permit, a road)
            fact = doc.fact("operational_year", int(match.group("year")), match.start(), match.end(), weight)
            if _FIRST_PART.search(
                doc.text[max(doc.sentence_at(match.start()).start, match.start() - 80) : match.end()]
            ):
                fact.scope = "phase"  # "la première tranche doit être mise en service en 2028"
            groups = match.groupdict()
            fact.reason = f"cue words: {groups.get('horizon') or groups.get('verb') or ''}".rstrip(": ")
            yield fact
