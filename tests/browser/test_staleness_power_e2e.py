"""In a real Chromium: the list filtered by inferred status, and a project page with its inferred
status and its power facts table (value, unit, quote, confidence)."""

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from projects import choices, services
from tests.factories import ProjectFactory, SourceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def quiet_campus(transactional_db):
    """A campus last reported on five years ago (the server may run in its own process: no fixed clock),
    with its grid power from an extractor's claim, and a campus reported on this year."""
    long_ago = datetime.date.today().replace(month=1, day=1) - datetime.timedelta(days=5 * 366)
    project = ProjectFactory(name="Quiet campus", status=choices.ProjectStatus.PERMITTED, operational_year=None)
    claim = services.claim_create(
        data={
            "project": project,
            "source": SourceFactory(title="Grid request filed", published_on=long_ago),
            "attribute": choices.ClaimAttribute.GRID_POWER_MW,
            "value_number": Decimal("120"),
            "quote": "a 120 MW grid connection requested from RTE",
            "origin": choices.ClaimOrigin.EXTRACTION,
            "confidence": 0.75,
        }
    )
    services.claim_accept(claim=claim)
    busy = ProjectFactory(name="Busy campus", status=choices.ProjectStatus.PERMITTED)
    fresh = services.claim_create(
        data={
            "project": busy,
            "source": SourceFactory(published_on=datetime.date.today()),
            "attribute": choices.ClaimAttribute.CAPACITY_MW,
            "value_number": Decimal("100"),
            "quote": "100 MW",
        }
    )
    services.claim_accept(claim=fresh)
    return project


def test_the_list_filtered_by_inferred_status_leads_to_the_page_that_says_so(page, live_server, quiet_campus):
    page.goto(f"{live_server.url}/projects/?inferred_status=cancelled")
    rows = page.locator("table.projects tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Quiet campus")
    expect(rows.first).to_contain_text("Permitted (Cancelled — inferred)")

    rows.first.get_by_role("link", name="Quiet campus").click()

    note = page.locator("p.inferred-status")
    expect(note).to_be_visible()
    expect(note).to_contain_text("Cancelled — inferred")
    expect(note).to_contain_text("The recorded status stays as the sources last gave it.")
    expect(page.locator("p.status-line")).to_contain_text("Permitted")
    table = page.get_by_role("table", name="Power facts and their sources")
    expect(table).to_be_visible()
    row = table.locator("tr.power-fact[data-attribute=grid_power_mw]")
    expect(row.locator("td").nth(0)).to_have_text("120")
    expect(row.locator("td").nth(1)).to_have_text("MW")
    expect(row.locator("td").nth(2)).to_contain_text("a 120 MW grid connection requested from RTE")
    expect(row.locator("td").nth(2)).to_contain_text("Grid request filed")
    expect(row.locator("td").nth(3)).to_have_text("75%")
    # the definitions the note links to
    page.get_by_role("link", name="What the statuses mean").click()
    expect(page.get_by_role("table", name="Statuses, recorded and inferred")).to_contain_text("Cancelled — inferred")
