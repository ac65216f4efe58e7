"""Filters on what the tracker infers and on the power facts, mixed into ``ProjectFilterSet``
(projects/filtersets.py), so the API, the public pages and the downloads take them alike.

A power fact is a claim: a project matches when one of its accepted claims says so (for grid
power and PUE, its headline claim; a range is compared by its lower end). The connection's
status is its grid connections', typed by hand or standing on an accepted claim.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from core.filters import NumberFilter
from projects import choices, staleness
from projects.models import Claim, GridConnection
from projects.selectors import backed

# Alternatives in one text filter, and the length of each: a filter is bounded work.
MAX_TEXT_ALTERNATIVES = 10
MAX_TEXT_LENGTH = 200


class ChoicesField(forms.MultipleChoiceField):
    """``a,b`` or ``a&a=b``."""

    def to_python(self, value):
        values = super().to_python(value)
        return [item.strip() for entry in values for item in entry.split(",") if item.strip()]


class ChoicesFilter(django_filters.MultipleChoiceFilter):
    field_class = ChoicesField


class AlternativesField(forms.CharField):
    """Comma-separated words, any of which may match."""

    def to_python(self, value):
        value = super().to_python(value)
        if self.max_length is not None and len(value) > self.max_length:
            # the validators see the list of words, not the text: its length is checked here
            raise forms.ValidationError(
                _("Ensure this value has at most %(limit_value)d characters (it has %(show_value)d)."),
                code="max_length",
                params={"limit_value": self.max_length, "show_value": len(value)},
            )
        words = [word.strip() for word in value.split(",") if word.strip()]
        if len(words) > MAX_TEXT_ALTERNATIVES:
            raise forms.ValidationError(
                _("Give at most %(max)d comma-separated values."), params={"max": MAX_TEXT_ALTERNATIVES}
            )
        return words


class AlternativesFilter(django_filters.CharFilter):
    field_class = AlternativesField


def _accepted(attribute: str):
    return Claim._base_manager.filter(project=OuterRef("pk"), attribute=attribute, status=choices.ClaimStatus.ACCEPTED)


class FactFilterSet(django_filters.FilterSet):
    inferred_status = ChoicesFilter(
        choices=staleness.InferredStatus.choices,
        method="filter_inferred_status",
        label=_("Inferred status"),
        help_text=_(
            "shelved: announced, planning or permitted, and no source for two years; cancelled: for four years "
            "(comma-separated for both). The recorded status is unchanged; see last_reported_on."
        ),
    )
    grid_power_min = NumberFilter(
        method="filter_grid_power",
        label=_("Minimum grid power (MW)"),
        help_text=_("Grid power requested or contracted, in MW, of at least this (the headline claim's figure)."),
    )
    grid_power_max = NumberFilter(
        method="filter_grid_power",
        label=_("Maximum grid power (MW)"),
        help_text=_("Grid power requested or contracted, in MW, of at most this."),
    )
    energy_source = AlternativesFilter(
        method="filter_claim_text",
        max_length=MAX_TEXT_LENGTH,
        label=_("Energy source"),
        help_text=_("An accepted claim of energy source or supply contract containing one of these words (solar,PPA)."),
    )
    cooling = AlternativesFilter(
        method="filter_claim_text",
        max_length=MAX_TEXT_LENGTH,
        label=_("Cooling"),
        help_text=_("An accepted claim of cooling containing one of these words (free cooling,seawater)."),
    )
    pue_max = NumberFilter(
        method="filter_pue",
        label=_("Maximum PUE"),
        help_text=_("Power usage effectiveness of at most this (the headline claim's figure)."),
    )
    connection_status = ChoicesFilter(
        choices=choices.ConnectionStatus.choices,
        method="filter_connection_status",
        label=_("Grid connection status"),
        help_text=_("A grid connection in one of these statuses (comma-separated)."),
    )

    def filter_inferred_status(self, queryset, name, value):
        return staleness.filter_inferred(queryset, value)

    def filter_grid_power(self, queryset, name, value):
        lookup = "gte" if name == "grid_power_min" else "lte"
        claims = _accepted(choices.ClaimAttribute.GRID_POWER_MW).filter(
            is_headline=True, **{f"value_number__{lookup}": value}
        )
        return queryset.filter(Exists(claims))

    def filter_pue(self, queryset, name, value):
        claims = _accepted(choices.ClaimAttribute.PUE).filter(is_headline=True, value_number__lte=value)
        return queryset.filter(Exists(claims))

    def filter_claim_text(self, queryset, name, value):
        if not value:
            return queryset
        attribute = choices.ClaimAttribute.ENERGY_SOURCE if name == "energy_source" else choices.ClaimAttribute.COOLING
        words = Q()
        for word in value:
            words |= Q(value_text__icontains=word)
        return queryset.filter(Exists(_accepted(attribute).filter(words)))

    def filter_connection_status(self, queryset, name, value):
        connections = backed(GridConnection.objects.filter(project=OuterRef("pk"), status__in=value))
        return queryset.filter(Exists(connections))


def lay_out_fact_filters(form):
    """These filters on a form for people: boxes to tick, and no parameter syntax in the help."""
    form.fields["inferred_status"].widget = forms.CheckboxSelectMultiple(choices=staleness.InferredStatus.choices)
    form.fields["connection_status"].widget = forms.CheckboxSelectMultiple(choices=choices.ConnectionStatus.choices)
    form.fields["inferred_status"].help_text = _("No source for two years (shelved) or four (cancelled).")
    form.fields["connection_status"].help_text = ""
    form.fields["energy_source"].help_text = _("Words such as solar or PPA, comma-separated.")
    form.fields["grid_power_min"].widget.attrs.update(min="0", step="any")
