"""The newsroom's roles, as data: readers read, editors edit records and claims,
reviewers also accept or reject claims, revert history and restore deleted records.

Used by the ``setup_roles`` command and by a data migration; both set each group's
permissions to exactly this list, so running either again changes nothing.
"""

from functools import reduce
from operator import or_

from django.apps import apps as global_apps
from django.db.models import Q

# The apps whose every model the roles act on.
DOMAIN_APPS = ("projects", "newsdesk")

# Default model permissions each role has on every model of DOMAIN_APPS.
ROLE_ACTIONS = {
    "readers": ("view",),
    "editors": ("add", "change", "delete", "view"),
    "reviewers": ("add", "change", "delete", "view"),
}

# Further permissions, as "app_label.codename".
ROLE_EXTRA_PERMISSIONS = {
    "readers": ("core.view_objectchange",),
    "editors": ("core.view_objectchange",),
    "reviewers": (
        "core.view_objectchange",
        "core.revert_objectchange",
        "core.restore_objectchange",
        "projects.review_claim",
    ),
}


def setup_roles(apps=global_apps, using: str = "default") -> dict[str, int]:
    """Create or update the groups; returns the number of permissions of each."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    counts = {}
    for role, actions in ROLE_ACTIONS.items():
        on_models = Q(content_type__app_label__in=DOMAIN_APPS) & reduce(
            or_, (Q(codename__startswith=f"{action}_") for action in actions)
        )
        extra = [
            Q(content_type__app_label=app_label, codename=codename)
            for app_label, codename in (name.split(".") for name in ROLE_EXTRA_PERMISSIONS[role])
        ]
        permissions = list(Permission.objects.using(using).filter(reduce(or_, extra, on_models)))
        group, _ = Group.objects.using(using).get_or_create(name=role)
        group.permissions.set(permissions)
        counts[role] = len(permissions)
    return counts
