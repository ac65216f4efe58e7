"""The project page and the project list: the journalists' main workplace."""

import math

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db.models import Exists, prefetch_related_objects
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import SelectableFieldsExportForm

from core.admin import (
    TrackedAdminMixin,
    TrackedInlineMixin,
    TrackedModelForm,
    adopt_saved,
    field_values,
    form_changes,
)
from core.admin.filters import CachedAllValuesFilter
from core.admin.forms import AliasesField, CurrencyField
from core.formatting import format_date, format_money, format_number
from core.models import ConcurrentEditError
from projects import choices, services, staleness
from projects.admin.claims import ProjectClaimInline, can_review, save_claim_formset
from projects.admin.columns import CountryNameColumn
from projects.admin.duplicates import ProjectDuplicatesAdminMixin
from projects.admin.figures import claims_with_sources, project_figures
from projects.admin.filters import (
    CachedCountryFilter,
    CapacityBandFilter,
    HasConflictsFilter,
    InferredStatusFilter,
    NeedsReviewFilter,
    NotVerifiedFilter,
    proposed_claims,
)
from projects.admin.imports import BackgroundImportMixin
from projects.filtersets import MAX_SEARCH_WORDS
from projects.models import Claim, GridConnection, Milestone, Phase, Project, ProjectRole, ProjectStatusChange
from projects.resources import ProjectResource
from projects.search import search

KM_PER_DEGREE = 111.32


def nice_step(span: float, candidates) -> float:
    """The smallest round step that cuts ``span`` into at most four parts."""
    return next((step for step in candidates if span / step <= 4), candidates[-1])


def location_map(project: Project, size: int = 320) -> dict | None:
    """An offline map preview: the site and its substations projected in a square box.

    No tiles and no outside requests, so it works on a train and in tests; the
    graticule, the scale bar and the distances give the sense of place.
    """
    if project.point is None:
        return None
    lat, lon = project.point
    cos_lat = max(math.cos(math.radians(lat)), 0.1)
    connections = [
        connection
        for connection in project.grid_connections.select_related("substation")
        if connection.substation is not None and connection.substation.point is not None
    ]
    # Half the box's height in degrees of latitude: wide enough for every substation.
    half = 1.3 * max(
        [0.04]
        + [abs(c.substation.latitude - lat) for c in connections]
        + [abs(c.substation.longitude - lon) * cos_lat for c in connections]
    )

    def project_point(latitude, longitude):
        x = size / 2 + (longitude - lon) * cos_lat / half * size / 2
        y = size / 2 - (latitude - lat) / half * size / 2
        return round(x, 1), round(y, 1)

    step = nice_step(2 * half, (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10))
    parallels = []
    value = math.floor((lat - half) / step) * step
    while value <= lat + half:
        parallels.append({"y": project_point(value, lon)[1], "label": format_number(value)})
        value += step
    meridians = []
    value = math.floor((lon - half / cos_lat) / step) * step
    while value <= lon + half / cos_lat:
        meridians.append({"x": project_point(lat, value)[0], "label": format_number(value)})
        value += step
    box_km = 2 * half * KM_PER_DEGREE
    scale_km = nice_step(box_km, (0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000))
    site_x, site_y = project_point(lat, lon)
    return {
        "size": size,
        "site": {"x": site_x, "y": site_y},
        "parallels": [p for p in parallels if 0 <= p["y"] <= size],
        "meridians": [m for m in meridians if 0 <= m["x"] <= size],
        "substations": [
            {
                "name": c.substation.name,
                "distance": format_number(c.distance_km),
                "x": project_point(*c.substation.point)[0],
                "y": project_point(*c.substation.point)[1],
            }
            for c in connections
        ],
        "scale": {"km": format_number(scale_km), "end": round(10 + scale_km / box_km * size, 1)},
        "latitude": format_number(lat, max_decimals=5),
        "longitude": format_number(lon, max_decimals=5),
        "osm_url": f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=13/{lat}/{lon}",
    }


class ProjectExportForm(SelectableFieldsExportForm):
    """Columns to export, named by the field's translated name with the file's column name."""

    def _get_field_label(self, resource, field_name):
        try:
            label = capfirst(Project._meta.get_field(field_name).verbose_name)
        except FieldDoesNotExist:
            return super()._get_field_label(resource, field_name)
        return format_html("{} <code>{}</code>", label, field_name)


class ProjectForm(TrackedModelForm):
    aliases = AliasesField(label=capfirst(Project._meta.get_field("aliases").verbose_name))
    investment_currency = CurrencyField(label=capfirst(Project._meta.get_field("investment_currency").verbose_name))


class PhaseInline(TrackedInlineMixin, admin.TabularInline):
    model = Phase
    extra = 0
    fields = ("name", "capacity_mw", "target_year", "status", "order")


class MilestoneInline(TrackedInlineMixin, admin.TabularInline):
    model = Milestone
    extra = 0
    fields = ("kind", "date", "date_precision", "phase", "description", "source")
    autocomplete_fields = ("source",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("source", "phase")


class ProjectRoleInline(TrackedInlineMixin, admin.TabularInline):
    model = ProjectRole
    extra = 0
    fields = ("role", "organization", "undisclosed", "note", "source")
    autocomplete_fields = ("organization", "source")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organization", "source")


class GridConnectionInline(TrackedInlineMixin, admin.TabularInline):
    model = GridConnection
    extra = 0
    fields = ("substation", "voltage_kv", "grid_operator", "status", "capacity_mw", "distance_km", "note", "source")
    readonly_fields = ("distance_km",)
    autocomplete_fields = ("substation", "grid_operator", "source")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("substation", "grid_operator", "source")


class ProjectStatusChangeInline(TrackedInlineMixin, admin.TabularInline):
    model = ProjectStatusChange
    extra = 0
    fields = ("status", "date", "date_precision", "note", "source")
    autocomplete_fields = ("source",)
    classes = ("collapse",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("source")


@admin.register(Project)
class ProjectAdmin(
    CountryNameColumn,
    ProjectDuplicatesAdminMixin,
    TrackedAdminMixin,
    BackgroundImportMixin,
    ImportExportMixin,
    admin.ModelAdmin,
):
    form = ProjectForm
    list_display = (
        "name",
        "status",
        "country_name",
        "capacity",
        "investment",
        "operational_year",
        "last_verified_on",
        "conflict_count",
        "typed_figures",
        "awaiting_review",
        "inferred_status",
    )
    list_filter = (
        "status",
        "kind",
        ("country", CachedCountryFilter),
        CapacityBandFilter,
        ("operational_year", CachedAllValuesFilter),
        HasConflictsFilter,
        NeedsReviewFilter,
        NotVerifiedFilter,
        InferredStatusFilter,
    )
    # The search box (searched by get_search_results below).
    search_fields = ("name", "aliases", "municipality", "roles__organization__name")
    search_help_text = _(
        "Words in the name, aliases, municipality or an organization's name: each word must begin a word "
        "there, accents and case aside (on SQLite: be part of one)."
    )
    # Recently edited first: the newsroom's working order, served by the index on last_updated.
    ordering = ("-last_updated",)
    list_per_page = 100
    actions = ["mark_verified"]
    readonly_fields = ("location_preview", "conflict_count", "version", "created", "last_updated")
    inlines = (
        ProjectClaimInline,
        ProjectRoleInline,
        GridConnectionInline,
        PhaseInline,
        MilestoneInline,
        ProjectStatusChangeInline,
    )
    fieldsets = (
        (None, {"fields": ("name", "slug", "aliases", "kind", "status", "is_draft", "description")}),
        (
            _("Location"),
            {
                "fields": (
                    ("country", "region"),
                    ("municipality", "address"),
                    ("latitude", "longitude", "location_precision"),
                    "location_preview",
                )
            },
        ),
        (_("Site"), {"fields": (("site_area_ha", "floor_area_m2"), "former_use")}),
        (
            _("Figures"),
            {
                "fields": (
                    ("capacity_mw", "capacity_basis"),
                    ("investment_amount", "investment_currency", "investment_year"),
                    ("jobs_permanent", "jobs_construction"),
                )
            },
        ),
        (_("Timeline"), {"fields": (("announced_on", "announced_precision"), "operational_year")}),
        (_("Review"), {"fields": ("last_verified_on", "conflict_count", "version", ("created", "last_updated"))}),
    )

    resource_classes = [ProjectResource]
    export_form_class = ProjectExportForm
    import_formats = [CSV, XLSX]
    export_formats = [CSV, XLSX]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).annotate(has_proposed_claims=Exists(proposed_claims()))
        return staleness.with_last_reported(queryset)

    def get_search_results(self, request, queryset, search_term):
        """The readers' search (``projects.search``, the list's and the API's ``q``), served by the index
        of the search documents on PostgreSQL. The admin's own ORs a LIKE per field over a join to the
        organizations, then needs a DISTINCT: 509 ms for the page at 100,000 projects, 178 ms this way."""
        words = list(dict.fromkeys(search_term.split()))  # a repeated word narrows nothing more
        if len(words) > MAX_SEARCH_WORDS:  # as many words as the public search takes
            counts = {"max": MAX_SEARCH_WORDS, "count": len(words)}
            message = _("Searched for the first %(max)d words of %(count)d.") % counts
            self.message_user(request, message, messages.WARNING)
            words = words[:MAX_SEARCH_WORDS]
        return search(queryset, " ".join(words)), False

    def has_import_permission(self, request):
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    @admin.display(description=_("capacity (MW)"), ordering="capacity_mw")
    def capacity(self, project):
        return format_number(project.capacity_mw) or "—"

    @admin.display(description=_("typed by hand"))
    def typed_figures(self, project):
        """The figures an editor typed rather than took from a source: each is one to check."""
        names = [str(choices.ClaimAttribute(name).label) for name in project.typed_by_hand]
        return ", ".join(names) or "—"

    @admin.display(description=_("investment"), ordering="investment_amount")
    def investment(self, project):
        if project.investment_amount is None:
            return "—"
        return format_money(project.investment_amount, project.investment_currency)

    @admin.display(description=_("claims awaiting review"), boolean=True, ordering="has_proposed_claims")
    def awaiting_review(self, project):
        return project.has_proposed_claims

    @admin.display(description=_("inferred status"), ordering=staleness.LAST_REPORTED)
    def inferred_status(self, project):
        """Shelved or cancelled — inferred, with the date a source last reported on the project."""
        value = staleness.inferred_of(project)
        if value is None:
            return "—"
        return format_html(
            "{} ({})", staleness.INFERRED_LABELS[value], format_date(staleness.last_reported_of(project))
        )

    @admin.display(description=_("map preview"))
    def location_preview(self, project):
        if project.pk is None:
            return "—"
        return render_to_string("admin/projects/project/location_preview.html", {"map": location_map(project)})

    def save_model(self, request, obj, form, change):
        if not change:
            adopt_saved(obj, services.project_create(data=field_values(obj), user=request.user))
        elif form.has_changed():
            services.project_update(
                project=obj,
                data=form_changes(form),
                user=request.user,
                expected_version=form.cleaned_data.get("loaded_version"),
            )

    def delete_model(self, request, obj):
        services.project_delete(project=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for project in queryset:
            services.project_delete(project=project, user=request.user)

    def save_formset(self, request, form, formset, change):
        if formset.model is Claim:
            save_claim_formset(request, formset)
        else:
            super().save_formset(request, form, formset, change)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        project = self.get_object(request, unquote(object_id))
        extra_context = extra_context or {}
        if project is not None:
            prefetch_related_objects([project], claims_with_sources())
            figures = project_figures(project)
            extra_context["figures"] = figures
            extra_context["conflicts"] = [figure for figure in figures if figure.in_conflict]
            extra_context["proposed_count"] = sum(len(figure.proposed) for figure in figures)
            extra_context["can_choose_headline"] = can_review(request) and self.has_change_permission(request, project)
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/headline/",
                self.admin_site.admin_view(self.headline_view),
                name="projects_project_headline",
            ),
            *super().get_urls(),
        ]

    def headline_view(self, request, object_id):
        """Use one of the conflicting claims as the value the project shows."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        project = self.get_object(request, unquote(object_id))
        if project is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not (can_review(request) and self.has_change_permission(request, project)):
            raise PermissionDenied
        claim = get_object_or_404(Claim.objects.select_related("source"), pk=request.POST.get("claim"), project=project)
        try:
            services.claim_set_headline(claim=claim, user=request.user)
        except (ValidationError, PermissionDenied, ConcurrentEditError) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(
                request,
                _("The project now shows %(value)s for “%(attribute)s”, from %(source)s.")
                % {"value": claim.display_value, "attribute": claim.get_attribute_display(), "source": claim.source},
            )
        return HttpResponseRedirect(reverse("admin:projects_project_change", args=[project.pk]))

    @admin.action(description=_("Mark the selected projects as verified today"), permissions=["change"])
    def mark_verified(self, request, queryset):
        count = 0
        for project in queryset:
            services.project_mark_verified(project=project, user=request.user)
            count += 1
        messages.success(
            request,
            ngettext("%(count)d project marked as verified.", "%(count)d projects marked as verified.", count)
            % {"count": count},
        )
