from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Data-center projects")

    def ready(self):
        from projects import signals  # noqa: F401  (keeps conflict counts in step with claims)
