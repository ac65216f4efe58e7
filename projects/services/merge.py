"""Merging two records of one project (or one organization), and the old addresses they leave.

``project_merge(target=A, merged=B)`` moves everything B is made of to A: claims, roles, phases,
milestones, status steps, grid connections, its redirects and whatever other apps attach to it
(followers...). Nothing of B is lost: each moved record keeps its ID and logs the move in the
change history (its project before and after), B's own history stays on record under its ID
and is shown with A's (``Project.history_ids``), and B's deletion logs what B was. A keeps its
name and values; B's name and aliases become A's aliases, and what A lacks (a description,
coordinates, a figure typed by hand) is taken from B. The two rows are locked, in ID order,
and compared with the versions the editor saw. At the end ``refresh_project`` recomputes A's
headlines, figures, conflicts, roles, grid distances and search document, as after any write.
B's slug and ID then redirect to A (``ProjectRedirect``).

``organization_merge`` does the same for organizations: roles, claims about or naming the
organization (with their comparable values), grid connections, substations, indicators and
relationships go to A; each project that named B is refreshed.

A slug change (``project_update``, ``record_save`` of an organization) leaves a redirect from
the former slug through ``remember_rename``.
"""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Concat
from django.utils.translation import gettext as _

from core.changes import snapshot
from core.models import TrackedModel
from core.writes import service
from projects import attributes, choices
from projects.models import (
    Claim,
    GridConnection,
    Organization,
    OrganizationRedirect,
    OrganizationRelationship,
    Phase,
    Project,
    ProjectRedirect,
    ProjectRole,
    RedirectReason,
)
from projects.search import refresh_organization_search
from projects.services.base import check_version, lock_project
from projects.services.derived import _set_headline, refresh_project

# Project columns that are not figures, taken from the merged record where the target has none.
PROJECT_GAP_FIELDS = ("description", "address", "capacity_basis")
ORGANIZATION_GAP_FIELDS = ("country", "website", "description")


def merge_permissions(model) -> tuple[str, str]:
    """Merging edits the record kept and deletes the other: both permissions."""
    opts = model._meta
    return f"{opts.app_label}.change_{opts.model_name}", f"{opts.app_label}.delete_{opts.model_name}"


def may_merge(user, model) -> bool:
    return user is None or user.has_perms(merge_permissions(model))


def _require_merge(user, model):
    if not may_merge(user, model):
        raise PermissionDenied(
            _("Merging needs the permissions to change and to delete %(records)s (%(codenames)s).")
            % {"records": model._meta.verbose_name_plural, "codenames": ", ".join(merge_permissions(model))}
        )


def _lock_pair(model, target, merged, target_version, merged_version):
    if target.pk == merged.pk:
        raise ValidationError(_("A record cannot be merged into itself."))
    locked = {}
    for pk in sorted((target.pk, merged.pk)):  # one order for every writer: no deadlock between two merges
        locked[pk] = snapshot(model._base_manager.select_for_update().get(pk=pk))
    a, b = locked[target.pk], locked[merged.pk]
    check_version(a, target.version if target_version is None else target_version)
    check_version(b, merged.version if merged_version is None else merged_version)
    return a, b


def merged_aliases(target, merged) -> list[str]:
    """The target's aliases, then the merged record's name and aliases, each name once (case aside)."""
    seen = {target.name.casefold()}
    aliases = []
    for name in [*target.aliases, merged.name, *merged.aliases]:
        if isinstance(name, str) and name.strip() and name.casefold() not in seen:
            seen.add(name.casefold())
            aliases.append(name)
    return aliases


def _relations(model, skip=()):
    """(model, field name) of every foreign key and many-to-many row pointing at ``model``, in any app."""
    for rel in model._meta.related_objects:
        if rel.many_to_many:
            if rel.through is None or rel.related_model is model:
                continue
            yield rel.through, rel.field.m2m_reverse_field_name()
        else:
            if (rel.related_model, rel.field.name) in skip:
                continue
            yield rel.related_model, rel.field.name


def _repoint(model, name: str, old_id: int, new_id: int, **extra):
    """Point the rows of ``model`` at the kept record, set-based (a tracked model logs each row).

    A row the database refuses to move (it would repeat one the kept record already has, a
    follow of both, say) stays behind and goes with the merged record: the kept one has it.
    """
    manager = model._default_manager if issubclass(model, TrackedModel) else model._base_manager
    rows = manager.filter(**{f"{name}_id": old_id})
    try:
        with transaction.atomic():
            return rows.update(**{f"{name}_id": new_id}, **extra)
    except IntegrityError:
        moved = 0
        for pk in list(rows.values_list("pk", flat=True)):
            try:
                with transaction.atomic():
                    moved += manager.filter(pk=pk).update(**{f"{name}_id": new_id}, **extra)
            except IntegrityError:
                continue
        return moved


def _free_slug(redirect_model, slug: str):
    """An old slug leads to one record only: the latest to leave it. A former ID it carried stays."""
    if not slug:
        return
    for redirect in redirect_model._base_manager.select_for_update().filter(old_slug=slug):
        if redirect.old_id is None:
            redirect.delete()
        else:
            redirect.old_slug = ""
            redirect.save(update_fields=["old_slug"])


def remember_rename(instance, old_slug: str):
    """Called by the services that save a slug change: the former slug keeps leading to the record."""
    remember_renames([(instance, old_slug)])


def remember_renames(renames):
    """``remember_rename`` for many records of one model, (record, former slug) each: an import's chunk
    in four queries. A record renamed back to a slug it left before has that address as its own again."""
    renames = [(record, old) for record, old in renames if old and old != record.slug]
    if not renames:
        return
    redirect_model, target = _redirect_model(renames[0][0])
    back = reduce(or_, (Q(old_slug=record.slug, old_id=None, **{target: record}) for record, _old in renames))
    olds = [old for _record, old in renames]
    # An old slug leads to one record only, the latest to leave it; a former ID it carried stays.
    redirect_model._base_manager.filter(back | Q(old_slug__in=olds, old_id=None)).delete()
    redirect_model.objects.filter(old_slug__in=olds, old_id__isnull=False).update(old_slug="")
    redirect_model.objects.bulk_create(
        [redirect_model(old_slug=old, reason=RedirectReason.RENAMED, **{target: record}) for record, old in renames]
    )


def _redirect_model(instance):
    if isinstance(instance, Project):
        return ProjectRedirect, "project"
    if isinstance(instance, Organization):
        return OrganizationRedirect, "organization"
    raise TypeError(f"{type(instance).__name__} records have no redirects.")


def _leave_redirect(target, merged):
    redirect_model, name = _redirect_model(target)
    _free_slug(redirect_model, merged.slug)
    redirect = redirect_model(
        old_slug=merged.slug,
        old_id=merged.pk,
        reason=RedirectReason.MERGED,
        merged_name=merged.name[:200],
        **{name: target},
    )
    redirect.full_clean(exclude=[name])
    redirect.save()
    return redirect


def _fill_gaps(target, merged, names) -> list[str]:
    changed = []
    for name in names:
        field = type(target)._meta.get_field(name)
        empty = getattr(target, name) in field.empty_values or getattr(target, name) == field.get_default()
        if empty and getattr(merged, name) not in field.empty_values and getattr(merged, name) != getattr(target, name):
            setattr(target, name, getattr(merged, name))
            changed.append(name)
    return changed


def _project_values(target: Project, merged: Project) -> list[str]:
    """What the kept project takes from the merged one: names as aliases, and what it lacks."""
    changed = []
    aliases = merged_aliases(target, merged)
    if aliases != target.aliases:
        target.aliases = aliases
        changed.append("aliases")
    changed += _fill_gaps(target, merged, PROJECT_GAP_FIELDS)
    if target.kind == choices.ProjectKind.OTHER and merged.kind != choices.ProjectKind.OTHER:
        target.kind = merged.kind
        changed.append("kind")
    if target.latitude is None and merged.latitude is not None:
        target.latitude, target.longitude = merged.latitude, merged.longitude
        target.location_precision = merged.location_precision
        changed += ["latitude", "longitude", "location_precision"]
    verified = [day for day in (target.last_verified_on, merged.last_verified_on) if day]
    if verified and max(verified) != target.last_verified_on:
        target.last_verified_on = max(verified)
        changed.append("last_verified_on")
    if target.is_draft and not merged.is_draft:
        target.is_draft = False  # one of the two was confirmed by a person
        changed.append("is_draft")
    # A figure the merged project's editor typed (no source behind it), where the kept one shows none.
    typed = set(target.typed_by_hand)
    for attribute in attributes.FIGURES:
        main = attribute.fields[0]
        typed_there = attribute.name in merged.typed_by_hand and attribute.name not in typed
        if typed_there and getattr(target, main) in (None, ""):
            for name in attribute.fields:
                setattr(target, name, getattr(merged, name))
                changed.append(name)
            typed.add(attribute.name)
    if sorted(typed) != sorted(target.typed_by_hand):
        target.typed_by_hand = sorted(typed)
        changed.append("typed_by_hand")
    return changed


def _kept_values(target: Project, merged: Project) -> list[str]:
    """``_project_values``, validated; a figure of the merged project the kept one cannot show beside its
    own (an announcement after its target year) is left out rather than refusing the merge."""
    shown = {field.attname: getattr(target, field.attname) for field in Project._meta.concrete_fields}
    changed = _project_values(target, merged)
    try:
        target.full_clean()
    except ValidationError:
        for name in attributes.FIELD_ATTRIBUTE.keys() | {"typed_by_hand"}:
            setattr(target, name, shown[name])
        changed = [name for name in changed if name not in attributes.FIELD_ATTRIBUTE and name != "typed_by_hand"]
        target.full_clean()
    return changed


@service
def project_merge(
    *,
    target: Project,
    merged: Project,
    user=None,
    target_version: int | None = None,
    merged_version: int | None = None,
) -> Project:
    """Merge ``merged`` into ``target``, keeping everything both are made of; returns the kept project.

    The versions are those the editor saw (else those the instances were loaded with): a change
    to either since is refused with ``ConcurrentEditError`` and nothing is written.
    """
    _require_merge(user, Project)
    a, b = _lock_pair(Project, target, merged, target_version, merged_version)
    previous_status = a.status

    # What the database allows once per project: the kept one's is kept, the merged one's stands aside.
    headlines = set(Claim._base_manager.filter(project_id=a.pk, is_headline=True).values_list("attribute", flat=True))
    standing_aside = list(Claim._base_manager.filter(project_id=b.pk, is_headline=True, attribute__in=headlines))
    for claim in standing_aside:
        claim.is_headline = False
    _set_headline(standing_aside, False)
    taken_names = set(Phase._base_manager.filter(project_id=a.pk).values_list("name", flat=True))
    for phase in Phase._base_manager.filter(project_id=b.pk, name__in=taken_names):
        phase.name = _free_name(f"{phase.name} ({b.name})", taken_names)
        taken_names.add(phase.name)
        phase.full_clean(exclude=["project", "claim"])
        phase.save(update_fields=["name"])
    kept_roles = {
        (role.organization_id, role.role): role
        for role in ProjectRole._base_manager.filter(project_id=a.pk, organization__isnull=False)
    }
    for role in ProjectRole._base_manager.filter(project_id=b.pk, organization__isnull=False):
        kept = kept_roles.get((role.organization_id, role.role))
        if kept is None:
            continue
        # The same organization in the same part: one role, with the note and source of either.
        updates = {}
        if not kept.note and role.note:
            updates["note"] = role.note
        if kept.source_id is None and role.source_id is not None:
            updates["source_id"] = role.source_id
        if updates:
            for name, value in updates.items():
                setattr(kept, name, value)
            kept.save(update_fields=list(updates))
        role.delete()

    for model, name in _relations(Project):
        _repoint(model, name, b.pk, a.pk)

    changed = _kept_values(a, b)
    merged_record = snapshot(Project._base_manager.get(pk=b.pk))
    merged_record.delete()
    if changed:
        a.save(update_fields=changed)
    _leave_redirect(a, b)
    refresh_project(a, previous_status=previous_status, site_moved=True)
    _follow(target, a)
    return a


def _free_name(name: str, taken: set[str]) -> str:
    name = name[:200]
    candidate, n = name, 2
    while candidate in taken:
        suffix = f" {n}"
        candidate, n = name[: 200 - len(suffix)] + suffix, n + 1
    return candidate


@service
def organization_merge(
    *,
    target: Organization,
    merged: Organization,
    user=None,
    target_version: int | None = None,
    merged_version: int | None = None,
) -> Organization:
    """Merge ``merged`` into ``target``: every role, claim, relationship and reference goes to the kept one."""
    _require_merge(user, Organization)
    if target.pk == merged.pk:
        raise ValidationError(_("A record cannot be merged into itself."))
    # The projects that name either: locked first, as every service locks a project before its parts.
    project_ids = _projects_naming([target.pk, merged.pk])
    for pk in project_ids:
        lock_project(pk)
    a, b = _lock_pair(Organization, target, merged, target_version, merged_version)

    for pk in sorted(set(_projects_naming([a.pk, b.pk])) - set(project_ids)):
        lock_project(pk)  # named by a role saved while the first ones were being locked
        project_ids.append(pk)
    kept_roles = set(ProjectRole._base_manager.filter(organization_id=a.pk).values_list("project_id", "role"))
    for role in ProjectRole._base_manager.filter(organization_id=b.pk):
        if (role.project_id, role.role) in kept_roles:
            role.delete()  # the kept organization holds this part already
    relationships = OrganizationRelationship._base_manager
    # A tie between the two would tie the kept organization to itself.
    for tie in relationships.filter(
        Q(from_organization_id=a.pk, to_organization_id=b.pk) | Q(from_organization_id=b.pk, to_organization_id=a.pk)
    ):
        tie.delete()
    kept_ties = set(relationships.filter(from_organization_id=a.pk).values_list("to_organization_id", "kind"))
    kept_reverse = set(relationships.filter(to_organization_id=a.pk).values_list("from_organization_id", "kind"))
    for tie in relationships.filter(Q(from_organization_id=b.pk) | Q(to_organization_id=b.pk)):
        if (tie.from_organization_id == b.pk and (tie.to_organization_id, tie.kind) in kept_ties) or (
            tie.to_organization_id == b.pk and (tie.from_organization_id, tie.kind) in kept_reverse
        ):
            tie.delete()

    # A claim naming the organization compares by its ID: its comparable value follows it.
    _repoint(Claim, "value_organization", b.pk, a.pk, value_key=Concat(Value(f"{a.pk}:"), F("role")))
    for model, name in _relations(Organization, skip={(Claim, "value_organization")}):
        _repoint(model, name, b.pk, a.pk)

    changed = []
    aliases = merged_aliases(a, b)
    if aliases != a.aliases:
        a.aliases = aliases
        changed.append("aliases")
    changed += _fill_gaps(a, b, ORGANIZATION_GAP_FIELDS)
    merged_record = snapshot(Organization._base_manager.get(pk=b.pk))
    merged_record.delete()
    if changed:
        a.full_clean()
        a.save(update_fields=changed)
    _leave_redirect(a, b)
    for pk in project_ids:
        refresh_project(lock_project(pk))
    refresh_organization_search([a.pk])
    _follow(target, a)
    return a


def _projects_naming(organization_ids) -> list[int]:
    ids = set(
        ProjectRole._base_manager.filter(organization_id__in=organization_ids).values_list("project_id", flat=True)
    )
    ids |= set(
        GridConnection._base_manager.filter(grid_operator_id__in=organization_ids).values_list("project_id", flat=True)
    )
    ids |= set(
        Claim._base_manager.filter(
            Q(value_organization_id__in=organization_ids) | Q(organization_id__in=organization_ids),
            project_id__isnull=False,
        ).values_list("project_id", flat=True)
    )
    return sorted(ids)


def _follow(instance, saved):
    if instance is saved:
        return
    for field in saved._meta.concrete_fields:
        setattr(instance, field.attname, getattr(saved, field.attname))


def redirect_of_merged(model, pk):
    """The record a merged record's ID leads to, or None (the ID was never merged)."""
    redirect_model = {Project: ProjectRedirect, Organization: OrganizationRedirect}.get(model)
    if redirect_model is None:
        return None
    redirect = redirect_model._base_manager.filter(old_id=pk).select_related(redirect_model.change_log_parent).first()
    return getattr(redirect, redirect_model.change_log_parent) if redirect is not None else None
