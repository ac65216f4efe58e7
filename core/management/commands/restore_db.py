from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connections
from django.db.migrations.executor import MigrationExecutor

from core.backups import postgres_settings, prepare_empty_database, restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by backup_db into the database named by DATABASE_URL, which must be new "
        "(it is created) or empty; all or nothing. Then checks the tracker's integrity (check_integrity)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="A backup written by backup_db.")
        parser.add_argument("--no-check", action="store_true", help="Skip check_integrity after the restore.")

    def handle(self, *args, file, no_check=False, **options):
        name = postgres_settings()["NAME"]
        if prepare_empty_database():
            self.stdout.write(f"Created the database {name}.")
        restore(Path(file))
        self.stdout.write(self.style.SUCCESS(f"Restored {file} into {name}."))
        executor = MigrationExecutor(connections["default"])
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if pending:
            self.stdout.write(
                self.style.WARNING(
                    f"The backup predates {len(pending)} migrations of this code: run `manage.py migrate`, "
                    "then `manage.py check_integrity`."
                )
            )
        elif not no_check:
            call_command("check_integrity", stdout=self.stdout, stderr=self.stderr)
