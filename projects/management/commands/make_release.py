import orjson
from django.core.management.base import BaseCommand, CommandError

from projects import releases


class Command(BaseCommand):
    help = (
        "Write a dated release of the data package into RELEASES_DIR/<date>/: the four CSV tables, "
        "datapackage.json, release.json (counts, changes since the previous release) and SHA256SUMS. "
        "A release is written once and never overwritten."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="The release's date, YYYY-MM-DD (default: today).")

    def handle(self, *args, date=None, **options):
        try:
            path = releases.make_release(date)
        except (ValueError, releases.ReleaseExists) as error:
            raise CommandError(str(error)) from error
        manifest = orjson.loads((path / releases.MANIFEST).read_bytes())
        changes = manifest["changes"]
        counts = ", ".join(f"{count} {name}" for name, count in manifest["counts"].items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Release {path.name} written to {path}: {counts}; {len(changes['projects_added'])} projects added, "
                f"{len(changes['projects_removed'])} removed, {changes['figures_changed']} figures changed."
            )
        )
