"""Readers follow from the pages and read their notifications; corrections go to the review queue;
digests go out by e-mail."""

import datetime
import re
import time
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core import mail, signing
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from projects import choices, services
from projects.following import services as following
from projects.following.forms import SIGNING_SALT, form_token
from projects.following.models import Correction, DigestPreference, Event, Follow, Notification
from projects.models import Claim, Source
from tests.factories import ClaimFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(db):
    call_command("setup_roles", verbosity=0)
    user = UserFactory(username="reader", email="reader@example.org")
    user.groups.add(Group.objects.get(name="readers"))
    return user


@pytest.fixture
def reader_client(client, reader):
    assert client.login(username="reader", password="correct horse battery staple")
    return client


def test_a_reader_signs_in_follows_a_project_from_its_page_and_is_notified(
    client, reader, django_capture_on_commit_callbacks
):
    project = ProjectFactory(name="Mastaing campus")
    page = client.get(reverse("projects:detail", kwargs={"slug": project.slug}))
    assert "Sign in to follow this project" in page.text
    login = client.post(
        reverse("following:login"),
        {"username": "reader", "password": "correct horse battery staple", "next": f"/projects/{project.slug}/"},
    )
    assert login.status_code == 302 and login["Location"] == f"/projects/{project.slug}/"
    page = client.get(f"/projects/{project.slug}/")
    assert "Follow this project" in page.text
    response = client.post(reverse("following:follow"), {"project": project.slug, "next": f"/projects/{project.slug}/"})
    assert response.status_code == 302
    follow = Follow.objects.get(user=reader)
    assert follow.project == project
    assert "You follow this project." in client.get(f"/projects/{project.slug}/").text

    claim = ClaimFactory(project=project, value_number=Decimal("120"))
    with django_capture_on_commit_callbacks(execute=True):
        services.claim_accept(claim=claim)

    notifications = client.get(reverse("following:notifications"))
    assert notifications.status_code == 200
    assert "Mastaing campus: Capacity (MW), 120 MW (accepted from a source)" in notifications.text
    assert "1 unread" in notifications.text
    client.post(reverse("following:mark-read"))
    assert not Notification.objects.filter(is_read=False).exists()


def test_notifications_need_a_sign_in(client):
    response = client.get(reverse("following:notifications"))
    assert response.status_code == 302 and response["Location"].startswith("/account/login/")


def test_the_notifications_page_is_in_french(reader_client, reader):
    reader_client.cookies["django_language"] = "fr"
    page = reader_client.get(reverse("following:notifications"), HTTP_ACCEPT_LANGUAGE="fr")
    assert "Vos notifications" in page.text
    assert "Résumé par e-mail" in page.text


def test_the_list_page_saves_its_search(reader_client, reader):
    page = reader_client.get("/projects/?country=FR&capacity_min=50")
    assert "Follow this search" in page.text
    response = reader_client.post(reverse("following:follow"), {"search": "country=FR&capacity_min=50&page=1"})
    assert response.status_code == 302
    follow = Follow.objects.get(user=reader)
    assert follow.kind == Follow.Kind.SEARCH and follow.search == "capacity_min=50&country=FR"
    refused = reader_client.post(reverse("following:follow"), {"search": "capacity_min=lots"})
    assert refused.status_code == 400 and "capacity_min" in refused.text


def test_another_users_follow_cannot_be_deleted(reader_client):
    other = UserFactory()
    follow, _ = following.follow_project(user=other, project=ProjectFactory())
    assert reader_client.post(reverse("following:unfollow", args=[follow.pk])).status_code == 404
    assert Follow.objects.filter(pk=follow.pk).exists()


def test_the_digest_goes_by_email_once(reader, django_capture_on_commit_callbacks):
    project = ProjectFactory(name="Fouju")
    following.follow_project(user=reader, project=project)
    following.set_digest(user=reader, frequency=DigestPreference.Frequency.DAILY)
    quiet = UserFactory(email="quiet@example.org")
    following.follow_project(user=quiet, project=project)  # no digest asked
    with django_capture_on_commit_callbacks(execute=True):
        services.claim_accept(claim=ClaimFactory(project=project, value_number=Decimal("90")))
        project.refresh_from_db()
        services.project_update(project=project, data={"status": choices.ProjectStatus.PERMITTED})

    from projects.following import tasks

    assert tasks.send_digests.delay("daily").get() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["reader@example.org"]
    assert message.subject == "2 changes to what you follow"
    assert "Fouju: Capacity (MW), 90 MW (accepted from a source)" in message.body
    assert "Fouju: the status is now Permitted" in message.body
    assert "/account/notifications/" in message.body
    assert tasks.send_digests.delay("daily").get() == 0  # nothing new
    assert tasks.send_digests.delay("weekly").get() == 0
    assert len(mail.outbox) == 1
    assert DigestPreference.objects.get(user=reader).last_sent_at is not None


def test_digests_are_scheduled(settings):
    tasks_scheduled = {entry["task"]: entry for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "projects.following.tasks.send_digests" in tasks_scheduled
    args = sorted(e["args"] for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"].endswith("send_digests"))
    assert args == [("daily",), ("weekly",)]


# Corrections ------------------------------------------------------------------------------


def correction_data(project, **fields):
    token = signing.dumps({"project": project.pk, "shown": int(time.time()) - 60}, salt=SIGNING_SALT)
    return {
        "attribute": "capacity_mw",
        "value": "1 200",
        "currency": "",
        "source_url": "https://www.lavoixdunord.fr/article/escaudain-data-center",
        "note": "The article of 12 March gives 1.2 GW.",
        "email": "lecteur@example.org",
        "website": "",
        "token": token,
        **fields,
    }


def test_a_readers_correction_lands_in_the_review_queue_as_a_proposed_claim(client, admin_client):
    project = ProjectFactory(capacity_mw=Decimal("100"))
    page = client.get(f"/projects/{project.slug}/")
    assert "Suggest a correction" in page.text and 'name="website"' in page.text
    response = client.post(reverse("following:correction", args=[project.slug]), correction_data(project))
    assert response.status_code == 302
    assert response["Location"] == reverse("following:correction-sent", args=[project.slug])

    claim = Claim.objects.get(project=project)
    assert claim.status == choices.ClaimStatus.PROPOSED
    assert claim.value_number == Decimal("1200") and claim.attribute == "capacity_mw"
    assert claim.source.url == "https://www.lavoixdunord.fr/article/escaudain-data-center"
    assert claim.source.text == ""  # not fetched in the request
    assert claim.note.startswith("Suggested by a reader.")
    assert Correction.objects.get(claim=claim).email == "lecteur@example.org"
    project.refresh_from_db()
    assert project.capacity_mw == Decimal("100")  # nothing changed by itself
    # the admin's review queue lists it, without the reader's e-mail address in the claim
    queue = admin_client.get("/admin/projects/claim/")
    assert queue.status_code == 200
    assert "1,200 MW" in queue.text or "1 200 MW" in queue.text or "1200 MW" in queue.text
    assert "lecteur@example.org" not in client.get(f"/api/v1/claims/{claim.pk}/").text


def test_corrections_name_the_fields_in_error(client):
    project = ProjectFactory()
    url = reverse("following:correction", args=[project.slug])
    response = client.post(url, correction_data(project, value="a lot", source_url="not a link"))
    assert response.status_code == 400
    assert "Correct value: Give a number" in response.text
    assert "Link to the source: Enter a valid URL." in response.text
    money = client.post(url, correction_data(project, attribute="investment", value="1000000000"))
    assert money.status_code == 400 and "Currency of an amount: Give the three-letter currency" in money.text
    date = client.post(url, correction_data(project, attribute="announced_on", value="2026-02-30"))
    assert date.status_code == 400 and "YYYY-MM-DD" in date.text
    assert not Claim.objects.exists()
    good = client.post(url, correction_data(project, attribute="announced_on", value="2026-02"))
    assert good.status_code == 302
    claim = Claim.objects.get()
    assert claim.value_date == datetime.date(2026, 2, 1) and claim.value_date_precision == "month"


def test_the_spam_guard_refuses_the_honeypot_a_quick_robot_and_an_altered_form(client):
    project = ProjectFactory()
    url = reverse("following:correction", args=[project.slug])
    assert client.post(url, correction_data(project, website="http://spam.example")).status_code == 400
    assert client.post(url, correction_data(project, token=form_token(project.pk))).status_code == 400  # at once
    assert client.post(url, correction_data(project, token="forged")).status_code == 400
    other = ProjectFactory()
    assert client.post(url, correction_data(other)).status_code == 400  # a form of another project
    assert not Claim.objects.exists()


def test_corrections_are_throttled_per_address(client, settings):
    settings.CORRECTION_THROTTLE = "2/hour"
    project = ProjectFactory()
    url = reverse("following:correction", args=[project.slug])
    for n in range(2):
        assert client.post(url, correction_data(project, value=str(200 + n))).status_code == 302
    refused = client.post(url, correction_data(project, value="300"))
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert Claim.objects.count() == 2


def test_corrections_need_the_csrf_token(project_client_csrf):
    client, project = project_client_csrf
    response = client.post(reverse("following:correction", args=[project.slug]), correction_data(project))
    assert response.status_code == 403
    assert not Claim.objects.exists()


@pytest.fixture
def project_client_csrf(db):
    from django.test import Client

    return Client(enforce_csrf_checks=True), ProjectFactory()


def test_a_draft_takes_no_correction(client):
    draft = ProjectFactory(is_draft=True)
    assert client.get(reverse("following:correction", args=[draft.slug])).status_code == 404
    assert client.post(reverse("following:correction", args=[draft.slug]), correction_data(draft)).status_code == 404


def test_the_correction_form_is_in_french(client):
    project = ProjectFactory()
    page = client.get(f"/projects/{project.slug}/", HTTP_ACCEPT_LANGUAGE="fr")
    assert "Proposer une correction" in page.text
    response = client.post(
        reverse("following:correction", args=[project.slug]),
        correction_data(project, value="beaucoup"),
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert re.search(r"Valeur correcte\s*: Donnez un nombre", response.text)


def test_the_same_link_twice_is_one_source(client):
    project = ProjectFactory()
    url = reverse("following:correction", args=[project.slug])
    client.post(url, correction_data(project, value="150"))
    client.post(url, correction_data(project, attribute="jobs_permanent", value="40"))
    assert Source.objects.count() == 1 and Claim.objects.count() == 2


def test_a_notification_for_a_published_project(reader, django_capture_on_commit_callbacks):
    following.follow_search(user=reader, query="country=FR")
    draft = ProjectFactory(is_draft=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.project_update(project=draft, data={"is_draft": False})
    notification = Notification.objects.get(user=reader)
    assert notification.event == Event.PUBLISHED and notification.project == draft
    assert notification.created <= timezone.now()


def test_the_notifications_page_runs_as_many_queries_for_30_as_for_3(
    reader_client, reader, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    project = ProjectFactory()
    following.follow_project(user=reader, project=project)

    def notify(count):
        claims = [ClaimFactory(project=project, value_number=Decimal(n + 1)) for n in range(count)]
        with django_capture_on_commit_callbacks(execute=True):
            for claim in claims:
                services.claim_accept(claim=claim)

    notify(3)
    with CaptureQueriesContext(connection) as few:
        assert reader_client.get(reverse("following:notifications")).status_code == 200
    notify(27)
    assert Notification.objects.filter(user=reader).count() == 30
    with django_assert_max_num_queries(len(few)):
        page = reader_client.get(reverse("following:notifications"))
    assert page.text.count("(accepted from a source)") == 30


def test_hostile_names_are_text_in_notifications_and_digests(reader_client, reader, django_capture_on_commit_callbacks):
    project = ProjectFactory(name='<script>alert("x")</script> campus')
    following.follow_project(user=reader, project=project)
    with django_capture_on_commit_callbacks(execute=True):
        services.claim_accept(claim=ClaimFactory(project=project, value_number=Decimal("5")))
    page = reader_client.get(reverse("following:notifications"))
    assert '<script>alert("x")</script>' not in page.text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; campus" in page.text
