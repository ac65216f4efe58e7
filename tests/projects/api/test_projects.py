"""Project lists, detail, downloads and the checked scenarios of the API issue."""

import csv
import io
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects import choices
from projects.models import Phase, ProjectRole
from tests.factories import ClaimFactory, OrganizationFactory, ProjectFactory, SourceFactory, make

pytestmark = pytest.mark.django_db

LIST = "/api/v1/projects/"


def names(response):
    assert response.status_code == 200, response.content
    return [project["name"] for project in response.json()["results"]]


def streamed(response) -> str:
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode()


def test_demo_project_found_by_country_capacity_and_year(demo, api):
    response = api.get(LIST, {"country": "FR", "capacity_min": 500, "operational_year_max": 2030})
    assert names(response) == ["Escaudain AI data center"]
    assert response.json()["results"][0]["capacity_mw"] == 700.0


def test_demo_project_found_near_valenciennes_with_its_distance(demo, api):
    response = api.get(LIST, {"near": "50.36,3.52", "radius_km": 20})
    [project] = response.json()["results"]
    assert project["slug"] == "escaudain-ai-data-center"
    assert project["distance_km"] == pytest.approx(12.9, abs=0.2)


def test_a_point_100_km_away_does_not_find_the_demo_project(demo, api):
    # 0.9° of latitude north of Valenciennes is about 100 km away.
    assert names(api.get(LIST, {"near": "51.26,3.52", "radius_km": 20})) == []


def test_distance_is_null_without_near(demo, api):
    assert api.get(LIST).json()["results"][0]["distance_km"] is None


def test_invalid_filter_value_is_a_400_naming_the_parameter(demo, api):
    response = api.get(LIST, {"capacity_min": "abc"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["status"] == 400
    assert list(error["fields"]) == ["capacity_min"]
    assert "capacity_min" in error["message"]


def test_list_is_light_and_detail_shows_figures_with_their_sources(demo, api):
    listed = api.get(LIST).json()["results"][0]
    assert "figures" not in listed and "roles" not in listed
    detail = api.get(f"{LIST}{demo.slug}/").json()
    figures = {figure["attribute"]: figure for figure in detail["figures"]}
    capacity = figures["capacity_mw"]
    assert (capacity["value"], capacity["unit"], capacity["display"]) == (700, "MW", "700 MW")
    assert capacity["sourced"] is True and capacity["typed_by_hand"] is False
    [claim] = capacity["claims"]
    assert claim["quote"] == "une capacité brute de 700 mégawatts"
    assert claim["value_number"] == 700.0 and claim["unit"] == "MW" and claim["is_headline"]
    assert claim["source"]["publisher"] == "Actualités 24"
    assert figures["investment"]["claims"][0]["currency"] == "EUR"
    assert detail["conflicts"] == []
    assert [m["kind"] for m in detail["milestones"]] == ["announced", "target_operation"]
    assert detail["roles"][0]["undisclosed"] is True
    assert detail["grid_connections"][0]["substation_name"] == "Mastaing"
    assert detail["status_history"][0]["status"] == "announced"


def test_detail_shows_conflicting_claims(api):
    project = ProjectFactory()
    first = ClaimFactory(project=project, value_number=Decimal("38"), attribute="site_area_ha", quote="38 ha")
    second = ClaimFactory(project=project, value_number=Decimal("33"), attribute="site_area_ha", quote="33 ha")
    from projects.services import claim_accept

    claim_accept(claim=first)
    claim_accept(claim=second)
    detail = api.get(f"{LIST}{project.slug}/").json()
    [conflict] = detail["conflicts"]
    assert conflict["attribute"] == "site_area_ha"
    assert sorted(conflict["values"]) == ["33 ha", "38 ha"]
    assert sorted(conflict["claims"]) == sorted([first.pk, second.pk])
    assert detail["conflict_count"] == 1


def test_project_is_found_by_slug_or_by_id(demo, api):
    by_slug = api.get(f"{LIST}{demo.slug}/")
    by_id = api.get(f"{LIST}{demo.pk}/")
    assert by_slug.status_code == by_id.status_code == 200
    assert by_slug.json() == by_id.json()
    missing = api.get(f"{LIST}no-such-project/")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"


def test_geojson_is_a_feature_collection_of_points(demo, api):
    ProjectFactory(name="Unplaced", latitude=None, longitude=None)
    response = api.get(LIST, {"format": "geojson"})
    assert response["Content-Type"] == "application/geo+json"
    assert 'filename="projects.geojson"' in response["Content-Disposition"]
    collection = json.loads(streamed(response))
    assert collection["type"] == "FeatureCollection"
    by_name = {feature["properties"]["name"]: feature for feature in collection["features"]}
    for feature in collection["features"]:
        assert feature["type"] == "Feature"
        assert isinstance(feature["properties"], dict)
        assert feature["geometry"] is None or feature["geometry"]["type"] == "Point"
    escaudain = by_name["Escaudain AI data center"]
    longitude, latitude = escaudain["geometry"]["coordinates"]
    assert (round(longitude, 2), round(latitude, 2)) == (3.34, 50.33)  # GeoJSON order: longitude first
    assert escaudain["properties"]["capacity_mw"] == 700.0
    assert by_name["Unplaced"]["geometry"] is None


def test_geojson_near_carries_distances(demo, api):
    collection = json.loads(streamed(api.get(LIST, {"format": "geojson", "near": "50.36,3.52", "radius_km": 20})))
    assert collection["features"][0]["properties"]["distance_km"] == pytest.approx(12.9, abs=0.2)


def test_csv_has_a_header_and_one_row_per_project_of_the_whole_filtered_list(demo, api):
    ProjectFactory.create_batch(3, country="DE", capacity_mw=Decimal("10"))
    response = api.get(LIST, {"format": "csv", "country": "DE", "ordering": "-name", "page_size": 1})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="projects.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(streamed(response))))
    assert len(rows) == 3  # not paginated
    assert [row["name"] for row in rows] == sorted((row["name"] for row in rows), reverse=True)
    assert {row["country"] for row in rows} == {"DE"}
    assert rows[0]["capacity_mw"] == "10"  # a number, not "10.00"


def test_csv_of_an_empty_list_is_its_header(api, db):
    text = streamed(api.get(LIST, {"format": "csv"}))
    assert text.splitlines()[0].startswith("id,slug,name,")
    assert len(text.splitlines()) == 1


def test_csv_selected_by_accept_header(demo, api):
    response = api.get(LIST, HTTP_ACCEPT="text/csv")
    assert response["Content-Type"].startswith("text/csv")


def test_errors_of_a_download_are_json(demo, api):
    response = api.get(LIST, {"format": "csv", "capacity_min": "abc"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["fields"]["capacity_min"]


def test_formats_are_offered_on_lists_only(demo, api):
    response = api.get(f"{LIST}{demo.slug}/", {"format": "csv"})
    assert response.status_code == 400
    assert "format" in response.json()["error"]["fields"]


def test_unknown_format_is_a_400_naming_it(demo, api):
    response = api.get(LIST, {"format": "xml"})
    assert response.status_code == 400
    assert "csv" in response.json()["error"]["fields"]["format"][0]


@pytest.mark.parametrize("page_size", ["0", "-1", "ten", "1e3"])
def test_page_size_must_be_a_positive_whole_number(api, db, page_size):
    response = api.get(LIST, {"page_size": page_size})
    assert response.status_code == 400
    assert "page_size" in response.json()["error"]["fields"]


def test_page_size_is_bounded(api, db, monkeypatch):
    from core.api.pagination import PageNumberPagination

    ProjectFactory.create_batch(3)
    monkeypatch.setattr(PageNumberPagination, "max_page_size", 2)
    assert len(api.get(LIST, {"page_size": 100}).json()["results"]) == 2


def test_cursor_pagination_visits_every_project_once(api, db):
    created = {project.pk for project in ProjectFactory.create_batch(5)}
    seen, url = [], f"{LIST}?paginate=cursor&page_size=2"
    while url:
        page = api.get(url).json()
        assert "count" not in page
        seen += [project["id"] for project in page["results"]]
        url = page["next"]
    assert sorted(seen) == sorted(created)


@pytest.mark.parametrize(
    ("params", "field", "status"),
    [({"paginate": "sideways"}, "paginate", 400), ({"paginate": "cursor", "ordering": "name"}, "ordering", 422)],
)
def test_pagination_choice_is_validated(api, db, params, field, status):
    response = api.get(LIST, params)
    assert response.status_code == status
    assert list(response.json()["error"]["fields"]) == [field]


def _fill(count):
    organization = OrganizationFactory()
    source = SourceFactory()
    for project in ProjectFactory.create_batch(count):
        make(ProjectRole, project=project, organization=organization, role=choices.RoleKind.DEVELOPER)
        make(Phase, project=project, name="Phase 1")
        ClaimFactory(project=project, source=source, status=choices.ClaimStatus.ACCEPTED)
    return organization


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": "center", "ordering": "-capacity_mw"},
        {"near": "50.36,3.52", "radius_km": 50, "ordering": "distance"},
        {"organization": "ORGANIZATION", "role": "developer", "status": "planning,announced"},
    ],
)
def test_list_queries_do_not_grow_with_the_page_size(api, db, django_assert_max_num_queries, params):
    organization = _fill(100)
    params = {name: organization.slug if value == "ORGANIZATION" else value for name, value in params.items()}
    with CaptureQueriesContext(connection) as small:
        assert len(api.get(LIST, {**params, "page_size": 10}).json()["results"]) == 10
    # a count, the page, its claims' latest dates, and for near the bounding-box candidates
    assert len(small.captured_queries) <= 4
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(api.get(LIST, {**params, "page_size": 100}).json()["results"]) == 100


def test_detail_queries_do_not_grow_with_its_parts(api, db, django_assert_max_num_queries):
    small, large = ProjectFactory(), ProjectFactory()
    source = SourceFactory()
    ClaimFactory(project=small, source=source, status=choices.ClaimStatus.ACCEPTED)
    for n in range(20):
        ClaimFactory(
            project=large, source=SourceFactory(), attribute="other", value_text=f"fact {n}", value_number=None
        )
        make(Phase, project=large, name=f"Phase {n}")
        make(ProjectRole, project=large, organization=OrganizationFactory(), role=choices.RoleKind.INVESTOR)
    with django_assert_max_num_queries(7):
        assert api.get(f"{LIST}{small.slug}/").status_code == 200
    with django_assert_max_num_queries(7):
        detail = api.get(f"{LIST}{large.slug}/").json()
    assert len(detail["phases"]) == 20 and len(detail["roles"]) == 20
