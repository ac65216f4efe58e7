"""List filters whose choices are the values in use, read once per data generation.

Django's own read them with a DISTINCT over the whole table on every view of the list: 15 ms
for a project's country at 100,000 projects, 75 ms for the change log's sources. Every write
moves the data generation on (core/caching.py), so the choices are never older than the last
write; they are the same for every user, as the lists using them show every row.
"""

from django.contrib import admin

from core import caching


def values_in_use(model, field_path: str) -> list:
    """The distinct values of a column of ``model``, in order (a foreign key's as its IDs)."""
    return caching.cached(
        f"admin:values:{model._meta.label_lower}:{field_path}",
        lambda: list(model._default_manager.order_by(field_path).values_list(field_path, flat=True).distinct()),
    )


class CachedAllValuesFilter(admin.AllValuesFieldListFilter):
    """Django's filter of every value in use, for a column of the admin's own model."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.lookup_choices = values_in_use(model, field_path)


class CachedRelatedOnlyFilter(admin.RelatedOnlyFieldListFilter):
    """Django's filter of the related records in use, for a foreign key of the admin's own model."""

    def field_choices(self, field, request, model_admin):
        in_use = [pk for pk in values_in_use(model_admin.model, self.field_path) if pk is not None]
        ordering = self.field_admin_ordering(field, request, model_admin)
        return field.get_choices(include_blank=False, limit_choices_to={"pk__in": in_use}, ordering=ordering)
