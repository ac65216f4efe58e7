"""Background jobs of the projects app (see tracker/celery.py)."""

from celery import shared_task
from django.contrib.auth import get_user_model
from django.db import IntegrityError

from core.changes import actor
from projects.fetching import FetchError
from projects.ingestion import IngestionResult, ingest_source, ingest_url
from projects.models import Source


def ingestion_summary(result: IngestionResult) -> dict:
    """What an ingestion did, as the job's result (JSON): the source, and each project with its facts."""
    return {
        "source_id": result.source.pk,
        "projects": [
            {
                "project_id": part.project.pk,
                "name": part.project.name,
                "created": part.project_created,
                "matched_by": part.match_reason,
                "claims": len(part.claims),
            }
            for part in (result, *result.others)
        ],
    }


@shared_task(
    bind=True,
    # A page that times out or answers 503 is tried again later; two workers storing the same address at
    # once make the second one meet the first one's source (the URL is unique) and try again.
    autoretry_for=(FetchError, IntegrityError),
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=3,
)
def ingest_url_job(self, url: str, user_id: int | None = None) -> dict:
    """Fetch the article at ``url`` (under the SSRF rules), store it and propose its facts.

    Run twice, it gives one source and its claims once: a page already stored is not fetched
    again, and ingesting a source again adds nothing.
    """
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    with actor(user, source="job"):
        stored = Source.objects.filter(url=url).exclude(text="").first()
        result = ingest_source(source=stored) if stored is not None else ingest_url(url)
    return ingestion_summary(result)


@shared_task(ignore_result=True)
def write_data_file(filename: str) -> None:
    """Write the unfiltered download ``filename`` of /data/ for the current data generation, unless
    it is written or being written (``projects.data_files``). A worker stopped halfway leaves no
    file (each is written beside its place, then renamed): the next request asks again."""
    from projects import data_files

    if filename in data_files.filenames():
        data_files.write(filename)
