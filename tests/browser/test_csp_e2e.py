"""The Content-Security-Policy in a real Chromium: every page still works under it (maps drawn,
Swagger UI rendered from the sidecar files, the admin's scripts running) and the browser reports
no violation on any of them."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
DEMO_SLUG = "escaudain-ai-data-center"


@pytest.fixture
def watched_page(page):
    """The page, recording what the browser says about the Content-Security-Policy."""
    page.violations = []
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and page.violations.append(message.text),
    )
    page.on("pageerror", lambda error: page.violations.append(f"uncaught: {error}"))
    return page


@pytest.fixture
def demo_and_editor(transactional_db):
    call_command("load_demo", verbosity=0)
    UserFactory(username="editor", is_staff=True, is_superuser=True, password=PASSWORD)


def test_public_pages_work_under_the_policy(watched_page, live_server, demo_and_editor):
    page = watched_page
    for path, map_id in (("/", "overview-map"), ("/map/", "projects-map"), (f"/projects/{DEMO_SLUG}/", "site-map")):
        page.goto(f"{live_server.url}{path}")
        expect(page.locator(f"#{map_id}")).to_have_attribute("data-state", "ready")
    for path in ("/projects/", "/stats/"):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
    assert page.violations == []


def test_swagger_ui_renders_under_the_policy(watched_page, live_server):
    page = watched_page
    page.goto(f"{live_server.url}/api/docs/")
    operations = page.locator("#swagger-ui .opblock")
    expect(operations.first).to_be_visible()
    assert operations.count() > 10
    # its start-up script ran (the inline one, allowed by the nonce): the schema is loaded
    expect(page.locator("#swagger-ui .info .title")).to_contain_text("Data-center project tracker API")
    assert page.violations == []


def test_admin_works_under_the_policy(watched_page, live_server, demo_and_editor):
    page = watched_page
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#site-name")).to_contain_text("Data-center project tracker")
    page.goto(f"{live_server.url}/admin/projects/project/")
    page.locator("#result_list tbody a").first.click()
    # the claims inline's script ran: it hides the value inputs an attribute does not need
    expect(page.locator("#claims-group .cell-part[hidden]").first).to_be_attached()

    # the export form's "select all" box, bound by a static script instead of an onchange attribute
    page.goto(f"{live_server.url}/admin/projects/project/export/")
    fields = page.locator(".selectable-field-export-row input[type=checkbox]:visible")
    expect(fields.first).to_be_checked()
    page.get_by_label("Select all").uncheck()
    assert not any(fields.nth(index).is_checked() for index in range(fields.count()))
    assert page.violations == []
