"""Possible duplicates in the admin, and merging two records after seeing them side by side.

The project and organization lists link to "Possible duplicates": the suggestions for a page of
records (the most recently edited first), each with its score and reasons and a "Compare and
merge" button. The list's action "Merge the two selected" leads to the same confirmation page,
which shows both records side by side with what each is made of, the one to keep first (a link
swaps them). Merging posts the versions shown: a record saved since is refused with a message.
It needs the permissions to change and to delete the records.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from core.admin.tracked import concurrent_edit_message, missing_version_message
from core.formatting import format_money, format_number
from core.models import ConcurrentEditError
from projects import duplicates, services
from projects.models import Claim, GridConnection, Milestone, Phase, Project, ProjectRole, ProjectStatusChange
from projects.services.merge import may_merge, redirect_of_merged

# Records whose duplicates one page of the list looks for.
SEEDS_PER_PAGE = 50


@dataclass
class Row:
    label: str
    first: str
    second: str

    @property
    def differs(self) -> bool:
        return self.first != self.second


def _text(value) -> str:
    if value in (None, "", []):
        return "—"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


class DuplicatesAdminMixin:
    """Possible duplicates and the merge confirmation, for a ModelAdmin of projects or organizations."""

    change_list_template = "admin/projects/duplicates_change_list.html"
    duplicates_template = "admin/projects/duplicates.html"
    merge_template = "admin/projects/merge_confirm.html"

    # What the model's admin says (set by each admin below).
    def suggestions_for(self, seeds) -> list[duplicates.Suggestion]:
        raise NotImplementedError

    def merge(self, *, target, merged, user, target_version, merged_version):
        raise NotImplementedError

    def comparison(self, first, second) -> list[Row]:
        raise NotImplementedError

    def has_merge_permission(self, request) -> bool:
        return self.has_change_permission(request) and self.has_delete_permission(request)

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("duplicates/", self.admin_site.admin_view(self.duplicates_view), name=f"{prefix}_duplicates"),
            path(
                "merge/<int:first>/<int:second>/",
                self.admin_site.admin_view(self.merge_view),
                name=f"{prefix}_merge",
            ),
            *super().get_urls(),
        ]

    def get_actions(self, request):
        actions = super().get_actions(request)
        if self.has_merge_permission(request) and not self.is_popup(request):
            action = type(self).merge_selected
            actions["merge_selected"] = (action, "merge_selected", action.short_description)
        return actions

    @staticmethod
    def is_popup(request) -> bool:
        from django.contrib.admin.options import IS_POPUP_VAR

        return IS_POPUP_VAR in request.POST or IS_POPUP_VAR in request.GET

    @admin.action(description=_("Merge the two selected records"))
    def merge_selected(self, request, queryset):
        ids = sorted(queryset.values_list("pk", flat=True)[:3])
        if len(ids) != 2:
            messages.warning(request, _("Select exactly two records to merge."))
            return None
        return HttpResponseRedirect(self._merge_url(*ids))

    def _merge_url(self, first: int, second: int) -> str:
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_merge", args=[first, second])

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "duplicates_url": reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_duplicates"),
        }
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":
            record = self.get_object(request, unquote(object_id))
            target = (
                redirect_of_merged(self.model, int(object_id))
                if record is None and object_id.isascii() and object_id.isdigit()
                else None
            )
            if target is not None:
                # A merged record's admin address leads to the record it was merged into.
                messages.info(request, _("Record #%(id)s was merged into this one.") % {"id": object_id})
                return HttpResponseRedirect(
                    reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[target.pk])
                )
            if record is not None:
                extra_context = {
                    **(extra_context or {}),
                    "possible_duplicates": [
                        {"suggestion": suggestion, "merge_url": self._merge_url(record.pk, suggestion.second.pk)}
                        for suggestion in self.duplicates_of(record)[:5]
                    ],
                    "can_merge": self.has_merge_permission(request),
                }
        return super().change_view(request, object_id, form_url, extra_context)

    def duplicates_of(self, record) -> list[duplicates.Suggestion]:
        """The record's probable duplicates, the record first in each: shown on its page."""
        raise NotImplementedError

    def duplicates_view(self, request):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        seeds = self.model.objects.order_by("-last_updated", "-id")
        page = Paginator(seeds, SEEDS_PER_PAGE).get_page(request.GET.get("p"))
        suggestions = [
            {"suggestion": suggestion, "merge_url": self._merge_url(*suggestion.pair)}
            for suggestion in self.suggestions_for(list(page.object_list))
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": _("Possible duplicates"),
            "subtitle": None,
            "opts": self.opts,
            "page": page,
            "suggestions": suggestions,
            "can_merge": self.has_merge_permission(request),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.duplicates_template, context)

    def merge_view(self, request, first, second):
        if not self.has_merge_permission(request):
            raise PermissionDenied
        keep = get_object_or_404(self.model, pk=first)
        other = get_object_or_404(self.model, pk=second)
        if keep.pk == other.pk:
            messages.error(request, _("A record cannot be merged into itself."))
            return HttpResponseRedirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist"))
        versions = [request.POST.get(name, "") for name in ("target_version", "merged_version")]
        if request.method == "POST" and not all(version.isascii() and version.isdigit() for version in versions):
            # Without the versions the page was shown with, a record saved since could not be told apart.
            messages.error(request, missing_version_message(keep if not versions[0].isdigit() else other))
        elif request.method == "POST":
            try:
                kept = self.merge(
                    target=keep,
                    merged=other,
                    user=request.user,
                    target_version=int(versions[0]),
                    merged_version=int(versions[1]),
                )
            except ConcurrentEditError as error:
                messages.error(request, concurrent_edit_message(error.instance, error.expected_version))
            except (ValidationError, PermissionDenied) as error:
                messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
            else:
                messages.success(
                    request,
                    _("“%(merged)s” was merged into “%(kept)s”; its old address leads here.")
                    % {"merged": other, "kept": kept},
                )
                return HttpResponseRedirect(
                    reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[kept.pk])
                )
            keep.refresh_from_db()
            other.refresh_from_db()
        found = next(
            (s for s in self.suggestions_for([keep]) if other.pk in s.pair),
            None,
        )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Merge two records"),
            "subtitle": None,
            "opts": self.opts,
            "keep": keep,
            "other": other,
            "rows": self.comparison(keep, other),
            "suggestion": found,
            "swap_url": self._merge_url(other.pk, keep.pk),
            "keep_url": reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[keep.pk]),
            "other_url": reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[other.pk]),
            "may_merge": may_merge(request.user, self.model),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.merge_template, context)


def _counts(model, field: str, ids) -> dict[int, int]:
    return dict(
        model._base_manager.filter(**{f"{field}__in": ids})
        .values_list(field)
        .annotate(n=Count("pk"))
        .values_list(field, "n")
    )


class ProjectDuplicatesAdminMixin(DuplicatesAdminMixin):
    def suggestions_for(self, seeds):
        return duplicates.project_suggestions(seeds)

    def duplicates_of(self, record):
        return duplicates.duplicates_for(record)

    def merge(self, **kwargs):
        return services.project_merge(**kwargs)

    def comparison(self, first: Project, second: Project) -> list[Row]:
        def field(name):
            return capfirst(Project._meta.get_field(name).verbose_name)

        def place(project):
            point = (
                f"{format_number(project.latitude, max_decimals=5)}, {format_number(project.longitude, max_decimals=5)}"
                if project.latitude is not None
                else "—"
            )
            return f"{_text(project.municipality)} ({project.country.name or '—'}) · {point}"

        def yes_no(value):
            return str(_("yes") if value else _("no"))

        def number(value):
            return _text(format_number(value))

        rows = [
            Row(field("name"), first.name, second.name),
            Row(field("slug"), first.slug, second.slug),
            Row(field("aliases"), _text(first.aliases), _text(second.aliases)),
            Row(field("kind"), first.get_kind_display(), second.get_kind_display()),
            Row(field("status"), first.get_status_display(), second.get_status_display()),
            Row(_("Place"), place(first), place(second)),
            Row(
                field("capacity_mw"), _text(format_number(first.capacity_mw)), _text(format_number(second.capacity_mw))
            ),
            Row(
                field("investment_amount"),
                _text(format_money(first.investment_amount, first.investment_currency)),
                _text(format_money(second.investment_amount, second.investment_currency)),
            ),
            Row(field("description"), _text(first.description[:300]), _text(second.description[:300])),
            Row(
                field("is_draft"),
                str(_("yes") if first.is_draft else _("no")),
                str(_("yes") if second.is_draft else _("no")),
            ),
        ]
        ids = [first.pk, second.pk]
        organizations = {pk: [] for pk in ids}
        for project_id, name in (
            ProjectRole.objects.filter(project_id__in=ids, organization__isnull=False)
            .order_by("organization__name")
            .values_list("project_id", "organization__name")
        ):
            organizations[project_id].append(name)
        rows.append(Row(_("Organizations"), _text(organizations[first.pk]), _text(organizations[second.pk])))
        for label, model in (
            (_("Claims"), Claim),
            (_("Phases"), Phase),
            (_("Milestones"), Milestone),
            (_("Grid connections"), GridConnection),
            (_("Status steps"), ProjectStatusChange),
        ):
            counts = _counts(model, "project_id", ids)
            rows.append(Row(label, str(counts.get(first.pk, 0)), str(counts.get(second.pk, 0))))
        rows.append(Row(_("Version"), str(first.version), str(second.version)))
        return rows


class OrganizationDuplicatesAdminMixin(DuplicatesAdminMixin):
    def suggestions_for(self, seeds):
        return duplicates.organization_suggestions(seeds)

    def duplicates_of(self, record):
        return duplicates.organization_duplicates_for(record)

    def merge(self, **kwargs):
        return services.organization_merge(**kwargs)

    def comparison(self, first, second) -> list[Row]:
        from projects.models import Organization, OrganizationRelationship

        def field(name):
            return capfirst(Organization._meta.get_field(name).verbose_name)

        ids = [first.pk, second.pk]
        roles = _counts(ProjectRole, "organization_id", ids)
        mentions = _counts(Claim, "value_organization_id", ids)
        ties = _counts(OrganizationRelationship, "from_organization_id", ids)
        return [
            Row(field("name"), first.name, second.name),
            Row(field("slug"), first.slug, second.slug),
            Row(field("aliases"), _text(first.aliases), _text(second.aliases)),
            Row(field("kind"), first.get_kind_display(), second.get_kind_display()),
            Row(field("country"), _text(first.country.name), _text(second.country.name)),
            Row(field("website"), _text(first.website), _text(second.website)),
            Row(_("Roles in projects"), str(roles.get(first.pk, 0)), str(roles.get(second.pk, 0))),
            Row(_("Claims naming it"), str(mentions.get(first.pk, 0)), str(mentions.get(second.pk, 0))),
            Row(_("Relationships"), str(ties.get(first.pk, 0)), str(ties.get(second.pk, 0))),
            Row(_("Version"), str(first.version), str(second.version)),
        ]
