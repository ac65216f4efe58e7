"""Filter fields that refuse what they cannot read, shared by every filterset.

django-filter leaves some bad values out silently (``?in_conflict=maybe`` filters
nothing) or hands them to the database (a date-time past year 9999 once in UTC);
these make each one an invalid parameter, which the API answers with a 400 naming it.
"""

import datetime

import django_filters
from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField


class StrictBooleanSelect(forms.NullBooleanSelect):
    def value_from_datadict(self, data, files, name):
        return data.get(name)  # the raw value: the field tells a typo from "no filter"


class StrictBooleanField(forms.NullBooleanField):
    """``true`` or ``false``; any other value is an error rather than a filter silently left out."""

    widget = StrictBooleanSelect

    def to_python(self, value):
        normalized = str(value).strip().lower() if value is not None else ""
        if normalized in ("", "unknown"):
            return None
        if normalized in ("true", "1", "yes"):
            return True
        if normalized in ("false", "0", "no"):
            return False
        raise forms.ValidationError(_("Give true or false."), code="invalid")


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class UTCDateTimeField(IsoDateTimeField):
    """ISO 8601, turned into UTC here: an offset the database refuses (-23:00 on PostgreSQL)
    or a time past year 9999 once in UTC is an invalid value, not a database error."""

    def to_python(self, value):
        moment = super().to_python(value)
        try:
            return None if moment is None else moment.astimezone(datetime.UTC)
        except OverflowError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class UTCDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UTCDateTimeField


class NumberFilter(django_filters.NumberFilter):
    """Any number, as the schema's ``number`` says: django-filter caps it at 1e50 unasked."""

    def get_max_validator(self):
        return None


class IntegerFilter(NumberFilter):
    """A whole number for an integer column: ``1.5`` is refused, where a number filter reads it."""

    field_class = forms.IntegerField


class IDFilter(IntegerFilter):
    """A related record by its ID: any whole number, and one no record has matches nothing.

    django-filter's default (a choice among the existing records) answers a 400 to an ID that
    is well formed but unknown, which the schema's integer cannot tell a client in advance.
    """

    field_class = forms.IntegerField


class StrictFilterSet(django_filters.FilterSet):
    """The base of filtersets generated from a view's ``filterset_fields``."""

    FILTER_DEFAULTS = {
        **django_filters.FilterSet.FILTER_DEFAULTS,
        models.BooleanField: {"filter_class": StrictBooleanFilter},
        models.DateTimeField: {"filter_class": UTCDateTimeFilter},
        models.IntegerField: {"filter_class": IntegerFilter},
        models.SmallIntegerField: {"filter_class": IntegerFilter},
        models.BigIntegerField: {"filter_class": IntegerFilter},
        models.PositiveIntegerField: {"filter_class": IntegerFilter},
        models.PositiveSmallIntegerField: {"filter_class": IntegerFilter},
        models.PositiveBigIntegerField: {"filter_class": IntegerFilter},
        models.DecimalField: {"filter_class": NumberFilter},
        models.FloatField: {"filter_class": NumberFilter},
        models.ForeignKey: {"filter_class": IDFilter},
        models.OneToOneField: {"filter_class": IDFilter},
    }
