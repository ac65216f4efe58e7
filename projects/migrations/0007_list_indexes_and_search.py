"""Indexes for the lists at scale, and a search document per project (``projects/search.py``).

``project_name_idx`` serves the default order of every list; ``project_public_country_mw_idx``
a country's public projects filtered or sorted by capacity (the count reads the index alone).
On PostgreSQL, ``search_vector`` gets a GIN index and is filled for the projects already there;
its text is unaccented, so the ``unaccent`` extension is created (a trusted extension: the
database owner may create it), with ``project_search_unaccent``, its immutable form, and
``project_search_term``, the search term of one word of ``q``. Other databases keep the column empty and search by substrings.
"""

import django.contrib.postgres.search
from django.db import migrations, models

UNACCENT = "project_search_unaccent"
TERM = "project_search_term"
# One word of a search (letters and digits) as a tsquery: unaccented and lowercased, cut to the
# shortest of itself and its English and French stems that still begins it, as a prefix; a stem
# that does not begin the word ("happi" of "happy") is asked for too. Immutable (the dictionaries
# are fixed), so a search's words become constant lexemes when the query is planned.
TERM_SQL = f"""
CREATE OR REPLACE FUNCTION {TERM}(word text) RETURNS tsquery
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  WITH folded AS (SELECT lower({UNACCENT}(word)) AS word),
  stems AS (
    SELECT DISTINCT stem FROM folded,
      unnest(ARRAY[folded.word] || ts_lexize('english_stem', folded.word) || ts_lexize('french_stem', folded.word))
      AS stems(stem)
  ),
  chosen AS (
    (SELECT stem FROM stems, folded WHERE starts_with(folded.word, stem) ORDER BY length(stem), stem LIMIT 1)
    UNION
    SELECT stem FROM stems, folded WHERE NOT starts_with(folded.word, stem)
  )
  SELECT string_agg(quote_literal(stem) || ':*', ' | ' ORDER BY stem)::tsquery FROM chosen
$$
"""


def create_search_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from projects.search import refresh_search

    with schema_editor.connection.cursor() as cursor:
        try:
            cursor.execute("SAVEPOINT search_unaccent")
            cursor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
            cursor.execute("RELEASE SAVEPOINT search_unaccent")
        except Exception as error:
            cursor.execute("ROLLBACK TO SAVEPOINT search_unaccent")
            raise RuntimeError(
                f"Text search needs PostgreSQL's unaccent extension ({error}). "
                "Ask the database's administrator to run CREATE EXTENSION unaccent; in it, then migrate again."
            ) from error
        cursor.execute("SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'unaccent'")
        (schema,) = cursor.fetchone()
        # Declared immutable (unaccent with its dictionary named), so a search's words are folded once,
        # when the query is planned, and the planner reads how common they are.
        cursor.execute(
            f"CREATE OR REPLACE FUNCTION {UNACCENT}(text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE "
            f"AS $$ SELECT {schema}.unaccent('{schema}.unaccent'::regdictionary, $1) $$"
        )
        cursor.execute(TERM_SQL)
        cursor.execute("CREATE INDEX IF NOT EXISTS project_search_idx ON projects_project USING gin (search_vector)")
    refresh_search(using=schema_editor.connection.alias)


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS project_search_idx")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {TERM}(text)")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {UNACCENT}(text)")


class Migration(migrations.Migration):
    dependencies = [("projects", "0006_parts_backed_by_claims")]

    operations = [
        migrations.AddField(
            model_name="project",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(
                editable=False,
                help_text=(
                    "Words of the name, aliases, municipality and organizations, for text search on PostgreSQL; "
                    "kept up to date by the services (projects/search.py)."
                ),
                null=True,
                verbose_name="search document",
            ),
        ),
        migrations.AddIndex(
            model_name="project",
            index=models.Index(fields=["name"], name="project_name_idx"),
        ),
        migrations.AddIndex(
            model_name="project",
            index=models.Index(
                condition=models.Q(("is_draft", False)),
                fields=["country", "capacity_mw"],
                name="project_public_country_mw_idx",
            ),
        ),
        migrations.RunPython(create_search_index, drop_search_index),
    ]
