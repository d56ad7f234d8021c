"""Reading raw TOML values into typed ones, with every problem kept at its key path: the scenario's reader.

:class:`Reader` collects :class:`~kikcalc.errors.Problem` s while :mod:`kikcalc.scenario` and its parts
(:mod:`kikcalc.scenario_strategies`, :mod:`kikcalc.scenario_targets`, :mod:`kikcalc.scenario_seasons`, ...)
read a file: a table's keys (an unknown key gets the nearest valid one), numbers within their range, texts
among their choices, months, state names, series by year or month, anciennitet bands and mixes. The
helpers beside it describe a value in an error message and join key paths (:mod:`kikcalc.keypaths`).
"""

from __future__ import annotations

import datetime
import difflib
import math
import re
import unicodedata
from typing import Any

import numpy as np

from kikcalc import keypaths, limits
from kikcalc.calendar import MONTH_RE, YEAR_RE, Calendar, format_month, parse_month
from kikcalc.errors import Problem
from kikcalc.limits import LONGEST_ANCIENNITET, MIX_TOLERANCE

NAME_RULE = "may hold only letters (æ, ø, å and other letters too), digits 0-9, _ and -, and start with a letter"
"""What a name of a state, strategy or programme may be; with a non-ASCII letter, TOML wants it in quotes."""
BAND_RE = re.compile(r"^\s*([0-9]+)\s*(?:-\s*([0-9]+)|(\+))?\s*$")
WHOLE_RE = re.compile(r"^\s*[0-9]+\s*$")  # ASCII digits only: int("²") fails


def describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a table" if value else "an empty table"  # "expected a table of shares ..., got a table" said nothing
    if isinstance(value, list):
        return "a list" if value else "an empty list"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, str):
        return f'"{value}"' if len(value) <= 80 else f'"{value[:60]}..." (a text of {len(value):_} characters)'
    if isinstance(value, (datetime.date, datetime.time)):  # datetime.datetime is a date
        return f"{value.isoformat()} (a TOML date or time)"
    if isinstance(value, int) and value.bit_length() > 100:
        return limits.show(value)  # "an integer of 401 digits"; str() refuses past 4300
    return repr(value)


# Characters that print as nothing yet are not Unicode's format characters (Cf): the Hangul fillers (letters, Lo),
# the Braille blank (a symbol, So), the Mongolian vowel separator (a space before Unicode 6.3), the combining
# grapheme joiner and the Khmer inherent vowels (marks). The one home of what counts as invisible in a name or label.
BLANK_LOOKING = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e\u034f\u17b4\u17b5")


def hides(c: str, *, spaces: bool = False) -> bool:
    """Whether ``c`` is invisible: a format character (Cf) or one of :data:`BLANK_LOOKING`; with ``spaces``, a space
    other than the plain one, tab and newline as well (a no-break space, an ideographic space: in a name, which holds
    no space, it looks like nothing or like a space the name cannot have)."""
    return (unicodedata.category(c) == "Cf" or c in BLANK_LOOKING
            or (spaces and c.isspace() and c not in " \t\n\r"))


def hidden_at(text: str, *, spaces: bool = False) -> int | None:
    """The index of the first character of ``text`` that :func:`hides`, or None."""
    return next((i for i, c in enumerate(text) if hides(c, spaces=spaces)), None)


def invisible(text: str, *, spaces: bool = False) -> list[str]:
    """The invisible characters of ``text`` (:func:`hides`), each once, as "U+200B (ZERO WIDTH SPACE)"."""
    return [f"U+{ord(c):04X} ({unicodedata.name(c, 'unnamed')})" for c in dict.fromkeys(text) if hides(c, spaces=spaces)]


def _visible(text: str) -> str:
    return "".join(c for c in text if not hides(c))


def nearest(typed: str, choices: list[str] | tuple[str, ...], cutoff: float = 0.6) -> str | None:
    """The choice nearest ``typed`` (difflib's), or None if none is near; first one that differs from it only by
    invisible characters (a zero-width space, a right-to-left override, a Hangul filler: :func:`hides`), then one
    that differs only in case or spaces at the ends."""
    same = [c for c in choices if _visible(c) == _visible(typed)]
    folded = [c for c in choices if c.casefold() == typed.strip().casefold()]  # PAYBACK, KIK2, " payback": difflib's
    close = same or folded or difflib.get_close_matches(typed, list(choices), n=1, cutoff=cutoff)  # ratio is case-blind
    return close[0] if close else None


def did_you_mean(typed: str, choices: list[str] | tuple[str, ...], cutoff: float = 0.6) -> str:
    """'; did you mean "X"?' for the choice :func:`nearest` ``typed``, or "" if none is near.

    Where the two differ only by invisible characters, the hint says which of them holds them, for the two look
    the same on the screen.
    """
    close = nearest(typed, choices, cutoff)
    if close is None:
        return ""
    hint = f'; did you mean "{close}"?'
    if _visible(close) == _visible(typed) and invisible(typed):
        hint += f" What is written here looks the same but contains an invisible character, {', '.join(invisible(typed))}"
    if _visible(close) == _visible(typed) and invisible(close):
        hint += f" It looks the same but contains an invisible character, {', '.join(invisible(close))}"
    return hint


def unknown_key(key: str, allowed: list[str] | tuple[str, ...]) -> str:
    """The message of a key a table does not take: the nearest valid key, or the valid keys."""
    return f"unknown key{did_you_mean(key, allowed) or '; valid keys: ' + ', '.join(allowed)}"


def join(path: str, key: str | int) -> str:
    return keypaths.child(path, key)  # the grammar of key paths lives in kikcalc.keypaths


class Reader:
    """Collects problems while reading raw TOML values into typed ones."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def problem(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    # --- shapes -----------------------------------------------------------------------------

    def table(self, raw: Any, path: str, allowed: tuple[str, ...], required: tuple[str, ...] = ()) -> dict | None:
        """A TOML table with only the allowed keys; unknown keys get the nearest valid key."""
        if not isinstance(raw, dict):
            self.problem(path, f"expected a table, got {describe(raw)}")
            return None
        for key in raw:
            if key not in allowed:
                self.problem(join(path, key), unknown_key(key, allowed))
        for key in required:
            if key not in raw:
                self.problem(join(path, key), "missing; this key is required")
        return raw

    def named_table(self, section: str, name: str, body: Any, allowed: tuple[str, ...]) -> tuple[str, dict | None]:
        """A ``[section.NAME]`` table: its key path, and the table if it is one (NAME checked too)."""
        path = join(section, name)
        wrong = name_problem(name)
        if wrong:
            self.problem(path, f"a name in [{section}] {wrong}")
        return path, self.table(body, path, allowed)

    def number(self, raw: Any, path: str, limit: limits.Range, integer: bool = False,
               what: str = "a number") -> float | None:
        """A number within its range (:mod:`kikcalc.limits`); inf, nan and an integer beyond any float are outside it."""
        if isinstance(raw, bool) or not isinstance(raw, (int, float)) or (integer and not isinstance(raw, int)):
            whole = isinstance(raw, float) and not isinstance(raw, bool) and limits.finite(raw) and raw.is_integer() \
                and abs(raw) < 1e15
            hint = f" (a decimal number); write it without the point: {int(raw)}" if whole else quoted_number(raw)
            self.problem(path, f"expected {what}, got {describe(raw)}{hint}")
            return None
        if not limits.finite(raw) or not limit.holds(raw):
            self.problem(path, f"expected {what} {limit.words()}, got {limits.show(raw)}")
            return None
        underflow = isinstance(raw, limits.Underflow)  # written 1e-400: read as 0.0, but not what the file says
        if underflow or (raw and abs(raw) < np.finfo(float).tiny):  # subnormal: no real figure, a division by it overflows
            shown = raw.text if underflow else limits.show(raw)
            self.problem(path, f"expected {what} {limit.words()}, got {shown}, smaller than any real figure "
                               f"(write 0 for none)")
            return None
        return float(raw)

    def string(self, raw: Any, path: str, choices: tuple[str, ...] | None = None, *, visible: bool = False) -> str | None:
        """A text; ``visible``: one that names something (a label, a name), which is not blank and may hold no
        invisible character."""
        if not isinstance(raw, str):
            self.problem(path, f"expected a text string, got {describe(raw)}")
            return None
        control = re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", raw)  # tab and newline are text
        if control:  # an escape sequence would act on the terminal; Excel refuses the character in a workbook
            self.problem(path, f"expected text, got a control character (U+{ord(control.group()):04X}) at character "
                               f"{control.start() + 1}")
            return None
        if visible and not raw.strip():  # a title, a row or a target with no name: blank in every table
            self.problem(path, "expected a text that names it, got " + ("an empty text" if not raw else "only blank characters"))
            return None
        hidden = hidden_at(raw) if visible else None
        if hidden is not None:  # a right-to-left override turns the text around on the screen; a zero-width space hides
            self.problem(path, f"expected text without invisible characters, got {invisible(raw[hidden])[0]} at character "
                               f"{hidden + 1}; delete it: it makes the text look like another it is not")
            return None
        if choices is not None and raw not in choices:
            self.problem(path, f"expected one of {', '.join(choices)}, got \"{raw}\"{did_you_mean(raw, choices, 0.5)}")
            return None
        return raw

    def label(self, table: dict, default: Any, path: str) -> str | None:
        """A table's ``label``, which names it in the tables (no invisible character), or ``default`` (its name)."""
        return self.string(table.get("label", default), path, visible="label" in table)

    def month(self, raw: Any, path: str, calendar: Calendar | None = None) -> int | None:
        """A ``YYYY-MM`` month; with a calendar, it must lie in the horizon."""
        if not isinstance(raw, str):
            self.problem(path, f'expected a month as "YYYY-MM" (in quotes), got {describe(raw)}')
            return None
        try:
            month = parse_month(raw)
        except ValueError as error:
            self.problem(path, str(error))
            return None
        if calendar is not None and not calendar.contains(month):
            self.problem(path, f"month {raw} is outside the horizon "
                               f"{format_month(calendar.start)} to {format_month(calendar.end)}")
            return None
        return month

    def state_names(self, raw: Any, path: str, known: list[str]) -> tuple[str, ...] | None:
        """One state name or a list of them, each a state of the scenario."""
        names = [raw] if isinstance(raw, str) else raw
        if names == []:
            self.problem(path, "expected at least one state name, got an empty list")
            return None
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            self.problem(path, f"expected a state name or a list of state names, got {describe(raw)}")
            return None
        ok = True
        for i, name in enumerate(names):
            where = path if isinstance(raw, str) else join(path, i)
            ok &= self.known_state(name, where, known)
            if name in names[:i]:
                self.problem(where, f'"{name}" is named twice in this list; it would be counted twice')
                ok = False
        return tuple(names) if ok else None

    def known_state(self, name: Any, path: str, known: list[str]) -> bool:
        if not isinstance(name, str):
            self.problem(path, f"expected a state name, got {describe(name)}")
            return False
        if name not in known:
            hint = did_you_mean(name, known) or f"; states are: {', '.join(known)}"
            self.problem(path, f'unknown state "{name}"{hint}')
            return False
        return True

    # --- series -----------------------------------------------------------------------------

    def monthly_series(self, raw: Any, path: str, calendar: Calendar, *, per_year_spread: bool,
                       carry_forward: bool, unit: str, limit: limits.Range, first: int = 0) -> np.ndarray | None:
        """A number, or a table by year ("2019") or month ("2019-04"), onto the calendar, shape (T,).

        ``per_year_spread``: a year's value is a yearly amount spread evenly over the year's
        simulated months (money); otherwise it is the monthly value in each of its months (inflow).
        ``carry_forward``: a month no key covers takes the last covered month's value, from model
        month ``first`` on, which the table must cover; otherwise 0.
        """
        if not isinstance(raw, dict):
            if not is_number(raw):
                self.problem(path, f"expected a number ({unit}) or a table by year or month, got {describe(raw)}")
                return None
            value = self.number(raw, path, limit, what=f"a number ({unit})")
            if value is None:
                return None
            # A single yearly amount is a rate: a twelfth of it in every month.
            return np.full(calendar.months, value / 12.0 if per_year_spread else value)
        by_month: list[int] = []  # a month has one key: "2020-01 " is refused below, so no two keys name one month
        ok = True
        for key, item in raw.items():
            where = join(path, key)
            value = self.number(item, where, limit, what=f"a number ({unit})")
            if value is None:
                ok = False
                continue
            if key != key.strip() and (YEAR_RE.match(key.strip()) or MONTH_RE.match(key.strip())):  # "2020 ", "2020-06 "
                self.problem(where, f'a {"year" if YEAR_RE.match(key.strip()) else "month"} with spaces around it: '
                                    f'write "{key.strip()}"')
                ok = False
            elif YEAR_RE.match(key):
                if len(calendar.year_months(int(key))) == 0:
                    self.problem(where, f"year {key} is outside the horizon "
                                        f"{format_month(calendar.start)} to {format_month(calendar.end)}")
                    ok = False
            else:
                month = self.month(key, where, calendar)
                if month is None:
                    ok = False
                    continue
                by_month.append(calendar.index(month))
        if per_year_spread:
            years = {int(k) for k in raw if YEAR_RE.match(k)}
            for index in by_month:
                year = calendar.years[index]
                if year in years:
                    self.problem(join(path, calendar.labels[index]),
                                 f"{year} is also given as a year; give a year's amount either as the year or month by month")
                    ok = False
        if not ok:
            return None
        owner = calendar.series_owners(list(raw), carry_forward, first)
        if carry_forward and owner[first] < 0:
            self.problem(path, f"the table must cover the first month, {calendar.labels[first]} "
                               f"(give its year or the month itself)")
            return None
        per_month = np.array([float(v) for v in raw.values()]) / calendar.series_divisors(list(raw), per_year_spread)
        return np.append(per_month, 0.0)[owner]  # owner -1: no key covers the month, 0

    def bands(self, raw: Any, path: str, what: str, limit: limits.Range) -> list[tuple[int, int | None, float]] | None:
        """A number, or a table by anciennitet band ``{"0-5" = ..., "6-11" = ..., "12+" = ...}``."""
        if not isinstance(raw, dict):
            value = self.number(raw, path, limit, what=what)
            return None if value is None else [(0, None, value)]
        parsed: list[tuple[int, int | None, float]] = []
        for key, item in raw.items():
            where = join(path, key)
            band = band_range(key)
            value = self.number(item, where, limit, what=what)
            if band is None:
                self.problem(where, 'expected an anciennitet band in months such as "0-5", "6" or "12+"')
                continue
            low, top = band
            if top is not None and top < low:
                self.problem(where, f"band {key} ends before it starts")
                continue
            if max(low, top or 0) > LONGEST_ANCIENNITET:
                self.problem(where, f"anciennitet is tracked up to {LONGEST_ANCIENNITET} months (50 years); "
                                    f'give the last band open-ended, such as "13+"')
                continue
            if value is not None:
                parsed.append((low, top, value))
        if len(parsed) != len(raw):
            return None
        parsed.sort(key=lambda band: (band[0], math.inf if band[1] is None else band[1]))
        expected: int | None = 0
        for low, top, _ in parsed:
            if expected is None:
                self.problem(path, f"anciennitet bands must not overlap; a band starting at {low} follows an "
                                   f"open-ended band")
                return None
            if low != expected:
                self.problem(path, f"anciennitet bands must follow on from month 0 without gaps or overlaps; "
                                   f"expected a band starting at {expected}, found one at {low}")
                return None
            expected = None if top is None else top + 1
        if expected is not None or parsed[-1][1] is not None:
            self.problem(path, f'the last anciennitet band must be open-ended, such as "{parsed[-1][0]}+"'
                         if parsed else "expected at least one anciennitet band")
            return None
        return parsed

    def mix(self, raw: Any, path: str) -> dict[int, float] | None:
        """A mix over anciennitet months ``{0 = 0.6, 13 = 0.4}``, shares adding to 1."""
        if not isinstance(raw, dict) or not raw:
            self.problem(path, f"expected a table of shares by anciennitet month, such as "
                               f"{{ 0 = 0.6, 13 = 0.4 }}, got {describe(raw)}")
            return None
        shares: dict[int, float] = {}
        key_of: dict[int, str] = {}
        for key, item in raw.items():
            where = join(path, key)
            value = self.number(item, where, limits.SHARE, what="a share")
            if not WHOLE_RE.match(key):
                self.problem(where, "expected a whole number of months of anciennitet as the key")
                continue
            if int(key) > LONGEST_ANCIENNITET:
                self.problem(where, f"anciennitet is tracked up to {LONGEST_ANCIENNITET} months (50 years); "
                                    f"persons with more belong in the last month tracked, such as 13")
                continue
            if int(key) in key_of:
                self.problem(where, f'month {int(key)} is given twice, as "{key_of[int(key)]}" and as "{key}"; give each '
                                    f"month once")
                continue
            key_of[int(key)] = key
            if value is not None:
                shares[int(key)] = shares.get(int(key), 0.0) + value
        if len(shares) != len(raw):
            return None
        if abs(sum(shares.values()) - 1.0) > MIX_TOLERANCE:
            self.problem(path, f"the shares must add up to 1, they add up to "
                               f"{limits.show_beyond(sum(shares.values()), 1.0)} (1 to within {MIX_TOLERANCE:g} is taken as 1)")
            return None
        return shares


def name_problem(name: str) -> str | None:
    """What is wrong with a name of a state, strategy or programme (:data:`NAME_RULE`), or None.

    Any Unicode letter is a letter (kontanthjælp), digits are 0-9 only (not ² or ١). A letter typed as two
    characters, a letter and a combining accent (a + ̊ for å), is refused: it looks like the one-character
    letter the rest of the file uses, but is another name.
    """
    hidden = hidden_at(name, spaces=True)
    if hidden is not None:  # a zero-width space, a Hangul filler, a no-break space: the name would look like another
        return (f"holds an invisible character, {invisible(name[hidden], spaces=True)[0]}, at character {hidden + 1}; delete it: "
                f"it makes the name look like another it is not")
    if unicodedata.normalize("NFC", name) != name:
        return ("holds a letter written as two characters (a letter and a separate accent mark); type it as one "
                "letter, as other names in the file are")
    if not name or not name[0].isalpha() or not all(c.isalpha() or c in "0123456789_-" for c in name):
        return NAME_RULE
    return None


def quoted_number(raw: Any) -> str:
    """A hint for a number written in quotes, as a text: ``"120000"``, Danish ``"1.130,5"``, ambiguous ``"120.000"``."""
    if not isinstance(raw, str):
        return ""
    text = raw.strip().replace(" ", "").replace("\u00a0", "")
    if re.fullmatch(r"[+-]?[1-9][0-9]{0,2}\.[0-9]{3}", text):  # 120.000: thousands the Danish way, or a decimal?
        return (f" (a text); write the number without quotes: {text.replace('.', '_')} for thousands, or {text} as a "
                f"decimal number")
    if re.fullmatch(r"[+-]?[0-9][0-9_]*(\.[0-9]+)?", text):
        return f" (a text); write the number without quotes: {text}"
    if re.fullmatch(r"[+-]?[1-9][0-9]{0,2}(\.[0-9]{3})+(,[0-9]+)?|[+-]?[0-9]+,[0-9]+", text):  # 1.130,5  1.200.000  1,5
        whole, _, decimals = text.partition(",")
        return (f" (a text, written the Danish way); write the number without quotes, thousands with _ and decimals "
                f"with a point: {whole.replace('.', '_')}{'.' + decimals if decimals else ''}")
    return ""


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def any_missing(*values: Any) -> bool:
    """True if any value is None: a part that could not be read (its problem is recorded)."""
    return any(value is None for value in values)


def band_range(key: str) -> tuple[int, int | None] | None:
    """The anciennitet months of a band key: "0-5" -> (0, 5), "6" -> (6, 6), "12+" -> (12, None); None if not a band."""
    match = BAND_RE.match(key)
    if not match:
        return None
    low = int(match.group(1))
    return low, None if match.group(3) else int(match.group(2) or low)


def band_array(bands: list[tuple[int, int | None, float]], anc: int) -> np.ndarray:
    values = np.empty(anc)
    for low, top, value in bands:
        values[low: anc if top is None else top + 1] = value
    return values


def mix_array(shares: dict[int, float], anc: int) -> np.ndarray:
    values = np.zeros(anc)
    for month, share in shares.items():
        values[min(month, anc - 1)] += share
    return values


def read_window(reader: Reader, table: dict, path: str, calendar: Calendar) -> tuple[int, int] | None:
    """Model month indices of a table's start and end (default: the whole horizon)."""
    first = reader.month(table["start"], join(path, "start"), calendar) if "start" in table else calendar.start
    last = reader.month(table["end"], join(path, "end"), calendar) if "end" in table else calendar.end
    if first is None or last is None:
        return None
    if last < first:
        reader.problem(join(path, "end"), f"the end month {format_month(last)} is before the start month {format_month(first)}")
        return None
    return calendar.index(first), calendar.index(last)


def read_list(reader: Reader, raw: Any, path: str, read_one) -> list | None:
    """An array of tables ``[[path]]``, each read by ``read_one(body, where)``; None if any is bad."""
    if not isinstance(raw, list):
        reader.problem(path, f"expected a list of [[{path}]] tables, got {describe(raw)}")
        return None
    items = [read_one(body, join(path, i)) for i, body in enumerate(raw)]
    return None if any(item is None for item in items) else items
