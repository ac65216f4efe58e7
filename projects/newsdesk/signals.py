"""Every source keeps the text it was read from: each new text of a source is archived with its checksum.

The archive is written in the same transaction as the source (the service's), so a source and
the archive of its text are committed together; an unchanged text archives nothing (one query).
"""

from django.db.models.signals import post_save
from django.dispatch import receiver

from projects.models import Source
from projects.newsdesk.dedupe import content_hash, text_sha256
from projects.newsdesk.models import SourceArchive


def archive_text(source: Source) -> SourceArchive | None:
    """The archive of the source's current text (made when missing); None for a source without text."""
    if not source.text:
        return None
    archive, _created = SourceArchive.objects.get_or_create(
        source=source,
        sha256=text_sha256(source.text),
        defaults={"text": source.text, "content_hash": content_hash(source.text), "url": source.url or ""},
    )
    return archive


@receiver(post_save, sender=Source, dispatch_uid="newsdesk_archive_source_text")
def archive_source_text(sender, instance, raw=False, **kwargs):
    if raw:
        return
    archive_text(instance)
