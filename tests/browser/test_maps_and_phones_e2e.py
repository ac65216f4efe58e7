"""Maps with context and pages for phones and keyboards, in a real headless Chromium.

The site map names the towns around the demo site (Escaudain, in the north of France) from the
offline gazetteer, with its substation, a scale bar and a legend; map markers are reachable
with the Tab key, open with Enter and are listed in a table of what the view shows; at 375 px
the first result of the list comes before the folded filters; no text is smaller than 11 px,
charts included (an SVG's text is measured at the size it is drawn, not its font-size alone).
"""

import base64
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from projects import choices
from tests.browser.conftest import SERVER
from tests.factories import ClaimFactory, ProjectFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_SLUG = "escaudain-ai-data-center"
# Towns of 10,000 inhabitants or more within 20 km of Escaudain, as GeoNames places them.
TOWNS_AROUND_ESCAUDAIN = {"Denain", "Valenciennes", "Douai", "Somain", "Anzin", "Raismes", "Aniche"}
PHONE = {"width": 375, "height": 667}
PAGES = ["/", "/projects/", "/stats/", "/map/", f"/projects/{DEMO_SLUG}/"]

# Every text node's size as drawn: its computed font-size, scaled like the SVG it is in.
TEXT_SIZES = """() => {
  const sizes = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const element = node.parentElement;
    if (!node.textContent.trim() || !element || element.closest("script, style, noscript, title")) continue;
    const box = element.getBoundingClientRect();
    if (!box.width && !box.height) continue;  // not drawn (a closed fold, a hidden tooltip)
    let size = parseFloat(getComputedStyle(element).fontSize);
    const svg = element.closest("svg");
    if (svg && svg.viewBox.baseVal && svg.viewBox.baseVal.width) {
      size *= svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    }
    sizes.push([node.textContent.trim().slice(0, 40), Math.round(size * 10) / 10]);
  }
  return sizes;
}"""


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo", verbosity=0)
    ProjectFactory(name="Berlin campus", country="DE", municipality="Berlin", latitude=52.52, longitude=13.4)


def test_the_site_map_names_the_towns_around_the_demo_site(page, live_server, demo):
    page.goto(f"{live_server.url}/projects/{DEMO_SLUG}/")
    site_map = page.locator("#site-map")
    expect(site_map).to_have_attribute("data-state", "ready")
    labels = site_map.locator(".town-label")
    expect(labels.first).to_be_visible()
    names = set(labels.all_inner_texts())
    assert len(names & TOWNS_AROUND_ESCAUDAIN) >= 3, names
    # labels left out after a move fade for 200 ms before Leaflet removes them: wait for the count
    expect(labels).to_have_count(int(site_map.get_attribute("data-town-labels")))
    # each label is drawn inside the map, none over another, nor over the site's or the substation's
    frame = site_map.bounding_box()
    boxes = [label.bounding_box() for label in site_map.locator(".leaflet-tooltip").all()]
    for box in boxes:
        assert frame["x"] <= box["x"] and box["x"] + box["width"] <= frame["x"] + frame["width"] + 1
    for index, box in enumerate(boxes):
        for other in boxes[index + 1 :]:
            apart = (
                box["x"] + box["width"] <= other["x"] + 2
                or other["x"] + other["width"] <= box["x"] + 2
                or box["y"] + box["height"] <= other["y"] + 1
                or other["y"] + other["height"] <= box["y"] + 1
            )
            assert apart, (box, other)
    # the substation, the line to it, the scale and the legend that explains them
    expect(site_map.locator(".leaflet-tooltip").nth(1)).to_contain_text("Mastaing")
    expect(site_map.locator("path.grid-connection")).to_have_count(1)
    expect(site_map.locator(".leaflet-control-scale-line")).to_have_text(re.compile(r"^\s*\d+ k?m\s*$"))
    legend = page.locator(".site-legend")
    expect(legend).to_contain_text("Announced")
    expect(legend).to_contain_text("Substation and the grid connection to it")
    expect(legend).to_contain_text("Towns")
    # no tile server unless one is configured
    assert site_map.locator("img.leaflet-tile").count() == 0


def test_a_project_whose_sources_disagree_is_ringed_on_its_map_and_the_main_map(page, live_server, transactional_db):
    project = ProjectFactory(name="Disputed hall", status=choices.ProjectStatus.CONSTRUCTION)
    for value in ("100", "140"):
        ClaimFactory(project=project, value_number=Decimal(value), status=choices.ClaimStatus.ACCEPTED)
    project.refresh_from_db()
    assert project.conflict_count == 1
    page.goto(f"{live_server.url}{project.get_absolute_url()}")
    site_map = page.locator("#site-map")
    expect(site_map).to_have_attribute("data-state", "ready")
    expect(site_map.locator("path.conflict-ring")).to_have_count(1)
    expect(site_map.locator(".site-label")).to_contain_text("Sources disagree on some figures")
    expect(page.locator(".site-legend")).to_contain_text("Ringed: sources disagree")

    page.goto(f"{live_server.url}/map/")
    expect(page.locator("#projects-map")).to_have_attribute("data-state", "ready")
    marker = page.locator("#projects-map path.project-marker.in-conflict")
    expect(marker).to_have_count(1)
    assert "Sources disagree on some figures" in marker.get_attribute("aria-label")
    expect(page.locator(".legend .conflict-key")).to_contain_text("Ringed: sources disagree")


def test_keyboard_reaches_a_marker_and_enter_opens_it(page, live_server, demo):
    page.goto(f"{live_server.url}/map/")
    expect(page.locator("#projects-map")).to_have_attribute("data-state", "ready")
    # the skip link past the markers shows when it has the focus, then come the markers
    skip = page.locator(".skip-map")
    assert skip.bounding_box()["width"] <= 1  # out of sight until then
    skip.focus()
    expect(skip).to_be_in_viewport()
    assert skip.bounding_box()["width"] > 100
    assert skip.get_attribute("href") == "#projects-map-table"
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('project-marker')"):
            break
    focused = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert focused in ("Escaudain AI data center, Announced, 700 MW", "Berlin campus, Planning, 100 MW")
    page.keyboard.press("Enter")
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_be_visible()
    expect(popup.locator("strong")).to_have_text(focused.split(",")[0])
    expect(popup.get_by_role("link", name="Open the project page")).to_be_focused()
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == focused


def test_the_map_has_a_table_of_the_projects_in_its_view(page, live_server, demo):
    page.goto(f"{live_server.url}/map/")
    expect(page.locator("#projects-map")).to_have_attribute("data-state", "ready")
    table = page.locator("#projects-map-table")
    table.locator("summary").click()
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(table).to_contain_text("Projects in view: 2.")
    expect(rows.filter(has_text="Escaudain AI data center").get_by_role("link")).to_have_attribute(
        "href", f"/projects/{DEMO_SLUG}/"
    )
    # zoomed in, the table follows the view: what it lists is what the view shows, and it
    # agrees with the tab order (markers in view are stops, those out of it are not)
    in_view = (
        "() => [...document.querySelectorAll('#projects-map path.project-marker')]"
        ".filter((path) => path.getAttribute('tabindex') === '0').length"
    )
    for _ in range(6):
        page.locator("#projects-map .leaflet-control-zoom-in").click()
        page.wait_for_timeout(500)
        if rows.count() < 2:
            break
    assert rows.count() < 2
    assert rows.count() == page.evaluate(in_view)


def test_at_375_px_the_first_result_is_on_the_first_screen(page, live_server, demo):
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/projects/")
    first = page.locator("table.projects tbody tr").first
    expect(first).to_be_visible()
    box = first.bounding_box()
    assert box["y"] >= 0 and box["y"] + min(box["height"], 40) <= PHONE["height"], box
    # the filters are folded behind a button that opens them
    fold = page.locator("details.filters-fold")
    expect(page.get_by_label("Minimum MW")).to_be_hidden()
    fold.locator("summary").click()
    expect(page.get_by_label("Minimum MW")).to_be_visible()
    # a filter that needs correcting opens them by itself
    page.goto(f"{live_server.url}/projects/?capacity_min=lots")
    expect(page.get_by_label("Minimum MW")).to_be_visible()

    # on a desktop they sit open beside the results, with no button
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/projects/")
    expect(page.get_by_label("Minimum MW")).to_be_visible()
    expect(fold.locator("summary")).to_be_hidden()


@pytest.mark.parametrize("viewport", [PHONE, {"width": 1280, "height": 900}], ids=["phone", "desktop"])
def test_no_text_is_under_11_px(page, live_server, demo, viewport):
    page.set_viewport_size(viewport)
    for path in PAGES:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        sizes = page.evaluate(TEXT_SIZES)
        assert len(sizes) > 20, path
        small = [(text, size) for text, size in sizes if size < 11]
        assert small == [], (path, small)
        if path == "/stats/":
            # the pipeline chart's labels are among what was measured, at their drawn size
            assert any(text == "2030" for text, _size in sizes)
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], path


@pytest.mark.parametrize("language", ["en", "fr"])
def test_at_375_px_the_first_result_is_on_the_first_screen_in_each_language(
    page, live_server, demo, language, settings
):
    page.set_viewport_size(PHONE)
    # the language a reader chose with the switch (Chromium sends its own Accept-Language)
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}/projects/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    box = page.locator("table.projects tbody tr").first.bounding_box()
    assert box["y"] + min(box["height"], 40) <= PHONE["height"], box


@pytest.mark.skipif(SERVER == "gunicorn", reason="sets the tile setting in the server's own process")
def test_a_configured_tile_layer_is_drawn_under_the_maps(page, live_server, demo, settings):
    png = base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    )
    requested = []

    def tile(route):
        requested.append(route.request.url)
        route.fulfill(status=200, content_type="image/png", body=png)

    page.route("**/tiles/**", tile)
    settings.MAP_TILE_URL = f"{live_server.url}/tiles/{{z}}/{{x}}/{{y}}.png"
    settings.MAP_TILE_ATTRIBUTION = "© <b class=injected>Tiles</b>"
    page.goto(f"{live_server.url}/projects/{DEMO_SLUG}/")
    site_map = page.locator("#site-map")
    expect(site_map).to_have_attribute("data-state", "ready")
    expect(site_map.locator("img.leaflet-tile-loaded").first).to_be_attached()
    assert requested
    expect(site_map.locator(".leaflet-control-attribution")).to_contain_text("© <b class=injected>Tiles</b>")
    expect(page.locator(".injected")).to_have_count(0)
    expect(site_map.locator(".town-label").first).to_be_visible()  # the towns are still named over the tiles


HOSTILE = '<img src=x class=injected onerror="window.__xss=1">'


def test_hostile_names_are_text_on_the_maps_and_in_their_table(page, live_server, transactional_db):
    ProjectFactory(name=HOSTILE, slug="hostile")
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"{live_server.url}/map/")
    expect(page.locator("#projects-map")).to_have_attribute("data-state", "ready")
    marker = page.locator("#projects-map path.project-marker")
    assert marker.get_attribute("aria-label").startswith(HOSTILE)
    table = page.locator("#projects-map-table")
    table.locator("summary").click()
    expect(table.locator("tbody th")).to_have_text(HOSTILE)
    marker.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".leaflet-popup-content strong")).to_have_text(HOSTILE)

    page.goto(f"{live_server.url}/projects/hostile/")
    site_map = page.locator("#site-map")
    expect(site_map).to_have_attribute("data-state", "ready")
    expect(site_map.locator(".site-label")).to_have_text(HOSTILE)
    expect(site_map.locator(".town-label").first).to_be_visible()
    page.wait_for_timeout(300)
    assert dialogs == []
    assert page.evaluate("window.__xss") is None
    expect(page.locator(".injected")).to_have_count(0)
