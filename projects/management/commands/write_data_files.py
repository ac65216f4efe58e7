from django.core.management.base import BaseCommand, CommandError

from projects import data_files


class Command(BaseCommand):
    help = (
        "Write the unfiltered downloads of /data/ (the four CSV tables and projects.xlsx) for the current "
        "data generation into DATA_FILES_DIR, those not written yet: after a deployment or an import, so that "
        "no reader waits for them."
    )

    def add_arguments(self, parser):
        parser.add_argument("filenames", nargs="*", help=f"Some of {', '.join(data_files.filenames())} (default: all).")
        parser.add_argument(
            "--fresh",
            action="store_true",
            help="Write them again even if written (after a deployment: the new code or settings may write them "
            "otherwise); until then readers get the ones written before, said stale.",
        )

    def handle(self, *args, filenames=(), fresh=False, **options):
        unknown = sorted(set(filenames) - set(data_files.filenames()))
        if unknown:
            raise CommandError(f"No such download: {', '.join(unknown)}.")
        if fresh:
            data_files.renew()
        for filename in filenames or data_files.filenames():
            path = data_files.write(filename)
            if path is None:
                self.stdout.write(f"{filename}: being written by another process")
            else:
                self.stdout.write(self.style.SUCCESS(f"{filename}: {path}"))
