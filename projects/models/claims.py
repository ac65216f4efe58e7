"""Claims: what a source says, and whether two claims' values agree."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.formatting import format_date, format_money, format_quantity, partial_date_key, plain_number
from core.models import TrackedModel
from projects import attributes, choices
from projects.models.base import currency_validator
from projects.models.limits import QUOTE_MAX_LENGTH, bounded_text_field
from projects.models.organizations import Organization
from projects.models.projects import Project
from projects.models.sources import Source


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
    quote = bounded_text_field(
        QUOTE_MAX_LENGTH,
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
                return format_money(self.value_number, self.currency)
            case choices.ValueKind.NUMBER if self.attribute == choices.ClaimAttribute.OPERATIONAL_YEAR:
                return plain_number(self.value_number)  # a year: 2030, not "2,030 year"
            case choices.ValueKind.NUMBER:
                return format_quantity(self.value_number, UNIT_LABELS.get(self.unit, self.unit))
            case choices.ValueKind.DATE:
                return format_date(self.value_date, self.value_date_precision)
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
                return partial_date_key(self.value_date, self.value_date_precision)
            case choices.ValueKind.ORGANIZATION:
                return f"{self.value_organization_id}:{self.role}"
        return " ".join(self.value_text.casefold().split())

    def _bounded_key(self) -> str:
        number = plain_number(self.value_number)
        match self.bound:
            case choices.ClaimBound.AT_LEAST:
                return f">={number}"
            case choices.ClaimBound.AT_MOST:
                return f"<={number}"
            case choices.ClaimBound.RANGE:
                return f"{number}..{plain_number(self.value_number_max)}"
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


# Stored units that are words, shown in the reader's language.
UNIT_LABELS = {"jobs": _("jobs")}
