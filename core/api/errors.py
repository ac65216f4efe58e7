"""One error shape for the whole API.

Every error answers ``{"error": {"status": 400, "code": "invalid", "message": "...",
"fields": {"capacity_min": ["Enter a number."]}}}``; ``fields`` names each
offending parameter or body field.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def _first_code(detail) -> str:
    if isinstance(detail, dict):
        for value in detail.values():
            return _first_code(value)
    if isinstance(detail, list) and detail:
        return _first_code(detail[0])
    return getattr(detail, "code", "error")


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = response.data
    body = {"status": response.status_code, "code": _first_code(getattr(exc, "detail", detail))}
    if isinstance(exc, exceptions.ValidationError) and isinstance(detail, dict):
        body["message"] = "Invalid input: " + ", ".join(sorted(detail)) + "."
        body["fields"] = detail
    elif isinstance(exc, exceptions.ValidationError):
        body["message"] = "Invalid input."
        body["fields"] = {"non_field_errors": detail}
    elif isinstance(detail, dict) and "detail" in detail:
        body["message"] = str(detail["detail"])
    else:
        body["message"] = str(detail)
    if isinstance(exc, Http404):
        body["code"] = "not_found"
    response.data = {"error": body}
    return response


def error_response(status_code: int, code: str, message: str, **extra) -> Response:
    return Response({"error": {"status": status_code, "code": code, "message": message, **extra}}, status=status_code)


__all__ = ["exception_handler", "error_response", "status"]
