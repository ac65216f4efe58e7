from django.core.management.base import BaseCommand, CommandError

from projects.fetching import FetchError
from projects.newsdesk import polling
from projects.newsdesk.models import EntryState, Feed, FeedEntry
from projects.newsdesk.tasks import poll_feed

STATE_WORDS = {
    EntryState.INGESTED: "read",
    EntryState.DUPLICATE: "already read",
    EntryState.FAILED: "failed",
    EntryState.NEW: "waiting",
}


class Command(BaseCommand):
    help = (
        "Read every active feed once: record the entries not seen before, then fetch each new article, skip those "
        "already read (same address without tracking parameters, same text, nearly the same text) and read the "
        "others into sources with proposed claims. Prints what it did."
    )

    def add_arguments(self, parser):
        parser.add_argument("--feed", type=int, action="append", metavar="ID", help="Only this feed (repeatable).")
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Queue one poll job per feed for the workers instead of reading them here.",
        )

    def handle(self, *args, feed=None, enqueue=False, **options):
        feeds = polling.due_feeds()
        if feed:
            feeds = Feed.objects.filter(pk__in=feed).order_by("pk")
            missing = set(feed) - set(feeds.values_list("pk", flat=True))
            if missing:
                raise CommandError(f"No feed with the ID {', '.join(map(str, sorted(missing)))}.")
        feeds = list(feeds)
        if enqueue:
            for item in feeds:
                result = poll_feed.delay(item.pk)
                self.stdout.write(f"{item}: queued as job {result.id}")
            return
        totals = {"feeds": 0, "failed": 0, "new": 0, "read": 0, "duplicates": 0, "claims": 0}
        for item in feeds:
            totals["feeds"] += 1
            try:
                with polling.job_actor():
                    result = polling.poll(item)
            except FetchError as error:
                totals["failed"] += 1
                self.stderr.write(f"{item}: not read: {error}")
                continue
            if result.not_modified:
                self.stdout.write(f"{item}: unchanged since the last poll")
                continue
            entries = [*result.new_entries, *result.pending_entries]
            self.stdout.write(f"{item}: {result.entries_seen} entries, {len(result.new_entries)} new")
            totals["new"] += len(result.new_entries)
            for entry_id in entries:
                self._read(entry_id, totals)
        self.stdout.write(
            "{feeds} feeds read ({failed} failed), {new} new entries: {read} articles read into sources with "
            "{claims} proposed claims, {duplicates} already read.".format(**totals)
        )

    def _read(self, entry_id, totals):
        try:
            with polling.job_actor():
                outcome = polling.read_entry(entry_id)
        except FetchError as error:
            polling.mark_failed(entry_id, str(error))
            self.stderr.write(f"  entry {entry_id}: not fetched: {error}")
            return
        entry = FeedEntry.objects.get(pk=entry_id)
        if outcome.state == EntryState.INGESTED:
            totals["read"] += 1
            totals["claims"] += outcome.claims
            self.stdout.write(f"  read: {entry.normalized_url} -> source {outcome.source_id}, {outcome.claims} claims")
        elif outcome.state == EntryState.DUPLICATE:
            totals["duplicates"] += 1
            detail = f", {outcome.similarity:g}% alike" if outcome.similarity is not None else ""
            self.stdout.write(
                f"  already read ({entry.get_duplicate_reason_display()}{detail}): {entry.normalized_url} "
                f"= source {outcome.source_id}"
            )
        else:
            self.stdout.write(f"  {STATE_WORDS.get(outcome.state, outcome.state)}: {entry.normalized_url}")
