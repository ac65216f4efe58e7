"""Creating, editing and deleting projects."""

from __future__ import annotations

import datetime

from django.utils import timezone

from core.writes import service
from projects import attributes
from projects.models import Claim, Project
from projects.search import refresh_search
from projects.services.base import apply, check_version, lock_project, save_validated
from projects.services.derived import figure_values, first_status, project_shows, refresh_project
from projects.services.merge import remember_rename

# Columns the services keep; an edit naming them is ignored rather than trusted.
DERIVED_FIELDS = frozenset({"conflict_count", "typed_by_hand", "version", "created", "last_updated", "id"})


def _mark_typed(project: Project, names, headlines: dict[str, Claim]):
    """A figure an edit sets to anything but its headline's value (or, with no headline, to a value) is
    typed by hand; set back to what the sources say, it is sourced again."""
    typed = set(project.typed_by_hand)
    for attribute in {attributes.FIELD_ATTRIBUTE[name] for name in names if name in attributes.FIELD_ATTRIBUTE}:
        if project_shows(project, figure_values(attribute, headlines.get(attribute.name))):
            typed.discard(attribute.name)
        else:
            typed.add(attribute.name)
    project.typed_by_hand = sorted(typed)


def _headlines(project: Project) -> dict[str, Claim]:
    return {
        claim.attribute: claim
        for claim in Claim._base_manager.filter(project_id=project.pk, is_headline=True).select_related("source")
    }


@service
def project_create(
    *,
    data: dict,
    user=None,
    status_date: datetime.date | None = None,
    status_precision: str | None = None,
    undated: bool = False,
) -> Project:
    """A new project; the figures it is given are unsourced (typed by hand) until a claim is accepted.

    Its first status step is dated ``status_date``, else its announcement, else today; with
    ``undated`` (nothing says when it happened, as for an article without a date) there is none
    rather than one dated by the day the record was made.
    """
    project = Project(**{name: value for name, value in data.items() if name not in DERIVED_FIELDS})
    _mark_typed(project, attributes.FIELD_ATTRIBUTE, {})
    save_validated(project)
    if status_date or project.announced_on or not undated:
        first_status(project, status_date, status_precision)
    refresh_search([project.pk])
    return project


@service
def project_update(
    *,
    project: Project,
    data: dict,
    user=None,
    expected_version: int | None = None,
    status_date: datetime.date | None = None,
) -> Project:
    """Apply an edit to the project as it is now (locked), never to a stale copy.

    Returns the saved project; the caller's instance is brought up to date too.
    """
    current = lock_project(project.pk)
    check_version(current, project.version if expected_version is None else expected_version)
    data = {name: value for name, value in data.items() if name not in DERIVED_FIELDS}
    changed = [name for name, value in data.items() if getattr(current, name) != value]
    previous_status, previous_slug = current.status, current.slug
    apply(current, data)
    if not current.slug:  # emptied: made from the name again, as on create (never saved empty)
        current.slug = current.unique_slug()
    _mark_typed(current, changed, _headlines(current))
    if changed:
        current.full_clean()
        current.save(update_fields=[*changed, "typed_by_hand"])
    remember_rename(current, previous_slug)
    site_moved = bool({"latitude", "longitude"} & set(changed))
    refresh_project(current, previous_status=previous_status, status_date=status_date, site_moved=site_moved)
    _follow(project, current)
    return current


@service
def project_use_sources(*, project: Project, attribute: str, user=None, expected_version: int | None = None):
    """Show the sources' headline value again instead of the one typed by hand."""
    current = lock_project(project.pk)
    check_version(current, project.version if expected_version is None else expected_version)
    if attribute in current.typed_by_hand:
        current.typed_by_hand = [name for name in current.typed_by_hand if name != attribute]
        previous_status = current.status
        headline = _headlines(current).get(attribute)
        apply(current, figure_values(attributes.get(attribute), headline))
        current.full_clean()
        current.save()
        refresh_project(current, previous_status=previous_status)
    _follow(project, current)
    return current


@service
def project_mark_verified(*, project: Project, on: datetime.date | None = None, user=None) -> Project:
    current = lock_project(project.pk)
    current.last_verified_on = on or timezone.localdate()
    current.save(update_fields=["last_verified_on"])
    _follow(project, current)
    return current


@service
def project_delete(*, project: Project, user=None, expected_version: int | None = None):
    current = lock_project(project.pk)
    check_version(current, project.version if expected_version is None else expected_version)
    current.delete()


def _follow(target: Project, saved: Project):
    """Give the caller's instance the saved state (its forms and responses keep using it)."""
    if target is saved:
        return
    for field in saved._meta.concrete_fields:
        setattr(target, field.attname, getattr(saved, field.attname))
