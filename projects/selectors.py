"""The one read path: prepared querysets for lists and detail pages, shared by the
API, the public pages and the admin. Each prefetch names what it serves."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Prefetch, Q, QuerySet, Sum

from core.geo import distance_km
from core.models import ObjectChange
from projects import choices
from projects.models import (
    Claim,
    GridConnection,
    Milestone,
    Project,
    ProjectRole,
    ProjectStatusChange,
    values_disagree,
)


def slug_or_id(value: str, prefix: str = "") -> dict:
    """The lookup for a record named by its slug or its ID: a value of ASCII digits is the ID.

    ``str.isdigit()`` alone also accepts digits such as "²", which ``int()`` refuses.
    """
    if value.isascii() and value.isdigit():
        return {f"{prefix}pk": int(value)}
    return {f"{prefix}slug": value}


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
        if values_disagree(claims[0].value_kind, {claim.value_key for claim in claims}):
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


# Public pages -----------------------------------------------------------------------------

# Statuses whose MW no longer count towards what is coming: the pipeline and totals skip them.
ABANDONED_STATUSES = (choices.ProjectStatus.CANCELLED, choices.ProjectStatus.DECOMMISSIONED)


def public_projects() -> QuerySet[Project]:
    """Projects readers may see: drafts proposed by ingestion wait for a person to confirm them."""
    return project_list().filter(is_draft=False)


def project_totals() -> dict:
    """Headline totals of the overview, in one aggregate query."""
    return public_projects().aggregate(
        projects=Count("pk"),
        mw_announced=Sum("capacity_mw", filter=~Q(status__in=ABANDONED_STATUSES)),
        mw_operational=Sum("capacity_mw", filter=Q(status=choices.ProjectStatus.OPERATIONAL)),
    )


def investment_by_currency() -> QuerySet:
    """Sum of headline investments per currency: amounts in different currencies never add up."""
    return (
        public_projects()
        .filter(investment_amount__isnull=False)
        .values("investment_currency")
        .annotate(total=Sum("investment_amount"), projects=Count("pk"))
        .order_by("-total")
    )


def pipeline_by_year() -> QuerySet:
    """MW per target year of operation and status, cancelled and decommissioned left out."""
    return (
        public_projects()
        .exclude(status__in=ABANDONED_STATUSES)
        .filter(operational_year__isnull=False, capacity_mw__isnull=False)
        .values("operational_year", "status")
        .annotate(mw=Sum("capacity_mw"), projects=Count("pk"))
        .order_by("operational_year", "status")
    )


def capacity_by_country() -> QuerySet:
    return (
        public_projects()
        .exclude(status__in=ABANDONED_STATUSES)
        .filter(capacity_mw__isnull=False)
        .values("country")
        .annotate(mw=Sum("capacity_mw"), projects=Count("pk"))
        .order_by("-mw", "country")
    )


def investment_by_country() -> QuerySet:
    return (
        public_projects()
        .filter(investment_amount__isnull=False)
        .values("country", "investment_currency")
        .annotate(total=Sum("investment_amount"), projects=Count("pk"))
        .order_by("investment_currency", "-total", "country")
    )


def projects_by_kind() -> QuerySet:
    return public_projects().values("kind").annotate(projects=Count("pk")).order_by("-projects", "kind")


def map_features(queryset: QuerySet[Project]) -> QuerySet:
    """The columns a map marker needs, as dictionaries: no model instances for thousands of rows."""
    return queryset.filter(latitude__isnull=False).values(
        "name", "slug", "latitude", "longitude", "capacity_mw", "status"
    )


def map_counts(queryset: QuerySet[Project]) -> dict:
    """How many projects match and how many of them have coordinates to be drawn."""
    return queryset.aggregate(projects=Count("pk"), mapped=Count("pk", filter=Q(latitude__isnull=False)))


def latest_changes(limit: int = 8) -> list[ObjectChange]:
    """The latest edits to projects and their records, newest first, each with ``project``
    (None once deleted or while a draft) read in one query for the whole list."""
    project_type = _project_type()
    changes = list(
        ObjectChange.objects.select_related("content_type").filter(
            Q(content_type=project_type) | Q(parent_content_type=project_type)
        )[:limit]
    )
    project_ids = {
        change.object_id if change.content_type_id == project_type.pk else change.parent_object_id for change in changes
    }
    projects = public_projects().only("pk", "name", "slug").in_bulk(project_ids)
    for change in changes:
        is_project = change.content_type_id == project_type.pk
        change.project = projects.get(change.object_id if is_project else change.parent_object_id)
    return changes


def project_changes(project: Project, limit: int = 15) -> QuerySet[ObjectChange]:
    """Edits to a project and to its children (claims, roles, milestones...), newest first."""
    project_type = _project_type()
    return ObjectChange.objects.select_related("content_type").filter(
        Q(content_type=project_type, object_id=project.pk)
        | Q(parent_content_type=project_type, parent_object_id=project.pk)
    )[:limit]


def _project_type() -> ContentType:
    return ContentType.objects.get_for_model(Project)  # cached by ContentType's manager
