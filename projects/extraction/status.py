"""Lifecycle status from what the article says has happened.

Signals are phrases ("en construction", "planning permission granted", "two of
the four halls are already running"); the most advanced one wins, except
that a cancellation or a pause overrides everything. Future and conditional
clauses ("prévu pour être opérationnel", "will open") say nothing about the
present and are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from . import context
from .dates import dateline_date, find_dates, relative_day
from .document import Document
from .facts import Fact

_I = re.IGNORECASE

ANNOUNCED, PLANNING, PERMITTED, CONSTRUCTION = "announced", "planning", "permitted", "construction"
PARTIALLY_OPERATIONAL, OPERATIONAL = "partially_operational", "operational"
SHELVED, CANCELLED, DECOMMISSIONED = "shelved", "cancelled", "decommissioned"

# Ordered from least to most advanced; the last statuses override the lifecycle.
_ORDER = [
    ANNOUNCED, PLANNING, PERMITTED, CONSTRUCTION, PARTIALLY_OPERATIONAL, OPERATIONAL,
    DECOMMISSIONED, SHELVED, CANCELLED,
]  # fmt: skip

_SIGNALS: list[tuple[str, float, re.Pattern[str]]] = [
    (ANNOUNCED, 0.7, re.compile(r"\b(?:annonc\w+|announc\w+|unveil\w+|dévoil\w+|officialis\w+)\b", _I)),
    # A plan stated in the future ("will invest $3bn to build", "va investir", "plans a 90MW campus").
    (ANNOUNCED, 0.55, re.compile(
        r"\b(?:(?:will|would|to|plans to|va|vont|compte|prévoit d['’]|souhaite) (?:invest|spend|build|develop"
        r"|investir|construire|implanter|développer)|plans (?:a|an|for a)\b|a présenté son projet"
        r"|(?:a|ont) présenté (?:\w+ )?(?:un|le|son|leur) projet"
        r"|(?:presented|unveiled) (?:a|an|its|their) (?:plan|project)"
        r"|(?:vise|visent|ambitionne|projette|targets|is targeting|aims for) (?:\S+ ){0,3}?\d+(?:[.,]\d+)? ?(?:MW|GW)"
        r"|(?:a|the|its|their) planned\b|(?:son|leur) futur (?:campus|data ?center|centre))", _I)),
    (PLANNING, 0.55, re.compile(
        r"\b(?:permis de construire (?:a été |ont été )?déposés?"
        r"|(?:filed|files|lodged|lodges|submits) (?:plans|an application|a planning)|dépôt du permis"
        r"|demande de permis|enquête publique"
        r"|concertation préalable|planning application|submitted plans|plans? (?:were|have been|has been) submitted"
        r"|seeks? (?:planning )?permission|development consent|nationally significant infrastructure"
        r"|pre-application|en cours d['’]instruction|à l['’]étude|under consideration"
        r"|(?:is|are) (?:considering|assessing|reviewing|examining|determining) (?:the|an|its|their) (?:\S+ )?"
        r"application"
        r"|(?:a|ont) déposé (?:une|sa|leur) demande de permis|(?:demande de )?permis de construire (?:a été |ont été )?"
        r"déposée?s?|(?:has|have) (?:submitted|lodged|filed) (?:a |an |its |their )?(?:planning )?application"
        r"|(?:lodged|submitted|filed) (?:a |an )?(?:planning )?application|filed plans|has applied|had applied"
        r"|(?:filed|submitted|lodged) (?:a |an |its )?(?:land development|site|development|rezoning) (?:plan|request)s?"
        r"|application (?:has been|was|had been) (?:filed|submitted|lodged)"
        r"|(?:a|ont) refusé (?:le|son|leur) permis|refus\w* (?:du|de|le) permis|(?:was|been|were) refused"
        r"|refused (?:planning )?permission|(?:permission|application) (?:was |has been )?refused"
        r"|(?:a|ont) déposé un recours|recours (?:devant|gracieux|contentieux)|considering an appeal|lodged an appeal"
        r"|rezoning)\b", _I)),
    (PERMITTED, 0.7, re.compile(
        r"\b(?:permis de construire(?:\s+\S+){0,8}?\s+(?:a été |ont été |est )?"
        r"(?:accordé|délivré|obtenu|signé|validé)s?"
        r"|(?:a|ont) (?:accordé|délivré|signé) (?:le|son|leur) permis"
        r"|(?:granted|approved|gave|given)\s+(?:outline\s+|full\s+|detailed\s+)?(?:planning\s+)?"
        r"(?:permission|consent|approval)"
        r"|project approved|plans approved|(?:council|committee|board|commission|supervisors|councillors)"
        r"(?:\s+\S+){0,4}?\s+(?:approves?|approved|voted(?: \S+)? to approve|backs|backed)"
        r"|(?:a|ont) (?:approuvé|validé|autorisé) (?:le|ce) projet"
        r"|(?:a|ont) autorisé (?:l['’]exploitation|la construction)"
        r"|obtenu (?:le|son|les) permis|autorisation (?:environnementale )?(?:a été )?(?:accordée|délivrée)"
        r"|(?:a été|ont été|est|sont) (?:autorisée?s?|approuvée?s?|validée?s?)|délivrée? (?:\S+ )?l['’]autorisation"
        r"|(?:obtenu|reçu) (?:son|l['’]|leur) autorisation"
        r"|resolved to grant|resolution to grant|minded to (?:approve|grant)"
        r"|allowed (?:an|the|its|their) appeal|appeal (?:was |has been |had been )?(?:allowed|upheld)"
        r"|feu vert|(?:planning permission|planning consent|consent|approval|permission) (?:was |has been |had been )?"
        r"(?:granted|given|secured|approved)|(?:was|were|has been|have been) approved|green light|go-ahead)\b", _I)),
    (CONSTRUCTION, 0.75, re.compile(
        r"\b(?:en (?:cours de )?construction|en chantier"
        r"|(?:travaux|chantier)(?:\s+\S+){0,9}?\s+(?:ont |a |avaient |avait )?(?:débuté|commencé|démarré)"
        r"|lance(?:nt)? (?:la construction|les travaux|le chantier)|lancement des travaux|(?:has|have) started"
        r" (?:construction|work|building)|started construction|began construction|breaks? ground|coups de pelle"
        r"|premiers coups de (?:pelle|pioche)|coup d['’]envoi (?:des travaux|du chantier)"
        r"|travaux (?:sont )?en cours|première pierre|under construction|construction (?:began|started|has started"
        r"|has begun|is underway|is under way|under ?way|in progress|work (?:began|started|is underway))"
        r"|broke ground|ground-?breaking|topped out|tops out|topping out|started work on|work (?:got|is) under ?way"
        r"|fondations (?:\S+ ){0,8}?(?:sont |ont été )?coulées|bat son plein"
        r"|being (?:built|fitted out|constructed)|en cours d['’](?:aménagement|équipement))\b", _I)),
    (OPERATIONAL, 0.75, re.compile(
        r"\b(?:(?:est|sont) (?:déjà |désormais )?(?:en service|opérationnel\w*|en activité|en exploitation)"
        r"|a été inauguré\w*|a ouvert ses portes|est entré\w* en service|a été mis\w* en service"
        r"|(?:is|are) (?:already |now )?(?:operational|in operation|live|up and running|in service)"
        r"|already (?:running|operational|live)|went live|opened (?:its doors|in \d{4})|was inaugurated"
        r"|has been (?:running|operating|operational)|(?:has|have) opened|a ouvert|ont ouvert|vient d['’]ouvrir"
        r"|a inauguré|ont inauguré)\b", _I)),
    (SHELVED, 0.7, re.compile(
        r"\b(?:suspendu|gelé|mis en pause|mis en sommeil|en suspens|on hold|paused|shelved|mothballed|put on ice)\b",
        _I)),
    (CANCELLED, 0.75, re.compile(
        r"\b(?:projet (?:a été |est )?(?:abandonné|annulé)|abandonne(?:nt)? (?:le|son) projet|renonc\w+ (?:à|au) "
        r"(?:son |ce |le )?projet|(?:a été|est|ont été|sont) (?:définitivement )?(?:abandonné|annulé)e?s?"
        r"|ne verra pas le jour|walk(?:s|ed)? away from|pull(?:s|ed)? out of|pull(?:s|ed)? (?:the )?plug"
        r"|(?:has|have|had) (?:scrapped|cancelled|canceled|abandoned|dropped)"
        r"|(?:was|has been|were|have been|had been) (?:cancelled|canceled|scrapped|withdrawn|dropped|abandoned)"
        r"|scrapped (?:the|its|their) plans?"
        r"|(?:has|have) withdrawn (?:its|their|the) (?:\S+ ){0,3}?(?:plans|application|proposal)"
        r"|withdr(?:ew|aws) (?:its|their|the) (?:\S+ ){0,3}?(?:plans|application|proposal)|plans scrapped"
        r"|renonc\w+ à son projet"
        r"|abandonne (?:le|son) projet|avant de l['’](?:abandonner|annuler)|l['’](?:a|ont) (?:abandonné|annulé)"
        r"|before (?:abandoning|scrapping|withdrawing|dropping) (?:it|them|the plans))\b", _I)),
    (DECOMMISSIONED, 0.6, re.compile(
        r"\b(?:data ?cent(?:er|re) (?:was |has been )?decommissioned|démantèlement du (?:data ?center|centre))\b",
        _I)),
]  # fmt: skip

# Future, conditional or negated clauses do not tell the present status.
_NOT_PRESENT = re.compile(
    r"\b(?:prévu\w*|devr\w+|sera|seront|pourr\w+|will|would|could|should|expected|due to|pour être|to be|d['’]ici"
    r"|à l['’]horizon|once|une fois|pas encore|not yet|n['’]a pas|n['’]est pas|has not|have not|if|si)\b",
    _I,
)
_NEGATED = re.compile(r"\b(?:pas|not|no|aucun\w*|n['’]a pas|n['’]ont pas|has not|have not|never|jamais)\b", _I)
_FUTURE_FILING = re.compile(
    r"\b(?:sera|seront|va être|vont être|devrait être) déposée?s?|will be (?:submitted|lodged|filed)|plans to submit"
    r"|hoped to submit|hopes to submit|d['’]ici l['’]été"
    r"|(?:dépôt|filing|submission)\b[^.;\n]{0,60}?\b(?:est |is )?(?:attendue?|prévue?|expected|due)\b",
    _I,
)
# Part of the project running while the rest is being built.
_PARTIAL = re.compile(
    r"\b(?:partiellement|partially|première (?:phase|tranche)|first (?:phase|hall|building|stage)|(?:one|two|three)"
    r" of the|(?:un|deux|trois) des|part of the|une partie)\b",
    _I,
)


# A pause or a cancellation must be about the project, not "new grid connections are on hold".
_PROJECT_WORDS = re.compile(
    rf"{context.DATA_CENTRE.pattern}|\b(?:plans?|construction|travaux|chantier|development|développement|work|proposal"
    r"|application|demande)\b",
    _I,
)


# An approval of money or a deal is not a permit: "approved an incentive agreement", "a voté une subvention".
_NOT_A_PERMIT = re.compile(
    r"^\W*(?:\S+\s+){0,2}?(?:incentives?|tax|abatement|agreement|funding|budget|grant|subsid\w*|sale|lease|deal"
    r"|contract|accord|subvention\w*|vente|bail|cession|convention|aide\w*)\b",
    _I,
)
_PERMIT_TOO = re.compile(r"\b(?:site plan|plans|permit|permission|zoning|rezoning|consent)\b", _I)
# A withdrawal of one application while a smaller scheme goes ahead is no cancellation.
_GOES_AHEAD = re.compile(
    r"\b(?:instead|à la place|goes ahead|will go ahead|scaled back|revu\w* à la baisse|réduit|new (?:planning )?"
    r"application|nouvelle demande)\b",
    _I,
)


def _signals(doc: Document) -> Iterator[tuple[str, float, int, int]]:
    for status, confidence, pattern in _SIGNALS:
        for match in pattern.finditer(doc.text):
            clause = doc.clause_text(match.start(), match.end())
            after = doc.text[match.end() : match.end() + 40]
            if status == PERMITTED and _NOT_A_PERMIT.search(after) and not _PERMIT_TOO.search(after):
                continue  # "approved an incentive agreement", but not "approved a development agreement and site plan"
            if context.is_off_project(doc.text[doc.sentence_at(match.start()).start : match.end()]):
                continue  # "the second-largest data center market, with more than 2GW under construction"
            if status == CANCELLED and _GOES_AHEAD.search(doc.sentence_text(match.start()) + " " + doc.text[:300]):
                continue
            if status in (SHELVED, CANCELLED) and not _PROJECT_WORDS.search(doc.sentence_text(match.start())):
                continue
            if status == OPERATIONAL and context.is_existing_assets(doc.sentence_text(match.start())):
                continue  # "The company already runs an 18MW site in Bletchley, which opened in 2021"
            # An announcement or a plan may be in the future tense, but not negated; a filing still to come
            # ("sera déposée", "will be submitted") is no application yet.
            guard = _NEGATED if status in (ANNOUNCED, PLANNING) else _NOT_PRESENT
            if status == PLANNING and _FUTURE_FILING.search(doc.text[max(match.start() - 30, 0) : match.end() + 45]):
                continue
            if guard.search(clause[: max(clause.find(match.group()), 0) + len(match.group())]):
                continue
            yield status, confidence, match.start(), match.end()


def status_fact(doc: Document, section: Any = None) -> Fact | None:
    """The most advanced status the page (or ``section`` of it) reports; a cancellation or a pause wins."""
    signals = doc.cache.get("status-signals")
    if signals is None:
        signals = doc.cache["status-signals"] = list(_signals(doc))
    if section is not None:
        signals = [signal for signal in signals if section.contains(signal[2])]
    signals = list(signals)
    if not signals:
        return None
    # "Running" next to "being fitted out" or "two of the four halls" is a partial opening.
    building = {doc.sentence_at(start) for status, _, start, _ in signals if status == CONSTRUCTION}
    for index, (status, confidence, start, end) in enumerate(signals):
        sentence = doc.sentence_at(start)
        if status == OPERATIONAL and (sentence in building or _PARTIAL.search(sentence.of(doc.text))):
            signals[index] = (PARTIALLY_OPERATIONAL, confidence, start, end)
    status, confidence, start, end = max(signals, key=lambda s: (_ORDER.index(s[0]), s[1]))
    fact = doc.fact("status", status, start, end, confidence)
    fact.reason = f"cue words: {doc.text[start:end]}"
    fact.event_date, fact.event_precision = _event_date(doc, start, end)
    return fact


_IN_YEAR = re.compile(r"\b(?:in|en|since|depuis)\s+((?:19|20)\d{2})\b")


def _event_date(doc: Document, start: int, end: int) -> tuple[str | None, str | None]:
    """When the step the signal reports happened: a date in its sentence, a weekday or "yesterday" from the
    dateline, a year ("granted in 2023"), else the page's dateline."""
    sentence = doc.sentence_at(start)
    text = sentence.of(doc.text)
    dates = find_dates(text)
    if dates:
        nearest = min(dates, key=lambda m: abs(sentence.start + m.start - start))
        return nearest.iso, nearest.precision
    relative = relative_day(doc, sentence.start, sentence.end)
    if relative is not None:
        return relative[0], "day"
    year = _IN_YEAR.search(text)
    if year:
        return year.group(1), "year"
    dateline = dateline_date(doc)
    return (dateline.iso, dateline.precision) if dateline else (None, None)
