from django.core.management.base import BaseCommand

from core.roles import setup_roles


class Command(BaseCommand):
    help = (
        "Create or update the groups editors, reviewers and readers with their permissions "
        "(safe to run again; also picks up models added since the last run)."
    )

    def handle(self, *args, **options):
        for role, count in setup_roles().items():
            self.stdout.write(f"{role}: {count} permissions")
        self.stdout.write(self.style.SUCCESS("Roles are up to date. Give people staff status and one of these groups."))
