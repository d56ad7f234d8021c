"""Locale: the one home of how numbers, months and money units are written for a reader.

``--locale en`` (the default) writes 1,234,567.8 and "mio. DKK"; ``--locale da`` writes
1.234.567,8, Danish month names and "mio. kr.". babel does the number formatting, from the CLDR
data of each locale, rather than hand-written separators; for the default locale the few CLDR symbols it
needs are written out here (:data:`_PLAIN`) and babel's steps taken without loading babel, whose first
read of its locale data costs every command about 20 ms (tests/test_locale.py checks both against babel).
Nothing here computes a model number.
"""

from __future__ import annotations

import contextlib
import decimal
import functools
import math
import re
from collections.abc import Iterator
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from kikcalc.errors import UsageError

if TYPE_CHECKING:
    from babel import Locale
    from babel.numbers import NumberPattern

LOCALES = {"en": "en_GB", "da": "da_DK"}
"""The --locale choices and the CLDR locale each one formats with."""

_WORDS = {
    "en": {"kroner": "DKK", "mio": "mio. DKK", "persons": "persons", "full_time": "full-time persons",
           "month": "month", "year": "year", "met": "met", "missed": "missed", "baseline": "baseline",
           "field": "field", "value": "value", "key_path": "key path", "unit": "unit", "comment": "comment or source",
           "file": "file", "assumptions": "assumptions", "provenance": "provenance", "notes": "notes",
           "source": "Source", "base_case": "Base case: every number as the file writes it{but}; {n} of them have a "
                                             "distribution in [uncertainty] (kikcalc sensitivity draws them)",
           "but_set": ", but those set with --set",
           "to": "to", "months": "months", "discount_rate": "discount rate",
           "h_full_year": "Full-year persons (helårspersoner)", "h_money": "Money, kr.",
           "h_summary": "Investment summary (against the baseline)", "h_programmes": "Programmes (over the horizon)",
           "h_targets": "Targets", "h_monthly": "Full-time persons by month", "h_by_year": "By year",
           "h_against": "Against the baseline", "h_all": "All scenarios against their baselines",
           "no_targets": "no targets in this scenario", "total": "total", "na": "n/a", "of": "of",
           "no_strategy": "this scenario has none of the strategies chosen with --strategy"},
    "da": {"kroner": "kr.", "mio": "mio. kr.", "persons": "personer", "full_time": "fuldtidspersoner",
           "month": "måned", "year": "år", "met": "opfyldt", "missed": "ikke opfyldt", "baseline": "basis",
           "field": "felt", "value": "værdi", "key_path": "nøglesti", "unit": "enhed", "comment": "kommentar eller kilde",
           "file": "fil", "assumptions": "forudsætninger", "provenance": "oprindelse", "notes": "noter",
           "source": "Kilde", "base_case": "Basisberegning: hvert tal som filen skriver det{but}; {n} af dem har en "
                                            "fordeling i [uncertainty] (kikcalc sensitivity trækker dem)",
           "but_set": ", undtagen dem sat med --set",
           "to": "til", "months": "måneder", "discount_rate": "diskonteringsrente",
           "h_full_year": "Helårspersoner", "h_money": "Økonomi, kr.",
           "h_summary": "Investeringen (i forhold til basis)", "h_programmes": "Forløb (over hele perioden)",
           "h_targets": "Mål", "h_monthly": "Fuldtidspersoner pr. måned", "h_by_year": "Pr. år",
           "h_against": "I forhold til basis", "h_all": "Alle scenarier i forhold til deres basis",
           "no_targets": "ingen mål i dette scenario", "total": "i alt", "na": "ikke relevant", "of": "af",
           "no_strategy": "scenariet har ingen af de strategier, der er valgt med --strategy"},
}


_CURRENT: ContextVar[str] = ContextVar("kikcalc_locale", default="en")


def current() -> str:
    """The locale of this command (``--locale``; "en" outside one): what :mod:`kikcalc.report`'s cells use."""
    return _CURRENT.get()


@contextlib.contextmanager
def using(locale: str) -> Iterator[str]:
    """Make ``locale`` the current one within a ``with`` block."""
    token = _CURRENT.set(checked(locale))
    try:
        yield locale
    finally:
        _CURRENT.reset(token)


def checked(locale: str) -> str:
    """``locale`` if kikcalc writes it; otherwise a usage error that lists the choices."""
    if locale not in LOCALES:
        raise UsageError(f"--locale {locale}: no such locale (there are {', '.join(LOCALES)})")
    return locale


_PLAIN = {"en": {"decimal": ".", "group": ",", "infinity": "∞", "percent_pattern": "#,##0%"}}
"""What babel's CLDR data says of the locales written without babel (en_GB's decimal and group symbols, its
infinity and its percent pattern; tests/test_locale.py checks them against babel's data)."""

_PLAIN_PATTERN = re.compile(r"#,##0(?:\.(0*)(#*))?( ?%)?")
"""The number patterns :func:`_plain` follows: grouping by three, at least one integer digit, ``0`` decimals
always written and ``#`` ones when not zero, an optional percent sign (the value times 100)."""


@functools.cache
def _cldr(locale: str) -> Locale:
    """The CLDR locale of a --locale, read from babel's data once per process (its first read is the slow part)."""
    from babel import Locale

    return Locale.parse(LOCALES[checked(locale)])


@functools.cache
def _pattern(pattern: str) -> NumberPattern:
    """A CLDR number pattern (``#,##0.0``, ``#,##0.0 %``), parsed once per process."""
    from babel.numbers import parse_pattern

    return parse_pattern(pattern)


def _formatted(value: float, pattern: str, locale: str) -> str:
    """``value`` in ``pattern`` with the locale's symbols: babel's format_decimal and format_percent (which parse
    the locale and the pattern again on every call), or the same steps by :func:`_plain` for a locale in
    :data:`_PLAIN` and a pattern it follows."""
    symbols = _PLAIN.get(locale)
    if symbols is not None:
        parts = _PLAIN_PATTERN.fullmatch(pattern)
        if parts is not None:
            return _plain(value, parts, symbols)
    return _babel(value, pattern, locale)


def _babel(value: float, pattern: str, locale: str) -> str:
    """``value`` in ``pattern`` with the locale's symbols, by babel."""
    return _pattern(pattern).apply(value, _cldr(locale))


def _plain(value: float, parts: re.Match, symbols: dict[str, str]) -> str:
    """babel's NumberPattern.apply for a pattern of :data:`_PLAIN_PATTERN`, step by step in the same Decimal
    operations and context: the value's shortest repr, scaled by 100 for a percentage; the sign apart; rounded half
    to even at the most decimals; the integer grouped by three; the decimals padded to the fewest and their trailing
    zeros dropped down to it; "-" before a negative (a rounded -0 too), the pattern's suffix after."""
    required, optional, suffix = parts.group(1) or "", parts.group(2) or "", parts.group(3) or ""
    fewest, most = len(required), len(required) + len(optional)
    number = decimal.Decimal(str(value)).scaleb(2 if suffix else 0)
    negative = number.is_signed()
    number = abs(number).normalize()
    if number.is_infinite():
        digits = symbols["infinity"]
    else:
        whole, _, fraction = f"{number.quantize(decimal.Decimal(10) ** -most):f}".partition(".")
        head = len(whole) % 3 or 3
        groups = [whole[:head], *(whole[i:i + 3] for i in range(head, len(whole), 3))]
        digits = symbols["group"].join(groups)
        fraction = (fraction or "0").ljust(fewest, "0")
        if most and not (fewest == 0 and int(fraction) == 0):
            while len(fraction) > fewest and fraction[-1] == "0":
                fraction = fraction[:-1]
            digits += symbols["decimal"] + fraction
    return ("-" if negative else "") + digits + suffix


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def number(value: float | None, decimals: int = 0, locale: str = "en") -> str:
    """``value`` with the locale's thousands and decimal separators and ``decimals`` decimals; "" if missing."""
    if _blank(value):
        return ""
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    rounded = round(float(value), decimals)
    if rounded == 0:
        rounded = 0.0  # no "-0" for a tiny negative
    plain = _PLAIN.get(locale)
    if plain is not None and abs(rounded) * 10.0 ** decimals < 1e15:
        # Below 1e15 units of its last decimal, ``rounded`` is the double nearest to one number of ``decimals``
        # decimals, closer to it than half a unit: Python's fixed-point text of the double is that number, as is
        # babel's quantised shortest repr (tests/test_locale.py checks the two agree).
        text = f"{rounded:,.{decimals}f}"
        return text if (plain["group"], plain["decimal"]) == (",", ".") else \
            text.translate(str.maketrans({",": plain["group"], ".": plain["decimal"]}))
    with decimal.localcontext() as context:  # babel quantises in Decimal: 28 digits fail from 1e28 kr. (or 1e25 at 6 decimals)
        context.prec = 400
        return _formatted(rounded, pattern, locale)


def significant(value: float | None, digits: int = 6, locale: str | None = None) -> str:
    """``value`` to ``digits`` significant digits, trailing zeros dropped, with the locale's separators: a number a
    file gives (an effect of 1.59152, an inflow of 47.4531; da: 1,59152 and 47,4531); "" if missing. Numbers below
    1e-4 or from 1e15 are written in exponent form."""
    locale = checked(locale or current())
    if _blank(value):
        return ""
    value = float(value)
    if value == 0 or not math.isfinite(value):
        return number(value, 0, locale)
    if not 1e-4 <= abs(value) < 1e15:
        text = f"{value:.{digits}g}"
        return text.replace(".", ",") if _decimal_symbol(locale) == "," else text
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(value))))
    pattern = "#,##0" + ("." + "#" * decimals if decimals else "")
    return _formatted(round(value, decimals), pattern, locale)


def _decimal_symbol(locale: str) -> str:
    plain = _PLAIN.get(locale)
    return plain["decimal"] if plain is not None else _cldr(locale).number_symbols["latn"]["decimal"]


def kroner(value: float | None, locale: str = "en") -> str:
    """Whole kroner: 1,234,567 (en) or 1.234.567 (da)."""
    return number(value, 0, locale)


def mio(value: float | None, locale: str = "en", decimals: int = 2) -> str:
    """Millions of kroner, the unit of a committee paper: 60.50 (en) or 60,50 (da)."""
    return "" if _blank(value) else number(float(value) / 1e6, decimals, locale)


def persons(value: float | None, locale: str = "en") -> str:
    """Persons with one decimal: 1,130.0 (en) or 1.130,0 (da)."""
    return number(value, 1, locale)


def percent(share: float | None, locale: str = "en", decimals: int = 1) -> str:
    """A share as a percentage: 0.769 -> 76.9 % (da: 76,9 %)."""
    if _blank(share):
        return ""
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "") + " %"
    return _formatted(float(share), pattern, locale)


def month_name(month: int, locale: str = "en") -> str:
    """The calendar month's full name: 1 -> January (en) or januar (da)."""
    from babel.dates import get_month_names

    return str(get_month_names("wide", locale=_cldr(locale))[month])


def month_label(label: str, locale: str = "en") -> str:
    """A model month "2021-03" as a reader writes it: "March 2021" (en) or "marts 2021" (da)."""
    year, month = label.split("-")
    return f"{month_name(int(month), locale)} {year}"


LINES_DA = {
    "Net saving vs baseline, state, kr.": "Nettobesparelse i forhold til basis, staten, kr.",
    "Net saving vs baseline, public sector, kr.": "Nettobesparelse i forhold til basis, den offentlige sektor, kr.",
    "Net present value, state, kr.": "Nutidsværdi, staten, kr.",
    "Full-year persons: benefit states, total": "Helårspersoner: forsørgelse i alt",
    "Total cost, kr.": "Samlede udgifter, kr.", "Net saving vs baseline, kr.": "Nettobesparelse i forhold til basis, kr.",
    "Investment, kr.": "Investering, kr.", "Programmes, kr.": "Forløb, kr.",
    "Payments per person moved, kr.": "Betaling pr. person flyttet, kr.",
    "Spending incl. programmes and payments, kr.": "Udgifter inkl. forløb og betalinger, kr.",
    "Grants, kr.": "Tilskud, kr.", "Grants if every condition is met, kr.": "Tilskud hvis alle betingelser opfyldes, kr.",
    "Net present value, kr.": "Nutidsværdi, kr.", "Payback month": "Tjent hjem (måned)",
    "Kr. saved per kr. invested": "Kr. sparet pr. investeret kr.", "Targets met": "Mål opfyldt",
}
"""The comparison's line names in Danish (kikcalc.tables writes them in English)."""


PHRASES_DA = {
    "sensitivity": "følsomhed", "Strategy {strategy} against {baseline}": "Strategi {strategy} i forhold til {baseline}",
    "NPV of the net saving, kr.": "Nutidsværdi af nettobesparelsen, kr.", "Net saving {year}, kr.": "Nettobesparelse {year}, kr.",
    "Net saving, horizon, kr.": "Nettobesparelse, hele perioden, kr.", "Payback month": "Tjent hjem (måned)",
    "P(pays back within the horizon)": "P(tjent hjem inden for perioden)", "P(NPV > 0)": "P(nutidsværdi > 0)",
    "P(saves money over the horizon)": "P(sparer penge over perioden)",
    "Targets: probability met": "Mål: sandsynlighed for at blive opfyldt",
    "mean": "middel", "target": "mål", "strategy": "strategi", "P(met)": "P(opfyldt)",
    "{name}: {metric} of {strategy} ({unit}), one number at a time": "{name}: {metric} for {strategy} ({unit}), ét tal ad gangen",
    "uncertain number": "usikkert tal", "low": "lav", "high": "høj", "at low": "ved lav", "at high": "ved høj",
    "swing": "udsving",
    "{name}: follow-up of {strategy} against the plan": "{name}: opfølgning på {strategy} i forhold til planen",
    "observation": "observation", "plan": "plan", "observed": "observeret", "difference": "forskel",
    "net cost of the difference": "nettoudgift ved forskellen", "on plan": "som planlagt", "ahead": "foran",
    "BEHIND": "BAGUD", "kr. a month": "kr. om måneden",
    "The gap split into entrants and exits": "Forskellen delt på tilgang og afgang", "states": "tilstande",
    "period": "periode", "from more entrants": "fra flere tilgange", "from more exits": "fra flere afgange", "net": "netto",
    "solve": "løsning", "Check: the scenario run again with the value set as if the file said so":
        "Kontrol: scenariet kørt igen med værdien sat, som om filen sagde det",
    "The target in the search": "Målet i søgningen", "target met": "mål opfyldt", "above it": "over den",
    "below it": "under den", "value": "værdi", "threshold": "grænse", "margin": "margin", "verdict": "vurdering",
    "{name}: liability at {at}": "{name}: forpligtelse pr. {at}", "group": "gruppe", "state": "tilstand",
    "segment": "segment", "persons": "personer", "future months": "fremtidige måneder",
    "PV net cost per person, kr.": "nutidsværdi af nettoudgiften pr. person, kr.",
    "PV net cost, mio. kr.": "nutidsværdi af nettoudgiften, mio. kr.", "change, months": "ændring, måneder",
    "change per person, kr.": "ændring pr. person, kr.", "change, mio. kr.": "ændring, mio. kr.",
    "{label} ({name}), and its change against {baseline}": "{label} ({name}) og ændringen i forhold til {baseline}",
    "stock": "bestand", "entrants": "tilgang", "under 1 year": "under 1 år", "1-2 years": "1-2 år",
    "over 2 years": "over 2 år", "all": "alle", "unbounded": "ubegrænset",
    "first month met": "første måned opfyldt", "programme": "forløb", "started": "startet", "left": "afsluttet",
    "reached an outcome": "nåede et udfald", "share of leavers": "andel af de afsluttede", "cost, kr.": "udgift, kr.",
    "cost per outcome, kr.": "udgift pr. udfald, kr.",
}
"""Headings, row labels, column headings and verdict words in Danish (:func:`phrase`): those of ``sensitivity``,
``tornado``, ``followup``, ``solve`` and ``liability``, and the targets' and programmes' column headings of every
command (:func:`kikcalc.formats._text.headers`)."""


def phrase(english: str, locale: str | None = None, **values: Any) -> str:
    """A heading, row label, column heading or verdict word of ``sensitivity``, ``tornado``, ``followup``, ``solve`` or
    ``liability`` in the locale (the command's own by default), its ``{fields}`` filled from ``values``: phrase("Net saving {year}, kr.",
    "da", year=2021) is "Nettobesparelse 2021, kr."."""
    text = PHRASES_DA.get(english, english) if checked(locale or current()) == "da" else english
    return text.format(**values) if values else text


def line_name(line: str, locale: str | None = None) -> str:
    """A comparison line's name in the locale: "Total cost, kr." is "Samlede udgifter, kr." in Danish."""
    if checked(locale or current()) != "da":
        return line
    if line in LINES_DA:
        return LINES_DA[line]
    for english, danish in (("Full-year persons: ", "Helårspersoner: "),
                            ("Economic full-year persons: ", "Økonomiske helårspersoner: ")):
        if line.startswith(english):
            return danish + line.removeprefix(english)
    return line


def word(key: str, locale: str = "en") -> str:
    """A unit or verdict word in the locale: word("mio", "da") == "mio. kr."."""
    return _WORDS[checked(locale)][key]


def share(value: float | None, locale: str = "en", decimals: int = 1) -> str:
    """A share as a table writes it, in the locale's own percent pattern (CLDR): 76.9% (en) or 76,9 % (da)."""
    if _blank(value):
        return ""
    plain = _PLAIN.get(checked(locale))
    cldr = (plain["percent_pattern"] if plain is not None else _cldr(locale).percent_formats[None].pattern).replace("\xa0", " ")
    pattern = re.sub(r"0(?=\s*%)", "0" + ("." + "0" * decimals if decimals > 0 else ""), cldr, count=1)
    rounded = round(float(value), decimals + 2) or 0.0  # no "-0.0%" for a tiny negative
    return _formatted(rounded, pattern, locale)


def signed(value: float | None, decimals: int = 0, locale: str = "en") -> str:
    """A change with its sign always written, rounded first so that -0.00001 shows as +0: +1,234 or -0.5 (da: +1.234, -0,5)."""
    if _blank(value):
        return ""
    rounded = round(float(value), decimals) or 0.0
    return ("-" if rounded < 0 else "+") + number(abs(rounded), decimals, locale)


def month_text(label: str | None, locale: str = "en") -> str:
    """A model month in a table: ``2021-03`` as it is (en), ``marts 2021`` (da); "" if missing."""
    if _blank(label):
        return ""
    return str(label) if checked(locale) == "en" else month_label(str(label), locale)
