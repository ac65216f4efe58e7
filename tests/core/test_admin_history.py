from decimal import Decimal

import pytest
from django.urls import reverse

from core.models import ObjectChange
from projects import choices, services
from projects.models import Phase, Project
from tests.factories import ProjectFactory, UserFactory, make

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, db):
    client.force_login(UserFactory(username="chief", is_staff=True, is_superuser=True))
    return client


def history_url(project):
    return reverse("admin:projects_project_history", args=[project.pk])


def update_of(project, field):
    return ObjectChange.objects.filter(
        content_type__model="project", object_id=project.pk, action="update", changed_fields=[field]
    )


def test_the_history_shows_the_record_and_its_parts_with_before_and_after(admin_client):
    project = ProjectFactory(capacity_mw=Decimal("100"))
    services.project_update(project=project, data={"capacity_mw": Decimal("1250.5")})
    make(Phase, project=project, name="Phase 1", capacity_mw=Decimal("50"))
    page = admin_client.get(history_url(project)).content.decode()
    edit = page[page.index("<strong>Updated</strong>") :][:600]
    assert "Capacity (MW)" in edit and "<del>100</del>" in edit and "<ins>1,250.5</ins>" in edit
    assert "Phase: Phase 1" in page  # a child's change, on its parent's history
    assert "Revert to this version" in page


def test_reverting_brings_back_an_earlier_version_and_is_itself_recorded(admin_client):
    project = ProjectFactory(capacity_mw=Decimal("100"))
    services.project_update(project=project, data={"capacity_mw": Decimal("200")})
    services.project_update(project=project, data={"capacity_mw": Decimal("300")})
    first_edit = update_of(project, "capacity_mw").order_by("id").first()

    response = admin_client.post(
        reverse("admin:core_objectchange_revert", args=[first_edit.pk]), {"next": history_url(project)}
    )
    assert response.status_code == 302 and response["Location"] == history_url(project)
    project.refresh_from_db()
    assert project.capacity_mw == Decimal("200")
    revert = update_of(project, "capacity_mw").first()
    assert revert.diff == [("capacity_mw", "300", "200")] and revert.user_name == "chief"


def test_reverting_a_headline_claim_puts_its_value_back_on_the_project(admin_client, demo):
    claim = demo.claims.get(attribute=choices.ClaimAttribute.CAPACITY_MW, is_headline=True)
    services.claim_update(claim=claim, data={"value_number": Decimal("710")})
    demo.refresh_from_db()
    assert demo.capacity_mw == Decimal("710")

    # The claim was logged before it became the headline: the revert keeps the reviewers' choice.
    creation = ObjectChange.objects.get(content_type__model="claim", object_id=claim.pk, action="create")
    response = admin_client.post(reverse("admin:core_objectchange_revert", args=[creation.pk]))
    assert response.status_code == 302
    claim.refresh_from_db()
    demo.refresh_from_db()
    assert claim.value_number == Decimal("700") and claim.is_headline
    assert demo.capacity_mw == Decimal("700")


def test_reverting_a_project_to_an_earlier_status_writes_its_status_history(admin_client):
    project = ProjectFactory(status=choices.ProjectStatus.PLANNING)
    services.project_update(project=project, data={"status": choices.ProjectStatus.PERMITTED})
    services.project_update(project=project, data={"status": choices.ProjectStatus.CANCELLED})
    permitted = update_of(project, "status").order_by("id").first()

    assert admin_client.post(reverse("admin:core_objectchange_revert", args=[permitted.pk])).status_code == 302
    statuses = list(project.status_history.order_by("id").values_list("status", flat=True))
    assert statuses[-1] == choices.ProjectStatus.PERMITTED


def test_a_deleted_record_is_found_and_restored_from_the_change_log(admin_client):
    project = ProjectFactory()
    phase = make(Phase, project=project, name="Phase 2", capacity_mw=Decimal("80"))
    pk = phase.pk
    services.record_delete(instance=phase)
    listing = admin_client.get(reverse("admin:core_objectchange_changelist") + "?action__exact=delete")
    deletion = listing.context["cl"].result_list[0]
    assert deletion.object_repr == "Phase 2"

    admin_client.post(
        reverse("admin:core_objectchange_changelist"),
        {"action": "restore_selected", "_selected_action": [deletion.pk]},
    )
    restored = Phase.objects.get(pk=pk)
    assert (restored.name, restored.capacity_mw, restored.project) == ("Phase 2", Decimal("80"), project)


def test_a_deleted_project_comes_back_with_its_parts(admin_client):
    project = ProjectFactory(name="Gone campus")
    make(Phase, project=project, name="Phase A")
    pk = project.pk
    services.project_delete(project=project)
    deletions = ObjectChange.objects.filter(action="delete")
    admin_client.post(
        reverse("admin:core_objectchange_changelist"),
        {"action": "restore_selected", "_selected_action": [change.pk for change in deletions]},
    )
    assert Project.objects.get(pk=pk).name == "Gone campus"
    assert list(Project.objects.get(pk=pk).phases.values_list("name", flat=True)) == ["Phase A"]


def test_the_change_log_is_read_only_and_shows_each_change(admin_client):
    project = ProjectFactory(capacity_mw=Decimal("100"))
    services.project_update(project=project, data={"capacity_mw": Decimal("150")})
    change = update_of(project, "capacity_mw").get()
    page = admin_client.get(reverse("admin:core_objectchange_change", args=[change.pk])).content.decode()
    assert "<del>100</del>" in page and "<ins>150</ins>" in page
    assert "Revert to this version" in page
    assert admin_client.get(reverse("admin:core_objectchange_add")).status_code == 403
    for query in ("?action__exact=update", "?source=shell", "?time__gte=2020-01-01T00:00:00%2B00:00", "?q=Data"):
        assert admin_client.get(reverse("admin:core_objectchange_changelist") + query).status_code == 200
