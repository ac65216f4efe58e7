"""Trigram indexes for the ``q`` search (``icontains`` on names, aliases and municipality).

PostgreSQL only: ``icontains`` compiles to ``UPPER(column::text) LIKE UPPER(%s)``,
which a GIN index over ``UPPER(column::text) gin_trgm_ops`` serves. Where the
pg_trgm extension cannot be created (a managed database without the right),
the migration leaves a notice and the search falls back to a scan.
"""

from django.db import migrations

INDEXES = {
    "project_name_trgm_idx": ("projects_project", "name"),
    "project_aliases_trgm_idx": ("projects_project", "aliases"),
    "project_municipality_trgm_idx": ("projects_project", "municipality"),
    "organization_name_trgm_idx": ("projects_organization", "name"),
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        try:
            cursor.execute("SAVEPOINT trigram")
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            cursor.execute("RELEASE SAVEPOINT trigram")
        except Exception as error:  # noqa: BLE001  (permission denied on managed databases)
            cursor.execute("ROLLBACK TO SAVEPOINT trigram")
            print(f"\n  pg_trgm unavailable ({error}); text search will scan the table.")
            return
        for name, (table, column) in INDEXES.items():
            cursor.execute(
                f'CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
            )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for name in INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("projects", "0003_claim_review_permission")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
