"""Settings for the test suite: the real settings, with a development key and
fast password hashing. The database still comes from DATABASE_URL."""

import atexit
import os
import shutil
import tempfile
from pathlib import Path

os.environ.setdefault("DJANGO_DEBUG", "1")

from tracker.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AXES_ENABLED = os.environ.get("AXES_ENABLED_IN_TESTS", "") == "1"

# A job that fails inline fails the test that asked for it.
CELERY_TASK_EAGER_PROPAGATES = True

# Each run writes the downloads' files of its own database into its own directory.
DATA_FILES_DIR = Path(tempfile.mkdtemp(prefix="data-files-"))
atexit.register(shutil.rmtree, DATA_FILES_DIR, True)
