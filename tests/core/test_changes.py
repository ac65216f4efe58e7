from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from core import history
from core.changes import actor
from core.models import ConcurrentEditError, ObjectChange
from core.writes import service_write
from projects import services
from projects.models import Project
from tests.factories import ProjectFactory, SourceFactory

pytestmark = pytest.mark.django_db


def changes_of(instance):
    return ObjectChange.objects.filter(object_id=instance.pk, content_type__model=instance._meta.model_name)


def test_create_update_delete_are_logged_with_author_and_values(user):
    with actor(user, source="command"):
        project = ProjectFactory(name="Fouju campus", capacity_mw=Decimal("1000"))
        services.project_update(project=project, data={"capacity_mw": Decimal("1200")})
        pk = project.pk
        services.project_delete(project=project)
    logged = list(ObjectChange.objects.filter(object_id=pk, content_type__model="project").order_by("id"))
    assert [c.action for c in logged] == ["create", "update", "delete"]
    assert all(c.user == user and c.user_name == user.username and c.source == "command" for c in logged)
    update = logged[1]
    assert update.changed_fields == ["capacity_mw"]  # typed by hand already: only the figure changed
    assert update.diff == [("capacity_mw", "1000", "1200")]
    assert logged[2].prechange_data["name"] == "Fouju campus"


def test_shell_changes_are_logged_anonymously():
    project = ProjectFactory()
    change = changes_of(project).get()
    assert change.user is None and change.source == "shell"


def test_a_save_that_changes_nothing_is_not_logged():
    project = ProjectFactory()
    services.project_update(project=project, data={"name": project.name})
    assert changes_of(project).count() == 1


def test_bulk_update_is_logged_per_row():
    projects = ProjectFactory.create_batch(3, capacity_mw=Decimal("10"))
    Project.objects.filter(pk__in=[p.pk for p in projects]).update(capacity_mw=Decimal("20"))
    updates = ObjectChange.objects.filter(action="update", content_type__model="project")
    assert updates.count() == 3
    assert {tuple(c.diff[0]) for c in updates} == {("capacity_mw", "10", "20")}
    assert set(Project.objects.values_list("version", flat=True)) == {2}


def test_bulk_create_and_bulk_update_are_logged():
    created = Project.objects.bulk_create([Project(name=f"Bulk {i}", slug=f"bulk-{i}") for i in range(3)])
    assert ObjectChange.objects.filter(action="create", content_type__model="project").count() == 3
    for project in created:
        project.municipality = "Fouju"
    Project.objects.bulk_update(created, ["municipality"])
    assert ObjectChange.objects.filter(action="update", content_type__model="project").count() == 3


def test_second_of_two_concurrent_saves_is_refused():
    project = ProjectFactory(capacity_mw=Decimal("100"))
    first, second = Project.objects.get(pk=project.pk), Project.objects.get(pk=project.pk)
    services.project_update(project=first, data={"capacity_mw": Decimal("700")})
    with pytest.raises(ConcurrentEditError), transaction.atomic():
        services.project_update(project=second, data={"name": "Overwriting name"}, expected_version=second.version)
    stored = Project.objects.get(pk=project.pk)
    assert stored.capacity_mw == Decimal("700")
    assert stored.name == project.name
    assert second.version == stored.version - 1  # the refused instance keeps the version it had


def test_the_versioned_update_still_refuses_a_stale_save_inside_a_service():
    project = ProjectFactory()
    stale = Project.objects.get(pk=project.pk)
    services.project_update(project=project, data={"name": "Saved first"})
    with pytest.raises(ConcurrentEditError), transaction.atomic(), service_write():
        stale.name = "Saved second"
        stale.save()
    assert Project.objects.get(pk=project.pk).name == "Saved first"


def test_revert_to_an_earlier_version():
    project = ProjectFactory(capacity_mw=Decimal("100"))
    services.project_update(project=project, data={"capacity_mw": Decimal("250")})
    creation = changes_of(project).get(action="create")
    history.revert_to(creation)
    project.refresh_from_db()
    assert project.capacity_mw == Decimal("100")
    assert changes_of(project).filter(action="update").count() == 2


def test_restore_after_delete_brings_back_the_same_record():
    source = SourceFactory(title="Restored article")
    pk = source.pk
    services.record_delete(instance=source)
    deletion = ObjectChange.objects.get(action="delete", object_id=pk, content_type__model="source")
    restored = history.restore_deleted(deletion)
    assert restored.pk == pk and restored.title == "Restored article"
    with pytest.raises(ValidationError):
        history.restore_deleted(deletion)
