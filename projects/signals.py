"""Keep each project's conflict flags in step with its claims, whatever wrote them."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from projects.models import Claim
from projects.services import refresh_conflicts


@receiver(post_save, sender=Claim)
@receiver(post_delete, sender=Claim)
def claim_changed(sender, instance, raw=False, **kwargs):
    if raw or instance.project_id is None:
        return
    refresh_conflicts(instance.project_id)
