from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import ExtractYear
from django.urls import reverse
from django.utils.formats import date_format, number_format
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from core.models import TrackedModel
from projects import attributes, choices

currency_validator = RegexValidator(
    r"^[A-Z]{3}$", _("Enter a three-letter ISO 4217 currency code in capitals, such as EUR.")
)
non_negative = MinValueValidator(Decimal("0"))
latitude_validators = [MinValueValidator(-90), MaxValueValidator(90)]
longitude_validators = [MinValueValidator(-180), MaxValueValidator(180)]
year_validators = [MinValueValidator(1950), MaxValueValidator(2100)]


def aliases_field():
    return models.JSONField(
        verbose_name=_("aliases"),
        default=list,
        blank=True,
        help_text=_("Other names used in the press, one per entry."),
    )


def backing_claim_field():
    return models.ForeignKey(
        "Claim",
        verbose_name=_("claim"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        help_text=_("The accepted claim this record comes from; empty when it was typed by hand."),
    )


def validate_aliases(value):
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError(_("Aliases must be a list of names."))


class SluggedModel(TrackedModel):
    """A named record reachable by a URL-safe slug derived from its name."""

    name = models.CharField(
        verbose_name=_("name"),
        max_length=200,
    )
    slug = models.SlugField(
        verbose_name=_("slug"),
        max_length=200,
        unique=True,
        blank=True,
        help_text=_("Identifier used in URLs; made from the name when left empty."),
    )

    class Meta:
        abstract = True

    def __str__(self):
        return self.name

    def unique_slug(self) -> str:
        base = slugify(self.name)[:190] or "record"
        slug, n = base, 2
        while type(self)._base_manager.filter(slug=slug).exclude(pk=self.pk).exists():
            slug, n = f"{base}-{n}", n + 1
        return slug


class Organization(SluggedModel):
    aliases = aliases_field()
    kind = models.CharField(
        verbose_name=_("kind"),
        max_length=30,
        choices=choices.OrganizationKind.choices,
        default=choices.OrganizationKind.COMPANY,
    )
    country = CountryField(
        verbose_name=_("country"),
        blank=True,
    )
    website = models.URLField(
        verbose_name=_("website"),
        blank=True,
    )
    description = models.TextField(
        verbose_name=_("description"),
        blank=True,
    )

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ("name",)
        indexes = [models.Index(fields=["name"], name="organization_name_idx")]

    write_services = "projects.services.record_save / record_delete"

    def clean(self):
        super().clean()
        validate_aliases(self.aliases)


class OrganizationRelationship(TrackedModel):
    """A tie between two organizations: a partnership, a joint venture, an acquisition..."""

    from_organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="relationships",
    )
    to_organization = models.ForeignKey(
        Organization,
        verbose_name=_("related organization"),
        on_delete=models.CASCADE,
        related_name="reverse_relationships",
    )
    kind = models.CharField(
        verbose_name=_("kind"),
        max_length=30,
        choices=choices.RelationshipKind.choices,
    )
    purpose = models.CharField(
        verbose_name=_("purpose"),
        max_length=500,
        blank=True,
        help_text=_("What the relationship is for, e.g. “ready-to-build sites for data centers”."),
    )
    started_on = models.DateField(
        verbose_name=_("started on"),
        null=True,
        blank=True,
    )
    ended_on = models.DateField(
        verbose_name=_("ended on"),
        null=True,
        blank=True,
    )
    source = models.ForeignKey(
        "Source",
        verbose_name=_("source"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="relationships",
    )
    quote = models.TextField(
        verbose_name=_("quote"),
        blank=True,
    )

    change_log_parent = "from_organization"

    class Meta:
        verbose_name = _("organization relationship")
        verbose_name_plural = _("organization relationships")
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_organization=F("to_organization")),
                name="relationship_distinct_organizations",
                violation_error_message=_("An organization cannot be related to itself."),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(started_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="relationship_ends_after_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
            models.UniqueConstraint(
                fields=["from_organization", "to_organization", "kind"],
                name="relationship_unique",
            ),
        ]

    def __str__(self):
        return f"{self.from_organization} – {self.to_organization} ({self.get_kind_display()})"


class Substation(SluggedModel):
    operator = models.ForeignKey(
        Organization,
        verbose_name=_("operator"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="substations",
    )
    voltage_kv = models.PositiveIntegerField(
        verbose_name=_("voltage (kV)"),
        null=True,
        blank=True,
    )
    country = CountryField(
        verbose_name=_("country"),
        blank=True,
    )
    latitude = models.FloatField(
        verbose_name=_("latitude"),
        null=True,
        blank=True,
        validators=latitude_validators,
    )
    longitude = models.FloatField(
        verbose_name=_("longitude"),
        null=True,
        blank=True,
        validators=longitude_validators,
    )

    class Meta:
        verbose_name = _("substation")
        verbose_name_plural = _("substations")
        ordering = ("name",)
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="substation_latitude_range",
                violation_error_message=_("Latitude must be between -90 and 90."),
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="substation_longitude_range",
                violation_error_message=_("Longitude must be between -180 and 180."),
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="substation_coordinates_pair",
                violation_error_message=_("Give both latitude and longitude, or neither."),
            ),
        ]

    @property
    def point(self):
        return (self.latitude, self.longitude) if self.latitude is not None else None


class Source(TrackedModel):
    """An article or document that states facts."""

    url = models.URLField(
        verbose_name=_("URL"),
        max_length=1000,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Unique: the same article is recorded once."),
    )
    title = models.CharField(
        verbose_name=_("title"),
        max_length=500,
    )
    publisher = models.CharField(
        verbose_name=_("publisher"),
        max_length=200,
        blank=True,
    )
    author = models.CharField(
        verbose_name=_("author"),
        max_length=200,
        blank=True,
    )
    language = models.CharField(
        verbose_name=_("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
    )
    published_on = models.DateField(
        verbose_name=_("published on"),
        null=True,
        blank=True,
        db_index=True,
    )
    retrieved_at = models.DateTimeField(
        verbose_name=_("retrieved at"),
        null=True,
        blank=True,
    )
    text = models.TextField(
        verbose_name=_("full text"),
        blank=True,
        help_text=_("Optional; extraction reads it and quotes point into it."),
    )

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        ordering = ("-published_on", "title")

    def __str__(self):
        parts = [self.title]
        if self.publisher:
            parts.append(self.publisher)
        if self.published_on:
            parts.append(self.published_on.isoformat())
        return " · ".join(parts)

    write_services = "projects.services.record_save / record_delete"


class Project(SluggedModel):
    """A data-center project or campus; its headline figures come from accepted claims."""

    aliases = aliases_field()
    description = models.TextField(
        verbose_name=_("description"),
        blank=True,
    )
    kind = models.CharField(
        verbose_name=_("kind"),
        max_length=20,
        choices=choices.ProjectKind.choices,
        default=choices.ProjectKind.OTHER,
        db_index=True,
    )
    status = models.CharField(
        verbose_name=_("status"),
        max_length=30,
        choices=choices.ProjectStatus.choices,
        default=choices.ProjectStatus.ANNOUNCED,
        db_index=True,
    )
    # Location
    country = CountryField(
        verbose_name=_("country"),
        blank=True,
        db_index=True,
    )
    region = models.CharField(
        verbose_name=_("region"),
        max_length=200,
        blank=True,
        db_index=True,
    )
    municipality = models.CharField(
        verbose_name=_("municipality"),
        max_length=200,
        blank=True,
        db_index=True,
    )
    address = models.CharField(
        verbose_name=_("address"),
        max_length=500,
        blank=True,
    )
    latitude = models.FloatField(
        verbose_name=_("latitude"),
        null=True,
        blank=True,
        validators=latitude_validators,
    )
    longitude = models.FloatField(
        verbose_name=_("longitude"),
        null=True,
        blank=True,
        validators=longitude_validators,
    )
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

    change_log_exclude = ("conflict_count",)
    write_services = "projects.services.project_create / project_update / project_delete"

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ("name",)
        indexes = [
            models.Index(fields=["latitude", "longitude"], name="project_coordinates_idx"),
            models.Index(fields=["country", "status"], name="project_country_status_idx"),
            # investment_min/max always come with a currency: amounts are compared within one
            models.Index(fields=["investment_currency", "investment_amount"], name="project_investment_idx"),
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
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="project_latitude_range",
                violation_error_message=_("Latitude must be between -90 and 90."),
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="project_longitude_range",
                violation_error_message=_("Longitude must be between -180 and 180."),
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="project_coordinates_pair",
                violation_error_message=_("Give both latitude and longitude, or neither."),
            ),
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
        return f"{self.get_status_display()} ({self.date})"


class Phase(TrackedModel):
    project = models.ForeignKey(
        Project,
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        related_name="phases",
    )
    name = models.CharField(
        verbose_name=_("name"),
        max_length=200,
    )
    capacity_mw = models.DecimalField(
        verbose_name=_("capacity (MW)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[non_negative],
    )
    target_year = models.PositiveSmallIntegerField(
        verbose_name=_("target year"),
        null=True,
        blank=True,
        validators=year_validators,
    )
    status = models.CharField(
        verbose_name=_("status"),
        max_length=30,
        choices=choices.ProjectStatus.choices,
        default=choices.ProjectStatus.ANNOUNCED,
    )
    order = models.PositiveSmallIntegerField(
        verbose_name=_("order"),
        default=0,
    )

    change_log_parent = "project"

    class Meta:
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        ordering = ("project", "order", "target_year", "id")
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="phase_unique_name"),
            models.CheckConstraint(
                condition=Q(capacity_mw__isnull=True) | Q(capacity_mw__gte=0),
                name="phase_capacity_non_negative",
                violation_error_message=_("Capacity cannot be negative."),
            ),
        ]

    def __str__(self):
        return self.name


class Milestone(TrackedModel):
    project = models.ForeignKey(
        Project,
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        related_name="milestones",
    )
    kind = models.CharField(
        verbose_name=_("kind"),
        max_length=30,
        choices=choices.MilestoneKind.choices,
    )
    date = models.DateField(
        verbose_name=_("date"),
        help_text=_("With year or month precision, the first day of the year or month."),
    )
    date_precision = models.CharField(
        verbose_name=_("date precision"),
        max_length=5,
        choices=choices.DatePrecision.choices,
        default=choices.DatePrecision.DAY,
    )
    phase = models.ForeignKey(
        Phase,
        verbose_name=_("phase"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="milestones",
    )
    description = models.CharField(
        verbose_name=_("description"),
        max_length=500,
        blank=True,
    )
    source = models.ForeignKey(
        Source,
        verbose_name=_("source"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="milestones",
    )

    change_log_parent = "project"

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ("project", "date", "id")

    def __str__(self):
        return f"{self.get_kind_display()} {format_partial_date(self.date, self.date_precision)}"

    def clean(self):
        if self.date and self.date_precision != choices.DatePrecision.DAY and self.date.day != 1:
            raise ValidationError({"date": _("A date known to the month or year is stored as its first day.")})
        if self.date and self.date_precision == choices.DatePrecision.YEAR and self.date.month != 1:
            raise ValidationError({"date": _("A date known to the year is stored as 1 January.")})


def format_partial_date(date, precision) -> str:
    if date is None:
        return ""
    if precision == choices.DatePrecision.YEAR:
        return f"{date:%Y}"
    if precision == choices.DatePrecision.MONTH:
        return f"{date:%Y-%m}"
    return date.isoformat()


class ProjectRole(TrackedModel):
    """An organization's part in a project; the organization may be undisclosed."""

    project = models.ForeignKey(
        Project,
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        related_name="roles",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="project_roles",
    )
    role = models.CharField(
        verbose_name=_("role"),
        max_length=30,
        choices=choices.RoleKind.choices,
    )
    undisclosed = models.BooleanField(
        verbose_name=_("undisclosed"),
        default=False,
        help_text=_("The role is held by a party whose name has not been made public."),
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
        related_name="roles",
    )
    claim = backing_claim_field()

    change_log_parent = "project"

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ("project", "role", "id")
        constraints = [
            models.CheckConstraint(
                condition=Q(organization__isnull=False, undisclosed=False)
                | Q(organization__isnull=True, undisclosed=True),
                name="role_organization_or_undisclosed",
                violation_error_message=_("Name the organization, or mark the party as undisclosed (not both)."),
            ),
            models.UniqueConstraint(
                fields=["project", "organization", "role"],
                condition=Q(organization__isnull=False),
                name="role_unique_per_organization",
            ),
        ]

    def __str__(self):
        holder = self.organization.name if self.organization_id else _("undisclosed")
        return f"{self.get_role_display()}: {holder}"


class GridConnection(TrackedModel):
    project = models.ForeignKey(
        Project,
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        related_name="grid_connections",
    )
    substation = models.ForeignKey(
        Substation,
        verbose_name=_("substation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="connections",
    )
    voltage_kv = models.PositiveIntegerField(
        verbose_name=_("voltage (kV)"),
        null=True,
        blank=True,
    )
    grid_operator = models.ForeignKey(
        Organization,
        verbose_name=_("grid operator"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grid_connections",
    )
    status = models.CharField(
        verbose_name=_("connection status"),
        max_length=30,
        choices=choices.ConnectionStatus.choices,
        default=choices.ConnectionStatus.UNKNOWN,
    )
    capacity_mw = models.DecimalField(
        verbose_name=_("connection capacity (MW)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[non_negative],
    )
    distance_km = models.FloatField(
        verbose_name=_("distance from the site (km)"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Geodesic distance between the site and the substation, kept up to date by the services."),
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
        related_name="grid_connections",
    )
    claim = backing_claim_field()

    change_log_parent = "project"
    # Recomputed from the site and the substation whenever either moves.
    change_log_exclude = ("distance_km",)

    class Meta:
        verbose_name = _("grid connection")
        verbose_name_plural = _("grid connections")
        ordering = ("project", "id")

    def __str__(self):
        return str(self.substation) if self.substation_id else _("grid connection")


class Claim(TrackedModel):
    """One statement a source makes about a project or an organization, with its quote."""

    project = models.ForeignKey(
        Project,
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="claims",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("about organization"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="claims",
        help_text=_("For a claim about an organization rather than a project."),
    )
    source = models.ForeignKey(
        Source,
        verbose_name=_("source"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claims",
    )
    attribute = models.CharField(
        verbose_name=_("attribute"),
        max_length=30,
        choices=choices.ClaimAttribute.choices,
        db_index=True,
    )
    value_kind = models.CharField(
        verbose_name=_("kind of value"),
        max_length=20,
        choices=choices.ValueKind.choices,
        editable=False,
    )
    value_number = models.DecimalField(
        verbose_name=_("number"),
        max_digits=24,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("A figure: MW, jobs, hectares, a year, or an amount of money."),
    )
    value_number_max = models.DecimalField(
        verbose_name=_("upper figure"),
        max_digits=24,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("For a range (“500 to 700 MW”): the upper end; the figure above is the lower end."),
    )
    bound = models.CharField(
        verbose_name=_("bound"),
        max_length=10,
        choices=choices.ClaimBound.choices,
        default=choices.ClaimBound.EXACT,
        help_text=_("Whether the figure is exact, a minimum (“at least”), a maximum (“up to”) or a range."),
    )
    scope = models.CharField(
        verbose_name=_("scope"),
        max_length=10,
        choices=choices.ClaimScope.choices,
        default=choices.ClaimScope.PROJECT,
        help_text=_(
            "What the figure is about: the whole project, one phase, one building, or the eventual build-out. "
            "Only whole-project figures become the project's headline; figures of different scopes never conflict."
        ),
    )
    unit = models.CharField(
        verbose_name=_("unit"),
        max_length=20,
        blank=True,
    )
    currency = models.CharField(
        verbose_name=_("currency"),
        max_length=3,
        blank=True,
        validators=[currency_validator],
    )
    value_date = models.DateField(
        verbose_name=_("date"),
        null=True,
        blank=True,
    )
    value_date_precision = models.CharField(
        verbose_name=_("date precision"),
        max_length=5,
        choices=choices.DatePrecision.choices,
        blank=True,
    )
    value_text = models.CharField(
        verbose_name=_("text"),
        max_length=500,
        blank=True,
    )
    value_organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="mentions",
    )
    role = models.CharField(
        verbose_name=_("role"),
        max_length=30,
        choices=choices.RoleKind.choices,
        blank=True,
        help_text=_("For an organization: the part it plays in the project."),
    )
    value_key = models.CharField(
        verbose_name=_("comparable value"),
        max_length=600,
        editable=False,
        help_text=_("Normalised form of the value, so that equal values compare equal."),
    )
    quote = models.TextField(
        verbose_name=_("quote"),
        blank=True,
        help_text=_("The source's own words supporting the value."),
    )
    quote_start = models.PositiveIntegerField(
        verbose_name=_("quote start"),
        null=True,
        blank=True,
    )
    quote_end = models.PositiveIntegerField(
        verbose_name=_("quote end"),
        null=True,
        blank=True,
    )
    as_of = models.DateField(
        verbose_name=_("true as of"),
        null=True,
        blank=True,
        help_text=_("The date the statement was true as of; defaults to the source's date."),
    )
    event_date = models.DateField(
        verbose_name=_("event date"),
        null=True,
        blank=True,
        help_text=_(
            "When the event the claim reports happened (a permit granted, works started), as the source gives it; "
            "timelines show it. With month or year precision, the first day of the month or year."
        ),
    )
    event_date_precision = models.CharField(
        verbose_name=_("event date precision"),
        max_length=5,
        choices=choices.DatePrecision.choices,
        blank=True,
    )
    status = models.CharField(
        verbose_name=_("review state"),
        max_length=10,
        choices=choices.ClaimStatus.choices,
        default=choices.ClaimStatus.PROPOSED,
        db_index=True,
    )
    is_headline = models.BooleanField(
        verbose_name=_("headline"),
        default=False,
        help_text=_("This claim's value is the one the project shows."),
    )
    in_conflict = models.BooleanField(
        verbose_name=_("in conflict"),
        default=False,
        editable=False,
        help_text=_("Another claim on the same attribute gives a different value."),
    )
    origin = models.CharField(
        verbose_name=_("origin"),
        max_length=20,
        choices=choices.ClaimOrigin.choices,
        default=choices.ClaimOrigin.MANUAL,
    )
    confidence = models.FloatField(
        verbose_name=_("confidence"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(
        verbose_name=_("reviewed at"),
        null=True,
        blank=True,
    )
    note = models.CharField(
        verbose_name=_("note"),
        max_length=500,
        blank=True,
    )

    change_log_parent = "project"
    change_log_exclude = ("in_conflict", "value_key", "value_kind")
    # Set by the services only; their uniqueness is checked by the database's index.
    service_managed_fields = ("is_headline",)
    write_services = "projects.services.claim_create / claim_update / claim_accept / claim_reject / claim_delete"

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        ordering = ("attribute", "as_of", "id")
        permissions = [("review_claim", _("Can accept or reject claims"))]
        indexes = [
            models.Index(fields=["project", "attribute", "status"], name="claim_project_attribute_idx"),
            models.Index(fields=["status", "in_conflict"], name="claim_review_queue_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(project__isnull=False) | Q(organization__isnull=False),
                name="claim_has_subject",
                violation_error_message=_("A claim is about a project or an organization."),
            ),
            models.CheckConstraint(
                condition=~Q(status=choices.ClaimStatus.ACCEPTED) | Q(source__isnull=False),
                name="claim_accepted_has_source",
                violation_error_message=_("A claim without a source cannot be accepted."),
            ),
            models.CheckConstraint(
                condition=~Q(value_kind=choices.ValueKind.MONEY) | Q(currency__regex=r"^[A-Z]{3}$"),
                name="claim_money_has_currency",
                violation_error_message=_("An amount of money needs a three-letter ISO 4217 currency."),
            ),
            models.CheckConstraint(
                condition=Q(value_number__isnull=True) | Q(value_number__gte=0),
                name="claim_number_non_negative",
                violation_error_message=_("Figures cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(quote_start__isnull=True) | Q(quote_end__isnull=True) | Q(quote_end__gte=F("quote_start")),
                name="claim_quote_offsets_ordered",
                violation_error_message=_("The quote cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(is_headline=False)
                | Q(status=choices.ClaimStatus.ACCEPTED, scope=choices.ClaimScope.PROJECT, project__isnull=False),
                name="claim_headline_is_accepted",
                violation_error_message=_("Only an accepted claim about the whole project can be its headline figure."),
            ),
            models.CheckConstraint(
                condition=Q(value_number_max__isnull=True) | Q(value_number_max__gte=F("value_number")),
                name="claim_range_ordered",
                violation_error_message=_("The upper end of the range cannot be below its lower end."),
            ),
            models.UniqueConstraint(
                fields=["project", "attribute"],
                condition=Q(is_headline=True),
                name="claim_one_headline_per_attribute",
                violation_error_message=_("Only one claim per attribute can be the project's headline."),
            ),
        ]

    def __str__(self):
        return f"{self.get_attribute_display()}: {self.display_value}"

    @property
    def value(self):
        match self.value_kind:
            case choices.ValueKind.NUMBER | choices.ValueKind.MONEY:
                return self.value_number
            case choices.ValueKind.DATE:
                return self.value_date
            case choices.ValueKind.ORGANIZATION:
                return self.value_organization
        return self.value_text

    @property
    def display_value(self) -> str:
        """The value as readers write it, in their locale: "700 MW", "5 000 000 000 EUR", "9 décembre 2025"."""
        match self.value_kind:
            case choices.ValueKind.MONEY:
                return f"{format_number(self.value_number)} {self.currency}"
            case choices.ValueKind.NUMBER if self.attribute == choices.ClaimAttribute.OPERATIONAL_YEAR:
                return normalize_decimal(self.value_number)  # a year: 2030, not "2,030 year"
            case choices.ValueKind.NUMBER:
                unit = UNIT_LABELS.get(self.unit, self.unit)
                return f"{format_number(self.value_number)} {unit}".strip()
            case choices.ValueKind.DATE:
                return localized_partial_date(self.value_date, self.value_date_precision)
            case choices.ValueKind.ORGANIZATION:
                org = self.value_organization.name if self.value_organization_id else ""
                return f"{org} ({self.get_role_display()})" if self.role else org
        if self.attribute == choices.ClaimAttribute.STATUS and self.value_text in choices.ProjectStatus.values:
            return str(choices.ProjectStatus(self.value_text).label)
        return self.value_text

    def compute_value_key(self) -> str:
        """The value in a form that compares: "700", ">=700", "<=1000", "500..700", "5000000000 EUR"."""
        match self.value_kind:
            case choices.ValueKind.MONEY:
                return f"{self._bounded_key()} {self.currency}"
            case choices.ValueKind.NUMBER:
                return self._bounded_key()
            case choices.ValueKind.DATE:
                return format_partial_date(self.value_date, self.value_date_precision)
            case choices.ValueKind.ORGANIZATION:
                return f"{self.value_organization_id}:{self.role}"
        return " ".join(self.value_text.casefold().split())

    def _bounded_key(self) -> str:
        number = normalize_decimal(self.value_number)
        match self.bound:
            case choices.ClaimBound.AT_LEAST:
                return f">={number}"
            case choices.ClaimBound.AT_MOST:
                return f"<={number}"
            case choices.ClaimBound.RANGE:
                return f"{number}..{normalize_decimal(self.value_number_max)}"
        return number

    def clean(self):
        errors = {}
        self.value_kind = attributes.value_kind(self.attribute)
        if self.project_id is None and self.organization_id is None:
            errors["project"] = _("Choose the project (or organization) the claim is about.")
        # ``source`` may be a source saved in the same form, not yet given its ID.
        if self.status == choices.ClaimStatus.ACCEPTED and self.source_id is None and self.source is None:
            errors["source"] = _("A claim without a source cannot be accepted.")
        kind = self.value_kind
        if kind in (choices.ValueKind.NUMBER, choices.ValueKind.MONEY) and self.value_number is None:
            errors["value_number"] = _("Give the figure for this attribute.")
        if kind == choices.ValueKind.MONEY and not self.currency:
            errors["currency"] = _("Give the currency of the amount.")
        if kind == choices.ValueKind.DATE and self.value_date is None:
            errors["value_date"] = _("Give the date for this attribute.")
        if kind == choices.ValueKind.ORGANIZATION and self.value_organization_id is None:
            errors["value_organization"] = _("Choose the organization.")
        if kind == choices.ValueKind.TEXT and not self.value_text.strip():
            errors["value_text"] = _("Give the value for this attribute.")
        if self.attribute == choices.ClaimAttribute.STATUS and self.value_text not in choices.ProjectStatus.values:
            errors["value_text"] = _("Use one of the lifecycle statuses: %(values)s.") % {
                "values": ", ".join(choices.ProjectStatus.values)
            }
        if self.bound == choices.ClaimBound.RANGE:
            if self.value_number_max is None:
                errors["value_number_max"] = _("Give the upper end of the range.")
            elif self.value_number is not None and self.value_number_max < self.value_number:
                errors["value_number_max"] = _("The upper end of the range cannot be below its lower end.")
        elif self.value_number_max is not None:
            errors["value_number_max"] = _("Only a range has an upper figure; choose the bound “Range”.")
        if self.bound != choices.ClaimBound.EXACT and kind not in (choices.ValueKind.NUMBER, choices.ValueKind.MONEY):
            errors["bound"] = _("Only a figure can be a minimum, a maximum or a range.")
        if self.scope != choices.ClaimScope.PROJECT and self.project_id is None:
            errors["scope"] = _("Only a claim about a project has a scope other than the whole project.")
        if self.is_headline and (
            self.status != choices.ClaimStatus.ACCEPTED or self.scope != choices.ClaimScope.PROJECT
        ):
            errors["is_headline"] = _("Only an accepted claim about the whole project can be its headline figure.")
        if errors:
            raise ValidationError(errors)


def values_agree(value_kind: str, a: str, b: str) -> bool:
    """Whether two claims' comparable values say the same thing.

    Numbers, amounts, dates and organizations must be equal; a text agrees with
    a more detailed one that contains it ("Usinor" and "former Usinor steelworks").
    """
    if a == b:
        return True
    if value_kind in (choices.ValueKind.NUMBER, choices.ValueKind.MONEY):
        return _intervals_overlap(a, b)
    return value_kind == choices.ValueKind.TEXT and bool(a) and bool(b) and (a in b or b in a)


def _interval(key: str) -> tuple[str, Decimal, Decimal]:
    """(currency, low, high) of a figure's comparable value; bounds are open-ended where the claim is."""
    number, _space, currency = key.partition(" ")
    if number.startswith(">="):
        return currency, Decimal(number[2:]), Decimal("Infinity")
    if number.startswith("<="):
        return currency, Decimal(0), Decimal(number[2:])
    low, _dots, high = number.partition("..")
    return currency, Decimal(low), Decimal(high or low)


def _intervals_overlap(a: str, b: str) -> bool:
    """A minimum, a maximum or a range agrees with the figures it allows: "at least 700" and "750" agree."""
    try:
        currency_a, low_a, high_a = _interval(a)
        currency_b, low_b, high_b = _interval(b)
    except ArithmeticError:
        return False
    return currency_a == currency_b and low_a <= high_b and low_b <= high_a


def values_disagree(value_kind: str, keys) -> bool:
    keys = list(keys)
    return any(not values_agree(value_kind, a, b) for i, a in enumerate(keys) for b in keys[i + 1 :])


def normalize_decimal(value) -> str:
    if value is None:
        return ""
    normalized = Decimal(value).normalize()
    return format(normalized, "f")


# Stored units that are words, shown in the reader's language.
UNIT_LABELS = {"jobs": _("jobs")}


def localized_partial_date(date, precision) -> str:
    """A date known to the day, the month or only the year, in the reader's format."""
    if date is None:
        return ""
    if precision == choices.DatePrecision.YEAR:
        return str(date.year)
    if precision == choices.DatePrecision.MONTH:
        return date_format(date, "YEAR_MONTH_FORMAT")
    return date_format(date, "DATE_FORMAT")


def format_number(value) -> str:
    """A figure for readers, grouped in their locale: "5,000,000,000" or "5 000 000 000"."""
    if value is None:
        return ""
    return number_format(Decimal(normalize_decimal(value)), use_l10n=True, force_grouping=True)


class Indicator(TrackedModel):
    """A market figure not tied to one project, such as a forecast of cloud adoption."""

    name = models.CharField(
        verbose_name=_("name"),
        max_length=300,
    )
    description = models.TextField(
        verbose_name=_("description"),
        blank=True,
    )
    value = models.DecimalField(
        verbose_name=_("value"),
        max_digits=24,
        decimal_places=4,
    )
    unit = models.CharField(
        verbose_name=_("unit"),
        max_length=30,
        help_text=_("e.g. %, MW, EUR."),
    )
    scope = models.CharField(
        verbose_name=_("scope"),
        max_length=200,
        blank=True,
        help_text=_("Where the figure applies, e.g. “European companies”."),
    )
    country = CountryField(
        verbose_name=_("country"),
        blank=True,
    )
    year = models.PositiveSmallIntegerField(
        verbose_name=_("year"),
        null=True,
        blank=True,
        validators=year_validators,
        help_text=_("The year the figure is for (a forecast's horizon)."),
    )
    is_forecast = models.BooleanField(
        verbose_name=_("forecast"),
        default=False,
    )
    stated_by = models.ForeignKey(
        Organization,
        verbose_name=_("stated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="indicators",
    )
    source = models.ForeignKey(
        Source,
        verbose_name=_("source"),
        on_delete=models.PROTECT,
        related_name="indicators",
    )
    quote = models.TextField(
        verbose_name=_("quote"),
        blank=True,
    )

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ("name", "year")

    def __str__(self):
        return self.name
