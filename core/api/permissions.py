from rest_framework import permissions


class ReadAnyWriteWithModelPermission(permissions.DjangoModelPermissionsOrAnonReadOnly):
    """Anyone may read; writing needs an authenticated user holding the model permission."""


class ReadAnyReviewWithChangePermission(ReadAnyWriteWithModelPermission):
    """For review actions posted on an existing record: they need the change permission, not add."""

    perms_map = {
        **ReadAnyWriteWithModelPermission.perms_map,
        "POST": ["%(app_label)s.change_%(model_name)s"],
    }
