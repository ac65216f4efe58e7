from django.contrib.auth.models import Group, Permission
from django.core.management.sql import emit_post_migrate_signal

from core.roles import setup_roles


def test_a_migrate_gives_the_roles_the_permissions_of_models_added_since(db):
    editors = Group.objects.get(name="editors")
    feed_permission = Permission.objects.get(content_type__app_label="newsdesk", codename="change_feed")
    redirect_permission = Permission.objects.get(content_type__app_label="projects", codename="view_projectredirect")
    editors.permissions.remove(feed_permission, redirect_permission)

    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")

    assert {feed_permission, redirect_permission} <= set(editors.permissions.all())
    before = {group.name: set(group.permissions.all()) for group in Group.objects.all()}
    setup_roles()
    assert {group.name: set(group.permissions.all()) for group in Group.objects.all()} == before
