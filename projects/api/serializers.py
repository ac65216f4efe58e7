"""Representations of the tracker's records; writes go through ``projects.services``.

Figures are JSON numbers (not decimal strings) because the tools researchers
read them with expect numbers; MW and money keep two decimals.
"""

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.serializers import CountryFieldMixin
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from core import writes
from core.api.fields import CharField, StrictTypesMixin, WebURLField
from core.models import ObjectChange
from projects import choices, power, services, staleness
from projects.figures import project_figures
from projects.models import (
    PROJECT_FIELDS,
    Claim,
    GridConnection,
    Indicator,
    Milestone,
    Organization,
    OrganizationRelationship,
    Phase,
    Project,
    ProjectRole,
    ProjectStatusChange,
    Source,
    Substation,
)
from projects.selectors import project_conflicts, slug_or_id

RECORD_FIELDS = ("id", "version", "created", "last_updated")


class DecimalNumberField(serializers.DecimalField):
    def __init__(self, *args, **kwargs):
        kwargs["coerce_to_string"] = False
        super().__init__(*args, **kwargs)

    def to_representation(self, value):
        return float(super().to_representation(value))

    def validate_precision(self, value):
        # A JSON number is a binary float (0.1 + 0.2 is 0.30000000000000004): rounded to the
        # column's places rather than refused, never past the maximum the schema states.
        if self.decimal_places is not None and value.is_finite():
            if self.max_whole_digits is not None and value.adjusted() + 1 > self.max_whole_digits:
                self.fail("max_whole_digits", max_whole_digits=self.max_whole_digits)
            places = Decimal(1).scaleb(-self.decimal_places)
            rounded = value.quantize(places, rounding=ROUND_HALF_UP)
            if self.max_whole_digits is not None and rounded.adjusted() + 1 > self.max_whole_digits:
                rounded = value.quantize(places, rounding=ROUND_DOWN)
            value = rounded
        return super().validate_precision(value)


def aliases_field():
    # The model's JSON column holds a list of names; the schema says so, and DRF checks it.
    return serializers.ListField(
        child=serializers.CharField(allow_blank=True, trim_whitespace=False),
        required=False,
        help_text=_("Other names used in the press, one per entry."),
    )


class TrackedModelSerializer(StrictTypesMixin, CountryFieldMixin, serializers.ModelSerializer):
    """Writes through the model's service (``core.writes.writer_for``), as the admin does.

    ``version`` is read-only: a client sends the ``ETag`` back in ``If-Match`` to
    make its write conditional.
    """

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DecimalField: DecimalNumberField,
        models.URLField: WebURLField,
        models.CharField: CharField,
        models.TextField: CharField,
    }

    def _user(self):
        request = self.context.get("request")
        return getattr(request, "user", None)

    def create(self, validated_data):
        return writes.writer_for(self.Meta.model).save(self.Meta.model(**validated_data), None, self._user())

    def update(self, instance, validated_data):
        return writes.writer_for(self.Meta.model).save(
            instance, validated_data, self._user(), self.context.get("expected_version")
        )


# Organizations, sources, substations, indicators ---------------------------------------------


class OrganizationSerializer(TrackedModelSerializer):
    aliases = aliases_field()

    class Meta:
        model = Organization
        fields = (*RECORD_FIELDS, "slug", "name", "aliases", "kind", "country", "website", "description")


class OrganizationRelationshipSerializer(TrackedModelSerializer):
    class Meta:
        model = OrganizationRelationship
        fields = (
            *RECORD_FIELDS,
            "from_organization",
            "to_organization",
            "kind",
            "purpose",
            "started_on",
            "ended_on",
            "source",
            "quote",
            "claim",
        )


class SourceSerializer(TrackedModelSerializer):
    class Meta:
        model = Source
        fields = (
            *RECORD_FIELDS,
            "url",
            "title",
            "publisher",
            "author",
            "language",
            "published_on",
            "retrieved_at",
            "text",
        )
        # The article's full text is the publisher's: the API shares the quoted words only.
        extra_kwargs = {"text": {"write_only": True}}


class SubstationSerializer(TrackedModelSerializer):
    class Meta:
        model = Substation
        fields = (*RECORD_FIELDS, "slug", "name", "operator", "voltage_kv", "country", "latitude", "longitude")


class IndicatorSerializer(TrackedModelSerializer):
    class Meta:
        model = Indicator
        fields = (
            *RECORD_FIELDS,
            "name",
            "description",
            "value",
            "unit",
            "scope",
            "country",
            "year",
            "is_forecast",
            "stated_by",
            "source",
            "quote",
            "claim",
        )


# Claims ---------------------------------------------------------------------------------------


class ClaimSerializer(TrackedModelSerializer):
    """A claim; its review state changes through the accept, reject and set-headline actions."""

    display_value = serializers.CharField(read_only=True)

    class Meta:
        model = Claim
        fields = (
            *RECORD_FIELDS,
            "project",
            "organization",
            "source",
            "attribute",
            "value_kind",
            "value_number",
            "value_number_max",
            "bound",
            "scope",
            "unit",
            "currency",
            "value_date",
            "value_date_precision",
            "value_text",
            "value_organization",
            "role",
            "display_value",
            "quote",
            "quote_start",
            "quote_end",
            "as_of",
            "event_date",
            "event_date_precision",
            "status",
            "is_headline",
            "in_conflict",
            "origin",
            "confidence",
            "reviewed_at",
            "note",
        )
        read_only_fields = ("is_headline", "reviewed_at")

    def validate_status(self, value):
        if self.instance is not None and value != self.instance.status:
            raise serializers.ValidationError(
                _("Change the review state with the accept or reject action."), code="review_action"
            )
        return value

    def create(self, validated_data):
        return services.claim_create(data=validated_data, user=self._user())

    def update(self, instance, validated_data):
        return services.claim_update(
            claim=instance,
            data=validated_data,
            user=self._user(),
            expected_version=self.context.get("expected_version"),
        )


class ClaimRejectSerializer(StrictTypesMixin, serializers.Serializer):
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, help_text=_("Why it was rejected."))


# A project's parts ----------------------------------------------------------------------------


class PhaseSerializer(TrackedModelSerializer):
    class Meta:
        model = Phase
        fields = (*RECORD_FIELDS, "project", "name", "capacity_mw", "target_year", "status", "order", "claim")


class MilestoneSerializer(TrackedModelSerializer):
    class Meta:
        model = Milestone
        fields = (
            *RECORD_FIELDS,
            "project",
            "kind",
            "date",
            "date_precision",
            "phase",
            "description",
            "source",
            "claim",
        )


class ProjectRoleSerializer(TrackedModelSerializer):
    # null when the role's holder is undisclosed
    organization_name = serializers.CharField(source="organization.name", read_only=True, default=None, allow_null=True)

    class Meta:
        model = ProjectRole
        fields = (
            *RECORD_FIELDS,
            "project",
            "role",
            "organization",
            "organization_name",
            "undisclosed",
            "note",
            "source",
            "claim",
        )


class GridConnectionSerializer(TrackedModelSerializer):
    # null when no substation is named
    substation_name = serializers.CharField(source="substation.name", read_only=True, default=None, allow_null=True)

    class Meta:
        model = GridConnection
        fields = (
            *RECORD_FIELDS,
            "project",
            "substation",
            "substation_name",
            "voltage_kv",
            "grid_operator",
            "status",
            "capacity_mw",
            "distance_km",
            "note",
            "source",
            "claim",
        )


class ProjectStatusChangeSerializer(TrackedModelSerializer):
    class Meta:
        model = ProjectStatusChange
        fields = ("id", "status", "date", "date_precision", "note", "source")


# Projects -------------------------------------------------------------------------------------

# The columns of a project in lists and in the CSV and GeoJSON downloads.
PROJECT_LIST_FIELDS = (
    "id",
    "slug",
    "name",
    "kind",
    "status",
    "country",
    "region",
    "municipality",
    "latitude",
    "longitude",
    "location_precision",
    "capacity_mw",
    "capacity_basis",
    "investment_amount",
    "investment_currency",
    "investment_year",
    "jobs_permanent",
    "jobs_construction",
    "site_area_ha",
    "announced_on",
    "operational_year",
    "conflict_count",
    "typed_by_hand",
    "is_draft",
    "last_updated",
)

# What the tracker infers of a project, read beside its columns (projects/staleness.py).
STALENESS_FIELDS = ("last_reported_on", "inferred_status")

PROJECT_WRITABLE_FIELDS = (*PROJECT_FIELDS, "is_draft")


class ProjectListSerializer(TrackedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:project-detail", lookup_field="slug")
    typed_by_hand = serializers.ListField(
        child=serializers.ChoiceField(choices=choices.ClaimAttribute.choices),
        read_only=True,
        help_text=_(
            "Figures typed by an editor rather than taken from an accepted, quoted claim (no source backs them, "
            "or the editor kept them against the sources). Every other figure is its headline claim's value."
        ),
    )
    distance_km = serializers.FloatField(
        read_only=True,
        default=None,
        allow_null=True,
        help_text=_("Geodesic distance in km from the `near` point; null without `near`."),
    )
    last_reported_on = serializers.SerializerMethodField(
        help_text=_(
            "The latest date a source reported on the project: an accepted claim's as-of date (else its source's "
            "publication date), or the announcement date; null with none."
        )
    )
    inferred_status = serializers.SerializerMethodField(
        help_text=_(
            "shelved (shelved — inferred): announced, planning or permitted, and last reported on two years ago or "
            "more; cancelled (cancelled — inferred): four years or more; null otherwise. Never the recorded status."
        )
    )

    class Meta:
        model = Project
        fields = ("url", *PROJECT_LIST_FIELDS, *STALENESS_FIELDS, "distance_km")

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_last_reported_on(self, project):
        day = staleness.last_reported_of(project)
        return day.isoformat() if day else None

    @extend_schema_field(serializers.ChoiceField(choices=staleness.InferredStatus.choices, allow_null=True))
    def get_inferred_status(self, project):
        return staleness.inferred_of(project)


class SourceBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Source
        fields = ("id", "title", "publisher", "url", "published_on", "language")


class FigureClaimSerializer(TrackedModelSerializer):
    """An accepted claim behind a figure: its value, the source's words and the source."""

    display_value = serializers.CharField(read_only=True)
    source = SourceBriefSerializer(read_only=True)

    class Meta:
        model = Claim
        fields = (
            "id",
            "value_kind",
            "value_number",
            "unit",
            "currency",
            "value_date",
            "value_date_precision",
            "value_text",
            "value_organization",
            "role",
            "display_value",
            "bound",
            "value_number_max",
            "scope",
            "quote",
            "as_of",
            "event_date",
            "event_date_precision",
            "is_headline",
            "in_conflict",
            "origin",
            "confidence",
            "source",
        )


class FigureSerializer(serializers.Serializer):
    """One figure of the project, in the one shape every reader gets."""

    attribute = serializers.ChoiceField(source="attribute.name", choices=choices.ClaimAttribute.choices)
    label = serializers.CharField(source="attribute.label")
    value = serializers.JSONField(
        allow_null=True,
        help_text=_("What the project shows: a number (MW, jobs, ha, an amount), an ISO date or a text; null if none."),
    )
    unit = serializers.CharField(help_text=_("MW, ha, m², jobs, year, or the ISO 4217 currency of an amount."))
    display = serializers.CharField(help_text=_("The value as a reader writes it, in the request's language."))
    sourced = serializers.BooleanField(help_text=_("True when the value is the headline claim's: quoted, accepted."))
    typed_by_hand = serializers.BooleanField(
        help_text=_("True when an editor typed the value: no source backs it, or it was kept against the sources.")
    )
    headline_claim = serializers.IntegerField(
        source="headline_claim.pk",
        allow_null=True,
        help_text=_("ID of the accepted claim whose value the figure shows, if any."),
    )
    conflicting_claims = serializers.SerializerMethodField(
        help_text=_("IDs of the accepted claims of the same scope that disagree with one another.")
    )
    claims = FigureClaimSerializer(many=True, help_text=_("Accepted whole-project claims, the headline first."))
    other_scope_claims = FigureClaimSerializer(
        many=True,
        help_text=_("Accepted claims about a phase, a building or the eventual build-out: context, never the figure."),
    )

    def get_conflicting_claims(self, figure) -> list[int]:
        return [claim.pk for claim in figure.conflicting_claims]


class PowerFactSerializer(serializers.Serializer):
    """One power fact of the project: grid power, energy source, cooling, water use or PUE, with its claims."""

    attribute = serializers.ChoiceField(source="name", choices=choices.ClaimAttribute.choices)
    label = serializers.CharField()
    unit = serializers.CharField(help_text=_("MW, m³/year, or empty for a ratio (PUE) and a text."))
    multi_valued = serializers.BooleanField(
        help_text=_("True when every accepted claim is a value (energy sources, cooling); else the headline's.")
    )
    value = serializers.JSONField(
        allow_null=True,
        help_text=_("The headline claim's value: a number (a range's lower end) or a text; null when multi-valued."),
    )
    values = serializers.ListField(
        child=serializers.JSONField(), help_text=_("Each value shown: the headline's, or every accepted claim's.")
    )
    headline_claim = serializers.SerializerMethodField(help_text=_("ID of the headline claim, if any."))
    conflicting_claims = serializers.SerializerMethodField(
        help_text=_("IDs of the accepted claims that disagree with one another.")
    )
    claims = FigureClaimSerializer(many=True, help_text=_("Accepted whole-project claims, the headline first."))
    other_scope_claims = FigureClaimSerializer(
        many=True, help_text=_("Accepted claims about a phase, a building or the eventual build-out.")
    )

    def get_headline_claim(self, fact) -> int | None:
        return fact.headline.pk if fact.headline is not None else None

    def get_conflicting_claims(self, fact) -> list[int]:
        return [claim.pk for claim in fact.conflicting_claims]


class ConflictSerializer(serializers.Serializer):
    attribute = serializers.ChoiceField(choices=choices.ClaimAttribute.choices)
    label = serializers.CharField()
    values = serializers.ListField(child=serializers.CharField(), help_text=_("The values the sources disagree on."))
    claims = serializers.SerializerMethodField(help_text=_("IDs of the claims in conflict (see figures)."))

    def get_claims(self, conflict) -> list[int]:
        return [claim.pk for claim in conflict.claims]


class ProjectDetailSerializer(ProjectListSerializer):
    figures = serializers.SerializerMethodField(help_text=_("Each attribute's accepted claims and their sources."))
    conflicts = serializers.SerializerMethodField(help_text=_("Attributes on which accepted claims disagree."))
    phases = PhaseSerializer(many=True, read_only=True)
    milestones = MilestoneSerializer(many=True, read_only=True)
    roles = ProjectRoleSerializer(many=True, read_only=True)
    grid_connections = GridConnectionSerializer(many=True, read_only=True)
    status_history = ProjectStatusChangeSerializer(many=True, read_only=True)
    power = serializers.SerializerMethodField(
        help_text=_(
            "The power facts: grid power requested or contracted, energy source or supply contract, cooling, "
            "water use and PUE, each with its accepted claims (the grid connections' status is in grid_connections)."
        )
    )

    class Meta:
        model = Project
        fields = (
            "url",
            *PROJECT_LIST_FIELDS,
            *STALENESS_FIELDS,
            "aliases",
            "description",
            "address",
            "floor_area_m2",
            "former_use",
            "announced_precision",
            "last_verified_on",
            "created",
            "version",
            "figures",
            "conflicts",
            "phases",
            "milestones",
            "roles",
            "grid_connections",
            "status_history",
            "power",
        )

    @extend_schema_field(PowerFactSerializer(many=True))
    def get_power(self, project):
        return PowerFactSerializer(power.power_facts(project), many=True, context=self.context).data

    @extend_schema_field(FigureSerializer(many=True))
    def get_figures(self, project):
        return FigureSerializer(project_figures(project), many=True, context=self.context).data

    @extend_schema_field(ConflictSerializer(many=True))
    def get_conflicts(self, project):
        return ConflictSerializer(project_conflicts(project), many=True, context=self.context).data


class ProjectWriteSerializer(TrackedModelSerializer):
    """The fields a client may set; the answer is the project as a read shows it."""

    aliases = aliases_field()

    class Meta:
        model = Project
        fields = PROJECT_WRITABLE_FIELDS

    def create(self, validated_data):
        return services.project_create(data=validated_data, user=self._user())

    def update(self, instance, validated_data):
        return services.project_update(
            project=instance,
            data=validated_data,
            user=self._user(),
            expected_version=self.context.get("expected_version"),
        )


# The GeoJSON download, described for the schema (the renderer writes it) --------------------


class GeoJSONPointSerializer(serializers.Serializer):
    type = serializers.CharField(help_text=_("Point."))
    coordinates = serializers.ListField(
        child=serializers.FloatField(), min_length=2, max_length=2, help_text=_("[longitude, latitude]")
    )


class GeoJSONFeatureSerializer(serializers.Serializer):
    type = serializers.CharField(help_text=_("Feature."))
    id = serializers.IntegerField()
    geometry = GeoJSONPointSerializer(allow_null=True, help_text=_("Null when the project has no coordinates."))
    properties = serializers.DictField(help_text=_("The project's list columns, as in the CSV download."))


@extend_schema_serializer(many=False)
class GeoJSONFeatureCollectionSerializer(serializers.Serializer):
    type = serializers.CharField(help_text=_("FeatureCollection."))
    features = GeoJSONFeatureSerializer(many=True)


# Changes feed ---------------------------------------------------------------------------------

# Columns the change log records but the API does not publish (see SourceSerializer).
WITHHELD_FIELDS = {"projects.source": frozenset({"text"})}
# Columns naming a user, published with the change's author only (see ``show_authors``).
AUTHOR_FIELDS = {"projects.claim": frozenset({"reviewed_by_id"})}


class ChangeSerializer(serializers.ModelSerializer):
    object_type = serializers.SerializerMethodField(help_text=_("app_label.model, e.g. projects.project."))
    parent_type = serializers.SerializerMethodField(
        help_text=_("The parent's type for a project's parts (claims, roles...), whose changes are its history.")
    )
    user = serializers.SerializerMethodField(
        help_text=_(
            "User name of the author, shown to users who may read the change history (core.view_objectchange); "
            "empty for anyone else, and for changes made without a user."
        )
    )
    before = serializers.SerializerMethodField(help_text=_("The record's columns before the change; null on create."))
    after = serializers.SerializerMethodField(help_text=_("The record's columns after the change; null on delete."))

    class Meta:
        model = ObjectChange
        fields = (
            "id",
            "time",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "parent_type",
            "parent_object_id",
            "user",
            "source",
            "request_id",
            "changed_fields",
            "before",
            "after",
        )

    @staticmethod
    def _type(content_type):
        return f"{content_type.app_label}.{content_type.model}" if content_type else None

    def get_object_type(self, change) -> str:
        return self._type(change.content_type)

    def get_parent_type(self, change) -> str | None:
        return self._type(change.parent_content_type)

    def get_user(self, change) -> str:
        return change.user_name if self.context.get("show_authors") else ""

    def _published(self, change, data):
        object_type = self._type(change.content_type)
        withheld = WITHHELD_FIELDS.get(object_type, frozenset())
        if not self.context.get("show_authors"):
            withheld = withheld | AUTHOR_FIELDS.get(object_type, frozenset())
        return None if data is None else {name: value for name, value in data.items() if name not in withheld}

    @extend_schema_field({"type": "object", "additionalProperties": True, "nullable": True})
    def get_before(self, change):
        return self._published(change, change.prechange_data)

    @extend_schema_field({"type": "object", "additionalProperties": True, "nullable": True})
    def get_after(self, change):
        return self._published(change, change.postchange_data)


class ChangePageSerializer(serializers.Serializer):
    """A page of a project's changes between two days (cursor pagination, oldest first)."""

    next = serializers.URLField(allow_null=True, help_text=_("The next page; null on the last one."))
    previous = serializers.URLField(allow_null=True, help_text=_("The previous page; null on the first one."))
    results = ChangeSerializer(many=True)


# Aggregates -----------------------------------------------------------------------------------


class CapacityStatsQuerySerializer(serializers.Serializer):
    group_by = serializers.ChoiceField(
        choices=["country", "status", "kind", "operational_year"],
        help_text=_("The project column to group by."),
    )


class InvestmentTotalSerializer(serializers.Serializer):
    currency = serializers.CharField()
    amount = DecimalNumberField(max_digits=24, decimal_places=2)
    project_count = serializers.IntegerField()


class InvestmentInEurosSerializer(serializers.Serializer):
    amount = DecimalNumberField(max_digits=24, decimal_places=2, help_text=_("In EUR."))
    project_count = serializers.IntegerField(help_text=_("Projects whose amount is converted and added up."))
    projects_not_converted = serializers.IntegerField(
        help_text=_("Projects whose amount has no year, or no ECB rate for its currency and year: left out.")
    )


class CapacityGroupSerializer(serializers.Serializer):
    key = serializers.CharField(allow_null=True, help_text=_("The group's value; null for projects without one."))
    label = serializers.CharField()
    project_count = serializers.IntegerField()
    projects_with_capacity = serializers.IntegerField(help_text=_("Projects whose MW is known."))
    capacity_mw = DecimalNumberField(max_digits=14, decimal_places=2, allow_null=True)
    capacity_mw_typed_by_hand = DecimalNumberField(
        max_digits=14,
        decimal_places=2,
        allow_null=True,
        help_text=_("Of that MW, how much is typed by hand: figures no accepted, quoted claim backs."),
    )
    investment = InvestmentTotalSerializer(many=True, help_text=_("Summed per currency: amounts are not converted."))
    investment_eur = InvestmentInEurosSerializer(
        help_text=_("The same amounts in one currency, euros, each at the ECB rate of its year (see conversion).")
    )


class CapacityStatsSerializer(serializers.Serializer):
    group_by = serializers.CharField()
    groups = CapacityGroupSerializer(many=True)
    conversion = serializers.CharField(help_text=_("How the amounts in euros are converted."))


class ExtractRequestSerializer(StrictTypesMixin, serializers.Serializer):
    project = serializers.CharField(
        required=False,
        help_text=_("Slug or ID of the project the source is about; found from the text when left out."),
    )

    def validate_project(self, value):
        project = Project.objects.filter(**slug_or_id(value)).first()
        if project is None:
            raise serializers.ValidationError(_("No project with this slug or ID."), code="does_not_exist")
        return project


class ExtractResultSerializer(serializers.Serializer):
    project = serializers.SerializerMethodField()
    project_created = serializers.BooleanField()
    matched_by = serializers.CharField(source="match_reason")
    language = serializers.CharField(source="extraction.language")
    claims = ClaimSerializer(many=True)

    def get_project(self, result) -> dict:
        return {"id": result.project.pk, "slug": result.project.slug, "name": result.project.name}
