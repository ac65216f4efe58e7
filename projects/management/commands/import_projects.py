import gc
import os
import time
from contextlib import closing

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from core.changes import actor
from projects import services
from projects.import_worker import MIN_BYTES, read_prepared
from projects.imports import FORMATS, ImportFileError, file_format, read_rows, row_errors
from projects.resources import COLUMNS
from projects.services.bulk import CHUNK_SIZE, ImportRolledBack


class Command(BaseCommand):
    help = (
        "Create or update projects from a CSV or XLSX file with the columns of the admin's import and export "
        f"({', '.join(COLUMNS)}): a row whose slug exists updates that project, any other creates one. Each row "
        "is validated as one edit is and written with its change history (source “import”); the file is one "
        "transaction: with any bad row nothing is written, and every error is listed by row (1 = the first row "
        "under the header) and column. Exits 1 when rows have errors."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The .csv (UTF-8) or .xlsx file.")
        parser.add_argument("--format", choices=FORMATS, help="The file's format, when its name does not say it.")
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="Write the valid rows and list the bad ones, instead of writing nothing when a row is bad.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check every row and report what would change; write nothing."
        )
        parser.add_argument("--user", help="Username the changes are recorded under (default: none, “import”).")
        parser.add_argument("--chunk-size", type=int, default=CHUNK_SIZE, help="Rows validated and written at once.")
        parser.add_argument(
            "--max-errors", type=int, default=100, help="Errors listed (all of them are counted); 0 lists all."
        )
        parser.add_argument(
            "--in-process",
            action="store_true",
            help="Read and check the rows in this process: a file of 2 MB or more is read by a second one, on "
            "another core, while this one writes.",
        )

    def handle(self, *args, file, format=None, skip_invalid=False, dry_run=False, user=None, **options):
        author = None
        if user:
            try:
                author = get_user_model()._default_manager.get_by_natural_key(user)
            except get_user_model().DoesNotExist:
                raise CommandError(f"No user “{user}”.") from None
        started = time.monotonic()
        verbosity = options["verbosity"]

        def progress(result):
            if verbosity >= 2 or (verbosity == 1 and result.rows % 10_000 < options["chunk_size"]):
                self.stderr.write(f"{result.rows:,} rows read, {time.monotonic() - started:.1f} s")

        # The import makes millions of objects and leaves no cycles to collect: the collector's rounds over
        # them would cost a tenth of its time. The command's process is its own.
        collecting = gc.isenabled()
        gc.disable()
        try:
            kind = file_format(file, format)
            ahead = not options["in_process"] and os.path.getsize(file) >= MIN_BYTES
            with open(file, "rb") as stream, actor(author, source="import"):
                rows = read_prepared(file, kind) if ahead else read_rows(stream, kind)
                with closing(rows):
                    result = services.projects_import(
                        rows=rows,
                        skip_invalid=skip_invalid,
                        dry_run=dry_run,
                        chunk_size=options["chunk_size"],
                        progress=progress,
                    )
        except (ImportFileError, OSError) as error:
            raise CommandError(str(error)) from None
        except ImportRolledBack as rolled_back:
            self._list_errors(rolled_back.result.errors, options["max_errors"])
            raise CommandError(
                f"{len(rolled_back.result.errors):,} of {rolled_back.result.rows:,} rows have errors; "
                "nothing was imported.",
                returncode=1,
            ) from None
        finally:
            if collecting:
                gc.enable()
        seconds = time.monotonic() - started
        self._list_errors(result.errors, options["max_errors"])
        would = "would be " if dry_run else ""
        summary = (
            f"{result.rows:,} rows in {seconds:.1f} s ({result.rows / max(seconds, 1e-9):,.0f} rows/s): "
            f"{result.created:,} projects {would}created, {result.updated:,} {would}updated, "
            f"{result.unchanged:,} unchanged"
        )
        if result.errors:
            summary += f", {len(result.errors):,} bad rows skipped"
        self.stdout.write(self.style.SUCCESS(summary + ("; nothing was written (dry run)." if dry_run else ".")))

    def _list_errors(self, errors, limit):
        for shown, (number, column, message) in enumerate(row_errors(errors)):
            if limit and shown >= limit:
                self.stderr.write(f"... and more: {len(errors):,} rows have errors.")
                break
            self.stderr.write(f"row {number}" + (f", {column}" if column else "") + f": {message}")
