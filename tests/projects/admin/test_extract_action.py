from decimal import Decimal

import pytest
from django.urls import reverse

from projects.models import Claim
from tests.factories import SourceFactory

pytestmark = pytest.mark.django_db

REVISED = (
    "Escaudain : le data center se précise\n\n"
    "Le projet de centre de données d'Escaudain occupera 33 hectares de l'ancien site Usinor, "
    "pour une capacité de 700 mégawatts."
)


def run_action(client, *sources):
    return client.post(
        reverse("admin:projects_source_changelist"),
        {"action": "extract_facts", "_selected_action": [source.pk for source in sources]},
        follow=True,
    )


def test_extract_action_proposes_claims_and_reports_conflicts(demo, client, editor):
    client.force_login(editor)
    source = SourceFactory(text=REVISED, language="fr")
    response = run_action(client, source)
    messages = [str(message) for message in response.context["messages"]]
    assert any("in conflict" in message and demo.name in message for message in messages), messages
    area = Claim.objects.get(source=source, attribute="site_area_ha")
    assert (area.status, area.value_number, area.in_conflict) == ("proposed", Decimal("33"), True)


def test_source_without_text_or_url_is_reported_and_nothing_changes(client, editor):
    client.force_login(editor)
    source = SourceFactory(text="", url=None)
    response = run_action(client, source)
    assert any("nothing extracted" in str(message) for message in response.context["messages"])
    assert not Claim.objects.exists()


def test_readers_cannot_extract(client, reader):
    client.force_login(reader)
    source = SourceFactory(text=REVISED)
    run_action(client, source)
    assert not Claim.objects.exists()
