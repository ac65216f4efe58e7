"""Old addresses of projects and organizations: a renamed or merged record keeps answering at them.

A project renamed from ``escaudain-ai`` to ``escaudain-ai-data-center`` keeps a redirect from its
former slug; a project merged into another leaves its slug and its ID to the one it went into.
Pages and the API answer a lookup that finds no live record with a permanent redirect to the
record the old address now means, so a citation never breaks. A live record always wins: a slug
taken again by another record answers as that record, its redirect waiting unused.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import TrackedModel


class RedirectReason(models.TextChoices):
    RENAMED = "renamed", _("renamed")
    MERGED = "merged", _("merged")


class RecordRedirect(TrackedModel):
    """An address (a former slug, the ID of a merged record) and the record it now leads to."""

    old_slug = models.SlugField(
        verbose_name=_("former slug"),
        max_length=200,
        blank=True,
        help_text=_("A slug the record was reached at; empty when only an ID was left behind."),
    )
    old_id = models.PositiveBigIntegerField(
        verbose_name=_("former ID"),
        null=True,
        blank=True,
        help_text=_("The ID of a record merged into this one."),
    )
    reason = models.CharField(
        verbose_name=_("reason"),
        max_length=10,
        choices=RedirectReason.choices,
    )
    merged_name = models.CharField(
        verbose_name=_("merged record"),
        max_length=200,
        blank=True,
        help_text=_("The name of the record merged into this one, as it was."),
    )

    write_services = "projects.services.project_merge / organization_merge / project_update / record_save"

    class Meta:
        abstract = True

    def __str__(self):
        return self.old_slug or f"#{self.old_id}"


class ProjectRedirect(RecordRedirect):
    project = models.ForeignKey(
        "Project",
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        related_name="redirects",
    )

    change_log_parent = "project"

    class Meta:
        verbose_name = _("project redirect")
        verbose_name_plural = _("project redirects")
        ordering = ("project", "id")
        constraints = [
            models.UniqueConstraint(fields=["old_slug"], condition=~Q(old_slug=""), name="project_redirect_slug"),
            models.UniqueConstraint(fields=["old_id"], name="project_redirect_id"),
        ]


class OrganizationRedirect(RecordRedirect):
    organization = models.ForeignKey(
        "Organization",
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="redirects",
    )

    change_log_parent = "organization"

    class Meta:
        verbose_name = _("organization redirect")
        verbose_name_plural = _("organization redirects")
        ordering = ("organization", "id")
        constraints = [
            models.UniqueConstraint(fields=["old_slug"], condition=~Q(old_slug=""), name="organization_redirect_slug"),
            models.UniqueConstraint(fields=["old_id"], name="organization_redirect_id"),
        ]
