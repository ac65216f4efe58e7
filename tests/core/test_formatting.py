"""The one number and date formatter, in the two languages the interface speaks."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from core import formatting

NNBSP = "\u202f"  # French groups digits with a narrow no-break space


@pytest.mark.parametrize(
    ("language", "value", "shown"),
    [
        ("en", Decimal("700.00"), "700"),
        ("en", Decimal("5000000000.0000"), "5,000,000,000"),
        ("en", Decimal("38.50"), "38.5"),
        ("en", Decimal("12.3456"), "12.3456"),  # a stored figure keeps every digit it has
        ("fr", Decimal("700"), "700"),
        ("fr", Decimal("5000000000"), f"5{NNBSP}000{NNBSP}000{NNBSP}000"),
        ("fr", Decimal("38.5"), "38,5"),
        ("en", 4.123456, "4.123"),  # a computed float, three decimals at most
        ("en", 0.1 + 0.2, "0.3"),
        ("en", None, ""),
    ],
)
def test_numbers_are_grouped_in_the_readers_language_without_trailing_zeros(language, value, shown):
    with translation.override(language):
        assert formatting.format_number(value) == shown


def test_a_fixed_number_of_decimals_is_rounded_half_up():
    with translation.override("fr"):
        assert formatting.format_number(4.25, 1) == "4,3"
        assert formatting.format_number(Decimal("4"), 1) == "4,0"
        assert formatting.format_number(48.856614, max_decimals=5) == "48,85661"
        assert formatting.format_number(48.856614, max_decimals=None) == "48,856614"


def test_money_and_quantities_put_the_code_or_unit_after_the_figure():
    with translation.override("en"):
        assert formatting.format_money(Decimal("5000000000.00"), "EUR") == "5,000,000,000 EUR"
        assert formatting.format_quantity(Decimal("700.00"), "MW") == "700 MW"
        assert formatting.format_quantity(Decimal("2400"), "jobs") == "2,400 jobs"
        assert formatting.format_quantity(Decimal("38.50"), "") == "38.5"
    with translation.override("fr"):
        assert formatting.format_money(Decimal("5000000000"), "EUR") == f"5{NNBSP}000{NNBSP}000{NNBSP}000 EUR"


@pytest.mark.parametrize(
    ("language", "value", "shown"),
    [
        ("en", 5_000_000_000, "5 bn"),
        ("en", 2_400_000_000, "2.4 bn"),  # rounded, not cut to 2.3
        ("en", 62_000, "62 k"),
        ("en", 1_500_000, "1.5 m"),
        ("en", 9_999, "9,999"),
        ("fr", 5_000_000_000, "5 Md"),
        ("fr", 2_400_000_000, "2,4 Md"),
    ],
)
def test_compact_amounts(language, value, shown):
    with translation.override(language):
        assert formatting.format_compact(value) == shown


@pytest.mark.parametrize(
    ("language", "precision", "shown"),
    [
        ("en", "day", "December 9, 2025"),
        ("en", "month", "December 2025"),
        ("en", "year", "2025"),
        ("fr", "day", "9 décembre 2025"),
        ("fr", "month", "décembre 2025"),
        ("fr", "year", "2025"),
    ],
)
def test_partial_dates_at_their_precision(language, precision, shown):
    with translation.override(language):
        assert formatting.format_date(datetime.date(2025, 12, 9), precision) == shown


def test_a_date_and_time_is_shown_as_its_local_date(settings):
    settings.TIME_ZONE = "Europe/Paris"
    late_evening_utc = datetime.datetime(2025, 12, 31, 23, 30, tzinfo=datetime.UTC)
    with translation.override("en"), timezone.override("Europe/Paris"):
        assert formatting.format_date(late_evening_utc) == "January 1, 2026"


def test_plain_numbers_and_date_keys_are_for_machines():
    assert formatting.plain_number(Decimal("5000000000.0000")) == "5000000000"
    assert formatting.plain_number(Decimal("1E+3")) == "1000"
    assert formatting.plain_number(2030) == "2030"
    assert formatting.partial_date_key(datetime.date(2025, 12, 1), "month") == "2025-12"
    assert formatting.partial_date_key(datetime.date(2025, 1, 1), "year") == "2025"
    assert formatting.partial_date_key(datetime.date(2025, 12, 9)) == "2025-12-09"
