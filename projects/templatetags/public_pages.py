"""Formatting for the public pages: figures and dates in the reader's language."""

from django import template

from core.formatting import format_compact, format_date, format_number
from projects.charts import STATUS_COLOURS

register = template.Library()


@register.filter
def number(value, decimals=None):
    """700 → "700"; 5000000000 → "5,000,000,000" (or "5 000 000 000" in French); ``number:1``
    gives exactly one decimal."""
    return format_number(value, None if decimals is None else int(decimals))


@register.filter
def compact(value) -> str:
    """5000000000 → "5 bn": headline amounts that fit a phone; the exact figure goes next to it."""
    return format_compact(value)


# ``date|partial_date:precision``; without a precision, the date to the day.
register.filter("partial_date", format_date)


@register.filter
def status_colour(status) -> str:
    return STATUS_COLOURS.get(status, "#777777")


@register.filter
def changed_field_labels(change) -> str:
    """The changed fields of a change-log entry by their names in the interface."""
    model = change.content_type.model_class()
    if model is None:
        return ", ".join(change.changed_fields)
    names = {
        field.name: str(field.verbose_name) for field in model._meta.get_fields() if hasattr(field, "verbose_name")
    }
    return ", ".join(names.get(name, name) for name in change.changed_fields)


@register.filter
def model_label(change) -> str:
    model = change.content_type.model_class()
    return str(model._meta.verbose_name) if model is not None else change.content_type.model


@register.filter
def labelled_errors(form) -> list[tuple[str, str, str]]:
    """(field id, field label, message) for each error, for the summary above a form."""
    return [
        (
            form[name].id_for_label if name in form.fields else "",
            form.fields[name].label if name in form.fields else "",
            error,
        )
        for name, errors in form.errors.items()
        for error in errors
    ]


@register.filter
def table_cells(row, columns) -> list[dict]:
    """A statistics row as cells in the order of its table's columns."""
    return [{"value": row.get(column.key), "numeric": column.numeric} for column in columns]
