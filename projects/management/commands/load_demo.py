from django.core.management.base import BaseCommand

from core.changes import actor
from projects.demo import load_demo


class Command(BaseCommand):
    help = "Load the demo projects, organizations, sources and claims (safe to run again)."

    def handle(self, *args, **options):
        with actor(source="command"):
            created = load_demo()
        if created:
            self.stdout.write(self.style.SUCCESS(f"Demo data loaded: {created} records created."))
        else:
            self.stdout.write("Demo data already present; nothing changed.")
