"""Revert a record to an earlier version, or restore a deleted one, from the change log."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.models import ObjectChange


def _apply(instance, data: dict):
    for field in instance._meta.concrete_fields:
        if field.attname in data and not field.primary_key:
            setattr(instance, field.attname, field.to_python(data[field.attname]))


@transaction.atomic
def revert_to(change: ObjectChange):
    """Bring the object back to its state right after ``change`` (an earlier version)."""
    model = change.content_type.model_class()
    if change.action == ObjectChange.Action.DELETE:
        return restore_deleted(change)
    instance = model._base_manager.select_for_update().filter(pk=change.object_id).first()
    if instance is None:
        raise ValidationError(_("This record has been deleted; restore it from its deletion first."))
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


def deleted_changes(model=None):
    """Logged deletions, newest first, optionally of one model."""
    from django.contrib.contenttypes.models import ContentType

    qs = ObjectChange.objects.filter(action=ObjectChange.Action.DELETE)
    if model is not None:
        qs = qs.filter(content_type=ContentType.objects.get_for_model(model))
    return qs
