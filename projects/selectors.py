"""The one read path: prepared querysets for lists and detail pages, shared by the
API, the public pages and the admin. Each prefetch names what it serves."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Avg,
    BigIntegerField,
    Case,
    Count,
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    TextField,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, ExtractYear, Floor
from django.db.models.lookups import Contains

from core.geo import distance_km
from core.models import ObjectChange
from projects import attributes, choices
from projects.models import (
    Claim,
    GridConnection,
    Indicator,
    Milestone,
    Organization,
    OrganizationRedirect,
    OrganizationRelationship,
    Phase,
    Project,
    ProjectRedirect,
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


def moved_to(queryset: QuerySet, value: str):
    """The record of ``queryset`` an old address now leads to (a former slug, the ID of a record merged
    into it), or None: one query, and only a record the reader may see (a draft's address stays a 404)."""
    redirect_model = {Project: ProjectRedirect, Organization: OrganizationRedirect}[queryset.model]
    target = f"{redirect_model.change_log_parent}_id"
    lookup = slug_or_id(value)
    old = {"old_id": lookup["pk"]} if "pk" in lookup else {"old_slug": value}
    return queryset.filter(pk__in=redirect_model.objects.filter(**old).values(target)).only("pk", "slug").first()


def project_list() -> QuerySet[Project]:
    """Projects for lists: every column a list shows lives on the project row itself."""
    return Project.objects.all()


def backed(queryset: QuerySet) -> QuerySet:
    """Records typed by hand (no claim behind them) or standing on an accepted claim."""
    return queryset.filter(Q(claim__isnull=True) | Q(claim__status=choices.ClaimStatus.ACCEPTED))


# Records that may stand on a claim, and wait for it to be accepted before readers see them.
BACKED_MODELS = (Phase, Milestone, ProjectRole, GridConnection, OrganizationRelationship, Indicator)


def _backed_record_changes() -> Q:
    """Entries about a record that stands on a claim: shown while it is backed, or, once deleted,
    when it was typed by hand or its claim is accepted."""
    condition = Q()
    content_types = ContentType.objects.get_for_models(*BACKED_MODELS)  # one query on a cold cache, not six
    for model in BACKED_MODELS:
        content_type = content_types[model]
        record = model._base_manager.filter(pk=OuterRef("object_id"))
        deleted_while_backed = (
            ObjectChange.objects.filter(
                content_type=content_type, object_id=OuterRef("object_id"), action=ObjectChange.Action.DELETE
            )
            .annotate(claim_ref=Cast(KT("prechange_data__claim_id"), BigIntegerField()))
            .filter(
                Q(claim_ref__isnull=True)
                | Exists(Claim._base_manager.filter(pk=OuterRef("claim_ref"), status=choices.ClaimStatus.ACCEPTED))
            )
        )
        condition &= (
            ~Q(content_type=content_type) | Exists(backed(record)) | (~Exists(record) & Exists(deleted_while_backed))
        )
    return condition


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
        # the parts, each typed by hand or backed by an accepted claim (one still in review waits)
        Prefetch("phases", queryset=backed(Phase.objects.all())),
        Prefetch("milestones", queryset=backed(Milestone.objects.select_related("source", "phase"))),
        Prefetch("roles", queryset=backed(ProjectRole.objects.select_related("organization", "source"))),
        Prefetch(
            "grid_connections",
            queryset=backed(GridConnection.objects.select_related("substation", "grid_operator", "source")),
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
    """Attributes on which accepted claims of the same scope disagree, with every claim behind each value.

    A figure of the whole project and one of the eventual build-out are not compared.
    """
    conflicts = []
    for attribute, claims in figures_by_attribute(project).items():
        if attribute in attributes.MULTI_VALUED:
            continue
        by_scope: dict[str, list[Claim]] = defaultdict(list)
        for claim in claims:
            by_scope[claim.scope].append(claim)
        disputed = [
            claim
            for group in by_scope.values()
            if values_disagree(group[0].value_kind, {claim.value_key for claim in group})
            for claim in group
        ]
        if disputed:
            label = str(choices.ClaimAttribute(attribute).label)
            conflicts.append(Conflict(attribute=attribute, label=label, claims=disputed))
    return conflicts


def attach_distances(projects, point: tuple[float, float] | None):
    """Set ``distance_km`` (geodesic, from ``point``) on the projects of one page."""
    for project in projects:
        project.distance_km = (
            round(distance_km(point, project.point), 2) if point is not None and project.point else None
        )
    return projects


# Visibility -------------------------------------------------------------------------------
#
# The one rule for what a reader sees, applied by every public read: the API's lists and
# details (near and bbox filter the same queryset), its CSV and GeoJSON downloads, its stats
# and changes feed, and the public pages with their map data.
#
# - A draft project (proposed by article ingestion, not yet confirmed by a person) and every
#   part of it (claims, phases, milestones, roles, grid connections, status history, and
#   their changes) are left out. Users who may see unpublished projects get them in lists
#   only when they ask (``include_drafts``), and in a draft's detail.
# - Of claims, only the accepted ones are shown, and only their changes are in the feed.
# - The changes feed names no one: the author of a change is shown to users who may read
#   the change history in the admin.
#
# "May see unpublished records of a model" means: holds the permission to view, add, change
# or review that model, as the admin asks before it shows them. Being staff is not enough.

UNPUBLISHED_ACTIONS = ("view", "add", "change", "review")


def may_see_unpublished(user, model) -> bool:
    """Whether ``user`` may see the records of ``model`` that readers do not see yet:
    draft projects, proposed and rejected claims."""
    if user is None or not user.is_authenticated:
        return False
    opts = model._meta
    return any(user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}") for action in UNPUBLISHED_ACTIONS)


# The apps whose records' history readers see in the changes feed; the history of any other
# tracked record (a feed the newsroom watches...) is shown to those who may read the admin's.
PUBLIC_CHANGE_APPS = ("projects",)


@dataclass(frozen=True)
class Visibility:
    """What one reader may see; ``PUBLIC``, what anonymous readers see, hides everything unpublished."""

    drafts: bool = False  # draft projects and their parts
    unaccepted_claims: bool = False  # proposed and rejected claims
    authors: bool = False  # who made each change

    @classmethod
    def for_user(cls, user, *, include_drafts: bool = False) -> Visibility:
        """The visibility of ``user``; drafts only when asked for and allowed."""
        authenticated = user is not None and user.is_authenticated
        return cls(
            drafts=include_drafts and may_see_unpublished(user, Project),
            unaccepted_claims=may_see_unpublished(user, Claim),
            authors=authenticated and user.has_perm("core.view_objectchange"),
        )

    def projects(self, queryset: QuerySet[Project] | None = None) -> QuerySet[Project]:
        queryset = Project.objects.all() if queryset is None else queryset
        return queryset if self.drafts else queryset.filter(is_draft=False)

    def parts(self, queryset: QuerySet) -> QuerySet:
        """A project's parts (phases, milestones, roles, grid connections), once their claim is accepted."""
        queryset = queryset if self.drafts else queryset.filter(project__is_draft=False)
        return self.backed(queryset)

    def backed(self, queryset: QuerySet) -> QuerySet:
        """Records that stand on a claim (parts, relationships, indicators) wait for it to be accepted."""
        return queryset if self.unaccepted_claims else backed(queryset)

    def claims(self, queryset: QuerySet[Claim] | None = None) -> QuerySet[Claim]:
        queryset = Claim.objects.all() if queryset is None else queryset
        if not self.drafts:
            # a claim about an organization belongs to no project
            queryset = queryset.filter(Q(project__isnull=True) | Q(project__is_draft=False))
        if not self.unaccepted_claims:
            queryset = queryset.filter(status=choices.ClaimStatus.ACCEPTED)
        return queryset

    def changes(self, queryset: QuerySet[ObjectChange]) -> QuerySet[ObjectChange]:
        """Change log entries about what this reader sees, filtered in the same single query.

        An entry about a project or one of its parts is shown while the project is public, and
        after it was deleted when it was public then. An entry about a claim is shown while the
        claim is accepted: a claim that is rejected or deleted takes its history with it. A part
        that stands on a claim (a phase, a milestone, a relationship...) shows its history once
        that claim is accepted, as the part itself is shown.
        """
        project_type = ContentType.objects.get_for_model(Project)
        if not self.authors:
            # the newsroom's own records (feeds...) are the admin's business, not the public's
            queryset = queryset.filter(content_type__app_label__in=PUBLIC_CHANGE_APPS)
        if not self.drafts:
            queryset = queryset.alias(
                about_project=Case(
                    When(content_type=project_type, then=F("object_id")),
                    When(parent_content_type=project_type, then=F("parent_object_id")),
                )
            )
            project = Project.objects.filter(pk=OuterRef("about_project"))
            deleted_while_public = ObjectChange.objects.filter(
                content_type=project_type,
                object_id=OuterRef("about_project"),
                action=ObjectChange.Action.DELETE,
                prechange_data__is_draft=False,
            )
            queryset = queryset.filter(
                Q(about_project__isnull=True)
                | Exists(project.filter(is_draft=False))
                | (~Exists(project) & Exists(deleted_while_public))
            )
        if not self.unaccepted_claims:
            accepted = Claim.objects.filter(pk=OuterRef("object_id"), status=choices.ClaimStatus.ACCEPTED)
            queryset = queryset.filter(~Q(content_type=ContentType.objects.get_for_model(Claim)) | Exists(accepted))
            queryset = queryset.filter(_backed_record_changes())
        return queryset


PUBLIC = Visibility()


def visible_projects(user=None, *, include_drafts: bool = False) -> QuerySet[Project]:
    """The projects ``user`` sees in lists: never a draft, unless asked for by someone allowed."""
    return Visibility.for_user(user, include_drafts=include_drafts).projects(project_list())


# Public pages -----------------------------------------------------------------------------

# Statuses whose projects no longer count towards what is coming.
ABANDONED_STATUSES = (choices.ProjectStatus.CANCELLED, choices.ProjectStatus.DECOMMISSIONED)


def counted_in_totals(projects: QuerySet[Project]) -> QuerySet[Project]:
    """The one rule for totals (the overview, /stats/ and /api/v1/stats/capacity/): MW, investment
    and project counts add up the projects that are not cancelled or decommissioned."""
    return projects.exclude(status__in=ABANDONED_STATUSES)


def public_projects() -> QuerySet[Project]:
    """What anonymous readers see, and every public page shows: ``visible_projects()`` of no user."""
    return visible_projects()


def typed_by_hand(attribute: str):
    """A condition for aggregates and filters: the project's figure for ``attribute`` was typed by hand.

    Read from the JSON list as text, which PostgreSQL and SQLite both answer (``contains``
    on a JSON array is PostgreSQL's only).
    """
    return Contains(Cast("typed_by_hand", TextField()), f'"{attribute}"')


def countries_present() -> list[str]:
    """The countries of public projects, for the country filter: read from the country index
    (no sort by the model's default ordering, which would read the whole table)."""
    return list(public_projects().exclude(country="").order_by().values_list("country", flat=True).distinct())


def organizations_involved() -> list[tuple[str, str]]:
    """(slug, name) of the organizations with a role in a public project, for the organization filter:
    one semi-join per organization on the roles' index, not a DISTINCT over every role."""
    roles = ProjectRole.objects.filter(organization=OuterRef("pk"), project__in=public_projects())
    return list(Organization.objects.filter(Exists(roles)).order_by("name").values_list("slug", "name"))


def project_totals() -> dict:
    """Headline totals of the overview, in one aggregate query; how much of the MW no source backs."""
    return counted_in_totals(public_projects()).aggregate(
        projects=Count("pk"),
        mw_announced=Sum("capacity_mw"),
        mw_operational=Sum("capacity_mw", filter=Q(status=choices.ProjectStatus.OPERATIONAL)),
        mw_typed_by_hand=Sum("capacity_mw", filter=typed_by_hand("capacity_mw")),
    )


def investment_by_currency() -> QuerySet:
    """Sum of headline investments per currency: amounts in different currencies never add up."""
    return (
        counted_in_totals(public_projects())
        .filter(investment_amount__isnull=False)
        .values("investment_currency")
        .annotate(total=Sum("investment_amount"), projects=Count("pk"))
        .order_by("-total")
    )


def totals_base(projects: QuerySet[Project] | None) -> QuerySet[Project]:
    """What a statistic adds up: the projects counted in totals, or a filtered selection as given
    (/stats/ with filters, whose ``status`` may ask for the abandoned ones)."""
    return counted_in_totals(public_projects()) if projects is None else projects


def investment_in_euros(projects: QuerySet[Project] | None = None) -> QuerySet:
    """Investment per country, currency and year of the figure (the year stated, else the year it was
    announced): what ``projects.money`` converts to euros at the rate of that year."""
    return (
        totals_base(projects)
        .filter(investment_amount__isnull=False)
        .annotate(figure_year=Coalesce("investment_year", ExtractYear("announced_on")))
        .values("country", "investment_currency", "figure_year")
        .annotate(total=Sum("investment_amount"), projects=Count("pk"))
        .order_by("country", "investment_currency", "figure_year")
    )


def pipeline_by_year(projects: QuerySet[Project] | None = None) -> list[dict]:
    """MW per target year and status, built from the projects' phases (a project without a phase
    to count adds its own capacity in its target year); cancelled and decommissioned left out."""
    from projects.power_over_time import pipeline_rows

    return pipeline_rows(totals_base(projects))


def capacity_by_country(projects: QuerySet[Project] | None = None) -> QuerySet:
    return (
        totals_base(projects)
        .filter(capacity_mw__isnull=False)
        .values("country")
        .annotate(mw=Sum("capacity_mw"), projects=Count("pk"))
        .order_by("-mw", "country")
    )


def investment_by_country(projects: QuerySet[Project] | None = None) -> QuerySet:
    return (
        totals_base(projects)
        .filter(investment_amount__isnull=False)
        .values("country", "investment_currency")
        .annotate(total=Sum("investment_amount"), projects=Count("pk"))
        .order_by("investment_currency", "-total", "country")
    )


def projects_by_kind(projects: QuerySet[Project] | None = None) -> QuerySet:
    return totals_base(projects).values("kind").annotate(projects=Count("pk")).order_by("-projects", "kind")


def map_features(queryset: QuerySet[Project]) -> QuerySet:
    """The columns a map marker needs, as dictionaries: no model instances for thousands of rows."""
    return queryset.filter(latitude__isnull=False).values(
        "name", "slug", "latitude", "longitude", "capacity_mw", "status", "conflict_count"
    )


# The map never loads more than this many single markers: beyond it, the view is drawn as clusters.
MAP_MAX_MARKERS = 1500
# A cluster covers a square cell of about this many pixels at the map's zoom (256-pixel tiles)...
MAP_CELL_PIXELS = 48
# ...and a view is never cut into more than this many cells along its longer side.
MAP_MAX_CELLS = 64
MAP_MAX_ZOOM = 12


@dataclass(frozen=True)
class MapView:
    """The part of the world a map shows: its zoom and its bounds (west, south, east, north)."""

    zoom: int = 1
    bounds: tuple[float, float, float, float] | None = None

    @property
    def cell_degrees(self) -> float:
        """The side of a cluster's cell: about MAP_CELL_PIXELS at the zoom, and never so small that
        the view holds more than MAP_MAX_CELLS cells along its longer side."""
        cell = 360 * MAP_CELL_PIXELS / (256 * 2**self.zoom)
        if self.bounds is None:
            return max(cell, 360 / MAP_MAX_CELLS)
        west, south, east, north = self.bounds
        return max(cell, min(east - west, 360) / MAP_MAX_CELLS, (north - south) / MAP_MAX_CELLS)

    def within(self, queryset: QuerySet[Project]) -> QuerySet[Project]:
        """The projects with coordinates inside the bounds; a view across the antimeridian keeps both sides."""
        queryset = queryset.filter(latitude__isnull=False)
        if self.bounds is None:
            return queryset
        west, south, east, north = self.bounds
        queryset = queryset.filter(latitude__gte=south, latitude__lte=north)
        if east - west >= 360:
            return queryset
        west = (west + 180) % 360 - 180
        east = west + (east - self.bounds[0])
        if east <= 180:
            return queryset.filter(longitude__gte=west, longitude__lte=east)
        return queryset.filter(Q(longitude__gte=west) | Q(longitude__lte=east - 360))


def map_clusters(queryset: QuerySet[Project], view: MapView) -> list[dict]:
    """The projects in view grouped by grid cell: how many, their megawatts and where they lie on
    average, in one grouped query whose size depends on the view, not on the table."""
    cell = view.cell_degrees
    return list(
        view.within(queryset)
        .order_by()
        .annotate(cell_x=Floor(F("longitude") / cell), cell_y=Floor(F("latitude") / cell))
        .values("cell_x", "cell_y")
        .annotate(
            count=Count("pk"),
            total_mw=Sum("capacity_mw"),
            mean_latitude=Avg("latitude"),
            mean_longitude=Avg("longitude"),
            west=Min("longitude"),
            south=Min("latitude"),
            east=Max("longitude"),
            north=Max("latitude"),
        )
    )


def map_bounds(queryset: QuerySet[Project]) -> tuple[float, float, float, float] | None:
    """The smallest box holding every mapped project of the selection (west, south, east, north)."""
    box = queryset.filter(latitude__isnull=False).aggregate(
        west=Min("longitude"), south=Min("latitude"), east=Max("longitude"), north=Max("latitude")
    )
    return None if box["west"] is None else (box["west"], box["south"], box["east"], box["north"])


def map_counts(queryset: QuerySet[Project]) -> dict:
    """How many projects match and how many of them have coordinates to be drawn."""
    return queryset.aggregate(projects=Count("pk"), mapped=Count("pk", filter=Q(latitude__isnull=False)))


def latest_changes(limit: int = 8) -> list[ObjectChange]:
    """The latest edits readers may see to projects and their records, newest first, each with
    ``project`` (None once deleted) read in one query for the whole list."""
    project_type = _project_type()
    about_projects = ObjectChange.objects.filter(Q(content_type=project_type) | Q(parent_content_type=project_type))
    changes = _latest_visible(about_projects, limit)
    project_ids = {
        change.object_id if change.content_type_id == project_type.pk else change.parent_object_id for change in changes
    }
    projects = public_projects().only("pk", "name", "slug").in_bulk(project_ids)
    for change in changes:
        is_project = change.content_type_id == project_type.pk
        change.project = projects.get(change.object_id if is_project else change.parent_object_id)
    return changes


# The latest entries are read from the change log in windows of this many, newest first, each
# window filtered by the visibility rule, until enough are found or LATEST_WINDOWS were read.
LATEST_WINDOW = 64
LATEST_WINDOWS = 8


def _latest_visible(entries: QuerySet[ObjectChange], limit: int) -> list[ObjectChange]:
    """The ``limit`` newest entries anonymous readers see, in bounded work at any size of the log.

    Filtering the whole log by the visibility rule and sorting it costs a subquery per entry (2 s
    at 100,000 entries); walking the time index newest first and filtering a window at a time
    costs a few small queries. Entries hidden in bulk (hundreds of changes to drafts in a row)
    can leave the list short rather than make the page slow.
    """
    found: list[ObjectChange] = []
    window = entries.order_by("-time", "-id")
    for _ in range(LATEST_WINDOWS):
        keys = list(window.values_list("pk", "time")[:LATEST_WINDOW])
        if not keys:
            break
        visible = PUBLIC.changes(ObjectChange.objects.filter(pk__in=[pk for pk, _time in keys]))
        found += visible.select_related("content_type").order_by("-time", "-id")[: limit - len(found)]
        if len(found) >= limit or len(keys) < LATEST_WINDOW:
            break
        last_pk, last_time = keys[-1]
        window = entries.filter(Q(time__lt=last_time) | Q(time=last_time, pk__lt=last_pk)).order_by("-time", "-id")
    return found


def project_changes(project: Project, limit: int = 15) -> QuerySet[ObjectChange]:
    """Edits readers may see to a project and to its children (claims, roles, milestones...), newest first;
    with those of the projects merged into it.

    The merged projects' IDs are read first: with them as a list, the filter is an OR of the change
    log's two indexes that the planner counts right, and the visibility rule runs on those few rows.
    Left as subqueries, the planner guessed tens of thousands of matches and hashed every project and
    role instead (190 ms at 100,000 projects).
    """
    project_type = _project_type()
    ids = [
        project.pk,
        *ProjectRedirect.objects.filter(project=project, old_id__isnull=False).values_list("old_id", flat=True),
    ]
    return PUBLIC.changes(
        ObjectChange.objects.select_related("content_type").filter(
            Q(content_type=project_type, object_id__in=ids)
            | Q(parent_content_type=project_type, parent_object_id__in=ids)
        )
    )[:limit]


def _project_type() -> ContentType:
    return ContentType.objects.get_for_model(Project)  # cached by ContentType's manager
