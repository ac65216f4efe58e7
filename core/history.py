"""Revert a record to an earlier version, or restore a deleted one, from the change log."""

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.models import ObjectChange

# Services that write a revert for records whose edits have consequences elsewhere (a
# claim's value shown on its project, a project's status history); see register_revert.
_revert_services: dict[type, Callable] = {}


def register_revert(model, service: Callable):
    """Write reverts of ``model`` with ``service(instance, values)``, the way its edits are written."""
    _revert_services[model] = service


def _values(model, data: dict) -> dict:
    return {
        field.attname: field.to_python(data[field.attname])
        for field in model._meta.concrete_fields
        if field.attname in data and not field.primary_key
    }


def _apply(instance, data: dict):
    for name, value in _values(type(instance), data).items():
        setattr(instance, name, value)


@transaction.atomic
def revert_to(change: ObjectChange):
    """Bring the object back to its state right after ``change`` (an earlier version)."""
    model = change.content_type.model_class()
    if change.action == ObjectChange.Action.DELETE:
        return restore_deleted(change)
    instance = model._base_manager.select_for_update().filter(pk=change.object_id).first()
    if instance is None:
        raise ValidationError(_("This record has been deleted; restore it from its deletion first."))
    service = _revert_services.get(model)
    if service is not None:
        return service(instance, _values(model, change.postchange_data or {}))
    _apply(instance, change.postchange_data or {})
    instance.full_clean()
    instance.save()
    return instance


@transaction.atomic
def restore_deleted(change: ObjectChange):
    """Recreate a deleted record, with its former ID, from the state logged at deletion."""
    if change.action != ObjectChange.Action.DELETE:
        raise ValidationError(_("Only a deletion can be restored."))
    model = change.content_type.model_class()
    if model._base_manager.filter(pk=change.object_id).exists():
        raise ValidationError(_("This record exists again; nothing to restore."))
    instance = model(pk=change.object_id)
    _apply(instance, change.prechange_data or {})
    instance.full_clean(validate_unique=True)
    instance.save(force_insert=True)
    return instance
