"""The project, the fields it is edited by, and its dated lifecycle."""

import functools

from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import ExtractYear
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from core.models import TrackedModel
from projects import choices
from projects.models.base import (
    SluggedModel,
    aliases_field,
    backing_claim_field,
    coordinate_constraints,
    coordinate_fields,
    currency_validator,
    non_negative,
    validate_aliases,
    year_validators,
)
from projects.models.limits import DESCRIPTION_MAX_LENGTH, bounded_text_field
from projects.models.sources import Source


class Project(SluggedModel):
    """A data-center project or campus; its headline figures come from accepted claims."""

    aliases = aliases_field()
    description = bounded_text_field(
        DESCRIPTION_MAX_LENGTH,
        verbose_name=_("description"),
        blank=True,
    )
    kind = models.CharField(
        verbose_name=_("kind"),
        max_length=20,
        choices=choices.ProjectKind.choices,
        default=choices.ProjectKind.OTHER,
    )
    status = models.CharField(
        verbose_name=_("status"),
        max_length=30,
        choices=choices.ProjectStatus.choices,
        default=choices.ProjectStatus.ANNOUNCED,
    )
    # Location
    # Indexed with others (Meta.indexes); a region and a municipality are compared accents and case
    # aside (``iexact``: ``UPPER(...)``), which the municipality's trigram index serves and a plain one
    # does not.
    country = CountryField(
        verbose_name=_("country"),
        blank=True,
    )
    region = models.CharField(
        verbose_name=_("region"),
        max_length=200,
        blank=True,
    )
    municipality = models.CharField(
        verbose_name=_("municipality"),
        max_length=200,
        blank=True,
    )
    address = models.CharField(
        verbose_name=_("address"),
        max_length=500,
        blank=True,
    )
    latitude, longitude = coordinate_fields()
    location_precision = models.CharField(
        verbose_name=_("location precision"),
        max_length=20,
        choices=choices.LocationPrecision.choices,
        blank=True,
        help_text=_("How precisely the coordinates place the site."),
    )
    # Site
    site_area_ha = models.DecimalField(
        verbose_name=_("site area (ha)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[non_negative],
    )
    floor_area_m2 = models.DecimalField(
        verbose_name=_("floor area (m²)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[non_negative],
    )
    former_use = models.CharField(
        verbose_name=_("former use"),
        max_length=300,
        blank=True,
        help_text=_("What the site was before, e.g. “former Usinor steelworks”."),
    )
    # Capacity
    capacity_mw = models.DecimalField(
        verbose_name=_("capacity (MW)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        db_index=True,
        validators=[non_negative],
    )
    capacity_basis = models.CharField(
        verbose_name=_("capacity basis"),
        max_length=10,
        choices=choices.CapacityBasis.choices,
        default=choices.CapacityBasis.UNKNOWN,
        help_text=_("Whether the MW figure is gross grid power or IT load."),
    )
    # Investment
    investment_amount = models.DecimalField(
        verbose_name=_("investment"),
        max_digits=20,
        decimal_places=2,
        null=True,
        blank=True,
        db_index=True,
        validators=[non_negative],
    )
    investment_currency = models.CharField(
        verbose_name=_("currency"),
        max_length=3,
        blank=True,
        validators=[currency_validator],
        help_text=_("ISO 4217 code, e.g. EUR."),
    )
    investment_year = models.PositiveSmallIntegerField(
        verbose_name=_("year of the investment figure"),
        null=True,
        blank=True,
        validators=year_validators,
    )
    # Jobs
    jobs_permanent = models.PositiveIntegerField(
        verbose_name=_("permanent jobs"),
        null=True,
        blank=True,
        db_index=True,
    )
    jobs_construction = models.PositiveIntegerField(
        verbose_name=_("construction jobs"),
        null=True,
        blank=True,
    )
    # Timeline headline
    announced_on = models.DateField(
        verbose_name=_("announced on"),
        null=True,
        blank=True,
        db_index=True,
    )
    announced_precision = models.CharField(
        verbose_name=_("announcement date precision"),
        max_length=5,
        choices=choices.DatePrecision.choices,
        default=choices.DatePrecision.DAY,
    )
    operational_year = models.PositiveSmallIntegerField(
        verbose_name=_("target year of operation"),
        null=True,
        blank=True,
        db_index=True,
        validators=year_validators,
    )
    # Review
    last_verified_on = models.DateField(
        verbose_name=_("last verified on"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("When a journalist last checked the record against its sources."),
    )
    conflict_count = models.PositiveIntegerField(
        verbose_name=_("open conflicts"),
        default=0,
        editable=False,
        db_index=True,
        help_text=_("Attributes on which accepted claims disagree; kept up to date by the claims."),
    )
    is_draft = models.BooleanField(
        verbose_name=_("draft"),
        default=False,
        help_text=_("Proposed by article ingestion and not yet confirmed by a person."),
    )
    typed_by_hand = models.JSONField(
        verbose_name=_("figures typed by hand"),
        default=list,
        blank=True,
        editable=False,
        help_text=_(
            "Attributes whose figure was typed by an editor rather than taken from the headline claim; "
            "kept up to date by the services."
        ),
    )
    search_vector = SearchVectorField(
        verbose_name=_("search document"),
        null=True,
        editable=False,
        help_text=_(
            "Words of the name, aliases, municipality and organizations, for text search on PostgreSQL; "
            "kept up to date by the services (projects/search.py)."
        ),
    )

    change_log_exclude = ("conflict_count", "search_vector")
    write_services = "projects.services.project_create / project_update / project_delete"

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ("name",)
        # Each index costs every write (an import writes 100,000 rows through them): plain ones only, not
        # the ``varchar_pattern_ops`` twin Django adds to an indexed text field for LIKE 'prefix%',
        # which no query here runs; a country is read through the two indexes that begin with it.
        indexes = [
            models.Index(fields=["kind"], name="project_kind_idx"),
            models.Index(fields=["status"], name="project_status_idx"),
            models.Index(fields=["latitude", "longitude"], name="project_coordinates_idx"),
            models.Index(fields=["country", "status"], name="project_country_status_idx"),
            # investment_min/max always come with a currency: amounts are compared within one
            models.Index(fields=["investment_currency", "investment_amount"], name="project_investment_idx"),
            # Lists: the default order (the admin's, drafts included), then the public list's two main
            # orders as readers see them, each ended by the ID (stable pages): deep pages read their IDs
            # from these alone (core.paginator); and a country's projects by capacity.
            models.Index(fields=["name"], name="project_name_idx"),
            models.Index(fields=["name", "id"], name="project_public_name_idx", condition=Q(is_draft=False)),
            models.Index(fields=["capacity_mw", "id"], name="project_public_mw_idx", condition=Q(is_draft=False)),
            models.Index(
                fields=["country", "capacity_mw"], name="project_public_country_mw_idx", condition=Q(is_draft=False)
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity_mw__isnull=True) | Q(capacity_mw__gte=0),
                name="project_capacity_non_negative",
                violation_error_message=_("Capacity cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(site_area_ha__isnull=True) | Q(site_area_ha__gte=0),
                name="project_site_area_non_negative",
                violation_error_message=_("Site area cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(floor_area_m2__isnull=True) | Q(floor_area_m2__gte=0),
                name="project_floor_area_non_negative",
                violation_error_message=_("Floor area cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(investment_amount__isnull=True) | Q(investment_amount__gte=0),
                name="project_investment_non_negative",
                violation_error_message=_("Investment cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(investment_amount__isnull=True) | Q(investment_currency__regex=r"^[A-Z]{3}$"),
                name="project_investment_has_currency",
                violation_error_message=_("An investment needs a three-letter ISO 4217 currency."),
            ),
            *coordinate_constraints(),
            models.CheckConstraint(
                condition=Q(operational_year__isnull=True)
                | Q(announced_on__isnull=True)
                | Q(operational_year__gte=ExtractYear("announced_on")),
                name="project_operation_not_before_announcement",
                violation_error_message=_("The target year of operation cannot be before the announcement."),
            ),
        ]

    def get_absolute_url(self):
        return reverse("projects:detail", kwargs={"slug": self.slug})

    def history_ids(self) -> list[int]:
        """Its ID and those of the records merged into it: their history is part of its history."""
        return [self.pk, *self.redirects.filter(old_id__isnull=False).values_list("old_id", flat=True)]

    @property
    def point(self):
        return (self.latitude, self.longitude) if self.latitude is not None else None

    def clean(self):
        super().clean()
        validate_aliases(self.aliases)
        if self.investment_amount is not None and not self.investment_currency:
            raise ValidationError({"investment_currency": _("Give the currency of the investment.")})
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError({"longitude": _("Give both latitude and longitude, or neither.")})


# A project's own editable fields, in the order forms, the API and spreadsheets show them.
PROJECT_FIELDS = (
    "slug",
    "name",
    "aliases",
    "description",
    "kind",
    "status",
    "country",
    "region",
    "municipality",
    "address",
    "latitude",
    "longitude",
    "location_precision",
    "site_area_ha",
    "floor_area_m2",
    "former_use",
    "capacity_mw",
    "capacity_basis",
    "investment_amount",
    "investment_currency",
    "investment_year",
    "jobs_permanent",
    "jobs_construction",
    "announced_on",
    "announced_precision",
    "operational_year",
    "last_verified_on",
)


class ProjectStatusChange(TrackedModel):
    """A dated step in the project's lifecycle (not an edit date: when it happened)."""

    project = models.ForeignKey(
        Project,
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        related_name="status_history",
    )
    status = models.CharField(
        verbose_name=_("status"),
        max_length=30,
        choices=choices.ProjectStatus.choices,
    )
    date = models.DateField(
        verbose_name=_("date"),
    )
    date_precision = models.CharField(
        verbose_name=_("date precision"),
        max_length=5,
        choices=choices.DatePrecision.choices,
        default=choices.DatePrecision.DAY,
    )
    note = models.CharField(
        verbose_name=_("note"),
        max_length=500,
        blank=True,
    )
    source = models.ForeignKey(
        Source,
        verbose_name=_("source"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    claim = backing_claim_field()

    change_log_parent = "project"

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status history")
        ordering = ("project", "date", "id")

    def __str__(self):
        # The label looked up, not get_status_display(), which walks the choices on each call: an import
        # names every new project's first step in the change log.
        return f"{_status_label(get_language(), self.status)} ({self.date})"


STATUS_LABELS = dict(choices.ProjectStatus.choices)


@functools.lru_cache(maxsize=256)
def _status_label(language: str | None, status: str) -> str:
    """A status's label in a language, translated once rather than for each step named."""
    return str(STATUS_LABELS.get(status, status))
