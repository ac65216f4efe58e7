"""Sources, organizations, substations, indicators, and the project's parts on their own."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from core.admin import TrackedAdminMixin, TrackedInlineMixin, TrackedModelForm
from core.admin.forms import AliasesField
from core.models import ConcurrentEditError
from projects import services
from projects.admin.claims import SourceClaimInline, save_claim_formset
from projects.admin.columns import CountryNameColumn
from projects.admin.duplicates import OrganizationDuplicatesAdminMixin
from projects.admin.filters import CachedCountryFilter
from projects.fetching import FetchError, fetch_article
from projects.ingestion import ingest_source
from projects.models import (
    Claim,
    GridConnection,
    Indicator,
    Milestone,
    Organization,
    OrganizationRelationship,
    Phase,
    ProjectRole,
    ProjectStatusChange,
    Source,
    Substation,
)


@admin.register(Source)
class SourceAdmin(TrackedAdminMixin, admin.ModelAdmin):
    list_display = ("title", "publisher", "published_on", "language", "url_link", "claims_link")
    list_filter = ("language", "publisher")
    search_fields = ("title", "publisher", "author", "url")
    ordering = ("-published_on", "title")
    inlines = (SourceClaimInline,)
    actions = ("extract_facts",)
    fieldsets = (
        (None, {"fields": ("url", "title", ("publisher", "author"), ("language", "published_on", "retrieved_at"))}),
        (_("Text"), {"fields": ("text",), "classes": ("collapse",)}),
    )

    @admin.display(description=_("URL"))
    def url_link(self, source):
        return format_html('<a href="{}" rel="noreferrer">{}</a>', source.url, source.url[:60]) if source.url else "—"

    @admin.display(description=_("claims"))
    def claims_link(self, source):
        query = urlencode({"source__id__exact": source.pk, "state": "all"})
        url = f"{reverse('admin:projects_claim_changelist')}?{query}"
        return format_html('<a href="{}">{}</a>', url, _("claims"))

    def save_formset(self, request, form, formset, change):
        if formset.model is Claim:
            save_claim_formset(request, formset)
        else:
            super().save_formset(request, form, formset, change)

    def has_extract_permission(self, request):
        return request.user.has_perm("projects.add_claim")

    @admin.action(description=_("Extract facts as proposed claims"), permissions=["extract"])
    def extract_facts(self, request, queryset):
        """Read each source (fetching its URL when it has no text yet) and propose its facts for review."""
        for source in queryset:
            try:
                if not source.text.strip() and source.url:
                    source.text = fetch_article(source.url).text
                    services.record_save(instance=source, data={"text": source.text}, user=request.user)
                if not source.text.strip():
                    raise FetchError(_("the source has neither text nor an address to fetch it from."))
                result = ingest_source(source=source)
            except (FetchError, ValidationError, ConcurrentEditError) as error:
                messages.error(
                    request, _("%(source)s: nothing extracted: %(error)s") % {"source": source, "error": error}
                )
                continue
            queue = f"{reverse('admin:projects_claim_changelist')}?{urlencode({'source__id__exact': source.pk})}"
            how = _("new draft project") if result.project_created else result.match_reason
            messages.success(
                request,
                format_html(
                    _(
                        "{source}: {count} proposed claims ({conflicts} in conflict) on “{project}” ({how}). "
                        '<a href="{queue}">Review them</a>.'
                    ),
                    source=source,
                    count=len(result.claims),
                    conflicts=len(result.conflicts),
                    project=result.project,
                    how=how,
                    queue=queue,
                ),
            )


class RelationshipInline(TrackedInlineMixin, admin.TabularInline):
    model = OrganizationRelationship
    fk_name = "from_organization"
    extra = 0
    fields = ("kind", "to_organization", "purpose", "started_on", "ended_on", "source", "quote")
    autocomplete_fields = ("to_organization", "source")


class OrganizationForm(TrackedModelForm):
    aliases = AliasesField(label=capfirst(Organization._meta.get_field("aliases").verbose_name))


@admin.register(Organization)
class OrganizationAdmin(CountryNameColumn, OrganizationDuplicatesAdminMixin, TrackedAdminMixin, admin.ModelAdmin):
    form = OrganizationForm
    list_display = ("name", "kind", "country_name", "website")
    list_filter = ("kind", ("country", CachedCountryFilter))
    search_fields = ("name", "aliases")
    inlines = (RelationshipInline,)
    fields = ("name", "slug", "aliases", "kind", "country", "website", "description")


@admin.register(OrganizationRelationship)
class OrganizationRelationshipAdmin(TrackedAdminMixin, admin.ModelAdmin):
    list_display = ("from_organization", "kind", "to_organization", "started_on", "ended_on", "source")
    list_filter = ("kind",)
    list_select_related = ("from_organization", "to_organization", "source")
    search_fields = ("from_organization__name", "to_organization__name", "purpose")
    autocomplete_fields = ("from_organization", "to_organization", "source")


@admin.register(Substation)
class SubstationAdmin(CountryNameColumn, TrackedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "operator", "voltage_kv", "country_name", "latitude", "longitude")
    list_filter = (("country", CachedCountryFilter), "voltage_kv")
    list_select_related = ("operator",)
    search_fields = ("name",)
    autocomplete_fields = ("operator",)
    fields = ("name", "slug", "operator", "voltage_kv", "country", ("latitude", "longitude"))


@admin.register(Indicator)
class IndicatorAdmin(TrackedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "value", "unit", "scope", "year", "is_forecast", "stated_by", "source")
    list_filter = ("is_forecast", "year")
    list_select_related = ("stated_by", "source")
    search_fields = ("name", "scope")
    autocomplete_fields = ("stated_by", "source")


class ProjectPartAdmin(TrackedAdminMixin, admin.ModelAdmin):
    """A project's phases, milestones, roles...: edited on the project page, listed here too."""

    list_select_related = ("project",)
    search_fields = ("project__name",)
    autocomplete_fields = ("project",)


@admin.register(Phase)
class PhaseAdmin(ProjectPartAdmin):
    list_display = ("name", "project", "capacity_mw", "target_year", "status")
    list_filter = ("status",)


@admin.register(Milestone)
class MilestoneAdmin(ProjectPartAdmin):
    list_display = ("__str__", "project", "kind", "date", "source")
    list_filter = ("kind",)
    list_select_related = ("project", "source")
    autocomplete_fields = ("project", "source")


@admin.register(ProjectRole)
class ProjectRoleAdmin(ProjectPartAdmin):
    list_display = ("project", "role", "organization", "undisclosed")
    list_filter = ("role", "undisclosed")
    list_select_related = ("project", "organization")
    search_fields = ("project__name", "organization__name")
    autocomplete_fields = ("project", "organization", "source")


@admin.register(GridConnection)
class GridConnectionAdmin(ProjectPartAdmin):
    list_display = ("project", "substation", "voltage_kv", "status", "distance_km")
    list_filter = ("status",)
    list_select_related = ("project", "substation")
    autocomplete_fields = ("project", "substation", "grid_operator", "source")


@admin.register(ProjectStatusChange)
class ProjectStatusChangeAdmin(ProjectPartAdmin):
    list_display = ("project", "status", "date")
    list_filter = ("status",)
    autocomplete_fields = ("project", "source")
