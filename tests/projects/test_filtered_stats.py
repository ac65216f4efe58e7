"""/stats/, its CSV tables and the API's statistics honour the list's filters, and add up money in
euros at the ECB rate of each figure's year."""

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from projects import choices, money
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    ProjectFactory(
        name="Sydney West",
        country="AU",
        municipality="Sydney",
        capacity_mw=Decimal("300"),
        investment_amount=Decimal("1000000"),
        investment_currency="AUD",
        investment_year=2024,
    )
    ProjectFactory(name="Melbourne North", country="AU", municipality="Melbourne", capacity_mw=Decimal("50"))
    ProjectFactory(name="Perth Old", country="AU", capacity_mw=Decimal("999"), status=choices.ProjectStatus.CANCELLED)
    ProjectFactory(
        name="Escaudain",
        country="FR",
        capacity_mw=Decimal("700"),
        investment_amount=Decimal("500000"),
        investment_currency="EUR",
        investment_year=2023,
    )
    ProjectFactory(
        name="Dallas",
        country="US",
        capacity_mw=Decimal("80"),
        investment_amount=Decimal("200000"),
        investment_currency="USD",
        investment_year=2024,
    )
    # no year stated nor announcement date: not converted, and counted as such
    ProjectFactory(
        name="Undated",
        country="US",
        capacity_mw=None,
        investment_amount=Decimal("5"),
        investment_currency="USD",
        investment_year=None,
        announced_on=None,
    )


def csv_rows(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_stats_page_for_australia_shows_only_australia(client, world):
    response = client.get("/stats/", {"country": "AU"})
    assert response.status_code == 200
    text = response.text
    assert "Australia" in text
    assert "France" not in text and "United States" not in text
    assert "Country: Australia" in text  # says the filter it was made with
    assert 'href="/stats/capacity-by-country.csv?country=AU"' in text
    unfiltered = client.get("/stats/").text
    assert "France" in unfiltered and "Australia" in unfiltered


def test_stats_csv_for_australia_has_only_australia(client, world):
    rows = csv_rows(client.get("/stats/capacity-by-country.csv", {"country": "AU"}))
    assert [(row["country"], row["mw"], row["projects"]) for row in rows] == [("AU", "350.00", "2")]
    kinds = csv_rows(client.get("/stats/projects-by-kind.csv", {"country": "AU"}))
    assert sum(int(row["projects"]) for row in kinds) == 2  # the cancelled one left out
    euros = csv_rows(client.get("/stats/investment-in-euros.csv", {"country": "AU"}))
    assert [row["country"] for row in euros] == ["AU"]
    expected = money.to_euros(Decimal("1000000"), "AUD", 2024)
    assert Decimal(euros[0]["total_eur"]) == expected
    assert Decimal("500000") < expected < Decimal("700000")  # an AUD is worth 0.5-0.7 EUR in 2024
    assert "European Central Bank" in euros[0]["conversion"]


def test_money_totals_in_euros_convert_each_year_and_count_what_they_cannot(client, world):
    rows = {row["country"]: row for row in csv_rows(client.get("/stats/investment-in-euros.csv"))}
    assert Decimal(rows["FR"]["total_eur"]) == Decimal("500000.00")
    assert Decimal(rows["US"]["total_eur"]) == money.to_euros(Decimal("200000"), "USD", 2024)
    assert (rows["US"]["projects"], rows["US"]["projects_not_converted"]) == ("1", "1")
    page = client.get("/stats/").text
    assert "European Central Bank" in page
    assert "1 project’s amount could not be converted" in page


def test_a_status_filter_counts_the_statuses_asked_for(client, world):
    rows = csv_rows(client.get("/stats/capacity-by-country.csv", {"status": "cancelled"}))
    assert [(row["country"], row["mw"]) for row in rows] == [("AU", "999.00")]


def test_a_bad_filter_is_a_400(client, world):
    assert client.get("/stats/", {"country": "ZZ"}).status_code == 400
    response = client.get("/stats/capacity-by-country.csv", {"capacity_min": "lots"})
    assert response.status_code == 400
    assert "capacity_min" in response.json()["errors"]


def test_only_the_unfiltered_page_is_cached(client, world):
    def queries(params) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/stats/", params).status_code == 200
        return len(captured)

    queries({})  # the throttle window, and the unfiltered answers cached
    assert queries({}) == 0
    assert queries({"country": "AU"}) == queries({"country": "AU"}) > 0
    ProjectFactory(name="Brisbane", country="AU", capacity_mw=Decimal("10"))
    assert "Brisbane" not in client.get("/stats/").text  # names are not shown; the total moves
    assert [row["mw"] for row in csv_rows(client.get("/stats/capacity-by-country.csv", {"country": "AU"}))] == [
        "360.00"
    ]


def test_filtered_stats_queries_are_flat_in_the_number_of_projects(client, world):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/stats/", {"country": "AU"}).status_code == 200
        return len(captured)

    queries()
    few = queries()
    for number in range(10):
        ProjectFactory(
            country="AU",
            capacity_mw=Decimal(number + 1),
            investment_amount=Decimal(1000),
            investment_currency="USD",
            investment_year=2010 + number,
            operational_year=2030 + number,
        )
    assert queries() == few


def test_api_stats_honour_the_filters_with_totals_in_euros(world):
    body = APIClient().get("/api/v1/stats/capacity/", {"group_by": "country", "country": "AU"}).json()
    assert [group["key"] for group in body["groups"]] == ["AU"]
    euros = body["groups"][0]["investment_eur"]
    assert euros["amount"] == float(money.to_euros(Decimal("1000000"), "AUD", 2024))
    assert (euros["project_count"], euros["projects_not_converted"]) == (1, 0)
    assert "European Central Bank" in body["conversion"]


def test_the_rate_of_a_year_is_the_average_of_its_days():
    usd_2024 = money.euros_per_unit("USD", 2024)
    assert Decimal("0.90") < usd_2024 < Decimal("0.95")  # the ECB's 2024 average was about 1.082 USD per EUR
    assert money.euros_per_unit("EUR", None) == 1
    assert money.euros_per_unit("USD", None) is None
    assert money.euros_per_unit("USD", 1990) is None  # before the ECB's rates
    assert money.euros_per_unit("XOF", 2024) is None  # not quoted by the ECB
    assert money.euros_per_unit("USD", 2100) == money.euros_per_unit("USD", 2099)  # the latest year covered
