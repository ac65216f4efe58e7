"""Numbers and dates as readers write them, in the language of the request.

The one formatter behind the public pages, the admin, the charts, the change history and the
claims' display values. Babel (CLDR data) gives each language its digit grouping, decimal sign and
month names: "5,000,000,000" and "December 2025" in English, "5 000 000 000" (grouped with narrow
no-break spaces, U+202F, as French typography wants) and "décembre 2025" in French.

Stored figures are ``Decimal``: they are shown with every digit they have and no trailing zeros
(700.00 is "700", 38.50 is "38.5"). Computed ones (sums, distances, chart ticks) are floats and are
rounded to at most three decimals. Money is the figure followed by its ISO 4217 code
("5,000,000,000 EUR"), the way the tracker writes units ("700 MW"), rather than Babel's
"€5,000,000,000.00": amounts in several currencies stay comparable and no cents are invented.
"""

import datetime
import decimal
import functools
from decimal import Decimal

from babel import Locale, UnknownLocaleError, dates, numbers
from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language, gettext, to_locale

# The precisions a partial date is known to (projects.choices.DatePrecision's values).
DAY, MONTH, YEAR = "day", "month", "year"


@functools.cache
def _locale(language: str) -> Locale:
    try:
        return Locale.parse(to_locale(language))
    except (UnknownLocaleError, ValueError):
        return Locale.parse(to_locale(settings.LANGUAGE_CODE))


def reader_locale() -> Locale:
    """Babel's locale for the active Django language (the request's, or the default one)."""
    return _locale(get_language() or settings.LANGUAGE_CODE)


def plain_number(value) -> str:
    """A figure without grouping, exponent or trailing zeros: ``Decimal("5000000000.0000")`` is
    "5000000000". For what machines read back (comparable values, form inputs, the change log) and
    for years."""
    if value is None:
        return ""
    return format(_decimal(value).normalize(), "f")


def format_number(value, decimals: int | None = None, *, max_decimals: int | None = 3) -> str:
    """A number grouped in the reader's locale: 700 → "700", 5000000000 → "5,000,000,000" (French
    "5 000 000 000"), 38.50 → "38.5" ("38,5").

    A ``Decimal`` (a stored figure) keeps every digit it has. A float or an int is rounded to
    ``max_decimals`` at the most, or keeps every digit with ``max_decimals=None``. With
    ``decimals``, exactly that many. Rounding is half up (4.25 → "4.3").
    """
    if value is None or value == "":
        return ""
    if decimals is not None:
        return _apply_pattern(_decimal(value), decimals, decimals)
    if isinstance(value, Decimal) or max_decimals is None:
        return numbers.format_decimal(_decimal(value), locale=reader_locale(), decimal_quantization=False)
    return _apply_pattern(_decimal(value), 0, max_decimals)


def format_quantity(value, unit: str) -> str:
    """A figure with its unit: "700 MW", "2,400 jobs"; the figure alone when there is no unit."""
    return f"{format_number(value)} {unit}".strip()


def format_money(amount, currency: str) -> str:
    """An amount with its ISO 4217 code: "5,000,000,000 EUR" (French "5 000 000 000 EUR")."""
    return format_quantity(amount, currency)


def format_compact(value) -> str:
    """Large amounts shortened for headlines and chart labels: "5 bn", "2.4 bn", "62 k" (French
    "5 Md", "2,4 Md", "62 k"); below ten thousand every digit is kept."""
    value = float(value or 0)
    for threshold, divisor, template in (
        (1e9, 1e9, gettext("%(value)s bn")),
        (1e6, 1e6, gettext("%(value)s m")),
        (1e4, 1e3, gettext("%(value)s k")),
    ):
        if value >= threshold:
            shortened = value / divisor
            # one decimal below ten (2.4 bn), none above or when it would be ".0"
            decimals = 1 if shortened < 10 and round(shortened, 1) != round(shortened) else 0
            return template % {"value": format_number(shortened, decimals)}
    return format_number(value, 0)


def format_date(value, precision: str = DAY) -> str:
    """A date known to the day, the month or only the year, as the reader writes it:
    "December 9, 2025" / "9 décembre 2025", "December 2025" / "décembre 2025", "2025".
    A date and time is shown as its local date."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    locale = reader_locale()
    if precision == YEAR:
        return dates.format_skeleton("y", value, locale=locale)
    if precision == MONTH:
        return dates.format_skeleton("yMMMM", value, locale=locale)
    return dates.format_date(value, "long", locale=locale)


def partial_date_key(value, precision: str = DAY) -> str:
    """A partial date in ISO 8601 at its precision ("2025", "2025-12", "2025-12-09"): equal dates
    compare equal whatever day a month or a year is stored on."""
    if value is None:
        return ""
    if precision == YEAR:
        return f"{value:%Y}"
    if precision == MONTH:
        return f"{value:%Y-%m}"
    return value.isoformat()


def _apply_pattern(value: Decimal, least: int, most: int) -> str:
    """The locale's decimal pattern with ``least`` to ``most`` decimals."""
    locale = reader_locale()
    pattern = numbers.parse_pattern(locale.decimal_formats[None].pattern)
    pattern.frac_prec = (least, most)
    with decimal.localcontext(rounding=decimal.ROUND_HALF_UP):
        return pattern.apply(value, locale)


def _decimal(value) -> Decimal:
    # str() of a float is its shortest exact spelling: 4.123, not 4.12299999999999933209...
    return value if isinstance(value, Decimal) else Decimal(str(value))
