import pytest


@pytest.fixture
def user(db):
    from tests.factories import UserFactory

    return UserFactory()


@pytest.fixture
def demo(db):
    """The demo records, loaded the way `manage.py load_demo` does."""
    from django.core.management import call_command

    call_command("load_demo", verbosity=0)
    from projects.models import Project

    return Project.objects.get(slug="escaudain-ai-data-center")
