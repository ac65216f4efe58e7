"""The documented backup and restore, once: dump, restore into a fresh database, check_integrity clean."""

import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection
from psycopg import sql

ROOT = Path(__file__).resolve().parents[2]
TABLES = ["projects_project", "projects_claim", "projects_source", "core_objectchange", "auth_user"]

pytestmark = [
    pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump not found (Debian: postgresql-client)"),
]


def url(settings_dict: dict, name: str) -> str:
    credentials = quote(settings_dict["USER"] or "", safe="")
    if settings_dict.get("PASSWORD"):
        credentials += ":" + quote(settings_dict["PASSWORD"], safe="")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{credentials}@{host}:{port}/{name}"


def counts(database_url: str) -> dict[str, int]:
    with psycopg.connect(database_url) as db:
        return {
            table: db.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))).fetchone()[0]
            for table in TABLES
        }


@pytest.fixture
def fresh_database():
    """A database name that does not exist yet; dropped afterwards."""
    settings_dict = connection.settings_dict
    name = f"{settings_dict['NAME']}_restored"
    maintenance = url(settings_dict, "postgres")
    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    with psycopg.connect(maintenance, autocommit=True) as db:
        db.execute(drop)
    yield url(settings_dict, name)
    with psycopg.connect(maintenance, autocommit=True) as db:
        db.execute(drop)


def restore_db(database_url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "tracker.test_settings"}
    return subprocess.run(
        [sys.executable, "manage.py", "restore_db", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_backup_then_restore_into_a_fresh_database(transactional_db, tmp_path, fresh_database, user):
    if connection.vendor != "postgresql":
        pytest.skip("backups are of the PostgreSQL database (DATABASE_URL)")
    call_command("load_demo", verbosity=0)
    backup = tmp_path / "tracker.dump"

    call_command("backup_db", str(backup))
    assert backup.stat().st_size > 0 and not list(tmp_path.glob("*.partial"))

    result = restore_db(fresh_database, str(backup))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Created the database" in result.stdout
    assert "No integrity violation." in result.stdout

    original = counts(url(connection.settings_dict, connection.settings_dict["NAME"]))
    assert counts(fresh_database) == original and original["projects_claim"] > 10

    # A second restore into the same, now full, database is refused and changes nothing.
    again = restore_db(fresh_database, str(backup))
    assert again.returncode != 0 and "already holds" in again.stderr
    assert counts(fresh_database) == original
