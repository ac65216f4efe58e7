"""Unknown addresses under /api/ answer the API's error shape, with debug on as with debug off:
Django's debug page is for the site, not for API clients."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture(params=[False, True], ids=["debug-off", "debug-on"])
def debug(request, settings):
    settings.DEBUG = request.param
    return request.param


@pytest.mark.parametrize("method", ["get", "post", "delete"])
@pytest.mark.parametrize("url", ["/api/v1/no-such-resource/", "/api/v2/projects/", "/api/", "/api/v1/projects/x/y/z/"])
def test_an_unknown_api_address_is_a_json_404(client, debug, method, url):
    response = getattr(client, method)(url)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"error": {"status": 404, "code": "not_found", "message": "No endpoint at this address."}}


def test_an_address_without_its_trailing_slash_is_still_redirected(client, debug):
    response = client.get("/api/v1/projects?country=FR")
    assert response.status_code == 301
    assert response["Location"] == "/api/v1/projects/?country=FR"
    assert client.get("/api/v1/no-such-resource").status_code == 404


def test_a_missing_record_keeps_the_error_shape_with_debug_on(client, debug):
    response = client.get("/api/v1/projects/no-such-project/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_the_rest_of_the_site_keeps_its_html_404(client, debug):
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")
