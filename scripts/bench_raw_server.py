"""The baseline of the API benchmark: the project list in plain psycopg and orjson, no framework.

A WSGI application served by gunicorn like the tracker (``scripts/bench_api.py`` starts it with
the same number of workers), reading ``BENCH_RAW_DSN``. It answers ``GET /projects/`` with the
API's page shape (count, next, previous, results, the same columns and ``url``) for the
parameters the benchmark sends: ``country``, ``capacity_min``, ``ordering`` (``-capacity_mw`` or
``name``), ``page`` and ``page_size``; drafts are left out as the API leaves them out for
anonymous readers. One connection per worker, psycopg's defaults (server-side binding, statements
prepared after five runs). It is a yardstick, not part of the application.
"""

import datetime
import decimal
import os
from urllib.parse import parse_qs, urlencode

import orjson
import psycopg

COLUMNS = (
    "id",
    "slug",
    "name",
    "kind",
    "status",
    "country",
    "region",
    "municipality",
    "latitude",
    "longitude",
    "location_precision",
    "capacity_mw",
    "capacity_basis",
    "investment_amount",
    "investment_currency",
    "investment_year",
    "jobs_permanent",
    "jobs_construction",
    "site_area_ha",
    "announced_on",
    "operational_year",
    "conflict_count",
    "typed_by_hand",
    "is_draft",
    "last_updated",
)
ORDERINGS = {"-capacity_mw": "capacity_mw DESC", "name": "name", "": "name"}
_connection = None


def connection():
    global _connection
    if _connection is None or _connection.closed:
        _connection = psycopg.connect(os.environ["BENCH_RAW_DSN"], autocommit=True)
    return _connection


def default(value):
    if isinstance(value, decimal.Decimal):
        return float(value)
    raise TypeError


def row_dict(row, prefix):
    item = dict(zip(COLUMNS, row, strict=True))
    item["last_updated"] = item["last_updated"].astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")
    return {"url": f"{prefix}{item['slug']}/", **item, "distance_km": None}


def app(environ, start_response):
    params = {key: values[-1] for key, values in parse_qs(environ.get("QUERY_STRING", "")).items()}
    conditions, args = ["NOT is_draft"], []
    if params.get("country"):
        conditions.append("country = ANY(%s)")
        args.append([code.strip().upper() for code in params["country"].split(",")])
    if params.get("capacity_min"):
        conditions.append("capacity_mw >= %s")
        args.append(decimal.Decimal(params["capacity_min"]))
    where = " AND ".join(conditions)
    order = ORDERINGS[params.get("ordering", "")]
    size = min(int(params.get("page_size", 50)), 500)
    page = int(params.get("page", 1))
    with connection().cursor() as cursor:
        count = cursor.execute(f"SELECT count(*) FROM projects_project WHERE {where}", args).fetchone()[0]
        rows = cursor.execute(
            f"SELECT {', '.join(COLUMNS)} FROM projects_project WHERE {where} ORDER BY {order} LIMIT %s OFFSET %s",
            [*args, size, (page - 1) * size],
        ).fetchall()
    base = f"http://{environ['HTTP_HOST']}"
    prefix = f"{base}/api/v1/projects/"

    def link(number):
        return f"{base}{environ['PATH_INFO']}?{urlencode({**params, 'page': number})}"

    body = orjson.dumps(
        {
            "count": count,
            "next": link(page + 1) if page * size < count else None,
            "previous": link(page - 1) if page > 1 else None,
            "results": [row_dict(row, prefix) for row in rows],
        },
        default=default,
    )
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
