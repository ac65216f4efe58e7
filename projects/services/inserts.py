"""New records and their change log written with PostgreSQL's COPY, for the bulk import.

``bulk_create`` compiles every value of every row through its field (``pre_save``,
``get_db_prep_save``) and psycopg then sends each column as an array: some 215 µs a row for a
project, its first status step and their two change-log entries, more than half of an import's
time. COPY takes the rows as they are: IDs reserved from the table's sequence in one query (the
change log names them), each column's value read from the record as ``bulk_create`` would send
it, and the rows streamed in psycopg's text format.

The columns are the ones ``bulk_create`` writes, with the same values: every concrete field, the
times of ``auto_now`` / ``auto_now_add`` set on the record as ``pre_save`` sets them, a foreign key
taken from the record it points at. Fields of a kind not listed in ``PLAIN_FIELDS`` go through
``get_db_prep_save`` as ``bulk_create`` sends them. Other databases use ``bulk_create`` itself.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable

import orjson
from django.db import connections, models
from django.db.backends.utils import CursorDebugWrapper
from django.utils import timezone

from core import caching, changes
from core.models import ObjectChange

# Fields whose value on a validated record is what bulk_create sends (their get_db_prep_save gives it back).
PLAIN_FIELDS = frozenset(
    {
        models.CharField,
        models.TextField,
        models.SlugField,
        models.IntegerField,
        models.SmallIntegerField,
        models.BigIntegerField,
        models.PositiveIntegerField,
        models.PositiveSmallIntegerField,
        models.PositiveBigIntegerField,
        models.FloatField,
        models.DecimalField,
        models.BooleanField,
        models.UUIDField,
    }
)
# Values the change log keeps as they are (``changes.to_json_value`` gives them back).
JSON_PLAIN = frozenset({str, int, float, bool, type(None)})
NOW, VALUE, JSON, PREPARED = "now", "value", "json", "prepared"


def copies(using: str) -> bool:
    return connections[using].vendor == "postgresql"


def insert(model, records: list, using: str):
    """``model._base_manager.bulk_create(records)`` without its change log, by COPY on PostgreSQL:
    each record gets its ID and is marked saved."""
    if not records:
        return
    if not copies(using):
        model._base_manager.using(using).bulk_create(records)
        return
    connection = connections[using]
    pk = model._meta.pk
    for record, new_id in zip(records, reserve_ids(model, len(records), using), strict=True):
        setattr(record, pk.attname, new_id)
    now = timezone.now()
    columns = _columns(model)
    rows = []
    for record in records:
        record._prepare_related_fields_for_save(operation_name="bulk_create")
        row = []
        for field, kind in columns:
            if kind is VALUE:
                row.append(getattr(record, field.attname))
            elif kind is NOW:  # as pre_save sets it, on the record too
                setattr(record, field.attname, now)
                row.append(now)
            elif kind is JSON:
                row.append(_json_value(getattr(record, field.attname)))
            else:
                row.append(field.get_db_prep_save(field.pre_save(record, True), connection))
        rows.append(row)
    copy_rows(model._meta.db_table, [field.column for field, _kind in columns], rows, using)
    for record in records:
        record._state.adding = False
        record._state.db = using


@functools.cache
def _columns(model) -> list[tuple[models.Field, str]]:
    """Each column bulk_create writes, with how its value is read from a record."""
    columns = []
    for field in model._meta.concrete_fields:
        if field.generated:
            continue
        if isinstance(field, models.DateTimeField) and (field.auto_now or field.auto_now_add):
            kind = NOW
        elif field.is_relation or field.primary_key or type(field) in PLAIN_FIELDS:
            kind = VALUE
        elif type(field) is models.JSONField and field.encoder is None:
            kind = JSON
        else:
            kind = PREPARED
        columns.append((field, kind))
    return columns


def _json_value(data):
    """JSON as text for a jsonb column; None is SQL NULL, as Django stores it."""
    return None if data is None else json_text(data)


def json_text(data) -> str:
    """The JSON text of the data as ``json.dumps`` gives it, once the database has read it (orjson is
    five times as quick; what it does not take, such as keys that are no strings, goes to json)."""
    try:
        return orjson.dumps(data).decode()
    except TypeError:
        return json.dumps(data)


def reserve_ids(model, count: int, using: str) -> list[int]:
    """``count`` new IDs from the model's sequence, in one query (the sequence's name looked up once, as a
    subquery: as the argument itself it was looked up for each ID, 25 times as long)."""
    table, column = model._meta.db_table, model._meta.pk.column
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT nextval((SELECT pg_get_serial_sequence(%s, %s))) FROM generate_series(1, %s)",
            [table, column, count],
        )
        return [new_id for (new_id,) in cursor.fetchall()]


def copy_rows(table: str, columns: list[str], rows: Iterable, using: str):
    """COPY the rows into the table, as one statement seen by the connection's execute wrappers and
    its query log (a test's query count, a benchmark's)."""
    connection = connections[using]
    quote = connection.ops.quote_name
    sql = f"COPY {quote(table)} ({', '.join(quote(column) for column in columns)}) FROM STDIN"

    def copy(sql, params, many, context):
        with connection.wrap_database_errors, context["cursor"].cursor.copy(sql) as stream:
            for row in params:
                stream.write_row(row)

    with connection.cursor() as cursor:
        if isinstance(cursor, CursorDebugWrapper):
            with cursor.debug_sql(sql):
                cursor._execute_with_wrappers(sql, rows, False, copy)
        else:
            cursor._execute_with_wrappers(sql, rows, False, copy)


class CreationLog:
    """The change log of new records of one model, built from their values as ``changes.serialize``
    and ``changes.build_changes`` build it, as rows for COPY (or ``ObjectChange`` records elsewhere).

    The values of an import's records are plain (text, numbers, dates): each is kept as it is or
    converted by ``changes.to_json_value``, without the field lookups of ``serialize``.
    """

    def __init__(self, model):
        from django.contrib.contenttypes.models import ContentType

        self.model = model
        self.names = [field.attname for field in changes._logged_fields(model)]
        self.content_type_id = ContentType.objects.get_for_model(model, for_concrete_model=True).pk
        parent_name = getattr(model, "change_log_parent", None)
        parent = model._meta.get_field(parent_name) if parent_name else None
        self.parent_attname = parent.attname if parent is not None else None
        self.parent_type_id = ContentType.objects.get_for_model(parent.related_model).pk if parent is not None else None

    def afters(self, records) -> list[dict]:
        to_json, plain, names = changes.to_json_value, JSON_PLAIN, self.names
        afters = []
        for record in records:
            values = record.__dict__
            after = {}
            for name in names:
                value = values[name] if name in values else getattr(record, name)
                after[name] = value if type(value) in plain else to_json(value)
            afters.append(after)
        return afters

    def rows(self, records) -> list[list]:
        """One row per record in the columns of ``ObjectChange`` (its ID left for ``write``)."""
        context = changes.current_context()
        user = context.resolve_user()
        shared = {
            "user_id": user.pk if user else None,
            "user_name": user.get_username() if user else "",
            "source": context.source,
            "request_id": context.request_id,
            "action": ObjectChange.Action.CREATE,
            "content_type_id": self.content_type_id,
        }
        columns = [field for field in ObjectChange._meta.concrete_fields if not field.primary_key]
        defaults = {field.attname: field.get_default() for field in columns}
        rows = []
        for record, after in zip(records, self.afters(records), strict=True):
            entry = changes.entry_values(shared, record, self.parent_attname, self.parent_type_id, None, after)
            values = {**defaults, **entry}
            rows.append([values[field.attname] for field in columns])
        return rows


def write_creations(rows: list[list], using: str):
    """The change-log rows of ``CreationLog.rows``, written as ``changes.record_many`` writes entries."""
    if not rows:
        return
    columns = [field for field in ObjectChange._meta.concrete_fields if not field.primary_key]
    if not copies(using):
        changes.record_many(ObjectChange(**dict(zip((f.attname for f in columns), row, strict=True))) for row in rows)
        return
    ids = reserve_ids(ObjectChange, len(rows), using)
    json_columns = [isinstance(field, models.JSONField) for field in columns]
    copied = (
        [new_id, *(_json_value(value) if is_json else value for value, is_json in zip(row, json_columns, strict=True))]
        for new_id, row in zip(ids, rows, strict=True)
    )
    copy_rows(ObjectChange._meta.db_table, ["id", *(field.column for field in columns)], copied, using)
    caching.data_changed(using)
    changes._announce([_Entry(new_id) for new_id in ids], using)


class _Entry:
    """What ``changes._announce`` reads of an entry written by COPY: its ID."""

    __slots__ = ("pk",)

    def __init__(self, pk: int):
        self.pk = pk
