"""A followed project's accepted claim reaches its followers: a notification, and one signed JSON
POST to each webhook subscription, retried by the queue, never about what readers cannot see."""

import hashlib
import hmac
import json
import time
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import ObjectChange
from projects import choices, services
from projects.following import services as following
from projects.following import tasks
from projects.following.models import Event, Follow, Notification, WebhookDelivery, WebhookSubscription
from projects.models import Claim
from tests.factories import ClaimFactory, OrganizationFactory, ProjectFactory, UserFactory, make

pytestmark = pytest.mark.django_db

SECRET = "a-long-shared-secret-for-the-receiver"


def subscribe(user, url, **fields):
    return WebhookSubscription.objects.create(owner=user, url=url, secret=SECRET, **fields)


def accept(claim, capture):
    with capture(execute=True):
        return services.claim_accept(claim=claim)


def test_a_claim_accepted_on_a_followed_project_sends_one_signed_call(receiver, django_capture_on_commit_callbacks):
    project = ProjectFactory(name="Escaudain AI")
    reader = UserFactory()
    following.follow_project(user=reader, project=project)
    subscribe(reader, receiver.url)
    claim = ClaimFactory(project=project, value_number=Decimal("700"), quote="a 700 MW campus")
    assert receiver.calls == []  # proposed: nothing to tell

    accept(claim, django_capture_on_commit_callbacks)

    assert len(receiver.calls) == 1
    call = receiver.calls[0]
    assert call.path == "/hooks/tracker"
    assert call.headers["content-type"] == "application/json"
    expected = "sha256=" + hmac.new(SECRET.encode(), call.body, hashlib.sha256).hexdigest()
    assert call.headers["x-tracker-signature"] == expected
    assert following.verify(SECRET, call.body, call.headers["x-tracker-signature"], call.headers["x-tracker-timestamp"])
    assert not following.verify("another secret", call.body, expected, call.headers["x-tracker-timestamp"])
    body = json.loads(call.body)
    assert body["event"] == Event.CLAIM_ACCEPTED == call.headers["x-tracker-event"]
    assert str(body["sent_at"]) == call.headers["x-tracker-timestamp"]
    assert abs(body["sent_at"] - time.time()) < 60
    assert body["project"]["slug"] == project.slug
    assert body["claim"]["id"] == claim.pk
    assert body["claim"]["value"] == "700 MW"
    assert body["claim"]["quote"] == "a 700 MW campus"
    delivery = WebhookDelivery.objects.get()
    assert body["delivery"] == delivery.pk == int(call.headers["x-tracker-delivery"])
    assert delivery.delivered_at is not None and delivery.status_code == 200 and delivery.attempts == 1
    # the reader's notification of the same change
    notification = Notification.objects.get(user=reader)
    assert notification.event == Event.CLAIM_ACCEPTED and notification.claim_id == claim.pk
    assert notification.project_id == project.pk


def test_a_tampered_or_replayed_body_does_not_verify():
    body = b'{"delivery":1,"event":"claim.accepted","sent_at":1000}'
    signature = following.sign(SECRET, body)
    assert not following.verify(SECRET, body, signature, "1000")  # too old
    now = int(time.time())
    fresh = json.dumps({"delivery": 1, "sent_at": now}).encode()
    assert following.verify(SECRET, fresh, following.sign(SECRET, fresh), str(now))
    assert not following.verify(SECRET, fresh, following.sign(SECRET, fresh), str(now + 1))  # header is not the body's
    assert not following.verify(SECRET, fresh + b" ", following.sign(SECRET, fresh), str(now))


def test_no_call_and_no_notification_for_a_draft_project(receiver, django_capture_on_commit_callbacks):
    draft = ProjectFactory(is_draft=True)
    reader = UserFactory()
    # Followed while it was public, then made a draft again by an editor: readers learn nothing of it.
    Follow.objects.create(user=reader, kind=Follow.Kind.PROJECT, project=draft)
    subscribe(reader, receiver.url)
    claim = ClaimFactory(project=draft)

    accept(claim, django_capture_on_commit_callbacks)

    assert receiver.calls == []
    assert not Notification.objects.exists()
    assert not WebhookDelivery.objects.exists()
    with pytest.raises(Exception, match="not published"):
        following.follow_project(user=reader, project=draft)


def test_a_proposed_or_rejected_claim_is_not_told(receiver, django_capture_on_commit_callbacks):
    project = ProjectFactory()
    reader = UserFactory()
    following.follow_project(user=reader, project=project)
    subscribe(reader, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        claim = ClaimFactory(project=project)
        services.claim_reject(claim=claim)
    assert receiver.calls == [] and not Notification.objects.exists()


@pytest.fixture
def queue_retries(monkeypatch):
    """Jobs run inline as on the embedded default, where a failed attempt is retried at once
    (the test settings otherwise raise a job's first error in the test)."""
    from tracker.celery import app

    was = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = was


def since(start: int) -> list[int]:
    return list(ObjectChange.objects.filter(pk__gt=start).values_list("pk", flat=True))


def last_change() -> int:
    return ObjectChange.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_a_500_is_retried_by_the_queue_then_delivered(receiver, django_capture_on_commit_callbacks, queue_retries):
    receiver.statuses = [500, 503]
    project = ProjectFactory()
    reader = UserFactory()
    following.follow_project(user=reader, project=project)
    subscribe(reader, receiver.url)

    accept(ClaimFactory(project=project), django_capture_on_commit_callbacks)

    assert len(receiver.calls) == 3
    assert len({call.body for call in receiver.calls}) >= 1
    assert len({json.loads(call.body)["delivery"] for call in receiver.calls}) == 1  # the same delivery, again
    delivery = WebhookDelivery.objects.get()
    assert delivery.attempts == 3 and delivery.status_code == 200 and delivery.delivered_at is not None
    assert delivery.error == ""


def test_a_receiver_that_keeps_failing_is_given_up_after_the_attempts_allowed(receiver, settings, queue_retries):
    receiver.statuses = [500] * 20
    project = ProjectFactory()
    reader = UserFactory()
    following.follow_project(user=reader, project=project)
    subscribe(reader, receiver.url)
    claim = ClaimFactory(project=project)
    start = last_change()
    services.claim_accept(claim=claim)
    made = following.fan_out(since(start))
    assert made["deliveries"] == 1
    result = tasks.deliver_webhook.delay(made["to_send"][0])
    assert result.state == "FAILURE" and isinstance(result.result, following.DeliveryFailed)
    delivery = WebhookDelivery.objects.get()
    assert delivery.attempts == settings.WEBHOOK_MAX_ATTEMPTS == len(receiver.calls)
    assert delivery.delivered_at is None and delivery.status_code == 500


def test_fan_out_twice_makes_nothing_twice_and_a_delivered_call_is_not_sent_again(receiver):
    project = ProjectFactory()
    reader = UserFactory()
    following.follow_project(user=reader, project=project)
    subscribe(reader, receiver.url)
    claim = ClaimFactory(project=project)
    start = last_change()
    services.claim_accept(claim=claim)
    change_ids = since(start)

    first = tasks.fan_out.delay(change_ids).get()
    again = tasks.fan_out.delay(change_ids).get()

    assert first == {"notifications": 1, "deliveries": 1}
    assert again == {"notifications": 0, "deliveries": 0}
    delivery = WebhookDelivery.objects.get()
    following.deliver(delivery.pk)
    following.deliver(delivery.pk)
    assert Notification.objects.count() == 1
    assert len(receiver.calls) == 1


def test_a_private_address_is_refused_without_the_test_setting(settings):
    settings.FETCH_ALLOW_PRIVATE = False
    for url in (
        "http://127.0.0.1:9/hook",
        "http://localhost/hook",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "https://10.1.2.3/hook",
        "http://169.254.169.254/latest/meta-data/",
    ):
        with pytest.raises(Exception, match="not a public address"):
            following.check_target(url)
    with pytest.raises(Exception, match="Only http and https"):
        following.check_target("file:///etc/passwd")
    following.check_target("https://hooks.example.org/tracker")  # resolved and checked at each call
    reader = UserFactory()
    project = ProjectFactory()
    following.follow_project(user=reader, project=project)
    subscription = subscribe(reader, "http://127.0.0.1:9/hook")
    claim = ClaimFactory(project=project)
    start = last_change()
    services.claim_accept(claim=claim)
    made = following.fan_out(since(start))
    with pytest.raises(following.DeliveryFailed, match="not a public address"):
        following.deliver(made["to_send"][0])
    assert subscription.deliveries.get().status_code is None


def test_a_subscription_gets_only_its_events_and_its_follows(receiver, django_capture_on_commit_callbacks):
    followed, other = ProjectFactory(), ProjectFactory()
    reader = UserFactory()
    follow, _ = following.follow_project(user=reader, project=followed)
    following.follow_project(user=reader, project=other)
    only_followed = subscribe(reader, receiver.url)
    only_followed.follows.set([follow])
    subscribe(reader, receiver.url + "/status", events=[Event.STATUS_CHANGED])

    accept(ClaimFactory(project=other), django_capture_on_commit_callbacks)
    assert receiver.calls == []
    with django_capture_on_commit_callbacks(execute=True):
        services.project_update(project=followed, data={"status": choices.ProjectStatus.CONSTRUCTION})

    paths = sorted(call.path for call in receiver.calls)
    assert paths == ["/hooks/tracker", "/hooks/tracker/status"]
    assert {json.loads(call.body)["event"] for call in receiver.calls} == {Event.STATUS_CHANGED}
    assert json.loads(receiver.calls[0].body)["status"] == {"from": "planning", "to": "construction"}


def test_an_organization_follow_hears_of_its_projects(django_capture_on_commit_callbacks):
    organization = OrganizationFactory(name="Data4")
    project = ProjectFactory()
    with django_capture_on_commit_callbacks(execute=True):
        make(choices_role_model(), project=project, organization=organization, role=choices.RoleKind.DEVELOPER)
    reader = UserFactory()
    following.follow_organization(user=reader, organization=organization)
    accept(ClaimFactory(project=project), django_capture_on_commit_callbacks)
    assert Notification.objects.get(user=reader).follow.organization == organization


def choices_role_model():
    from projects.models import ProjectRole

    return ProjectRole


def test_a_saved_search_hears_of_the_projects_it_finds(django_capture_on_commit_callbacks):
    big = ProjectFactory(capacity_mw=Decimal("300"), country="FR")
    small = ProjectFactory(capacity_mw=Decimal("10"), country="FR")
    reader = UserFactory()
    follow, _ = following.follow_search(user=reader, query="capacity_min=100&country=FR&page=3")
    assert follow.search == "capacity_min=100&country=FR"
    accept(ClaimFactory(project=small, value_number=Decimal("10")), django_capture_on_commit_callbacks)
    assert not Notification.objects.exists()
    accept(ClaimFactory(project=big, value_number=Decimal("300")), django_capture_on_commit_callbacks)
    assert Notification.objects.get().follow == follow


def test_fan_out_queries_do_not_grow_with_followers_or_rows():
    """The same number of queries for one follower of one change as for 30 followers (projects,
    organizations, searches, webhooks) of 12 changes."""

    def scenario(followers: int, claims: int) -> tuple[int, dict]:
        projects = [ProjectFactory() for _ in range(2)]
        organization = OrganizationFactory()
        for project in projects:
            make(choices_role_model(), project=project, organization=organization, role=choices.RoleKind.OPERATOR)
        accepted = [ClaimFactory(project=projects[n % 2], value_number=Decimal(n + 1)) for n in range(claims)]
        for n in range(followers):
            user = UserFactory()
            following.follow_project(user=user, project=projects[n % 2])
            following.follow_organization(user=user, organization=organization)
            following.follow_search(user=user, query=f"capacity_min={n}")
            WebhookSubscription.objects.create(owner=user, url="https://hooks.example.org/", secret=SECRET)
        start = ObjectChange.objects.order_by("-pk").values_list("pk", flat=True).first()
        for claim in accepted:
            services.claim_accept(claim=claim)
        ids = list(ObjectChange.objects.filter(pk__gt=start).values_list("pk", flat=True))
        with CaptureQueriesContext(connection) as queries:
            made = following.fan_out(ids)
        return len(queries), made

    scenario(followers=1, claims=1)  # the content types, cached for the process, are read once
    few, made_few = scenario(followers=1, claims=1)
    many, made_many = scenario(followers=30, claims=12)
    assert made_few["notifications"] >= 1  # (the first scenario's saved search finds these projects too)
    assert made_many["notifications"] > 12 * 15
    # every notified user has a webhook for all they follow: one call for each notification
    assert made_many["deliveries"] == made_many["notifications"]
    assert many == few, (few, many)
    assert many <= 15


def test_one_fan_out_job_per_write_not_per_row(monkeypatch, django_capture_on_commit_callbacks):
    calls = []
    monkeypatch.setattr(tasks.fan_out, "delay", lambda ids: calls.append(list(ids)))
    project = ProjectFactory()
    claim = ClaimFactory(project=project)
    calls.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.claim_accept(claim=claim)  # the claim, its project's figure: several entries
    assert len(calls) == 1 and len(calls[0]) >= 2
    assert set(calls[0]) <= set(ObjectChange.objects.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        Claim.objects.filter(project=project).update(note="bulk")  # one bulk write of the log
    assert len(calls) == 2
