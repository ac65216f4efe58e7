from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Data-center projects")

    def ready(self):
        from core import history
        from projects import services, signals  # noqa: F401  (signals keep conflict counts in step with claims)
        from projects.models import Claim, Project

        history.register_revert(Project, lambda project, data: services.project_update(project=project, data=data))
        history.register_revert(Claim, lambda claim, data: services.claim_revert(claim=claim, data=data))
