"""Organizations (companies, authorities, grid operators) and the ties between them."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from core.models import TrackedModel
from projects import choices
from projects.models.base import SluggedModel, aliases_field, backing_claim_field, validate_aliases
from projects.models.limits import DESCRIPTION_MAX_LENGTH, QUOTE_MAX_LENGTH, bounded_text_field


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
    description = bounded_text_field(
        DESCRIPTION_MAX_LENGTH,
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

    def history_ids(self) -> list[int]:
        """Its ID and those of the records merged into it: their history is part of its history."""
        return [self.pk, *self.redirects.filter(old_id__isnull=False).values_list("old_id", flat=True)]


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
    quote = bounded_text_field(
        QUOTE_MAX_LENGTH,
        verbose_name=_("quote"),
        blank=True,
    )
    claim = backing_claim_field(editable=True)

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
