"""CSV and GeoJSON downloads of a project list, streamed row by row.

The whole filtered table is read through a database cursor in chunks and
written out as it comes, so memory stays flat however many projects match.
"""

import csv
import datetime
import decimal
import io

import orjson
from django.http import StreamingHttpResponse
from rest_framework.renderers import BaseRenderer

from core.exports import escape_formula
from core.formatting import partial_date_key, plain_number
from core.geo import distance_km
from projects import staleness
from projects.api.serializers import PROJECT_LIST_FIELDS, STALENESS_FIELDS

CHUNK_ROWS = 2000  # rows per database fetch and per chunk written out


# Read with the list columns: the precision ``announced_on`` is known to (day, month or year).
EXTRA_FIELDS = ("announced_precision",)


def project_rows(queryset, near_point):
    """Each project as a dict of the list columns, with ``distance_km`` when the list is around a point."""
    names = (*PROJECT_LIST_FIELDS, *EXTRA_FIELDS)
    today = staleness.today()
    values = queryset.values_list(*names).iterator(chunk_size=CHUNK_ROWS)
    for batch in _batches(dict(zip(names, row, strict=True)) for row in values):
        # the date each was last reported on, one grouped query a chunk rather than an aggregate a row
        reported = staleness.last_reported_by_id({row["id"]: row["announced_on"] for row in batch})
        for row in batch:
            row[staleness.LAST_REPORTED] = reported[row["id"]]
            row["inferred_status"] = staleness.inferred_status(row["status"], row[staleness.LAST_REPORTED], today)
            if near_point is not None:
                point = (row["latitude"], row["longitude"])
                row["distance_km"] = round(distance_km(near_point, point), 2)
            yield row


def _batches(rows):
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == CHUNK_ROWS:
            yield batch
            batch = []
    if batch:
        yield batch


class StreamingRenderer(BaseRenderer):
    """Streams rows through ``response()``; DRF never asks it to render a body (see APIViewMixin)."""

    streams = True

    def chunks(self, columns, rows):
        raise NotImplementedError

    def response(self, queryset, near_point, filename: str) -> StreamingHttpResponse:
        columns = (*PROJECT_LIST_FIELDS, *STALENESS_FIELDS)
        columns = (*columns, "distance_km") if near_point is not None else columns
        content_type = f"{self.media_type}; charset={self.charset}" if self.charset else self.media_type
        response = StreamingHttpResponse(
            self.chunks(columns, project_rows(queryset, near_point)), content_type=content_type
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}.{self.format}"'
        return response


def _csv_cell(value):
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return plain_number(value)  # 700, not 700.00
    if isinstance(value, list):  # typed_by_hand: attribute names, one cell
        return escape_formula(";".join(str(item) for item in value))
    return escape_formula(value)  # a stored text never opens as a live formula; numbers pass as they are


class CSVRenderer(StreamingRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def chunks(self, columns, rows):
        # announced_on at its precision ("2025-02" for a month), the precision in the next column
        at = columns.index("announced_on") + 1
        columns = (*columns[:at], "announced_precision", *columns[at:])
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(columns)
        for batch in _batches(rows):
            for row in batch:
                row["announced_on"] = partial_date_key(row["announced_on"], row["announced_precision"])
            writer.writerows([_csv_cell(row[column]) for column in columns] for row in batch)
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        if buffer.tell():
            yield buffer.getvalue()  # the header of an empty list


def _json_default(value):
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)  # 700, not 700.0
    raise TypeError


class GeoJSONRenderer(StreamingRenderer):
    """An RFC 7946 FeatureCollection of points; a project without coordinates has a null geometry."""

    media_type = "application/geo+json"
    format = "geojson"
    charset = None

    def chunks(self, columns, rows):
        properties = [column for column in columns if column not in ("latitude", "longitude")]
        yield b'{"type":"FeatureCollection","features":['
        separator = b""
        for batch in _batches(rows):
            features = [
                {
                    "type": "Feature",
                    "id": row["id"],
                    "geometry": {"type": "Point", "coordinates": [row["longitude"], row["latitude"]]}
                    if row["latitude"] is not None
                    else None,
                    "properties": {name: row[name] for name in properties},
                }
                for row in batch
            ]
            yield separator + b",".join(orjson.dumps(feature, default=_json_default) for feature in features)
            separator = b","
        yield b"]}"
