"""One error shape for the whole API.

Every error answers ``{"error": {"status": 400, "code": "invalid", "message": "...",
"fields": {"capacity_min": ["Enter a number."]}}}``; ``fields`` is present on
validation errors only and names each offending parameter or body field.
"""

import logging

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS as DJANGO_NON_FIELD_ERRORS
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404, HttpResponsePermanentRedirect, JsonResponse
from django.urls import Resolver404, resolve
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, serializers, status
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from core.formatting import format_number
from core.models import ConcurrentEditError

NON_FIELD_ERRORS = api_settings.NON_FIELD_ERRORS_KEY
logger = logging.getLogger(__name__)


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _("The record changed since you loaded it; fetch it again and apply your edit to the new version.")
    default_code = "precondition_failed"


class PreconditionRequired(exceptions.APIException):
    status_code = 428
    default_detail = _(
        "This write needs an If-Match header with the ETag of the record as you loaded it: GET the record, "
        "then send its ETag back, so that an edit saved since is never overwritten."
    )
    default_code = "precondition_required"


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"

    def __init__(self, limit: int):
        super().__init__(
            _("The request body is larger than the API reads: at most %(limit)s bytes.")
            % {"limit": format_number(limit)}
        )


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _(
        "The write conflicts with the records as they are now (another request may have saved the same value "
        "at the same moment); fetch them again and retry."
    )
    default_code = "conflict"


class InUse(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("Other records still refer to this one; remove or reassign them first.")
    default_code = "in_use"


# What the schema states about a parameter or a body field (its type, format, choices, length,
# range, or that it is required): refusing one of these is a 400. A value that matches the schema
# but breaks a rule it cannot state (a related record that does not exist, a rule across fields,
# a state the record is not in) is a 422; a unique value already taken is a 409.
SCHEMA_CODES = frozenset(
    {
        "parse_error",
        "required",
        "null",
        "blank",
        "invalid",
        "incorrect_type",
        "unknown_field",
        "invalid_choice",
        "invalid_list",
        "not_a_list",
        "not_a_dict",
        "empty",
        "max_length",
        "min_length",
        "max_value",
        "min_value",
        "max_string_length",
        "max_digits",
        "max_decimal_places",
        "max_whole_digits",
        "date",
        "datetime",
        "make_aware",
        "overflow",
    }
)
CONFLICT_CODES = frozenset({"unique"})
# A rule of a model or a service raised without a code of its own.
RULE = "rule"


def _codes(detail):
    if isinstance(detail, dict):
        for value in detail.values():
            yield from _codes(value)
    elif isinstance(detail, list):
        for value in detail:
            yield from _codes(value)
    else:
        yield getattr(detail, "code", None) or RULE


def validation_status(detail) -> int:
    """400 when a value breaks what the schema states, 409 when unique values are taken, else 422."""
    codes = set(_codes(detail))
    if codes & SCHEMA_CODES:
        return status.HTTP_400_BAD_REQUEST
    if codes and codes <= CONFLICT_CODES:
        return status.HTTP_409_CONFLICT
    return status.HTTP_422_UNPROCESSABLE_ENTITY


def _django_details(error: DjangoValidationError) -> list:
    """The messages of a Django ValidationError with their codes (``rule`` when it has none)."""
    return [
        exceptions.ErrorDetail(message, code=item.code or RULE)
        for item in error.error_list
        for message in item.messages
    ]


def _flat_fields(detail, prefix: str = ""):
    """Each field's messages under its name: a list's items as ``aliases.0`` (DRF nests them in a
    dict keyed by the index, an int, which is neither the documented shape nor a JSON key)."""
    if not isinstance(detail, dict):
        return detail
    flat = {}
    for key, value in detail.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict):
            flat.update(_flat_fields(value, name))
        else:
            flat[name] = value
    return flat


def _first_code(detail) -> str:
    if isinstance(detail, dict):
        for value in detail.values():
            return _first_code(value)
    if isinstance(detail, list) and detail:
        return _first_code(detail[0])
    # a form error added without a code (form.add_error(name, message)) is a rule the schema cannot state
    return getattr(detail, "code", None) or RULE


def _as_api_exception(exc):
    """Domain exceptions raised by models and services, as the HTTP errors they mean."""
    if isinstance(exc, DjangoValidationError):
        if not hasattr(exc, "error_dict"):
            return exceptions.ValidationError({NON_FIELD_ERRORS: _django_details(exc)})
        # a rule across fields (a model constraint) is keyed "__all__" by Django
        return exceptions.ValidationError(
            {
                NON_FIELD_ERRORS if name == DJANGO_NON_FIELD_ERRORS else name: _django_details(
                    DjangoValidationError(errors)
                )
                for name, errors in exc.error_dict.items()
            }
        )
    if isinstance(exc, ConcurrentEditError):
        return PreconditionFailed()
    if isinstance(exc, ProtectedError | RestrictedError):
        return InUse()
    if isinstance(exc, RequestDataTooBig):
        # Django's own limit (DATA_UPLOAD_MAX_MEMORY_SIZE), met while parsing a body
        return RequestTooLarge(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    if isinstance(exc, IntegrityError):
        # The database refused what validation let through: a race with another writer.
        logger.warning("Database integrity error answered 409: %s", exc)
        return Conflict()
    return exc


def exception_handler(exc, context):
    exc = _as_api_exception(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.status_code = validation_status(exc.detail)
    detail = response.data = _flat_fields(response.data)
    body = {"status": response.status_code, "code": _first_code(getattr(exc, "detail", detail))}
    if isinstance(exc, exceptions.ValidationError) and isinstance(detail, dict):
        body["message"] = "Invalid input: " + ", ".join(sorted(detail)) + "."
        body["fields"] = detail
    elif isinstance(exc, exceptions.ValidationError):
        body["message"] = "Invalid input."
        body["fields"] = {NON_FIELD_ERRORS: detail}
    elif isinstance(detail, dict) and "detail" in detail:
        body["message"] = str(detail["detail"])
    else:
        body["message"] = str(detail)
    if isinstance(exc, Http404):
        body["code"] = "not_found"
    response.data = {"error": body}
    return response


class ErrorBodySerializer(serializers.Serializer):
    status = serializers.IntegerField(help_text=_("The HTTP status code, repeated."))
    code = serializers.CharField(help_text=_("A stable machine-readable code, e.g. invalid, not_found, throttled."))
    message = serializers.CharField(help_text=_("What went wrong, in words."))
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text=_("On validation errors: the messages for each offending parameter or body field."),
    )


class ErrorSerializer(serializers.Serializer):
    """Documents the error shape in the OpenAPI schema."""

    error = ErrorBodySerializer()


def not_found(request, exception=None):
    """Django's 404 handler: under /api/ the one error shape, elsewhere the site's page."""
    if request.path.startswith("/api/"):
        body = {"error": {"status": 404, "code": "not_found", "message": str(_("No endpoint at this address."))}}
        return JsonResponse(body, status=404)
    return defaults.page_not_found(request, exception)


@csrf_exempt  # nothing is written: a POST to an unknown address is a 404 like a GET, not a CSRF refusal
def unknown_endpoint(request):
    """The last route under /api/: the error shape for every unknown address, debug on or off.

    Django's 404 handler is not used while debug is on (it shows its debug page instead), so
    the API answers for itself. An address that exists with a trailing slash is redirected
    there, as ``APPEND_SLASH`` does for the rest of the site.
    """
    if settings.APPEND_SLASH and not request.path_info.endswith("/"):
        try:
            match = resolve(request.path_info + "/", getattr(request, "urlconf", None))
        except Resolver404:
            match = None
        if match is not None and match.func is not unknown_endpoint:
            return HttpResponsePermanentRedirect(request.get_full_path(force_append_slash=True))
    return not_found(request)
