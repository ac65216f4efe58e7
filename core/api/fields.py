"""A request body's values have the JSON types the schema gives them.

DRF reads what it can: ``"12"`` for a number, ``12`` for a text, ``1`` or ``"yes"`` for a
boolean. A client that sends them does not follow the schema, and a generated client never
would: such a value is refused (400, ``incorrect_type``) rather than read.
"""

from collections.abc import Mapping

from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _
from rest_framework import fields, relations, serializers
from rest_framework.fields import empty

TYPE_NAMES = {bool: "boolean", int: "integer", float: "number", str: "string", list: "array", dict: "object"}
INCORRECT_TYPE = _("Give a value of type %(expected)s, not %(given)s.")


def json_type(field) -> tuple[type, ...] | None:
    """The Python types that JSON values of the field's schema type parse to; None for any."""
    if isinstance(field, fields.BooleanField):
        return (bool,)
    if isinstance(field, fields.IntegerField | relations.PrimaryKeyRelatedField):
        return (int,)
    if isinstance(field, fields.FloatField | fields.DecimalField):
        return (int, float)
    if isinstance(field, fields.MultipleChoiceField | fields.ListField | relations.ManyRelatedField):
        return (list,)
    if isinstance(field, fields.ChoiceField):
        kinds = {type(choice) for choice in field.choices}
        return tuple(kinds) if kinds and kinds <= {str, int} else None
    if isinstance(field, fields.CharField | fields.DateField | fields.DateTimeField | fields.TimeField):
        return (str,)
    if isinstance(field, fields.DictField):
        return (dict,)
    return None


def type_error(field, value) -> str | None:
    """Why a value is not of the field's JSON type, or None when it is."""
    if value is None:
        return None  # allow_null decides
    expected = json_type(field)
    if expected is None:
        return None
    # JSON's true and false are not numbers, though Python's bool is an int
    if isinstance(value, bool) and bool not in expected:
        pass
    elif isinstance(value, float) and expected == (int,) and value.is_integer():
        return None  # 3.0 is the integer 3 to JSON Schema
    elif isinstance(value, expected):
        child = getattr(field, "child", None) or getattr(field, "child_relation", None)
        if isinstance(value, list) and child is not None:
            return next((error for item in value if (error := type_error(child, item))), None)
        return None
    given = TYPE_NAMES.get(type(value), type(value).__name__)
    return str(INCORRECT_TYPE % {"expected": TYPE_NAMES[expected[0]], "given": given})


UNKNOWN_FIELD = _("Not a field of this body: the schema lists the fields a client may send.")


class StrictTypesMixin:
    """For serializers of request bodies: each writable field's value must have its JSON type, and
    a field the body does not take is refused rather than ignored (a typo would otherwise be
    silently dropped); the schema says so with ``additionalProperties: false``."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            errors = {
                str(name): [serializers.ErrorDetail(str(UNKNOWN_FIELD), code="unknown_field")]
                for name in data
                if name not in writable
            }
            for name, field in self.fields.items():
                if field.read_only or name not in data:
                    continue
                error = type_error(field, data[name])
                if error:
                    errors[name] = [serializers.ErrorDetail(error, code="incorrect_type")]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class WebURLField(serializers.URLField):
    """A web address. The schema says ``format: uri``; Django accepts fewer of those (http, https
    or ftp, a host name with a top-level domain, at most 253 characters): a well-formed URI it
    refuses is a rule the schema cannot state (422, ``url``), not a malformed value."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators = [
            URLValidator(message=self.error_messages["invalid"], code="url")
            if isinstance(validator, URLValidator)
            else validator
            for validator in self.validators
        ]


class CharField(serializers.CharField):
    """A text. The schema states its length; that a text of spaces alone counts as blank (DRF
    trims it, and Python counts \\x1c to \\x1f as spaces too) is a rule it cannot state: 422,
    ``whitespace_only``, where an empty text is a 400 (``blank``, below ``minLength``)."""

    def run_validation(self, data=empty):
        if isinstance(data, str) and data and self.trim_whitespace and not data.strip() and not self.allow_blank:
            raise serializers.ValidationError(self.error_messages["blank"], code="whitespace_only")
        return super().run_validation(data)
