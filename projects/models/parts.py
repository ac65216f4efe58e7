"""What a project is made of and connected to: phases, milestones, roles, substations and grid connections."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from core.formatting import format_date
from core.models import TrackedModel
from projects import choices
from projects.models.base import (
    SluggedModel,
    backing_claim_field,
    coordinate_constraints,
    coordinate_fields,
    non_negative,
    validate_backing_claim,
    year_validators,
)
from projects.models.organizations import Organization
from projects.models.projects import Project
from projects.models.sources import Source


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
    claim = backing_claim_field(editable=True)

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

    def clean(self):
        validate_backing_claim(self, project_id=self.project_id)


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
    claim = backing_claim_field(editable=True)

    change_log_parent = "project"

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ("project", "date", "id")

    def __str__(self):
        return f"{self.get_kind_display()} {format_date(self.date, self.date_precision)}"

    def clean(self):
        validate_backing_claim(self, project_id=self.project_id)
        if self.date and self.date_precision != choices.DatePrecision.DAY and self.date.day != 1:
            raise ValidationError({"date": _("A date known to the month or year is stored as its first day.")})
        if self.date and self.date_precision == choices.DatePrecision.YEAR and self.date.month != 1:
            raise ValidationError({"date": _("A date known to the year is stored as 1 January.")})


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
    latitude, longitude = coordinate_fields()

    class Meta:
        verbose_name = _("substation")
        verbose_name_plural = _("substations")
        ordering = ("name",)
        constraints = coordinate_constraints()

    @property
    def point(self):
        return (self.latitude, self.longitude) if self.latitude is not None else None


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
        return str(self.substation) if self.substation_id else str(_("grid connection"))
