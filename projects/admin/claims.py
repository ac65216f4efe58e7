"""Claims: the review queue, and the claim rows of the project and source pages.

Every claim the admin writes goes through the claim services, so accepting one in
the queue, on the project page or on the source page does the same thing: check it
has a source, adopt it as the headline when it is the first value, flag conflicts.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.defaultfilters import truncatechars
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin import TrackedAdminMixin, TrackedInlineMixin, TrackedModelForm, adopt_saved, field_values, form_changes
from core.admin.forms import CurrencyField
from core.admin.tracked import TrackedInlineFormSet
from core.models import ConcurrentEditError
from projects import attributes, choices, services
from projects.admin.filters import ConfidenceFilter, ReviewQueueFilter
from projects.extraction.facts import LOW_CONFIDENCE
from projects.models import Claim

ClaimStatus = choices.ClaimStatus

# Only a reviewer may decide on a claim.
REVIEW_FIELDS = ("status",)
# Set by the services: the headline is chosen in the conflict panel or with an action.
DERIVED_FIELDS = ("is_headline", "in_conflict", "reviewed_by", "reviewed_at")


def can_review(request) -> bool:
    return request.user.has_perm("projects.review_claim")


# The inputs that hold a claim's value, and which of them each kind of value uses.
VALUE_FIELDS = (
    "value_number",
    "currency",
    "value_date",
    "value_date_precision",
    "value_text",
    "value_organization",
    "role",
)
VALUE_FIELDS_BY_KIND = {
    choices.ValueKind.NUMBER: ("value_number",),
    choices.ValueKind.MONEY: ("value_number", "currency"),
    choices.ValueKind.DATE: ("value_date", "value_date_precision"),
    choices.ValueKind.TEXT: ("value_text",),
    choices.ValueKind.ORGANIZATION: ("value_organization", "role"),
}


class ClaimForm(TrackedModelForm):
    currency = CurrencyField(label=capfirst(Claim._meta.get_field("currency").verbose_name), help_text="")

    class Meta:
        model = Claim
        fields = "__all__"
        widgets = {
            "quote": forms.Textarea(attrs={"rows": 3, "cols": 48}),
            "value_text": forms.TextInput(attrs={"size": 24}),
            "value_number": forms.NumberInput(attrs={"class": "figure-input", "step": "any"}),
        }

    def clean_status(self):
        status = self.cleaned_data["status"]
        if self.instance.pk and self.initial.get("status") != ClaimStatus.PROPOSED and status == ClaimStatus.PROPOSED:
            raise ValidationError(_("A reviewed claim cannot go back to proposed; accept or reject it."))
        return status


def save_claim(*, claim: Claim, form, user):
    """Write one claim from an admin form through the services."""
    if claim._state.adding:
        adopt_saved(claim, services.claim_create(data=field_values(claim), user=user))
        return
    if not form.has_changed():
        return
    expected_version = form.cleaned_data.get("loaded_version")
    changes = form_changes(form)
    status = changes.pop("status", None)
    if changes:
        services.claim_update(claim=claim, data=changes, user=user, expected_version=expected_version)
        expected_version = None  # the claim now is the version just written
    if status == ClaimStatus.ACCEPTED:
        services.claim_accept(claim=claim, user=user, expected_version=expected_version)
    elif status == ClaimStatus.REJECTED:
        services.claim_reject(claim=claim, user=user, expected_version=expected_version)


def save_claim_formset(request, formset):
    """The claim rows of a project or source page, each through the services."""
    formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
    for form in formset.forms:
        claim = form.instance
        if formset.can_delete and formset._should_delete_form(form):
            if claim.pk is not None:
                services.claim_delete(
                    claim=claim, user=request.user, expected_version=form.cleaned_data.get("loaded_version")
                )
                formset.deleted_objects.append(claim)
            continue
        if not form.has_changed():
            continue
        adding = claim._state.adding
        if adding:
            # A row added with its parent (a new source) points at the parent now that it is saved.
            setattr(claim, formset.fk.name, formset.instance)
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


class ClaimInlineFormSet(TrackedInlineFormSet):
    """Claim rows that know their parent before it is saved.

    Django's inline rows carry only the parent's ID, which a new source does not have yet:
    the claim's own validation would then find no source (and report it on a hidden input).
    """

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        if self.instance.pk is None:
            setattr(form.instance, self.fk.name, self.instance)
        return form


class ClaimInlineBase(ReviewPermissionMixin, TrackedInlineMixin, admin.TabularInline):
    """Claim rows of a few wide cells: the value inputs share one, the review state and its flags another."""

    model = Claim
    form = ClaimForm
    formset = ClaimInlineFormSet
    template = "admin/projects/claim/tabular_inline.html"
    extra = 0
    autocomplete_fields = ("source", "value_organization")
    readonly_fields = ("review_flags",)
    show_change_link = True
    # Cells holding several fields, each (heading, fields in the order of ``fields``).
    cell_groups = (
        (_("value"), (*VALUE_FIELDS, "as_of")),
        (_("review state"), ("status", "review_flags")),
    )
    # Inputs sharing a cell that need their own small label.
    labelled_parts = ("currency", "value_date_precision", "role", "as_of")
    # Read by core/claim-value.js: the inputs to show for each attribute.
    value_parts = {
        attribute: VALUE_FIELDS_BY_KIND[attributes.value_kind(attribute)] for attribute in choices.ClaimAttribute.values
    }

    class Media:
        js = ("core/claim-value.js",)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        # A claim row is no place to delete a source or an organization (and both are protected).
        if formfield is not None and hasattr(formfield.widget, "can_delete_related"):
            formfield.widget.can_delete_related = False
        return formfield

    # Read by the template, which cannot look a name up in a mapping.
    @property
    def group_starts(self) -> dict:
        return {names[0]: heading for heading, names in self.cell_groups}

    @property
    def group_ends(self) -> tuple:
        return tuple(names[-1] for _heading, names in self.cell_groups)

    @property
    def grouped_fields(self) -> tuple:
        return tuple(name for _heading, names in self.cell_groups for name in names)

    @admin.display(description=_("on the project"))
    def review_flags(self, claim):
        flags = []
        if claim.is_headline:
            flags.append(("headline", capfirst(Claim._meta.get_field("is_headline").verbose_name)))
        if claim.in_conflict:
            flags.append(("conflict", capfirst(Claim._meta.get_field("in_conflict").verbose_name)))
        return format_html_join(" ", '<span class="flag flag-{}">{}</span>', flags)


class ProjectClaimInline(ClaimInlineBase):
    """The figures of a project, each with its source and the source's words."""

    fk_name = "project"
    fields = ("attribute", *VALUE_FIELDS, "as_of", "source", "quote", "status", "review_flags")
    cell_groups = (
        *ClaimInlineBase.cell_groups[:1],
        (_("source and its words"), ("source", "quote")),
        *ClaimInlineBase.cell_groups[1:],
    )
    verbose_name_plural = _("claims: every figure with its source")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("source", "value_organization")


class SourceClaimInline(ClaimInlineBase):
    """Claims taken from one article: the short path from reading to recording."""

    fk_name = "source"
    autocomplete_fields = ("project", "value_organization")
    fields = ("project", "attribute", *VALUE_FIELDS, "as_of", "quote", "status", "review_flags")
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
        "confidence_display",
        "reason_display",
        "status",
        "in_conflict",
        "is_headline",
        "origin",
    )
    list_display_links = ("attribute", "value_display")
    list_filter = (ReviewQueueFilter, ConfidenceFilter, "in_conflict", "attribute", "origin", "is_headline")
    list_select_related = ("project", "organization", "source", "value_organization")
    search_fields = ("quote", "value_text", "project__name", "organization__name", "source__title", "source__publisher")
    autocomplete_fields = ("project", "organization", "source", "value_organization")
    # The review queue: conflicts first, then the oldest proposal.
    ordering = ("-in_conflict", "created")
    list_per_page = 100
    actions = ["accept_selected", "reject_selected", "use_as_headline"]
    fieldsets = (
        (None, {"fields": ("project", "organization")}),
        (
            _("Source"),
            {
                "fields": (
                    "source",
                    "quote",
                    ("quote_start", "quote_end"),
                    "as_of",
                    ("event_date", "event_date_precision"),
                )
            },
        ),
        (
            _("Value"),
            {
                "fields": (
                    "attribute",
                    ("value_number", "unit", "currency"),
                    ("bound", "value_number_max", "scope"),
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

    @admin.display(description=_("confidence"), ordering="confidence")
    def confidence_display(self, claim):
        """The extractor's confidence, as text: "low · 0.40" marks the ones to read with care."""
        if claim.confidence is None:
            return "—"
        if claim.confidence < LOW_CONFIDENCE:
            return _("low · %(confidence).2f") % {"confidence": claim.confidence}
        return f"{claim.confidence:.2f}"

    @admin.display(description=_("why"))
    def reason_display(self, claim):
        """Why the claim was proposed (exact phrase, cue words, inferred), from its note."""
        return truncatechars(claim.note, 100) if claim.note else "—"

    def save_model(self, request, obj, form, change):
        save_claim(claim=obj, form=form, user=request.user)

    def delete_model(self, request, obj):
        services.claim_delete(claim=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for claim in queryset:
            services.claim_delete(claim=claim, user=request.user)

    def _review(self, request, queryset, decide) -> int:
        """Apply ``decide`` to each claim; report the ones refused, return how many were done."""
        done = 0
        for claim in queryset.select_related("source"):
            try:
                decide(claim)
            except (ValidationError, PermissionDenied, ConcurrentEditError) as error:
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
        done = self._review(
            request, queryset, lambda claim: services.claim_set_headline(claim=claim, user=request.user)
        )
        if done:
            messages.success(
                request,
                ngettext("%(count)d headline value chosen.", "%(count)d headline values chosen.", done)
                % {"count": done},
            )
