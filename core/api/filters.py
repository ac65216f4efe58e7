from django import forms
from django.utils.translation import gettext_lazy as _
from django_filters import utils
from django_filters.filters import BaseCSVFilter
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError

from core.filters import StrictFilterSet

EMPTY_VALUE = _("Give a value, or leave the parameter out.")


def refuse_empty_values(request, filters) -> None:
    """``?status=`` is not a status: an empty value is refused where the schema states a type,
    a format or choices (django-filter, made for HTML forms, reads it as "no filter").
    Texts (``q``, ``region``...) may be empty."""
    empty = sorted(
        name
        for name, parameter in filters.items()
        if "" in request.query_params.getlist(name)
        and not issubclass(parameter.field_class, forms.CharField)
        # a comma-separated list (ordering): empty is the empty list
        and not isinstance(parameter, BaseCSVFilter)
    )
    if empty:
        raise ValidationError({name: [EMPTY_VALUE] for name in empty}, code="blank")


class FilterBackend(DjangoFilterBackend):
    """Keeps the bound filterset on the view, which reads what the filters worked out (the point of ``near``)."""

    # filtersets built from filterset_fields refuse a boolean that is neither true nor false
    filterset_base = StrictFilterSet

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        view.filterset = filterset
        if filterset is None:
            return queryset
        refuse_empty_values(request, filterset.filters)
        if not filterset.is_valid():
            raise utils.translate_validation(filterset.errors)
        return filterset.qs
