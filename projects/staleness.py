"""Staleness, as the reference trackers define it: a project no source has reported on for two
years is *shelved — inferred*, for four years *cancelled — inferred*.

The inference never changes the recorded status; it is read beside it. It applies to projects
not yet under construction (announced, planning, permitted): a site being built or running is
not halted because the press is quiet about it, and a project already shelved, cancelled or
decommissioned says so itself.

A project was *last reported on* at the latest of: the date each of its accepted claims is true
as of (else its source's publication date), and its announcement date. A project with none of
these dates is not inferred anything. Two years have passed on the anniversary itself: a
project last reported on 1 June 2024 is shelved — inferred from 1 June 2026.

Lists read it cheaply: a page's or a download chunk's dates in one grouped query over its rows'
claims (``last_reported_by_id()``), served by the claims' index on (project, attribute, status);
``with_last_reported()``, one correlated aggregate per row, is for the lists sorted by it (the
admin's). ``filter_inferred()`` is a
pair of EXISTS conditions, which PostgreSQL runs as a semi- or anti-join over the claims
rather than one aggregate per project of the table.
"""

from __future__ import annotations

import datetime
import functools

from django.db import models
from django.db.models import DateField, Exists, F, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from projects import choices
from projects.models import Claim, Project

SHELVED_AFTER_YEARS = 2
CANCELLED_AFTER_YEARS = 4
# The statuses a quiet press says something about.
INFERABLE_STATUSES = (
    choices.ProjectStatus.ANNOUNCED,
    choices.ProjectStatus.PLANNING,
    choices.ProjectStatus.PERMITTED,
)
# The annotation lists and downloads read.
LAST_REPORTED = "last_reported_on"


class InferredStatus(models.TextChoices):
    SHELVED = "shelved", _("Shelved — inferred")
    CANCELLED = "cancelled", _("Cancelled — inferred")


INFERRED_LABELS = dict(InferredStatus.choices)

S = choices.ProjectStatus
# What each status means, written once: the data page's table and the README's say the same.
STATUS_DEFINITIONS = {
    S.ANNOUNCED: _("Made public by its developer, an authority or the press; no planning step is known yet."),
    S.PLANNING: _("Studies, land purchase or permit applications are under way."),
    S.PERMITTED: _("The building or environmental permit has been granted; works have not started."),
    S.CONSTRUCTION: _("Works have started on the site."),
    S.PARTIALLY_OPERATIONAL: _("At least one phase or building runs; others are still to be built."),
    S.OPERATIONAL: _("The data center runs as announced."),
    S.SHELVED: _("Put on hold, as a source says (by its developer, an authority or a court)."),
    S.CANCELLED: _("Abandoned, as a source says. Left out of totals."),
    S.DECOMMISSIONED: _("Ran, and has been shut down. Left out of totals."),
}
INFERRED_DEFINITIONS = {
    InferredStatus.SHELVED: _(
        "Announced, planning or permitted, and no source has reported on the project for two years. Shown beside "
        "the recorded status, which it never changes; still counted in totals."
    ),
    InferredStatus.CANCELLED: _(
        "Announced, planning or permitted, and no source has reported on the project for four years. Shown beside "
        "the recorded status, which it never changes; still counted in totals."
    ),
}


def today() -> datetime.date:
    """The day the inference is made for (tests fix it)."""
    return timezone.localdate()


def years_before(day: datetime.date, years: int) -> datetime.date:
    """The same day ``years`` earlier; 29 February gives 28 February."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def cutoffs(on: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """(shelved, cancelled): a project last reported on or before the first is shelved — inferred,
    on or before the second cancelled — inferred."""
    on = on or today()
    return years_before(on, SHELVED_AFTER_YEARS), years_before(on, CANCELLED_AFTER_YEARS)


def inferred_status(status: str, last_reported: datetime.date | None, on: datetime.date | None = None) -> str | None:
    """``shelved``, ``cancelled`` or None, for a project of ``status`` last reported on ``last_reported``."""
    if status not in INFERABLE_STATUSES or last_reported is None:
        return None
    shelved, cancelled = cutoffs(on)
    if last_reported <= cancelled:
        return InferredStatus.CANCELLED.value
    if last_reported <= shelved:
        return InferredStatus.SHELVED.value
    return None


# SQL ---------------------------------------------------------------------------------------


def _accepted_claims():
    return Claim._base_manager.filter(project=OuterRef("pk"), status=choices.ClaimStatus.ACCEPTED)


def _claim_dates_after(day: datetime.date) -> Q:
    return Q(as_of__gt=day) | Q(as_of__isnull=True, source__published_on__gt=day)


def last_reported():
    """The date a project was last reported on, as an expression over its row."""
    latest_claim = Subquery(
        _accepted_claims()
        .order_by()
        .values("project")
        .annotate(latest=Max(Coalesce("as_of", "source__published_on")))
        .values("latest"),
        output_field=DateField(),
    )
    # PostgreSQL's GREATEST skips nulls, SQLite's MAX() does not: the coalesce gives either one alone.
    return Coalesce(
        Greatest(latest_claim, F("announced_on")), latest_claim, F("announced_on"), output_field=DateField()
    )


def with_last_reported(queryset: QuerySet[Project]) -> QuerySet[Project]:
    """The projects with ``last_reported_on``, once."""
    if LAST_REPORTED in queryset.query.annotations:
        return queryset
    return queryset.annotate(**{LAST_REPORTED: last_reported()})


def _reported_after(day: datetime.date) -> Q:
    return Q(Exists(_accepted_claims().filter(_claim_dates_after(day)))) | Q(announced_on__gt=day)


def _dated() -> Q:
    dated_claims = _accepted_claims().filter(Q(as_of__isnull=False) | Q(source__published_on__isnull=False))
    return Q(Exists(dated_claims)) | Q(announced_on__isnull=False)


def inferred_condition(value: str, on: datetime.date | None = None) -> Q:
    """The projects ``inferred_status()`` gives ``value``, as a condition the database indexes."""
    shelved, cancelled = cutoffs(on)
    inferable = Q(status__in=INFERABLE_STATUSES)
    if value == InferredStatus.SHELVED:
        return inferable & ~_reported_after(shelved) & _reported_after(cancelled)
    if value == InferredStatus.CANCELLED:
        return inferable & ~_reported_after(cancelled) & _dated()
    raise ValueError(value)


def filter_inferred(queryset: QuerySet[Project], values, on: datetime.date | None = None) -> QuerySet[Project]:
    condition = Q()
    for value in values:
        condition |= inferred_condition(value, on)
    return queryset.filter(condition)


# Records -----------------------------------------------------------------------------------


def last_reported_of(project: Project) -> datetime.date | None:
    """The project's ``last_reported_on``: the annotation when the query read it, else from its
    prefetched claims (a detail page, a record rebuilt as of a day), else one query."""
    if hasattr(project, LAST_REPORTED):
        return getattr(project, LAST_REPORTED)
    prefetched = getattr(project, "_prefetched_objects_cache", {}).get("claims")
    if prefetched is not None or project.pk is None:
        return last_reported_from(prefetched or (), project.announced_on)
    value = with_last_reported(Project._base_manager.filter(pk=project.pk)).values_list(LAST_REPORTED, flat=True)
    value = next(iter(value), None)
    setattr(project, LAST_REPORTED, value)
    return value


def last_reported_from(claims, announced_on: datetime.date | None) -> datetime.date | None:
    """``last_reported_on`` from a project's claims (read with their sources) and its announcement date."""
    dates = [announced_on] if announced_on else []
    for claim in claims:
        if claim.status == choices.ClaimStatus.ACCEPTED:
            date = claim.as_of or (claim.source.published_on if claim.source_id else None)
            if date is not None:
                dates.append(date)
    return max(dates, default=None)


def latest_claim_dates(project_ids) -> dict[int, datetime.date]:
    """The latest accepted claim date of each project, in one grouped query: for a chunk of a
    download, where one correlated aggregate per row would cost more than the rows themselves."""
    rows = _latest_claim_dates().filter(project_id__in=project_ids)
    return {project_id: latest for project_id, latest in rows if latest is not None}


@functools.cache
def _latest_claim_dates() -> QuerySet:
    """The grouped query of ``latest_claim_dates`` but for its projects, built once: each page of the
    API's list reads it, and building it took longer than running it."""
    return (
        Claim._base_manager.filter(status=choices.ClaimStatus.ACCEPTED)
        .order_by()
        .values("project_id")
        .annotate(latest=Max(Coalesce("as_of", "source__published_on")))
        .values_list("project_id", "latest")
    )


def last_reported_by_id(announced: dict[int, datetime.date | None]) -> dict[int, datetime.date | None]:
    """``last_reported_on`` of each project (ID -> its announcement date), its claims' dates read in one
    grouped query: for a page or a chunk of rows, cheaper to read and to compile than the correlated
    aggregate of ``with_last_reported()`` in the rows' own query."""
    latest = latest_claim_dates(list(announced)) if announced else {}
    return {
        pk: max((day for day in (latest.get(pk), announced_on) if day is not None), default=None)
        for pk, announced_on in announced.items()
    }


def read_last_reported(projects) -> list[Project]:
    """The projects of one page, each with ``last_reported_on`` set (one query for the page)."""
    projects = list(projects)
    dates = last_reported_by_id({project.pk: project.announced_on for project in projects})
    for project in projects:
        setattr(project, LAST_REPORTED, dates[project.pk])
    return projects


def inferred_of(project: Project, on: datetime.date | None = None) -> str | None:
    return inferred_status(project.status, last_reported_of(project), on)


def attach(projects, on: datetime.date | None = None):
    """Set ``inferred_status`` (None or an ``InferredStatus``) on the projects of one page."""
    on = on or today()
    for project in projects:
        project.inferred_status = inferred_of(project, on)
    return projects
