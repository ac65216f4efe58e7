"""Settings for the test suite: the real settings, with a development key and
fast password hashing. The database still comes from DATABASE_URL."""

import os

os.environ.setdefault("DJANGO_DEBUG", "1")

from tracker.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AXES_ENABLED = os.environ.get("AXES_ENABLED_IN_TESTS", "") == "1"

# A job that fails inline fails the test that asked for it.
CELERY_TASK_EAGER_PROPAGATES = True
