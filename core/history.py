"""Revert a record to an earlier version, or restore a deleted one, from the change log."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core import writes
from core.changes import current_context
from core.models import ObjectChange


def _values(model, data: dict) -> dict:
    return {
        field.attname: field.to_python(data[field.attname])
        for field in model._meta.concrete_fields
        if field.attname in data and not field.primary_key
    }


@transaction.atomic
def revert_to(change: ObjectChange):
    """Bring the object back to its state right after ``change`` (an earlier version)."""
    model = change.content_type.model_class()
    if change.action == ObjectChange.Action.DELETE:
        return restore_deleted(change)
    instance = model._base_manager.select_for_update().filter(pk=change.object_id).first()
    if instance is None:
        raise ValidationError(_("This record has been deleted; restore it from its deletion first."))
    # Written by the model's own service, so the revert has the consequences of an edit.
    user = current_context().resolve_user()
    return writes.writer_for(model).revert(instance, _values(model, change.postchange_data or {}), user)


@transaction.atomic
def restore_deleted(change: ObjectChange):
    """Recreate a deleted record, with its former ID, from the state logged at deletion."""
    if change.action != ObjectChange.Action.DELETE:
        raise ValidationError(_("Only a deletion can be restored."))
    model = change.content_type.model_class()
    if model._base_manager.filter(pk=change.object_id).exists():
        raise ValidationError(_("This record exists again; nothing to restore."))
    user = current_context().resolve_user()
    return writes.writer_for(model).restore(model, change.object_id, _values(model, change.prechange_data or {}), user)
