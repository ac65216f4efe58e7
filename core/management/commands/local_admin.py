import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

PASSWORD_FILE = Path(settings.BASE_DIR) / ".local-admin-password"


class Command(BaseCommand):
    help = (
        "Create a superuser for local use with a random password kept in .local-admin-password, "
        "and print the login. Refuses to run with DJANGO_DEBUG off."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument("--url", default="http://127.0.0.1:8000/admin/", help="Where the admin is served.")

    def handle(self, *args, username, url, **options):
        if not settings.DEBUG:
            raise CommandError("local_admin is for local development; create production users with createsuperuser.")
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        password = PASSWORD_FILE.read_text().strip() if PASSWORD_FILE.exists() else ""
        if user is None or not password or not user.check_password(password):
            password = secrets.token_urlsafe(12)
            user = user or User(username=username, email=f"{username}@localhost")
            user.is_staff = user.is_superuser = True
            user.set_password(password)
            user.save()
            PASSWORD_FILE.write_text(password + "\n")
            PASSWORD_FILE.chmod(0o600)
        self.stdout.write(self.style.SUCCESS(f"Local admin login: {url}  user: {username}  password: {password}"))
