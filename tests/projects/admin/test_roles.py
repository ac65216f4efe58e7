from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from core.models import ObjectChange
from projects import services
from projects.models import Project
from tests.factories import ClaimFactory, ProjectFactory, UserFactory
from tests.projects.admin.helpers import changeform_data

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def accept(client, claim):
    return client.post(
        reverse("admin:projects_claim_changelist"), {"action": "accept_selected", "_selected_action": [claim.pk]}
    )


def earlier_version(project) -> ObjectChange:
    project.refresh_from_db()
    services.project_update(project=project, data={"capacity_mw": Decimal("200")})
    return ObjectChange.objects.filter(content_type__model="project", object_id=project.pk).order_by("id").first()


def revert(client, change):
    return client.post(reverse("admin:core_objectchange_revert", args=[change.pk]))


def test_the_migration_creates_the_roles_and_the_command_is_idempotent():
    assert set(Group.objects.values_list("name", flat=True)) >= {"editors", "reviewers", "readers"}
    before = {group.name: set(group.permissions.all()) for group in Group.objects.all()}
    call_command("setup_roles", verbosity=0)
    call_command("setup_roles", verbosity=0)
    assert {group.name: set(group.permissions.all()) for group in Group.objects.all()} == before
    reviewers = {f"{p.content_type.app_label}.{p.codename}" for p in before["reviewers"]}
    assert {"projects.review_claim", "core.revert_objectchange", "core.restore_objectchange"} <= reviewers
    editors = {f"{p.content_type.app_label}.{p.codename}" for p in before["editors"]}
    assert "projects.change_claim" in editors and "projects.review_claim" not in editors
    assert all(p.codename.startswith("view_") for p in before["readers"])


def test_readers_read_but_change_nothing(reader):
    client = client_for(reader)
    project = ProjectFactory()
    url = reverse("admin:projects_project_change", args=[project.pk])
    response = client.get(url)
    assert response.status_code == 200 and 'name="capacity_mw"' not in response.content.decode()
    assert client.get(reverse("admin:projects_project_history", args=[project.pk])).status_code == 200
    assert client.post(url, {"name": "Renamed"}).status_code == 403
    assert client.get(reverse("admin:projects_project_import")).status_code == 403
    assert client.get(reverse("admin:projects_project_add")).status_code == 403
    assert revert(client, earlier_version(project)).status_code == 403
    claim = ClaimFactory()
    accept(client, claim)
    claim.refresh_from_db()
    assert claim.status == "proposed"


def test_editors_edit_records_and_propose_claims_but_do_not_decide(editor):
    client = client_for(editor)
    project = ProjectFactory(capacity_mw=Decimal("100"))
    url = reverse("admin:projects_project_change", args=[project.pk])
    data = changeform_data(client.get(url))
    data["capacity_mw"] = "120"
    assert client.post(url, data).status_code == 302
    assert Project.objects.get(pk=project.pk).capacity_mw == Decimal("120")

    claim = ClaimFactory(project=project)
    claim_page = client.get(reverse("admin:projects_claim_change", args=[claim.pk])).content.decode()
    assert 'name="status"' not in claim_page  # the review state is shown, not editable
    assert "accept_selected" not in client.get(reverse("admin:projects_claim_changelist")).content.decode()
    accept(client, claim)
    claim.refresh_from_db()
    assert claim.status == "proposed"
    assert revert(client, earlier_version(project)).status_code == 403
    headline = client.post(reverse("admin:projects_project_headline", args=[project.pk]), {"claim": claim.pk})
    assert headline.status_code == 403


def test_reviewers_accept_claims_revert_and_restore(reviewer):
    client = client_for(reviewer)
    claim = ClaimFactory(value_number=Decimal("90"))
    accept(client, claim)
    claim.refresh_from_db()
    assert claim.status == "accepted" and claim.reviewed_by == reviewer

    project = ProjectFactory(capacity_mw=Decimal("100"))
    assert revert(client, earlier_version(project)).status_code == 302
    assert Project.objects.get(pk=project.pk).capacity_mw == Decimal("100")

    pk = project.pk
    services.project_delete(project=Project.objects.get(pk=pk))
    deletion = ObjectChange.objects.get(action="delete", content_type__model="project", object_id=pk)
    client.post(
        reverse("admin:core_objectchange_changelist"),
        {"action": "restore_selected", "_selected_action": [deletion.pk]},
    )
    assert Project.objects.filter(pk=pk).exists()


def test_admin_login_is_locked_after_repeated_failures(client, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory(username="target", is_staff=True, password="correct horse battery staple")
    login = reverse("admin:login")
    for _attempt in range(3):
        client.post(login, {"username": "target", "password": "wrong"})
    response = client.post(login, {"username": "target", "password": "correct horse battery staple"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
