"""Power over time: capacity by year, built from the projects' phases.

A phase with a capacity and a target year adds its megawatts in that year: *online* once the
phase is operational (wholly or partly), *planned* before; a cancelled or decommissioned phase
adds nothing. A project's page shows its own phases this way (``project_capacity_by_year``,
from the phases and claims ``selectors.project_detail`` prefetches: no query of its own);
``/stats/`` adds up every project's (``pipeline_rows``), and counts a project with no such
phase by its own figures, its capacity in its target year of operation, said so in the table.
Both follow the public pages' rule: a phase standing on a claim waits for the claim to be
accepted, a draft project's phases are never counted.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, QuerySet, Sum

from projects import choices
from projects.models import Phase, Project

S = choices.ProjectStatus
ONLINE_STATUSES = (S.PARTIALLY_OPERATIONAL, S.OPERATIONAL)
# What a phase adds nothing for, like the projects the totals leave out.
NOT_COUNTED_STATUSES = (S.CANCELLED, S.DECOMMISSIONED)
# A project's years are listed one by one when its phases span no more than this.
MAX_FILLED_YEARS = 30


def is_online(status: str) -> bool:
    return status in ONLINE_STATUSES


@dataclass
class PhaseMark:
    """One phase as the project page lists it, with what a reader should know of its figure."""

    phase: Phase
    online: bool
    counted: bool
    # the claim the phase stands on, if any: its confidence and bound mark an uncertain figure
    claim: object | None = None

    @property
    def typed_by_hand(self) -> bool:
        return self.claim is None

    @property
    def confidence(self) -> float | None:
        return getattr(self.claim, "confidence", None)

    @property
    def confidence_percent(self) -> int | None:
        return None if self.confidence is None else round(self.confidence * 100)

    @property
    def bound(self) -> str:
        """How the source bounds the figure ("at least", "up to"...), empty for an exact one."""
        if self.claim is None or self.claim.bound == choices.ClaimBound.EXACT:
            return ""
        return self.claim.get_bound_display()


@dataclass
class YearRow:
    year: int
    phases: list[PhaseMark] = field(default_factory=list)
    added_online: Decimal = Decimal(0)
    added_planned: Decimal = Decimal(0)
    online: Decimal = Decimal(0)  # running totals up to and including the year
    planned: Decimal = Decimal(0)

    @property
    def total(self) -> Decimal:
        return self.online + self.planned


@dataclass
class CapacityOverTime:
    years: list[YearRow]
    # phases without a capacity or a year, and cancelled or decommissioned ones: listed, not added
    unplaced: list[PhaseMark]

    def __bool__(self):
        return bool(self.years or self.unplaced)


def project_capacity_by_year(project: Project) -> CapacityOverTime:
    """The project's capacity by target year, phase by phase, as running totals online and planned.

    Reads ``project.phases`` and ``project.claims`` as prefetched by ``selectors.project_detail``
    (phases already limited to what readers see)."""
    claims = {claim.pk: claim for claim in project.claims.all()}
    by_year: dict[int, YearRow] = {}
    unplaced = []
    for phase in project.phases.all():
        counted = phase.status not in NOT_COUNTED_STATUSES
        mark = PhaseMark(phase=phase, online=is_online(phase.status), counted=counted, claim=claims.get(phase.claim_id))
        if not counted or phase.capacity_mw is None or phase.target_year is None:
            unplaced.append(mark)
            continue
        row = by_year.setdefault(phase.target_year, YearRow(phase.target_year))
        row.phases.append(mark)
        if mark.online:
            row.added_online += phase.capacity_mw
        else:
            row.added_planned += phase.capacity_mw
    online = planned = Decimal(0)
    years = []
    placed = sorted(by_year)
    # every year between the first and the last, so the running totals read as a time line
    span = range(placed[0], placed[-1] + 1) if placed and placed[-1] - placed[0] <= MAX_FILLED_YEARS else placed
    for year in span:
        row = by_year.get(year) or YearRow(year)
        online += row.added_online
        planned += row.added_planned
        row.online, row.planned = online, planned
        years.append(row)
    return CapacityOverTime(years=years, unplaced=unplaced)


def chart_values(capacity: CapacityOverTime) -> tuple[list[int], list[tuple[str, str, str]], dict]:
    """What ``charts.stacked_columns`` draws: each year's running total, online below planned."""
    from django.utils.translation import gettext as _

    from projects import charts

    series = [
        ("online", _("Online"), charts.STATUS_COLOURS[S.OPERATIONAL]),
        ("planned", _("Planned"), charts.STATUS_COLOURS[S.PLANNING]),
    ]
    values = {}
    for row in capacity.years:
        values[(row.year, "online")] = row.online
        values[(row.year, "planned")] = row.planned
    return [row.year for row in capacity.years], series, values


def counted_phases(phases: QuerySet[Phase]) -> QuerySet[Phase]:
    """The phases the pipeline adds up: seen by readers, with a capacity and a target year,
    neither cancelled nor decommissioned."""
    from projects.selectors import PUBLIC

    return (
        PUBLIC.parts(phases)
        .filter(capacity_mw__isnull=False, target_year__isnull=False)
        .exclude(status__in=NOT_COUNTED_STATUSES)
    )


def pipeline_rows(projects: QuerySet[Project]) -> list[dict]:
    """MW per target year and status, from the phases of ``projects`` (the status a phase has);
    a project with no counted phase adds its own capacity in its target year of operation.

    Each row: ``operational_year``, ``status``, ``mw``, ``projects`` (how many projects add to
    it) and ``from_phases_mw`` (the part of ``mw`` that comes from phases). Two queries."""
    phases = counted_phases(Phase.objects.filter(project__in=projects))
    totals: dict[tuple[int, str], dict] = defaultdict(
        lambda: {"mw": Decimal(0), "projects": 0, "from_phases_mw": Decimal(0)}
    )
    by_phase = phases.values("target_year", "status").annotate(
        mw=Sum("capacity_mw"), projects=Count("project", distinct=True)
    )
    for row in by_phase.order_by():
        total = totals[(row["target_year"], row["status"])]
        total["mw"] += row["mw"]
        total["from_phases_mw"] += row["mw"]
        total["projects"] += row["projects"]
    whole = (
        projects.filter(operational_year__isnull=False, capacity_mw__isnull=False)
        .exclude(Exists(counted_phases(Phase.objects.filter(project=OuterRef("pk")))))
        .values("operational_year", "status")
        .annotate(mw=Sum("capacity_mw"), projects=Count("pk"))
        .order_by()
    )
    for row in whole:
        total = totals[(row["operational_year"], row["status"])]
        total["mw"] += row["mw"]
        total["projects"] += row["projects"]
    order = {status: index for index, status in enumerate(S.values)}
    return [
        {"operational_year": year, "status": status, **total}
        for (year, status), total in sorted(totals.items(), key=lambda item: (item[0][0], order.get(item[0][1], 99)))
    ]
