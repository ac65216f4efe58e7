"""The admin's shared parts and the change log.

``TrackedAdminMixin`` / ``TrackedInlineMixin`` give every tracked model's admin the
version check, the change-log history and lists that stay fast on large tables;
``ObjectChangeAdmin`` is the change log itself, with revert and restore.
"""

from core.admin.changes import ObjectChangeAdmin
from core.admin.tracked import (
    TrackedAdminMixin,
    TrackedInlineMixin,
    TrackedModelForm,
    adopt_saved,
    field_values,
    form_changes,
)

__all__ = [
    "ObjectChangeAdmin",
    "TrackedAdminMixin",
    "TrackedInlineMixin",
    "TrackedModelForm",
    "adopt_saved",
    "field_values",
    "form_changes",
]
