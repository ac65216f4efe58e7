"""Who follows what, what they were told, and the webhook calls made for them.

None of these is a tracked record of the knowledge base: they belong to their user, who
creates and deletes them directly (``projects.following.services``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# Longest saved search kept (the list page's query string; q alone is at most 200 characters).
SEARCH_MAX_LENGTH = 1000


class Event(models.TextChoices):
    """What happened to a followed record."""

    CLAIM_ACCEPTED = "claim.accepted", _("A claim was accepted")
    STATUS_CHANGED = "project.status_changed", _("The status changed")
    PUBLISHED = "project.published", _("A project was published")


class Follow(models.Model):
    """One user following one project, organization or saved search of the list page."""

    class Kind(models.TextChoices):
        PROJECT = "project", _("Project")
        ORGANIZATION = "organization", _("Organization")
        SEARCH = "search", _("Saved search")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="follows"
    )
    kind = models.CharField(verbose_name=_("kind"), max_length=20, choices=Kind.choices)
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="follows",
    )
    organization = models.ForeignKey(
        "projects.Organization",
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="follows",
    )
    search = models.CharField(
        verbose_name=_("saved search"),
        max_length=SEARCH_MAX_LENGTH,
        blank=True,
        help_text=_("The list page's filters, as its query string (status=construction&country=FR)."),
    )
    label = models.CharField(verbose_name=_("label"), max_length=300, blank=True)
    created = models.DateTimeField(verbose_name=_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        ordering = ("-created", "-id")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="project", project__isnull=False, organization__isnull=True, search="")
                | Q(kind="organization", project__isnull=True, organization__isnull=False, search="")
                | Q(kind="search", project__isnull=True, organization__isnull=True),
                name="follow_one_target",
                violation_error_message=_("A follow is of one project, one organization or one saved search."),
            ),
            models.UniqueConstraint(
                fields=["user", "project"], condition=Q(kind="project"), name="follow_project_once"
            ),
            models.UniqueConstraint(
                fields=["user", "organization"], condition=Q(kind="organization"), name="follow_organization_once"
            ),
            models.UniqueConstraint(fields=["user", "search"], condition=Q(kind="search"), name="follow_search_once"),
        ]
        indexes = [models.Index(fields=["kind", "search"], name="follow_search_idx")]

    def __str__(self):
        return self.label or self.search or str(self.project or self.organization)

    @property
    def target(self):
        return self.project if self.kind == self.Kind.PROJECT else self.organization


class Notification(models.Model):
    """A followed record changed: one per user and change, whichever of their follows matched."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="notifications"
    )
    follow = models.ForeignKey(
        Follow, verbose_name=_("follow"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    event = models.CharField(verbose_name=_("event"), max_length=30, choices=Event.choices)
    change = models.ForeignKey(
        "core.ObjectChange", verbose_name=_("change"), on_delete=models.CASCADE, related_name="+"
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    claim = models.ForeignKey(
        "projects.Claim", verbose_name=_("claim"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    data = models.JSONField(verbose_name=_("details"), default=dict, blank=True)
    is_read = models.BooleanField(verbose_name=_("read"), default=False)
    digested_at = models.DateTimeField(verbose_name=_("sent in a digest"), null=True, blank=True)
    created = models.DateTimeField(verbose_name=_("created"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ("-created", "-id")
        constraints = [models.UniqueConstraint(fields=["user", "change"], name="notification_once_per_change")]
        indexes = [models.Index(fields=["user", "is_read", "created"], name="notification_user_idx")]

    def __str__(self):
        return f"{self.get_event_display()}: {self.data.get('project', {}).get('name', '')}"


class DigestPreference(models.Model):
    """Whether a user also gets their notifications by e-mail, and how often."""

    class Frequency(models.TextChoices):
        NONE = "none", _("No e-mail")
        DAILY = "daily", _("Daily digest")
        WEEKLY = "weekly", _("Weekly digest")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="digest_preference"
    )
    frequency = models.CharField(
        verbose_name=_("e-mail digest"), max_length=10, choices=Frequency.choices, default=Frequency.NONE
    )
    last_sent_at = models.DateTimeField(verbose_name=_("last digest sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("digest preference")
        verbose_name_plural = _("digest preferences")

    def __str__(self):
        return f"{self.user}: {self.get_frequency_display()}"


class WebhookSubscription(models.Model):
    """An external app told of the changes its owner follows, by a signed JSON POST."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.CASCADE, related_name="webhooks"
    )
    url = models.URLField(verbose_name=_("target URL"), max_length=1000)
    secret = models.CharField(
        verbose_name=_("secret"),
        max_length=200,
        help_text=_("Signs each call (HMAC-SHA256 of the body); the receiver checks it."),
    )
    events = models.JSONField(
        verbose_name=_("events"), default=list, blank=True, help_text=_("The events to send; empty sends all.")
    )
    follows = models.ManyToManyField(
        Follow,
        verbose_name=_("follows"),
        blank=True,
        related_name="webhooks",
        help_text=_("The owner's follows whose changes are sent; none sends those of all their follows."),
    )
    description = models.CharField(verbose_name=_("description"), max_length=200, blank=True)
    active = models.BooleanField(verbose_name=_("active"), default=True)
    created = models.DateTimeField(verbose_name=_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ("-created", "-id")

    def __str__(self):
        return self.description or self.url


class WebhookDelivery(models.Model):
    """One change sent to one subscription: made once, attempted until it answers 2xx."""

    subscription = models.ForeignKey(
        WebhookSubscription, verbose_name=_("subscription"), on_delete=models.CASCADE, related_name="deliveries"
    )
    change = models.ForeignKey(
        "core.ObjectChange", verbose_name=_("change"), on_delete=models.CASCADE, related_name="+"
    )
    event = models.CharField(verbose_name=_("event"), max_length=30, choices=Event.choices)
    payload = models.JSONField(verbose_name=_("payload"))
    attempts = models.PositiveIntegerField(verbose_name=_("attempts"), default=0)
    status_code = models.PositiveIntegerField(verbose_name=_("status code"), null=True, blank=True)
    error = models.CharField(verbose_name=_("error"), max_length=500, blank=True)
    created = models.DateTimeField(verbose_name=_("created"), auto_now_add=True)
    last_attempt_at = models.DateTimeField(verbose_name=_("last attempt"), null=True, blank=True)
    delivered_at = models.DateTimeField(verbose_name=_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ("-created", "-id")
        constraints = [
            models.UniqueConstraint(fields=["subscription", "change"], name="webhook_delivery_once_per_change")
        ]

    def __str__(self):
        return f"{self.event} → {self.subscription}"


class Correction(models.Model):
    """A correction suggested by a reader on a project page: the proposed claim it became, and
    what only reviewers see (the reader's e-mail address)."""

    claim = models.OneToOneField(
        "projects.Claim", verbose_name=_("proposed claim"), on_delete=models.CASCADE, related_name="correction"
    )
    email = models.EmailField(verbose_name=_("reader's e-mail"), blank=True)
    note = models.CharField(verbose_name=_("reader's note"), max_length=1000, blank=True)
    created = models.DateTimeField(verbose_name=_("suggested at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reader's correction")
        verbose_name_plural = _("readers' corrections")
        ordering = ("-created", "-id")

    def __str__(self):
        return str(self.claim)
