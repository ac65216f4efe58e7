"""Cues that tell whether a figure is about the project or about something else.

Press articles surround a project's figures with others: national totals,
market forecasts, percentages, daily head counts, the history of the site.
These checks run on the clause (or sentence) around a figure.
"""

from __future__ import annotations

import re

_I = re.IGNORECASE

# A total for a country, a region or a market ("la France compte 300 data centers",
# "the UK's installed capacity", "le marché européen").
_AGGREGATE = re.compile(
    r"\b(?:la France|l['’]Hexagone|le pays|du pays|en Europe|l['’]Europe|le monde|au monde|au niveau mondial"
    r"|national(?!ly significant)\w*|the UK|the country|the nation|Europe['’]s|Britain['’]s|the world"
    r"|worldwide|globally|nationwide|across the (?:UK|US|country|continent|region)|au total en|in total across"
    r"|le marché|du marché|markets?|le secteur|du secteur|the sector|the industry|l['’]ensemble des"
    r"|European data cent(?:re|er)s|data cent(?:re|er)s in Europe|hubs|take-up"
    r"|all (?:the )?data cent(?:re|er)s|tous les (?:data cent|centres)|parc (?:français|européen)"
    r"|capacité installée|installed capacity|plan France|France 2030|pipeline)\b",
    _I,
)
# A census of data centres ("La France compte près de 300 data centers", "Wales has 14 operational data
# centres"): ten or more of them counted in a sentence make its figures a total, not one project's.
_CENSUS = re.compile(
    r"\b(?:[1-9]\d{1,2}(?:[\s,.]\d{3})*|dozens|des dizaines|hundreds|des centaines)\s+(?:[a-zé-]+\s+){0,2}?"
    r"(?:data ?cent(?:er|re)s|datacent(?:er|re)s|centres de données)\b",
    _I,
)
# What a company already runs elsewhere ("Alpenwatt exploite déjà cinq data centers, 80 MW au total",
# "which operates 120MW across four sites in England").
_EXISTING_ASSETS = re.compile(
    r"\b(?:(?:exploite|opère|gère|possède|détient|dispose)\s+déjà|déjà\s+(?:exploités?|en service ailleurs)"
    r"|already (?:operates|runs|owns|has)|portefeuille|portfolio|existing (?:sites|campuses|data ?cent(?:re|er)s)"
    r"|other (?:sites|campuses)|across (?:\w+ )?(?:sites|campuses|data ?cent(?:re|er)s))\b",
    _I,
)
# Totals pledged at an event ("109 milliards annoncés lors du sommet"); an announcement
# date tied to the event is still the project's own, so dates skip this check.
_EVENT = re.compile(r"\b(?:sommet|summit)\b", _I)

# Forecasts, studies and shares ("75% des entreprises", "according to a report").
_FORECAST = re.compile(
    r"%|\bpour ?cent\b|\bper ?cent\b|\bprévoyant que\b|\bprévoit que\b|\bestime que\b|\bselon une étude\b"
    r"|\bselon (?:le|la|les) (?:cabinet|étude|rapport|prévisions)\b|\baccording to (?:a|the) (?:study|report|forecast)"
    r"|\bforecast|\bpredict|\banalysts?\b|\bconsommation (?:électrique )?(?:du|de la|des)\b",
    _I,
)

# Head counts on a given day are not jobs ("200 workers on site each day").
_DAILY = re.compile(
    r"\b(?:chaque jour|par jour|au quotidien|quotidiennement|each day|every day|per day|a day|daily|at any one time)\b",
    _I,
)

# The past of the site ("l'usine employait 3 000 salariés", "at its peak the plant employed").
_HISTORICAL = re.compile(
    r"\b(?:employait|comptait|employed|used to|autrefois|jadis|à son apogée|at its peak|in its heyday"
    r"|dans les années|in the \d{4}s|fermée? en|closed in)\b",
    _I,
)

# Power figures of generation or storage, unless the data centre is in the same clause.
_GENERATION = re.compile(
    r"\b(?:solaire|photovolta\w+|éolien\w*|nucléaire|réacteurs?|centrale électrique|batter\w+|stockage"
    r"|solar|wind|nuclear|reactors?|power (?:plant|station)|turbines?|hydro\w*)\b",
    _I,
)
DATA_CENTRE = re.compile(
    r"\b(?:data ?cent(?:er|re)s?|datacent(?:er|re)s?|centres? (?:de données|de calcul)|campus|projet|project"
    r"|site|facilit(?:y|ies)|bâtiments?|buildings?|halls?|ce centre|the centre|the center|scheme)\b",
    _I,
)


# What stands near the site, named before a figure with no data centre between them: the figure is its own
# ("its Didcot substation, which has a capacity of 1,000MW", "au poste de Saint-Avold, d'une capacité de
# 400 MW", "la centrale Émile-Huchet et ses 860 MW").
_OTHER_HOLDER = re.compile(
    r"\b(?:postes?(?: source| électrique)?|sous-stations?|substations?|transformateurs?|centrales?"
    r"|power (?:plant|station)s?|switching stations?|switchyards?)\b(?P<rest>[^.;]*)$",
    _I,
)
# A place's total: "Oxfordshire already hosts around 600MW of data centre capacity", "La région compte déjà
# plus de 300 MW de capacités": a verb of holding before the figure, capacity after it, no project named.
_HOLDING = re.compile(
    r"\b(?:hosts?|has|have|holds?|counts?|totals?|compte|comptent|accueille|totalise|représente|dispose de)\b", _I
)
_CAPACITY_AFTER = re.compile(
    r"\s+(?:of|de|d['’])\s*(?:[\w-]+\s+){0,2}?(?:capacity|capacities|capacités?|generation|production)\b", _I
)


def is_other_holder(before: str) -> bool:
    """Whether the words before a figure, in its sentence, make it a substation's or a power plant's."""
    match = _OTHER_HOLDER.search(before)
    return bool(match) and not DATA_CENTRE.search(match.group("rest"))


def is_place_total(before: str, after: str) -> bool:
    """Whether a figure is what a place holds ("Pennsylvania has about 1.2GW of data center capacity")."""
    return bool(_CAPACITY_AFTER.match(after) and _HOLDING.search(before) and not DATA_CENTRE.search(before))


def is_aggregate(clause: str) -> bool:
    return bool(_AGGREGATE.search(clause))


def is_forecast(clause: str) -> bool:
    return bool(_FORECAST.search(clause))


def is_off_project(clause: str, *, events: bool = True) -> bool:
    """A clause whose figures describe a market, a country, a forecast, a share (or an event's total)."""
    return is_aggregate(clause) or is_forecast(clause) or (events and bool(_EVENT.search(clause)))


def is_census(sentence: str) -> bool:
    return bool(_CENSUS.search(sentence))


def is_existing_assets(sentence: str) -> bool:
    """A sentence about what the company already runs elsewhere, not about the project."""
    return bool(_EXISTING_ASSETS.search(sentence))


def is_daily_headcount(clause: str) -> bool:
    return bool(_DAILY.search(clause))


def is_historical(clause: str) -> bool:
    return bool(_HISTORICAL.search(clause))


def is_generation(clause: str) -> bool:
    return bool(_GENERATION.search(clause)) and not DATA_CENTRE.search(clause)
