"""Which quantities are the project's figures: capacity, investment, jobs and areas.

A quantity becomes a fact only when the clause around it is about the
project; national totals, forecasts, revenue, rack densities, daily head
counts and the past of the site are left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from . import context
from .document import Document
from .facts import Fact
from .names import NAME
from .numbers import as_number, find_numbers
from .power import grid_cue
from .qualifiers import qualify
from .quantities import FLOOR, JOBS, LAND, MONEY, POWER, Quantity, find_quantities

_I = re.IGNORECASE

_CAPACITY_CUE = re.compile(r"\b(?:capacit\w*|puissance|power)\b", _I)
# Power needs of a country or a sector ("demand could reach 6 GW").
# The power a site draws, not its capacity; "une demande de permis" is a planning application.
_DEMAND = re.compile(
    r"\b(?:demand|demande(?!\s+(?:de\s+permis|d['’]autorisation|d['’]agrément|d['’]urbanisme))|consommation"
    r"|consumption|besoins?|needs)\b",
    _I,
)
_GROSS = re.compile(r"\b(?:brute?s?|gross)\b", _I)
_IT_LOAD = re.compile(r"\b(?:IT|informatiques?)\b")
_PER_RACK = re.compile(r"\b(?:par (?:baie|rack)|per (?:rack|cabinet)|/rack|densit[éy])\b", _I)
# A phase is part of the total: prefer the full build-out when both are given.
_PHASE = re.compile(r"\b(?:phase|tranche|first|première|initial\w*|dans un premier temps)\b", _I)
_TOTAL = re.compile(r"\b(?:à terme|au total|in total|ultimately|full build|when complete\w*|total)\b", _I)
# The same cues right next to the figure, when a phase and the total share one clause
# ("démarrera à 200 MW et atteindra jusqu'à 1 GW à terme").
_TOTAL_BEFORE = re.compile(
    r"\b(?:jusqu['’]à|up to|total\w*(?: de| of)?|atteindre|reach\w*|rising to|growing to|expand\w* to"
    r"|extensible à|pouvant aller jusqu['’]à)\s+(?:\S+\s+){0,2}$",
    _I,
)
_TOTAL_AFTER = re.compile(
    r"^[\s,]*(?:\S+\s+){0,2}?(?:à terme|au total|in total|ultimately|when fully built|once fully built"
    r"|at full build|full build-?out)\b",
    _I,
)
_PHASE_AFTER = re.compile(r"[\s,]+(?:initially|at first|to start with|dans un premier temps|au départ)\b", _I)
_PHASE_BEFORE = re.compile(
    r"\b(?:phase|tranche|first|première|premier|initial\w*|démarrera à|starting (?:at|with)|start with|d['’]abord)"
    r"\W+(?:\w+\W+){0,3}$",
    _I,
)

_INVESTMENT_CUE = re.compile(
    r"\b(?:invest\w*|coût\w*|co[uû]te\w*|cost\w*|montant|budget|enveloppe|financ\w*|worth|projet|project"
    r"|estimé\w*|évalué\w*|valued|estimated)\b",
    _I,
)
# Money spent on something around the project: the grid connection, a road, a fine.
_SIDE_COST = re.compile(
    r"\b(?:raccordement|connection|connexion|réseau électrique|grid upgrade|voirie|road\w*|amende|fine[ds]?"
    r"|pénalité|penalt\w+)\b",
    _I,
)
# Money that is not spent on building the project.
_NOT_CAPEX = re.compile(
    r"\b(?:chiffre d['’]affaires|revenue|turnover|valuation|valoris\w*|lev[ée]e de fonds|levé|raised|raising"
    r"|subvention\w*|subsid\w*|grants?|tax\w*|fiscal\w*|loyers?|rent|factures?|bills?|per year|par an|annuel\w*"
    r"|a year|salaires?|salar\w+|dividend\w*|profits?|bénéfices?|pertes?|loss\w*|rachat|racheté|acquisition"
    r"|acquired|bought|cession|sold|vendu|contrat de|contract|attracted|attir\w+|last year|l['’]an dernier"
    r"|l['’]année dernière)\b",
    _I,
)
MIN_INVESTMENT = 1_000_000  # smaller sums are grants, fees or fines, not a data centre's cost

# A power plant named with its own figure: "a 70MW solar farm", "une centrale photovoltaïque de 30 MW".
_GENERATOR_AFTER = re.compile(
    r"\s*(?:[a-z-]+\s+)?(?:solar|wind|photovoltaic|PV|battery|gas|hydro\w*|nuclear|offshore|onshore)\s*"
    r"(?:farm|park|plant|array|station|scheme|project|storage|turbines?)?\b",
    _I,
)
_GENERATOR_BEFORE = re.compile(
    r"\b(?:(?:centrale|parc|ferme|champ)\s+(?:solaire|photovolta\w+|éolien\w*|à gaz|hydro\w+)"
    r"|(?:solar|wind|PV|battery) (?:farm|park|plant|array))\s+(?:d['’]une puissance\s+)?(?:de|of)\s+(?:\S+\s+){0,2}$",
    _I,
)
_EMPLOY_CUE = re.compile(
    r"\b(?:emploi\w*|employ\w*|recrut\w*|embauch\w*|hir\w+|travaill\w*|work\w*|cré\w+|mobilis\w*|mobiliz\w*"
    r"|chantier)\b",
    _I,
)
# A company's existing workforce ("Google, which employs 5,000 people in Ireland") is not the project's jobs.
_WORKFORCE = re.compile(r"\b(?:employs|emploie|emploient|workforce|effectifs?|compte déjà|already has)\b", _I)
_HEADCOUNT_NOUNS = re.compile(r"\b(?:personnes|people|staff|employees|salariés|employés)\b", _I)
_PERMANENT = re.compile(
    r"\b(?:permanent\w*|pérennes?|durables?|CDI|long-term|full-time|operational|d['’]exploitation|en exploitation"
    r"|once (?:operational|open|complete\w*|running|operating|in operation|live)"
    r"|une fois (?:opérationnel\w*|en service)|directs?)\b",
    _I,
)
_CONSTRUCTION = re.compile(
    r"\b(?:construction|chantiers?|temporaires?|temporary|building phase|pendant les travaux|during the build\w*"
    r"|builders?|ouvriers)\b",
    _I,
)
_INDIRECT_ONLY = re.compile(r"^(?!.*\bdirect).*\b(?:indirect\w*|induits?|induced)\b", _I)

_LAND_CUE = re.compile(
    r"\b(?:terrains?|parcelles?|foncier|emprise|sites?|plots?|land|friche|zone|acres|hectares|grounds?)\b", _I
)
_FLOOR_CUE = re.compile(
    r"\b(?:plancher|floor\w*|bâtiments?|buildings?|surface|space|salles?|halls?|bureaux|offices|white space)\b", _I
)


def _off_topic(clause: str) -> bool:
    return context.is_off_project(clause)


# A total of several projects ("the two campuses represent a combined investment of £1.2bn").
_SEVERAL_PROJECTS = re.compile(
    r"\b(?:the|les|ces|these|both|two|three|four|five|deux|trois|quatre|cinq)\s+(?:\w+\s+)?(?:campuses|projects"
    r"|projets|schemes|data cent(?:re|er)s|centres de données)\b|\bà eux (?:deux|trois)\b",
    _I,
)


def _of_several_projects(doc: Document, q: Quantity) -> bool:
    """Whether the words before a figure, back to the last comma or semicolon, make it a total of several projects."""
    sentence = doc.sentence_at(q.start)
    before = re.split(r"[,;:]", doc.text[max(sentence.start, q.start - 80) : q.start])[-1]
    return bool(_SEVERAL_PROJECTS.search(before))


def _capacity(doc: Document, q: Quantity, clause: str) -> Fact | None:
    if _off_topic(clause) or context.is_generation(clause) or _PER_RACK.search(clause) or q.value < 1:
        return None
    if _of_several_projects(doc, q) or context.is_census(doc.sentence_text(q.start)):
        return None
    if _GENERATOR_AFTER.match(doc.text, q.end) or _GENERATOR_BEFORE.search(doc.text, max(q.start - 40, 0), q.start):
        return None  # "power from a 70MW solar farm", "une centrale solaire de 70 MW": the plant's, not the site's
    if _DEMAND.search(clause) or grid_cue(doc, q):
        return None  # the power asked of the grid is a fact of its own, not the project's capacity
    sentence = doc.sentence_at(q.start)
    if context.is_other_holder(doc.text[max(sentence.start, q.start - 100) : q.start]):
        return None  # "au poste de Saint-Avold, d'une capacité de 400 MW": the substation's
    clause_start = doc.clause(q.start, q.end).start
    if context.is_place_total(doc.text[max(clause_start, q.start - 80) : q.start], doc.text[q.end : q.end + 40]):
        return None  # "Oxfordshire already hosts around 600MW of data centre capacity": the county's
    confidence = 0.7
    confidence += 0.1 if _CAPACITY_CUE.search(clause) else 0
    confidence += 0.1 if context.DATA_CENTRE.search(clause) else 0
    confidence += 0.05 if _TOTAL.search(clause) else 0
    confidence -= 0.15 if _PHASE.search(clause) else 0
    before, after = doc.text[max(q.start - 30, 0) : q.start], doc.text[q.end : q.end + 30]
    confidence += 0.1 if _TOTAL_BEFORE.search(before) or _TOTAL_AFTER.search(after) else 0
    confidence -= 0.1 if _PHASE_BEFORE.search(doc.text[max(q.start - 40, 0) : q.start]) else 0
    confidence -= 0.1 if _PHASE_AFTER.match(doc.text, q.end) else 0
    window = doc.text[max(q.start - 40, 0) : q.end + 40]
    basis = "gross" if _GROSS.search(window) else "it" if _IT_LOAD.search(window) else None
    return doc.fact("capacity_mw", as_number(q.value), q.start, q.end, confidence, unit="MW", basis=basis)


def _investment(doc: Document, q: Quantity, clause: str) -> Fact | None:
    near = doc.text[max(q.start - 45, doc.clause(q.start, q.end).start) : q.end + 30]
    if _off_topic(clause) or _NOT_CAPEX.search(near) or q.value < MIN_INVESTMENT or _of_several_projects(doc, q):
        return None
    if _SIDE_COST.search(doc.sentence_text(q.start)) and not context.DATA_CENTRE.search(clause):
        return None  # "le coût du raccordement, chiffré par RTE à 35 millions d'euros"
    cue = bool(_INVESTMENT_CUE.search(clause) or _INVESTMENT_CUE.search(doc.sentence_text(q.start)))
    currency = q.unit
    if q.dollar or not currency:
        if not (q.dollar or cue):
            return None  # "5 millions" with no currency and no word of investing
        currency = doc.currency_for_dollar() if q.dollar else doc.local_currency()
    if not currency:
        return None
    confidence = 0.6 + (0.2 if cue else 0) + (0.1 if context.DATA_CENTRE.search(clause) else 0)
    confidence -= 0.1 if not q.unit else 0  # currency inferred from the country
    return doc.fact("investment", as_number(q.value), q.start, q.end, confidence, currency=currency)


# "devait ouvrir en 2028 et employer 90 personnes": people employed once it runs are its permanent staff.
_EMPLOYS = re.compile(r"\b(?:employ\w*|emploiera|emploieront|staff\w*)\b", _I)
_FACILITY_EMPLOYS = re.compile(
    r"\b(?:data ?cent(?:re|er)|facility|campus|site|centre|center)\s+(?:to|will|would|should|could|va|devrait)?\s*"
    r"(?:employ|employer|emploiera|employera)\b",
    _I,
)
_OPERATING = re.compile(
    r"\b(?:ouvr\w+|ouverture|open\w*|opérationnel\w*|operational|exploitation|running|fonctionnement|en service"
    r"|in operation|fully built|when complete)\b",
    _I,
)


def _jobs_field(doc: Document, q: Quantity, clause: str) -> str:
    """jobs_permanent, jobs_construction or jobs, from the unit words then the words around."""
    after = re.split(r"\d", doc.text[q.end : q.end + 60], maxsplit=1)[0]
    before = clause[: max(clause.find(doc.text[q.start : q.end]), 0)][-60:]
    sentence = doc.sentence_at(q.start)
    # The sentence before the figure, from the previous figure on: "Construction, expected ..., will employ 1,200".
    opening = re.split(r"\d", doc.text[sentence.start : q.start])[-1]
    for scope in (q.words, after, before, opening):
        if _CONSTRUCTION.search(scope):
            return "jobs_construction"
        if _PERMANENT.search(scope):
            return "jobs_permanent"
    text = sentence.of(doc.text)
    if _EMPLOYS.search(text) and _OPERATING.search(text) and not _CONSTRUCTION.search(text):
        return "jobs_permanent"
    if _FACILITY_EMPLOYS.search(text) and not _CONSTRUCTION.search(text):
        return "jobs_permanent"  # "expects the data centre to employ 55 people": the facility's own staff
    return "jobs"


def _jobs(doc: Document, q: Quantity, clause: str) -> Fact | None:
    if _off_topic(clause) or context.is_daily_headcount(clause) or context.is_historical(clause):
        return None
    if _WORKFORCE.search(clause):
        return None
    if _INDIRECT_ONLY.search(q.words):
        # Indirect or induced jobs: a count of jobs of no kind the project holds, typed as such.
        job_type = "induced" if re.search(r"induit|induced", q.words, _I) else "indirect"
        fact = doc.fact("jobs", as_number(q.value), q.start, q.end, 0.6, job_type=job_type)
        fact.reason = f"cue words: {q.words}"
        return fact
    crowd = _HEADCOUNT_NOUNS.search(q.words) and not _EMPLOY_CUE.search(clause.replace(q.words, ""))
    if crowd and not _EMPLOY_CUE.search(doc.sentence_text(q.start)):
        return None  # "500 personnes" is a crowd unless someone employs them
    field_name = _jobs_field(doc, q, clause)
    confidence = 0.75 if field_name != "jobs" else 0.65
    return doc.fact(field_name, as_number(q.value), q.start, q.end, confidence)


def _area(doc: Document, q: Quantity, clause: str) -> Fact | None:
    if _off_topic(clause) or context.is_historical(clause):
        return None
    before = doc.text[max(q.start - 40, doc.sentence_at(q.start).start) : q.start]
    after = re.split(r"[,;:(]|\d", doc.text[q.end : q.end + 30], maxsplit=1)[0]
    if q.kind == LAND or (_LAND_CUE.search(before + " " + after) and not _FLOOR_CUE.search(before)):
        hectares = q.value if q.unit == "ha" else q.value / 10_000
        confidence = 0.7 + (0.1 if _LAND_CUE.search(clause) else 0)
        return doc.fact("site_area_ha", as_number(hectares), q.start, q.end, confidence)
    confidence = 0.65 + (0.1 if _FLOOR_CUE.search(clause) else 0)
    return doc.fact("floor_area_m2", as_number(q.value), q.start, q.end, confidence, unit="m2")


_READERS = {POWER: _capacity, MONEY: _investment, JOBS: _jobs, LAND: _area, FLOOR: _area}


def _qualified(doc: Document, q: Quantity, fact: Fact) -> Fact:
    """The fact with the scope and bound its words give it."""
    written = find_numbers(doc.text[q.start : q.end], doc.language)
    scale = q.value / written[0].value if written and written[0].value else 1.0
    qualifiers = qualify(doc, q.start, q.end, scale=scale, value=q.value)
    fact.scope, fact.bound, fact.superseded = qualifiers.scope, qualifiers.bound, qualifiers.superseded
    if qualifiers.low is not None:
        factor = float(fact.value) / q.value if q.value else 1.0  # hectares from m², for one
        fact.value, fact.value_max = as_number(qualifiers.low * factor), fact.value
    cues = [qualifiers.cue] if qualifiers.cue else []
    fact.reason = f"cue words: {'; '.join(cues)}" if cues else "exact phrase"
    return fact


# A figure given by ellipsis for the next place of a list: "create 70 permanent jobs and Mansfield 40",
# "Le premier promet 35 emplois, le second une vingtaine": the number takes the unit of the one before.
_GAPPED = re.compile(
    rf"\s*(?:,\s*(?:et\s+|and\s+)?|\s+(?:and|et|while|whereas|tandis que|alors que)\s+)(?:(?:à|in|at)\s+)?"
    rf"(?:{NAME}|(?:le|la|the)\s+(?:second|seconde|deuxième|latter|dernier|dernière))\s*,?\s*"
    r"(?:(?:à|about|around|some|environ)\s+)?(?=\S)"
)


def _gapped(doc: Document, q: Quantity) -> Quantity | None:
    """The quantity an ellipsis gives the next place right after ``q`` (a number with no unit of its own)."""
    match = _GAPPED.match(doc.text, q.end)
    if match is None:
        return None
    tail = doc.text[match.end() : match.end() + 40]
    numbers = [n for n in find_numbers(tail, doc.language) if n.start == 0]
    if not numbers:
        return None
    number = numbers[0]
    rest = tail[number.end :]
    if re.match(r"\s?(?:[%€£$]|[a-zA-Zé]{2,})", rest) and not re.match(r"\s?(?:and|et|while|,)\b", rest):
        return None  # "... and Mansfield 45MW": a figure with its own unit, read as such
    start = match.end() + number.start
    return Quantity(q.kind, number.value, start, match.end() + number.end, q.unit, q.dollar, q.words)


def figure_facts(doc: Document) -> Iterator[Fact]:
    for quantity in find_quantities(doc.text, doc.language):
        if context.is_existing_assets(doc.sentence_text(quantity.start)):
            continue  # the company's other sites, often in a clause of their own
        clause = doc.clause_text(quantity.start, quantity.end)
        fact = _READERS[quantity.kind](doc, quantity, clause)
        if fact is None:
            continue
        yield _qualified(doc, quantity, fact)
        gapped = _gapped(doc, quantity) if quantity.kind in (JOBS, POWER) else None
        if gapped is not None:
            other = _READERS[gapped.kind](doc, gapped, doc.clause_text(gapped.start, gapped.end))
            if other is not None:
                other.field = fact.field
                other.confidence -= 0.1
                other.reason = f"inferred: an ellipsis after {doc.text[quantity.start : quantity.end]}"
                yield other
