"""Amounts in one currency: euros at the European Central Bank's reference rate of the figure's year.

The rates are the ECB's daily reference rates that the ``currencyconverter`` package ships (its
history since 1999, read offline, no request). The rate of a year is the average of that year's
daily rates; a year after the last one the package holds takes the last year's. An amount in a
currency the ECB does not quote, or of a year before its rates begin, or with no year at all, is
not converted and is counted as such.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

TARGET = "EUR"
BASIS = _(
    "Converted to euros at the average of the European Central Bank's daily reference rates over the "
    "figure's year (the year stated with the amount, else the year it was announced; a year the published "
    "rates do not reach yet takes the latest year they cover), from the ECB history the currencyconverter "
    "package ships. Amounts with no year, in a currency the ECB does not quote or from before 1999 are left out "
    "and counted."
)


@functools.cache
def _converter():
    from currency_converter import CurrencyConverter

    return CurrencyConverter(fallback_on_missing_rate=False, fallback_on_wrong_date=False)


@functools.cache
def euros_per_unit(currency: str, year: int | None) -> Decimal | None:
    """The ECB's average rate of ``year``, in euros for one unit of ``currency``; None when it has none."""
    if currency == TARGET:
        return Decimal(1)
    if year is None:
        return None
    converter = _converter()
    if currency not in converter.currencies:
        return None
    first, last = converter.bounds[currency]
    year = min(year, last.year)
    if year < first.year:
        return None
    day, end = max(datetime.date(year, 1, 1), first), min(datetime.date(year, 12, 31), last)
    from currency_converter import RateNotFoundError

    rates = []
    while day <= end:
        # no rate on a weekend or a holiday: the average skips the day
        with contextlib.suppress(RateNotFoundError):
            rates.append(converter.convert(1, currency, TARGET, date=day))
        day += datetime.timedelta(days=1)
    if not rates:
        return None
    return Decimal(str(sum(rates) / len(rates)))


def to_euros(amount: Decimal, currency: str, year: int | None) -> Decimal | None:
    rate = euros_per_unit(currency, year)
    return None if rate is None else (Decimal(amount) * rate).quantize(Decimal("0.01"))
