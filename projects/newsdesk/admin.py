"""The news desk in the admin: feeds with their last poll, errors and the articles they brought;
their entries; the archived texts of the sources; the checks of the sources' addresses.

The jobs' own status (queued, running, succeeded, failed, with their result or error) is django-celery-results'
"Task results", and the periodic schedule django-celery-beat's "Periodic tasks", both in this admin.
"""

from django.contrib import admin, messages
from django.db.models.functions import Length
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin import TrackedAdminMixin
from projects.newsdesk.models import EntryState, Feed, FeedEntry, LinkCheck, SourceArchive
from projects.newsdesk.tasks import ingest_entry, poll_feed

LATEST_SHOWN = 10


def _entries_url(**query) -> str:
    return f"{reverse('admin:newsdesk_feedentry_changelist')}?{urlencode(query)}"


def _source_link(source_id, label=None):
    if source_id is None:
        return "—"
    url = reverse("admin:projects_source_change", args=[source_id])
    return format_html('<a href="{}">{}</a>', url, label or _("source %(id)s") % {"id": source_id})


@admin.register(Feed)
class FeedAdmin(TrackedAdminMixin, admin.ModelAdmin):
    list_display = (
        "__str__",
        "url",
        "active",
        "last_polled_at",
        "last_error_short",
        "consecutive_failures",
        "articles_link",
    )
    list_filter = ("active", "language")
    search_fields = ("title", "url", "publisher")
    actions = ("poll_now",)
    fieldsets = (
        (None, {"fields": ("url", "title", "publisher", "language", "active")}),
        (
            _("Polling"),
            {
                "fields": (
                    "last_polled_at",
                    "last_success_at",
                    "last_error",
                    "consecutive_failures",
                    "entries_seen",
                    "articles_ingested",
                    "latest_articles",
                )
            },
        ),
    )
    readonly_fields = (
        "last_polled_at",
        "last_success_at",
        "last_error",
        "consecutive_failures",
        "entries_seen",
        "articles_ingested",
        "latest_articles",
    )

    @admin.display(description=_("last error"))
    def last_error_short(self, feed):
        return Truncator(feed.last_error).chars(80) or "—"

    @admin.display(description=_("articles brought"), ordering="articles_ingested")
    def articles_link(self, feed):
        return format_html(
            '<a href="{}">{}</a>',
            _entries_url(feed__id__exact=feed.pk, state__exact=EntryState.INGESTED),
            feed.articles_ingested,
        )

    @admin.display(description=_("latest entries"))
    def latest_articles(self, feed):
        if feed.pk is None:
            return "—"
        entries = list(feed.entries.order_by("-created", "-id")[:LATEST_SHOWN])
        if not entries:
            return _("None yet.")
        rows = format_html_join(
            "",
            "<li>{} — {} {}</li>",
            (
                (
                    entry.get_state_display(),
                    Truncator(entry.title or entry.normalized_url).chars(100),
                    _source_link(entry.source_id),
                )
                for entry in entries
            ),
        )
        return format_html(
            '<ul>{}</ul><a href="{}">{}</a>', rows, _entries_url(feed__id__exact=feed.pk), _("All its entries")
        )

    def has_poll_permission(self, request):
        return request.user.has_perm("newsdesk.change_feed")

    @admin.action(description=_("Poll now"), permissions=["poll"])
    def poll_now(self, request, queryset):
        """Queue a poll of each selected feed (inline when no broker is configured)."""
        count = 0
        for feed in queryset.filter(active=True):
            poll_feed.delay(feed.pk)
            count += 1
        messages.info(
            request,
            ngettext("%(count)d feed queued for polling.", "%(count)d feeds queued for polling.", count)
            % {"count": count},
        )


@admin.register(FeedEntry)
class FeedEntryAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "feed",
        "state",
        "duplicate_reason",
        "similarity",
        "source_link",
        "claims_proposed",
        "published_at",
        "created",
    )
    list_filter = ("state", "duplicate_reason", "feed")
    list_select_related = ("feed",)
    search_fields = ("title", "normalized_url")
    actions = ("read_again",)
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("source"))
    def source_link(self, entry):
        return _source_link(entry.source_id)

    def has_read_again_permission(self, request):
        return request.user.has_perm("newsdesk.change_feed")

    @admin.action(description=_("Read again (failed entries)"), permissions=["read_again"])
    def read_again(self, request, queryset):
        ids = list(queryset.filter(state=EntryState.FAILED).values_list("pk", flat=True))
        FeedEntry.objects.filter(pk__in=ids).update(state=EntryState.NEW, error="")
        for pk in ids:
            ingest_entry.delay(pk)
        messages.info(
            request,
            ngettext("%(count)d entry queued.", "%(count)d entries queued.", len(ids)) % {"count": len(ids)},
        )


@admin.register(SourceArchive)
class SourceArchiveAdmin(admin.ModelAdmin):
    list_display = ("source", "sha256", "length", "archived_at")
    list_select_related = ("source",)
    search_fields = ("sha256", "url", "source__title")
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(text_length=Length("text")).defer("text")

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("characters"), ordering="text_length")
    def length(self, archive):
        return archive.text_length


class AnswersFilter(admin.SimpleListFilter):
    title = _("address")
    parameter_name = "answers"

    def lookups(self, request, model_admin):
        return (("yes", _("answers")), ("no", _("no longer answers")))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(answers=True)
        if self.value() == "no":
            return queryset.filter(answers=False)
        return queryset


@admin.register(LinkCheck)
class LinkCheckAdmin(admin.ModelAdmin):
    list_display = ("source", "answers", "status_code", "error", "consecutive_failures", "failing_since", "checked_at")
    list_filter = (AnswersFilter,)
    list_select_related = ("source",)
    search_fields = ("source__title", "source__url")
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
