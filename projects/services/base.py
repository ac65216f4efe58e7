"""What every write service shares: version checks, locks, review permission, plain records."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from core.changes import snapshot
from core.models import ConcurrentEditError
from core.writes import service

REVIEW_PERMISSION = "projects.review_claim"


def check_version(instance, expected_version: int | None):
    """Refuse an edit prepared against an older version of the record."""
    if expected_version is not None and int(expected_version) != instance.version:
        raise ConcurrentEditError(instance, int(expected_version))


def locked(instance, expected_version: int | None = None):
    """The record as it is now, locked until the end of the transaction.

    An edit is applied to this fresh copy, never to an instance loaded earlier in the
    request: columns the edit does not name (a conflict count, a version) keep the
    values other writers gave them. ``expected_version`` is compared with the row,
    or, when the caller gives none, with the version its instance was loaded with.
    """
    model = type(instance)
    current = snapshot(model._base_manager.select_for_update().get(pk=instance.pk))
    check_version(current, instance.version if expected_version is None else expected_version)
    return current


def lock_project(project_id):
    """Serialize the writes on one project: every service touching its figures takes this lock first."""
    from projects.models import Project

    return snapshot(Project._base_manager.select_for_update().get(pk=project_id))


def may_review(user) -> bool:
    """Commands and the shell (no user) act for the maintainers; people need the review permission."""
    return user is None or bool(getattr(user, "has_perm", None) and user.has_perm(REVIEW_PERMISSION))


def require_review(user, message: str):
    if not may_review(user):
        raise PermissionDenied(
            message
            + " "
            + _("This needs the review permission “Can accept or reject claims” (%(codename)s).")
            % {"codename": REVIEW_PERMISSION}
        )


def apply(instance, data: dict):
    for name, value in data.items():
        setattr(instance, name, value)


def save_validated(instance, *, update_fields=None):
    """Validate with the model's rules (messages naming the field), then write."""
    from projects.models import SluggedModel, Source

    if isinstance(instance, SluggedModel) and not instance.slug:
        instance.slug = instance.unique_slug()
    if isinstance(instance, Source):
        instance.url = instance.url or None  # blank URLs must not collide on the unique index
    instance.full_clean(exclude=_settled_fields(instance))
    if update_fields is not None and not instance._state.adding:
        instance.save(update_fields=update_fields)
    else:
        instance.save()
    return instance


def _settled_fields(instance) -> list[str]:
    """Fields whose check would only repeat what is already known, each costing a query.

    A foreign key the edit leaves as it was read under lock points at a row that exists
    (the database's own constraint keeps it so); flags only the services set (a claim's
    headline) are kept unique by the services and by the database's unique index.
    """
    settled = list(getattr(instance, "service_managed_fields", ()))
    known = getattr(instance, "_prechange_snapshot", None)
    if known is not None:
        for field in instance._meta.concrete_fields:
            if field.is_relation and known.get(field.attname) == getattr(instance, field.attname):
                settled.append(field.name)
    return settled


__all__ = ["REVIEW_PERMISSION", "check_version", "locked", "lock_project", "may_review", "service"]
