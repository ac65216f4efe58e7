"""Market figures not tied to one project."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from core.models import TrackedModel
from projects.models.base import backing_claim_field, year_validators
from projects.models.limits import DESCRIPTION_MAX_LENGTH, QUOTE_MAX_LENGTH, bounded_text_field
from projects.models.organizations import Organization
from projects.models.sources import Source


class Indicator(TrackedModel):
    """A market figure not tied to one project, such as a forecast of cloud adoption."""

    name = models.CharField(
        verbose_name=_("name"),
        max_length=300,
    )
    description = bounded_text_field(
        DESCRIPTION_MAX_LENGTH,
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
    quote = bounded_text_field(
        QUOTE_MAX_LENGTH,
        verbose_name=_("quote"),
        blank=True,
    )
    claim = backing_claim_field(editable=True)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ("name", "year")

    def __str__(self):
        return self.name
