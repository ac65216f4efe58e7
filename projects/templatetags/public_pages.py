"""Formatting for the public pages: figures and dates in the reader's language."""

from django import template
from django.utils import formats
from django.utils.translation import gettext as _

from projects import choices
from projects.charts import STATUS_COLOURS, format_compact, format_number

register = template.Library()


@register.filter
def number(value, decimals=0):
    """700 → "700"; 5000000000 → "5,000,000,000" (or "5 000 000 000" in French)."""
    return format_number(value, int(decimals))


@register.filter
def compact(value) -> str:
    """5000000000 → "5 bn": headline amounts that fit a phone; the exact figure goes next to it."""
    return format_compact(value)


@register.filter
def claim_value(claim) -> str:
    """A claim's value for readers: grouped digits, unit or currency, dates at their precision."""
    match claim.value_kind:
        case choices.ValueKind.MONEY:
            return f"{format_number(claim.value_number)} {claim.currency}"
        case choices.ValueKind.NUMBER if claim.attribute == choices.ClaimAttribute.OPERATIONAL_YEAR:
            return str(int(claim.value_number))  # a year, not a quantity: no grouping, no unit
        case choices.ValueKind.NUMBER:
            decimals = 0 if claim.value_number == claim.value_number.to_integral_value() else 2
            unit = _("jobs") if claim.unit == "jobs" else claim.unit
            return f"{format_number(claim.value_number, decimals)} {unit}".strip()
        case choices.ValueKind.DATE:
            return partial_date(claim.value_date, claim.value_date_precision)
    if claim.attribute == choices.ClaimAttribute.STATUS and claim.value_text in choices.ProjectStatus.values:
        return str(choices.ProjectStatus(claim.value_text).label)
    return claim.display_value


@register.filter
def partial_date(date, precision) -> str:
    """A date known to the day, the month or only the year, in the reader's format."""
    if date is None:
        return ""
    if precision == choices.DatePrecision.YEAR:
        return str(date.year)
    if precision == choices.DatePrecision.MONTH:
        return formats.date_format(date, "YEAR_MONTH_FORMAT")
    return formats.date_format(date, "DATE_FORMAT")


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
