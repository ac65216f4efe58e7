from django.core.management.base import BaseCommand, CommandError

from projects.integrity import violations


class Command(BaseCommand):
    help = (
        "Check the tracker's invariants over the whole database: every figure is its headline claim's value or "
        "marked typed by hand, accepted claims have sources, one headline per attribute, conflict counts, grid "
        "distances, and no draft or unaccepted claim in an anonymous answer. Exits 1 when any is broken."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-public", action="store_true", help="Skip asking the public URLs (drafts, claims not accepted)."
        )
        parser.add_argument(
            "--max-requests", type=int, default=200, help="At most this many drafts and claims asked over the URLs."
        )

    def handle(self, *args, no_public=False, max_requests=200, **options):
        found = 0
        for violation in violations(public=not no_public, max_requests=max_requests):
            found += 1
            self.stdout.write(str(violation))
        if found:
            raise CommandError(f"{found} integrity violations.", returncode=1)
        self.stdout.write(self.style.SUCCESS("No integrity violation."))
