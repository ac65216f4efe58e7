"""The articles and documents that the claims quote."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import TrackedModel
from projects.models.limits import SOURCE_TEXT_MAX_LENGTH, bounded_text_field


class Source(TrackedModel):
    """An article or document that states facts."""

    url = models.URLField(
        verbose_name=_("URL"),
        max_length=1000,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Unique: the same article is recorded once."),
    )
    title = models.CharField(
        verbose_name=_("title"),
        max_length=500,
    )
    publisher = models.CharField(
        verbose_name=_("publisher"),
        max_length=200,
        blank=True,
    )
    author = models.CharField(
        verbose_name=_("author"),
        max_length=200,
        blank=True,
    )
    language = models.CharField(
        verbose_name=_("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
    )
    published_on = models.DateField(
        verbose_name=_("published on"),
        null=True,
        blank=True,
        db_index=True,
    )
    retrieved_at = models.DateTimeField(
        verbose_name=_("retrieved at"),
        null=True,
        blank=True,
    )
    text = bounded_text_field(
        SOURCE_TEXT_MAX_LENGTH,
        verbose_name=_("full text"),
        blank=True,
        help_text=_("Optional; extraction reads it and quotes point into it."),
    )

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        ordering = ("-published_on", "title")

    def __str__(self):
        parts = [self.title]
        if self.publisher:
            parts.append(self.publisher)
        if self.published_on:
            parts.append(self.published_on.isoformat())
        return " · ".join(parts)

    write_services = "projects.services.record_save / record_delete"
