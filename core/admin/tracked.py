"""The admin side of tracked records.

Every form carries the version of the record it was opened with, and an edit made
against an older version is refused with the name of whoever changed it since;
nothing is overwritten. An edit sent without that version is refused too. The history
page reads the change log (the record and its children), not Django's own admin log.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import models
from django.forms.utils import ErrorDict
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import writes
from core.admin.forms import KnownChoiceAutocompleteSelect, PlainDecimalField, label_known_choices
from core.admin.history import changes_of, describe
from core.admin.pagination import EstimatedCountPaginator
from core.models import ConcurrentEditError, ObjectChange

VERSION_FIELD = "loaded_version"


def field_values(instance) -> dict:
    """The editable column values of an unsaved instance, as keyword arguments for a service."""
    return {
        f.attname: getattr(instance, f.attname)
        for f in instance._meta.concrete_fields
        if f.editable and not f.primary_key
    }


def form_changes(form) -> dict:
    """The model fields the user changed in ``form``, with their cleaned values."""
    names = {f.name for f in form.instance._meta.concrete_fields}
    return {name: form.cleaned_data[name] for name in form.changed_data if name in names}


def adopt_saved(target, saved):
    """Give the admin's own instance the state of the record a service created.

    The admin keeps using its instance afterwards (inline rows point at it, the
    redirect reads its pk), so it must become the saved record.
    """
    for f in target._meta.concrete_fields:
        setattr(target, f.attname, getattr(saved, f.attname))
    target._state.adding = False
    target._state.db = saved._state.db


def history_url(instance) -> str:
    opts = instance._meta
    try:
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[instance.pk])
    except NoReverseMatch:
        return ""


def missing_version_message(instance):
    return format_html(
        gettext(
            "{record} was sent without the version it was opened with, so an edit saved by someone else since "
            "cannot be told apart. Nothing was saved: open the record again and re-apply your edit."
        ),
        record=f"{capfirst(instance._meta.verbose_name)} “{instance}”",
    )


def concurrent_edit_message(instance, loaded_version: int | None = None):
    """Who changed the record since it was opened, and when, with a link to the change."""
    latest = (
        ObjectChange.objects.filter(content_type=ContentType.objects.get_for_model(instance), object_id=instance.pk)
        .order_by("-time", "-id")
        .first()
    )
    record = f"{capfirst(instance._meta.verbose_name)} “{instance}”"
    if latest is None:
        return format_html(
            gettext("{record} was changed by someone else after you opened it. Nothing was saved."), record=record
        )
    return format_html(
        gettext(
            "{record} was changed by {who} on {when}, after you opened it. Nothing was saved, so no edit is lost: "
            '<a href="{url}">see that change in the history</a>, then open the record again and re-apply yours.'
        ),
        record=record,
        who=latest.user_name or gettext("an unnamed process"),
        when=formats.localize(timezone.localtime(latest.time), use_l10n=True),
        url=history_url(instance),
    )


class TrackedModelForm(forms.ModelForm):
    """A model form that refuses an edit made against an older version of the record."""

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields[VERSION_FIELD].initial = self.instance.version
        label_known_choices(self)

    def full_clean(self):
        # A row of an inline the user did not touch is not written: validating it would only cost
        # queries (a lookup per foreign key, the model's checks), as many as the page has rows.
        if self.is_bound and self.instance.pk is not None and not self.has_changed():
            self._errors = ErrorDict()
            loaded = self.fields[VERSION_FIELD].widget.value_from_datadict(
                self.data, self.files, self.add_prefix(VERSION_FIELD)
            )
            self.cleaned_data = {VERSION_FIELD: int(loaded) if str(loaded or "").isdigit() else None}
            return
        super().full_clean()

    @cached_property
    def changed_data(self):
        # The hidden version is bookkeeping: a row the user did not touch must not be saved
        # (it would write back the stale values of a row someone else changed).
        return [name for name in super().changed_data if name != VERSION_FIELD]

    def clean(self):
        cleaned_data = super().clean()
        if self.instance.pk is None or not self.has_changed():
            return cleaned_data
        loaded = cleaned_data.get(VERSION_FIELD)
        if loaded is None and VERSION_FIELD not in self.errors:
            # Without it there is nothing to compare: refuse rather than skip the check.
            raise forms.ValidationError(missing_version_message(self.instance), code="missing_version")
        # Compared with the version read at the start of this request; a save racing this
        # check is refused by the model's own version check (ConcurrentEditError).
        if loaded is not None and loaded != self.instance.version:
            raise forms.ValidationError(concurrent_edit_message(self.instance, loaded), code="concurrent_edit")
        return cleaned_data


class NewsroomFieldsMixin:
    """Figures without trailing zeros, and autocomplete boxes that cost no query per row."""

    formfield_overrides = {
        # Journalists paste addresses without a scheme; https is right for them (and Django 6's default).
        models.URLField: {"assume_scheme": "https"},
        models.DecimalField: {"form_class": PlainDecimalField},
    }

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = KnownChoiceAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class VersionFieldMixin(NewsroomFieldsMixin):
    """Renders the hidden version for people who may edit, and hides it from readers."""

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        present = VERSION_FIELD in flatten_fieldsets(fieldsets)
        if self.has_change_permission(request, obj):
            if not present:
                name, options = fieldsets[0]
                fieldsets = [(name, {**options, "fields": [*options["fields"], VERSION_FIELD]}), *fieldsets[1:]]
            return fieldsets
        if present:
            return [
                (name, {**options, "fields": [f for f in options["fields"] if f != VERSION_FIELD]})
                for name, options in fieldsets
            ]
        return fieldsets


class TrackedInlineFormSet(forms.BaseInlineFormSet):
    """Refuses to delete a row that someone else changed after the page was opened.

    A formset skips the validation of the rows marked for deletion, so the rows' own
    version check never runs for them; deleting a row changed since is checked here.
    """

    def clean(self):
        super().clean()
        for form in self.initial_forms:
            if not (self.can_delete and self._should_delete_form(form)):
                continue
            instance = form.instance
            loaded = form.cleaned_data.get(VERSION_FIELD)
            if instance.pk is not None and loaded is None:
                raise forms.ValidationError(missing_version_message(instance), code="missing_version")
            if instance.pk is not None and loaded != instance.version:
                raise forms.ValidationError(concurrent_edit_message(instance, loaded), code="concurrent_edit")


class TrackedInlineMixin(VersionFieldMixin):
    form = TrackedModelForm
    formset = TrackedInlineFormSet


class TrackedAdminMixin(VersionFieldMixin):
    """Base of the admin of every tracked model: version check, change-log history, fast lists."""

    form = TrackedModelForm
    object_history_template = "admin/core/change_history.html"
    history_per_page = 50
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    # Facet counts would run one COUNT per filter choice on every page view.
    show_facets = admin.ShowFacets.NEVER

    def action_checkbox(self, obj):
        """Django's row checkbox, the same markup written at once: its widget template, rendered for
        each row, took a fifth of the time of a list of 100 projects."""
        label = format_html(gettext("Select this object for an action - {}"), str(obj))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            obj.pk,
            label,
        )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ConcurrentEditError as error:
            # Someone saved between our version check and our write; the transaction
            # was rolled back, so show the record as it now is, with who changed it.
            messages.error(request, concurrent_edit_message(error.instance, error.expected_version))
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        if change and not form.has_changed():
            return  # saving an untouched record would bump its version for nothing
        writer = writes.writer_for(type(obj))
        if change:
            writer.save(obj, form_changes(form), request.user, form.cleaned_data.get(VERSION_FIELD))
        else:
            adopt_saved(obj, writer.save(obj, None, request.user))

    def delete_model(self, request, obj):
        writes.writer_for(type(obj)).delete(obj, request.user)

    def delete_queryset(self, request, queryset):
        writer = writes.writer_for(queryset.model)
        for obj in queryset:
            writer.delete(obj, request.user)

    def save_formset(self, request, form, formset, change):
        """Each row through its model's service: added, changed (version-checked) or deleted."""
        writer = writes.writer_for(formset.model)
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for row in formset.forms:
            obj = row.instance
            if formset.can_delete and formset._should_delete_form(row):
                if obj.pk is not None:
                    writer.delete(obj, request.user, row.cleaned_data.get(VERSION_FIELD))
                    formset.deleted_objects.append(obj)
                continue
            if not row.has_changed():
                continue
            if obj._state.adding:
                setattr(obj, formset.fk.name, formset.instance)
                adopt_saved(obj, writer.save(obj, None, request.user))
                formset.new_objects.append(obj)
            else:
                writer.save(obj, form_changes(row), request.user, row.cleaned_data.get(VERSION_FIELD))
                formset.changed_objects.append((obj, row.changed_data))

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        page = Paginator(changes_of(obj), self.history_per_page).get_page(request.GET.get("p"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("History of %(record)s") % {"record": obj},
            "subtitle": None,
            "object": obj,
            "opts": self.opts,
            "module_name": str(capfirst(self.opts.verbose_name_plural)),
            "page": page,
            "rows": describe(page.object_list, request.user, first_page=page.number == 1),
            "preserved_filters": self.get_preserved_filters(request),
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.object_history_template, context)
