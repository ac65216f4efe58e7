"""The change log in the admin: read-only, searchable, with revert and restore."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core import history
from core.admin.filters import CachedAllValuesFilter, CachedRelatedOnlyFilter
from core.admin.history import can_revert, describe
from core.admin.pagination import EstimatedCountPaginator
from core.models import ConcurrentEditError, ObjectChange


def object_admin_url(change: ObjectChange, view: str = "change") -> str:
    model = change.content_type.model_class()
    if model is None:
        return ""
    try:
        return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=[change.object_id])
    except NoReverseMatch:
        return ""


@admin.register(ObjectChange)
class ObjectChangeAdmin(admin.ModelAdmin):
    list_display = ("time", "user_name", "source", "action", "content_type", "object_link", "fields_changed")
    list_filter = (
        "action",
        ("content_type", CachedRelatedOnlyFilter),
        ("user", CachedRelatedOnlyFilter),
        ("source", CachedAllValuesFilter),
        "time",
    )
    search_fields = ("object_repr", "user_name")
    list_select_related = ("content_type", "user")
    list_per_page = 100
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    actions = ["restore_selected"]
    fields = ("time", "user_name", "source", "request_link", "action", "content_type", "object_link", "diff_table")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_restore_permission(self, request):
        return request.user.has_perm("core.restore_objectchange")

    @admin.display(description=_("object"), ordering="object_repr")
    def object_link(self, change):
        url = object_admin_url(change) if change.action != ObjectChange.Action.DELETE else ""
        return format_html('<a href="{}">{}</a>', url, change.object_repr) if url else change.object_repr

    @admin.display(description=_("changed fields"))
    def fields_changed(self, change):
        if change.action != ObjectChange.Action.UPDATE:
            return ""
        return ", ".join(change.changed_fields)

    @admin.display(description=_("request ID"))
    def request_link(self, change):
        url = reverse("admin:core_objectchange_changelist") + f"?request_id={change.request_id}"
        return format_html('<a href="{}">{}</a>', url, _("every change of the same request"))

    @admin.display(description=_("before and after"))
    def diff_table(self, change):
        return render_to_string("admin/core/change_fields.html", {"row": describe([change], user=None)[0]})

    def get_urls(self):
        return [
            path(
                "<int:change_id>/revert/",
                self.admin_site.admin_view(self.revert_view),
                name="core_objectchange_revert",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        change = self.get_object(request, object_id)
        extra_context = extra_context or {}
        if change is not None:
            extra_context["can_revert"] = can_revert(request.user, change)
            # A child's history lives on its parent's page, which its own admin links to.
            extra_context["history_url"] = object_admin_url(change, "history")
        return super().change_view(request, object_id, form_url, extra_context)

    def revert_view(self, request, change_id):
        """Bring a record back to its state right after a change, or re-create a deleted one."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        change = get_object_or_404(ObjectChange.objects.select_related("content_type"), pk=change_id)
        if not can_revert(request.user, change):
            raise PermissionDenied
        when = formats.localize(timezone.localtime(change.time), use_l10n=True)
        try:
            record = history.revert_to(change)
        except (ValidationError, ConcurrentEditError) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            if change.action == ObjectChange.Action.DELETE:
                messages.success(request, _("“%(record)s” was restored.") % {"record": record})
            else:
                messages.success(
                    request, _("“%(record)s” is back to its version of %(when)s.") % {"record": record, "when": when}
                )
        next_url = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
            next_url = reverse("admin:core_objectchange_change", args=[change.pk])
        return HttpResponseRedirect(next_url)

    @admin.action(description=_("Restore the selected deleted records"), permissions=["restore"])
    def restore_selected(self, request, queryset):
        restored, refused = 0, []
        # A cascade logs the children's deletions before the parent's: restore the newest
        # first so a project comes back before its claims and phases.
        for change in queryset.filter(action=ObjectChange.Action.DELETE).select_related("content_type").order_by("-id"):
            if not can_revert(request.user, change):
                refused.append(f"{change.object_repr}: {_('you may not re-create this kind of record')}")
                continue
            try:
                history.restore_deleted(change)
            except ValidationError as error:
                refused.append(f"{change.object_repr}: {' '.join(error.messages)}")
            else:
                restored += 1
        if restored:
            messages.success(
                request,
                ngettext("%(count)d record was restored.", "%(count)d records were restored.", restored)
                % {"count": restored},
            )
        for message in refused:
            messages.error(request, message)
