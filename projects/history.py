"""A project as the tracker had recorded it at the end of a past day, and what changed between
two days, both read from the change log (``core.models.ObjectChange``).

Every create, update and delete of a project and of its parts (claims, phases, milestones,
roles, grid connections, status steps) is logged with the record's columns after the change,
so the state of each record at a moment is the ``postchange_data`` of its latest change before
that moment (none, or a deletion: the record did not exist then). The sources, organizations
and substations the parts point to are read the same way, as they were then.

A rebuilt project is a set of unsaved model instances with the relations a detail reads
(``selectors.project_detail``'s prefetches) already in place, so the project page and the API
serializers show it as they show a project read from its tables. The columns the log leaves
out because they are derived (a claim's kind of value and comparable key, its conflict flag,
the project's conflict count, a connection's distance) are derived again here, as the
services derive them.

The reading rule of ``projects.selectors.Visibility`` is applied to the state of the day: a
reader who may not see drafts gets no project that was a draft then, and no claim that was
not accepted then; parts standing on a claim wait for that claim to have been accepted.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.changes import BOOKKEEPING_FIELDS
from core.geo import distance_km
from core.models import ObjectChange
from projects import attributes, choices, selectors
from projects.models import (
    Claim,
    GridConnection,
    Milestone,
    Organization,
    Phase,
    Project,
    ProjectRole,
    ProjectStatusChange,
    Source,
    Substation,
)

AS_OF = "as_of"
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
FROM, TO = "from", "to"

# A project's parts, by the name of the relation the detail reads, with the order it reads them in.
PARTS = {
    "claims": (Claim, ("attribute", "-is_headline", "as_of", "id")),
    "phases": (Phase, ("order", "target_year", "id")),
    "milestones": (Milestone, ("date", "id")),
    "roles": (ProjectRole, ("role", "id")),
    "grid_connections": (GridConnection, ("id",)),
    "status_history": (ProjectStatusChange, ("date", "id")),
}
# Parts shown once typed by hand or backed by an accepted claim (as ``selectors.backed`` reads them).
BACKED_PARTS = ("phases", "milestones", "roles", "grid_connections")
# The records the parts point to, read as they were on the day: (part model, field) -> model.
REFERENCES = {
    (Claim, "source"): Source,
    (Claim, "value_organization"): Organization,
    (Claim, "organization"): Organization,
    (Milestone, "source"): Source,
    (ProjectRole, "organization"): Organization,
    (ProjectRole, "source"): Source,
    (GridConnection, "substation"): Substation,
    (GridConnection, "grid_operator"): Organization,
    (GridConnection, "source"): Source,
    (ProjectStatusChange, "source"): Source,
}


# Dates --------------------------------------------------------------------------------------


def today() -> datetime.date:
    return timezone.localdate()  # in settings.TIME_ZONE


def start_of_day(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of ``day`` in settings.TIME_ZONE."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_default_timezone())


def end_of_day(day: datetime.date) -> datetime.datetime:
    """The first moment after ``day`` in settings.TIME_ZONE: the day's changes are those before it."""
    return start_of_day(day + datetime.timedelta(days=1))


class DayField(forms.DateField):
    """A day written YYYY-MM-DD, no later than today."""

    input_formats = ["%Y-%m-%d"]
    default_error_messages = {"invalid": _("Give a date as YYYY-MM-DD, e.g. 2025-06-30.")}

    def to_python(self, value):
        # strptime takes 2025-1-1 too; a citation's date is written in full
        if isinstance(value, str) and value.strip() and not DAY.match(value.strip()):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)

    def validate(self, value):
        super().validate(value)
        if value is not None and value > today():
            raise forms.ValidationError(_("Give a day that has begun: today at the latest."), code="future")


class AsOfForm(forms.Form):
    as_of = DayField(required=False)


class PeriodForm(forms.Form):
    """``from`` and ``to``, both included; ``to`` defaults to today and ``from`` to the record's beginning."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # "from" is a Python keyword: the fields are added by name rather than declared
        self.fields[FROM] = DayField(required=False, label=_("From"))
        self.fields[TO] = DayField(required=False, label=_("To"))

    def clean(self):
        data = super().clean()
        start, end = data.get(FROM), data.get(TO)
        if start is not None and end is not None and start > end:
            self.add_error(TO, forms.ValidationError(_("Give a day on or after from."), code="before_from"))
        return data

    @property
    def period(self) -> tuple[datetime.datetime | None, datetime.datetime]:
        start, end = self.cleaned_data.get(FROM), self.cleaned_data.get(TO) or today()
        return (start_of_day(start) if start else None, end_of_day(end))


def form_errors(form: forms.Form) -> dict[str, list]:
    """Errors by parameter name with their codes, as the API answers them: a malformed day is a
    400, a well-formed one the record cannot answer for (a day to come, a period ending before it
    begins) a 422."""
    from rest_framework.exceptions import ErrorDetail

    return {
        name: [ErrorDetail(" ".join(error.messages), code=error.code or "invalid") for error in errors]
        for name, errors in form.errors.as_data().items()
    }


# The record on a day --------------------------------------------------------------------------


def _latest_before(scope: Q, moment: datetime.datetime) -> QuerySet[ObjectChange]:
    """The latest change before ``moment`` of each record with a change in ``scope``: one query,
    answered from the index on (object type, object ID, time)."""
    newer = ObjectChange.objects.filter(
        content_type=OuterRef("content_type"), object_id=OuterRef("object_id"), time__lt=moment
    ).filter(Q(time__gt=OuterRef("time")) | Q(time=OuterRef("time"), pk__gt=OuterRef("pk")))
    return ObjectChange.objects.filter(scope, time__lt=moment).filter(~Exists(newer)).order_by()


def _instance(model, change: ObjectChange):
    """An unsaved instance of ``model`` holding the columns logged by ``change``."""
    data = change.postchange_data or {}
    values = {
        field.attname: field.to_python(data[field.attname])
        for field in model._meta.concrete_fields
        if field.attname in data and not field.primary_key and field.attname not in BOOKKEEPING_FIELDS
    }
    instance = model(pk=change.object_id, **values)
    instance._state.adding = False
    instance._state.db = change._state.db
    instance.last_updated = change.time
    return instance


def _sort_key(fields):
    def key(instance):
        parts = []
        for name in fields:
            value = getattr(instance, name.lstrip("-"))
            if name.startswith("-"):  # only booleans are sorted descending here
                parts.append((False, not value))
            else:
                parts.append((value is None, value if value is not None else 0))
        return parts

    return key


def _prefetch(instance, name: str, objects: list) -> None:
    """Give ``instance.<name>.all()`` these objects, as ``prefetch_related`` does, with no query."""
    queryset = getattr(instance, name).get_queryset()
    queryset._result_cache = list(objects)
    queryset._prefetch_done = True
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[getattr(type(instance), name).rel.cache_name] = queryset


def _cache_relation(instance, name: str, related) -> None:
    instance._meta.get_field(name).set_cached_value(instance, related)


def project_as_of(project_id: int, day: datetime.date, visibility: selectors.Visibility) -> Project | None:
    """The project with this ID as recorded at the end of ``day``, with its parts, as ``visibility``
    sees it; None when it did not exist then (not yet created, or deleted) or may not be seen.

    Four queries whatever the number of parts and changes: the latest state of the project and of
    each part, its first creation and number of versions, the records the parts point to, and
    (only for those with no change logged before the day) their present rows.
    """
    project_type = ContentType.objects.get_for_model(Project)
    moment = end_of_day(day)
    states = list(
        _latest_before(
            Q(content_type=project_type, object_id=project_id)
            | Q(parent_content_type=project_type, parent_object_id=project_id),
            moment,
        ).select_related("content_type")
    )
    own = next((change for change in states if change.content_type_id == project_type.pk), None)
    if own is None or own.action == ObjectChange.Action.DELETE:
        return None
    project = _instance(Project, own)
    if project.is_draft and not visibility.drafts:
        return None
    record = ObjectChange.objects.filter(content_type=project_type, object_id=project_id, time__lt=moment).aggregate(
        created=Min("time"), versions=Count("pk", filter=~Q(action=ObjectChange.Action.DELETE))
    )
    project.created, project.version = record["created"], record["versions"]

    models = {ContentType.objects.get_for_model(model).pk: name for name, (model, _order) in PARTS.items()}
    parts: dict[str, list] = defaultdict(list)
    for change in states:
        name = models.get(change.content_type_id)
        # a part moved to another project since has that project as its parent: its latest change is not here
        if name is None or change.action == ObjectChange.Action.DELETE or change.parent_object_id != project_id:
            continue
        parts[name].append(_instance(PARTS[name][0], change))

    claims = parts["claims"]
    for claim in claims:
        claim.value_kind = attributes.value_kind(claim.attribute)
        claim.value_key = claim.compute_value_key()
    accepted = {claim.pk for claim in claims if claim.status == choices.ClaimStatus.ACCEPTED}
    if not visibility.unaccepted_claims:
        parts["claims"] = [claim for claim in claims if claim.pk in accepted]
    for name in BACKED_PARTS:
        parts[name] = [part for part in parts[name] if part.claim_id is None or part.claim_id in accepted]

    _attach_references(parts, moment)
    phases = {phase.pk: phase for phase in parts["phases"]}
    for milestone in parts["milestones"]:
        _cache_relation(milestone, "phase", phases.get(milestone.phase_id))
    for connection in parts["grid_connections"]:
        substation = connection.substation
        connection.distance_km = (
            round(distance_km(project.point, substation.point), 2)
            if project.point and substation is not None and substation.point
            else None
        )
    for name, (_model, order) in PARTS.items():
        objects = sorted(parts[name], key=_sort_key(order))
        for part in objects:
            _cache_relation(part, "project", project)
        _prefetch(project, name, objects)

    conflicts = selectors.project_conflicts(project)
    disputed = {claim.pk for conflict in conflicts for claim in conflict.claims}
    for claim in parts["claims"]:
        claim.in_conflict = claim.pk in disputed
    project.conflict_count = len(conflicts)
    project.as_of = day
    return project


def _attach_references(parts: dict[str, list], moment: datetime.datetime) -> None:
    """Each part's source, organizations and substation as they were at ``moment``."""
    wanted: dict[type, set[int]] = defaultdict(set)
    for objects in parts.values():
        for part in objects:
            for (model, name), target in REFERENCES.items():
                if isinstance(part, model):
                    value = getattr(part, part._meta.get_field(name).attname)
                    if value is not None:
                        wanted[target].add(value)
    found: dict[type, dict[int, object]] = defaultdict(dict)
    if wanted:
        types = {ContentType.objects.get_for_model(model).pk: model for model in wanted}
        scope = Q(pk__in=[])
        for type_id, model in types.items():
            scope |= Q(content_type_id=type_id, object_id__in=sorted(wanted[model]))
        for change in _latest_before(scope, moment):
            if change.action != ObjectChange.Action.DELETE:
                model = types[change.content_type_id]
                found[model][change.object_id] = _instance(model, change)
        for model, ids in wanted.items():
            missing = ids - found[model].keys()
            if missing:  # recorded before the log began: as they are now
                found[model].update(model._base_manager.in_bulk(missing))
    for objects in parts.values():
        for part in objects:
            for (model, name), target in REFERENCES.items():
                if isinstance(part, model):
                    value = getattr(part, part._meta.get_field(name).attname)
                    _cache_relation(part, name, found[target].get(value) if value is not None else None)


def project_id_for(lookup: str, visibility: selectors.Visibility) -> int | None:
    """The ID of the project a slug or an ID names: a present project by either, or a deleted one by its ID."""
    key = selectors.slug_or_id(lookup)
    present = Project.objects.filter(**key).values_list("pk", "is_draft").first()
    if present is not None:
        pk, is_draft = present
        return None if is_draft and not visibility.drafts else pk
    return key.get("pk")


# What changed between two days ----------------------------------------------------------------


def project_changes_between(
    project_id: int,
    visibility: selectors.Visibility,
    start: datetime.datetime | None,
    end: datetime.datetime,
) -> QuerySet[ObjectChange]:
    """The changes this reader sees to the project and its parts from ``start`` (None: the beginning)
    to before ``end``, oldest first, in one query (a page of it when sliced)."""
    project_type = ContentType.objects.get_for_model(Project)
    changes = ObjectChange.objects.filter(
        Q(content_type=project_type, object_id=project_id)
        | Q(parent_content_type=project_type, parent_object_id=project_id),
        time__lt=end,
    )
    if start is not None:
        changes = changes.filter(time__gte=start)
    if not visibility.drafts:
        # what was written while the project was a draft stays unseen once it is published, as its
        # state on those days does (``project_as_of``): the project's own latest change by then says
        project_then = ObjectChange.objects.filter(content_type=project_type, object_id=project_id).filter(
            Q(time__lt=OuterRef("time")) | Q(time=OuterRef("time"), pk__lte=OuterRef("pk"))
        )
        draft_then = project_then.order_by("-time", "-pk").values(
            draft=Coalesce(KT("postchange_data__is_draft"), KT("prechange_data__is_draft"))
        )[:1]
        changes = changes.alias(draft_then=Subquery(draft_then)).exclude(draft_then="true")  # none logged: as now
    return visibility.changes(changes.select_related("content_type", "parent_content_type")).order_by("time", "id")


def field_diff(change: ObjectChange, withheld: frozenset = frozenset()) -> list[tuple[str, object, object]]:
    """(field, before, after) for each field the change touched, a created record's filled fields
    and a deleted one's, leaving out the ``withheld`` columns."""
    before, after = change.prechange_data or {}, change.postchange_data or {}
    if change.action == ObjectChange.Action.UPDATE:
        names = change.changed_fields
    else:
        names = [name for name, value in (after or before).items() if value not in (None, "", [], {})]
    return [(name, before.get(name), after.get(name)) for name in names if name not in withheld]


def field_label(model, attname: str) -> str:
    """The field's name for people ("capacity (MW)"), or the column's when the model has no such field now."""
    for field in model._meta.concrete_fields if model is not None else ():
        if field.attname == attname:
            return str(field.verbose_name)
    return attname
