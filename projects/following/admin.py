"""Following in the admin: who follows what, the webhook subscriptions and their calls, and the
readers' corrections with the proposed claim each became (reviewed in the claims' queue)."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from projects.following.models import (
    Correction,
    DigestPreference,
    Follow,
    Notification,
    WebhookDelivery,
    WebhookSubscription,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Follow)
class FollowAdmin(ReadOnlyAdmin):
    list_display = ("user", "kind", "__str__", "created")
    list_filter = ("kind",)
    list_select_related = ("user", "project", "organization")
    search_fields = ("user__username", "label", "search", "project__name", "organization__name")


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("user", "event", "project", "is_read", "digested_at", "created")
    list_filter = ("event", "is_read")
    list_select_related = ("user", "project")
    raw_id_fields = ("change", "claim", "follow", "project")


@admin.register(DigestPreference)
class DigestPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "frequency", "last_sent_at")
    list_filter = ("frequency",)
    raw_id_fields = ("user",)


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    list_display = ("url", "owner", "active", "created")
    list_filter = ("active",)
    raw_id_fields = ("owner",)
    filter_horizontal = ("follows",)
    exclude = ("secret",)

    def has_add_permission(self, request):
        return False  # made by their owners through the API, which hands them their secret


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ("subscription", "event", "attempts", "status_code", "error", "delivered_at", "created")
    list_filter = ("event", ("delivered_at", admin.EmptyFieldListFilter))
    list_select_related = ("subscription",)
    raw_id_fields = ("change", "subscription")


@admin.register(Correction)
class CorrectionAdmin(ReadOnlyAdmin):
    list_display = ("claim_link", "claim_status", "email", "created")
    list_select_related = ("claim", "claim__project")
    search_fields = ("email", "note", "claim__project__name")

    @admin.display(description=_("proposed claim"))
    def claim_link(self, correction):
        url = reverse("admin:projects_claim_change", args=[correction.claim_id])
        return format_html('<a href="{}">{} · {}</a>', url, correction.claim.project, correction.claim)

    @admin.display(description=_("review state"))
    def claim_status(self, correction):
        return correction.claim.get_status_display()
