"""The project lists at any depth and with any number of organizations: deep pages read by their
IDs first give the rows a plain OFFSET gives, in one stable order (equal values ordered by ID),
in a fixed number of queries; the organization filter's long select is escaped text; the facets
of an ordered but unfiltered list come from the cache."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from core import paginator
from core.paginator import DeepPaginator, page_rows
from projects import choices
from projects.models import Project, ProjectRole
from tests.factories import OrganizationFactory, ProjectFactory, make

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script> & "Partners"'


@pytest.fixture
def deep(monkeypatch):
    """Pages past the third row are deep: read by their IDs first."""
    monkeypatch.setattr(paginator, "DEFERRED_JOIN_OFFSET", 3)


@pytest.fixture
def ties():
    """Nine public projects, three capacities, two names repeated, and a draft."""
    made = [
        ProjectFactory(name=f"Campus {n % 4}", capacity_mw=Decimal(capacity))
        for n, capacity in enumerate([50, 100, 50, 300, 100, 50, 300, 100, 50])
    ]
    ProjectFactory(name="Campus 0", capacity_mw=Decimal(100), is_draft=True)
    return made


def api_pages(params: dict, size: int) -> list[int]:
    api, ids, page = APIClient(), [], 1
    while True:
        response = api.get("/api/v1/projects/", {**params, "page_size": size, "page": page})
        assert response.status_code == 200, response.content
        body = response.json()
        ids += [Project.objects.get(slug=row["slug"]).pk for row in body["results"]]
        if body["next"] is None:
            return ids
        page += 1


@pytest.mark.parametrize(
    ("ordering", "key"),
    [
        ("", lambda p: (p.name, p.pk)),
        ("-capacity_mw", lambda p: (-p.capacity_mw, -p.pk)),
        ("capacity_mw", lambda p: (p.capacity_mw, p.pk)),
        ("-name", lambda p: (tuple(-ord(c) for c in p.name), -p.pk)),
    ],
)
def test_every_page_in_one_stable_order_deep_or_not(ties, deep, ordering, key):
    expected = [project.pk for project in sorted(ties, key=key)]
    params = {"ordering": ordering} if ordering else {}
    for size in (2, 4):
        assert api_pages(params, size) == expected


def test_a_deep_page_is_the_rows_an_offset_gives_in_a_fixed_number_of_queries(ties, deep):
    public = Project.objects.filter(is_draft=False).order_by("-capacity_mw", "-id")
    for bottom, top in ((0, 2), (3, 5), (4, 9), (8, 12), (20, 22)):
        assert page_rows(public, bottom, top) == list(public[bottom:top])
        values = public.values("id", "name")
        assert page_rows(values, bottom, top) == list(values[bottom:top])
    expected = [project.pk for project in public[6:8]]
    with CaptureQueriesContext(connection) as captured:
        page = DeepPaginator(public, 2).page(4)
    assert [project.pk for project in page] == expected
    # the count, the page's IDs, their rows
    assert len(captured) == 3
    assert "OFFSET 6" in captured[1]["sql"] and "IN (" in captured[2]["sql"]


def test_the_list_page_deep_in_the_table(ties, deep, client, monkeypatch):
    from projects import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    expected = [project.slug for project in sorted(ties, key=lambda p: (p.name, p.pk))]
    seen = []
    for number in range(1, 6):
        response = client.get("/projects/", {"page": number})
        assert response.status_code == 200
        seen += [project.slug for project in response.context["page"].object_list]
    assert seen == expected


def test_the_organization_select_is_escaped_text_and_keeps_the_choice(client):
    hostile = OrganizationFactory(name=HOSTILE)
    others = [OrganizationFactory(name=f"Developer {n}") for n in range(30)]
    for organization in [hostile, *others]:
        project = ProjectFactory()
        make(ProjectRole, project=project, organization=organization, role=choices.RoleKind.DEVELOPER)
    response = client.get("/projects/", {"organization": hostile.slug})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert" not in html
    assert f'<option value="{hostile.slug}" selected>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; ' in html
    assert html.count('<option value="developer-') == 30
    assert html.count(" selected>") >= 1


def test_an_ordered_unfiltered_list_reads_its_facets_from_the_cache(ties, client):
    client.get("/projects/")  # fills the cache of the whole list's facets
    with CaptureQueriesContext(connection) as plain:
        client.get("/projects/", {"page": 2})
    with CaptureQueriesContext(connection) as ordered:
        assert client.get("/projects/", {"ordering": "-capacity_mw", "country": "", "q": ""}).status_code == 200
    assert len(ordered) == len(plain)
    with CaptureQueriesContext(connection) as filtered:
        client.get("/projects/", {"country": "FR"})
    assert len(filtered) > len(plain)  # a filter's facets are counted, exactly
