"""The invariants behind the tracker's promise, checked over the whole database.

Each check reads in batches (a fixed number of queries per batch of projects, not per
claim) and yields ``Violation`` rows naming the project and the attribute. The checks
recompute with the readers' code (``projects.selectors``, ``projects.figures``), not with
the services that wrote the values, so a bug in either shows up as a disagreement.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Prefetch
from django.test import Client
from django.test.utils import override_settings

from projects import attributes, choices
from projects.models import Claim, GridConnection, Project, ProjectRole
from projects.selectors import project_conflicts
from projects.services.derived import connection_distance, figure_values

ACCEPTED = choices.ClaimStatus.ACCEPTED
BATCH = 500


@dataclass(frozen=True)
class Violation:
    check: str
    project: str  # slug, or "" for a record without one
    attribute: str
    message: str

    def __str__(self):
        where = " · ".join(part for part in (self.project, self.attribute) if part)
        return f"[{self.check}] {where}: {self.message}"


def _projects_in_batches() -> Iterator[list[Project]]:
    claims = Prefetch("claims", queryset=Claim._base_manager.select_related("source", "value_organization"))
    ids = list(Project._base_manager.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        yield list(Project._base_manager.filter(pk__in=ids[start : start + BATCH]).prefetch_related(claims))


def check_project(project: Project) -> Iterator[Violation]:
    claims = list(project.claims.all())
    by_attribute: dict[str, list[Claim]] = defaultdict(list)
    for claim in claims:
        by_attribute[claim.attribute].append(claim)
        if claim.status == ACCEPTED and claim.source_id is None:
            yield Violation("sourced", project.slug, claim.attribute, f"accepted claim #{claim.pk} has no source")
        if claim.value_key != claim.compute_value_key()[:600]:
            yield Violation("value-key", project.slug, claim.attribute, f"claim #{claim.pk}: stale comparable value")
        if claim.is_headline and (claim.status != ACCEPTED or claim.scope != choices.ClaimScope.PROJECT):
            yield Violation(
                "headline",
                project.slug,
                claim.attribute,
                f"claim #{claim.pk} is a headline but not an accepted whole-project claim",
            )
    typed = set(project.typed_by_hand)
    for name, group in by_attribute.items():
        headlines = [c for c in group if c.is_headline]
        eligible = [c for c in group if c.status == ACCEPTED and c.scope == choices.ClaimScope.PROJECT]
        if name in attributes.MULTI_VALUED:
            if headlines:
                yield Violation("headline", project.slug, name, "a multi-valued attribute has a headline claim")
        elif eligible and len(headlines) != 1:
            yield Violation(
                "headline", project.slug, name, f"{len(headlines)} headline claims among {len(eligible)} accepted"
            )
    for attribute in attributes.FIGURES:
        headline = next((c for c in by_attribute.get(attribute.name, []) if c.is_headline), None)
        values = figure_values(attribute, headline)
        shows = all(getattr(project, name) == value for name, value in values.items())
        if attribute.name in typed:
            if shows:
                yield Violation("figure", project.slug, attribute.name, "marked typed by hand but shows its sources")
            continue
        for name, value in values.items():
            shown = getattr(project, name)
            if shown != value:
                said = f"its headline claim #{headline.pk} says {value!r}" if headline else "no claim backs it"
                yield Violation(
                    "figure",
                    project.slug,
                    attribute.name,
                    f"{name} is {shown!r} but {said}, and it is not marked typed by hand",
                )
    conflicts = len(project_conflicts(project))
    if project.conflict_count != conflicts:
        yield Violation(
            "conflicts", project.slug, "", f"conflict_count is {project.conflict_count}, conflicts listed: {conflicts}"
        )
    for claim in claims:
        if claim.status == choices.ClaimStatus.REJECTED and claim.in_conflict:
            yield Violation("conflicts", project.slug, claim.attribute, f"rejected claim #{claim.pk} is flagged")


def check_grid_distances() -> Iterator[Violation]:
    connections = GridConnection._base_manager.select_related("project", "substation").iterator(chunk_size=BATCH)
    for connection in connections:
        expected = connection_distance(connection.project.point, connection.substation)
        if connection.distance_km != expected:
            yield Violation(
                "distance",
                connection.project.slug,
                "grid_connection",
                f"connection #{connection.pk}: distance {connection.distance_km} km, the site and substation "
                f"are {expected} km apart",
            )


def check_roles() -> Iterator[Violation]:
    roles = ProjectRole._base_manager.filter(claim__isnull=False).exclude(claim__status=ACCEPTED)
    for role in roles.select_related("project"):
        yield Violation("roles", role.project.slug, "organization", f"role #{role.pk} backed by a claim not accepted")


def check_public_answers(max_requests: int = 200) -> Iterator[Violation]:
    """Drafts and claims not accepted must be in no anonymous answer: asked over the public URLs."""
    client = Client()
    hosts = override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"])
    with hosts:
        yield from _public_answers(client, max_requests)


def _public_answers(client, max_requests: int) -> Iterator[Violation]:
    drafts = list(Project._base_manager.filter(is_draft=True).values_list("slug", flat=True)[:max_requests])
    hidden_claims = list(Claim._base_manager.exclude(status=ACCEPTED).values_list("pk", "project__slug")[:max_requests])
    for slug in drafts:
        for url in (f"/api/v1/projects/{slug}/", f"/projects/{slug}/"):
            status = client.get(url).status_code
            if status != 404:
                yield Violation("public", slug, "", f"anonymous GET {url} answers {status} for a draft")
    if drafts:
        download = b"".join(client.get("/api/v1/projects/?format=csv").streaming_content).decode("utf-8-sig")
        listed = {row.get("slug") for row in csv.DictReader(io.StringIO(download))}
        for slug in set(drafts) & listed:
            yield Violation("public", slug, "", "a draft is in the anonymous CSV download")
    for pk, slug in hidden_claims:
        status = client.get(f"/api/v1/claims/{pk}/").status_code
        if status != 404:
            yield Violation("public", slug or "", "", f"anonymous GET /api/v1/claims/{pk}/ answers {status}")


def violations(*, public: bool = True, max_requests: int = 200) -> Iterator[Violation]:
    for batch in _projects_in_batches():
        for project in batch:
            yield from check_project(project)
    yield from check_grid_distances()
    yield from check_roles()
    if public:
        yield from check_public_answers(max_requests)
