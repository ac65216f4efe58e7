import pytest
from django.db import transaction

from core.db import ReplicaRouter
from projects.models import Project


@pytest.mark.django_db(transaction=True)
def test_reads_go_to_the_replica_except_inside_a_write_transaction():
    router = ReplicaRouter()
    assert router.db_for_read(Project) == "replica"
    assert router.db_for_write(Project) == "default"
    with transaction.atomic():
        assert router.db_for_read(Project) == "default"
    assert router.allow_migrate("replica", "projects") is False
