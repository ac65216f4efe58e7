"""Feeds, the entries they list, the archive of each source's text and the checks of its address.

A feed is a tracked record (edited in the admin and through the API, with its history and
``If-Match``); what polling learns about it (when, what it found, the last error) is bookkeeping
written by the jobs, outside its history and version. Entries, archives and link checks are
written by the jobs only.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import TrackedModel
from projects.models import Source
from projects.models.limits import SOURCE_TEXT_MAX_LENGTH, bounded_text_field

ERROR_MAX_LENGTH = 2000

# What polling writes on a feed: not edits, so neither its version nor its history follow them.
POLL_FIELDS = (
    "last_polled_at",
    "last_success_at",
    "last_error",
    "consecutive_failures",
    "entries_seen",
    "articles_ingested",
    "http_etag",
    "http_last_modified",
)


def validate_web_address(value: str) -> None:
    """Feeds are read over http or https only (URLField alone also takes ftp)."""
    if not str(value).lower().startswith(("http://", "https://")):
        raise ValidationError(_("Enter an http or https address."), code="url")


class Feed(TrackedModel):
    """An RSS or Atom feed whose new articles are read into proposed claims."""

    url = models.URLField(
        verbose_name=_("feed address"),
        max_length=1000,
        unique=True,
        validators=[validate_web_address],
        help_text=_("The RSS or Atom document's address (http or https, public)."),
    )
    title = models.CharField(verbose_name=_("title"), max_length=300, blank=True)
    publisher = models.CharField(
        verbose_name=_("publisher"),
        max_length=200,
        blank=True,
        help_text=_("Given to the sources of its articles when their pages do not name one."),
    )
    language = models.CharField(
        verbose_name=_("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("The language of its articles; empty: detected in each article."),
    )
    active = models.BooleanField(verbose_name=_("active"), default=True, help_text=_("Polled on the schedule."))

    last_polled_at = models.DateTimeField(verbose_name=_("last polled"), null=True, blank=True, editable=False)
    last_success_at = models.DateTimeField(verbose_name=_("last read"), null=True, blank=True, editable=False)
    last_error = models.TextField(verbose_name=_("last error"), blank=True, editable=False)
    consecutive_failures = models.PositiveIntegerField(
        verbose_name=_("failed polls in a row"), default=0, editable=False
    )
    entries_seen = models.PositiveIntegerField(verbose_name=_("entries seen"), default=0, editable=False)
    articles_ingested = models.PositiveIntegerField(verbose_name=_("articles brought"), default=0, editable=False)
    http_etag = models.CharField(max_length=300, blank=True, editable=False)
    http_last_modified = models.CharField(max_length=100, blank=True, editable=False)

    change_log_exclude = POLL_FIELDS
    write_services = "projects.newsdesk.services.feed_save / feed_delete"

    class Meta:
        verbose_name = _("feed")
        verbose_name_plural = _("feeds")
        ordering = ("title", "url")

    def __str__(self):
        return self.title or self.url


class EntryState(models.TextChoices):
    NEW = "new", _("new")
    INGESTED = "ingested", _("ingested")
    DUPLICATE = "duplicate", _("duplicate")
    FAILED = "failed", _("failed")


class DuplicateReason(models.TextChoices):
    URL = "url", _("same address")
    CONTENT = "content", _("same text")
    NEAR = "near", _("nearly the same text")


class FeedEntry(models.Model):
    """One article a feed listed: read once into a source, or recognised as one already read."""

    feed = models.ForeignKey(Feed, verbose_name=_("feed"), on_delete=models.CASCADE, related_name="entries")
    url = models.URLField(verbose_name=_("address in the feed"), max_length=2000)
    normalized_url = models.URLField(
        verbose_name=_("address"),
        max_length=1000,
        help_text=_("Without tracking parameters and fragment, its query sorted: how the same article is recognised."),
    )
    guid = models.CharField(verbose_name=_("entry ID"), max_length=1000, blank=True)
    title = models.CharField(verbose_name=_("title"), max_length=500, blank=True)
    published_at = models.DateTimeField(verbose_name=_("published"), null=True, blank=True)
    content_hash = models.CharField(
        verbose_name=_("text checksum"),
        max_length=64,
        blank=True,
        db_index=True,
        help_text=_("SHA-256 of the article's text, spaces normalised."),
    )
    state = models.CharField(verbose_name=_("state"), max_length=10, choices=EntryState, default=EntryState.NEW)
    duplicate_reason = models.CharField(
        verbose_name=_("duplicate of"), max_length=10, choices=DuplicateReason, blank=True
    )
    similarity = models.FloatField(verbose_name=_("similarity"), null=True, blank=True)
    source = models.ForeignKey(
        Source,
        verbose_name=_("source"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="feed_entries",
        help_text=_("The source it was read into, or the one it repeats."),
    )
    claims_proposed = models.PositiveIntegerField(verbose_name=_("claims proposed"), default=0)
    attempts = models.PositiveIntegerField(verbose_name=_("attempts"), default=0)
    error = models.TextField(verbose_name=_("error"), blank=True)
    created = models.DateTimeField(verbose_name=_("seen"), auto_now_add=True)
    updated = models.DateTimeField(verbose_name=_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("feed entry")
        verbose_name_plural = _("feed entries")
        ordering = ("-created", "-id")
        constraints = [
            # A feed lists an article once, however many times it is polled.
            models.UniqueConstraint(fields=("feed", "normalized_url"), name="newsdesk_entry_once_per_feed"),
            # Across feeds, one entry reads an address, and one reads a text; the others are duplicates.
            models.UniqueConstraint(
                fields=("normalized_url",),
                condition=Q(state="ingested"),
                name="newsdesk_address_ingested_once",
            ),
            models.UniqueConstraint(
                fields=("content_hash",),
                condition=Q(state="ingested") & ~Q(content_hash=""),
                name="newsdesk_text_ingested_once",
            ),
        ]
        indexes = [models.Index(fields=("feed", "state"), name="newsdesk_entry_feed_state")]

    def __str__(self):
        return self.title or self.normalized_url


class SourceArchive(models.Model):
    """The text a source was read from, as it was, with its checksum: it outlives the page and any later edit.

    A source's claims quote offsets into this text; when the source's text changes, a new version
    is archived beside the earlier ones.
    """

    source = models.ForeignKey(Source, verbose_name=_("source"), on_delete=models.CASCADE, related_name="archives")
    text = bounded_text_field(SOURCE_TEXT_MAX_LENGTH, verbose_name=_("text"))
    sha256 = models.CharField(
        verbose_name=_("SHA-256"), max_length=64, help_text=_("Of the text in UTF-8, exactly as archived.")
    )
    content_hash = models.CharField(
        verbose_name=_("text checksum"),
        max_length=64,
        db_index=True,
        help_text=_("SHA-256 of the text with its spaces normalised: how the same article is recognised."),
    )
    url = models.URLField(verbose_name=_("URL"), max_length=1000, blank=True)
    archived_at = models.DateTimeField(verbose_name=_("archived at"), auto_now_add=True)

    class Meta:
        verbose_name = _("archived text")
        verbose_name_plural = _("archived texts")
        ordering = ("-archived_at", "-id")
        constraints = [models.UniqueConstraint(fields=("source", "sha256"), name="newsdesk_archive_once")]

    def __str__(self):
        return f"{self.source_id} · {self.sha256[:12]}"


class LinkCheck(models.Model):
    """Whether a source's address still answers, as last checked."""

    source = models.OneToOneField(Source, verbose_name=_("source"), on_delete=models.CASCADE, related_name="link_check")
    checked_at = models.DateTimeField(verbose_name=_("checked at"))
    answers = models.BooleanField(verbose_name=_("answers"))
    status_code = models.PositiveSmallIntegerField(verbose_name=_("HTTP status"), null=True, blank=True)
    error = models.TextField(verbose_name=_("error"), blank=True)
    consecutive_failures = models.PositiveIntegerField(verbose_name=_("failed checks in a row"), default=0)
    failing_since = models.DateTimeField(verbose_name=_("failing since"), null=True, blank=True)
    last_answered_at = models.DateTimeField(verbose_name=_("last answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("link check")
        verbose_name_plural = _("link checks")
        ordering = ("-checked_at",)
        indexes = [models.Index(fields=("answers", "checked_at"), name="newsdesk_linkcheck_answers")]

    def __str__(self):
        return f"{self.source} · {'ok' if self.answers else self.status_code or self.error[:40]}"
