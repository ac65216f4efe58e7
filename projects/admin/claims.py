"""Claims: the review queue, and the claim rows of the project and source pages.

Every claim the admin writes goes through the claim services, so accepting one in
the queue, on the project page or on the source page does the same thing: check it
has a source, adopt it as the headline when it is the first value, flag conflicts.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.defaultfilters import truncatechars
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin import TrackedAdminMixin, TrackedInlineMixin, TrackedModelForm, adopt_saved, field_values, form_changes
from core.models import ConcurrentEditError
from projects import choices, services
from projects.admin.filters import ReviewQueueFilter
from projects.models import Claim

ClaimStatus = choices.ClaimStatus

# Only a reviewer may decide on a claim.
REVIEW_FIELDS = ("status",)
# Set by the services: the headline is chosen in the conflict panel or with an action.
DERIVED_FIELDS = ("is_headline", "in_conflict", "reviewed_by", "reviewed_at")


def can_review(request) -> bool:
    return request.user.has_perm("projects.review_claim")


class ClaimForm(TrackedModelForm):
    class Meta:
        model = Claim
        fields = "__all__"
        widgets = {"quote": forms.Textarea(attrs={"rows": 2, "cols": 40})}

    def clean_status(self):
        status = self.cleaned_data["status"]
        if self.instance.pk and self.initial.get("status") != ClaimStatus.PROPOSED and status == ClaimStatus.PROPOSED:
            raise ValidationError(_("A reviewed claim cannot go back to proposed; accept or reject it."))
        return status


def save_claim(*, claim: Claim, form, user):
    """Write one claim from an admin form through the services."""
    if claim._state.adding:
        data = field_values(claim)
        if claim.status != ClaimStatus.PROPOSED:
            data.update(reviewed_by=user, reviewed_at=timezone.now())
        adopt_saved(claim, services.claim_create(data=data))
        return
    if not form.has_changed():
        return
    expected_version = form.cleaned_data.get("loaded_version")
    if "status" in form.changed_data and claim.status == ClaimStatus.ACCEPTED:
        services.check_version(claim, expected_version)
        services.claim_accept(claim=claim, user=user)
    elif "status" in form.changed_data and claim.status == ClaimStatus.REJECTED:
        services.check_version(claim, expected_version)
        services.claim_reject(claim=claim, user=user)
    else:
        services.claim_update(claim=claim, data=form_changes(form), expected_version=expected_version)


def save_claim_formset(request, formset):
    """The claim rows of a project or source page, each through the services."""
    formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
    for form in formset.forms:
        claim = form.instance
        if formset.can_delete and formset._should_delete_form(form):
            if claim.pk is not None:
                claim.delete()
                formset.deleted_objects.append(claim)
            continue
        if not form.has_changed():
            continue
        adding = claim._state.adding
        save_claim(claim=claim, form=form, user=request.user)
        if adding:
            formset.new_objects.append(claim)
        else:
            formset.changed_objects.append((claim, form.changed_data))


class ReviewPermissionMixin:
    """Editors propose claims; only reviewers decide on them."""

    def get_readonly_fields(self, request, obj=None):
        readonly = [*super().get_readonly_fields(request, obj), *DERIVED_FIELDS]
        if not can_review(request):
            readonly += [name for name in REVIEW_FIELDS if name not in readonly]
        return readonly


class ClaimInlineBase(ReviewPermissionMixin, TrackedInlineMixin, admin.TabularInline):
    model = Claim
    form = ClaimForm
    extra = 0
    autocomplete_fields = ("source", "value_organization")
    show_change_link = True


class ProjectClaimInline(ClaimInlineBase):
    """The figures of a project, each with its source and the source's words."""

    fk_name = "project"
    fields = (
        "attribute",
        "value_number",
        "currency",
        "value_date",
        "value_date_precision",
        "value_text",
        "value_organization",
        "role",
        "source",
        "quote",
        "as_of",
        "status",
        "is_headline",
        "in_conflict",
    )
    verbose_name_plural = _("claims: every figure with its source")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("source", "value_organization")


class SourceClaimInline(ClaimInlineBase):
    """Claims taken from one article: the short path from reading to recording."""

    fk_name = "source"
    autocomplete_fields = ("project", "value_organization")
    fields = (
        "project",
        "attribute",
        "value_number",
        "currency",
        "value_date",
        "value_text",
        "value_organization",
        "role",
        "quote",
        "status",
        "is_headline",
        "in_conflict",
    )
    verbose_name_plural = _("claims from this source")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("project", "value_organization")


@admin.register(Claim)
class ClaimAdmin(ReviewPermissionMixin, TrackedAdminMixin, admin.ModelAdmin):
    form = ClaimForm
    list_display = (
        "attribute",
        "value_display",
        "subject",
        "source_display",
        "quote_excerpt",
        "status",
        "in_conflict",
        "is_headline",
        "origin",
    )
    list_display_links = ("attribute", "value_display")
    list_filter = (ReviewQueueFilter, "in_conflict", "attribute", "origin", "is_headline")
    list_select_related = ("project", "organization", "source", "value_organization")
    search_fields = ("quote", "value_text", "project__name", "organization__name", "source__title", "source__publisher")
    autocomplete_fields = ("project", "organization", "source", "value_organization")
    # The review queue: conflicts first, then the oldest proposal.
    ordering = ("-in_conflict", "created")
    list_per_page = 100
    actions = ["accept_selected", "reject_selected", "use_as_headline"]
    fieldsets = (
        (None, {"fields": ("project", "organization")}),
        (_("Source"), {"fields": ("source", "quote", ("quote_start", "quote_end"), "as_of")}),
        (
            _("Value"),
            {
                "fields": (
                    "attribute",
                    ("value_number", "unit", "currency"),
                    ("value_date", "value_date_precision"),
                    "value_text",
                    ("value_organization", "role"),
                )
            },
        ),
        (
            _("Review"),
            {
                "fields": (
                    ("status", "is_headline", "in_conflict"),
                    ("reviewed_by", "reviewed_at"),
                    "note",
                    ("origin", "confidence"),
                )
            },
        ),
    )

    def has_review_permission(self, request):
        return can_review(request)

    @admin.display(description=_("value"), ordering="value_key")
    def value_display(self, claim):
        return claim.display_value

    @admin.display(description=_("about"))
    def subject(self, claim):
        return claim.project or claim.organization

    @admin.display(description=_("source"), ordering="source__published_on")
    def source_display(self, claim):
        if claim.source is None:
            return format_html("<strong>{}</strong>", _("no source: cannot be accepted"))
        return str(claim.source)

    @admin.display(description=_("quote"))
    def quote_excerpt(self, claim):
        return truncatechars(claim.quote, 140)

    def save_model(self, request, obj, form, change):
        save_claim(claim=obj, form=form, user=request.user)

    def _review(self, request, queryset, decide) -> int:
        """Apply ``decide`` to each claim; report the ones refused, return how many were done."""
        done = 0
        for claim in queryset.select_related("source"):
            try:
                decide(claim)
            except (ValidationError, ConcurrentEditError) as error:
                messages.error(request, f"{claim}: {' '.join(getattr(error, 'messages', [str(error)]))}")
            else:
                done += 1
        return done

    @admin.action(description=_("Accept the selected claims"), permissions=["review"])
    def accept_selected(self, request, queryset):
        done = self._review(request, queryset, lambda claim: services.claim_accept(claim=claim, user=request.user))
        if done:
            messages.success(
                request, ngettext("%(count)d claim accepted.", "%(count)d claims accepted.", done) % {"count": done}
            )

    @admin.action(description=_("Reject the selected claims"), permissions=["review"])
    def reject_selected(self, request, queryset):
        done = self._review(request, queryset, lambda claim: services.claim_reject(claim=claim, user=request.user))
        if done:
            messages.success(
                request, ngettext("%(count)d claim rejected.", "%(count)d claims rejected.", done) % {"count": done}
            )

    @admin.action(description=_("Use the selected claims as their project's headline value"), permissions=["review"])
    def use_as_headline(self, request, queryset):
        done = self._review(request, queryset, lambda claim: services.claim_set_headline(claim=claim))
        if done:
            messages.success(
                request,
                ngettext("%(count)d headline value chosen.", "%(count)d headline values chosen.", done)
                % {"count": done},
            )
