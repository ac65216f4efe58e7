"""The public pages in a real headless Chromium: the map's markers and popups, a filter
that narrows the list and its URL, a project's sources, the pipeline chart, phones and
keyboards. The ``page`` fixture fails a test whose page asks for anything outside localhost
and keeps a screenshot of each test in test-artifacts/."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from projects import choices
from tests.browser.conftest import SERVER
from tests.factories import ProjectFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
DEMO_SLUG = "escaudain-ai-data-center"
PAGES = {
    "overview": "/",
    "list": "/projects/",
    "project": f"/projects/{DEMO_SLUG}/",
    "map": "/map/",
    "stats": "/stats/",
}


@pytest.fixture
def demo_projects(transactional_db):
    """The demo project and three more, far enough apart for their markers not to overlap."""
    call_command("load_demo", verbosity=0)
    ProjectFactory(
        name="Berlin campus", kind=choices.ProjectKind.COLOCATION, country="DE", latitude=52.52, longitude=13.4
    )
    ProjectFactory(
        name="Madrid hall", kind=choices.ProjectKind.HYPERSCALE, country="ES", latitude=40.42, longitude=-3.7
    )
    ProjectFactory(
        name="Rome edge",
        kind=choices.ProjectKind.EDGE,
        country="IT",
        latitude=41.9,
        longitude=12.5,
        status=choices.ProjectStatus.OPERATIONAL,
        capacity_mw=Decimal("12"),
    )


@pytest.mark.skipif(
    SERVER == "gunicorn", reason="lowers the server's marker limit in its own process: the in-process server only"
)
def test_a_map_with_more_projects_than_it_draws_shows_clusters_that_open_as_it_zooms_in(
    page, live_server, demo_projects, monkeypatch
):
    from projects import selectors

    monkeypatch.setattr(selectors, "MAP_MAX_MARKERS", 2)  # four projects: clustered at first
    page.goto(f"{live_server.url}/map/")
    map_element = page.locator("#projects-map")
    expect(map_element).to_have_attribute("data-state", "ready")
    clusters = page.locator("#projects-map path.project-cluster")
    expect(clusters.first).to_be_visible()
    assert page.locator("#projects-map path.project-marker").count() == 0
    # Escaudain sits alone in the north of France: zooming into its cluster draws its marker
    drawn = page.evaluate("() => document.querySelector('#projects-map').dataset.clusterCount")
    assert int(drawn) >= 2
    for _ in range(6):
        if page.locator("#projects-map path.project-marker").count():
            break
        page.locator("#projects-map path.project-cluster").first.click()
        page.wait_for_timeout(600)
    expect(page.locator("#projects-map path.project-marker").first).to_be_visible()


def test_map_shows_one_marker_per_project_with_its_popup(page, live_server, demo_projects):
    page.goto(f"{live_server.url}/map/")
    map_element = page.locator("#projects-map")
    expect(map_element).to_have_attribute("data-state", "ready")
    markers = page.locator("#projects-map path.project-marker")
    expect(markers).to_have_count(4)
    assert map_element.get_attribute("data-marker-count") == "4"
    # circles in view are stops of the tab order, named like their popup
    assert markers.first.get_attribute("tabindex") == "0"
    assert markers.first.get_attribute("role") == "button"
    expect(page.get_by_role("link", name="See them as a list")).to_be_visible()
    # the country outlines come from the bundled world-atlas layer, not from a tile server
    assert page.locator("#projects-map .leaflet-overlay-pane path:not(.project-marker)").count() > 100
    assert page.locator("#projects-map img.leaflet-tile").count() == 0

    popups = {}
    for index in range(4):
        markers.nth(index).click()
        popup = page.locator(".leaflet-popup-content")
        expect(popup).to_be_visible()
        popups[popup.locator("strong").inner_text()] = popup
        if "Escaudain" in popup.inner_text():
            expect(popup).to_contain_text("700 MW")
            expect(popup).to_contain_text("Announced")
            expect(popup.get_by_role("link")).to_have_attribute("href", f"/projects/{DEMO_SLUG}/")
            popup.get_by_role("link").click()
            expect(page).to_have_url(f"{live_server.url}/projects/{DEMO_SLUG}/")
            break
        page.keyboard.press("Escape")
    assert "Escaudain AI data center" in popups


def test_map_filter_keeps_only_matching_markers(page, live_server, demo_projects):
    page.goto(f"{live_server.url}/map/")
    page.get_by_label("Minimum MW").fill("500")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(f"{live_server.url}/map/?q=&place=&radius_km=&country=&capacity_min=500&capacity_max=")
    expect(page.locator("#projects-map")).to_have_attribute("data-state", "ready")
    expect(page.locator("#projects-map path.project-marker")).to_have_count(1)


def test_a_filter_narrows_the_list_and_the_url(page, live_server, demo_projects):
    page.goto(f"{live_server.url}/projects/")
    rows = page.locator("table.projects tbody tr")
    expect(rows).to_have_count(4)
    page.get_by_role("group", name="Kind").get_by_label("AI", exact=True).check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"[?&]kind=ai(&|$)"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Escaudain AI data center")
    expect(page.locator(".description")).to_contain_text("Kind: AI")
    csv_link = page.get_by_role("link", name="Download CSV")
    assert "kind=ai" in csv_link.get_attribute("href") and "format=csv" in csv_link.get_attribute("href")

    # a place name and a radius, as a reader would give them
    page.goto(f"{live_server.url}/projects/")
    page.get_by_label("Near a place").fill("Valenciennes")
    page.get_by_label("Radius (km)").fill("40")
    page.get_by_role("button", name="Apply filters").click()
    expect(rows).to_have_count(1)
    expect(page.get_by_role("columnheader", name="Distance (km)")).to_be_visible()


def test_a_bad_filter_is_explained_next_to_its_field(page, live_server, demo_projects):
    response = page.goto(f"{live_server.url}/projects/?capacity_min=lots")
    assert response.status == 400
    field = page.locator(".field-capacity_min")
    expect(field).to_contain_text("Enter a number.")
    expect(page.get_by_role("alert")).to_contain_text("Minimum MW")


def test_project_page_shows_its_sources_and_quotes(page, live_server, demo_projects):
    page.goto(f"{live_server.url}/projects/{DEMO_SLUG}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Escaudain AI data center")
    capacity = page.locator("article.figure", has=page.get_by_role("heading", name="Capacity (MW)"))
    expect(capacity.locator(".claim-value")).to_contain_text("700 MW")
    expect(capacity.locator("blockquote")).to_contain_text("une capacité brute de 700 mégawatts")
    expect(capacity.locator("cite")).to_contain_text("Actualités 24")
    expect(capacity.locator("cite")).to_contain_text("Souveraineté numérique et IA")
    expect(page.locator("blockquote.quote")).to_have_count(page.locator("li.claim").count())
    expect(page.get_by_role("cell", name="Undisclosed")).to_be_visible()
    expect(page.locator("#site-map")).to_have_attribute("data-state", "ready")
    expect(page.locator("#site-map")).to_contain_text("Mastaing")


def test_pipeline_chart_shows_700_mw_in_2030(page, live_server, demo_projects):
    page.goto(f"{live_server.url}/stats/")
    column = page.locator('#pipeline-chart g.column[data-category="2030"]')
    expect(column.locator("text.total")).to_have_text("700")
    assert column.get_attribute("data-total") == "700"
    # the bar is drawn: its height is proportional to 700 on an axis topped at 1,000
    height = float(column.locator("rect").first.get_attribute("height"))
    assert height == pytest.approx(0.7 * (320 - 24 - 36), abs=0.2)
    row = page.locator("#pipeline-table tbody tr", has=page.get_by_role("rowheader", name="2030"))
    cells = row.locator("td")
    expect(cells.last).to_have_text("0")  # of which from phases: the demo project has none
    expect(cells.nth(cells.count() - 2)).to_have_text("700")  # the total


def test_every_page_on_a_phone_and_the_language_switch(page, live_server, demo_projects):
    page.set_viewport_size({"width": 390, "height": 844})
    ARTIFACTS.mkdir(exist_ok=True)
    for name, path in PAGES.items():
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, name  # no sideways scrolling
        page.screenshot(path=str(ARTIFACTS / f"page-{name}-phone.png"), full_page=True)

    page.get_by_label("Language").select_option("fr")
    page.get_by_role("button", name="Change").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page).to_have_url(f"{live_server.url}/stats/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Statistiques")


def test_keyboard_users_can_skip_to_the_content(page, live_server, demo_projects):
    page.goto(f"{live_server.url}/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_every_page_screenshot_on_a_desktop(page, live_server, demo_projects):
    ARTIFACTS.mkdir(exist_ok=True)
    for name, path in PAGES.items():
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(ARTIFACTS / f"page-{name}.png"), full_page=True)
