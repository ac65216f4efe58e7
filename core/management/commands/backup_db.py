import datetime
from pathlib import Path

from django.core.management.base import BaseCommand

from core.backups import dump, postgres_settings


class Command(BaseCommand):
    help = (
        "Back up the PostgreSQL database (DATABASE_URL) with pg_dump's custom format, to FILE or to "
        "backups/NAME-YYYYMMDDTHHMMSSZ.dump. Restore it with restore_db."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="Where to write the backup.")

    def handle(self, *args, file=None, **options):
        if not file:
            stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
            file = f"backups/{postgres_settings()['NAME']}-{stamp}.dump"
        path = Path(file)
        dump(path)
        self.stdout.write(self.style.SUCCESS(f"Backed up to {path} ({path.stat().st_size:,} bytes)."))
