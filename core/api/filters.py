from django_filters import utils
from django_filters.rest_framework import DjangoFilterBackend

from core.filters import StrictFilterSet


class FilterBackend(DjangoFilterBackend):
    """Keeps the bound filterset on the view, which reads what the filters worked out (the point of ``near``)."""

    # filtersets built from filterset_fields refuse a boolean that is neither true nor false
    filterset_base = StrictFilterSet

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        view.filterset = filterset
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            raise utils.translate_validation(filterset.errors)
        return filterset.qs
