"""Backups of the PostgreSQL database with pg_dump's custom format, restored with pg_restore.

The connection parameters come from Django's settings (``DATABASE_URL``) and reach the
PostgreSQL tools as ``PG*`` environment variables, so no password appears on a command line.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import psycopg
from django.core.management.base import CommandError
from django.db import connections
from psycopg import sql


def postgres_settings(alias: str = "default") -> dict:
    connection = connections[alias]
    if connection.vendor != "postgresql":
        raise CommandError(f"Backups need PostgreSQL; the {alias!r} database is {connection.vendor}.")
    return connection.settings_dict


def libpq_environment(settings_dict: dict) -> dict[str, str]:
    env = dict(os.environ)
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD")):
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    if sslmode := (settings_dict.get("OPTIONS") or {}).get("sslmode"):
        env["PGSSLMODE"] = sslmode
    env["PGDATABASE"] = settings_dict["NAME"]
    return env


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise CommandError(f"{name} not found: install PostgreSQL's client tools (Debian: postgresql-client).")
    return path


def run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise CommandError(f"{Path(command[0]).name} failed ({result.returncode}): {result.stderr.strip()}")


def dump(path: Path, alias: str = "default") -> None:
    """Write the whole database to ``path`` (custom format: compressed, restored by pg_restore)."""
    settings_dict = postgres_settings(alias)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    run(
        [tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={partial}"],
        libpq_environment(settings_dict),
    )
    partial.replace(path)  # never a half-written backup under the final name


def _connect(settings_dict: dict, database: str) -> psycopg.Connection:
    options = {
        "host": settings_dict.get("HOST") or None,
        "port": settings_dict.get("PORT") or None,
        "user": settings_dict.get("USER") or None,
        "password": settings_dict.get("PASSWORD") or None,
        "sslmode": (settings_dict.get("OPTIONS") or {}).get("sslmode"),
    }
    return psycopg.connect(dbname=database, autocommit=True, **{k: v for k, v in options.items() if v})


def prepare_empty_database(alias: str = "default") -> bool:
    """Create the database when missing (True if created); refuse one that already holds tables."""
    settings_dict = postgres_settings(alias)
    name = settings_dict["NAME"]
    with _connect(settings_dict, "postgres") as maintenance:
        exists = maintenance.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            maintenance.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            return True
    with _connect(settings_dict, name) as target:
        tables = target.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
        ).fetchone()[0]
    if tables:
        raise CommandError(
            f"The database {name} already holds {tables} tables: restore into a new database "
            "(set DATABASE_URL to a name that does not exist yet; it is created)."
        )
    return False


def restore(path: Path, alias: str = "default") -> None:
    """Load a backup made by :func:`dump` into the (empty) database, all or nothing."""
    if not path.is_file():
        raise CommandError(f"No backup at {path}.")
    settings_dict = postgres_settings(alias)
    run(
        [
            tool("pg_restore"),
            "--exit-on-error",
            "--single-transaction",
            "--no-owner",
            "--no-privileges",
            f"--dbname={settings_dict['NAME']}",
            str(path),
        ],
        libpq_environment(settings_dict),
    )
