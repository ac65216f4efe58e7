"""The API's endpoints: querysets come from ``projects.selectors``, writes go through ``projects.services``."""

import django_filters
from django import forms
from django.apps import apps
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, permissions
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from core.api import conditional
from core.api.errors import ErrorSerializer
from core.api.filters import EMPTY_VALUE, FilterBackend
from core.api.pagination import CursorPagination
from core.api.permissions import ReadAnyReviewWithReviewPermission
from core.api.schema import AutoSchema
from core.api.views import APIViewMixin, TrackedModelViewSet
from core.filters import StrictBooleanField, UTCDateTimeFilter
from core.models import ObjectChange, TrackedModel
from projects import facets, history, services
from projects.api import serializers
from projects.api.renderers import CSVRenderer, GeoJSONRenderer
from projects.api.rows import list_values, project_rows
from projects.api.stats import capacity_by
from projects.filtersets import ProjectFilterSet
from projects.ingestion import ingest_source
from projects.models import (
    Claim,
    GridConnection,
    Indicator,
    Milestone,
    Organization,
    OrganizationRelationship,
    Phase,
    Project,
    ProjectRole,
    Source,
    Substation,
)
from projects.redirects import FollowsOldAddressesMixin
from projects.selectors import (
    Visibility,
    counted_in_totals,
    may_see_unpublished,
    project_detail,
    project_list,
    slug_or_id,
)


class SlugOrIdLookupMixin(FollowsOldAddressesMixin):
    """``/projects/escaudain-ai-data-center/`` or ``/projects/12/``: a number is read as the ID.

    A project's or an organization's old address (a former slug, a merged record's ID) redirects.
    """

    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"  # a slug's characters (digits alone are an ID)
    lookup_description = _("The slug, or the numeric ID (a value made of digits is read as the ID).")

    def lookup_filter(self, value: str) -> dict:
        return slug_or_id(value)


INCLUDE_DRAFTS = "include_drafts"
INCLUDE_DRAFTS_PARAMETER = OpenApiParameter(
    INCLUDE_DRAFTS,
    OpenApiTypes.BOOL,
    description=_(
        "true: also list draft projects (proposed by article ingestion, not yet confirmed) and their parts. "
        "Only for users holding the view, add or change permission on projects; anyone else is answered 403. "
        "Default false: drafts and everything in them are left out, as anonymous readers see it."
    ),
)


def drafts_asked(request) -> bool:
    """Whether the request asks for drafts with ``include_drafts``; a value that is not a boolean is a 400."""
    if request.query_params.get(INCLUDE_DRAFTS) == "":
        raise ValidationError({INCLUDE_DRAFTS: [EMPTY_VALUE]}, code="blank")
    try:
        return bool(StrictBooleanField().to_python(request.query_params.get(INCLUDE_DRAFTS)))
    except forms.ValidationError as error:
        raise ValidationError({INCLUDE_DRAFTS: error.messages}) from None


class VisibilitySchema(AutoSchema):
    """Documents ``include_drafts`` on the lists that take it, and the 403 it answers without the permission."""

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        return [*parameters, INCLUDE_DRAFTS_PARAMETER] if self._lists() else parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if self._lists():
            forbidden = OpenApiResponse(
                ErrorSerializer, description=_("include_drafts=true without the permission to see drafts.")
            )
            responses.setdefault("403", self._get_response_for_code(forbidden, "403", ["application/json"]))
        return responses

    def _lists(self) -> bool:
        return self.method == "GET" and not self._is_detail()


class VisibilityMixin:
    """Reads are scoped by ``projects.selectors.Visibility``, the one rule of what a reader sees.

    Lists leave drafts out unless ``include_drafts=true`` is asked by a user allowed to see them;
    a detail, and every write, sees the drafts that user may see, so a draft can be read and confirmed.
    """

    schema = VisibilitySchema()

    @property
    def visibility(self) -> Visibility:
        if not hasattr(self, "_visibility"):
            user = self.request.user
            listing = getattr(self, "action", "list") == "list"  # the stats and changes views only list
            include_drafts = drafts_asked(self.request) if listing else True
            if listing and include_drafts and not may_see_unpublished(user, Project):
                raise PermissionDenied(
                    _("Drafts are listed only for users with the permission to view, add or change projects.")
                )
            self._visibility = Visibility.for_user(user, include_drafts=include_drafts)
        return self._visibility


FORMAT_PARAMETER = OpenApiParameter(
    "format",
    OpenApiTypes.STR,
    enum=["json", "csv", "geojson"],
    description=_(
        "json (default): one page. csv and geojson: the whole filtered list in the requested order, streamed as a "
        "download and not paginated; geojson is an RFC 7946 FeatureCollection of points ([lon, lat]), with a null "
        "geometry for projects without coordinates. The Accept header (text/csv, application/geo+json) works too."
    ),
)


FACETS_PARAMETER = OpenApiParameter(
    facets.PARAMETER,
    OpenApiTypes.STR,
    description=facets.HELP,
    pattern="^({names})(,({names}))*$".format(names="|".join(facets.FACETS)),
)
FACET_VALUES_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "value": {"type": "string", "description": "The filter's value (a code, or an organization's slug)."},
            "label": {"type": "string"},
            "count": {"type": "integer", "description": "Projects with this value, exact."},
            "selected": {"type": "boolean", "description": "Whether the current filter asks for this value."},
        },
        "required": ["value", "label", "count", "selected"],
    },
}


class FacetedPagination:
    """The list's paging, with the ``facets`` its answer carries when asked for, in the schema."""

    def __init__(self, paginator):
        self.paginator = paginator

    def __getattr__(self, name):
        return getattr(self.paginator, name)

    def get_paginated_response_schema(self, schema):
        response = self.paginator.get_paginated_response_schema(schema)
        response["properties"]["facets"] = {
            "type": "object",
            "description": str(_("With ?facets= only: for each facet asked for, its values and their counts.")),
            "properties": dict.fromkeys(facets.FACETS, FACET_VALUES_SCHEMA),
        }
        return response


class ProjectSchema(VisibilitySchema):
    def _get_paginator(self):
        paginator = super()._get_paginator()
        return FacetedPagination(paginator) if paginator is not None and self._lists() else paginator


AS_OF_PARAMETER = OpenApiParameter(
    history.AS_OF,
    OpenApiTypes.DATE,
    description=_(
        "YYYY-MM-DD: the project as the tracker had recorded it at the end of that day (in the site's time zone), "
        "rebuilt from the change history: its fields, figures, claims and parts then, as a reader may see them "
        "(no claim that was not accepted then, no project that was a draft then). 404 before the project was "
        "created or after it was deleted; a deleted project answers by its ID. Today at the latest."
    ),
)
PERIOD_PARAMETERS = [
    OpenApiParameter(
        history.FROM,
        OpenApiTypes.DATE,
        description=_("YYYY-MM-DD: changes on or after that day (in the site's time zone). Default: from the start."),
    ),
    OpenApiParameter(
        history.TO,
        OpenApiTypes.DATE,
        description=_("YYYY-MM-DD: changes on or before that day. Default: today."),
    ),
]


class ChangeCursorPagination(CursorPagination):
    ordering = ("time", "id")


class ProjectHistoryMixin:
    """``?as_of=`` on a project's detail, and ``changes/``: what changed between two days."""

    def retrieve(self, request, *args, **kwargs):
        if history.AS_OF not in request.query_params:
            return super().retrieve(request, *args, **kwargs)
        form = history.AsOfForm(request.query_params)
        if not form.is_valid() or form.cleaned_data[history.AS_OF] is None:
            errors = history.form_errors(form) or {history.AS_OF: [EMPTY_VALUE]}
            raise ValidationError(errors)
        project_id = history.project_id_for(self.kwargs[self.lookup_field], self.visibility)
        project = (
            history.project_as_of(project_id, form.cleaned_data[history.AS_OF], self.visibility)
            if project_id is not None
            else None
        )
        if project is None:
            raise Http404
        data = self.get_read_serializer(project).data
        return Response(data, headers={"ETag": conditional.entity_tag(project, data)})

    @extend_schema(
        summary=_("What changed in a project between two days"),
        parameters=PERIOD_PARAMETERS,
        responses=serializers.ChangePageSerializer,
        filters=False,
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def changes(self, request, *args, **kwargs):
        """The changes to the project and its parts (claims, phases, roles...) between two days, oldest first:
        each with the record's fields before and after. As in the changes feed, authors are shown only to
        users who may read the change history, and only the changes of what the reader sees are listed."""
        blank = [name for name in (history.FROM, history.TO) if request.query_params.get(name, None) == ""]
        if blank:
            raise ValidationError({name: [EMPTY_VALUE] for name in blank}, code="blank")
        form = history.PeriodForm(request.query_params)
        if not form.is_valid():
            raise ValidationError(history.form_errors(form))
        project_id = history.project_id_for(self.kwargs[self.lookup_field], self.visibility)
        if project_id is None:
            raise Http404
        start, end = form.period
        changes = history.project_changes_between(project_id, self.visibility, start, end)
        paginator = ChangeCursorPagination()
        page = paginator.paginate_queryset(changes, request, view=self)
        context = {**self.get_serializer_context(), "show_authors": self.visibility.authors}
        return paginator.get_paginated_response(serializers.ChangeSerializer(page, many=True, context=context).data)


@extend_schema_view(
    retrieve=extend_schema(parameters=[AS_OF_PARAMETER]),
    list=extend_schema(
        summary=_("List projects"),
        parameters=[FORMAT_PARAMETER, FACETS_PARAMETER],
        responses={
            (200, "application/json"): serializers.ProjectListSerializer(many=True),
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR, description=_("A header row, then one project a row.")
            ),
            (200, "application/geo+json"): serializers.GeoJSONFeatureCollectionSerializer,
        },
    ),
    create=extend_schema(request=serializers.ProjectWriteSerializer, responses=serializers.ProjectDetailSerializer),
    update=extend_schema(request=serializers.ProjectWriteSerializer, responses=serializers.ProjectDetailSerializer),
    partial_update=extend_schema(
        request=serializers.ProjectWriteSerializer, responses=serializers.ProjectDetailSerializer
    ),
)
class ProjectViewSet(ProjectHistoryMixin, VisibilityMixin, SlugOrIdLookupMixin, TrackedModelViewSet):
    """Projects, by slug or ID. Lists are light; a project's detail shows every figure with its sources."""

    schema = ProjectSchema()
    queryset = Project.objects.none()
    filterset_class = ProjectFilterSet
    read_serializer_class = serializers.ProjectDetailSerializer

    def get_queryset(self):
        return self.visibility.projects(project_list() if self.action == "list" else project_detail())

    def get_serializer_class(self):
        if self.action == "list":
            return serializers.ProjectListSerializer
        if self.action in ("create", "update", "partial_update"):
            return serializers.ProjectWriteSerializer
        return serializers.ProjectDetailSerializer

    def get_renderers(self):
        renderers = super().get_renderers()
        return [*renderers, CSVRenderer(), GeoJSONRenderer()] if self.action == "list" else renderers

    def list(self, request, *args, **kwargs):
        projects = self.filter_queryset(self.get_queryset())
        near_point = self.filterset.near_point
        if getattr(request.accepted_renderer, "streams", False):
            self.paginator  # noqa: B018 -- a download is not paged, but paginate and page are still checked
            return request.accepted_renderer.response(projects, near_point, filename="projects")
        # a page of plain values, rendered as ProjectListSerializer represents projects (projects/api/rows.py)
        page = self.paginate_queryset(list_values(projects))
        response = self.get_paginated_response(project_rows(page, request, near_point))
        if facets.PARAMETER in request.query_params:
            response.data["facets"] = self.facets()
        return response

    def facets(self) -> dict:
        """``?facets=``: counts under the current filter, each facet ignoring its own (projects/facets.py)."""
        try:
            names = facets.parse(self.request.query_params.get(facets.PARAMETER))
        except forms.ValidationError as error:
            raise ValidationError({facets.PARAMETER: error.messages}) from None
        counts = facets.facet_counts(self.filterset, names, self.get_queryset())
        return {name: [vars(value) for value in values] for name, values in counts.items()}


class OrganizationViewSet(SlugOrIdLookupMixin, TrackedModelViewSet):
    queryset = Organization.objects.all()
    serializer_class = serializers.OrganizationSerializer
    filterset_fields = ("kind", "country")


class OrganizationRelationshipViewSet(VisibilityMixin, TrackedModelViewSet):
    queryset = OrganizationRelationship.objects.none()
    serializer_class = serializers.OrganizationRelationshipSerializer
    filterset_fields = ("from_organization", "to_organization", "kind")

    def get_queryset(self):
        return self.visibility.backed(OrganizationRelationship.objects.order_by("id"))


class CanAddClaims(permissions.BasePermission):
    def has_permission(self, request, view):
        return bool(request.user and request.user.has_perm("projects.add_claim"))


class SourceViewSet(TrackedModelViewSet):
    queryset = Source.objects.none()
    serializer_class = serializers.SourceSerializer
    filterset_fields = ("publisher", "language")

    def get_queryset(self):
        # Lists never show the full text: leave the column unread. A record that is written
        # keeps it loaded, as its change log entry records every column.
        return Source.objects.defer("text") if self.action == "list" else Source.objects.all()

    @extend_schema(
        request=serializers.ExtractRequestSerializer,
        responses={201: serializers.ExtractResultSerializer},
        description=_("Extract the facts of the source's text and record them as proposed claims."),
    )
    @action(detail=True, methods=["post"], permission_classes=[CanAddClaims])
    def extract(self, request, pk=None):
        source = self.get_object()
        body = serializers.ExtractRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if not source.text.strip():
            raise ValidationError(
                {"text": [_("This source has no text to read; add its full text first.")]}, code="no_text"
            )
        result = ingest_source(source=source, project=body.validated_data.get("project"))
        return Response(
            serializers.ExtractResultSerializer(result, context=self.get_serializer_context()).data, status=201
        )


class SubstationViewSet(SlugOrIdLookupMixin, TrackedModelViewSet):
    queryset = Substation.objects.all()
    serializer_class = serializers.SubstationSerializer
    filterset_fields = ("country", "operator")


class IndicatorViewSet(VisibilityMixin, TrackedModelViewSet):
    queryset = Indicator.objects.none()
    serializer_class = serializers.IndicatorSerializer
    filterset_fields = ("country", "year", "is_forecast", "source")

    def get_queryset(self):
        return self.visibility.backed(Indicator.objects.all())


class ClaimViewSet(VisibilityMixin, TrackedModelViewSet):
    """Claims; accepting, rejecting and choosing the headline are actions that need the review permission.

    Anonymous readers, and users without a permission on claims, see accepted claims only.
    """

    queryset = Claim.objects.none()
    serializer_class = serializers.ClaimSerializer
    if_match_actions = ("accept", "reject", "set_headline")
    filterset_fields = ("project", "organization", "source", "attribute", "status", "in_conflict", "is_headline")

    def get_queryset(self):
        # value_organization: the display value of a claim naming an organization
        return self.visibility.claims(Claim.objects.select_related("value_organization"))

    def review(self, service, **kwargs):
        claim = self.get_object()
        self.check_if_match(claim)
        service(claim=claim, user=self.request.user, expected_version=getattr(self, "expected_version", None), **kwargs)
        return self.represent(claim)

    @extend_schema(request=None, responses=serializers.ClaimSerializer)
    @action(detail=True, methods=["post"], permission_classes=[ReadAnyReviewWithReviewPermission])
    def accept(self, request, pk=None):
        """Accept the claim; the first accepted value of an attribute becomes the project's headline."""
        return self.review(services.claim_accept)

    @extend_schema(request=serializers.ClaimRejectSerializer, responses=serializers.ClaimSerializer)
    @action(detail=True, methods=["post"], permission_classes=[ReadAnyReviewWithReviewPermission])
    def reject(self, request, pk=None):
        """Reject the claim; a rejected headline hands over to the remaining value when only one is left."""
        body = serializers.ClaimRejectSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self.review(services.claim_reject, note=body.validated_data.get("note", ""))

    @extend_schema(request=None, responses=serializers.ClaimSerializer)
    @action(
        detail=True, methods=["post"], url_path="set-headline", permission_classes=[ReadAnyReviewWithReviewPermission]
    )
    def set_headline(self, request, pk=None):
        """Make this accepted claim the value the project shows, resolving a conflict."""
        return self.review(services.claim_set_headline)


class ProjectPartViewSet(VisibilityMixin, TrackedModelViewSet):
    """A project's parts: those of a draft are shown as the draft is."""

    def get_queryset(self):
        return self.visibility.parts(super().get_queryset())


class PhaseViewSet(ProjectPartViewSet):
    queryset = Phase.objects.all()
    serializer_class = serializers.PhaseSerializer
    filterset_fields = ("project", "status")


class MilestoneViewSet(ProjectPartViewSet):
    queryset = Milestone.objects.all()
    serializer_class = serializers.MilestoneSerializer
    filterset_fields = ("project", "kind")


class ProjectRoleViewSet(ProjectPartViewSet):
    # organization: its name is shown next to its ID
    queryset = ProjectRole.objects.select_related("organization")
    serializer_class = serializers.ProjectRoleSerializer
    filterset_fields = ("project", "organization", "role")


class GridConnectionViewSet(ProjectPartViewSet):
    # substation: its name is shown next to its ID; project: the distance is computed from both on save
    queryset = GridConnection.objects.select_related("substation", "project")
    serializer_class = serializers.GridConnectionSerializer
    filterset_fields = ("project", "substation", "status")


class CapacityStatsView(VisibilityMixin, APIViewMixin, generics.GenericAPIView):
    """MW, project count and investment per currency, grouped; the project filters apply.

    The totals rule of /stats/ applies: cancelled and decommissioned projects are left out,
    unless ``status`` asks for them.
    """

    queryset = Project.objects.none()
    filter_backends = [FilterBackend]
    filterset_class = ProjectFilterSet
    permission_classes = [permissions.AllowAny]  # GET only
    pagination_class = None

    def get_queryset(self):
        return self.visibility.projects(project_list())

    @extend_schema(
        parameters=[serializers.CapacityStatsQuerySerializer],
        responses=serializers.CapacityStatsSerializer,
        filters=True,
    )
    def get(self, request):
        query = serializers.CapacityStatsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        projects = self.filter_queryset(self.get_queryset())
        if not self.filterset.form.cleaned_data.get("status"):
            projects = counted_in_totals(projects)
        return Response(
            serializers.CapacityStatsSerializer(capacity_by(projects, query.validated_data["group_by"])).data
        )


def tracked_model_labels() -> list[tuple[str, str]]:
    return sorted((model._meta.label_lower,) * 2 for model in apps.get_models() if issubclass(model, TrackedModel))


class ChangeFilterSet(django_filters.FilterSet):
    since = UTCDateTimeFilter(
        field_name="time",
        lookup_expr="gte",
        label=_("Since"),
        help_text=_("ISO 8601 date and time, e.g. 2026-01-31T00:00:00Z: changes at or after it. Default: all."),
    )
    object_type = django_filters.ChoiceFilter(
        choices=tracked_model_labels(),  # listed in the schema: the tracked types are known at start
        method="filter_object_type",
        label=_("Object type"),
        help_text=_("app_label.model of a tracked record, e.g. projects.project or projects.claim."),
    )
    action = django_filters.MultipleChoiceFilter(choices=ObjectChange.Action.choices, label=_("Action"))

    class Meta:
        model = ObjectChange
        fields: list[str] = []

    def filter_object_type(self, queryset, name, value: str):
        app_label, _dot, model = value.partition(".")
        return queryset.filter(content_type__app_label=app_label, content_type__model=model)


class ChangeListView(VisibilityMixin, APIViewMixin, generics.ListAPIView):
    """What changed, oldest first, for incremental sync: follow ``next`` until it is null, keep the last link.

    The feed holds the changes of what the reader sees (see ``Visibility.changes``): anonymous readers get
    no change of a draft project or its parts, none of a claim that is not accepted now, and no author.
    """

    queryset = ObjectChange.objects.none()
    serializer_class = serializers.ChangeSerializer
    filter_backends = [FilterBackend]
    filterset_class = ChangeFilterSet
    pagination_class = ChangeCursorPagination
    permission_classes = [permissions.AllowAny]  # GET only

    def get_queryset(self):
        # content types: each change names its object's type and its parent's
        return self.visibility.changes(ObjectChange.objects.select_related("content_type", "parent_content_type"))

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "show_authors": self.visibility.authors}
