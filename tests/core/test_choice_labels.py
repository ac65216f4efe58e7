"""Every tracked model's ``get_<field>_display()`` reads as Django's own, in each language."""

import pytest
from django.apps import apps
from django.db import models
from django.utils import translation

from core.models import TrackedModel

CHOICE_FIELDS = [
    (model, field)
    for model in apps.get_models()
    if issubclass(model, TrackedModel)
    for field in model._meta.concrete_fields
    if field.choices
]


def test_models_have_choice_fields_to_check():
    assert len(CHOICE_FIELDS) >= 10


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize(("model", "field"), CHOICE_FIELDS, ids=lambda item: getattr(item, "name", str(item)))
def test_display_reads_as_djangos_own(model, field, language):
    values = [value for value, _label in field.flatchoices] + ["not-a-choice", None, ""]
    with translation.override(language):
        for value in values:
            record = model(**{field.attname: value})
            ours = getattr(record, f"get_{field.name}_display")()
            assert ours == models.Model._get_FIELD_display(record, field), (field, value)
    with translation.override("fr" if language == "en" else "en"):  # the labels follow the language asked
        record = model(**{field.attname: values[0]})
        assert getattr(record, f"get_{field.name}_display")() == models.Model._get_FIELD_display(record, field)
