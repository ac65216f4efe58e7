"""What the project page reads of a project beyond its columns: its power facts, the status
the tracker infers for it, and how sure extraction was of a claim."""

from django import template
from django.utils.translation import gettext as _

from core.formatting import format_number
from projects import choices, power, staleness

register = template.Library()


@register.simple_tag
def power_facts(project):
    """The project's power facts (from its prefetched claims), each with the claims it shows."""
    return power.power_facts(project)


@register.simple_tag
def inferred_status(project):
    """``{"value", "label", "last_reported_on"}`` when a quiet press implies shelved or cancelled, else None."""
    value = staleness.inferred_of(project)
    if value is None:
        return None
    return {
        "value": value,
        "label": staleness.INFERRED_LABELS[value],
        "last_reported_on": staleness.last_reported_of(project),
        "years": staleness.CANCELLED_AFTER_YEARS
        if value == staleness.InferredStatus.CANCELLED
        else staleness.SHELVED_AFTER_YEARS,
    }


@register.filter
def percent(value) -> str:
    """0.75 → "75%" (French: "75 %")."""
    if value is None:
        return ""
    return _("%(number)s%%") % {"number": format_number(round(float(value) * 100))}


@register.filter
def fact_value(claim) -> str:
    """A power fact's value without its unit, in the reader's language: "120", "at least 100", "100–150", "solar"."""
    if claim.value_number is None:
        return claim.value_text
    number = format_number(claim.value_number)
    match claim.bound:
        case choices.ClaimBound.AT_LEAST:
            return _("at least %(number)s") % {"number": number}
        case choices.ClaimBound.AT_MOST:
            return _("at most %(number)s") % {"number": number}
        case choices.ClaimBound.RANGE:
            return _("%(low)s to %(high)s") % {"low": number, "high": format_number(claim.value_number_max)}
    return number


@register.filter
def inferred_label(value) -> str:
    """``shelved`` → "Shelved — inferred"."""
    return str(staleness.INFERRED_LABELS.get(value, "")) if value else ""


@register.simple_tag
def status_definitions():
    """Every recorded status, then the inferred ones: (value, label, definition, inferred)."""
    recorded = [
        (value, label, staleness.STATUS_DEFINITIONS[value], False) for value, label in choices.ProjectStatus.choices
    ]
    inferred = [
        (value, label, staleness.INFERRED_DEFINITIONS[value], True) for value, label in staleness.InferredStatus.choices
    ]
    return recorded + inferred
