"""The public pages, through Django's test client: what a reader sees, and a query count
that stays the same whatever the number of projects shown."""

import csv
import io
import math
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects import choices, services
from projects.models import Project, ProjectRole
from tests.factories import ClaimFactory, OrganizationFactory, ProjectFactory, SourceFactory, make

pytestmark = pytest.mark.django_db

DEMO_URL = "/projects/escaudain-ai-data-center/"


def text(response) -> str:
    return response.content.decode()


def accepted_claim(project, **fields):
    claim = ClaimFactory(project=project, **fields)
    return services.claim_accept(claim=claim)


@pytest.mark.parametrize(
    "url", ["/", "/projects/", DEMO_URL, "/map/", "/map/data.geojson", "/stats/", "/stats/pipeline.csv"]
)
def test_every_page_renders_with_the_demo(client, demo, url):
    assert client.get(url).status_code == 200


def test_overview_shows_totals_latest_changes_and_a_search_box(client, demo):
    ProjectFactory(name="Old hall", status=choices.ProjectStatus.CANCELLED, capacity_mw=Decimal("90"))
    ProjectFactory(name="Running hall", status=choices.ProjectStatus.OPERATIONAL, capacity_mw=Decimal("40"))
    response = client.get("/")
    totals = response.context["totals"]
    # the cancelled project is left out of every total
    # the 40 MW typed for the running hall have no source, the demo's 700 MW have one
    assert totals == {
        "projects": 2,
        "mw_announced": Decimal("740"),
        "mw_operational": Decimal("40"),
        "mw_typed_by_hand": Decimal("40"),
    }
    assert [(row["investment_currency"], row["total"]) for row in response.context["investments"]] == [
        ("EUR", Decimal("5000000000"))
    ]
    page = text(response)
    assert "740" in page
    # the headline shortened so that it fits a phone, the exact amount next to it
    assert '<dd>5 bn <span class="unit">EUR</span> <span class="exact">5,000,000,000</span></dd>' in page
    assert 'action="/projects/"' in page and 'name="q"' in page
    assert f'href="{DEMO_URL}"' in page  # a latest change links to its project
    assert len(response.context["changes"]) == 8


def test_list_filters_like_the_api_and_describes_the_filter(client, demo):
    ProjectFactory(name="Berlin campus", country="DE", municipality="Berlin", latitude=52.52, longitude=13.4)
    response = client.get("/projects/", {"country": "DE"})
    assert [project.name for project in response.context["page"]] == ["Berlin campus"]
    assert "Country: Germany" in text(response)
    assert "Showing projects where" in text(response)
    # choices in words, as the form offers them, not as parameter values
    described = client.get("/projects/", {"kind": "ai", "status": "construction", "role": "developer"})
    assert described.context["description"] == ["Status: Under construction", "Kind: AI", "Role: Developer"]
    # the empty choice of a select is offered once, in words
    role_select = text(described).split('<select name="role"', 1)[1].split("</select>", 1)[0]
    assert role_select.count('<option value=""') == 1 and "Any role" in role_select
    assert "---------" not in text(described)
    # the downloads carry the same filter to the API
    assert 'href="/api/v1/projects/?country=DE&amp;format=csv"' in text(response)
    assert 'href="/api/v1/projects/?country=DE&amp;format=geojson"' in text(response)


def test_list_finds_projects_near_a_place_by_name(client, demo):
    ProjectFactory(name="Marseille campus", municipality="Marseille", latitude=43.3, longitude=5.37)
    response = client.get("/projects/", {"place": "Valenciennes", "radius_km": "30"})
    page = list(response.context["page"])
    assert [project.name for project in page] == ["Escaudain AI data center"]
    assert 5 < page[0].distance_km < 30
    assert "Near a place: Valenciennes" in text(response)
    assert "Near: " not in text(response)  # the place's name, not the coordinates it stands for
    assert "format=csv" in response.context["csv_url"] and "near=" in response.context["csv_url"]
    assert "place=" not in response.context["csv_url"]


def test_list_sorts_and_pages(client, db):
    for index in range(55):
        ProjectFactory(name=f"Hall {index:02}", capacity_mw=Decimal(index))
    first = client.get("/projects/", {"ordering": "-capacity_mw"})
    assert first.context["page"].paginator.count == 55
    assert [project.name for project in first.context["page"]][:2] == ["Hall 54", "Hall 53"]
    second = client.get("/projects/", {"ordering": "-capacity_mw", "page": "2"})
    assert [project.name for project in second.context["page"]] == [
        "Hall 04",
        "Hall 03",
        "Hall 02",
        "Hall 01",
        "Hall 00",
    ]
    assert 'href="?ordering=-capacity_mw&amp;page=2"' in text(first)


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"country": "XX"}, "country", "Unknown country code: XX."),
        ({"capacity_min": "lots"}, "capacity_min", "Enter a number."),
        ({"status": "dreaming"}, "status", "Select a valid choice."),
        ({"place": "Nowhereville-sur-Rien", "radius_km": "10"}, "place", "No place called"),
        ({"radius_km": "-3", "near": "50,3"}, "radius_km", "Give a radius between 0 and"),
        ({"ordering": "distance"}, "ordering", "Ordering by distance needs near"),
    ],
)
def test_bad_filters_are_shown_next_to_their_field_never_a_server_error(client, demo, params, field, message):
    response = client.get("/projects/", params)
    assert response.status_code == 400
    assert message in str(response.context["form"].errors[field])
    page = text(response)
    # the message sits in the field's own group, after its label
    group = page.split(f'class="field field-{field}"', 1)[1].split('class="field ', 1)[0]
    assert message.replace("'", "&#x27;") in group
    assert response.context["page"] is None


def test_project_page_shows_each_figure_with_its_source_and_quote(client, demo):
    page = text(client.get(DEMO_URL))
    assert "Capacity (MW)" in page
    assert "700 MW" in page
    assert "une capacité brute de 700 mégawatts" in page
    assert "Souveraineté numérique et IA" in page and "Actualités 24" in page
    assert '<blockquote class="quote" lang="fr">' in page


def test_project_page_shows_a_conflict_honestly(client, demo):
    later = SourceFactory(title="A later article", publisher="Other Paper")
    accepted_claim(
        demo, source=later, attribute=choices.ClaimAttribute.SITE_AREA_HA, value_number=Decimal("33"), quote="33 ha"
    )
    response = client.get(DEMO_URL)
    assert "38 ha or 33 ha: sources disagree" in text(response)
    assert "A later article" in text(response) and "Other Paper" in text(response)
    assert response.context["conflict_count"] == 1
    # the key figure itself says so and links to the sources below
    assert '<a class="figure-link disputed" href="#figure-site_area_ha">38 ha or 33 ha: sources disagree</a>' in text(
        response
    )


def test_project_page_timeline_roles_grid_and_history(client, demo):
    response = client.get(DEMO_URL)
    page = text(response)
    assert [event.date.isoformat()[:4] for event in response.context["timeline"]][-1] == "2030"
    assert "<em>Undisclosed</em>" in page  # the developer is not named
    assert "Communauté d&#x27;agglomération de la Porte du Hainaut" in page
    assert "Mastaing" in page and response.context["site"]["substations"][0]["label"] == "Mastaing"
    # the history covers the project and its children (claims, roles...)
    kinds = {change.content_type.model for change in response.context["changes"]}
    assert {"claim", "projectrole"} & kinds


def test_draft_projects_are_not_public(client, db):
    draft = ProjectFactory(is_draft=True)
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get("/projects/").context["page"].paginator.count == 0


def test_map_data_is_one_feature_per_project_with_a_popup_and_follows_the_filter(client, demo):
    ProjectFactory(name="Lyon hall", municipality="Lyon", latitude=45.76, longitude=4.84, capacity_mw=None)
    ProjectFactory(name="Somewhere", latitude=None, longitude=None)
    data = client.get("/map/data.geojson").json()
    by_name = {feature["properties"]["name"]: feature for feature in data["features"]}
    assert set(by_name) == {"Escaudain AI data center", "Lyon hall"}
    escaudain = by_name["Escaudain AI data center"]["properties"]
    assert escaudain["url"] == DEMO_URL
    assert (escaudain["capacity_mw"], escaudain["status_label"], escaudain["colour"]) == (700.0, "Announced", "#fdb863")
    # circles sized on the server like the legend's: larger for more MW, never invisible
    assert escaudain["radius"] > by_name["Lyon hall"]["properties"]["radius"] == 4
    compressed = client.get("/map/data.geojson", headers={"accept-encoding": "gzip"})
    assert compressed["Content-Encoding"] == "gzip" and compressed["Content-Type"] == "application/geo+json"
    narrowed = client.get("/map/data.geojson", {"capacity_min": "500"}).json()
    assert [feature["properties"]["name"] for feature in narrowed["features"]] == ["Escaudain AI data center"]
    assert client.get("/map/data.geojson", {"capacity_min": "x"}).status_code == 400
    map_page = client.get("/map/", {"capacity_min": "500"})
    assert 'data-geojson-url="/map/data.geojson?capacity_min=500"' in text(map_page)
    assert map_page.context["counts"] == {"projects": 1, "mapped": 1}


def grid_of_projects(count, south=40.0, west=-5.0, step=0.05):
    """``count`` public projects on a regular grid of ``step`` degrees, written in one bulk insert."""
    side = math.isqrt(count - 1) + 1
    Project.objects.bulk_create(
        Project(
            name=f"Grid {index}",
            slug=f"grid-{index}",
            country="FR",
            latitude=south + (index // side) * step,
            longitude=west + (index % side) * step,
            capacity_mw=Decimal("10"),
        )
        for index in range(count)
    )


def test_the_map_loads_clusters_beyond_its_marker_limit_and_markers_once_zoomed_in(client, db, settings, monkeypatch):
    from projects import selectors

    monkeypatch.setattr(selectors, "MAP_MAX_MARKERS", 50)
    grid_of_projects(400)  # 20 x 20 points, 0.05 degree apart: 1 x 1 degree from (40, -5)
    data = client.get("/map/data.geojson").json()
    assert data["clustered"] is True and data["count"] == 400
    clusters = [feature["properties"] for feature in data["features"]]
    assert all(cluster["cluster"] for cluster in clusters) and len(clusters) <= 4
    assert sum(cluster["count"] for cluster in clusters) == 400
    assert sum(cluster["capacity_mw"] for cluster in clusters) == 4000.0
    west, south, east, north = data["bbox"]
    assert (west, south) == (-5.0, 40.0) and round(east, 2) == -4.05 and round(north, 2) == 40.95

    # a view on one corner at a closer zoom: the projects in it, one marker each
    corner = client.get("/map/data.geojson", {"zoom": "10", "view": "-5.01,39.99,-4.79,40.21"}).json()
    assert corner["clustered"] is False and corner["count"] == 25
    assert {feature["properties"]["name"] for feature in corner["features"]} >= {"Grid 0", "Grid 4"}
    assert "bbox" not in corner
    # the filters still apply inside the view
    assert (
        client.get("/map/data.geojson", {"zoom": "10", "view": "-5.01,39.99,-4.79,40.21", "capacity_min": "11"}).json()[
            "count"
        ]
        == 0
    )

    # a view across the antimeridian keeps both sides; bad views are refused naming the parameter
    Project.objects.bulk_create(
        Project(name=f"Date line {n}", slug=f"date-line-{n}", country="FJ", latitude=10.0, longitude=longitude)
        for n, longitude in enumerate((179.5, -179.5, 170.0))
    )
    across = client.get("/map/data.geojson", {"zoom": "8", "view": "179,9,181,11"}).json()
    assert {feature["properties"]["name"] for feature in across["features"]} == {"Date line 0", "Date line 1"}
    for bad in ("1,2,3", "a,b,c,d", "10,50,0,60", "0,-100,10,10"):
        response = client.get("/map/data.geojson", {"view": bad})
        assert response.status_code == 400 and "view" in response.json()["errors"]
    assert "zoom" in client.get("/map/data.geojson", {"zoom": "13"}).json()["errors"]
    # a zoomed-out map shows the world more than once: asked as the world, once
    wide = client.get("/map/data.geojson", {"zoom": "1", "view": "-400,-80,400,80"}).json()
    assert wide["count"] == 403
    # the closest zoom over the whole world is still cut into at most 64 x 64 cells
    world = client.get("/map/data.geojson", {"zoom": "12", "view": "-180,-90,180,90"}).json()
    assert world["clustered"] is True and len(world["features"]) <= 64 * 64


def test_the_first_map_view_stays_small_whatever_the_number_of_projects(client, db):
    grid_of_projects(3000, south=35.0, west=-10.0, step=0.4)  # spread over Europe, above the marker limit
    compressed = client.get("/map/data.geojson", headers={"accept-encoding": "gzip"})
    data = client.get("/map/data.geojson").json()
    assert data["clustered"] is True and data["count"] == 3000
    assert len(data["features"]) <= 200
    assert len(compressed.content) < 30_000


def test_whole_table_statistics_come_from_the_cache_until_the_next_write(client, demo):
    first = client.get("/stats/")
    assert "700" in text(first)
    with CaptureQueriesContext(connection) as again:
        client.get("/stats/")
    client.get("/")
    with CaptureQueriesContext(connection) as overview_again:
        client.get("/")
    assert len(again) == 0  # the four statistics and the page: nothing asked of the database
    # the overview's totals too; only its latest changes are read each time
    assert not [q for q in overview_again.captured_queries if "SUM(" in q["sql"] or "COUNT(" in q["sql"]]

    client.get("/map/data.geojson")
    with CaptureQueriesContext(connection) as first_map_view:
        assert client.get("/map/data.geojson").json()["count"] == 1
    assert len(first_map_view) == 0  # the unfiltered map's first view, as every visitor loads it

    # the unfiltered list's count too
    assert client.get("/projects/").context["page"].paginator.count == 1
    with CaptureQueriesContext(connection) as list_again:
        client.get("/projects/")
    assert not [q for q in list_again.captured_queries if "COUNT(" in q["sql"]]
    # each language has its own rendering of the statistics
    assert "Mégawatts par pays" in text(client.get("/stats/", headers={"accept-language": "fr"}))
    assert "Mégawatts par pays" not in text(client.get("/stats/"))

    # a write through a service ends the cached answers at once
    ProjectFactory(name="Marseille hall", country="FR", capacity_mw=Decimal("300"))
    assert "1,000" in text(client.get("/stats/"))
    assert "1 000" in text(client.get("/stats/", headers={"accept-language": "fr"})).replace("\u202f", " ").replace(
        "\xa0", " "
    )
    assert client.get("/projects/").context["page"].paginator.count == 2
    assert client.get("/map/data.geojson").json()["count"] == 2
    # and so does a bulk write through the queryset, which is logged too
    Project.objects.filter(name="Marseille hall").update(capacity_mw=Decimal("400"))
    assert "1,100" in text(client.get("/stats/"))
    # filtered views are never cached
    assert client.get("/projects/", {"country": "FR"}).context["page"].paginator.count == 2


def test_the_cached_first_map_view_speaks_each_reader_s_language(client, demo):
    french = client.get("/map/data.geojson", headers={"accept-language": "fr"}).json()
    english = client.get("/map/data.geojson", headers={"accept-language": "en"}).json()
    assert french["features"][0]["properties"]["status_label"] == "Annoncé"
    assert english["features"][0]["properties"]["status_label"] == "Announced"


def test_the_latest_changes_walk_the_log_newest_first_in_bounded_windows(client, db, monkeypatch):
    from projects import selectors

    monkeypatch.setattr(selectors, "LATEST_WINDOW", 10)
    older = ProjectFactory(name="Older hall")
    Project.objects.bulk_create(Project(name=f"Draft {n}", slug=f"draft-{n}", is_draft=True) for n in range(25))
    newer = ProjectFactory(name="Newer hall")
    with CaptureQueriesContext(connection) as queries:
        changes = selectors.latest_changes(limit=8)
    # the drafts' 25 entries fill windows that show nothing; the public projects' entries are
    # found past them, newest first, in a few small queries rather than one pass over the whole log
    projects = [change.project for change in changes]
    assert set(projects) == {newer, older} and projects == sorted(projects, key=lambda p: p != newer)
    assert [change.time for change in changes] == sorted((change.time for change in changes), reverse=True)
    assert len(queries) <= 2 * selectors.LATEST_WINDOWS + 1
    monkeypatch.setattr(selectors, "LATEST_WINDOWS", 2)
    assert {change.project for change in selectors.latest_changes(limit=8)} == {newer}  # bounded: short, not slow


def test_stats_aggregate_in_sql_with_tables_and_csv(client, demo):
    ProjectFactory(status=choices.ProjectStatus.CONSTRUCTION, operational_year=2030, capacity_mw=Decimal("50"))
    ProjectFactory(status=choices.ProjectStatus.CANCELLED, operational_year=2030, capacity_mw=Decimal("900"))
    ProjectFactory(country="DE", operational_year=2028, capacity_mw=Decimal("20"))
    response = client.get("/stats/")
    rows = {row["operational_year"]: row for row in response.context["pipeline"].rows}
    assert rows[2030]["total_mw"] == Decimal("750")  # the cancelled project is left out
    assert rows[2030]["announced_mw"] == Decimal("700") and rows[2030]["construction_mw"] == Decimal("50")
    column = next(c for c in response.context["pipeline_chart"].columns if c.label == "2030")
    assert column.total_label == "750"
    assert 'data-category="2030" data-total="750"' in text(response)
    assert "<caption" in text(response)
    exported = list(csv.reader(io.StringIO(client.get("/stats/pipeline.csv").content.decode())))
    assert exported[0] == [
        "operational_year",
        "announced_mw",
        "planning_mw",
        "construction_mw",
        "total_mw",
        "from_phases_mw",
    ]
    assert [Decimal(value) for value in exported[-1][1:]] == [Decimal("700"), 0, Decimal("50"), Decimal("750"), 0]
    countries = list(csv.reader(io.StringIO(client.get("/stats/capacity-by-country.csv").content.decode())))
    assert [row[0] for row in countries[1:]] == ["FR", "DE"]
    assert client.get("/stats/nothing.csv").status_code == 404


def test_pages_follow_the_browser_language_and_offer_a_switch(client, demo):
    english = text(client.get("/"))
    assert '<html lang="en">' in english and 'action="/i18n/setlang/"' in english
    french = client.get("/", headers={"accept-language": "fr"})
    page = text(french)
    assert '<html lang="fr">' in page
    assert "Projets" in page and "Carte" in page
    assert "5 Md" in page and "5\u202f000\u202f000\u202f000" in page  # French groups digits with narrow no-break spaces
    detail = text(client.get(DEMO_URL, headers={"accept-language": "fr"}))
    assert "9 décembre 2025" in detail


def query_counts(client, django_assert_max_num_queries, urls, limit):
    # Content types are read once per process and kept: a test that runs first, or after the table
    # was emptied, would count the process's first lookups rather than the page's queries.
    ContentType.objects.get_for_models(*apps.get_models())
    for url in urls:
        with django_assert_max_num_queries(limit, info=url):
            assert client.get(url).status_code == 200


@pytest.mark.parametrize("count", [5, 50])
def test_query_counts_do_not_grow_with_the_number_of_projects(client, django_assert_max_num_queries, count):
    organization = OrganizationFactory()
    for index in range(count):
        project = ProjectFactory(
            name=f"Project {index}",
            investment_amount=Decimal(1000 * index),
            investment_currency="EUR",
            status=choices.ProjectStatus.values[index % 6],
            operational_year=2026 + index % 8,
        )
        make(ProjectRole, project=project, organization=organization, role=choices.RoleKind.DEVELOPER)
    urls = [
        "/",
        "/projects/",
        f"/projects/?organization={organization.slug}&ordering=-capacity_mw",
        "/projects/?place=Escaudain&radius_km=100",
        "/map/",
        "/map/data.geojson",
        "/stats/",
        "/stats/pipeline.csv",
    ]
    # the list: its countries, organizations, count, page, the page's claim dates and two facet queries
    query_counts(client, django_assert_max_num_queries, urls, 7)


@pytest.mark.parametrize("claims", [2, 20])
def test_project_page_query_count_does_not_grow_with_its_records(client, django_assert_max_num_queries, claims):
    project = ProjectFactory()
    for index in range(claims):
        accepted_claim(project, attribute=choices.ClaimAttribute.OTHER, value_text=f"fact {index}", quote=f"q {index}")
        make(ProjectRole, project=project, organization=OrganizationFactory(), role=choices.RoleKind.INVESTOR)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("projects:detail", kwargs={"slug": project.slug}))
    other = next(row for row in response.context["figures"] if row["attribute"] == choices.ClaimAttribute.OTHER)
    assert len(other["claims"]) == claims


def test_the_list_marks_a_figure_typed_by_hand_and_not_a_sourced_one(client):
    typed = ProjectFactory(name="Typed site", capacity_mw=Decimal("90"))
    sourced = ProjectFactory(name="Sourced site")
    ClaimFactory(project=sourced, value_number=Decimal("120"), status=choices.ClaimStatus.ACCEPTED)
    typed.refresh_from_db()
    sourced.refresh_from_db()
    assert "capacity_mw" in typed.typed_by_hand and "capacity_mw" not in sourced.typed_by_hand

    page = client.get("/projects/").content.decode()
    rows = {
        name: page[page.index(name) : page.index("</tr>", page.index(name))] for name in ("Typed site", "Sourced site")
    }
    assert 'class="typed-by-hand"' in rows["Typed site"]
    assert 'class="typed-by-hand"' not in rows["Sourced site"]
    assert "† typed by hand" in page
