from rest_framework import permissions


class ReadAnyWriteWithModelPermission(permissions.DjangoModelPermissionsOrAnonReadOnly):
    """Anyone may read; writing needs an authenticated user holding the model permission."""
