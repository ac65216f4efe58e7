"""What changed between two days shows anonymous readers nothing written while the project was a
draft, as its state on those days (?as_of=) is not shown to them."""

import pytest

from projects import services
from projects.models import Project
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def published_after_a_draft():
    editor = UserFactory(is_staff=True, is_superuser=True)
    project = services.project_create(
        data={"name": "Codename Bluebird for Acme", "is_draft": True, "status": "announced", "country": "FR"},
        user=editor,
    )
    services.project_update(project=Project.objects.get(pk=project.pk), data={"name": "Escaudain campus"}, user=editor)
    services.project_update(project=Project.objects.get(pk=project.pk), data={"is_draft": False}, user=editor)
    project = Project.objects.get(pk=project.pk)
    services.project_update(project=project, data={"capacity_mw": 240}, user=editor)
    return Project.objects.get(pk=project.pk), editor


def test_the_changes_page_and_api_leave_out_the_draft_days(client, published_after_a_draft):
    project, _editor = published_after_a_draft
    page = client.get(f"/projects/{project.slug}/changes/")
    api = client.get(f"/api/v1/projects/{project.slug}/changes/")
    assert page.status_code == 200 and api.status_code == 200
    assert "Bluebird" not in page.content.decode() and "Bluebird" not in api.content.decode()
    # what was written once it was published is listed: the publication and the capacity
    assert len(api.json()["results"]) == 2


def test_those_who_may_see_drafts_still_read_every_change(client, published_after_a_draft):
    project, editor = published_after_a_draft
    client.force_login(editor)
    api = client.get(f"/api/v1/projects/{project.slug}/changes/")
    assert "Bluebird" in api.content.decode()
