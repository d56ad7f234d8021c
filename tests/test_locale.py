"""kikcalc.locale: numbers, months and units as a Danish or an international reader writes them."""

import math

import pytest

from kikcalc import locale
from kikcalc.errors import UsageError


def test_danish_separators_are_the_reverse_of_international():
    assert locale.number(1234567.8, 1, "da") == "1.234.567,8"
    assert locale.number(1234567.25, 1, "en") == "1,234,567.2"
    assert locale.kroner(60_500_000, "da") == "60.500.000"
    assert locale.mio(60_500_000, "da") == "60,50"
    assert locale.mio(60_500_000, "en") == "60.50"
    assert locale.persons(1130, "da") == "1.130,0"


def test_missing_and_negative_zero():
    assert locale.kroner(None) == ""
    assert locale.kroner(math.nan, "da") == ""
    assert locale.kroner(-0.3) == "0"


def test_percent_and_months():
    assert locale.percent(0.769, "da") == "76,9 %"
    assert locale.percent(0.769, "en") == "76.9 %"
    assert locale.month_name(3, "da") == "marts"
    assert locale.month_label("2021-12", "da") == "december 2021"
    assert locale.month_label("2021-12", "en") == "December 2021"
    assert locale.word("mio", "da") == "mio. kr."


def test_unknown_locale_is_a_usage_error():
    with pytest.raises(UsageError, match="no such locale"):
        locale.number(1.0, 0, "fr")
