"""The project page reads like a newsroom tool: figures with their sources on top, plain
numbers in the inputs, aliases one per line, a short currency box, and no query per claim."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects import choices, services
from projects.models import Claim, Organization
from tests.factories import ClaimFactory, OrganizationFactory, SourceFactory
from tests.projects.admin.helpers import changeform_data

pytestmark = pytest.mark.django_db


def change_url(project):
    return reverse("admin:projects_project_change", args=[project.pk])


def summary_of(page: str) -> str:
    return page[page.index('id="figures"') : page.index("</section>", page.index('id="figures"'))]


def figure_in(summary: str, attribute: str) -> str:
    start = summary.rindex('<div class="figure', 0, summary.index(f'id="figure-{attribute}"'))
    end = summary.find('<div class="figure', start + 1)
    return summary[start : end if end != -1 else None]


def test_the_summary_shows_each_figure_with_its_source_and_quote(admin_client, demo):
    summary = summary_of(admin_client.get(change_url(demo)).content.decode())
    for claim in demo.claims.filter(status=choices.ClaimStatus.ACCEPTED).select_related("source"):
        figure = figure_in(summary, claim.attribute)
        assert claim.source.title in figure, claim.attribute
        assert f"<blockquote>{claim.quote}</blockquote>".replace("'", "&#x27;") in figure, claim.attribute
    assert "700 MW" in figure_in(summary, "capacity_mw")
    assert "5,000,000,000 EUR" in figure_in(summary, "investment")
    assert "38 ha" in figure_in(summary, "site_area_ha")
    assert ">2030<" in figure_in(summary, "operational_year")  # a year, not "2,030"


def test_the_summary_speaks_french(admin_client, demo):
    page = admin_client.get(change_url(demo), headers={"accept-language": "fr"}).content.decode()
    summary = summary_of(page)
    assert re.search(r"5[\s\u202f\xa0]000[\s\u202f\xa0]000[\s\u202f\xa0]000 EUR", figure_in(summary, "investment"))
    assert "9 décembre 2025" in figure_in(summary, "announced_on")


def test_the_summary_flags_claims_awaiting_review(admin_client, demo):
    proposed = ClaimFactory(
        project=demo, attribute="jobs_construction", value_number=Decimal("300"), quote="300 emplois sur le chantier"
    )
    summary = summary_of(admin_client.get(change_url(demo)).content.decode())
    figure = figure_in(summary, "jobs_construction")
    assert "Awaiting review" in figure and "300 emplois sur le chantier" in figure and proposed.source.title in figure
    assert "1 proposed claim awaits review." in summary


def test_conflicting_figures_are_marked_side_by_side_with_use_this_value(admin_client, demo):
    later = ClaimFactory(
        project=demo,
        attribute="site_area_ha",
        value_number=Decimal("33"),
        quote="33 hectares",
        source__title="Second article",
    )
    services.claim_accept(claim=later)
    summary = summary_of(admin_client.get(change_url(demo)).content.decode())
    assert 'id="conflicts"' in summary and 'href="#figure-site_area_ha"' in summary
    figure = figure_in(summary, "site_area_ha")
    assert "in-conflict" in figure and "side-by-side" in figure
    assert "38 ha" in figure and "33 ha" in figure and "Second article" in figure
    assert figure.count('name="claim"') == 1 and f'value="{later.pk}"' in figure
    assert "in-conflict" not in figure_in(summary, "capacity_mw")


def test_the_project_page_runs_as_many_queries_for_many_claims_as_for_few(
    admin_client, demo, django_assert_max_num_queries
):
    with CaptureQueriesContext(connection) as few:
        assert admin_client.get(change_url(demo)).status_code == 200
    organization = OrganizationFactory()
    for number in range(15):
        source = SourceFactory()
        services.claim_accept(
            claim=ClaimFactory(project=demo, source=source, value_number=Decimal(700 + number), quote=f"q{number}")
        )
        ClaimFactory(
            project=demo, source=source, attribute="organization", value_organization=organization, role="developer"
        )
    with django_assert_max_num_queries(len(few)) as many:
        response = admin_client.get(change_url(demo))
    assert len(many) <= 40  # the ceiling: a fixed few, whatever the number of claims
    assert response.content.decode().count("<blockquote>") >= 26


def test_decimal_inputs_show_the_figure_without_trailing_zeros(admin_client, demo):
    services.project_update(project=demo, data={"site_area_ha": Decimal("38.50")})
    page = admin_client.get(change_url(demo)).content.decode()
    assert 'name="capacity_mw" value="700"' in page
    assert 'name="investment_amount" value="5000000000"' in page
    assert 'name="site_area_ha" value="38.5"' in page
    assert 'value="5000000000"' in page and "5000000000.0000" not in page and "700.0000" not in page
    assert ".0000" not in page


def test_aliases_are_edited_one_per_line_and_saved_as_a_list(admin_client, demo):
    response = admin_client.get(change_url(demo))
    form = response.context["adminform"].form
    assert form["aliases"].value() == "Data center IA d'Escaudain\nAncien site Usinor"
    textarea = re.search(r'<textarea name="aliases"[^>]*>(.*?)</textarea>', response.content.decode(), re.S).group(1)
    assert textarea.strip().splitlines() == ["Data center IA d&#x27;Escaudain", "Ancien site Usinor"]
    assert "[" not in textarea

    data = changeform_data(response)
    data["aliases"] = "Data center IA d'Escaudain\n\n  Ancien site   Usinor \nCampus Escaudain\nCampus Escaudain"
    assert admin_client.post(change_url(demo), data).status_code == 302
    demo.refresh_from_db()
    assert demo.aliases == ["Data center IA d'Escaudain", "Ancien site Usinor", "Campus Escaudain"]


def test_an_untouched_alias_list_is_not_a_change(admin_client, demo):
    version = demo.version
    admin_client.post(change_url(demo), changeform_data(admin_client.get(change_url(demo))))
    demo.refresh_from_db()
    assert demo.version == version


def test_organization_aliases_are_one_per_line_too(admin_client):
    organization = OrganizationFactory(aliases=["CAPH", "Porte du Hainaut"])
    url = reverse("admin:projects_organization_change", args=[organization.pk])
    response = admin_client.get(url)
    assert re.search(r'<textarea name="aliases"[^>]*>\s*CAPH\nPorte du Hainaut</textarea>', response.content.decode())
    data = changeform_data(response)
    data["aliases"] = "CAPH\nAgglo Porte du Hainaut"
    assert admin_client.post(url, data).status_code == 302
    assert Organization.objects.get(pk=organization.pk).aliases == ["CAPH", "Agglo Porte du Hainaut"]


def test_the_currency_is_a_short_box_suggesting_codes_and_typed_in_any_case(admin_client, demo):
    response = admin_client.get(change_url(demo))
    page = response.content.decode()
    box = re.search(r'<input type="text" name="investment_currency"[^>]*>', page).group(0)
    assert 'maxlength="3"' in box and 'list="common-currencies"' in box
    assert '<datalist id="common-currencies">' in page and '<option value="USD">' in page
    data = changeform_data(response)
    data["investment_currency"] = "usd"
    assert admin_client.post(change_url(demo), data).status_code == 302
    demo.refresh_from_db()
    assert demo.investment_currency == "USD"


def test_a_claim_row_shows_one_value_cell_and_saves_through_the_services(admin_client, demo):
    response = admin_client.get(change_url(demo))
    page = response.content.decode()
    group = page[page.index('id="claims-group"') :]
    headings = re.findall(r"<th class=\"column-(?:group-)?([a-z_]+)", group[: group.index("</thead>")])
    assert headings == ["attribute", "value_number", "source", "status", "loaded_version"]
    capacity = demo.claims.get(attribute="capacity_mw")
    formset = next(i.formset for i in response.context["inline_admin_formsets"] if i.formset.model is Claim)
    index = next(i for i, form in enumerate(formset.forms) if form.instance == capacity)
    prefix = formset.prefix
    data = changeform_data(response)
    assert data[f"{prefix}-{index}-value_number"] == "700"
    data[f"{prefix}-{index}-quote"] = "une capacité brute de 700 mégawatts (MW)"
    assert admin_client.post(change_url(demo), data).status_code == 302
    capacity.refresh_from_db()
    assert capacity.quote.endswith("(MW)") and capacity.value_number == Decimal("700")


def test_a_figure_edited_by_hand_away_from_its_source_is_flagged(admin_client, demo):
    assert "edited by hand" not in admin_client.get(change_url(demo)).content.decode()
    services.project_update(project=demo, data={"capacity_mw": Decimal("720")})
    summary = summary_of(admin_client.get(change_url(demo)).content.decode())
    capacity = figure_in(summary, "capacity_mw")
    assert "The project shows 720 MW, typed by hand: no source says so" in capacity
    assert "edited by hand" not in figure_in(summary, "site_area_ha")
