"""OpenAPI generation: every operation documents the errors it can answer, in the one error shape."""

import re

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular import openapi
from drf_spectacular.plumbing import force_instance
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from core.api.errors import ErrorSerializer
from core.api.fields import StrictTypesMixin
from core.api.pagination import PAGINATE_PARAMETER, SelectablePaginationMixin

ERRORS = {
    "400": _(
        "A parameter or body field breaks what this schema states (type, format, choices, length, range, "
        "required); `fields` names each one."
    ),
    "401": _("Writing needs a token: `Authorization: Token <key>`."),
    "403": _("The token's user lacks the model permission for this write."),
    "404": _("No such record."),
    "409": _(
        "A conflict: other records still refer to this one (on delete), or a unique value (a slug, a source's "
        "URL) is taken, or another request saved the same unique value at the same moment."
    ),
    "412": _("`If-Match` does not match the record's current `ETag`: it changed since it was loaded."),
    "413": _("The request body is larger than the API reads (`API_MAX_BODY_BYTES`, 1 MB by default)."),
    "422": _(
        "The values match this schema but break a rule it cannot state: a related record that does not exist, "
        "a rule across fields or parameters, a state the record is not in; `fields` names each one."
    ),
    "428": _("`If-Match` is missing: send the `ETag` of the record as you loaded it."),
    "429": _("Too many requests; retry after the `Retry-After` seconds."),
}
# Answered by gunicorn, before the application, to a request line (method, path and query) that
# is longer than it reads: its own HTML page.
URI_TOO_LONG = _("The address (path and query) is longer than the server reads: 4,094 bytes.")
# A list's 404: the records are there, the page asked for is not.
NO_SUCH_PAGE = _("No such page: past the last one, or a `cursor` that is not one of `next` or `previous`.")


IF_MATCH_PARAMETER = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=settings.API_REQUIRE_IF_MATCH,
    description=_(
        "The `ETag` of the record as you loaded it (GET it first), or `*`. A record changed since is refused "
        "with 412; without the header the write is refused with 428."
    ),
)

API_PATH = re.compile(r"^/api/v\d+/(?P<resource>[^/{]+)")


class AutoSchema(openapi.AutoSchema):
    def get_tags(self):
        resource = API_PATH.match(self.path)
        return [resource["resource"]] if resource else super().get_tags()

    def get_auth(self):
        auth = super().get_auth()
        # reads need no token
        return [*auth, {}] if self.method == "GET" and {} not in auth else auth

    def _is_detail(self) -> bool:
        return "{" in self.path

    def _error_codes(self) -> list[str]:
        codes = ["429", "400", "422"]  # bad parameters (filters, as_of, page_size), bad bodies on writes
        if self._is_detail() or self._paginates():
            codes.append("404")
        if self.method != "GET":
            codes += ["401", "403"]
        if self.method in ("PUT", "PATCH", "DELETE") or (self.method == "POST" and self._is_detail()):
            codes.append("412")
        if self.method != "GET":
            codes.append("409")
        if self._needs_if_match():
            codes.append("428")
        if self.method in ("POST", "PUT", "PATCH"):
            codes.append("413")
        return sorted(codes)

    def _needs_if_match(self) -> bool:
        """PUT, PATCH, DELETE and the detail actions a viewset names in ``if_match_actions``."""
        actions = getattr(self.view, "if_match_actions", None)
        if actions is None:  # not a viewset of tracked records
            return False
        return self.method in ("PUT", "PATCH", "DELETE") or getattr(self.view, "action", None) in actions

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "request" and isinstance(force_instance(serializer), StrictTypesMixin):
            schema["additionalProperties"] = False  # a field the body does not take is a 400
        return schema

    def _paginates(self) -> bool:
        return self.method == "GET" and self._is_list_view() and self._get_paginator() is not None

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in self._error_codes():
            description = NO_SUCH_PAGE if code == "404" and not self._is_detail() else ERRORS[code]
            response = OpenApiResponse(ErrorSerializer, description=description)
            # errors are JSON whatever format was asked for
            responses.setdefault(code, self._get_response_for_code(response, code, ["application/json"]))
        responses.setdefault(
            "414", {"description": str(URI_TOO_LONG), "content": {"text/html": {"schema": {"type": "string"}}}}
        )
        if self.method == "GET" and self._is_detail():
            responses.setdefault("304", {"description": str(_("Not modified: the `If-None-Match` ETag is current."))})
        return responses

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        if self._needs_if_match():
            parameters = [*parameters, IF_MATCH_PARAMETER]
        lookup_description = getattr(self.view, "lookup_description", None)
        if lookup_description and self._is_detail():
            lookup = self.view.lookup_url_kwarg or self.view.lookup_field
            parameters = [
                *parameters,
                OpenApiParameter(
                    lookup,
                    OpenApiTypes.STR,
                    OpenApiParameter.PATH,
                    description=lookup_description,
                    pattern=f"^{self.view.lookup_value_regex}$",
                ),
            ]
        elif self._is_detail() and getattr(self.view, "lookup_value_regex", None) == "[0-9]+":
            # the address takes digits only (the router's regex): an integer, not a string with a pattern
            parameters = [
                *parameters,
                OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description=_("The record's ID.")),
            ]
        if self.method == "GET" and isinstance(self.view, SelectablePaginationMixin) and self._is_list_view():
            parameters = [
                *parameters,
                OpenApiParameter(
                    PAGINATE_PARAMETER,
                    OpenApiTypes.STR,
                    enum=["page", "cursor"],
                    description=_(
                        "page (default): numbered pages with a count. cursor: opaque `next` links over a fixed "
                        "order (last_updated, then id), for sync clients; not combinable with ordering."
                    ),
                ),
                OpenApiParameter(
                    "cursor", OpenApiTypes.STR, description=_("With paginate=cursor: the token from `next`.")
                ),
            ]
        return parameters
