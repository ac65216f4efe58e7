"""Throttling and CORS."""

import pytest
from rest_framework import throttling

from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def low_rates(monkeypatch):
    # DRF reads the rates once at import: patch the table the throttles read.
    monkeypatch.setattr(throttling.SimpleRateThrottle, "THROTTLE_RATES", {"anon": "2/minute", "user": "3/minute"})


def test_anonymous_clients_are_throttled_with_the_error_shape(api, low_rates):
    for _ in range(2):
        assert api.get("/api/v1/projects/").status_code == 200
    response = api.get("/api/v1/projects/")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"
    assert int(response["Retry-After"]) > 0


def test_authenticated_clients_have_their_own_rate(editor_api, low_rates):
    for _ in range(3):
        assert editor_api.get("/api/v1/projects/").status_code == 200
    assert editor_api.get("/api/v1/projects/").status_code == 429


def test_a_throttled_download_answers_json(api, low_rates):
    for _ in range(2):
        api.get("/api/v1/projects/")
    response = api.get("/api/v1/projects/", {"format": "csv"})
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"


@pytest.fixture
def cors(settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://maps.example.org"]


def test_reads_are_open_to_configured_origins(api, cors):
    ProjectFactory()
    response = api.get("/api/v1/projects/", HTTP_ORIGIN="https://maps.example.org")
    assert response["Access-Control-Allow-Origin"] == "https://maps.example.org"
    other = api.get("/api/v1/projects/", HTTP_ORIGIN="https://elsewhere.example.com")
    assert "Access-Control-Allow-Origin" not in other


def test_browser_apps_can_revalidate_across_origins(api, cors):
    project = ProjectFactory()
    preflight = api.options(
        f"/api/v1/projects/{project.slug}/",
        HTTP_ORIGIN="https://maps.example.org",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="if-none-match",
    )
    assert "if-none-match" in preflight["Access-Control-Allow-Headers"]
    response = api.get(f"/api/v1/projects/{project.slug}/", HTTP_ORIGIN="https://maps.example.org")
    assert "etag" in response["Access-Control-Expose-Headers"].lower()


def test_writes_are_not_allowed_across_origins(api, cors):
    preflight = api.options(
        "/api/v1/projects/",
        HTTP_ORIGIN="https://maps.example.org",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="PATCH",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type",
    )
    allowed = {method.strip() for method in preflight["Access-Control-Allow-Methods"].split(",")}
    assert allowed == {"GET", "HEAD", "OPTIONS"}
    assert "PATCH" not in allowed and "POST" not in allowed


def test_cors_stays_off_the_rest_of_the_site(client, cors):
    response = client.get("/admin/login/", HTTP_ORIGIN="https://maps.example.org")
    assert "Access-Control-Allow-Origin" not in response


def test_unknown_api_address_answers_the_error_shape(api, client):
    response = api.get("/api/v1/no-such-resource/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")
