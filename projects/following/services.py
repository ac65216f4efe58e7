"""Following: follows, the fan-out of changes to notifications and webhook deliveries, the
signed webhook calls, the e-mail digests, and readers' corrections.

The fan-out reads what the change log wrote in one transaction and answers in a fixed number of
queries whatever the number of followers or of changed rows (a few per batch, plus one per 50
distinct saved searches); it tells readers only what anonymous readers may see
(``projects.selectors.PUBLIC``): nothing of a draft project, and a claim once it is accepted.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import ipaddress
import secrets
import time
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import orjson
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Value
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.models import ObjectChange
from projects import choices, selectors
from projects.fetching import FetchError, fetch
from projects.following.models import (
    SEARCH_MAX_LENGTH,
    Correction,
    DigestPreference,
    Event,
    Follow,
    Notification,
    WebhookDelivery,
    WebhookSubscription,
)
from projects.models import Claim, Organization, Project, ProjectRole, Source

ACCEPTED = choices.ClaimStatus.ACCEPTED
# Query-string keys of the list page that are not filters.
NOT_FILTERS = ("page", "page_size", "format", "cursor", "place")
# Saved searches evaluated per query by the fan-out.
SEARCHES_PER_QUERY = 50
# Rows per INSERT of notifications and deliveries.
BULK_BATCH = 2000
SIGNATURE_HEADER = "X-Tracker-Signature"
TIMESTAMP_HEADER = "X-Tracker-Timestamp"


# Follows ---------------------------------------------------------------------------------


def _follow(user, field_name: str, kind, target: dict, label: str) -> tuple[Follow, bool]:
    """The follow of ``target``, made if the account has room: every follow is work for each
    change's fan-out (a saved search is evaluated against it), so one account holds at most
    ``FOLLOWS_MAX_PER_USER``."""
    existing = Follow.objects.filter(user=user, kind=kind, **target).first()
    if existing is not None:
        return existing, False
    if Follow.objects.filter(user=user).count() >= settings.FOLLOWS_MAX_PER_USER:
        raise ValidationError(
            {
                field_name: _(
                    "You already follow %(limit)s projects, organizations and searches, the most one account "
                    "may: stop following one first."
                )
                % {"limit": settings.FOLLOWS_MAX_PER_USER}
            }
        )
    return Follow.objects.get_or_create(user=user, kind=kind, **target, defaults={"label": label})


def follow_project(*, user, project: Project) -> tuple[Follow, bool]:
    """Follow a public project (a draft cannot be followed: readers do not know of it)."""
    if project.is_draft:
        raise ValidationError({"project": _("This project is not published.")})
    return _follow(user, "project", Follow.Kind.PROJECT, {"project": project}, project.name[:300])


def follow_organization(*, user, organization: Organization) -> tuple[Follow, bool]:
    return _follow(
        user, "organization", Follow.Kind.ORGANIZATION, {"organization": organization}, organization.name[:300]
    )


def normalize_search(query: str | QueryDict) -> tuple[str, str]:
    """The list page's query as a saved search: its filters only (a place becomes the point it
    names), sorted, and a description in words. Invalid filters are refused, naming them."""
    from projects.views import PublicProjectFilterSet

    data = QueryDict(query, mutable=True) if isinstance(query, str) else query.copy()
    if any("\x00" in key or "\x00" in value for key, values in data.lists() for value in values):
        raise ValidationError({"search": _("A search cannot hold a NUL character.")})
    filterset = PublicProjectFilterSet(data, queryset=selectors.PUBLIC.projects())
    if not filterset.is_valid():
        raise ValidationError({"search": [f"{name}: {' '.join(errors)}" for name, errors in filterset.errors.items()]})
    if filterset.place is not None:
        data["near"] = f"{filterset.place.latitude},{filterset.place.longitude}"
    known = set(filterset.filters) | {"near", "radius_km"}
    kept = QueryDict(mutable=True)
    for key in sorted(data.keys()):
        if key in known and key not in NOT_FILTERS and key != "ordering":
            values = sorted(value for value in data.getlist(key) if value != "")
            if values:
                kept.setlist(key, values)
    search = kept.urlencode()
    if len(search) > SEARCH_MAX_LENGTH:
        raise ValidationError({"search": _("This search is too long to be saved.")})
    label = "; ".join(str(part) for part in filterset.describe()) or _("All projects")
    return search, label[:300]


def follow_search(*, user, query: str | QueryDict) -> tuple[Follow, bool]:
    search, label = normalize_search(query)
    return _follow(user, "search", Follow.Kind.SEARCH, {"search": search}, label)


def unfollow(*, follow: Follow):
    follow.delete()


def set_digest(*, user, frequency: str) -> DigestPreference:
    preference, _created = DigestPreference.objects.update_or_create(user=user, defaults={"frequency": frequency})
    return preference


def mark_read(*, user, ids=None) -> int:
    notifications = Notification.objects.filter(user=user, is_read=False)
    if ids is not None:
        notifications = notifications.filter(pk__in=list(ids))
    return notifications.update(is_read=True)


# Fan-out ---------------------------------------------------------------------------------


@dataclass
class Happening:
    """One change of the log readers may learn of, with what it is about."""

    change: ObjectChange
    event: str
    project_id: int | None = None
    organization_ids: set[int] = field(default_factory=set)
    claim: Claim | None = None
    follows: list[Follow] = field(default_factory=list)


def event_of(change: ObjectChange, types: dict[str, int]) -> str | None:
    """What a change says to followers: a claim accepted, a status changed, a project published."""
    before, after = change.prechange_data or {}, change.postchange_data or {}
    if change.content_type_id == types["claim"]:
        if after.get("status") == ACCEPTED and (
            change.action == ObjectChange.Action.CREATE or "status" in change.changed_fields
        ):
            return Event.CLAIM_ACCEPTED
        return None
    if change.content_type_id != types["project"] or change.action == ObjectChange.Action.DELETE:
        return None
    if after.get("is_draft") is False and (
        change.action == ObjectChange.Action.CREATE or before.get("is_draft") is True
    ):
        return Event.PUBLISHED
    if change.action == ObjectChange.Action.UPDATE and "status" in change.changed_fields:
        return Event.STATUS_CHANGED
    return None


def _types() -> dict[str, int]:
    return {
        "project": ContentType.objects.get_for_model(Project).pk,
        "claim": ContentType.objects.get_for_model(Claim).pk,
    }


def fan_out(change_ids) -> dict[str, int]:
    """Notifications and webhook deliveries for the changes ``change_ids`` (IDs of the change log,
    in any number). Idempotent: a change already notified or delivered is not again.

    Returns how many notifications and deliveries were made, and the IDs of the deliveries to send.
    """
    made = {"notifications": 0, "deliveries": 0, "to_send": []}
    change_ids = sorted(set(change_ids))
    if not change_ids or not Follow.objects.exists():
        return made
    types = _types()
    changes = list(
        selectors.PUBLIC.changes(
            ObjectChange.objects.filter(pk__in=change_ids, content_type_id__in=types.values())
        ).order_by("id")
    )
    happenings = []
    for change in changes:
        event = event_of(change, types)
        if event is None:
            continue
        after = change.postchange_data or {}
        if change.content_type_id == types["project"]:
            happenings.append(Happening(change, event, project_id=change.object_id))
        else:
            organization = after.get("organization_id")
            happenings.append(
                Happening(
                    change,
                    event,
                    project_id=after.get("project_id"),
                    organization_ids={organization} if organization else set(),
                )
            )
    if not happenings:
        return made
    _attach(happenings, types)
    happenings = [happening for happening in happenings if happening.follows]
    if not happenings:
        return made
    projects = (
        selectors.PUBLIC.projects()
        .only("pk", "slug", "name", "status")
        .in_bulk({h.project_id for h in happenings} - {None})
    )
    site = settings.DATA_SITE_URL.rstrip("/")
    payloads = {h.change.pk: payload_of(h, projects.get(h.project_id), site) for h in happenings}

    notifications = []
    for happening in happenings:
        by_user: dict[int, Follow] = {}
        for follow in happening.follows:
            by_user.setdefault(follow.user_id, follow)
        notifications += [
            Notification(
                user_id=user_id,
                follow=follow,
                event=happening.event,
                change=happening.change,
                project_id=happening.project_id if happening.project_id in projects else None,
                claim=happening.claim,
                data=payloads[happening.change.pk],
            )
            for user_id, follow in by_user.items()
        ]
    # Already told (the job ran before, or a worker was lost after writing): not made twice.
    told = set(
        Notification.objects.filter(change__in=[h.change for h in happenings]).values_list("user_id", "change_id")
    )
    notifications = [n for n in notifications if (n.user_id, n.change.pk) not in told]
    Notification.objects.bulk_create(notifications, ignore_conflicts=True, batch_size=BULK_BATCH)
    made["notifications"] = len(notifications)
    made["deliveries"], made["to_send"] = _deliveries(happenings, payloads)
    return made


def _attach(happenings: list[Happening], types):
    """Give each happening its claim and the follows it concerns, in a fixed number of queries."""
    claim_ids = [h.change.object_id for h in happenings if h.change.content_type_id == types["claim"]]
    claims = Claim.objects.select_related("source", "value_organization").in_bulk(claim_ids) if claim_ids else {}
    for happening in happenings:
        happening.claim = (
            claims.get(happening.change.object_id) if happening.change.content_type_id == types["claim"] else None
        )
    project_ids = {h.project_id for h in happenings} - {None}
    involved: dict[int, set[int]] = defaultdict(set)
    if project_ids:
        roles = selectors.PUBLIC.parts(
            ProjectRole.objects.filter(project_id__in=project_ids, organization__isnull=False)
        ).values_list("project_id", "organization_id")
        for project_id, organization_id in roles:
            involved[project_id].add(organization_id)
    for happening in happenings:
        if happening.project_id is not None:
            happening.organization_ids |= involved[happening.project_id]
    matched_searches = _matching_searches(project_ids)
    organization_ids = set().union(*(h.organization_ids for h in happenings))
    condition = Q(kind=Follow.Kind.PROJECT, project_id__in=project_ids)
    if organization_ids:
        condition |= Q(kind=Follow.Kind.ORGANIZATION, organization_id__in=organization_ids)
    searches = {search for searches in matched_searches.values() for search in searches}
    if searches:
        condition |= Q(kind=Follow.Kind.SEARCH, search__in=searches)
    by_project, by_organization, by_search = defaultdict(list), defaultdict(list), defaultdict(list)
    kind_order = {Follow.Kind.PROJECT: 0, Follow.Kind.ORGANIZATION: 1, Follow.Kind.SEARCH: 2}
    follows = sorted(Follow.objects.filter(condition), key=lambda f: (kind_order[f.kind], f.pk))
    for follow in follows:
        if follow.kind == Follow.Kind.PROJECT:
            by_project[follow.project_id].append(follow)
        elif follow.kind == Follow.Kind.ORGANIZATION:
            by_organization[follow.organization_id].append(follow)
        else:
            by_search[follow.search].append(follow)
    for happening in happenings:
        found = list(by_project.get(happening.project_id, ()))
        for organization_id in sorted(happening.organization_ids):
            found += by_organization.get(organization_id, ())
        for search in sorted(matched_searches.get(happening.project_id, ())):
            found += by_search.get(search, ())
        happening.follows = found


def _matching_searches(project_ids) -> dict[int, set[str]]:
    """Which saved searches each changed project matches: each distinct search once, evaluated
    on the changed projects only, many searches to a query."""
    from projects.filtersets import ProjectFilterSet

    if not project_ids:
        return {}
    searches = list(
        Follow.objects.filter(kind=Follow.Kind.SEARCH).order_by("search").values_list("search", flat=True).distinct()
    )
    matches: dict[int, set[str]] = defaultdict(set)
    base = selectors.PUBLIC.projects().filter(pk__in=project_ids)
    for start in range(0, len(searches), SEARCHES_PER_QUERY):
        chunk = searches[start : start + SEARCHES_PER_QUERY]
        queries = []
        for number, search in enumerate(chunk):
            filterset = ProjectFilterSet(QueryDict(search), queryset=base)
            if not filterset.is_valid():
                continue  # saved when valid; a filter changed since then matches nothing
            queries.append(
                filterset.qs.order_by().annotate(search_number=Value(start + number)).values_list("pk", "search_number")
            )
        if not queries:
            continue
        union = queries[0].union(*queries[1:], all=True) if len(queries) > 1 else queries[0]
        for project_id, number in union:
            matches[project_id].add(searches[number])
    return matches


def payload_of(happening: Happening, project: Project | None, site: str) -> dict:
    """What a notification keeps and a webhook receives about one change (all of it public)."""
    change = happening.change
    payload = {
        "event": happening.event,
        "change": {"id": change.pk, "time": change.time.isoformat(), "action": change.action},
    }
    if project is not None:
        path = reverse("projects:detail", kwargs={"slug": project.slug})
        payload["project"] = {
            "id": project.pk,
            "slug": project.slug,
            "name": project.name,
            "status": project.status,
            "url": f"{site}{path}",
            "api_url": f"{site}/api/v1/projects/{project.slug}/",
        }
    if happening.event == Event.STATUS_CHANGED:
        payload["status"] = {
            "from": (change.prechange_data or {}).get("status"),
            "to": (change.postchange_data or {}).get("status"),
        }
    claim = happening.claim
    if claim is not None:
        with translation.override(settings.LANGUAGE_CODE):
            payload["claim"] = {
                "id": claim.pk,
                "attribute": claim.attribute,
                "value": claim.display_value,
                "value_text": claim.value_text,
                "value_number": str(claim.value_number) if claim.value_number is not None else None,
                "unit": claim.unit,
                "currency": claim.currency,
                "value_date": claim.value_date.isoformat() if claim.value_date else None,
                "quote": claim.quote,
                "organization": claim.organization_id,
                "source": {"url": claim.source.url, "title": claim.source.title} if claim.source_id else None,
                "api_url": f"{site}/api/v1/claims/{claim.pk}/",
            }
    return payload


def _deliveries(happenings: list[Happening], payloads: dict) -> tuple[int, list[int]]:
    """A delivery per active subscription and change it asks for; the IDs of those still to send."""
    owners = {follow.user_id for h in happenings for follow in h.follows}
    subscriptions = list(
        WebhookSubscription.objects.filter(active=True, owner_id__in=owners).prefetch_related("follows")
    )
    if not subscriptions:
        return 0, []
    deliveries = []
    for subscription in subscriptions:
        chosen = {follow.pk for follow in subscription.follows.all()}
        for happening in happenings:
            if subscription.events and happening.event not in subscription.events:
                continue
            mine = [f for f in happening.follows if f.user_id == subscription.owner_id]
            if chosen:
                mine = [f for f in mine if f.pk in chosen]
            if mine:
                deliveries.append(
                    WebhookDelivery(
                        subscription=subscription,
                        change=happening.change,
                        event=happening.event,
                        payload=payloads[happening.change.pk],
                    )
                )
    made = set(
        WebhookDelivery.objects.filter(
            subscription__in=subscriptions, change_id__in=[h.change.pk for h in happenings]
        ).values_list("subscription_id", "change_id")
    )
    deliveries = [d for d in deliveries if (d.subscription.pk, d.change.pk) not in made]
    WebhookDelivery.objects.bulk_create(deliveries, ignore_conflicts=True, batch_size=BULK_BATCH)
    pending = WebhookDelivery.objects.filter(
        subscription__in=subscriptions,
        change_id__in=[h.change.pk for h in happenings],
        delivered_at__isnull=True,
    ).values_list("pk", flat=True)
    return len(deliveries), sorted(pending)


# Webhook calls ---------------------------------------------------------------------------


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def check_target(url: str):
    """Refuse at once a target the calls could never reach: not http(s), or a loopback, private or
    reserved address written as such. Host names are resolved, checked and pinned at each call
    (``projects.fetching``), not here: a name may resolve elsewhere by then."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError({"url": _("Only http and https addresses can be called.")})
    if settings.FETCH_ALLOW_PRIVATE:
        return
    host = parts.hostname.rstrip(".").lower()
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        if host == "localhost" or host.endswith(".localhost"):
            raise ValidationError(
                {"url": _("%(host)s is not a public address; it cannot be called.") % {"host": parts.hostname}}
            ) from None
        return
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if not address.is_global or address.is_multicast:
        raise ValidationError(
            {"url": _("%(host)s is not a public address; it cannot be called.") % {"host": parts.hostname}}
        )


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signed_request(delivery: WebhookDelivery, now: int | None = None) -> tuple[bytes, dict[str, str]]:
    """The body and headers of one attempt. The body carries the delivery's ID and the time it was
    sent (also in ``X-Tracker-Timestamp``), so the signature over the body covers both: a receiver
    refuses a body it saw before (by ``delivery``) or one sent too long ago (by ``sent_at``)."""
    now = int(time.time()) if now is None else now
    body = orjson.dumps({**delivery.payload, "delivery": delivery.pk, "sent_at": now}, option=orjson.OPT_SORT_KEYS)
    headers = {
        "Content-Type": "application/json",
        "X-Tracker-Event": delivery.event,
        "X-Tracker-Delivery": str(delivery.pk),
        TIMESTAMP_HEADER: str(now),
        SIGNATURE_HEADER: sign(delivery.subscription.secret, body),
    }
    return body, headers


def verify(secret: str, body: bytes, signature: str, timestamp: str, *, tolerance: int = 300) -> bool:
    """What a receiver checks: the signature, and that the call is recent and its time is the body's."""
    # bytes: compare_digest refuses a str with non-ASCII characters, which a forged header may hold
    if not hmac.compare_digest(sign(secret, body).encode(), (signature or "").encode()):
        return False
    try:
        sent_at = orjson.loads(body).get("sent_at")
        return str(sent_at) == timestamp and abs(time.time() - int(timestamp)) <= tolerance
    except (ValueError, TypeError, AttributeError):
        return False


class DeliveryFailed(Exception):
    """The receiver did not take the call; the queue tries again later."""


# Statuses worth trying again: the receiver may take the call later.
RETRY_STATUSES = {408, 425, 429}


def deliver(delivery_id: int) -> WebhookDelivery | None:
    """One attempt at a delivery, unless it was delivered or another worker is sending it.

    Raises ``DeliveryFailed`` when it should be tried again (a network error, a 5xx, a 429).
    """
    retry = None
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .select_related("subscription")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.delivered_at is not None:
            return delivery
        subscription = delivery.subscription
        if not subscription.active:
            delivery.error = _("The subscription is not active.")
            delivery.save(update_fields=["error"])
            return delivery
        delivery.attempts += 1
        delivery.last_attempt_at = timezone.now()
        body, headers = signed_request(delivery)
        try:
            response = fetch(
                subscription.url, method="POST", headers=headers, body=body, timeout=settings.WEBHOOK_TIMEOUT
            )
        except FetchError as exc:
            delivery.status_code = None
            delivery.error = str(exc)[:500]
            retry = delivery.error
        else:
            delivery.status_code = response.status
            if response.url != subscription.url:
                delivery.error = _("The receiver redirected the call to %(url)s.") % {"url": response.url[:400]}
            elif 200 <= response.status < 300:
                delivery.delivered_at = timezone.now()
                delivery.error = ""
            else:
                delivery.error = _("The receiver answered %(status)s.") % {"status": response.status}
                if response.status >= 500 or response.status in RETRY_STATUSES:
                    retry = delivery.error
        delivery.save(update_fields=["attempts", "last_attempt_at", "status_code", "error", "delivered_at"])
    if retry is not None:
        raise DeliveryFailed(retry)
    return delivery


# Digests ---------------------------------------------------------------------------------

DIGEST_PERIODS = {
    DigestPreference.Frequency.DAILY: datetime.timedelta(days=1),
    DigestPreference.Frequency.WEEKLY: datetime.timedelta(days=7),
}
# Notifications listed in one digest at most (the page lists them all).
DIGEST_MAX_ITEMS = 100


def send_digests(frequency: str, now: datetime.datetime | None = None) -> int:
    """E-mail each user who asked for this digest the notifications not sent yet; returns how many
    e-mails were sent. One query for the users, one for their notifications, one to mark them."""
    now = now or timezone.now()
    preferences = list(
        DigestPreference.objects.filter(frequency=frequency, user__is_active=True)
        .exclude(user__email="")
        .filter(user__notifications__digested_at__isnull=True)
        .distinct()
        .select_related("user")
    )
    if not preferences:
        return 0
    pending: dict[int, list[Notification]] = defaultdict(list)
    for notification in Notification.objects.filter(
        user__in=[p.user for p in preferences], digested_at__isnull=True
    ).order_by("-created", "-id"):
        pending[notification.user_id].append(notification)
    site = settings.DATA_SITE_URL.rstrip("/")
    messages, sent_ids = [], []
    for preference in preferences:
        items = pending.get(preference.user_id, [])
        if not items:
            continue
        with translation.override(settings.LANGUAGE_CODE):
            context = {
                "user": preference.user,
                "items": items[:DIGEST_MAX_ITEMS],
                "more": max(len(items) - DIGEST_MAX_ITEMS, 0),
                "page_url": f"{site}{reverse('following:notifications')}",
                "frequency": preference.get_frequency_display(),
            }
            subject = _("%(count)s changes to what you follow") % {"count": len(items)}
            body = render_to_string("following/digest.txt", context)
        messages.append(mail.EmailMessage(subject, body, to=[preference.user.email]))
        sent_ids += [item.pk for item in items]
    if messages:
        mail.get_connection().send_messages(messages)
    Notification.objects.filter(pk__in=sent_ids).update(digested_at=now)
    DigestPreference.objects.filter(pk__in=[p.pk for p in preferences]).update(last_sent_at=now)
    return len(messages)


# Corrections from readers ----------------------------------------------------------------


@transaction.atomic
def suggest_correction(
    *, project: Project, attribute: str, values: dict, source_url: str, note: str = "", email: str = ""
) -> Claim:
    """A reader's correction becomes a proposed claim in the review queue, standing on a source
    for the link they gave (not fetched here: reviewers open it). It changes nothing by itself."""
    from projects import services

    source = Source.objects.filter(url=source_url).first()
    if source is None:
        source = services.record_save(
            instance=Source(url=source_url, title=_("Link suggested by a reader")[:500], publisher=_host(source_url))
        )
    reader_note = _("Suggested by a reader.")
    if note:
        reader_note = f"{reader_note} {note}"
    claim = services.claim_create(
        data={
            "project": project,
            "source": source,
            "attribute": attribute,
            "status": choices.ClaimStatus.PROPOSED,
            "origin": choices.ClaimOrigin.MANUAL,
            "note": reader_note[:500],
            **values,
        },
        user=AnonymousUser(),  # never a reviewer: the claim is proposed whatever it says
    )
    Correction.objects.create(claim=claim, email=email, note=note[:1000])
    return claim


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "")[:200]
