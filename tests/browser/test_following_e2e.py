"""Following and corrections in a real Chromium, against the live server: a reader signs in,
follows a project from its page, and a webhook receiver on loopback is called, signed, when a
reviewer accepts a claim of it; an anonymous reader's correction reaches the review queue."""

import hashlib
import hmac
import json
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from playwright.sync_api import expect

from projects import choices, services
from projects.following.models import Correction, Follow, WebhookSubscription
from projects.models import Claim
from tests.factories import ClaimFactory, ProjectFactory, UserFactory
from tests.projects.following.conftest import serve_receiver

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def receiver(settings):
    settings.FETCH_ALLOW_PRIVATE = True  # the receiver listens on 127.0.0.1
    with serve_receiver() as state:
        yield state


PASSWORD = "correct horse battery staple"
SECRET = "a-long-shared-secret-for-the-receiver"


def test_a_reader_follows_a_project_and_its_webhook_is_called_when_a_claim_is_accepted(live_server, page, receiver):
    call_command("setup_roles", verbosity=0)
    reader = UserFactory(username="lectrice")
    reader.groups.add(Group.objects.get(name="readers"))
    project = ProjectFactory(name="Mastaing campus")
    claim = ClaimFactory(project=project, value_number=Decimal("250"))
    WebhookSubscription.objects.create(owner=reader, url=receiver.url, secret=SECRET)

    page.goto(f"{live_server.url}/projects/{project.slug}/")
    page.get_by_role("link", name="Sign in to follow this project").click()
    page.get_by_label("Username").fill("lectrice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server.url}/projects/{project.slug}/")
    page.get_by_role("button", name="Follow this project").click()
    expect(page.get_by_text("You follow this project.")).to_be_visible()
    assert Follow.objects.filter(user=reader, project=project).exists()

    services.claim_accept(claim=claim)  # committed: the fan-out runs inline (no broker)

    assert len(receiver.calls) == 1
    call = receiver.calls[0]
    assert (
        call.headers["x-tracker-signature"]
        == "sha256=" + hmac.new(SECRET.encode(), call.body, hashlib.sha256).hexdigest()
    )
    assert json.loads(call.body)["claim"]["value"] == "250 MW"
    page.get_by_role("link", name="Your notifications").click()
    expect(
        page.get_by_role("link", name="Mastaing campus: Capacity (MW), 250 MW (accepted from a source)")
    ).to_be_visible()


def test_a_readers_correction_goes_to_the_review_queue(live_server, page):
    project = ProjectFactory(name="Fouju hall", capacity_mw=Decimal("100"))
    page.goto(f"{live_server.url}/projects/{project.slug}/")
    page.get_by_text("Suggest a correction").click()
    page.get_by_label("What to correct").select_option(label="Capacity (MW)")
    page.get_by_label("Correct value").fill("140")
    page.get_by_label("Link to the source").fill("https://www.example.org/fouju-140-mw")
    page.wait_for_timeout(3200)  # a person takes a few seconds; a robot sending at once is refused
    page.get_by_role("button", name="Send the correction").click()
    expect(page.get_by_role("heading", name="Thank you: your correction was sent")).to_be_visible()
    claim = Claim.objects.get(project=project)
    assert claim.status == choices.ClaimStatus.PROPOSED and claim.value_number == Decimal("140")
    assert Correction.objects.filter(claim=claim).exists()
    project.refresh_from_db()
    assert project.capacity_mw == Decimal("100")

    # the honeypot, filled by a robot, is refused with its field named
    page.goto(f"{live_server.url}/projects/{project.slug}/correction/")
    page.get_by_label("Correct value").fill("9999")
    page.get_by_label("Link to the source").fill("https://spam.example.org/")
    page.evaluate("document.querySelector('[name=website]').value = 'http://spam.example.org'")
    page.wait_for_timeout(3200)
    page.get_by_role("button", name="Send the correction").click()
    expect(page.get_by_text("The correction was not sent; see the fields below.")).to_be_visible()
    assert Claim.objects.filter(project=project).count() == 1
