"""From an article to proposed claims: store the source, extract its facts,
find the project it is about (or propose a draft one) and record every fact as
a *proposed* claim for a person to review.

A roundup speaks of several projects: each project candidate of the page is matched
or proposed in turn, with its own facts. A phase's capacity also proposes the phase
it describes; the relationships between organizations and the market indicators the
page gives are proposed as such, each standing on a claim about its organization.
Organizations are matched to the tracker's by whole normalized names and aliases
(token sets, never parts of words), and the ones it knows are passed to the
extractor so that it recognises them wherever the page names them.

Used by ``manage.py ingest_article``, the admin's "extract facts" action and
``POST /api/v1/sources/{id}/extract/``.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, Value
from django.utils import timezone
from django.utils.text import Truncator
from rapidfuzz import fuzz

from core.geo import bounding_box, distance_km, geocode
from core.writes import service
from projects import choices, services
from projects.attributes import ATTRIBUTES
from projects.extraction import Extraction, Fact, KnownOrganization, detect_language, extract_facts
from projects.extraction.dates import publication_date
from projects.extraction.facts import ProjectCandidate
from projects.fetching import fetch_article
from projects.models import Claim, Indicator, Organization, OrganizationRelationship, Phase, Project, Source
from projects.services.claims import prepare as prepare_claim

# A project whose site is this close to the place an article names is the same project.
MATCH_DISTANCE_KM = 5.0

ROLE_TO_ORGANIZATION_KIND = {
    choices.RoleKind.PUBLIC_AUTHORITY: choices.OrganizationKind.PUBLIC_AUTHORITY,
    choices.RoleKind.GRID_OPERATOR: choices.OrganizationKind.GRID_OPERATOR,
    choices.RoleKind.INVESTOR: choices.OrganizationKind.INVESTOR,
}
NUMBER_FIELDS = {
    name
    for name, attribute in ATTRIBUTES.items()
    if attribute.value_kind in (choices.ValueKind.NUMBER, choices.ValueKind.MONEY)
}
TEXT_FIELDS = {name for name, attribute in ATTRIBUTES.items() if attribute.value_kind == choices.ValueKind.TEXT}


@dataclass
class IngestionResult:
    source: Source
    project: Project
    project_created: bool
    match_reason: str
    extraction: Extraction
    claims: list[Claim] = field(default_factory=list)
    # The other projects of a roundup, each matched or proposed with its own claims.
    others: list[IngestionResult] = field(default_factory=list)
    # What was proposed besides the projects' claims.
    phases: list[Phase] = field(default_factory=list)
    relationships: list[OrganizationRelationship] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)

    @property
    def conflicts(self) -> list[Claim]:
        return [claim for claim in self.claims if claim.in_conflict]

    @property
    def all_claims(self) -> list[Claim]:
        return self.claims + [claim for other in self.others for claim in other.claims]


def parse_partial_date(value: str) -> tuple[datetime.date, str]:
    """ "2025-12-09" / "2025-12" / "2025" -> (date, precision)."""
    parts = [int(part) for part in str(value).split("-")]
    if len(parts) == 3:
        return datetime.date(*parts), choices.DatePrecision.DAY
    if len(parts) == 2:
        return datetime.date(parts[0], parts[1], 1), choices.DatePrecision.MONTH
    return datetime.date(parts[0], 1, 1), choices.DatePrecision.YEAR


# Project matching ----------------------------------------------------------------------------


def match_project(extraction: Extraction, text: str) -> tuple[Project | None, str]:
    """The existing project an article is about, and why we think so."""
    municipality = extraction.get("municipality")
    place = municipality[0] if municipality else None
    country = place.country if place else None
    # 1. Its name appears in the text (the database does the scan).
    named = Project.objects.annotate(article=Value(text)).filter(article__icontains=F("name"))
    named = named.order_by("-capacity_mw").first()
    if named is not None:
        return named, "name"
    # 2. One of its aliases does (a JSON list: compared here, within the article's country).
    folded = text.casefold()
    with_aliases = Project.objects.exclude(aliases=[])
    if country:
        with_aliases = with_aliases.filter(country=country)
    for pk, aliases in with_aliases.values_list("pk", "aliases").iterator():
        if any(len(alias) > 3 and alias.casefold() in folded for alias in aliases):
            return Project.objects.get(pk=pk), "alias"
    if place is None:
        return None, ""
    # 3. Same municipality and an organization in common.
    organizations = {fact.value.casefold() for fact in extraction.get("organization")}
    if organizations:
        same_town = Project.objects.filter(municipality__iexact=place.value)
        if country:
            same_town = same_town.filter(country=country)
        for project in same_town.prefetch_related("roles__organization"):
            names = {role.organization.name.casefold() for role in project.roles.all() if role.organization_id}
            if names & organizations:
                return project, "municipality and organization"
    # 4. A site within a few km of the place the article names.
    if place.latitude is not None:
        point = (place.latitude, place.longitude)
        min_lat, max_lat, min_lon, max_lon = bounding_box(*point, MATCH_DISTANCE_KM)
        nearby = Project.objects.filter(
            latitude__gte=min_lat, latitude__lte=max_lat, longitude__gte=min_lon, longitude__lte=max_lon
        )
        ranked = sorted((distance_km(point, project.point), project.pk, project) for project in nearby)
        if ranked and ranked[0][0] <= MATCH_DISTANCE_KM:
            return ranked[0][2], "coordinates"
    return None, ""


def propose_project(extraction: Extraction, source: Source) -> Project:
    """A draft project built from what the article says, for a person to confirm."""
    municipality = extraction.get("municipality")
    place = municipality[0] if municipality else None
    name = f"{place.value} data center" if place else Truncator(source.title or "Data center").chars(180)
    location = {}
    if place is not None:
        geo = geocode(place.value, place.country) if place.latitude is None else None
        location = {
            "municipality": place.value,
            "country": place.country or (geo.country if geo else ""),
            "latitude": place.latitude if place.latitude is not None else (geo.latitude if geo else None),
            "longitude": place.longitude if place.longitude is not None else (geo.longitude if geo else None),
            "location_precision": choices.LocationPrecision.MUNICIPALITY,
        }
    status = extraction.value("status")
    status_date, status_precision = event_date(extraction, status, source)
    # The kind the page says (an AI campus, a hyperscale one) is the draft's; there is no claim for it.
    kind = extraction.value("kind")
    if kind in choices.ProjectKind.values:
        location["kind"] = kind
    return services.project_create(
        data={
            "name": name,
            "is_draft": True,
            "status": status if status in choices.ProjectStatus.values else choices.ProjectStatus.ANNOUNCED,
            "description": f"Draft proposed from “{Truncator(source.title).chars(200)}”.",
            **location,
        },
        status_date=status_date,
        status_precision=status_precision,
        undated=status_date is None,
    )


def event_date(extraction: Extraction, status: str | None, source: Source) -> tuple[datetime.date | None, str | None]:
    """When the lifecycle step the article reports happened: the announcement date it gives for an
    announcement, else the article's date (None when neither is known: the project's own dates decide)."""
    announced = extraction.get("announced_on")
    if announced and status in (None, choices.ProjectStatus.ANNOUNCED):
        return parse_partial_date(announced[0].value)
    if source.published_on:
        return source.published_on, choices.DatePrecision.DAY
    if announced:
        return parse_partial_date(announced[0].value)
    return None, None


# Facts to claims -----------------------------------------------------------------------------


# Legal forms and articles that do not tell two organizations apart ("Kao Data Ltd" is "Kao Data").
_NOISE_WORDS = frozenset(
    re.findall(
        r"\S+",
        "ltd limited plc inc llc sa sas sarl se ag gmbh nv bv co corp corporation group groupe the le la les l",
    )
)
# Token sets this alike name the same organization ("Gatwick Compute" and "Gatwick Compute Ltd").
ORGANIZATION_MATCH_THRESHOLD = 92


def organization_tokens(name: str) -> tuple[str, ...]:
    """The words of a name, case, accents and punctuation aside, legal forms dropped."""
    decomposed = unicodedata.normalize("NFKD", name.casefold().replace("’", "'"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    words = [w for w in re.split(r"[^\w]+", plain) if w]
    kept = [w for w in words if w not in _NOISE_WORDS]
    return tuple(kept or words)


def same_organization(a: str, b: str) -> bool:
    """Whether two names are the same organization's: equal word sets, or nearly (a threshold on the token
    sort ratio), never one name inside a word of the other ("RTE" is not in "Porte du Hainaut")."""
    ta, tb = organization_tokens(a), organization_tokens(b)
    if not ta or not tb:
        return False
    if set(ta) == set(tb):
        return True
    if min(len(" ".join(ta)), len(" ".join(tb))) < 5:
        return False  # short names and acronyms match exactly or not at all
    return fuzz.token_sort_ratio(" ".join(ta), " ".join(tb)) >= ORGANIZATION_MATCH_THRESHOLD


def known_organizations() -> list[KnownOrganization]:
    """The tracker's organizations, for the extractor to recognise by name and alias."""
    return [
        KnownOrganization(name=name, aliases=tuple(a for a in aliases or () if isinstance(a, str)), kind=kind)
        for name, aliases, kind in Organization.objects.values_list("name", "aliases", "kind").iterator()
    ]


def match_organization(name: str) -> Organization | None:
    """The recorded organization ``name`` names: by its whole name or an alias, compared word for word."""
    tokens = organization_tokens(name)
    if not tokens:
        return None
    # Candidates share the name's first word (a database filter), then are compared in Python.
    first = max(tokens, key=len)
    candidates = Organization.objects.filter(name__icontains=first) | Organization.objects.filter(
        aliases__icontains=first
    )
    for organization in candidates.order_by("pk").distinct():
        names = [organization.name, *(a for a in organization.aliases or () if isinstance(a, str))]
        if any(same_organization(name, candidate) for candidate in names):
            return organization
    return None


def find_or_create_organization(name: str, role: str | None) -> Organization:
    organization = match_organization(name)
    if organization is None:
        organization = services.record_save(
            instance=Organization(name=name, kind=ROLE_TO_ORGANIZATION_KIND.get(role, choices.OrganizationKind.COMPANY))
        )
    return organization


def claim_data_from_fact(fact: Fact) -> dict | None:
    """Claim fields for one extracted fact, or None when the fact has no claim attribute."""
    if fact.field not in choices.ClaimAttribute.values:
        return None
    data: dict = {
        "attribute": fact.field,
        "quote": fact.quote,
        "quote_start": fact.start,
        "quote_end": fact.end,
        "confidence": max(0.0, min(1.0, float(fact.confidence))),
        "origin": choices.ClaimOrigin.EXTRACTION,
        "status": choices.ClaimStatus.PROPOSED,
    }
    if fact.field in NUMBER_FIELDS:
        data["value_number"] = Decimal(str(fact.value))
        if fact.field == "investment":
            data["currency"] = fact.currency or ""
        data["scope"] = fact.scope or choices.ClaimScope.PROJECT
        data["bound"] = fact.bound or choices.ClaimBound.EXACT
        if fact.bound == choices.ClaimBound.RANGE and fact.value_max is not None:
            data["value_number_max"] = Decimal(str(fact.value_max))
    elif fact.field == "announced_on":
        data["value_date"], data["value_date_precision"] = parse_partial_date(fact.value)
    elif fact.field == "organization":
        data["value_organization"] = find_or_create_organization(str(fact.value), fact.role)
        data["role"] = fact.role or ""
    elif fact.field in TEXT_FIELDS:
        data["value_text"] = str(fact.value)[:500]
    notes = []
    if fact.field == "capacity_mw" and fact.basis:
        notes.append(f"basis: {fact.basis}")
    if fact.field == "jobs" and fact.job_type:
        notes.append(f"jobs: {fact.job_type}")
    if fact.reason:
        notes.append(fact.reason)
    if fact.low_confidence:
        notes.append("low confidence")
    if notes:
        data["note"] = Truncator("; ".join(notes)).chars(Claim._meta.get_field("note").max_length)
    return data


def _claims_for(project: Project, source: Source, facts: list[Fact], extraction: Extraction) -> list[Claim]:
    """Record ``facts`` as proposed claims on ``project`` (what an earlier ingestion recorded is skipped)."""
    existing = set(
        Claim.objects.filter(project=project, source=source).values_list("attribute", "value_key", "quote_start")
    )
    claims = []
    for fact in facts:
        data = claim_data_from_fact(fact)
        if data is None:
            continue
        if fact.field == "status":
            if fact.event_date:
                data["event_date"], data["event_date_precision"] = parse_partial_date(fact.event_date)
            else:
                data["event_date"], data["event_date_precision"] = event_date(extraction, fact.value, source)
            data["event_date_precision"] = data["event_date_precision"] or ""
        claim = Claim(project=project, source=source, as_of=source.published_on, **data)
        prepare_claim(claim)
        if (claim.attribute, claim.compute_value_key(), claim.quote_start) in existing:
            continue  # ingesting the same article again adds nothing
        claims.append(
            services.claim_create(data={"project": project, "source": source, "as_of": source.published_on, **data})
        )
    # The conflict flags were set by the claims' signal after each save: read them back at once.
    flags = dict(Claim.objects.filter(pk__in=[claim.pk for claim in claims]).values_list("pk", "in_conflict"))
    for claim in claims:
        claim.in_conflict = flags[claim.pk]
    return claims


def _propose_phases(project: Project, claims: list[Claim], facts: list[Fact]) -> list[Phase]:
    """A phase's capacity proposes the phase itself (with the year its phase-scoped target gives), standing on
    its claim: readers see it once the claim is accepted."""
    years = [f.value for f in facts if f.field == "operational_year" and f.scope == choices.ClaimScope.PHASE]
    phases = []
    for claim in claims:
        if claim.attribute != choices.ClaimAttribute.CAPACITY_MW or claim.scope != choices.ClaimScope.PHASE:
            continue
        existing = Phase.objects.filter(project=project)
        if existing.filter(capacity_mw=claim.value_number.quantize(Decimal("0.01"))).exists():
            continue
        phase = Phase(
            project=project,
            name=f"Phase {existing.count() + 1}",
            capacity_mw=claim.value_number.quantize(Decimal("0.01")),
            target_year=int(years[0]) if years else None,
            order=existing.count() + 1,
            claim=claim,
        )
        phases.append(services.record_save(instance=phase))
    return phases


def _candidate_extraction(extraction: Extraction, candidate: ProjectCandidate) -> Extraction:
    return Extraction(language=extraction.language, facts=candidate.facts, dateline=extraction.dateline)


def _resolve(
    candidate: ProjectCandidate, extraction: Extraction, source: Source, text: str
) -> tuple[Project, bool, str]:
    """The project a candidate of the page is about: one an earlier ingestion of the page chose, a match, or a
    new draft."""
    earlier = (
        Claim.objects.filter(
            source=source, project__isnull=False, quote_start__gte=candidate.start, quote_start__lt=candidate.end
        )
        .select_related("project")
        .first()
    )
    if earlier is not None:
        return earlier.project, False, "earlier ingestion"
    part = _candidate_extraction(extraction, candidate)
    project, reason = match_project(part, text[candidate.start : candidate.end])
    if project is not None:
        return project, False, reason
    return propose_project(part, source), True, "new draft"


def _organization_claim(organization, source: Source, text: str, mention):
    """The proposed claim about an organization that a relationship or an indicator stands on,
    quoting the words ``mention`` was read from."""
    return services.claim_create(
        data={
            "organization": organization,
            "source": source,
            "attribute": choices.ClaimAttribute.OTHER,
            "value_text": Truncator(text).chars(500),
            "quote": mention.quote,
            "quote_start": mention.start,
            "quote_end": mention.end,
            "confidence": mention.confidence,
            "origin": choices.ClaimOrigin.EXTRACTION,
            "status": choices.ClaimStatus.PROPOSED,
            "as_of": source.published_on,
        }
    )


def _propose_relationships(extraction: Extraction, source: Source) -> list[OrganizationRelationship]:
    """Each relationship the page gives, between its first organization and each other one."""
    kinds = set(choices.RelationshipKind.values)
    proposed = []
    for relationship in extraction.relationships:
        if relationship.kind not in kinds or len(relationship.organizations) < 2:
            continue
        first = find_or_create_organization(relationship.organizations[0], None)
        for name in relationship.organizations[1:]:
            other = find_or_create_organization(name, None)
            if (
                other.pk == first.pk
                or OrganizationRelationship.objects.filter(
                    from_organization=first, to_organization=other, kind=relationship.kind
                ).exists()
            ):
                continue
            label = choices.RelationshipKind(relationship.kind).label
            claim = _organization_claim(first, source, f"{label}: {first.name}, {other.name}", relationship)
            record = OrganizationRelationship(
                from_organization=first,
                to_organization=other,
                kind=relationship.kind,
                purpose=Truncator(relationship.purpose).chars(500),
                source=source,
                quote=relationship.quote,
                claim=claim,
            )
            proposed.append(services.record_save(instance=record))
    return proposed


def _propose_indicators(extraction: Extraction, source: Source) -> list[Indicator]:
    """Each market figure whose author the page names, standing on a claim about that organization."""
    proposed = []
    for indicator in extraction.indicators:
        if not indicator.stated_by:
            continue  # a figure no one states stands on no claim: left to a person
        author = find_or_create_organization(indicator.stated_by, None)
        name = Truncator(indicator.quote).chars(300)
        if Indicator.objects.filter(source=source, name=name, value=Decimal(str(indicator.value))).exists():
            continue
        claim = _organization_claim(author, source, indicator.quote, indicator)
        record = Indicator(
            name=name,
            value=Decimal(str(indicator.value)),
            unit=indicator.unit,
            year=indicator.year,
            is_forecast=indicator.is_forecast,
            stated_by=author,
            source=source,
            quote=indicator.quote,
            claim=claim,
        )
        proposed.append(services.record_save(instance=record))
    return proposed


@service
def ingest_source(*, source: Source, project: Project | None = None, language: str | None = None) -> IngestionResult:
    """Extract the facts of a stored source and record them as proposed claims.

    ``project`` is the main project's when given; the other projects of a roundup are
    matched or proposed each with its own facts (``IngestionResult.others``).
    """
    extraction = extract_facts(
        source.text, language=language or source.language or None, known_organizations=known_organizations()
    )
    if not source.language and extraction.language:
        services.record_save(instance=source, data={"language": extraction.language})
    candidates = extraction.projects or [ProjectCandidate(facts=extraction.facts, start=0, end=len(source.text))]
    main = next((candidate for candidate in candidates if candidate.main), candidates[0])
    project_created, reason = False, "given"
    if project is None:
        earlier = Claim.objects.filter(source=source, project__isnull=False).select_related("project")
        earlier = earlier.order_by("quote_start").first() if len(candidates) == 1 else None
        project, reason = (earlier.project, "earlier ingestion") if earlier else (None, "")
    if project is None and len(candidates) > 1:
        project, project_created, reason = _resolve(main, extraction, source, source.text)
    if project is None:
        project, reason = match_project(extraction, source.text)
    if project is None:
        project, project_created, reason = propose_project(extraction, source), True, "new draft"
    claims = _claims_for(project, source, extraction.facts, extraction)
    result = IngestionResult(
        source=source,
        project=project,
        project_created=project_created,
        match_reason=reason,
        extraction=extraction,
        claims=claims,
        phases=_propose_phases(project, claims, extraction.facts),
    )
    for candidate in candidates:
        if candidate is main or not candidate.facts:
            continue
        other, created, why = _resolve(candidate, extraction, source, source.text)
        part = _candidate_extraction(extraction, candidate)
        other_claims = _claims_for(other, source, candidate.facts, part)
        result.others.append(
            IngestionResult(
                source=source,
                project=other,
                project_created=created,
                match_reason=why,
                extraction=part,
                claims=other_claims,
                phases=_propose_phases(other, other_claims, candidate.facts),
            )
        )
    result.relationships = _propose_relationships(extraction, source)
    result.indicators = _propose_indicators(extraction, source)
    return result


def store_source(
    *,
    text: str,
    url: str | None = None,
    title: str = "",
    publisher: str = "",
    author: str = "",
    published_on: datetime.date | None = None,
) -> Source:
    """The source for an article: the one already recorded at this URL, or a new one."""
    source = Source.objects.filter(url=url).first() if url else None
    if source is None:
        if published_on is None:
            # The article's own dateline is its publication date: what dates its events when nothing else does.
            dateline = publication_date(text, detect_language(text))
            published_on = datetime.date.fromisoformat(dateline) if dateline else None
        first_line = next((line.strip() for line in text.splitlines() if line.strip()), "")
        source = Source(
            url=url,
            title=(title or Truncator(first_line).chars(300) or "Untitled article")[:500],
            publisher=publisher,
            author=author,
            published_on=published_on,
            retrieved_at=timezone.now() if url else None,
            text=text,
        )
        services.record_save(instance=source)
    elif not source.text:
        services.record_save(instance=source, data={"text": text})
    return source


def ingest_url(url: str, *, project: Project | None = None) -> IngestionResult:
    """Fetch a page (safely), keep its main text as a source, and ingest it."""
    article = fetch_article(url)
    source = store_source(
        text=article.text,
        url=article.url,
        title=article.title,
        publisher=article.publisher,
        author=article.author,
        published_on=article.published_on,
    )
    return ingest_source(source=source, project=project)
