"""What every write service shares: version checks, locks, review permission, plain records."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
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


# Writers racing for the same new slug: each lost race costs one retry with the next free slug.
SLUG_ATTEMPTS = 20


def save_validated(instance, *, update_fields=None):
    """Validate with the model's rules (messages naming the field), then write."""
    from projects.models import SluggedModel, Source

    made_slug = isinstance(instance, SluggedModel) and not instance.slug
    if made_slug:
        instance.slug = instance.unique_slug()
    if isinstance(instance, Source):
        instance.url = instance.url or None  # blank URLs must not collide on the unique index
    # A slug made here is checked by the unique index at the insert, where a race is retried (below);
    # checking it now as well could only refuse a slug that another writer took a moment ago.
    instance.full_clean(exclude=[*_settled_fields(instance), *(["slug"] if made_slug else [])])
    if made_slug:
        _save_with_free_slug(instance, update_fields)
    elif update_fields is not None and not instance._state.adding:
        instance.save(update_fields=update_fields)
    else:
        instance.save()
    return instance


def _save_with_free_slug(instance, update_fields=None):
    """Save a record whose slug was made from its name, taking the next free one when another
    writer committed the same slug after ours was chosen (same-name creates at the same time).

    The unique index is what decides: the losing insert fails inside its savepoint, the rest of
    the service's transaction goes on.
    """
    update_fields = None if instance._state.adding or update_fields is None else {*update_fields, "slug"}
    version = instance.version
    for attempt in range(SLUG_ATTEMPTS):
        try:
            with transaction.atomic():
                instance.save(update_fields=update_fields)
            return
        except IntegrityError:
            instance.version = version  # the failed UPDATE's version step is undone with it
            taken = type(instance)._base_manager.filter(slug=instance.slug).exclude(pk=instance.pk).exists()
            if not taken or attempt == SLUG_ATTEMPTS - 1:
                raise  # another constraint, or still no free slug: the API answers 409
            instance.slug = instance.unique_slug()


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
