"""What every API endpoint shares, and the viewset behind each tracked resource."""

from django.conf import settings
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_orjson_renderer.renderers import ORJSONRenderer
from rest_framework import status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from core import writes
from core.api import conditional
from core.api.errors import PreconditionFailed, PreconditionRequired, RequestTooLarge
from core.api.filters import EMPTY_VALUE, FilterBackend
from core.api.pagination import SelectablePaginationMixin
from core.api.schema import AutoSchema
from core.changes import actor


class APIViewMixin:
    """Changes made through the API are authored by its user; errors are JSON whatever format was asked."""

    schema = AutoSchema()

    def dispatch(self, request, *args, **kwargs):
        # Token authentication happens inside DRF's dispatch, after this block opens:
        # the author is looked up on the DRF request when each change is recorded.
        with actor(lambda: getattr(self.request, "user", None), source="api"):
            return super().dispatch(request, *args, **kwargs)

    def perform_content_negotiation(self, request, force=False):
        if not force and request.query_params.get("format") == "":
            raise ValidationError({"format": [EMPTY_VALUE]}, code="blank")
        try:
            return super().perform_content_negotiation(request, force)
        except Http404:
            # DRF answers an unknown ?format= with 404; it is a bad parameter like any other
            formats = ", ".join(renderer.format for renderer in self.get_renderers())
            raise ValidationError({"format": [_("Choose one of: %(formats)s.") % {"formats": formats}]}) from None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authentication, permissions, throttles
        # A body over the limit is refused by its announced length, before anything reads it
        # (a body without a length is not read at all).
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.API_MAX_BODY_BYTES:
            raise RequestTooLarge(settings.API_MAX_BODY_BYTES)

    def finalize_response(self, request, response, *args, **kwargs):
        if getattr(getattr(request, "accepted_renderer", None), "streams", False):
            # CSV and GeoJSON renderers only stream rows; an error or OPTIONS body is JSON.
            request.accepted_renderer, request.accepted_media_type = ORJSONRenderer(), ORJSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)


class TrackedModelViewSet(APIViewMixin, SelectablePaginationMixin, viewsets.ModelViewSet):
    """CRUD on a ``TrackedModel`` with conditional requests.

    Reads carry an ``ETag``; ``If-None-Match`` gives 304. Writes to a record (PUT,
    PATCH, DELETE and the actions in ``if_match_actions``) need ``If-Match``: 428
    without it (unless ``API_REQUIRE_IF_MATCH`` is off), 412 when the record changed
    since it was loaded; they answer with the record as a read shows it, with its new
    ``ETag``. An edit saved between the check and the write is refused with 412 too:
    the versioned UPDATE sees it.
    """

    filter_backends = [FilterBackend]
    # IDs are whole numbers: another value matches no address (404), as the schema's integer says.
    lookup_value_regex = "[0-9]+"
    # The representation a read shows, when writes take another serializer.
    read_serializer_class = None
    # Detail actions that change the record, and so need If-Match like PUT, PATCH and DELETE.
    if_match_actions: tuple[str, ...] = ()

    def get_object(self):
        # Looked up once per request: the precondition and the write see the same loaded version.
        if not hasattr(self, "_object"):
            # DRF's get_object_or_404: a value the field cannot take ("abc" for an ID) is a 404 in
            # the error shape (the router lets any value through, not only digits)
            lookup = self.kwargs[self.lookup_url_kwarg or self.lookup_field]
            self._object = get_object_or_404(self.get_queryset(), **self.lookup_filter(lookup))
            self.check_object_permissions(self.request, self._object)
        return self._object

    def lookup_filter(self, value: str) -> dict:
        return {self.lookup_field: value}

    def get_read_serializer(self, instance):
        serializer_class = self.read_serializer_class or self.get_serializer_class()
        return serializer_class(instance, context=self.get_serializer_context())

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "expected_version": getattr(self, "expected_version", None)}

    def check_if_match(self, instance):
        tags = conditional.header_tags(self.request, "If-Match")
        if tags is None:
            if settings.API_REQUIRE_IF_MATCH:
                raise PreconditionRequired()
            return
        if not conditional.match(tags, conditional.entity_tag(instance, self.get_read_serializer(instance).data)):
            raise PreconditionFailed()
        self.expected_version = instance.version

    def represent(self, instance, status_code=status.HTTP_200_OK, headers=None):
        # Read back through get_queryset(), whose prefetches the representation needs.
        instance = self.get_queryset().get(pk=instance.pk)
        data = self.get_read_serializer(instance).data
        return Response(
            data, status=status_code, headers={"ETag": conditional.entity_tag(instance, data), **(headers or {})}
        )

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        data = self.get_read_serializer(instance).data
        etag = conditional.entity_tag(instance, data)
        tags = conditional.header_tags(request, "If-None-Match")
        if tags is not None and conditional.none_match(tags, etag):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
        return Response(data, headers={"ETag": etag})

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)
        instance = serializer.instance
        location = reverse(
            f"{request.resolver_match.namespace}:{self.basename}-detail",
            kwargs={self.lookup_url_kwarg or self.lookup_field: getattr(instance, self.lookup_field)},
        )
        return self.represent(instance, status.HTTP_201_CREATED, {"Location": request.build_absolute_uri(location)})

    def update(self, request, *args, **kwargs):
        instance = self.get_object()
        self.check_if_match(instance)
        serializer = self.get_serializer(instance, data=request.data, partial=kwargs.pop("partial", False))
        serializer.is_valid(raise_exception=True)
        self.perform_update(serializer)
        return self.represent(serializer.instance)

    def destroy(self, request, *args, **kwargs):
        instance = self.get_object()
        self.check_if_match(instance)
        self.perform_destroy(instance)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def perform_destroy(self, instance):
        # The service locks the row and compares versions: a delete is not a versioned UPDATE.
        writes.writer_for(type(instance)).delete(instance, self.request.user, instance.version)
