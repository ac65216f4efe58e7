"""Which server the browser tests drove: with BROWSER_TESTS_SERVER=gunicorn, the deployed mode
(gunicorn, debug off, hashed static files from collectstatic's manifest)."""

import re

import pytest

from tests.browser.conftest import SERVER

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.skipif(SERVER != "gunicorn", reason="the deployed mode runs with BROWSER_TESTS_SERVER=gunicorn")
def test_the_pages_come_from_gunicorn_with_debug_off_and_hashed_static_files(page, live_server):
    response = page.goto(f"{live_server.url}/")
    assert response.status == 200
    assert "gunicorn" in response.headers.get("server", "")
    static = page.eval_on_selector_all(
        "link[rel=stylesheet], script[src]", "nodes => nodes.map(node => node.href || node.src)"
    )
    assert static and all(re.search(r"/static/.+\.[0-9a-f]{12}\.(css|js)$", url) for url in static), static

    missing = page.goto(f"{live_server.url}/no-such-page/")
    assert missing.status == 404
    assert "DEBUG = True" not in page.content(), "debug is off: no technical 404 page"
