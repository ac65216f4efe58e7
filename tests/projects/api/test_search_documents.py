"""Text search on PostgreSQL reads one indexed document per project (projects/search.py), organization
names included, kept up to date by the services; SQLite matches substrings of the same columns."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects import choices, services
from projects.models import Organization, Project, ProjectRole
from projects.search import refresh_search, stale_search_documents
from tests.factories import OrganizationFactory, ProjectFactory, SourceFactory, make

pytestmark = pytest.mark.django_db

LIST = "/api/v1/projects/"
POSTGRESQL = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="search documents live on PostgreSQL; SQLite matches substrings"
)


def names(api, **params):
    response = api.get(LIST, params)
    assert response.status_code == 200, response.content
    return sorted(project["name"] for project in response.json()["results"])


@pytest.fixture
def searchable(db):
    nordic = OrganizationFactory(name="Nordic Compute", aliases=["NordiCo"])
    orleans = ProjectFactory(name="Campus Orléans-Saran", municipality="Saran", aliases=["Loiret DC"])
    make(ProjectRole, project=orleans, organization=nordic, role=choices.RoleKind.DEVELOPER)
    centres = ProjectFactory(name="Lille data centres", municipality="Lille")
    return {"nordic": nordic, "orleans": orleans, "centres": centres}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        pytest.param("orleans", ["Campus Orléans-Saran"], marks=POSTGRESQL),  # accents aside
        pytest.param("ORLÉANS saran", ["Campus Orléans-Saran"], marks=POSTGRESQL),  # every word, any case
        ("orlé", ["Campus Orléans-Saran"]),  # the beginning of a word
        ("ORL saran", ["Campus Orléans-Saran"]),
        ("nordic", ["Campus Orléans-Saran"]),  # an organization's name
        ("nordico", ["Campus Orléans-Saran"]),  # an organization's alias
        ("loiret", ["Campus Orléans-Saran"]),  # the project's alias
        ("lille", ["Lille data centres"]),
        ("nordic lille", []),
        pytest.param("data-centres", ["Lille data centres"], marks=POSTGRESQL),  # words of a compound
    ],
)
def test_search_finds_words_of_names_places_and_organizations(api, searchable, q, expected):
    assert names(api, q=q) == expected


@POSTGRESQL
def test_search_reads_stemmed_english_and_french(api, searchable):
    assert names(api, q="centre") == ["Lille data centres"]  # English stem of "centres"
    assert names(api, q="campus orleans") == ["Campus Orléans-Saran"]


@POSTGRESQL
def test_the_services_keep_search_documents_up_to_date(api, searchable):
    nordic, orleans = searchable["nordic"], searchable["orleans"]
    services.record_save(instance=Organization.objects.get(pk=nordic.pk), data={"name": "Boreal Grid"})
    assert names(api, q="boreal") == ["Campus Orléans-Saran"] and names(api, q="compute") == []
    services.project_update(project=Project.objects.get(pk=orleans.pk), data={"name": "Campus Ingré"})
    assert names(api, q="ingre") == ["Campus Ingré"]
    services.record_delete(instance=ProjectRole.objects.get(project=orleans))
    assert names(api, q="boreal") == []
    services.record_save(instance=Organization.objects.get(pk=nordic.pk), data={"aliases": ["Borealis"]})
    assert names(api, q="borealis") == []  # in no role any more
    assert stale_search_documents() == []


@POSTGRESQL
def test_an_organization_behind_a_claim_in_review_is_not_searchable_yet(api, searchable):
    other = OrganizationFactory(name="Helios Capital")
    claim = services.claim_create(
        data={
            "project": searchable["centres"],
            "source": SourceFactory(),
            "attribute": choices.ClaimAttribute.ORGANIZATION,
            "value_organization": other,
            "role": choices.RoleKind.INVESTOR,
        }
    )
    assert names(api, q="helios") == []
    services.claim_accept(claim=claim)
    assert names(api, q="helios") == ["Lille data centres"]
    assert stale_search_documents() == []


@POSTGRESQL
def test_search_is_served_by_the_document_index(api, searchable):
    """The count and the page of a search can read the GIN index alone, never the roles (at 100,000 projects the
    planner takes it by itself: scripts/bench_api.py prints the plans; this table is too small for that)."""
    Project.objects.bulk_create(
        Project(name=f"Filler {n}", slug=f"filler-{n}", municipality="Somewhere", country="DE") for n in range(3000)
    )
    refresh_search()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE projects_project")
    with CaptureQueriesContext(connection) as captured:
        assert names(api, q="nordic") == ["Campus Orléans-Saran"]
    # the count and the page; then the latest claim dates of the page's projects, by their IDs
    searched = [query for query in captured.captured_queries if "projects_claim" not in query["sql"]]
    assert len(searched) == 2 and len(captured.captured_queries) == 3
    for query in searched:
        assert "search_vector" in query["sql"] and "projects_projectrole" not in query["sql"]
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + query["sql"])
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "Bitmap Index Scan on project_search_idx" in plan, plan
