"""Power over time: a project's capacity by phase and year, and the /stats/ pipeline built from
the phases, under the public pages' visibility rule."""

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects import choices, selectors, services
from projects.models import Phase
from projects.power_over_time import pipeline_rows, project_capacity_by_year
from tests.factories import ClaimFactory, ProjectFactory, make

pytestmark = pytest.mark.django_db

S = choices.ProjectStatus


def phase(project, name, mw, year, status=S.ANNOUNCED, **fields):
    return make(
        Phase,
        project=project,
        name=name,
        capacity_mw=None if mw is None else Decimal(mw),
        target_year=year,
        status=status,
        **fields,
    )


def detail(project):
    return selectors.project_detail().get(pk=project.pk)


def test_a_projects_capacity_runs_year_by_year_online_and_planned():
    project = ProjectFactory(capacity_mw=Decimal("900"), operational_year=2031)
    phase(project, "Hall A", "200", 2027, S.OPERATIONAL)
    phase(project, "Hall B", "300", 2029, S.CONSTRUCTION)
    phase(project, "Hall C", "150", 2029, S.PARTIALLY_OPERATIONAL)
    phase(project, "Hall D", "500", 2030, S.CANCELLED)
    phase(project, "Extension", "100", None)
    phase(project, "Campus road", None, 2028)

    capacity = project_capacity_by_year(detail(project))
    rows = {row.year: row for row in capacity.years}
    assert list(rows) == [2027, 2028, 2029]  # no gap between the first and the last year
    assert (rows[2027].online, rows[2027].planned) == (Decimal("200"), 0)
    assert (rows[2028].online, rows[2028].planned, rows[2028].phases) == (Decimal("200"), 0, [])
    assert (rows[2029].added_online, rows[2029].added_planned) == (Decimal("150"), Decimal("300"))
    assert (rows[2029].online, rows[2029].planned, rows[2029].total) == (Decimal("350"), Decimal("300"), Decimal("650"))
    # the cancelled phase, the one with no year and the one with no capacity are listed, not added
    assert sorted(mark.phase.name for mark in capacity.unplaced) == ["Campus road", "Extension", "Hall D"]


def test_a_phase_standing_on_a_claim_waits_for_it_and_then_shows_its_confidence_and_bound():
    project = ProjectFactory()
    claim = ClaimFactory(project=project, value_number=Decimal("400"), status=choices.ClaimStatus.PROPOSED)
    phase(project, "Hall A", "400", 2028, claim=claim)
    assert not project_capacity_by_year(detail(project))  # a claim in review keeps the phase out

    claim = services.claim_update(claim=claim, data={"confidence": 0.62, "bound": choices.ClaimBound.AT_LEAST})
    services.claim_accept(claim=claim)
    (row,) = project_capacity_by_year(detail(project)).years
    (mark,) = row.phases
    assert (mark.typed_by_hand, mark.confidence_percent, mark.bound) == (False, 62, "At least")


def test_the_project_page_draws_its_power_over_time_with_its_marks(client):
    project = ProjectFactory(name="Phased hall")
    phase(project, "Hall A", "120", 2027, S.OPERATIONAL)
    phase(project, '<script>alert("x")</script>', "80", 2029)
    response = client.get(project.get_absolute_url())
    page = response.content.decode()
    assert 'id="power-chart"' in page
    assert 'data-category="2029" data-total="200"' in page  # the running total
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page and '<script>alert("x")' not in page
    assert page.count("typed by hand") >= 2


def test_the_project_page_says_when_no_phase_can_be_placed(client):
    project = ProjectFactory(capacity_mw=Decimal("60"), operational_year=2030)
    page = client.get(project.get_absolute_url()).content.decode()
    assert "the project as a whole, 60 MW, is expected to operate in 2030" in page
    assert 'id="power-chart"' not in page


def test_the_pipeline_counts_phases_in_their_years_and_whole_projects_without_them():
    phased = ProjectFactory(capacity_mw=Decimal("1000"), operational_year=2032, status=S.CONSTRUCTION)
    phase(phased, "Hall A", "200", 2027, S.OPERATIONAL)
    phase(phased, "Hall B", "300", 2029, S.CONSTRUCTION)
    phase(phased, "Hall C", "999", 2029, S.CANCELLED)  # adds nothing
    ProjectFactory(capacity_mw=Decimal("50"), operational_year=2029, status=S.PLANNING)  # no phase: whole
    ProjectFactory(capacity_mw=Decimal("70"), operational_year=2029, status=S.CANCELLED)  # left out
    draft = ProjectFactory(capacity_mw=Decimal("10"), operational_year=2029, is_draft=True)
    phase(draft, "Draft hall", "40", 2029)
    # a phase in review does not count, and neither hides its project's own figure
    waiting = ProjectFactory(capacity_mw=Decimal("30"), operational_year=2031)
    pending = ClaimFactory(project=waiting, status=choices.ClaimStatus.PROPOSED)
    phase(waiting, "Hall W", "25", 2028, claim=pending)

    with CaptureQueriesContext(connection) as queries:
        rows = selectors.pipeline_by_year()
    assert len(queries) == 2
    found = {(row["operational_year"], row["status"]): row for row in rows}
    assert set(found) == {(2027, S.OPERATIONAL), (2029, S.CONSTRUCTION), (2029, S.PLANNING), (2031, S.PLANNING)}
    assert found[(2027, S.OPERATIONAL)]["mw"] == Decimal("200")
    assert found[(2029, S.CONSTRUCTION)] == {
        "operational_year": 2029,
        "status": S.CONSTRUCTION,
        "mw": Decimal("300"),
        "projects": 1,
        "from_phases_mw": Decimal("300"),
    }
    assert found[(2029, S.PLANNING)]["from_phases_mw"] == 0  # the whole project's figure
    assert found[(2031, S.PLANNING)]["mw"] == Decimal("30")
    assert [(row["operational_year"], row["status"]) for row in rows] == sorted(
        found, key=lambda key: (key[0], list(S.values).index(key[1]))
    )


def test_the_pipeline_of_a_selection_counts_its_projects_phases_only():
    kept = ProjectFactory(country="DE")
    phase(kept, "Hall A", "10", 2028)
    other = ProjectFactory(country="FR")
    phase(other, "Hall B", "20", 2028)
    rows = pipeline_rows(selectors.public_projects().filter(country="DE"))
    assert [(row["operational_year"], row["mw"]) for row in rows] == [(2028, Decimal("10"))]


def test_stats_page_and_csv_say_how_much_comes_from_phases(client):
    phased = ProjectFactory(capacity_mw=Decimal("500"), operational_year=2030)
    phase(phased, "Hall A", "120", 2030)
    ProjectFactory(capacity_mw=Decimal("80"), operational_year=2030)
    response = client.get("/stats/")
    (row,) = response.context["pipeline"].rows
    assert (row["total_mw"], row["from_phases_mw"]) == (Decimal("200"), Decimal("120"))
    exported = list(csv.reader(io.StringIO(client.get("/stats/pipeline.csv").content.decode())))
    assert exported[0][-1] == "from_phases_mw"
    assert Decimal(exported[1][-1]) == Decimal("120")


def test_the_project_page_costs_the_same_queries_with_more_phases(client):
    def queries_for(count):
        project = ProjectFactory()
        for index in range(count):
            phase(project, f"Hall {index}", "10", 2027 + index % 5, S.OPERATIONAL if index % 2 else S.PLANNING)
        client.get(project.get_absolute_url())  # warm the per-process caches (content types, choices)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(project.get_absolute_url()).status_code == 200
        return len(queries)

    assert queries_for(2) == queries_for(12)


def test_the_pipeline_of_many_phased_projects_stays_two_queries():
    for index in range(15):
        project = ProjectFactory()
        phase(project, "Hall", "10", 2027 + index % 4)
    with CaptureQueriesContext(connection) as queries:
        rows = pipeline_rows(selectors.counted_in_totals(selectors.public_projects()))
    assert len(queries) == 2
    assert sum(row["mw"] for row in rows) == Decimal("150")
