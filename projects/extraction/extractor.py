"""Runs every reader over a page, splits it into the projects it speaks of, and keeps the
best candidate per field (and scope) for each."""

from __future__ import annotations

from collections.abc import Iterable

from .dates import announcement_facts, dateline_date, operational_year_facts
from .document import Document
from .facts import MULTI_VALUED_FIELDS, SINGLE_VALUED_FIELDS, Extraction, Fact, KnownOrganization, ProjectCandidate
from .figures import figure_facts
from .language import SUPPORTED_LANGUAGES, detect_language
from .organizations import organization_facts, organization_mentions
from .places import former_use_facts, lookup_place, municipality_fact, substation_facts
from .power import power_facts
from .profile import kind_fact, region_fact
from .relations import indicators, relationships
from .sections import Section, find_sections
from .status import status_fact

# A value repeated in several places of the article is more likely the project's own.
REPEAT_BONUS = 0.05
# Facts the extractor proposes that are not claim attributes: the project's kind.
EXTRA_SINGLE_VALUED = ("kind",)


def _best_per_field(candidates: Iterable[Fact]) -> list[Fact]:
    """One fact per single-valued field and scope: the most confident, repeats adding confidence, earliest on a tie.

    A figure the article says was replaced ("au lieu des 400 MW") gives way to any other of its field.
    """
    candidates = list(candidates)
    current = {fact.field for fact in candidates if not fact.superseded}
    by_field: dict[tuple[str, str], dict[object, Fact]] = {}
    for fact in candidates:
        if fact.superseded:
            if fact.field in current:
                continue
            fact.confidence *= 0.6
        values = by_field.setdefault((fact.field, fact.scope), {})
        key = str(fact.value).casefold()
        if key in values:
            kept = values[key]
            kept.confidence = min(max(kept.confidence, fact.confidence) + REPEAT_BONUS, 0.99)
        else:
            values[key] = fact
    best = []
    for values in by_field.values():
        best.append(max(values.values(), key=lambda f: (f.confidence, -f.start)))
    return best


def _distinct_per_field(candidates: Iterable[Fact]) -> list[Fact]:
    """Every distinct value of a field that holds several ("400 direct jobs and 1,000 indirect")."""
    kept: dict[tuple[str, str, str], Fact] = {}
    for fact in candidates:
        if not fact.superseded:
            kept.setdefault((fact.field, fact.scope, str(fact.value).casefold()), fact)
    return list(kept.values())


def _company_words(organizations: list[Fact]) -> set[str]:
    """First words of multi-word company names ("Glenmore" of "Glenmore Compute"), which may stand alone.

    Public authorities are left out: "Mesa City Council" is named after the place.
    """
    return {org.value.split()[0] for org in organizations if " " in org.value and org.role != "public_authority"}


def anchor_municipality(doc: Document, section: Section) -> Fact | None:
    """The place a roundup's section opens on ("Meyzieu<tab>Datalyon<tab>24 MW"), when no sentence names its site."""
    place = lookup_place(doc, section.place) if section.place else None
    if place is None or section.anchor_start < 0:
        return None
    fact = doc.fact(
        "municipality",
        place.name,
        section.anchor_start,
        section.anchor_end,
        0.45,
        country=place.country,
        latitude=place.latitude,
        longitude=place.longitude,
    )
    fact.reason = "inferred: the place this part of the page opens on"
    return fact


def _turning_company(doc: Document, section: Section) -> list[Fact]:
    """The company a sentence is about when it turns to this project ("X is also weighing a second building near
    Wokingham", "X prépare par ailleurs un second projet, à Vénissieux"): that project's developer too."""
    for start, _ in section.spans:
        sentence = doc.sentence_at(start)
        if sentence.start >= start:
            continue
        mention = next(
            (
                m
                for m in organization_mentions(doc)
                if sentence.start <= m.start < start and m.role in (None, "developer")
            ),
            None,
        )
        if mention is not None:
            fact = doc.fact("organization", mention.name, mention.start, mention.end, 0.5, role="developer")
            fact.reason = "inferred: the company whose sentence turns to this project"
            return [fact]
    return []


def _project_facts(
    doc: Document,
    section: Section | None,
    candidates: list[Fact],
    not_places: list[tuple[int, int]],
    company_words: set[str],
) -> list[Fact]:
    """The facts of one project: the candidates in its part of the page, best per field."""

    def inside(fact: Fact) -> bool:
        return section is None or section.contains(fact.position)

    organizations, _ = organization_facts(doc, section)
    if section is not None and not section.main and not organizations:
        organizations = _turning_company(doc, section)
    if section is not None and section.rival:
        for organization in organizations:
            if organization.role is None:  # the company a rival project is named by is its developer
                organization.role = "developer"
                organization.reason = "inferred: the company a rival project is named by"
    mine = [fact for fact in candidates if inside(fact)]
    municipality = municipality_fact(doc, not_places, company_words, section)
    if municipality is None and section is not None and not section.main:
        municipality = anchor_municipality(doc, section)
    if municipality:
        mine.append(municipality)
        region = region_fact(doc, municipality, section)
        if region:
            mine.append(region)
    status = status_fact(doc, section)
    if status:
        mine.append(status)
    kind = kind_fact(doc, section)
    if kind:
        mine.append(kind)
    single = (*SINGLE_VALUED_FIELDS, *EXTRA_SINGLE_VALUED)
    facts = _best_per_field(f for f in mine if f.field in single) + organizations
    facts += _distinct_per_field(f for f in mine if f.field in MULTI_VALUED_FIELDS and f.field != "organization")
    facts.sort(key=lambda f: (f.start, f.field))
    for fact in facts:
        fact.reason = fact.reason or "exact phrase"
    return facts


def extract_facts(
    text: str, language: str | None = None, known_organizations: Iterable[KnownOrganization] = ()
) -> Extraction:
    """Candidate facts about the projects a page describes.

    ``language`` ("fr" or "en") is detected from the text when not given;
    ``known_organizations`` are the organisations the tracker has, recognised by their
    whole names and aliases wherever the page names them. ``facts`` are the
    main project's; ``projects`` holds every project candidate of the page with its own
    facts (a roundup has several), ``relationships`` and ``indicators`` what the page says
    that is no project's figure.
    """
    if language not in SUPPORTED_LANGUAGES:
        language = detect_language(text)
    doc = Document(text, language, known_organizations=tuple(known_organizations))

    all_organizations, organization_spans = organization_facts(doc)
    substations = list(substation_facts(doc))
    # Substation and company names are not the site's municipality ("poste de Mastaing").
    not_places = organization_spans + [(f.start, f.end) for f in substations]
    company_words = _company_words(all_organizations)
    sections = find_sections(doc, not_places)
    main = next(section for section in sections if section.main)
    # The main project's place first: "$" and a currency left unsaid depend on its country.
    municipality_fact(doc, not_places, company_words, main)

    candidates: list[Fact] = [*substations, *former_use_facts(doc)]
    candidates += figure_facts(doc)
    candidates += announcement_facts(doc)
    candidates += operational_year_facts(doc)
    candidates += power_facts(doc)

    projects = []
    for section in sections:
        if section.context:
            continue
        facts = _project_facts(doc, section, candidates, not_places, company_words)
        projects.append(
            ProjectCandidate(
                facts=facts,
                start=section.start,
                end=section.end,
                main=section.main,
                anchor=section.place,
            )
        )
    main_project = next(project for project in projects if project.main)
    dateline = dateline_date(doc)
    return Extraction(
        language=language,
        facts=main_project.facts,
        projects=projects,
        relationships=relationships(doc),
        indicators=indicators(doc),
        dateline=dateline.iso if dateline else None,
    )
