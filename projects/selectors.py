"""The one read path: prepared querysets for lists and detail pages, shared by the
API, the public pages and the admin. Each prefetch names what it serves."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from core.geo import distance_km
from projects import choices
from projects.models import (
    Claim,
    GridConnection,
    Milestone,
    Organization,
    Project,
    ProjectRole,
    ProjectStatusChange,
)


def project_list() -> QuerySet[Project]:
    """Projects for lists: every column a list shows lives on the project row itself."""
    return Project.objects.all()


def project_detail() -> QuerySet[Project]:
    """Projects with everything their detail view shows, in a fixed number of queries."""
    return Project.objects.prefetch_related(
        # figures with their sources and quotes, and the conflicts among them
        Prefetch(
            "claims",
            queryset=Claim.objects.select_related("source", "value_organization").order_by(
                "attribute", "-is_headline", "as_of", "id"
            ),
        ),
        "phases",
        Prefetch("milestones", queryset=Milestone.objects.select_related("source", "phase")),
        Prefetch("roles", queryset=ProjectRole.objects.select_related("organization", "source")),
        Prefetch(
            "grid_connections",
            queryset=GridConnection.objects.select_related("substation", "grid_operator", "source"),
        ),
        Prefetch("status_history", queryset=ProjectStatusChange.objects.select_related("source")),
    )


def organization_list() -> QuerySet[Organization]:
    return Organization.objects.all()


@dataclass
class Conflict:
    """Accepted claims that disagree on one attribute of a project."""

    attribute: str
    label: str
    claims: list[Claim]

    @property
    def values(self) -> list[str]:
        seen = []
        for claim in self.claims:
            if claim.display_value not in seen:
                seen.append(claim.display_value)
        return seen


def figures_by_attribute(project: Project) -> dict[str, list[Claim]]:
    """Accepted claims per attribute, headline first; reads the prefetched claims."""
    figures: dict[str, list[Claim]] = defaultdict(list)
    for claim in project.claims.all():
        if claim.status == choices.ClaimStatus.ACCEPTED:
            figures[claim.attribute].append(claim)
    for claims in figures.values():
        claims.sort(key=lambda c: (not c.is_headline, c.as_of is None, c.as_of, c.pk))
    return dict(figures)


def project_conflicts(project: Project) -> list[Conflict]:
    """Attributes on which accepted claims disagree, with every claim behind each value."""
    conflicts = []
    for attribute, claims in figures_by_attribute(project).items():
        if attribute in choices.MULTI_VALUED_ATTRIBUTES:
            continue
        if len({claim.value_key for claim in claims}) > 1:
            label = str(choices.ClaimAttribute(attribute).label)
            conflicts.append(Conflict(attribute=attribute, label=label, claims=claims))
    return conflicts


def attach_distances(projects, point: tuple[float, float] | None):
    """Set ``distance_km`` (geodesic, from ``point``) on the projects of one page."""
    for project in projects:
        project.distance_km = (
            round(distance_km(point, project.point), 2) if point is not None and project.point else None
        )
    return projects
