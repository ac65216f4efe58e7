"""Text search over projects (``q``): one indexed document per project on PostgreSQL.

Each project keeps ``search_vector``: the words of its name, aliases and municipality, and of
the names and aliases of the organizations in its roles that readers see (typed by hand, or
backed by an accepted claim), unaccented and lowercased (the ``simple`` configuration: each word
once, as written). A GIN index serves ``q``, one index condition for the whole search, since
the organizations' names live in the document rather than behind a subquery.

Each word of a search is cut to its stem by the English and the French configurations'
stemmers, the shorter stem that still begins the word (``project_search_term``, made by
migration 0007), and must begin a word of the document: "escaud" finds Escaudain, "orleans"
and "ORLÉANS" find Orléans, "centres" finds centre and centrale, "nordic" a project whose
developer is Nordic Compute. The query is folded into constant lexemes when it is planned,
and with one lexeme per word in the document the planner's estimate of the matches is close.

The services keep the vector up to date: ``refresh_project`` (the end of every write on a
project, its claims and its parts), ``project_create``, and writes to an organization (its
projects' documents). ``refresh_search()`` without IDs rebuilds every document (the
migration, bulk loads); ``stale_search_documents()`` lists those that disagree with their
records.

Other databases (SQLite) keep no vector: ``q`` matches case-insensitive substrings of the
same columns and organization names there.
"""

from __future__ import annotations

import json
import re

from django.contrib.postgres.search import SearchQueryField
from django.db import connections
from django.db.models import BooleanField, Exists, F, Func, OuterRef, Q, QuerySet, Value

from projects import choices

# Functions made by migration 0007: unaccent() declared immutable, and a word's search term.
UNACCENT = "project_search_unaccent"
TERM = "project_search_term"
WORD = re.compile(r"[^\W_]+")


def indexed(using: str) -> bool:
    """Whether the database behind ``using`` keeps search documents (PostgreSQL)."""
    return connections[using].vendor == "postgresql"


def _document_sql(project: str) -> str:
    """The search vector of the project row aliased ``project``, computed from its records."""
    organizations = (
        "SELECT string_agg(concat_ws(' ', o.name, o.aliases::text), ' ' ORDER BY r.id) "
        "FROM projects_projectrole r JOIN projects_organization o ON o.id = r.organization_id "
        "LEFT JOIN projects_claim c ON c.id = r.claim_id "
        f"WHERE r.project_id = {project}.id AND (r.claim_id IS NULL OR c.status = %(accepted)s)"
    )
    columns = f"{project}.name, {project}.aliases::text, {project}.municipality"
    return f"to_tsvector('simple', {UNACCENT}(concat_ws(' ', {columns}, ({organizations}))))"


def refresh_search(project_ids=None, *, using: str = "default") -> int:
    """Recompute the search documents of these projects (all with None); returns how many changed.

    One UPDATE, which leaves rows whose document is unchanged alone. A no-op without vectors.
    """
    if not indexed(using):
        return 0
    if project_ids is not None:
        project_ids = sorted({int(pk) for pk in project_ids})
        if not project_ids:
            return 0
    only = "" if project_ids is None else "WHERE q.id = ANY(%(ids)s)"
    sql = (
        "UPDATE projects_project p SET search_vector = computed.vector "
        f"FROM (SELECT q.id, {_document_sql('q')} AS vector FROM projects_project q {only}) computed "
        "WHERE p.id = computed.id AND p.search_vector IS DISTINCT FROM computed.vector"
    )
    with connections[using].cursor() as cursor:
        cursor.execute(sql, {"accepted": choices.ClaimStatus.ACCEPTED, "ids": project_ids})
        return cursor.rowcount


def documents(projects, *, using: str = "default") -> list[str | None]:
    """The search documents of project records not written yet, in one query and without writing
    them: what ``refresh_search`` stores once they are (a bulk insert gives each its document
    instead of rewriting every row after). Records without an ID have no roles to name. None for
    each where no vector is kept."""
    projects = list(projects)
    if not indexed(using) or not projects:
        return [None] * len(projects)
    sql = (
        f"SELECT ({_document_sql('q')})::text FROM UNNEST("
        "CAST(%(ids)s AS bigint[]), CAST(%(names)s AS text[]), CAST(%(aliases)s AS jsonb[]), "
        "CAST(%(towns)s AS text[])) WITH ORDINALITY AS q(id, name, aliases, municipality, n) ORDER BY q.n"
    )
    params = {
        "accepted": choices.ClaimStatus.ACCEPTED,
        "ids": [project.pk for project in projects],
        "names": [project.name for project in projects],
        "aliases": [json.dumps(project.aliases) for project in projects],
        "towns": [project.municipality for project in projects],
    }
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        return [vector for (vector,) in cursor.fetchall()]


def refresh_organization_search(organization_ids, *, using: str = "default") -> int:
    """The documents of the projects naming these organizations in a role (a rename, new aliases)."""
    if not indexed(using):
        return 0
    from projects.models import ProjectRole

    ids = ProjectRole._base_manager.using(using).filter(organization_id__in=list(organization_ids))
    return refresh_search(ids.values_list("project_id", flat=True).distinct(), using=using)


def stale_search_documents(*, using: str = "default") -> list[int]:
    """IDs of the projects whose stored document differs from what their records give now."""
    if not indexed(using):
        return []
    sql = (
        f"SELECT q.id FROM projects_project q WHERE q.search_vector IS DISTINCT FROM {_document_sql('q')} ORDER BY q.id"
    )
    with connections[using].cursor() as cursor:
        cursor.execute(sql, {"accepted": choices.ClaimStatus.ACCEPTED})
        return [row[0] for row in cursor.fetchall()]


def search_words(value: str) -> list[list[str]]:
    """The words of a search, each as its letters-and-digits parts ("data-center" is data, center)."""
    words = []
    for word in dict.fromkeys(value.split()):  # a repeated word narrows nothing more
        parts = WORD.findall(word)
        if parts:
            words.append(parts)
    return words


class Term(Func):
    """The tsquery of one word (letters and digits): the prefix of its stem."""

    function = TERM
    output_field = SearchQueryField()


class AllOf(Func):
    template = "(%(expressions)s)"
    arg_joiner = " && "
    output_field = SearchQueryField()


class Matches(Func):
    template = "%(expressions)s"
    arg_joiner = " @@ "
    output_field = BooleanField()


def search(queryset: QuerySet, value: str) -> QuerySet:
    """The projects of ``queryset`` matching every word of ``value`` (see the module's docstring)."""
    words = search_words(value)
    if not words:
        return queryset
    if indexed(queryset.db):
        terms = [Term(Value(part)) for parts in words for part in parts]
        return queryset.filter(Matches(F("search_vector"), AllOf(*terms) if len(terms) > 1 else terms[0]))
    return _substring_search(queryset, value)


def _substring_search(queryset: QuerySet, value: str) -> QuerySet:
    """Without search documents: each word is a substring of a column or of an organization's name."""
    from projects.models import ProjectRole
    from projects.selectors import backed

    for word in dict.fromkeys(value.split()):
        by_organization = backed(ProjectRole.objects.filter(project=OuterRef("pk"))).filter(
            Q(organization__name__icontains=word) | Q(organization__aliases__icontains=word)
        )
        queryset = queryset.filter(
            Q(name__icontains=word)
            | Q(aliases__icontains=word)
            | Q(municipality__icontains=word)
            | Exists(by_organization)
        )
    return queryset
