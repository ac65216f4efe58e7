"""The review queue shows how sure the extractor was of each proposal, and why."""

from decimal import Decimal

import pytest
from django.urls import reverse

from projects.ingestion import ingest_source, store_source
from projects.models import Claim
from tests.factories import ClaimFactory

pytestmark = pytest.mark.django_db

ARTICLE = """Hyperscale campus planned in Cambrai

A developer has unveiled plans for a 250 MW data centre campus in Cambrai, northern France, \
with an investment of €1.2bn and 300 permanent jobs.
"""


def queue(client, query=""):
    return client.get(reverse("admin:projects_claim_changelist") + query)


def test_an_ingested_proposal_shows_its_confidence_and_reason_in_the_queue(admin_client):
    source = store_source(text=ARTICLE, title="Hyperscale campus planned in Cambrai")
    ingest_source(source=source)
    capacity = Claim.objects.get(source=source, attribute="capacity_mw")
    assert capacity.confidence is not None and capacity.note  # the reason travels with the claim

    response = queue(admin_client)
    page = response.content.decode()
    assert "column-confidence_display" in page and "column-reason_display" in page
    model_admin = response.context["cl"].model_admin
    assert model_admin.confidence_display(capacity) == f"{capacity.confidence:.2f}"
    assert model_admin.reason_display(capacity) in page


def test_low_confidence_is_marked_and_filtered(admin_client):
    low = ClaimFactory(value_number=Decimal("90"), confidence=0.3, note="inferred: a figure near the name")
    sure = ClaimFactory(value_number=Decimal("100"), confidence=0.9, note="exact phrase")
    by_hand = ClaimFactory(value_number=Decimal("110"))

    response = queue(admin_client)
    model_admin = response.context["cl"].model_admin
    assert model_admin.confidence_display(low) == "low · 0.30"
    assert model_admin.confidence_display(sure) == "0.90"
    assert model_admin.confidence_display(by_hand) == "—"
    assert "low · 0.30" in response.content.decode()

    assert list(queue(admin_client, "?confidence=low").context["cl"].result_list) == [low]
    assert list(queue(admin_client, "?confidence=high").context["cl"].result_list) == [sure]
    assert list(queue(admin_client, "?confidence=none").context["cl"].result_list) == [by_hand]


def test_a_reason_is_shown_as_text_never_as_html(admin_client):
    ClaimFactory(confidence=0.4, note="cue words: <b>prévu</b>")
    page = queue(admin_client).content.decode()
    assert "<b>prévu</b>" not in page
    assert "&lt;b&gt;prévu&lt;/b&gt;" in page
