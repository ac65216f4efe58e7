import functools

from django.conf import settings
from django.core.exceptions import FieldError, ValidationError
from django.db import DatabaseError, connections, models, router, transaction
from django.db.models import BooleanField, ExpressionWrapper, F, Q, Value
from django.db.models.functions import Coalesce
from django.db.models.sql import Query
from django.db.models.sql.constants import SINGLE
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core import changes
from core.writes import DirectWriteError, in_service


class ConcurrentEditError(Exception):
    """Raised when a record was saved by someone else since it was loaded."""

    def __init__(self, instance, expected_version=None):
        self.instance = instance
        self.expected_version = expected_version if expected_version is not None else instance.version
        super().__init__(
            f"{instance._meta.verbose_name} “{instance}” was changed by someone else "
            f"since version {self.expected_version} was loaded; reload it and apply your edit again."
        )


class TrackedQuerySet(models.QuerySet):
    """Bulk writes that keep the change log and the edit versions, like single saves do."""

    def update(self, **kwargs):
        with transaction.atomic(using=self.db):
            pks = list(self.values_list("pk", flat=True))
            if not pks:
                return 0
            model = self.model
            before = {obj.pk: changes.serialize(obj) for obj in model._base_manager.filter(pk__in=pks)}
            kwargs.setdefault("version", F("version") + 1)
            kwargs.setdefault("last_updated", timezone.now())
            count = models.QuerySet.update(model._base_manager.filter(pk__in=pks), **kwargs)
            log = []
            for obj in model._base_manager.filter(pk__in=pks):
                after = changes.serialize(obj)
                if changes.changed_fields(before.get(obj.pk), after):
                    log.append(changes.build_change(obj, ObjectChange.Action.UPDATE, before.get(obj.pk), after))
            changes.record_many(log)
            return count

    def bulk_create(self, objs, *args, **kwargs):
        with transaction.atomic(using=self.db):
            created = super().bulk_create(objs, *args, **kwargs)
            logged = [obj for obj in created if obj.pk is not None]
            changes.record_many(
                changes.build_changes(
                    logged, ObjectChange.Action.CREATE, afters=[changes.serialize(obj) for obj in logged]
                )
            )
            return created

    def bulk_update(self, objs, fields, *args, **kwargs):
        # Django implements bulk_update() with update(), which logs each row and bumps
        # its version; the instances in memory must follow, or their next save would
        # be refused as a concurrent edit.
        objs = list(objs)
        count = super().bulk_update(objs, fields, *args, **kwargs)
        for obj in objs:
            obj.version += 1
        return count


@functools.cache
def _choice_labels(field, language: str | None) -> dict:
    return dict(make_hashable(field.flatchoices))


class TrackedModel(models.Model):
    """Base of every domain record: timestamps, change log and optimistic locking.

    ``version`` goes up by one on every save, and a save only succeeds when the
    row still has the version the instance was loaded with: two people editing
    the same record can never silently overwrite each other.
    """

    created = models.DateTimeField(
        verbose_name=_("created"),
        auto_now_add=True,
    )
    last_updated = models.DateTimeField(
        verbose_name=_("last updated"),
        auto_now=True,
        db_index=True,
    )
    version = models.PositiveIntegerField(
        verbose_name=_("version"),
        default=1,
        editable=False,
        help_text=_("Goes up by one on each save; used to refuse conflicting edits."),
    )

    objects = TrackedQuerySet.as_manager()

    # Name of the foreign key whose history should also show this record's changes.
    change_log_parent: str | None = None
    # Derived columns, recomputed from other records, that would only be noise in the log.
    change_log_exclude: tuple[str, ...] = ()
    # The services that write this model, named when a direct save is refused.
    write_services: str = ""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not in_service():
            raise DirectWriteError(self, "saved")
        if self._state.adding or self.pk is None:
            return super().save(*args, **kwargs)
        self._loaded_version = self.version
        self.version = self._loaded_version + 1
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "version", "last_updated"}
        try:
            return super().save(*args, **kwargs)
        except ConcurrentEditError:
            self.version = self._loaded_version
            raise

    def validate_constraints(self, exclude=None):
        """Every check constraint in one query.

        Django asks the database once per check constraint, each in its own savepoint (three
        queries each); a record with nine constraints cost 27 queries to validate. The
        answer is the same: NULL passes, as in SQL, and a constraint naming an excluded
        field is skipped.
        """
        using = router.db_for_write(type(self), instance=self)
        errors = {}
        checks = []
        for model_class, constraints in self.get_constraints():
            for constraint in constraints:
                if isinstance(constraint, models.CheckConstraint):
                    checks.append(constraint)
                    continue
                try:
                    constraint.validate(model_class, self, exclude=exclude, using=using)
                except ValidationError as error:
                    if getattr(error, "code", None) == "unique" and len(constraint.fields) == 1:
                        errors.setdefault(constraint.fields[0], []).append(error)
                    else:
                        errors = error.update_error_dict(errors)
        for constraint in self._failed_checks(checks, exclude, using):
            error = ValidationError(constraint.get_violation_error_message(), code=constraint.violation_error_code)
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def check_constraints_hold(self) -> bool:
        """Whether the record's values pass every check constraint (one query; no unique checks)."""
        checks = [
            c
            for _model, constraints in self.get_constraints()
            for c in constraints
            if isinstance(c, models.CheckConstraint)
        ]
        return not self._failed_checks(checks, None, router.db_for_write(type(self), instance=self))

    def _failed_checks(self, checks, exclude, using) -> list:
        if not checks:
            return []
        query = Query(None)
        for name, value in self._get_field_expression_map(meta=self._meta, exclude=exclude).items():
            query.add_annotation(value if hasattr(value, "resolve_expression") else Value(value), name, select=False)
        asked = []
        for number, constraint in enumerate(checks):
            condition = ExpressionWrapper(Q(constraint.condition), output_field=BooleanField())
            try:
                query.add_annotation(Coalesce(condition, Value(True), output_field=BooleanField()), f"_check_{number}")
            except FieldError:
                continue  # it names a field left out of this validation
            asked.append(constraint)
        if not asked:
            return []
        try:
            with transaction.atomic(using=using):
                row = query.get_compiler(using=using).execute_sql(SINGLE)
        except DatabaseError:
            return []  # as Django does: the database's own constraint still has the last word
        return [constraint for constraint, passed in zip(asked, row, strict=True) if not passed]

    @classmethod
    def failed_checks_of(cls, records, excludes=None, using=None) -> list[list]:
        """The check constraints each record fails: what ``validate_constraints`` finds for each
        one alone, asked for a whole batch in one query on PostgreSQL.

        Each condition is compiled once and evaluated by the database over the records' columns,
        sent as arrays, so the answer is the database's own (NULL passes, as in SQL).
        ``excludes`` gives each record the fields left out of its validation (those that already
        failed): a constraint naming one is not asked for that record. Other databases, or a
        batch the database cannot read, are asked record by record.
        """
        records = list(records)
        excludes = list(excludes) if excludes is not None else [set()] * len(records)
        if not records:
            return []
        using = using or router.db_for_write(cls, instance=records[0])
        checks = [
            c
            for _model, constraints in records[0].get_constraints()
            for c in constraints
            if isinstance(c, models.CheckConstraint)
        ]
        if not checks:
            return [[] for _record in records]
        connection = connections[using]
        if connection.vendor != "postgresql":
            return [record._failed_checks(checks, ex, using) for record, ex in zip(records, excludes, strict=True)]
        refs = [{ref[0] for ref in cls._get_expr_references(check.condition)} for check in checks]
        fields = [cls._meta.pk if name == "pk" else cls._meta.get_field(name) for name in sorted(set().union(*refs))]
        names = {field.name for field in fields} | {"pk"}
        refs = [{cls._meta.pk.name if name == "pk" else name for name in group} & names for group in refs]
        query = Query(cls)
        compiler = query.get_compiler(using=using)
        conditions, condition_params = [], []
        for check in checks:
            sql, params = compiler.compile(query.build_where(Q(check.condition)))
            conditions.append(f"COALESCE(({sql}), true)" if sql else "true")
            condition_params.extend(params)
        quote = connection.ops.quote_name
        # One array per column, as Django's bulk inserts on PostgreSQL send them: a few parameters whatever the
        # number of records, typed without their modifiers (no rounding to a column's places on the way).
        types = ["integer", *(field.db_type(connection).split("(")[0] for field in fields)]
        arrays = ", ".join(f"CAST(%s AS {db_type}[])" for db_type in types)
        columns = ", ".join(quote(name) for name in ["__record", *(field.column for field in fields)])
        sql = (
            f"SELECT {', '.join(conditions)}, {quote('__record')} "
            f"FROM UNNEST({arrays}) AS {quote(cls._meta.db_table)} ({columns})"
        )
        values = [list(range(len(records)))]
        for field in fields:
            values.append(
                [
                    None
                    if field.name in (exclude or ())
                    else field.get_db_prep_value(getattr(record, field.attname), connection, prepared=False)
                    for record, exclude in zip(records, excludes, strict=True)
                ]
            )
        try:
            with transaction.atomic(using=using), connection.cursor() as cursor:
                cursor.execute(sql, [*condition_params, *values])
                answers = cursor.fetchall()
        except DatabaseError:
            return [
                record._failed_checks(checks, exclude, using) for record, exclude in zip(records, excludes, strict=True)
            ]
        failed = [[] for _record in records]
        for *passed, index in answers:
            exclude = set(excludes[index] or ())
            failed[index] = [
                check for check, ok, named in zip(checks, passed, refs, strict=True) if not ok and not (named & exclude)
            ]
        return failed

    def delete(self, *args, **kwargs):
        if not in_service():
            raise DirectWriteError(self, "deleted")
        return super().delete(*args, **kwargs)

    def _do_update(self, base_qs, using, pk_val, values, update_fields, forced_update):
        loaded_version = getattr(self, "_loaded_version", None)
        if loaded_version is None:
            return super()._do_update(base_qs, using, pk_val, values, update_fields, forced_update)
        updated = super()._do_update(
            base_qs.filter(version=loaded_version), using, pk_val, values, update_fields, forced_update
        )
        if not updated and base_qs.filter(pk=pk_val).exists():
            raise ConcurrentEditError(self, loaded_version)
        return updated

    def _get_FIELD_display(self, field):
        """``get_<field>_display()``, as Django's, from the field's labels gathered once per language:
        Django gathers them again at every call, about 0.1 ms, three times in each row of a list."""
        value = getattr(self, field.attname)
        return force_str(_choice_labels(field, get_language()).get(make_hashable(value), value), strings_only=True)


class ObjectChange(models.Model):
    """One create, update or delete of a tracked record."""

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Updated")
        DELETE = "delete", _("Deleted")

    time = models.DateTimeField(
        verbose_name=_("time"),
        default=timezone.now,
        db_index=True,
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="changes",
    )
    user_name = models.CharField(
        verbose_name=_("user name"),
        max_length=150,
        blank=True,
        help_text=_("Kept when the user account is deleted."),
    )
    source = models.CharField(
        verbose_name=_("source"),
        max_length=20,
        help_text=_("Where the change came from: web, api, import, command or shell."),
    )
    request_id = models.UUIDField(
        verbose_name=_("request ID"),
        db_index=True,
        help_text=_("Changes made by the same request or command share this ID."),
    )
    action = models.CharField(
        verbose_name=_("action"),
        max_length=10,
        choices=Action.choices,
    )
    # The two types are indexed first in change_object_idx and change_parent_idx (Meta.indexes), which
    # serve what a foreign key's own index would: a third and fourth index on the most written table.
    content_type = models.ForeignKey(
        "contenttypes.ContentType",
        verbose_name=_("object type"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    object_id = models.PositiveBigIntegerField(
        verbose_name=_("object ID"),
    )
    object_repr = models.CharField(
        verbose_name=_("object"),
        max_length=200,
    )
    parent_content_type = models.ForeignKey(
        "contenttypes.ContentType",
        verbose_name=_("parent type"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        db_index=False,
    )
    parent_object_id = models.PositiveBigIntegerField(
        verbose_name=_("parent ID"),
        null=True,
        blank=True,
    )
    prechange_data = models.JSONField(
        verbose_name=_("before"),
        null=True,
        blank=True,
    )
    postchange_data = models.JSONField(
        verbose_name=_("after"),
        null=True,
        blank=True,
    )
    changed_fields = models.JSONField(
        verbose_name=_("changed fields"),
        default=list,
        blank=True,
    )

    class Meta:
        verbose_name = _("change")
        verbose_name_plural = _("changes")
        ordering = ("-time", "-id")
        permissions = [
            ("revert_objectchange", _("Can revert a record to an earlier version")),
            ("restore_objectchange", _("Can restore a deleted record")),
        ]
        indexes = [
            models.Index(fields=["content_type", "object_id", "time"], name="change_object_idx"),
            models.Index(fields=["parent_content_type", "parent_object_id", "time"], name="change_parent_idx"),
        ]

    def __str__(self):
        return f"{self.get_action_display()} {self.object_repr}"

    @property
    def diff(self) -> list[tuple[str, object, object]]:
        """(field, before, after) for each changed field."""
        before, after = self.prechange_data or {}, self.postchange_data or {}
        return [(name, before.get(name), after.get(name)) for name in self.changed_fields]
