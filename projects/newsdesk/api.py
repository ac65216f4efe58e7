"""``/api/v1/feeds/``: the feeds the news desk polls, for the newsroom's accounts only.

Reading a feed needs the ``view`` permission on feeds, writing the ``add``, ``change`` or ``delete`` one
(the editors and reviewers groups hold them); writes to a feed need ``If-Match``, as every tracked record.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse
from rest_framework import permissions

from core.api.errors import ErrorSerializer
from core.api.schema import ERRORS, AutoSchema
from core.api.views import TrackedModelViewSet
from projects.api.serializers import RECORD_FIELDS, TrackedModelSerializer
from projects.newsdesk.models import POLL_FIELDS, Feed


class ModelPermissionsToRead(permissions.DjangoModelPermissions):
    """An authenticated user holding the model permission, for reads (``view``) as for writes."""

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
    }


class FeedSchema(AutoSchema):
    """Reads need a token too: 401 and 403 are documented on them."""

    def get_auth(self):
        return [auth for auth in super().get_auth() if auth]

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in ("401", "403"):
            description = (
                ERRORS[code]
                if self.method != "GET"
                else _("Reading feeds needs a token of a user holding the view permission on feeds.")
            )
            response = OpenApiResponse(ErrorSerializer, description=description)
            responses.setdefault(code, self._get_response_for_code(response, code, ["application/json"]))
        return responses


class FeedSerializer(TrackedModelSerializer):
    class Meta:
        model = Feed
        fields = (
            *RECORD_FIELDS,
            "url",
            "title",
            "publisher",
            "language",
            "active",
            *(name for name in POLL_FIELDS if not name.startswith("http_")),
        )
        read_only_fields = POLL_FIELDS


class FeedViewSet(TrackedModelViewSet):
    """RSS and Atom feeds; the jobs poll the active ones on the schedule and read their new articles.

    The poll fields (``last_polled_at``, ``last_error``, the counts) are written by the jobs, not by clients.
    """

    queryset = Feed.objects.order_by("pk")
    serializer_class = FeedSerializer
    permission_classes = [ModelPermissionsToRead]
    filterset_fields = ("active", "language")
    schema = FeedSchema()
