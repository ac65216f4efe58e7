import pytest
from django.contrib.auth.models import Group

from core.roles import setup_roles
from tests.factories import UserFactory


@pytest.fixture
def superuser(db):
    return UserFactory(username="chief", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def member_of(role: str):
    setup_roles()
    user = UserFactory(username=role.rstrip("s"), is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def editor(db):
    return member_of("editors")


@pytest.fixture
def reviewer(db):
    return member_of("reviewers")


@pytest.fixture
def reader(db):
    return member_of("readers")
