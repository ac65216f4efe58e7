"""Signal receivers writing the change log for single saves and deletes."""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from core import changes
from core.models import ObjectChange, TrackedModel


@receiver(pre_save)
def remember_state_before_save(sender, instance, raw=False, using=None, **kwargs):
    if raw or not isinstance(instance, TrackedModel):
        return
    instance._prechange = None
    known = instance.__dict__.pop("_prechange_snapshot", None)
    if known is not None:
        instance._prechange = known  # read under lock by the service that is saving it
        return
    if instance.pk is not None and not instance._state.adding:
        # Read from the database being written, never from a lagging replica.
        previous = sender._base_manager.db_manager(using).filter(pk=instance.pk).first()
        instance._prechange = changes.serialize(previous) if previous is not None else None


@receiver(post_save)
def log_save(sender, instance, created, raw=False, **kwargs):
    if raw or not isinstance(instance, TrackedModel):
        return
    before = None if created else getattr(instance, "_prechange", None)
    after = changes.serialize(instance)
    if not created and before is not None and not changes.changed_fields(before, after):
        return  # a save that changed nothing is not a change
    action = ObjectChange.Action.CREATE if created or before is None else ObjectChange.Action.UPDATE
    changes.record(instance, action, before, after)


@receiver(post_delete)
def log_delete(sender, instance, **kwargs):
    if not isinstance(instance, TrackedModel):
        return
    changes.record(instance, ObjectChange.Action.DELETE, changes.serialize(instance), None)
