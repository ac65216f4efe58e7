"""Change-log rows made readable: field labels, choice labels, related records by name,
numbers and dates in the reader's locale."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from core.formatting import format_date, format_number, plain_number
from core.models import ObjectChange

EMPTY = "—"


@dataclass
class FieldChange:
    label: str
    before: str
    after: str


@dataclass
class ChangeRow:
    change: ObjectChange
    model_label: str
    is_child: bool
    fields: list[FieldChange] = field(default_factory=list)
    can_revert: bool = False
    is_current: bool = False

    @property
    def offers_revert(self) -> bool:
        """Reverting to the current version would change nothing; a deletion can always be undone."""
        return self.can_revert and (self.change.action == ObjectChange.Action.DELETE or not self.is_current)


def changes_of(instance):
    """The record's own changes and those of the records that log it as their parent; a record that
    others were merged into (``history_ids``) has theirs too."""
    from django.contrib.contenttypes.models import ContentType

    content_type = ContentType.objects.get_for_model(instance)
    ids = instance.history_ids() if hasattr(instance, "history_ids") else [instance.pk]
    return ObjectChange.objects.filter(
        Q(content_type=content_type, object_id__in=ids) | Q(parent_content_type=content_type, parent_object_id__in=ids)
    ).select_related("content_type", "user")


def can_revert(user, change: ObjectChange) -> bool:
    """Reverting edits the record, restoring re-creates it: each needs its own two permissions."""
    model = change.content_type.model_class()
    if model is None:
        return False
    opts = model._meta
    if change.action == ObjectChange.Action.DELETE:
        return user.has_perm("core.restore_objectchange") and user.has_perm(f"{opts.app_label}.add_{opts.model_name}")
    return user.has_perm("core.revert_objectchange") and user.has_perm(f"{opts.app_label}.change_{opts.model_name}")


def format_value(model_field, raw, names: dict) -> str:
    if raw is None or raw == "" or raw == []:
        return EMPTY
    if model_field is None:
        return str(raw)
    if model_field.is_relation:
        return names.get(model_field.related_model, {}).get(raw, f"#{raw}")
    if model_field.flatchoices:
        return str(dict(model_field.flatchoices).get(raw, raw))
    try:
        value = model_field.to_python(raw)
    except ValidationError:
        return str(raw)
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, int) and model_field.name.endswith("year"):
        return plain_number(value)  # 2030, not "2,030"
    if isinstance(value, Decimal | int | float):
        return format_number(value, max_decimals=None)  # a stored value: every digit it has
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return format_date(value)
    if hasattr(value, "tzinfo") and value.tzinfo is not None:
        value = timezone.localtime(value)
    return str(formats.localize(value, use_l10n=True))


def describe(changes, user, *, first_page: bool = True) -> list[ChangeRow]:
    """Readable rows for a page of changes, with two queries per related model at most."""
    changes = list(changes)
    fields_of: dict[type, dict] = {}
    related_ids: dict[type, set] = defaultdict(set)
    for change in changes:
        model = change.content_type.model_class()
        if model is None:
            continue
        if model not in fields_of:
            fields_of[model] = {f.attname: f for f in model._meta.concrete_fields}
        for name in change.changed_fields:
            model_field = fields_of[model].get(name)
            if model_field is not None and model_field.is_relation:
                for data in (change.prechange_data or {}, change.postchange_data or {}):
                    if data.get(name) is not None:
                        related_ids[model_field.related_model].add(data[name])
    names = {
        related: {obj.pk: str(obj) for obj in related._base_manager.filter(pk__in=ids)}
        for related, ids in related_ids.items()
    }
    rows, seen = [], set()
    permissions: dict[tuple, bool] = {}
    for change in changes:
        model = change.content_type.model_class()
        model_fields = fields_of.get(model, {})
        before, after = change.prechange_data or {}, change.postchange_data or {}
        key = (change.content_type_id, change.action == ObjectChange.Action.DELETE)
        if key not in permissions:
            permissions[key] = user is not None and can_revert(user, change)
        row = ChangeRow(
            change=change,
            model_label=capfirst(model._meta.verbose_name) if model else change.content_type.model,
            is_child=change.parent_content_type_id is not None,
            can_revert=permissions[key],
            # The newest change of each record on the first page is its current state.
            is_current=first_page and (change.content_type_id, change.object_id) not in seen,
        )
        seen.add((change.content_type_id, change.object_id))
        for name in change.changed_fields:
            model_field = model_fields.get(name)
            if model_field is not None and model_field.primary_key:
                continue
            old = format_value(model_field, before.get(name), names)
            new = format_value(model_field, after.get(name), names)
            if old == EMPTY and new == EMPTY:
                continue
            label = capfirst(model_field.verbose_name) if model_field is not None else name
            row.fields.append(FieldChange(label=label, before=old, after=new))
        rows.append(row)
    return rows
