"""The records around projects: organizations, sources, substations, indicators, and a project's parts.

``record_save`` and ``record_delete`` write any of them; a record that belongs to a project
(phase, milestone, role, grid connection, status step) locks its project first and lets
``refresh_project`` recompute what follows, and a moved substation moves its distances.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.writes import service
from projects.models import Claim, GridConnection, Organization, Project, Substation
from projects.search import refresh_organization_search
from projects.services.base import apply, check_version, lock_project, save_validated
from projects.services.derived import connection_distance, refresh_distances, refresh_project
from projects.services.merge import redirect_of_merged, remember_rename


def _project_id(instance):
    if isinstance(instance, Project | Claim):
        raise TypeError(f"{type(instance).__name__} records are written by their own services.")
    return getattr(instance, "project_id", None)


@service
def record_save(*, instance, data: dict | None = None, user=None, expected_version: int | None = None):
    """Create (unsaved ``instance``) or edit a record, validated, with what it implies."""
    project_id = _project_id(instance)
    project = lock_project(project_id) if project_id is not None else None
    previous_slug = None
    if not instance._state.adding:
        current = type(instance)._base_manager.select_for_update().get(pk=instance.pk)
        check_version(current, instance.version if expected_version is None else expected_version)
        instance.version = current.version
        previous_slug = getattr(current, "slug", None)
    apply(instance, data or {})
    if isinstance(instance, GridConnection):
        # Measured from the site as it is now (locked), not as the caller loaded the project.
        if project is None or project.pk != instance.project_id:
            project = lock_project(instance.project_id) if instance.project_id else None
        site = project.point if project is not None else None
        # and to the substation as it is now, not as the caller loaded it
        substation = Substation.objects.filter(pk=instance.substation_id).first() if instance.substation_id else None
        instance.distance_km = connection_distance(site, substation)
    save_validated(instance)
    new_project_id = _project_id(instance)
    for pk in {project_id, new_project_id} - {None}:
        refresh_project(lock_project(pk))
    if isinstance(instance, Substation):
        refresh_distances(GridConnection.objects.filter(substation=instance).select_related("project", "substation"))
    if isinstance(instance, Organization):
        if previous_slug:
            remember_rename(instance, previous_slug)
        refresh_organization_search([instance.pk])  # its name and aliases are in its projects' search documents
    return instance


@service
def record_delete(*, instance, user=None, expected_version: int | None = None):
    project_id = _project_id(instance)
    if project_id is not None:
        lock_project(project_id)
    current = type(instance)._base_manager.select_for_update().filter(pk=instance.pk).first()
    if current is None:
        return
    check_version(current, instance.version if expected_version is None else expected_version)
    current.delete()
    if project_id is not None:
        refresh_project(lock_project(project_id))


@service
def record_restore(*, model, pk, values: dict, user=None):
    """Recreate a deleted record with its former ID, then what it implies."""
    from projects.services.claims import prepare

    merged_into = redirect_of_merged(model, pk)
    if merged_into is not None:
        raise ValidationError(
            _("This record was merged into “%(record)s”: its claims and history are there.") % {"record": merged_into}
        )
    instance = model(pk=pk)
    apply(instance, values)
    if isinstance(instance, Claim):
        instance.is_headline = False  # the reviewers' current choice of headline stands
        prepare(instance)
    if isinstance(instance, Project):
        instance.full_clean(validate_unique=True)
        instance.save(force_insert=True)
        refresh_project(lock_project(instance.pk))
        return instance
    project_id = getattr(instance, "project_id", None)
    if project_id is not None:
        lock_project(project_id)
    instance.full_clean(validate_unique=True)
    instance.save(force_insert=True)
    if project_id is not None:
        refresh_project(lock_project(project_id))
    if isinstance(instance, Organization):
        refresh_organization_search([instance.pk])
    return instance
