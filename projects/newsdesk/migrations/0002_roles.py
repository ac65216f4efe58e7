from django.contrib.auth.management import create_permissions
from django.db import migrations


def feeds_for_the_newsroom(apps, schema_editor):
    """The editors and reviewers manage feeds, the readers see them (core.roles), from this release on."""
    from core.roles import setup_roles

    # Model permissions are normally created after every migration has run; the groups need them now.
    app_config = apps.get_app_config("newsdesk")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    setup_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("newsdesk", "0001_initial"),
        ("core", "0003_roles"),
    ]

    operations = [
        migrations.RunPython(feeds_for_the_newsroom, migrations.RunPython.noop),
    ]
