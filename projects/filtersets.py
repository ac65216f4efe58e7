"""Project filters, shared by the API, the public pages and the admin.

Every parameter is validated by a form field, so a bad value is a 400 naming the
parameter, never a 500. ``describe()`` says in words what a filter selects.
"""

from __future__ import annotations

import copy
import math

import django_filters
from django import forms
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Cos, Power, Radians, Sin
from django.http import QueryDict
from django.utils import formats
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_filters.filters import FilterMethod

from core.filters import IntegerFilter, NumberFilter, StrictBooleanFilter, UTCDateTimeFilter
from core.geo import bounding_box, distance_km
from projects import choices
from projects.fact_filters import FactFilterSet
from projects.models import Project, ProjectRole
from projects.search import search
from projects.selectors import backed, slug_or_id

MAX_RADIUS_KM = 20000.0
DEFAULT_RADIUS_KM = 50.0
# The great circle on a sphere of the Earth's mean radius is within 0.6 % of the geodesic on the
# ellipsoid: a project more than 1 % inside or outside the radius by the first is so by the second.
SPHERE_KM = 6371.0088
SPHERE_MARGIN = 0.01


def haversine(latitude: float, longitude: float):
    """An expression for hav(θ) between each project and the point, θ its angle on the sphere
    (the great-circle distance is 2R·asin(√hav), which grows with hav: compare hav itself)."""
    phi, lam = math.radians(latitude), math.radians(longitude)
    return Power(Sin((Radians("latitude") - phi) / 2.0), 2) + math.cos(phi) * Cos(Radians("latitude")) * Power(
        Sin((Radians("longitude") - lam) / 2.0), 2
    )


def haversine_of(km: float) -> float:
    """hav(θ) of a great-circle distance of ``km`` (1, the antipode, beyond half the circumference)."""
    half_angle = km / (2 * SPHERE_KM)
    return 1.0 if half_angle >= math.pi / 2 else math.sin(half_angle) ** 2


# Each search word is one more condition: a long q would hold a worker and the database for
# minutes, so it is refused (400 naming q) beyond these, stated in the README.
MAX_SEARCH_LENGTH = 200
MAX_SEARCH_WORDS = 20


def country_codes(value: str) -> list[str]:
    return [code.strip().upper() for code in value.split(",") if code.strip()]


class CommaSeparatedMultipleChoiceField(forms.MultipleChoiceField):
    """Accepts ``status=a&status=b`` as well as ``status=a,b``."""

    def to_python(self, value):
        values = super().to_python(value)
        return [item.strip() for entry in values for item in entry.split(",") if item.strip()]


class CommaSeparatedMultipleChoiceFilter(django_filters.MultipleChoiceFilter):
    """One column among several values: an IN, with no DISTINCT (django-filter's default, which
    made PostgreSQL sort every matching row to count and page them)."""

    field_class = CommaSeparatedMultipleChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("distinct", False)
        super().__init__(*args, **kwargs)


class StableOrderingFilter(django_filters.OrderingFilter):
    """Ends every order with the ID, in the direction of the last field: projects of equal
    capacity (or name) keep one order from page to page, and the public covering indexes
    (``project_public_*_idx``) serve the order as they are read, forwards or backwards."""

    def filter(self, qs, value):
        qs = super().filter(qs, value)
        ordering = list(qs.query.order_by) or list(qs.model._meta.ordering)
        if ordering and not any(str(field).lstrip("-") in ("id", "pk") for field in ordering):
            last = str(ordering[-1])
            qs = qs.order_by(*ordering, "-id" if last.startswith("-") else "id")
        return qs


def validate_search_words(value: str) -> None:
    count = len(value.split())
    if count > MAX_SEARCH_WORDS:
        raise forms.ValidationError(
            _("Search for at most %(max)d words (this has %(count)d)."),
            code="max_words",
            params={"max": MAX_SEARCH_WORDS, "count": count},
        )


class PointField(forms.CharField):
    """``LAT,LON`` in decimal degrees."""

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            latitude, longitude = (float(part) for part in value.split(","))
        except ValueError:
            raise forms.ValidationError(_("Give a point as LAT,LON in decimal degrees, e.g. 50.36,3.52.")) from None
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise forms.ValidationError(_("Latitude must be within ±90 and longitude within ±180."))
        return (latitude, longitude)


class BoundingBoxField(forms.CharField):
    """``MIN_LON,MIN_LAT,MAX_LON,MAX_LAT`` (GeoJSON order)."""

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            min_lon, min_lat, max_lon, max_lat = (float(part) for part in value.split(","))
        except ValueError:
            raise forms.ValidationError(_("Give a box as MIN_LON,MIN_LAT,MAX_LON,MAX_LAT.")) from None
        if not (-90 <= min_lat <= max_lat <= 90 and -180 <= min_lon <= 180 and -180 <= max_lon <= 180):
            raise forms.ValidationError(_("The box must have MIN_LAT ≤ MAX_LAT within ±90 and longitudes within ±180."))
        return (min_lon, min_lat, max_lon, max_lat)


# Character filters to the schema (a string with the filter's own help), parsed by their own form fields.
class PointFilter(django_filters.CharFilter):
    field_class = PointField


class BoundingBoxFilter(django_filters.CharFilter):
    field_class = BoundingBoxField


_form_classes: dict[type, type] = {}


class CheaplyCopiedFields(dict):
    """A form's fields, which each form copies as Django does, but for the choices: a list of
    (value, label) pairs that nothing changes in place, copied as a list rather than pair by pair
    and label by label (most of the time a filter form took to make)."""

    def __deepcopy__(self, memo):
        return {name: _copy_field(field, memo) for name, field in self.items()}


def _copy_field(field: forms.Field, memo) -> forms.Field:
    if type(field).__deepcopy__ not in (forms.Field.__deepcopy__, forms.ChoiceField.__deepcopy__):
        return copy.deepcopy(field, memo)
    copied = forms.Field.__deepcopy__(field, memo)  # its own widget, messages and validators
    if isinstance(field, forms.ChoiceField):
        choices = field._choices
        if isinstance(choices, list):
            copied._choices = list(choices)
        elif getattr(choices, "field", None) is field:  # django-filter's iterator, which reads the empty label
            copied._choices = copy.copy(choices)
            copied._choices.field = copied
        else:
            copied._choices = copy.deepcopy(choices, memo)
    return copied


def _bound(filter_: django_filters.Filter, parent, model) -> django_filters.Filter:
    bound = copy.copy(filter_)
    bound.model, bound.parent = model, parent
    if getattr(filter_, "_method", None) is not None:
        bound.filter = FilterMethod(bound)  # calls the method of this filterset, not of the original's
    return bound


class ProjectFilterSet(FactFilterSet):
    q = django_filters.CharFilter(
        method="filter_search",
        max_length=MAX_SEARCH_LENGTH,
        validators=[validate_search_words],
        label=_("Search"),
        help_text=_(
            "Words in the name, aliases, municipality or an organization's name: each word must begin a word "
            "there, accents and case aside (on SQLite: be part of one)."
        ),
    )
    status = CommaSeparatedMultipleChoiceFilter(
        choices=choices.ProjectStatus.choices,
        label=_("Status"),
        help_text=_("One or more statuses, repeated or comma-separated."),
    )
    kind = CommaSeparatedMultipleChoiceFilter(
        choices=choices.ProjectKind.choices,
        label=_("Kind"),
        help_text=_("One or more kinds, repeated or comma-separated."),
    )
    country = django_filters.CharFilter(
        method="filter_country",
        label=_("Country"),
        help_text=_("ISO 3166-1 alpha-2 codes, comma-separated (FR,DE)."),
    )
    region = django_filters.CharFilter(field_name="region", lookup_expr="iexact", label=_("Region"))
    municipality = django_filters.CharFilter(field_name="municipality", lookup_expr="iexact", label=_("Municipality"))
    capacity_min = NumberFilter(field_name="capacity_mw", lookup_expr="gte", label=_("Minimum MW"))
    capacity_max = NumberFilter(field_name="capacity_mw", lookup_expr="lte", label=_("Maximum MW"))
    investment_min = NumberFilter(field_name="investment_amount", lookup_expr="gte", label=_("Minimum investment"))
    investment_max = NumberFilter(field_name="investment_amount", lookup_expr="lte", label=_("Maximum investment"))
    currency = django_filters.CharFilter(
        method="filter_currency",
        label=_("Currency"),
        help_text=_("ISO 4217 code; required with investment_min or investment_max."),
    )
    jobs_min = IntegerFilter(field_name="jobs_permanent", lookup_expr="gte", label=_("Minimum jobs"))
    operational_year_min = IntegerFilter(
        field_name="operational_year", lookup_expr="gte", label=_("Operational from year")
    )
    operational_year_max = IntegerFilter(
        field_name="operational_year", lookup_expr="lte", label=_("Operational by year")
    )
    announced_after = django_filters.DateFilter(
        field_name="announced_on", lookup_expr="gte", label=_("Announced on or after")
    )
    announced_before = django_filters.DateFilter(
        field_name="announced_on", lookup_expr="lte", label=_("Announced on or before")
    )
    organization = django_filters.CharFilter(
        method="filter_organization",
        label=_("Organization"),
        help_text=_("Slug or ID of an organization involved; narrow with role."),
    )
    role = django_filters.ChoiceFilter(
        choices=choices.RoleKind.choices,
        method="filter_role",
        label=_("Role"),
    )
    near = PointFilter(
        method="filter_near",
        label=_("Near"),
        help_text=_("LAT,LON: projects within radius_km of this point, each with its distance."),
    )
    radius_km = NumberFilter(
        method="filter_noop",
        label=_("Radius (km)"),
        help_text=_("Radius around near, in km (default 50)."),
    )
    bbox = BoundingBoxFilter(
        method="filter_bbox",
        label=_("Bounding box"),
        help_text=_("MIN_LON,MIN_LAT,MAX_LON,MAX_LAT."),
    )
    has_conflicts = StrictBooleanFilter(method="filter_has_conflicts", label=_("Has conflicts"))
    updated_since = UTCDateTimeFilter(field_name="last_updated", lookup_expr="gte", label=_("Updated since"))
    ordering = StableOrderingFilter(
        fields=(
            ("name", "name"),
            ("capacity_mw", "capacity_mw"),
            ("investment_amount", "investment"),
            ("jobs_permanent", "jobs"),
            ("operational_year", "operational_year"),
            ("announced_on", "announced_on"),
            ("last_updated", "last_updated"),
            ("country", "country"),
            ("status", "status"),
            ("distance_sort", "distance"),
        ),
        # translatable labels: django-filter's own are made from the parameter names, in English, at import
        field_labels={
            key: label
            for field, param, name in (
                ("name", "name", _("Name")),
                ("capacity_mw", "capacity_mw", _("Capacity")),
                ("investment_amount", "investment", _("Investment")),
                ("jobs_permanent", "jobs", _("Permanent jobs")),
                ("operational_year", "operational_year", _("Target year")),
                ("announced_on", "announced_on", _("Announcement date")),
                ("last_updated", "last_updated", _("Last updated")),
                ("country", "country", _("Country")),
                ("status", "status", _("Status")),
                ("distance_sort", "distance", _("Distance")),
            )
            for key, label in ((field, name), (f"-{param}", format_lazy(_("{label} (descending)"), label=name)))
        },
        label=_("Order by"),
        help_text=_("A field, or -field for descending; distance needs near."),
    )

    class Meta:
        model = Project
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        # django-filter's own __init__, but each filter is copied shallowly, not deep-copied with its
        # choices, labels and form field: the filters keep no state of their own during a request, so
        # a copy bound to this filterset is all it needs, at a fraction of the cost on every request.
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = {name: _bound(f, self, queryset.model) for name, f in self.base_filters.items()}
        self.near_point: tuple[float, float] | None = None

    def get_form_class(self):
        """Built once per filterset class (its fields' labels and messages are lazy, read in the
        request's language); each form still copies the fields it is given."""
        cls = type(self)
        if cls not in _form_classes:
            form_class = super().get_form_class()
            form_class.base_fields = CheaplyCopiedFields(form_class.base_fields)
            _form_classes[cls] = form_class
        return _form_classes[cls]

    # Validation across parameters ----------------------------------------------------------

    def is_valid(self):
        valid = super().is_valid()
        if not valid:
            return False
        data = self.form.cleaned_data
        if (data.get("investment_min") is not None or data.get("investment_max") is not None) and not data.get(
            "currency"
        ):
            self.form.add_error("currency", _("Amounts in different currencies cannot be compared: give currency."))
        unknown = [code for code in country_codes(data.get("country") or "") if code not in countries]
        if unknown:
            self.form.add_error("country", _("Unknown country code: %(codes)s.") % {"codes": ", ".join(unknown)})
        radius = data.get("radius_km")
        if radius is not None and not (0 < radius <= MAX_RADIUS_KM):
            self.form.add_error("radius_km", _("Give a radius between 0 and %(max)s km.") % {"max": int(MAX_RADIUS_KM)})
        if radius is not None and data.get("near") is None:
            self.form.add_error("near", _("radius_km needs a point: near=LAT,LON."))
        ordering = data.get("ordering") or []
        if any(key.lstrip("-") == "distance" for key in ordering) and data.get("near") is None:
            self.form.add_error("ordering", _("Ordering by distance needs near=LAT,LON."))
        return self.form.is_valid()

    # Filter methods ------------------------------------------------------------------------

    def filter_noop(self, queryset, name, value):
        return queryset  # read by filter_near

    def filter_search(self, queryset, name, value):
        return search(queryset, value)  # projects/search.py: the indexed document on PostgreSQL

    def filter_country(self, queryset, name, value):
        codes = country_codes(value)  # is_valid() refused unknown codes
        return queryset.filter(country__in=codes) if codes else queryset

    def filter_currency(self, queryset, name, value):
        return queryset.filter(investment_currency=value.strip().upper())

    def filter_organization(self, queryset, name, value):
        # the roles a reader sees (typed by hand or backed by an accepted claim), as the organization facet counts
        roles = backed(ProjectRole.objects.filter(**slug_or_id(value, prefix="organization__"), project=OuterRef("pk")))
        role = self.form.cleaned_data.get("role")
        if role:
            roles = roles.filter(role=role)
        return queryset.filter(Exists(roles))

    def filter_role(self, queryset, name, value):
        if self.form.cleaned_data.get("organization"):
            return queryset  # applied together with the organization
        return queryset.filter(Exists(ProjectRole.objects.filter(project=OuterRef("pk"), role=value)))

    def filter_has_conflicts(self, queryset, name, value):
        return queryset.filter(conflict_count__gt=0) if value else queryset.filter(conflict_count=0)

    def filter_bbox(self, queryset, name, value):
        min_lon, min_lat, max_lon, max_lat = value
        queryset = queryset.filter(latitude__gte=min_lat, latitude__lte=max_lat)
        if min_lon <= max_lon:
            return queryset.filter(longitude__gte=min_lon, longitude__lte=max_lon)
        # a box across the antimeridian
        return queryset.filter(Q(longitude__gte=min_lon) | Q(longitude__lte=max_lon))

    def filter_near(self, queryset, name, value):
        """Indexed bounding-box pre-filter, then the distance: the great circle in SQL decides every
        project clearly inside or outside the radius, the exact geodesic only those close to its edge."""
        latitude, longitude = value
        radius = self.form.cleaned_data.get("radius_km") or DEFAULT_RADIUS_KM
        radius = float(radius)
        self.near_point = (latitude, longitude)
        min_lat, max_lat, min_lon, max_lon = bounding_box(latitude, longitude, radius)
        candidates = queryset.filter(latitude__gte=min_lat, latitude__lte=max_lat)
        if max_lon - min_lon >= 360:
            pass  # the circle spans every longitude
        elif min_lon < -180:  # the box crosses the antimeridian on the west
            candidates = candidates.filter(Q(longitude__gte=min_lon + 360) | Q(longitude__lte=max_lon))
        elif max_lon > 180:  # ... or on the east
            candidates = candidates.filter(Q(longitude__gte=min_lon) | Q(longitude__lte=max_lon - 360))
        else:
            candidates = candidates.filter(longitude__gte=min_lon, longitude__lte=max_lon)
        candidates = candidates.alias(haversine=haversine(latitude, longitude))
        inside = haversine_of(radius * (1 - SPHERE_MARGIN))
        edge = [
            pk
            for pk, lat, lon in candidates.filter(
                haversine__gt=inside, haversine__lte=haversine_of(radius * (1 + SPHERE_MARGIN))
            ).values_list("pk", "latitude", "longitude")
            if distance_km((latitude, longitude), (lat, lon)) <= radius
        ]
        # An equirectangular approximation orders by distance in SQL on any database.
        scale = math.cos(math.radians(latitude))
        delta_lon = (F("longitude") - longitude) * scale
        delta_lat = F("latitude") - latitude
        within = candidates.filter(Q(haversine__lte=inside) | Q(pk__in=edge))
        return within.annotate(distance_sort=delta_lat * delta_lat + delta_lon * delta_lon)

    # Words ---------------------------------------------------------------------------------

    def is_filtering(self) -> bool:
        """Whether any filter narrows the list (an order, or fields sent empty, narrow nothing)."""
        if not self.is_bound:
            return False
        cleaned = getattr(self.form, "cleaned_data", None)
        if cleaned is None:
            return True  # not validated (or invalid): never taken for the whole list
        return any(value not in (None, "", [], ()) for name, value in cleaned.items() if name != "ordering")

    def describe(self) -> list[str]:
        """The active filters in words, values by their names for people: ["Kind: AI", "Country: France"]."""
        if not hasattr(self.form, "cleaned_data"):
            return []
        words = []
        for name, value in self.form.cleaned_data.items():
            if value in (None, "", [], ()) or name == "ordering":
                continue
            shown = self.describe_value(name, value)
            if shown is not None:
                label = self.filters[name].label or name
                words.append(_("%(label)s: %(value)s") % {"label": label, "value": shown})
        return words

    def describe_value(self, name: str, value) -> str | None:
        """One filter's value in words; None leaves the filter out of the description."""
        if name == "near":
            return f"{value[0]:.4f}, {value[1]:.4f}"
        if name == "country":
            return ", ".join(countries.name(code) or code for code in country_codes(value))
        if isinstance(value, bool):
            return str(_("yes") if value else _("no"))
        # status, kind, role (and whatever else a form offers as a list) by the labels of their choices
        labels = {str(key): str(label) for key, label in getattr(self.form.fields[name].widget, "choices", ())}
        values = value if isinstance(value, list | tuple) else [value]
        return ", ".join(labels.get(str(item)) or str(formats.localize(item)) for item in values)
