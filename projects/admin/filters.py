"""List filters of the newsroom admin; each one is a single indexed condition."""

import calendar
import datetime

from django.contrib import admin
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.filters import CountryFilter

from core.admin.filters import values_in_use
from projects import choices, staleness
from projects.extraction.facts import LOW_CONFIDENCE
from projects.models import Claim


def months_ago(months: int, today: datetime.date | None = None) -> datetime.date:
    today = today or timezone.localdate()
    year, month = divmod(today.month - 1 - months, 12)
    year, month = today.year + year, month + 1
    # 31 March minus one month is the last day of February.
    return today.replace(year=year, month=month, day=min(today.day, calendar.monthrange(year, month)[1]))


def proposed_claims():
    return Claim.objects.filter(project=OuterRef("pk"), status=choices.ClaimStatus.PROPOSED)


class CachedCountryFilter(CountryFilter):
    """django-countries' filter of the countries in use, read from the cache until the next write."""

    def lookup_choices(self, changelist):
        codes = set(values_in_use(changelist.model, self.field_path))
        for code, name in self.field.get_choices(include_blank=False):
            if code in codes:
                yield code, name


class CapacityBandFilter(admin.SimpleListFilter):
    title = _("capacity")
    parameter_name = "capacity"
    bands = {
        "lt50": (None, 50),
        "50-200": (50, 200),
        "200-500": (200, 500),
        "500-1000": (500, 1000),
        "gte1000": (1000, None),
    }

    def lookups(self, request, model_admin):
        return [
            ("lt50", _("under 50 MW")),
            ("50-200", _("50 to 200 MW")),
            ("200-500", _("200 to 500 MW")),
            ("500-1000", _("500 to 1,000 MW")),
            ("gte1000", _("1,000 MW and more")),
            ("unknown", _("not known")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "unknown":
            return queryset.filter(capacity_mw__isnull=True)
        if self.value() not in self.bands:
            return queryset
        low, high = self.bands[self.value()]
        if low is not None:
            queryset = queryset.filter(capacity_mw__gte=low)
        if high is not None:
            queryset = queryset.filter(capacity_mw__lt=high)
        return queryset


class HasConflictsFilter(admin.SimpleListFilter):
    title = _("conflicting sources")
    parameter_name = "conflicts"

    def lookups(self, request, model_admin):
        return [("yes", _("with open conflicts")), ("no", _("without conflicts"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(conflict_count__gt=0)
        if self.value() == "no":
            return queryset.filter(conflict_count=0)
        return queryset


class NeedsReviewFilter(admin.SimpleListFilter):
    title = _("needs review")
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [
            ("claims", _("claims awaiting review")),
            ("drafts", _("drafts from article ingestion")),
            ("none", _("nothing awaiting review")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "claims":
            return queryset.filter(Exists(proposed_claims()))
        if self.value() == "drafts":
            return queryset.filter(is_draft=True)
        if self.value() == "none":
            return queryset.filter(~Exists(proposed_claims()), is_draft=False)
        return queryset


class NotVerifiedFilter(admin.SimpleListFilter):
    title = _("not verified for")
    parameter_name = "stale"

    def lookups(self, request, model_admin):
        return [
            ("3", _("3 months")),
            ("6", _("6 months")),
            ("12", _("12 months")),
            ("never", _("never verified")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "never":
            return queryset.filter(last_verified_on__isnull=True)
        if self.value() in {"3", "6", "12"}:
            cutoff = months_ago(int(self.value()))
            return queryset.filter(Q(last_verified_on__lt=cutoff) | Q(last_verified_on__isnull=True))
        return queryset


class ConfidenceFilter(admin.SimpleListFilter):
    """The extractor's proposals it is least sure of, for a careful look first."""

    title = _("confidence")
    parameter_name = "confidence"

    def lookups(self, request, model_admin):
        return [
            ("low", _("low confidence")),
            ("high", _("not low")),
            ("none", _("not given (entered by hand)")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "low":
            return queryset.filter(confidence__lt=LOW_CONFIDENCE)
        if self.value() == "high":
            return queryset.filter(confidence__gte=LOW_CONFIDENCE)
        if self.value() == "none":
            return queryset.filter(confidence__isnull=True)
        return queryset


class ReviewQueueFilter(admin.SimpleListFilter):
    """The claims list opens on the review queue; the other states are one click away."""

    title = _("review state")
    parameter_name = "state"
    default = choices.ClaimStatus.PROPOSED

    def lookups(self, request, model_admin):
        return [
            (choices.ClaimStatus.PROPOSED, _("awaiting review")),
            (choices.ClaimStatus.ACCEPTED, _("accepted")),
            (choices.ClaimStatus.REJECTED, _("rejected")),
            ("all", _("all claims")),
        ]

    def selected(self) -> str:
        return self.value() or self.default

    def queryset(self, request, queryset):
        if self.selected() in choices.ClaimStatus.values:
            return queryset.filter(status=self.selected())
        return queryset

    def choices(self, changelist):
        for value, title in self.lookup_choices:
            yield {
                "selected": self.selected() == str(value),
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": title,
            }


class InferredStatusFilter(admin.SimpleListFilter):
    """Projects a quiet press implies are shelved (no source for two years) or cancelled (four years)."""

    title = _("inferred status")
    parameter_name = "inferred_status"

    def lookups(self, request, model_admin):
        return staleness.InferredStatus.choices

    def queryset(self, request, queryset):
        if self.value() not in staleness.InferredStatus.values:
            return queryset
        return staleness.filter_inferred(queryset, [self.value()])
