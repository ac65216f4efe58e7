"""The change log: who changed what, when, with the values before and after.

Every model deriving from ``core.models.TrackedModel`` is covered, whatever the
path of the write: the admin, the API, an import, a management command or the
shell. Single saves and deletes are caught by signals; bulk writes through the
model's queryset (``update()``, ``bulk_create()``, ``bulk_update()``) log
themselves in ``core.models.TrackedQuerySet``. One table for every model gives
the API its changes feed and the admin its history and restore views.

The author of a change comes from a context variable set by
``ChangeActorMiddleware`` for web and API requests, and by ``actor()`` for
commands and scripts; changes made with no actor are recorded as anonymous
with the source ``"shell"``.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import decimal
import functools
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import models, transaction

from core import caching
from core.formatting import plain_number

# Fields that change on every save and say nothing about the record itself.
BOOKKEEPING_FIELDS = frozenset({"created", "last_updated", "version"})


@dataclass
class ChangeContext:
    user: object = None
    source: str = "shell"
    request_id: uuid.UUID = field(default_factory=uuid.uuid4)
    _user_getter: Callable | None = None

    def resolve_user(self):
        user = self._user_getter() if self._user_getter else self.user
        if user is not None and getattr(user, "is_authenticated", False):
            return user
        return None


_context: contextvars.ContextVar[ChangeContext | None] = contextvars.ContextVar("change_context", default=None)


@contextlib.contextmanager
def actor(user=None, *, source: str = "command"):
    """Attribute every change made inside the block to ``user`` (or a callable returning it)."""
    context = ChangeContext(source=source)
    if callable(user) and not hasattr(user, "pk"):
        context._user_getter = user
    else:
        context.user = user
    token = _context.set(context)
    try:
        yield context
    finally:
        _context.reset(token)


def current_context() -> ChangeContext:
    return _context.get() or ChangeContext()


def to_json_value(value):
    """A JSON-friendly form of a field value that ``field.to_python`` reads back."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, decimal.Decimal):
        # 38, 38.0 and 38.0000 are one value: compare and show them the same way.
        return plain_number(value)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [to_json_value(item) for item in value]
    if isinstance(value, dict):
        return {str(key): to_json_value(item) for key, item in value.items()}
    return str(value)


def serialize(instance: models.Model) -> dict:
    """The record's own columns, keyed by attribute name (``organization_id`` for a foreign key)."""
    return {f.attname: to_json_value(f.value_from_object(instance)) for f in _logged_fields(type(instance))}


@functools.cache
def _logged_fields(model) -> tuple:
    """The columns the log keeps of a model's records, worked out once (a bulk write logs thousands)."""
    excluded = BOOKKEEPING_FIELDS.union(getattr(model, "change_log_exclude", ()))
    return tuple(f for f in model._meta.concrete_fields if f.attname not in excluded)


def changed_fields(before: dict | None, after: dict | None) -> list[str]:
    before, after = before or {}, after or {}
    return sorted(key for key in before.keys() | after.keys() if before.get(key) != after.get(key))


def _parent_of(instance) -> tuple[type[models.Model], int] | None:
    """The parent's model and ID, read from the foreign key's column: no query for the parent itself."""
    parent_field = getattr(instance, "change_log_parent", None)
    if not parent_field:
        return None
    field = instance._meta.get_field(parent_field)
    parent_id = getattr(instance, field.attname)
    return (field.related_model, parent_id) if parent_id is not None else None


def build_change(instance, action: str, before: dict | None, after: dict | None):
    from django.contrib.contenttypes.models import ContentType

    from core.models import ObjectChange

    context = current_context()
    user = context.resolve_user()
    parent = _parent_of(instance)
    return ObjectChange(
        user=user,
        user_name=user.get_username() if user else "",
        source=context.source,
        request_id=context.request_id,
        action=action,
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=True),
        object_id=instance.pk,
        object_repr=str(instance)[:200],
        parent_content_type=ContentType.objects.get_for_model(parent[0]) if parent is not None else None,
        parent_object_id=parent[1] if parent is not None else None,
        prechange_data=before,
        postchange_data=after,
        changed_fields=changed_fields(before, after),
    )


def build_changes(instances, action: str, befores=None, afters=None) -> list:
    """``build_change`` for many records of one model (a bulk write), with what they share (the
    author, the types, the parent's column) worked out once rather than for each record.

    ``befores`` and ``afters`` are lists in the order of ``instances`` (None: nothing before or after).
    """
    from django.contrib.contenttypes.models import ContentType

    from core.models import ObjectChange

    instances = list(instances)
    if not instances:
        return []
    befores = [None] * len(instances) if befores is None else befores
    afters = [None] * len(instances) if afters is None else afters
    context = current_context()
    user = context.resolve_user()
    model = type(instances[0])
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=True)
    parent_name = getattr(model, "change_log_parent", None)
    parent = model._meta.get_field(parent_name) if parent_name else None
    parent_type = ContentType.objects.get_for_model(parent.related_model) if parent is not None else None
    shared = {
        "user_id": user.pk if user else None,
        "user_name": user.get_username() if user else "",
        "source": context.source,
        "request_id": context.request_id,
        "action": action,
        "content_type_id": content_type.pk,
    }
    # Built from the columns in order (as rows read from the database are): the keyword path costs
    # three times as much, for each of a bulk write's many records.
    columns = ObjectChange._meta.concrete_fields
    built = []
    for instance, before, after in zip(instances, befores, afters, strict=True):
        values = entry_values(
            shared,
            instance,
            parent.attname if parent is not None else None,
            parent_type.pk if parent_type is not None else None,
            before,
            after,
        )
        built.append(ObjectChange(*(values[f.attname] if f.attname in values else f.get_default() for f in columns)))
    return built


def entry_values(shared: dict, instance, parent_attname, parent_type_id, before, after) -> dict:
    """The columns (by attname) of the change-log entry of ``instance``, with those ``shared`` by a write's entries."""
    from django.utils import timezone

    parent_id = getattr(instance, parent_attname) if parent_attname else None
    return {
        **shared,
        "time": timezone.now(),
        "object_id": instance.pk,
        "object_repr": str(instance)[:200],
        "parent_content_type_id": parent_type_id if parent_id is not None else None,
        "parent_object_id": parent_id,
        "prechange_data": before,
        "postchange_data": after,
        "changed_fields": changed_fields(before, after),
    }


def snapshot(instance):
    """Remember a record's state as just read under lock, so its next save logs it without reading it again."""
    instance._prechange_snapshot = serialize(instance)
    return instance


def record(instance, action: str, before: dict | None, after: dict | None):
    change = build_change(instance, action, before, after)
    change.save()
    caching.data_changed(change._state.db)
    _announce([change], change._state.db)
    return change


def record_many(changes: Iterable):
    from core.models import ObjectChange

    created = ObjectChange.objects.bulk_create(list(changes))
    if created:
        caching.data_changed(created[0]._state.db)
        _announce(created, created[0]._state.db)


# Told of the change log entries a transaction wrote, once it commits (``on_changes_committed``).
_listeners: list[Callable[[list[int]], None]] = []


def on_changes_committed(listener: Callable[[list[int]], None]):
    """Call ``listener`` with the IDs of the entries each transaction wrote, once it has committed:
    one call per transaction however many records it wrote (apps that follow changes hook here)."""
    if listener not in _listeners:
        _listeners.append(listener)


class _CommittedBatch:
    """The on-commit callback of one transaction, holding the IDs of the entries it wrote."""

    def __init__(self):
        self.ids: list[int] = []

    def __call__(self):
        for listener in list(_listeners):
            listener(self.ids)


def _announce(created: list, using: str | None):
    if not _listeners:
        return
    ids = [change.pk for change in created if change.pk is not None]
    if not ids:
        return
    connection = transaction.get_connection(using)
    # The batch of this transaction, registered at this savepoint level or an enclosing one: if
    # that savepoint is rolled back, the batch goes with it, and so did every entry it holds.
    open_savepoints = set(connection.savepoint_ids)
    batch = next(
        (
            entry[1]
            for entry in connection.run_on_commit
            if isinstance(entry[1], _CommittedBatch) and entry[0] <= open_savepoints
        ),
        None,
    )
    if batch is not None and connection.in_atomic_block:
        batch.ids.extend(ids)
        return
    batch = _CommittedBatch()
    batch.ids.extend(ids)
    transaction.on_commit(batch, using=using)  # outside a transaction: at once
