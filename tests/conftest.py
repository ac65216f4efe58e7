import pytest


@pytest.fixture(autouse=True)
def fresh_throttles():
    """Throttle counters live in the cache (Redis when REDIS_URL is set, kept for the whole run):
    each test starts with none, whatever the tests before it read."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _fresh_whole_table_answers():
    """Cached answers about the whole table (core.caching) belong to the test that made them:
    the cache (Redis in CI) outlives each test's database."""
    from core import caching

    caching.forget()


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
