"""The rows of a project list, rendered from ``values()`` in the shape of ``ProjectListSerializer``.

A page of projects is read as plain values (no model instance per row) and each row is made
JSON-ready with one conversion per column that needs one (decimals to numbers, the update time
to DRF's ISO 8601), chosen once from the serializer's own field types. ``url`` is the detail URL
DRF reverses, built once per page around the slug. The serializer stays the schema's and the
one reference: tests hold both to the same output.
"""

from __future__ import annotations

from django.utils import timezone
from rest_framework import serializers
from rest_framework.reverse import reverse

from core.geo import distance_km
from projects import staleness
from projects.api.serializers import PROJECT_LIST_FIELDS, ProjectListSerializer

SLUG_PLACEHOLDER = "slug-placeholder-0"


def _decimal(value, timezone):
    return float(value)  # the column's own decimal places: DRF's quantizing changes nothing


def _datetime(value, timezone):
    """As DRF's DateTimeField: in the current time zone, ISO 8601, UTC written Z."""
    value = value.astimezone(timezone).isoformat()
    return value[:-6] + "Z" if value.endswith("+00:00") else value


def _converters() -> dict:
    """Column -> function, for the columns whose database value is not already what the serializer gives."""
    fields = ProjectListSerializer().fields
    converters = {}
    for name in PROJECT_LIST_FIELDS:
        if isinstance(fields[name], serializers.DecimalField):
            converters[name] = _decimal
        elif isinstance(fields[name], serializers.DateTimeField):
            converters[name] = _datetime
    return converters


CONVERTERS = _converters()


def list_values(queryset):
    """The list's columns of each project, as the page query reads them (the dates they were last
    reported on are read for the page by ``project_rows``)."""
    return queryset.values(*PROJECT_LIST_FIELDS)


def project_rows(values, request, near_point: tuple[float, float] | None) -> list[dict]:
    """The page's ``values()`` dicts as the list serializer represents them, ``url`` and ``distance_km`` included."""
    head, tail = reverse("api:project-detail", kwargs={"slug": SLUG_PLACEHOLDER}, request=request).split(
        SLUG_PLACEHOLDER
    )
    converters = CONVERTERS.items()
    current = timezone.get_current_timezone()
    today = staleness.today()
    reported = staleness.last_reported_by_id({row["id"]: row["announced_on"] for row in values})
    rows = []
    for row in values:
        last_reported = row[staleness.LAST_REPORTED] = reported[row["id"]]
        row["inferred_status"] = staleness.inferred_status(row["status"], last_reported, today)
        if last_reported is not None:
            row[staleness.LAST_REPORTED] = last_reported.isoformat()
        for name, convert in converters:
            value = row[name]
            if value is not None:
                row[name] = convert(value, current)
        distance = None
        if near_point is not None and row["latitude"] is not None:
            distance = round(distance_km(near_point, (row["latitude"], row["longitude"])), 2)
        rows.append({"url": f"{head}{row['slug']}{tail}", **row, "distance_km": distance})
    return rows
