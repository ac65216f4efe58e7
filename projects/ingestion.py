"""From an article to proposed claims: store the source, extract its facts,
find the project it is about (or propose a draft one) and record every fact as
a *proposed* claim for a person to review.

Used by ``manage.py ingest_article``, the admin's "extract facts" action and
``POST /api/v1/sources/{id}/extract/``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, Value
from django.utils import timezone
from django.utils.text import Truncator

from core.geo import bounding_box, distance_km, geocode
from core.writes import service
from projects import choices, services
from projects.attributes import ATTRIBUTES
from projects.extraction import Extraction, Fact, detect_language, extract_facts
from projects.extraction.dates import publication_date
from projects.fetching import fetch_article
from projects.models import Claim, Organization, Project, Source
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

    @property
    def conflicts(self) -> list[Claim]:
        return [claim for claim in self.claims if claim.in_conflict]


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


def find_or_create_organization(name: str, role: str | None) -> Organization:
    organization = Organization.objects.filter(name__iexact=name).first()
    if organization is None:
        organization = Organization.objects.filter(aliases__icontains=name).first()
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
    elif fact.field == "announced_on":
        data["value_date"], data["value_date_precision"] = parse_partial_date(fact.value)
    elif fact.field == "organization":
        data["value_organization"] = find_or_create_organization(str(fact.value), fact.role)
        data["role"] = fact.role or ""
    elif fact.field in TEXT_FIELDS:
        data["value_text"] = str(fact.value)[:500]
    if fact.field == "capacity_mw" and fact.basis:
        data["note"] = f"basis: {fact.basis}"
    return data


@service
def ingest_source(*, source: Source, project: Project | None = None, language: str | None = None) -> IngestionResult:
    """Extract the facts of a stored source and record them as proposed claims."""
    extraction = extract_facts(source.text, language=language or source.language or None)
    if not source.language and extraction.language:
        services.record_save(instance=source, data={"language": extraction.language})
    project_created, reason = False, "given"
    if project is None:
        earlier = Claim.objects.filter(source=source, project__isnull=False).select_related("project").first()
        project, reason = (earlier.project, "earlier ingestion") if earlier else (None, "")
    if project is None:
        project, reason = match_project(extraction, source.text)
    if project is None:
        project, project_created, reason = propose_project(extraction, source), True, "new draft"
    existing = set(
        Claim.objects.filter(project=project, source=source).values_list("attribute", "value_key", "quote_start")
    )
    claims = []
    for fact in extraction.facts:
        data = claim_data_from_fact(fact)
        if data is None:
            continue
        if fact.field == "status":
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
    return IngestionResult(
        source=source,
        project=project,
        project_created=project_created,
        match_reason=reason,
        extraction=extraction,
        claims=claims,
    )


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
