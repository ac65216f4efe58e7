"""Stored strings stay text on the public pages: a project and a substation named with script
payloads are shown, literally, in the map tooltips, popups and the site map, and no payload
runs (no dialog, no handler, no injected element) on the overview, the map and the project page.
"""

import pytest
from playwright.sync_api import expect

from projects import services
from projects.models import GridConnection
from tests.factories import ProjectFactory, SubstationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Each payload, written as HTML, would run script: an error handler, an SVG onload, a script tag.
PROJECT_NAME = '<img src=x class=injected onerror="window.__xss=1;alert(1)">'
SUBSTATION_NAME = '<svg class=injected onload="window.__xss=1;alert(2)"></svg><script>window.__xss=1</script>'
MUNICIPALITY = "<b class=injected onmouseover=alert(3)>town</b>"


@pytest.fixture
def payload_project(transactional_db):
    project = ProjectFactory(
        name=PROJECT_NAME,
        slug="payload",
        municipality=MUNICIPALITY,
        description='<iframe class=injected src="javascript:alert(4)"></iframe>',
    )
    substation = SubstationFactory(name=SUBSTATION_NAME)
    services.record_save(instance=GridConnection(project=project, substation=substation), data={})
    return project


@pytest.fixture
def guarded_page(page):
    """The page, recording every dialog a script opens (and dismissing it)."""
    dialogs: list[str] = []

    def record(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record)
    page.dialogs = dialogs
    return page


def assert_inert(page):
    # Give a deferred handler (image error, hover) time to fire before looking.
    page.wait_for_timeout(300)
    assert page.dialogs == []
    assert page.evaluate("window.__xss") is None
    expect(page.locator(".injected")).to_have_count(0)


@pytest.mark.parametrize("path, map_id", [("/", "overview-map"), ("/map/", "projects-map")])
def test_payload_names_are_text_in_map_tooltips_and_popups(guarded_page, live_server, payload_project, path, map_id):
    page = guarded_page
    page.goto(f"{live_server.url}{path}")
    expect(page.locator(f"#{map_id}")).to_have_attribute("data-state", "ready")
    marker = page.locator(f"#{map_id} path.project-marker")
    expect(marker).to_have_count(1)

    marker.hover()
    tooltip = page.locator(".leaflet-tooltip")
    expect(tooltip).to_have_text(PROJECT_NAME)
    marker.click()
    popup = page.locator(".leaflet-popup-content")
    expect(popup.locator("strong")).to_have_text(PROJECT_NAME)
    assert_inert(page)


def test_payload_names_are_text_on_the_project_page(guarded_page, live_server, payload_project):
    page = guarded_page
    page.goto(f"{live_server.url}{payload_project.get_absolute_url()}")
    expect(page.get_by_role("heading", level=1)).to_have_text(PROJECT_NAME)
    site_map = page.locator("#site-map")
    expect(site_map).to_have_attribute("data-state", "ready")
    # the site map's permanent tooltips: the project, then the substation with its distance
    tooltips = site_map.locator(".leaflet-tooltip")
    expect(tooltips.first).to_have_text(PROJECT_NAME)
    expect(tooltips.nth(1)).to_contain_text(SUBSTATION_NAME)
    expect(page.locator("main")).to_contain_text(MUNICIPALITY)
    assert_inert(page)
