from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowingConfig(AppConfig):
    name = "projects.following"
    label = "following"
    verbose_name = _("Following and corrections")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from core import changes
        from projects.following import tasks

        changes.on_changes_committed(tasks.changes_committed)
