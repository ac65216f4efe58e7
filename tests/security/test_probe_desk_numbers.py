"""The review desk's forms read numbers a hostile or mistyped post may give as anything: a text
("abc") or a digit int() cannot read ("²", for which str.isdigit() is true). Each is refused with a
message or ignored, never an error page."""

import pytest
from django.urls import reverse

from projects.models import Claim, Project, Source
from tests.projects.test_desk import NEW_PROJECT_ARTICLE, paste, reviewer  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def pasted(client, reviewer):  # noqa: F811
    client.force_login(reviewer)
    paste(client, NEW_PROJECT_ARTICLE)
    source = Source.objects.get()
    return source, Project.objects.get(is_draft=True), Claim.objects.filter(source=source).first()


def test_moving_facts_to_a_target_that_is_no_number_is_refused(client, pasted):
    source, draft, _claim = pasted
    answer = client.post(reverse("desk:project", args=[source.pk, draft.pk]), {"action": "move", "target": "abc"})
    assert answer.status_code == 302
    assert set(Claim.objects.filter(source=source).values_list("project", flat=True)) == {draft.pk}


def test_a_correction_naming_a_superscript_project_keeps_the_facts_project(client, pasted):
    source, draft, claim = pasted
    answer = client.post(
        reverse("desk:fact", args=[source.pk, claim.pk]), {"action": "save", "project": "²", "version": claim.version}
    )
    assert answer.status_code == 302
    assert Claim.objects.get(pk=claim.pk).project_id == draft.pk


def test_accepting_the_confident_facts_ignores_superscript_versions(client, pasted):
    source, _draft, claim = pasted
    answer = client.post(reverse("desk:accept_confident", args=[source.pk]), {"v-²": "1", f"v-{claim.pk}": "²"})
    assert answer.status_code == 302
    assert Claim.objects.get(pk=claim.pk).status == claim.status
