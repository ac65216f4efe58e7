from django.apps import AppConfig
from django.apps import apps as global_apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def roles_after_migrate(sender, app_config=None, using="default", apps=global_apps, **kwargs):
    """Give the roles the permissions of models added since they were set up.

    Django creates a model's permissions after the migrations; the roles' own data migration ran
    before later apps and models existed. Once the last app's permissions are in (the signal is
    sent app by app, in INSTALLED_APPS order), the groups are set to the roles again: an upgrade
    needs no ``setup_roles`` by hand, and running it changes nothing.
    """
    from core.roles import setup_roles

    with_models = [config for config in global_apps.get_app_configs() if config.models_module is not None]
    if not with_models or app_config is not with_models[-1]:
        return
    try:
        apps.get_model("auth", "Group")
    except LookupError:  # a project without django.contrib.auth has no roles
        return
    setup_roles(apps, using=using)


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Core")

    def ready(self):
        from core import signals  # noqa: F401  (connects the change-log receivers)

        post_migrate.connect(roles_after_migrate, dispatch_uid="core.roles_after_migrate")
