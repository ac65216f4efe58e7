import pytest

from projects.extraction.numbers import as_number, find_numbers, parse_digits
from projects.extraction.quantities import FLOOR, JOBS, LAND, MONEY, POWER, find_quantities


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("700", 700),
        ("2 400", 2400),
        ("2\u00a0400", 2400),
        ("2\u202f400", 2400),
        ("2.400", 2400),
        ("5,826", 5826),
        ("1,2", 1.2),
        ("3.1", 3.1),
        ("1,200,000", 1_200_000),
        ("1.234,5", 1234.5),
        ("1,234.5", 1234.5),
    ],
)
def test_parse_digits(raw, value):
    assert parse_digits(raw)[0] == value


def test_three_digit_fraction_keeps_a_decimal_reading():
    assert parse_digits("1.125") == (1125.0, 1.125)


@pytest.mark.parametrize(
    ("text", "language", "value"),
    [
        ("cinq", "fr", 5),
        ("deux mille quatre cents", "fr", 2400),
        ("vingt-cinq", "fr", 25),
        ("two thousand", "en", 2000),
        ("twenty-five", "en", 25),
    ],
)
def test_numbers_in_words(text, language, value):
    [number] = find_numbers(f"soit {text} au total", language)
    assert number.value == value
    assert f"soit {text} au total"[number.start : number.end] == text


def test_year_and_following_number_stay_apart():
    numbers = find_numbers("en 2030 300 MW", "fr")
    assert [n.value for n in numbers] == [2030, 300]


def test_as_number():
    assert as_number(700.0) == 700 and isinstance(as_number(700.0), int)
    assert as_number(6.70000001) == 6.7


def _single(text, language="en"):
    quantities = find_quantities(text, language)
    assert len(quantities) == 1, quantities
    return quantities[0]


@pytest.mark.parametrize(
    ("text", "language", "value"),
    [
        ("une capacité de 700 mégawatts", "fr", 700),
        ("a 1 GW campus", "en", 1000),
        ("une puissance de 1,2 GW", "fr", 1200),
        ("deliver 300MW of IT capacity", "en", 300),
        ("a 1,500 kW hall", "en", 1.5),
        ("100 megawatts", "en", 100),
    ],
)
def test_power(text, language, value):
    quantity = _single(text, language)
    assert (quantity.kind, quantity.value, quantity.unit) == (POWER, value, "MW")


def test_energy_is_not_power():
    assert find_quantities("it will use 400 MWh a year", "en") == []


@pytest.mark.parametrize(
    ("text", "language", "value", "currency"),
    [
        ("un investissement de cinq milliards d’euros", "fr", 5e9, "EUR"),
        ("a €5bn plan", "en", 5e9, "EUR"),
        ("un budget de 5 Md€", "fr", 5e9, "EUR"),
        ("un budget de 500 M€", "fr", 5e8, "EUR"),
        ("1,5 milliard d'euros", "fr", 1.5e9, "EUR"),
        ("£1bn", "en", 1e9, "GBP"),
        ("A$2bn", "en", 2e9, "AUD"),
        ("C$500 million", "en", 5e8, "CAD"),
        ("2 billion euros", "en", 2e9, "EUR"),
        ("EUR 2 billion", "en", 2e9, "EUR"),
        ("200 millions de livres sterling", "fr", 2e8, "GBP"),
        ("US$750m", "en", 7.5e8, "USD"),
    ],
)
def test_money(text, language, value, currency):
    quantity = _single(text, language)
    assert (quantity.kind, quantity.value, quantity.unit) == (MONEY, value, currency)


def test_bare_dollar_is_left_to_the_country():
    quantity = _single("a $3.1 billion project")
    assert (quantity.value, quantity.unit, quantity.dollar) == (3.1e9, "", True)


def test_three_decimals_before_a_scale_word():
    assert _single("a $1.125 billion deal").value == 1.125e9


def test_metres_are_not_millions():
    assert find_quantities("a 500m stretch of road", "en") == []


@pytest.mark.parametrize(
    ("text", "language", "kind", "value", "unit"),
    [
        ("une friche de 38 hectares", "fr", LAND, 38, "ha"),
        ("a 6.7-hectare plot", "en", LAND, 6.7, "ha"),
        ("sur 12 ha", "fr", LAND, 12, "ha"),
        ("a 600-acre site", "en", LAND, 600 * 0.40468564224, "ha"),
        ("2 km² de terrain", "fr", LAND, 200, "ha"),
        ("5,826 square metres", "en", FLOOR, 5826, "m2"),
        ("12 000 m²", "fr", FLOOR, 12000, "m2"),
        ("250,000 sq ft", "en", FLOOR, 250000 * 0.09290304, "m2"),
        ("a 50,000-square-foot hall", "en", FLOOR, 50000 * 0.09290304, "m2"),
    ],
)
def test_areas(text, language, kind, value, unit):
    quantity = _single(text, language)
    assert (quantity.kind, quantity.unit) == (kind, unit)
    assert quantity.value == pytest.approx(value)


@pytest.mark.parametrize(
    ("text", "language", "value", "words"),
    [
        ("2 400 emplois permanents", "fr", 2400, "emplois permanents"),
        ("2\u202f400 emplois", "fr", 2400, "emplois"),
        ("2.400 emplois", "fr", 2400, "emplois"),
        ("1,000 construction jobs", "en", 1000, "construction jobs"),
        ("deux cents emplois", "fr", 200, "emplois"),
        ("150 full-time roles", "en", 150, "full-time roles"),
    ],
)
def test_jobs(text, language, value, words):
    quantity = _single(text, language)
    assert (quantity.kind, quantity.value, quantity.words) == (JOBS, value, words)


def test_percentages_and_counts_have_no_unit():
    assert find_quantities("75% des entreprises et trois centres de données", "fr") == []
