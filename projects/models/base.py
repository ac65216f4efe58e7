"""What the tracker's models share: validators, field factories and the slugged base."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from core.models import TrackedModel

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


def backing_claim_field(*, editable: bool = False):
    """The claim a record stands on; editable where an editor links it (a phase, a milestone)."""
    return models.ForeignKey(
        "Claim",
        verbose_name=_("claim"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=editable,
        help_text=_(
            "The claim this record comes from: anonymous readers see the record once the claim is accepted. "
            "Empty when it was typed by hand."
        ),
    )


def validate_backing_claim(record, project_id):
    """The claim behind a project's part must be about that project."""
    if record.claim_id is not None and record.claim.project_id != project_id:
        raise ValidationError({"claim": _("Choose a claim about this project.")})


def validate_aliases(value):
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError(_("Aliases must be a list of names."))


def coordinate_fields():
    """A site's latitude and longitude, declared once for every located record:
    ``latitude, longitude = coordinate_fields()``, in the model's own field order."""
    return (
        models.FloatField(
            verbose_name=_("latitude"),
            null=True,
            blank=True,
            validators=latitude_validators,
        ),
        models.FloatField(
            verbose_name=_("longitude"),
            null=True,
            blank=True,
            validators=longitude_validators,
        ),
    )


def coordinate_constraints():
    """The database's guard on ``coordinate_fields()``: both in range, both or neither.

    Named after the model ("project_latitude_range", "substation_coordinates_pair").
    """
    return [
        models.CheckConstraint(
            condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
            name="%(class)s_latitude_range",
            violation_error_message=_("Latitude must be between -90 and 90."),
        ),
        models.CheckConstraint(
            condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
            name="%(class)s_longitude_range",
            violation_error_message=_("Longitude must be between -180 and 180."),
        ),
        models.CheckConstraint(
            condition=Q(latitude__isnull=True, longitude__isnull=True)
            | Q(latitude__isnull=False, longitude__isnull=False),
            name="%(class)s_coordinates_pair",
            violation_error_message=_("Give both latitude and longitude, or neither."),
        ),
    ]


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

    def clean(self):
        super().clean()
        if self.slug.isdigit():
            message = _("Put a letter, a hyphen or an underscore in the slug: digits alone are read as an ID.")
            raise ValidationError({"slug": ValidationError(message, code="numeric_slug")})

    def slug_base(self) -> str:
        """The slug the name gives, before any number that tells it from a taken one."""
        return slugify(self.name)[:190] or "record"

    def unique_slug(self) -> str:
        base = self.slug_base()
        slug, n = base, 2
        # digits alone would read as an ID in the API's addresses (/projects/2025/): never made
        while slug.isdigit() or type(self)._base_manager.filter(slug=slug).exclude(pk=self.pk).exists():
            slug, n = f"{base}-{n}", n + 1
        return slug
