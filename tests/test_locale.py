"""kikcalc.locale: numbers, months and units as a Danish or an international reader writes them."""

import math

import pytest

from kikcalc import locale
from kikcalc import locale as locale_module
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


def test_shares_in_each_locales_own_percent_pattern():
    # CLDR: en writes 76.9%, da 76,9 % (a space before the sign).
    assert locale.share(0.769) == "76.9%"
    assert locale.share(0.769, "da") == "76,9 %"
    assert locale.share(-0.00001) == "0.0%"  # no "-0.0%"
    assert locale.share(None, "da") == ""


def test_signed_changes_round_first():
    assert locale.signed(1234.4, 0, "da") == "+1.234"
    assert locale.signed(-34.5, 1, "da") == "-34,5"
    assert locale.signed(-0.00001, 1) == "+0.0"


def test_months_in_a_table_stay_iso_in_english():
    assert locale.month_text("2021-03") == "2021-03"
    assert locale.month_text("2021-03", "da") == "marts 2021"
    assert locale.month_text(None, "da") == ""


def test_the_current_locale_is_set_within_a_block():
    assert locale.current() == "en"
    with locale.using("da"):
        assert locale.current() == "da"
        from kikcalc import report

        assert report.kroner(1_234_567) == "1.234.567"  # the report's cells follow the command's locale
    assert locale.current() == "en"
    with pytest.raises(UsageError, match="no such locale"), locale.using("fr"):
        pass


def test_numbers_beyond_decimals_default_precision_are_written():
    """babel quantises in Decimal; with its 28 digits 1e28 kr. (or persons of 1e25 at six decimals) failed with
    decimal.InvalidOperation, exit 3 in a check against an edited snapshot or a compare of a price level gone wild."""
    assert locale.kroner(1e28) == "10,000,000,000,000,000,000,000,000,000"
    assert locale.number(1e25, 6, "da") == "10.000.000.000.000.000.000.000.000,000000"
    assert locale.number(1e308, 2).startswith("100,000,000,")
    assert locale.number(math.inf, 2) == "∞" and locale.number(-math.inf, 0, "da") == "-∞"


def test_significant_digits_as_a_file_gives_them():
    assert locale.significant(1.59152, 6, "da") == "1,59152"
    assert locale.significant(1.2886583, 6, "en") == "1.28866"
    assert locale.significant(156281.23, 6, "da") == "156.281"
    assert locale.significant(-3.5, 6, "da") == "-3,5"
    assert locale.significant(None) == ""


def test_solve_writes_the_number_it_solves_for_the_danish_way():
    from click.testing import CliRunner

    import kikcalc
    from conftest import SCENARIOS
    from kikcalc.cli import main

    args = ["solve", str(SCENARIOS / "aabenraa-kik2.toml"), "--target", "under-800-maj-2022",
            "--vary", "strategies.kik2.effects[0].multiply"]
    number = kikcalc.solve(SCENARIOS / "aabenraa-kik2.toml", target="under-800-maj-2022",
                           vary="strategies.kik2.effects[0].multiply").solution.crossings[0].number
    danish = CliRunner().invoke(main, [*args, "--locale", "da"]).stdout
    assert f"strategies.kik2.effects[0].multiply = {locale.significant(number, 6, 'da')}" in danish
    assert locale.significant(number, 6, "da") == f"{number:.6g}".replace(".", ",")


def test_compare_in_danish_names_its_lines_and_verdicts_in_danish():
    from click.testing import CliRunner

    from conftest import SCENARIOS
    from kikcalc.cli import main

    text = CliRunner().invoke(main, ["compare", str(SCENARIOS / "aabenraa-kik2.toml"), "--locale", "da", "-q"]).stdout
    for danish in ("Samlede udgifter, kr.", "Nutidsværdi, kr.", "Mål opfyldt", "4 af 4", "IKKE OPFYLDT (1.124,9)",
                   "Helårspersoner: Kontant- og uddannelseshjælp"):
        assert danish in text
    assert locale.line_name("Total cost, kr.", "da") == "Samlede udgifter, kr."
    # the targets' table by strategy: its column headings in Danish too, as run's and targets' tables have them
    from kikcalc.formats._text import headers

    heading = text[text.index("\nMål\n"):].splitlines()[3].split()
    assert heading[:2] == headers(["target", "threshold"], "da") == ["mål", "grænse"]
    assert locale.line_name("Total cost, kr.", "en") == "Total cost, kr."


@pytest.mark.parametrize("locale", list(locale_module.LOCALES))
def test_the_numbers_are_babels_with_the_locale_and_pattern_parsed_once(locale):
    """kikcalc.locale keeps babel's parsed locale and patterns: the text is babel's format_decimal and
    format_percent, called afresh."""
    from babel.numbers import format_decimal, format_percent

    cldr = locale_module.LOCALES[locale]
    for value in (0.0, 0.5, -0.049, 1234567.891, -98765.4321, 1e-3, 12.5, 0.76923):
        for decimals in (0, 1, 2):
            pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
            assert locale_module.number(value, decimals, locale) == format_decimal(round(value, decimals) or 0.0, format=pattern,
                                                                         locale=cldr)
            assert locale_module.percent(value, locale, decimals) == format_percent(value, format=pattern + " %", locale=cldr)
    assert locale_module.month_name(3, locale) == {"en": "March", "da": "marts"}[locale]


# --- the default locale without babel --------------------------------------------------------------------

def _values(generator):
    """Floats as a report meets them and the awkward ones: ties in binary and in their shortest repr, every
    magnitude from the smallest subnormal to the largest double, signed zeros, infinities and NaN."""
    fixed = [0.0, -0.0, 0.5, 1.5, 2.5, -2.5, 0.125, 2.675, 1.005, 0.045, 999.9995, 999999.5, 1e15, 1e16 + 2, 1e22, 1e23,
             1e28, 1e300, 1.7976931348623157e308, 5e-324, 1e-5, 0.00049, -0.0005, math.inf, -math.inf, math.nan,
             123456789.0, 76.92307692307692, 0.769, -0.049]
    drawn = [generator.choice([-1, 1]) * generator.random() * 10.0 ** generator.randint(-8, 30) for _ in range(3000)]
    drawn += [round(generator.uniform(-1e7, 1e7), generator.randint(0, 4)) + generator.choice([0, 5e-5, -5e-5])
              for _ in range(1000)]
    return fixed + drawn


_PATTERNS = (["#,##0" + ("." + "0" * d if d else "") + suffix for d in range(7) for suffix in ("", " %", "%")]
             + ["#,##0" + ("." + "0" * z + "#" * h if z + h else "") for z in range(3) for h in range(16)])


def _outcome(function, *args):
    """("ok", the text) of a call, or ("error", the exception's name): what the two ways are compared on."""
    try:
        return "ok", function(*args)
    except Exception as error:
        return "error", type(error).__name__


def test_the_default_locales_symbols_are_babels():
    from babel import Locale

    for name, symbols in locale_module._PLAIN.items():
        cldr = Locale.parse(locale_module.LOCALES[name])
        latin = cldr.number_symbols["latn"]
        assert (symbols["decimal"], symbols["group"], symbols["infinity"]) == (latin["decimal"], latin["group"],
                                                                               latin["infinity"])
        assert symbols["percent_pattern"] == cldr.percent_formats[None].pattern


def test_the_default_locale_formats_as_babel_does_on_random_values_and_every_pattern():
    """kikcalc.locale writes "en" numbers by babel's steps without babel (startup, issue 8): the same text as babel's
    NumberPattern.apply for every pattern the module builds, or the same error, in babel's default Decimal context
    and in the 400 digits kikcalc.locale.number gives it."""
    import decimal
    import random

    from babel import Locale
    from babel.numbers import parse_pattern

    cldr = Locale.parse("en_GB")
    generator = random.Random(8)
    values = _values(generator)
    written = 0
    for pattern in _PATTERNS:
        assert locale_module._PLAIN_PATTERN.fullmatch(pattern), pattern
        parsed = parse_pattern(pattern)
        for value in generator.sample(values, 400) + values[:30]:
            for precision in (28, 400):
                with decimal.localcontext() as context:
                    context.prec = precision
                    outcome = _outcome(locale_module._formatted, value, pattern, "en")
                    assert outcome == _outcome(parsed.apply, value, cldr), (value, pattern, precision)
                    written += outcome[0] == "ok"
    assert written > 0.9 * len(_PATTERNS) * 430 * 2


@pytest.mark.parametrize("locale", list(locale_module.LOCALES))
def test_the_default_locales_numbers_are_the_same_as_through_babel(monkeypatch, locale):
    """Every public number function of kikcalc.locale for "en", against the same function with babel doing all of
    its formatting (no locale written without babel); and for "da" written without babel from its CLDR symbols (the
    other separators), against babel. Values near 1e15 units of the last decimal, where number() leaves Python's own
    fixed-point text for babel's steps, are among them."""
    import random

    from babel import Locale

    if locale not in locale_module._PLAIN:
        cldr = Locale.parse(locale_module.LOCALES[locale])
        latin = cldr.number_symbols["latn"]
        monkeypatch.setitem(locale_module._PLAIN, locale, {"decimal": latin["decimal"], "group": latin["group"],
                                                          "infinity": latin["infinity"],
                                                          "percent_pattern": cldr.percent_formats[None].pattern})
    generator = random.Random(9)
    values = _values(generator)[:1500]
    values += [sign * (10.0 ** (15 - d) - k * 10.0 ** -d) for d in range(5) for k in (0, 0.5, 1, 2) for sign in (1, -1)]
    values += [generator.uniform(-1, 1) * 10.0 ** generator.uniform(9, 16) for _ in range(300)]
    calls = []
    for value in values:
        for decimals in range(4):
            calls += [(locale_module.number, (value, decimals, locale)), (locale_module.signed, (value, decimals, locale)),
                      (locale_module.percent, (value, locale, decimals)), (locale_module.share, (value, locale, decimals))]
        calls += [(locale_module.kroner, (value, locale)), (locale_module.mio, (value, locale)),
                  (locale_module.persons, (value, locale)), (locale_module.significant, (value, 6, locale)),
                  (locale_module.significant, (value, 3, locale))]
    plain = [_outcome(function, *args) for function, args in calls]
    monkeypatch.setattr(locale_module, "_PLAIN", {})
    through_babel = [_outcome(function, *args) for function, args in calls]
    assert plain == through_babel
    assert sum(kind == "ok" for kind, _ in plain) > 0.9 * len(calls)


def test_the_targets_and_programmes_tables_have_danish_column_headings_with_locale_da():
    from click.testing import CliRunner

    from conftest import SCENARIOS
    from kikcalc.cli import main

    danish = CliRunner().invoke(main, ["run", str(SCENARIOS / "aabenraa-vuc-course.toml"), "--locale", "da"])
    english = CliRunner().invoke(main, ["run", str(SCENARIOS / "aabenraa-vuc-course.toml")])
    assert danish.exit_code == english.exit_code == 0
    for words in ("første måned opfyldt", "udgift pr. udfald, kr.", "nåede et udfald"):
        assert words in danish.output and words not in english.output
    assert "first month met" in english.output and "first month met" not in danish.output
