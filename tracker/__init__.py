# The job queue's app is loaded with Django so that `shared_task` binds to it (tracker/celery.py).
from tracker.celery import app as celery_app

__all__ = ("celery_app",)
