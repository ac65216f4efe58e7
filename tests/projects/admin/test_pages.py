import datetime
from decimal import Decimal

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.admin.pagination import EstimatedCountPaginator
from core.models import ObjectChange
from projects import choices, services
from projects.models import Claim, Organization, Phase, Project, ProjectRole
from tests.factories import ClaimFactory, OrganizationFactory, ProjectFactory, make

pytestmark = pytest.mark.django_db

REGISTERED = sorted(
    (model for model in admin.site._registry if model._meta.app_label in {"projects", "core"}),
    key=lambda model: model._meta.label,
)


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_model_has_a_list_a_page_and_a_history(admin_client, demo):
    make(Phase, project=demo, name="Phase 1", capacity_mw=Decimal("350"), target_year=2030)  # the demo has none
    assert len(REGISTERED) == 13
    for model in REGISTERED:
        label = model._meta.label
        assert admin_client.get(admin_url(model, "changelist")).status_code == 200, label
        record = model._default_manager.order_by("pk").first()
        assert admin_client.get(admin_url(model, "change", record.pk)).status_code == 200, label
        assert admin_client.get(admin_url(model, "history", record.pk)).status_code == 200, label
        if model is not ObjectChange:  # the change log is written by the records, never by hand
            assert admin_client.get(admin_url(model, "add")).status_code == 200, label


def test_project_page_shows_every_figure_with_its_source_and_quote(admin_client, demo):
    page = admin_client.get(admin_url(Project, "change", demo.pk)).content.decode()
    capacity = demo.claims.get(attribute=choices.ClaimAttribute.CAPACITY_MW)
    assert capacity.quote and capacity.quote in page
    assert capacity.source.title in page
    assert 'name="capacity_mw" value="700"' in page  # the figure, not the column's scale
    # inlines for every part of the project
    for prefix in ("claims", "roles", "grid_connections", "phases", "milestones", "status_history"):
        assert f'id="{prefix}-group"' in page


def test_the_map_preview_is_drawn_inline_with_no_outside_request(admin_client, demo):
    page = admin_client.get(admin_url(Project, "change", demo.pk)).content.decode()
    preview = page[page.index('class="location-preview"') :]
    preview = preview[: preview.index("</div>")]
    assert "<svg" in preview and 'class="site"' in preview
    assert "Mastaing" in preview  # the connected substation, with its distance
    assert "src=" not in preview  # no tile, no image, nothing fetched


def test_conflicting_claims_are_shown_side_by_side_and_one_can_be_chosen(admin_client, demo):
    first = demo.claims.get(attribute=choices.ClaimAttribute.CAPACITY_MW)
    later = ClaimFactory(
        project=demo, value_number=Decimal("650"), quote="une puissance de 650 MW", source__title="Second article"
    )
    services.claim_accept(claim=later)
    demo.refresh_from_db()
    assert demo.conflict_count == 1

    page = admin_client.get(admin_url(Project, "change", demo.pk)).content.decode()
    panel = page[page.index('id="conflicts"') : page.index("</section>")]
    assert "Second article" in panel and first.source.title in panel
    assert "une puissance de 650 MW" in panel and first.quote in panel
    assert panel.count('name="claim"') == 1  # "use this value" on the claim not shown yet

    response = admin_client.post(reverse("admin:projects_project_headline", args=[demo.pk]), {"claim": later.pk})
    assert response.status_code == 302
    demo.refresh_from_db()
    assert demo.capacity_mw == Decimal("650")


def test_project_list_columns_are_localised_figures(admin_client, demo):
    page = admin_client.get(admin_url(Project, "changelist")).content.decode()
    assert "5,000,000,000 EUR" in page
    assert ">700<" in page


def make_projects(count: int):
    """Projects with a role and a proposed claim each: what a per-row query would trip on."""
    organization = OrganizationFactory()
    for project in ProjectFactory.create_batch(count):
        make(ProjectRole, project=project, organization=organization, role=choices.RoleKind.DEVELOPER)
        ClaimFactory(project=project)


@pytest.mark.parametrize(
    ("model", "query"),
    [
        (Project, ""),
        (Project, "?q=Organization"),
        (Project, "?review=claims&capacity=50-200&stale=3"),
        (Claim, ""),
    ],
)
def test_lists_run_as_many_queries_for_40_rows_as_for_3(admin_client, django_assert_max_num_queries, model, query):
    make_projects(3)
    with CaptureQueriesContext(connection) as few:
        assert admin_client.get(admin_url(model, "changelist") + query).status_code == 200
    make_projects(40)
    with django_assert_max_num_queries(len(few)):
        response = admin_client.get(admin_url(model, "changelist") + query)
    assert len(response.context["cl"].result_list) == 43


def names_listed(client, query: str) -> set[str]:
    response = client.get(admin_url(Project, "changelist") + query)
    assert response.status_code == 200
    return {project.name for project in response.context["cl"].result_list}


def test_project_list_filters(admin_client):
    big = ProjectFactory(name="Big", capacity_mw=Decimal("1200"), last_verified_on=datetime.date.today())
    small = ProjectFactory(name="Small", capacity_mw=Decimal("20"), last_verified_on=datetime.date(2020, 1, 1))
    never = ProjectFactory(name="Never checked", capacity_mw=None)
    disputed = ProjectFactory(name="Disputed", capacity_mw=Decimal("300"), last_verified_on=datetime.date.today())
    Project.objects.filter(pk=disputed.pk).update(conflict_count=2)
    ClaimFactory(project=small)  # proposed: awaits review

    assert names_listed(admin_client, "?capacity=gte1000") == {big.name}
    assert names_listed(admin_client, "?capacity=lt50") == {small.name}
    assert names_listed(admin_client, "?capacity=unknown") == {never.name}
    assert names_listed(admin_client, "?conflicts=yes") == {disputed.name}
    assert names_listed(admin_client, "?review=claims") == {small.name}
    assert names_listed(admin_client, "?stale=6") == {small.name, never.name}
    assert names_listed(admin_client, "?stale=never") == {never.name}


def test_project_search_covers_aliases_municipality_and_organizations(admin_client):
    usinor = ProjectFactory(name="Campus A", aliases=["Usinor site"], municipality="Escaudain")
    other = ProjectFactory(name="Campus B", municipality="Fouju")
    developer = OrganizationFactory(name="Telehouse")
    make(ProjectRole, project=other, organization=developer, role=choices.RoleKind.OPERATOR)
    assert names_listed(admin_client, "?q=usinor") == {usinor.name}
    assert names_listed(admin_client, "?q=fouju") == {other.name}
    assert names_listed(admin_client, "?q=telehouse") == {other.name}
    # as readers search: every word counts, the beginning of a word is enough, accents and case aside
    assert names_listed(admin_client, "?q=campus+fouju") == {other.name}
    assert names_listed(admin_client, "?q=ESCAU") == {usinor.name}
    assert names_listed(admin_client, "?q=Télé") == {other.name}
    assert names_listed(admin_client, "?q=" + "+".join(["campus"] * 30 + ["fouju"])) == {other.name}
    many = admin_client.get(reverse("admin:projects_project_changelist"), {"q": " ".join(f"w{n}" for n in range(25))})
    assert "Searched for the first 20 words of 25." in many.content.decode()


def test_the_paginator_never_counts_past_its_limit(monkeypatch):
    monkeypatch.setattr(EstimatedCountPaginator, "count_limit", 5)
    ProjectFactory.create_batch(8)
    filtered = EstimatedCountPaginator(Project.objects.filter(country="FR").order_by("pk"), 2)
    assert filtered.count == 5
    unfiltered = EstimatedCountPaginator(Project.objects.order_by("pk"), 2)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Project._meta.db_table}")
        assert unfiltered.count == 8  # the planner's estimate, exact after ANALYZE
    else:
        assert unfiltered.count == 5


@pytest.mark.parametrize("model", [Project, Organization, ObjectChange])
def test_list_filters_read_the_values_in_use_once_until_the_next_write(admin_client, model):
    ProjectFactory(country="FR", operational_year=2028)
    OrganizationFactory(country="FR")
    url = admin_url(model, "changelist")
    assert admin_client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as again:
        assert admin_client.get(url).status_code == 200
    assert [query["sql"] for query in again.captured_queries if "DISTINCT" in query["sql"]] == []


def filter_choices(client, model, title: str) -> list[str]:
    response = client.get(admin_url(model, "changelist"))
    (spec,) = [spec for spec in response.context["cl"].filter_specs if str(spec.title) == title]
    return [str(choice["display"]) for choice in spec.choices(response.context["cl"])]


def test_list_filters_show_a_value_written_after_they_were_read(admin_client):
    ProjectFactory(country="FR", operational_year=2028)
    OrganizationFactory(country="FR")
    assert filter_choices(admin_client, Project, "country") == ["All", "France"]
    assert "2031" not in filter_choices(admin_client, Project, "target year of operation")
    assert filter_choices(admin_client, Organization, "country") == ["All", "France"]
    assert not any("claim" in choice for choice in filter_choices(admin_client, ObjectChange, "object type"))
    project = ProjectFactory(country="DE", operational_year=2031)
    OrganizationFactory(country="BE")
    ClaimFactory(project=project)
    assert filter_choices(admin_client, Project, "country") == ["All", "France", "Germany"]
    assert "2031" in filter_choices(admin_client, Project, "target year of operation")
    assert filter_choices(admin_client, Organization, "country") == ["All", "Belgium", "France"]
    assert any("claim" in choice for choice in filter_choices(admin_client, ObjectChange, "object type"))


def test_row_checkboxes_are_djangos_own_markup(admin_client):
    project = ProjectFactory(name="<b>Bold</b> & co")
    project_admin = admin.site._registry[Project]
    assert project_admin.action_checkbox(project) == admin.ModelAdmin.action_checkbox(project_admin, project)
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; co" in project_admin.action_checkbox(project)
