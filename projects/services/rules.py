"""A model's field rules (``Model.clean_fields``) for the many records of an import, worked out once per model.

``clean_fields`` asks every field of every record the same questions through ``Field.clean``
(``to_python``, ``validate``, ``run_validators``), and a field with choices walks them all (a
country's are 250 names, translated each time): about 50 µs a project. The records an import
makes mostly hold values of their field's own type already (the file's cells were read into
them), for which ``to_python`` gives the value back. For such a value each field's check here is
what is left of ``Field.clean``: empty or not, the choice looked up in a set, the field's own
validators called directly. Any other value, and any value that fails, goes through
``Field.clean`` itself, so that the errors are word for word those of ``clean_fields``.
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass
from decimal import Decimal

from django.core import validators
from django.core.exceptions import ValidationError
from django.db import models
from django_countries.fields import CountryField

# The fields whose ``to_python`` gives back a value of this type as it is (exact classes: a subclass may
# read values its own way).
QUICK_TYPES = {
    models.CharField: str,
    models.SlugField: str,
    models.TextField: str,
    models.EmailField: str,
    models.URLField: str,
    models.DecimalField: Decimal,
    models.FloatField: float,
    models.IntegerField: int,
    models.SmallIntegerField: int,
    models.BigIntegerField: int,
    models.PositiveIntegerField: int,
    models.PositiveSmallIntegerField: int,
    models.PositiveBigIntegerField: int,
    models.AutoField: int,
    models.BigAutoField: int,
    models.DateField: datetime.date,
    models.BooleanField: bool,
    models.JSONField: list,
}
EMPTY_VALUES = tuple(validators.EMPTY_VALUES)


@dataclass(frozen=True)
class _FieldRule:
    field: models.Field
    name: str
    attname: str
    quick_type: type | None
    choices: frozenset | None
    blank: bool
    editable: bool
    checks: tuple  # one per validator: whether a value passes it
    stored: bool = False  # read as the instance stores it, not through the field's descriptor


@functools.cache
def field_rules(model) -> tuple[_FieldRule, ...]:
    """The fields ``clean_fields`` checks, in its order, each with what its quick check needs."""
    rules = []
    for field in model._meta.fields:
        if field.generated:
            continue
        choices = None
        if field.choices is not None:
            choices = frozenset(key for key, _label in field.flatchoices)
        quick_type, stored = QUICK_TYPES.get(type(field)), False
        if type(field) is CountryField and not field.multiple:
            # django-countries stores the code and hands out a Country made for each read, which
            # Field.clean turns back into the code: the code is checked as it is stored.
            quick_type, stored = str, True
        rules.append(
            _FieldRule(
                field=field,
                name=field.name,
                attname=field.attname,
                quick_type=quick_type,
                stored=stored,
                choices=choices,
                blank=field.blank,
                editable=field.editable,
                checks=tuple(_check(validator) for validator in field.validators),
            )
        )
    return tuple(rules)


def clean_fields(instance, exclude: set[str]) -> dict[str, list[ValidationError]]:
    """The errors ``instance.clean_fields(exclude)`` finds, by field, with the values it cleans set on
    the instance as it sets them; nothing is raised."""
    errors = {}
    for rule in field_rules(type(instance)):
        if rule.name in exclude:
            continue
        if rule.stored:
            stored = instance.__dict__.get(rule.attname)
            if type(stored) is rule.quick_type and _holds(rule, stored):
                continue
        raw = getattr(instance, rule.attname)  # (for a stored value, what Field.clean is given)
        if type(raw) is rule.quick_type and _holds(rule, raw):
            continue
        if rule.blank and raw in EMPTY_VALUES:
            continue
        try:
            if rule.choices is not None:
                _clean_choice(instance, rule, raw)
            else:
                setattr(instance, rule.attname, rule.field.clean(raw, instance))
        except ValidationError as error:
            errors[rule.name] = error.error_list
    return errors


def _holds(rule: _FieldRule, value) -> bool:
    """Whether a value of the field's own type passes ``Field.clean`` (which would give it back as it is)."""
    if rule.quick_type is str:
        if value == "":
            return rule.blank  # not blank: the field's own error, from Field.clean
    elif rule.quick_type is Decimal:
        if not value.is_finite():
            return False
    # A list of texts is JSON (JSONField.validate dumps it to be sure); an empty one is blank.
    elif rule.quick_type is list and (not value or not all(type(item) is str for item in value)):
        return False
    if rule.editable and rule.choices is not None and value not in rule.choices:
        return False
    return all(check(value) for check in rule.checks)


def _check(validator):
    """Whether a value passes the validator: its comparison itself for Django's limits (what their
    ``__call__`` compares, without the parameters of a message it would not raise), else a call."""
    kind, limit = type(validator), getattr(validator, "limit_value", None)
    if callable(limit):
        kind = None
    if kind is validators.MaxLengthValidator:
        return lambda value: not len(value) > limit
    if kind is validators.MinValueValidator:
        return lambda value: not value < limit
    if kind is validators.MaxValueValidator:
        return lambda value: not value > limit

    def passes(value):
        try:
            validator(value)
        except ValidationError:
            return False
        return True

    return passes


def _clean_choice(instance, rule: _FieldRule, raw):
    """``Field.clean`` for a field with choices, the choice looked up in the set of them rather than by
    walking them (``Field.validate``); the rest as ``Field.validate`` and ``run_validators`` do it."""
    field = rule.field
    value = field.to_python(raw)
    if rule.editable:
        try:
            chosen = value in rule.choices
        except TypeError:  # not hashable: no choice
            chosen = False
        if not chosen and value not in field.empty_values:
            message = field.error_messages["invalid_choice"]
            raise ValidationError(message, code="invalid_choice", params={"value": value})
        if value is None and not field.null:
            raise ValidationError(field.error_messages["null"], code="null")
        if not field.blank and value in field.empty_values:
            raise ValidationError(field.error_messages["blank"], code="blank")
    field.run_validators(value)
    setattr(instance, rule.attname, value)
