"""In a real headless Chromium: the demo project recorded a second time under another name is listed
among the possible duplicates, compared side by side and merged; its old page then opens the kept one."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from projects.models import Claim, Project
from tests.factories import ProjectFactory, UserFactory
from tests.projects.test_merge import organization_claim

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


def test_merge_a_second_record_of_the_demo_project(live_server, page):
    call_command("load_demo", verbosity=0)
    UserFactory(username="editor", is_staff=True, is_superuser=True, password=PASSWORD)
    demo = Project.objects.get(slug="escaudain-ai-data-center")
    developer = demo.roles.filter(organization__isnull=False).first().organization
    twin = ProjectFactory(
        name="Campus numérique du Hainaut", latitude=demo.latitude, longitude=demo.longitude, municipality="Escaudain"
    )
    organization_claim(twin, developer, role=demo.roles.filter(organization=developer).first().role)
    claims = Claim.objects.filter(project__in=[demo, twin]).count()

    page.goto(f"{live_server.url}/admin/login/?next=/admin/projects/project/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.get_by_role("link", name="Possible duplicates").click()
    row = page.locator("tr.duplicate", has_text="Campus numérique du Hainaut")
    expect(row).to_contain_text(f"organization in common: {developer.name}")
    row.get_by_role("link", name="Compare and merge").click()
    expect(page.locator("#merge-comparison")).to_contain_text("Campus numérique du Hainaut")
    if "Campus numérique" in page.locator("#merge-comparison thead th").nth(1).inner_text():
        page.get_by_role("link", name=f"Keep “{demo.name}” instead").click()  # keep the demo's record
    page.get_by_role("button", name="Merge").click()
    expect(page.locator(".messagelist .success")).to_contain_text("its old address leads here")
    expect(page).to_have_url(f"{live_server.url}/admin/projects/project/{demo.pk}/change/")

    assert Claim.objects.filter(project=demo).count() == claims
    page.goto(f"{live_server.url}/projects/{twin.slug}/")
    expect(page).to_have_url(f"{live_server.url}/projects/{demo.slug}/")
    expect(page.locator("h1")).to_contain_text(demo.name)
    call_command("check_integrity")
