"""Reading and validating scenario files: the boundary between a TOML file and the model.

:func:`load` reads a file, checks every key and value once, and returns a frozen
:class:`~kikcalc.spec.Scenario`. Problems are collected with their key path (for example
``strategies.kik2.effects[1].multiply``; list positions count from 0) and raised together as
one :class:`~kikcalc.errors.ScenarioError`. Nothing after this module checks the file again.
"""

from __future__ import annotations

import dataclasses
import datetime
import difflib
import math
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from kikcalc import (
    aftereffects,
    keypaths,
    limits,
    scenario_anciennitet,
    scenario_payment,
    scenario_public,
    scenario_seasons,
    textfile,
)
from kikcalc.calendar import YEAR_RE, Calendar, format_month, parse_month
from kikcalc.errors import Problem, ScenarioError
from kikcalc.spec import (
    BudgetGuarantee,
    Comparison,
    Effect,
    FlowCost,
    Grant,
    Programme,
    Refusion,
    Scenario,
    State,
    Strategy,
    Target,
    Transition,
)

DEFAULT_DISCOUNT_RATE = 0.035
LAST_ANCIENNITET_BAND = 13
"""Anciennitet is tracked in months 0..13 at least, 13 meaning "13 months and more"."""

NAME_RULE = "may hold only letters (æ, ø, å and other letters too), digits 0-9, _ and -, and start with a letter"
"""What a name of a state, strategy or programme may be; with a non-ASCII letter, TOML wants it in quotes."""
_BAND_RE = re.compile(r"^\s*([0-9]+)\s*(?:-\s*([0-9]+)|(\+))?\s*$")
_WHOLE_RE = re.compile(r"^\s*[0-9]+\s*$")  # ASCII digits only: int("²") fails
MIX_TOLERANCE = limits.MIX_TOLERANCE
"""How far the shares of an anciennitet mix may add up to beyond or short of 1 (shares rounded to 6 decimals)."""
SET_MARK = " (given by --set)"
"""Ends the message of a problem at, or inside, a value set by key path."""
LONGEST_ANCIENNITET = limits.LONGEST_ANCIENNITET
"""The longest anciennitet month a file may name (50 years): more is a slip, and would cost memory."""
_YEAR_RE = YEAR_RE
_YEARS = limits.Range(0, 9999)  # a YYYY month's year; the horizon says which

_TOP_KEYS = ("scenario", "states", "transitions", "strategies", "targets", "refusion", "budget_guarantee", "uncertainty",
             "correlations", "observed", "prices", "cofinancing")
_SCENARIO_KEYS = ("name", "municipality", "start", "end", "discount_rate", "source")
_STATE_KEYS = (
    "label", "kind", "initial", "initial_anciennitet", "inflow", "inflow_anciennitet",
    "cost", "cost_basis", "measures_cost", "cofinancing", *scenario_seasons.KEYS,
    "payment_share",
)
_RATE_KEYS = ("probability", "hazard", "mean_months")
_TRANSITION_KEYS = ("from", "to", *_RATE_KEYS, "per", *scenario_seasons.KEYS)
_STRATEGY_KEYS = ("label", "investment", "effects", "programmes", "flow_costs", "grants")
_PROGRAMME_KEYS = ("name", "label", "from", "participants", "start", "end", "duration_months", "cost_per_participant",
                   "cost_per_month", "outcomes", "dropout")
_FLOW_COST_KEYS = ("name", "from", "to", "amount", "start", "end", "cap")
_GRANT_KEYS = ("name", "amount", "paid", "if_target", "payer")
_GUARANTEE_KEYS = ("share", "states")
_OPERATIONS = ("multiply", "add", "set")
_STATE_OPERATIONS = {  # effect key -> (what it changes in a state, operation)
    "inflow_multiply": ("inflow", "multiply"), "inflow_add": ("inflow", "add"),
    "measures_cost_multiply": ("measures_cost", "multiply"), "measures_cost_set": ("measures_cost", "set"),
}
_EFFECT_NUMBERS = limits.EFFECT_NUMBERS
_EFFECT_KEYS = ("from", "to", "state", *_OPERATIONS, *_STATE_OPERATIONS, "start", "end", "ramp_months", "fade_months")
_COMPARISONS = ("below", "max", "above", "min")
_TARGET_KEYS = (
    "name", "label", "states", "share_of", "flow_from", "flow_to", "programme", "at", "year", "by", "start", "end",
    *_COMPARISONS, "payback_by", "npv_min", "measure", "payer",
)
_REFUSION_KEYS = ("band_end_weeks", "state_share", "weeks_per_month", *scenario_anciennitet.KEYS)


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, str):
        return f'"{value}"' if len(value) <= 80 else f'"{value[:60]}..." (a text of {len(value):_} characters)'
    if isinstance(value, (datetime.date, datetime.time)):  # datetime.datetime is a date
        return f"{value.isoformat()} (a TOML date or time)"
    if isinstance(value, int) and value.bit_length() > 100:
        return limits.show(value)  # "an integer of 401 digits"; str() refuses past 4300
    return repr(value)


def _join(path: str, key: str | int) -> str:
    return keypaths.child(path, key)  # the grammar of key paths lives in kikcalc.keypaths


class _Reader:
    """Collects problems while reading raw TOML values into typed ones."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def problem(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    # --- shapes -----------------------------------------------------------------------------

    def table(self, raw: Any, path: str, allowed: tuple[str, ...], required: tuple[str, ...] = ()) -> dict | None:
        """A TOML table with only the allowed keys; unknown keys get the nearest valid key."""
        if not isinstance(raw, dict):
            self.problem(path, f"expected a table, got {_describe(raw)}")
            return None
        for key in raw:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
                hint = f'; did you mean "{close[0]}"?' if close else f"; valid keys: {', '.join(allowed)}"
                self.problem(_join(path, key), f"unknown key{hint}")
        for key in required:
            if key not in raw:
                self.problem(_join(path, key), "missing; this key is required")
        return raw

    def named_table(self, section: str, name: str, body: Any, allowed: tuple[str, ...]) -> tuple[str, dict | None]:
        """A ``[section.NAME]`` table: its key path, and the table if it is one (NAME checked too)."""
        path = _join(section, name)
        wrong = name_problem(name)
        if wrong:
            self.problem(path, f"a name in [{section}] {wrong}")
        return path, self.table(body, path, allowed)

    def number(self, raw: Any, path: str, limit: limits.Range, integer: bool = False,
               what: str = "a number") -> float | None:
        """A number within its range (:mod:`kikcalc.limits`); inf, nan and an integer beyond any float are outside it."""
        if isinstance(raw, bool) or not isinstance(raw, (int, float)) or (integer and not isinstance(raw, int)):
            self.problem(path, f"expected {what}, got {_describe(raw)}")
            return None
        if not limits.finite(raw) or not limit.holds(raw):
            self.problem(path, f"expected {what} {limit.words()}, got {limits.show(raw)}")
            return None
        if raw and abs(raw) < np.finfo(float).tiny:  # subnormal: no real figure, and a division by it overflows
            self.problem(path, f"expected {what} {limit.words()}, got {limits.show(raw)}, smaller than any real figure "
                               f"(write 0 for none)")
            return None
        return float(raw)

    def string(self, raw: Any, path: str, choices: tuple[str, ...] | None = None) -> str | None:
        if not isinstance(raw, str):
            self.problem(path, f"expected a text string, got {_describe(raw)}")
            return None
        control = re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", raw)  # tab and newline are text
        if control:  # an escape sequence would act on the terminal; Excel refuses the character in a workbook
            self.problem(path, f"expected text, got a control character (U+{ord(control.group()):04X}) at character "
                               f"{control.start() + 1}")
            return None
        if choices is not None and raw not in choices:
            close = difflib.get_close_matches(raw, choices, n=1, cutoff=0.5)
            hint = f'; did you mean "{close[0]}"?' if close else ""
            self.problem(path, f"expected one of {', '.join(choices)}, got \"{raw}\"{hint}")
            return None
        return raw

    def month(self, raw: Any, path: str, calendar: Calendar | None = None) -> int | None:
        """A ``YYYY-MM`` month; with a calendar, it must lie in the horizon."""
        if not isinstance(raw, str):
            self.problem(path, f'expected a month as "YYYY-MM" (in quotes), got {_describe(raw)}')
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
            self.problem(path, f"expected a state name or a list of state names, got {_describe(raw)}")
            return None
        ok = True
        for i, name in enumerate(names):
            where = path if isinstance(raw, str) else _join(path, i)
            ok &= self.known_state(name, where, known)
            if name in names[:i]:
                self.problem(where, f'"{name}" is named twice in this list; it would be counted twice')
                ok = False
        return tuple(names) if ok else None

    def known_state(self, name: Any, path: str, known: list[str]) -> bool:
        if not isinstance(name, str):
            self.problem(path, f"expected a state name, got {_describe(name)}")
            return False
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
            hint = f'; did you mean "{close[0]}"?' if close else f"; states are: {', '.join(known)}"
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
            if not _is_number(raw):
                self.problem(path, f"expected a number ({unit}) or a table by year or month, got {_describe(raw)}")
                return None
            value = self.number(raw, path, limit, what=f"a number ({unit})")
            if value is None:
                return None
            # A single yearly amount is a rate: a twelfth of it in every month.
            return np.full(calendar.months, value / 12.0 if per_year_spread else value)
        by_month: list[int] = []
        ok = True
        for key, item in raw.items():
            where = _join(path, key)
            value = self.number(item, where, limit, what=f"a number ({unit})")
            if value is None:
                ok = False
                continue
            if _YEAR_RE.match(key):
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
            years = {int(k) for k in raw if _YEAR_RE.match(k)}
            for index in by_month:
                year = calendar.years[index]
                if year in years:
                    self.problem(_join(path, calendar.labels[index]),
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
            where = _join(path, key)
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
                               f"{{ 0 = 0.6, 13 = 0.4 }}, got {_describe(raw)}")
            return None
        shares: dict[int, float] = {}
        for key, item in raw.items():
            where = _join(path, key)
            value = self.number(item, where, limits.SHARE, what="a share")
            if not _WHOLE_RE.match(key):
                self.problem(where, "expected a whole number of months of anciennitet as the key")
                continue
            if int(key) > LONGEST_ANCIENNITET:
                self.problem(where, f"anciennitet is tracked up to {LONGEST_ANCIENNITET} months (50 years); "
                                    f"persons with more belong in the last month tracked, such as 13")
                continue
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
    if unicodedata.normalize("NFC", name) != name:
        return ("holds a letter written as two characters (a letter and a separate accent mark); type it as one "
                "letter, as other names in the file are")
    if not name or not name[0].isalpha() or not all(c.isalpha() or c in "0123456789_-" for c in name):
        return NAME_RULE
    return None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _missing(*values: Any) -> bool:
    """True if any value is None: a part that could not be read (its problem is recorded)."""
    return any(value is None for value in values)


def band_range(key: str) -> tuple[int, int | None] | None:
    """The anciennitet months of a band key: "0-5" -> (0, 5), "6" -> (6, 6), "12+" -> (12, None); None if not a band."""
    match = _BAND_RE.match(key)
    if not match:
        return None
    low = int(match.group(1))
    return low, None if match.group(3) else int(match.group(2) or low)


def _band_array(bands: list[tuple[int, int | None, float]], anc: int) -> np.ndarray:
    values = np.empty(anc)
    for low, top, value in bands:
        values[low: anc if top is None else top + 1] = value
    return values


def _mix_array(shares: dict[int, float], anc: int) -> np.ndarray:
    values = np.zeros(anc)
    for month, share in shares.items():
        values[min(month, anc - 1)] += share
    return values


def _anciennitet_months(raw: dict) -> int:
    """A: one more than the longest anciennitet month any band, mix or refusion step of the file names."""
    longest = LAST_ANCIENNITET_BAND
    refusion = raw.get("refusion") if isinstance(raw.get("refusion"), dict) else {}
    weeks, per_month = refusion.get("band_end_weeks"), refusion.get("weeks_per_month", Refusion().weeks_per_month)
    if (isinstance(weeks, list) and weeks and all(limits.finite(w) for w in weeks)
            and limits.finite(per_month) and limits.WEEKS_PER_MONTH.holds(per_month)):
        # The month in which the last step is reached must be tracked on its own, and one more after it.
        longest = max(longest, math.ceil(max(weeks) / per_month - 1e-9) + 1)
    for state in (raw.get("states") or {}).values() if isinstance(raw.get("states"), dict) else ():
        for key in ("initial_anciennitet", "inflow_anciennitet"):
            mix = state.get(key) if isinstance(state, dict) else None
            if isinstance(mix, dict):
                longest = max([longest, *(int(k) for k in mix if _WHOLE_RE.match(str(k)))])
    for transition in raw.get("transitions") or () if isinstance(raw.get("transitions"), list) else ():
        for key in _RATE_KEYS:
            table = transition.get(key) if isinstance(transition, dict) else None
            if isinstance(table, dict):
                for band in table:
                    match = _BAND_RE.match(band)
                    if match:
                        longest = max(longest, int(match.group(1)), int(match.group(2) or 0) + 1)
    # A month past the longest tracked is reported where it is named; memory stays bounded meanwhile.
    return min(longest, LONGEST_ANCIENNITET + 1) + 1


def read(path: str | Path) -> dict:
    """The raw TOML of a scenario file; a missing, unreadable or malformed file is a ScenarioError.

    The file is opened safely and decoded by :mod:`kikcalc.textfile` (no pipes or devices, at most 16 MiB,
    UTF-8 or marked UTF-16), and its tables are nested no deeper than :data:`kikcalc.limits.DEPTH`.
    """
    return textfile.parse(textfile.read_text(path), str(path))


def load(path: str | Path, overrides: Iterable[tuple[str, Any]] = ()) -> Scenario:
    """Read and validate a scenario file; raises ScenarioError listing every problem found.

    ``overrides`` are (key path, value) pairs (or a mapping, or "PATH=VALUE" texts) set in the raw TOML
    before it is validated
    (``--set PATH=VALUE``), so a value set by key path means what it means in the file. A path that
    names nothing in the file, or a value the file's rules refuse, is a problem like any other;
    the latter is marked "(given by --set)". The Scenario records them in ``overrides``.
    """
    text = textfile.read_text(path)
    raw = textfile.parse(text, str(path))
    slips = textfile.thousands_points(text, raw)  # 120.000 kr.: TOML's 120.0
    if not overrides:
        return _build_with(raw, str(path), slips)
    raw, applied = _override(raw, overrides, str(path))
    slips = [p for p in slips if not any(keypaths.within(p.path, where) for where, _, _ in applied)]
    try:
        scenario = _build_with(raw, str(path), slips)
    except ScenarioError as error:
        problems = [_marked_as_set(p, applied) for p in error.problems]
        if any(not p.message.endswith(SET_MARK) for p in problems):  # a problem a set value may have caused elsewhere
            problems.append(Problem("", "with the values set: " + ", ".join(
                f"{where} = {keypaths.format_value(value)}" for where, value, _ in applied)))
        raise ScenarioError(error.file, problems) from None
    return dataclasses.replace(scenario, overrides=applied)


def with_overrides(scenario: Scenario, overrides: Iterable[tuple[str, Any]]) -> Scenario:
    """A built scenario with values set by key path, as :func:`load` sets them (its own overrides kept first)."""
    raw, applied = _override(scenario.raw, overrides, scenario.path)
    return dataclasses.replace(_build_with(raw, scenario.path, []), overrides=(*scenario.overrides, *applied))


def _build_with(raw: dict, file: str, problems: list[Problem]) -> Scenario:
    """:func:`build`, with problems found in the file's text reported first, together with its own."""
    try:
        scenario = build(raw, file)
    except ScenarioError as error:
        raise ScenarioError(file, [*problems, *error.problems]) from None
    if problems:
        raise ScenarioError(file, problems)
    return scenario


def _override(raw: dict, overrides: Iterable[tuple[str, Any]], file: str) -> tuple[dict, tuple[tuple[str, Any, Any], ...]]:
    """The raw table with every override set, and (path, value, the file's value or None) for each."""
    applied: list[tuple[str, Any, Any]] = []
    problems: list[Problem] = []
    changed = raw
    try:
        pairs = _as_pairs(overrides)
    except keypaths.KeyPathError as error:
        raise ScenarioError(file, [Problem(error.path, error.message)]) from None
    for path, value in pairs:
        try:
            where = keypaths.canonical(path)
            if where in (p for p, _, _ in applied):
                raise keypaths.KeyPathError(where, "set twice; give each key path once")
            for earlier, _, _ in applied:  # one inside the other: the later would undo or replace the earlier
                if keypaths.within(where, earlier) or keypaths.within(earlier, where):
                    raise keypaths.KeyPathError(where, f"set together with {earlier}, which holds it or it holds; "
                                                       f"give one of the two")
            changed = keypaths.assign(changed, where, value)
        except keypaths.KeyPathError as error:
            problems.append(Problem(error.path, f"{error.message}{SET_MARK}"))
            continue
        try:
            in_file = keypaths.get(raw, where)
        except keypaths.KeyPathError:
            in_file = None
        applied.append((where, value, in_file))
    if problems:
        raise ScenarioError(file, problems)
    return changed, tuple(applied)


def _as_pairs(overrides: Any) -> list[tuple[str, Any]]:
    """Overrides as (key path, value) pairs: from pairs, a mapping, or "PATH=VALUE" texts (as ``--set`` takes
    them). Table keys become text, as TOML's are (``{2021: 5}`` means ``{"2021": 5}``)."""
    items = overrides.items() if isinstance(overrides, dict) else overrides
    pairs = []
    for item in items:
        if isinstance(item, str):
            pairs.append(keypaths.parse_assignment(item))
        elif isinstance(item, tuple | list) and len(item) == 2:
            try:
                value = _text_keys(item[1])
                shape = limits.document_problems([value])  # iterative: nothing below recurses into it unchecked
            except RecursionError:
                shape = [Problem("", f"tables and lists nested more than {limits.DEPTH} levels deep")]
            if shape:
                raise keypaths.KeyPathError(str(item[0]), f"the value set: {shape[0].message}")
            pairs.append((item[0], value))
        else:
            raise keypaths.KeyPathError(str(item), 'expected a (key path, value) pair or "PATH=VALUE"')
    return pairs


def _text_keys(value: Any) -> Any:
    """A value as TOML would give it: text keys, Python numbers (not numpy's), lists."""
    if isinstance(value, dict):
        return {str(key): _text_keys(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_text_keys(item) for item in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _marked_as_set(problem: Problem, applied: tuple[tuple[str, Any, Any], ...]) -> Problem:
    """A problem at (or inside) a value set by key path says so."""
    if any(keypaths.within(problem.path, path) for path, _, _ in applied):
        return Problem(problem.path, f"{problem.message}{SET_MARK}")
    return problem


def build(raw: dict, file: str = "<scenario>") -> Scenario:
    """Validate a scenario's raw TOML table and build the frozen spec."""
    shape = limits.document_problems(raw)  # before anything walks it: depth, entries, keys
    if shape:
        raise ScenarioError(file, shape)
    reader = _Reader()
    scenario = _build(reader, raw)
    if reader.problems or scenario is None:
        raise ScenarioError(file, reader.problems)
    problems = aftereffects.problems(scenario)  # rates, inflows and measure costs after effects, month by month
    if problems:
        raise ScenarioError(file, problems)
    scenario = Scenario(**{**scenario.__dict__, "path": file, "raw": raw})
    problems = []
    if "uncertainty" in raw or "correlations" in raw:
        from kikcalc.uncertainty import read as read_uncertainty

        problems += read_uncertainty(scenario)[1]
    if "observed" in raw:
        from kikcalc.observed import from_scenario

        problems += from_scenario(scenario)[1]
    if problems:
        raise ScenarioError(file, problems)
    return scenario


def _build(reader: _Reader, raw: dict) -> Scenario | None:
    if not raw:
        reader.problem("", "the file holds no keys: a scenario needs a [scenario] table and at least one "
                           "[states.NAME] table (docs/scenario-format.md)")
        return None
    reader.table(raw, "", _TOP_KEYS, required=("scenario", "states"))
    if "scenario" not in raw:  # its keys are not reported missing one by one as well
        return None
    head = reader.table(raw.get("scenario", {}), "scenario", _SCENARIO_KEYS, required=("name", "start", "end"))
    if head is None:
        return None
    name = reader.string(head["name"], "scenario.name") if "name" in head else None
    start = reader.month(head["start"], "scenario.start") if "start" in head else None
    end = reader.month(head["end"], "scenario.end") if "end" in head else None
    if start is None or end is None:
        return None
    if end < start:
        reader.problem("scenario.end", f"the end month {format_month(end)} is before the start month {format_month(start)}")
        return None
    if end - start + 1 > limits.MONTHS_IN_HORIZON:
        reader.problem("scenario.end", f"the horizon {format_month(start)} to {format_month(end)} is "
                                       f"{limits.show(end - start + 1)} months; at most {limits.show(limits.MONTHS_IN_HORIZON)} "
                                       f"(100 years)")
        return None
    calendar = Calendar(start, end)
    discount_rate = DEFAULT_DISCOUNT_RATE
    if "discount_rate" in head:
        discount_rate = reader.number(head["discount_rate"], "scenario.discount_rate", limits.SHARE,
                                      what="a yearly rate (0.035 for 3.5 %)")
    municipality = reader.string(head.get("municipality", ""), "scenario.municipality")
    source = reader.string(head.get("source", ""), "scenario.source")

    anc = _anciennitet_months(raw)
    if not _within_size(reader, raw, calendar, anc):
        return None
    states = scenario_payment.with_payment_shares(reader, raw.get("states"), _states(reader, raw.get("states"), calendar, anc),
                                                  calendar)
    if states is None and not (isinstance(raw.get("states"), dict) and raw["states"]):
        return None
    # A state with a problem still has its name: the rest of the file is checked against the names.
    names = [s.name for s in states] if states is not None else list(raw["states"])
    transitions = _transitions(reader, raw.get("transitions", []), names, anc)
    pairs = ({(t.source, t.target): i for i, t in enumerate(transitions)} if transitions is not None
             else _named_pairs(raw.get("transitions", [])))
    benefit = _benefit_names(raw.get("states"))
    strategies = _strategies(reader, raw.get("strategies", {}), calendar, names, pairs,
                             _rate_forms(raw.get("transitions", [])), benefit)
    targets = _targets(reader, raw.get("targets", []), calendar, names)
    refusion = _refusion(reader, raw.get("refusion", {}))
    guarantee = _budget_guarantee(reader, raw.get("budget_guarantee", {}), names, benefit)
    seasons = scenario_seasons.read(reader, raw, calendar)
    prices, cofinancing, strategies, targets = scenario_public.read(reader, raw, calendar, refusion, strategies, targets)
    if strategies is not None and targets is not None:
        _check_grant_conditions(reader, strategies, targets, calendar)
        _check_programme_names(reader, strategies, names)
        _check_programme_targets(reader, strategies, targets)
    if _missing(states, transitions, strategies, targets, refusion, guarantee, cofinancing, name, discount_rate, municipality,
                source) or ("prices" in raw and prices is None):
        return None
    notes = ()
    if (isinstance(raw.get("strategies"), dict) and "baseline" not in raw["strategies"]) or "strategies" not in raw:
        notes = ("no [strategies.baseline] in the file: the baseline is the scenario without effects or investment",)
    scenario = Scenario(
        notes=notes, name=name, municipality=municipality, source=source, calendar=calendar,
        discount_rate=discount_rate, states=tuple(states), transitions=tuple(transitions),
        strategies=tuple(strategies), targets=tuple(targets), refusion=refusion, anciennitet_months=anc,
        budget_guarantee=guarantee, seasons=seasons, prices=prices, cofinancing=cofinancing,
    )
    scenario_seasons.check(reader, scenario, raw)
    return scenario


def _within_size(reader: _Reader, raw: dict, calendar: Calendar, anc: int) -> bool:
    """At most :data:`~kikcalc.limits.STATES` states and :data:`~kikcalc.limits.STRATEGIES` strategies, and a
    model of at most :data:`~kikcalc.limits.MODEL_CELLS` (:func:`kikcalc.limits.model_cells`)."""
    states = raw.get("states") if isinstance(raw.get("states"), dict) else {}
    strategies = raw.get("strategies") if isinstance(raw.get("strategies"), dict) else {}
    ok = True
    for section, table, most in (("states", states, limits.STATES), ("strategies", strategies, limits.STRATEGIES)):
        if len(table) > most:
            reader.problem(section, f"{limits.show(len(table))} [{section}.NAME] tables; at most {limits.show(most)}")
            ok = False
    n_strategies = len(strategies) + ("baseline" not in strategies)
    n_transitions = len(raw["transitions"]) if isinstance(raw.get("transitions"), list) else 0
    cells = limits.model_cells(n_strategies, calendar.months, len(states), n_transitions, anc)
    if ok and cells > limits.MODEL_CELLS:
        reader.problem("", f"the model is too large: {n_strategies} strategies x {anc} anciennitet months x "
                           f"({calendar.months} months x {len(states)} states + {n_transitions} transitions) = "
                           f"{limits.show(cells)}; at most {limits.show(limits.MODEL_CELLS)} (shorten the horizon, "
                           f"or track fewer anciennitet months)")
        ok = False
    return ok


def _states(reader: _Reader, raw: Any, calendar: Calendar, anc: int) -> list[State] | None:
    if not isinstance(raw, dict) or not raw:
        reader.problem("states", "expected at least one [states.NAME] table")
        return None
    states: list[State] = []
    ok = True
    for name, body in raw.items():
        path, table = reader.named_table("states", name, body, _STATE_KEYS)
        if table is None:
            ok = False
            continue
        kind = reader.string(table.get("kind", "benefit"), _join(path, "kind"), ("benefit", "outside"))
        label = reader.string(table.get("label", name), _join(path, "label"))
        initial = reader.number(table.get("initial", 0), _join(path, "initial"), limits.PERSONS, what="a number of persons")
        inflow = reader.monthly_series(table.get("inflow", 0), _join(path, "inflow"), calendar,
                                       per_year_spread=False, carry_forward=True, unit="persons per month",
                                       limit=limits.PERSONS)
        cost = reader.number(table.get("cost", 0), _join(path, "cost"), limits.KRONER_PER_PERSON,
                             what="an amount in kr. per full-year person")
        basis = reader.string(table.get("cost_basis", "net"), _join(path, "cost_basis"), ("net", "gross"))
        measures = reader.number(table.get("measures_cost", 0), _join(path, "measures_cost"), limits.KRONER_PER_PERSON,
                                 what="an amount in kr. per full-year person")
        initial_mix = inflow_mix = None
        if "initial_anciennitet" in table:
            shares = reader.mix(table["initial_anciennitet"], _join(path, "initial_anciennitet"))
            initial_mix = None if shares is None else _mix_array(shares, anc)
            ok &= shares is not None
        shares = reader.mix(table.get("inflow_anciennitet", {"0": 1.0}), _join(path, "inflow_anciennitet"))
        if shares is not None:
            inflow_mix = _mix_array(shares, anc)
        if kind == "outside":
            for key in ("cost", "cost_basis", "measures_cost", "initial_anciennitet", "inflow_anciennitet"):
                if key in table:
                    reader.problem(_join(path, key), 'only a benefit state has this; this state is kind = "outside"')
                    ok = False
        if _missing(kind, label, initial, inflow, cost, basis, measures, inflow_mix):
            ok = False
            continue
        states.append(State(name=name, label=label, kind=kind, initial=initial, initial_anciennitet=initial_mix,
                            inflow=inflow, inflow_anciennitet=inflow_mix, cost=cost, cost_basis=basis,
                            measures_cost=measures))
    return states if ok else None


def _transitions(reader: _Reader, raw: Any, names: list[str], anc: int) -> list[Transition] | None:
    if not isinstance(raw, list):
        reader.problem("transitions", f"expected a list of [[transitions]] tables, got {_describe(raw)}")
        return None
    transitions: list[Transition] = []
    seen: dict[tuple[str, str], str] = {}
    ok = True
    for i, body in enumerate(raw):
        path = _join("transitions", i)
        table = reader.table(body, path, _TRANSITION_KEYS, required=("from", "to"))
        if table is None:
            ok = False
            continue
        source, target = table.get("from"), table.get("to")
        good = "from" in table and reader.known_state(source, _join(path, "from"), names)
        good &= "to" in table and reader.known_state(target, _join(path, "to"), names)
        if good and source == target:
            reader.problem(_join(path, "to"), "a transition must lead to another state; staying is what is left over")
            good = False
        if good and (source, target) in seen:
            reader.problem(path, f"a second transition from {source} to {target}; it is already given at {seen[source, target]}")
            good = False
        given = [k for k in _RATE_KEYS if k in table]
        if len(given) != 1:
            reader.problem(path, "expected exactly one of probability, hazard or mean_months"
                           + (f", got {' and '.join(given)}" if given else ""))
            ok = False
            continue
        key = given[0]
        per = reader.string(table.get("per", "month"), _join(path, "per"), ("month", "year"))
        if "per" in table and key != "hazard":
            reader.problem(_join(path, "per"), "per goes only with hazard")
            per = None
        if key == "probability":
            bands = reader.bands(table[key], _join(path, key), "a monthly probability", limits.SHARE)
        elif key == "hazard" and per == "year":
            bands = reader.bands(table[key], _join(path, key), "a yearly hazard", limits.HAZARD_PER_YEAR)
        elif key == "hazard":
            bands = reader.bands(table[key], _join(path, key), "a monthly hazard", limits.HAZARD)
        else:
            bands = reader.bands(table[key], _join(path, key), "a mean duration in months", limits.MEAN_MONTHS)
        if not good or bands is None or per is None:
            ok = False
            continue
        seen[source, target] = path
        form = "hazard per year" if key == "hazard" and per == "year" else key
        transitions.append(Transition(source=source, target=target, form=form, value=_band_array(bands, anc), path=path,
                                      banded=isinstance(table[key], dict)))
    return transitions if ok else None


def _rate_forms(raw: Any) -> dict[tuple[str, str], str]:
    """How each [[transitions]] table gives its rate: probability, hazard, hazard per year, mean_months."""
    forms = {}
    for t in raw if isinstance(raw, list) else []:
        if isinstance(t, dict) and isinstance(t.get("from"), str) and isinstance(t.get("to"), str):
            given = [k for k in _RATE_KEYS if k in t]
            form = given[0] if len(given) == 1 else "unknown"
            if form == "hazard" and t.get("per") == "year":
                form = "hazard per year"
            forms[t["from"], t["to"]] = form
    return forms


def _named_pairs(raw: Any) -> dict[tuple[str, str], int] | None:
    """(from, to) of every [[transitions]] table, read or not, for checking effects when one has a problem.

    An effect on a transition that has a problem of its own is not a second problem. None when some
    transition lacks a from or to state: which transition an effect means cannot then be told.
    """
    tables = raw if isinstance(raw, list) else []
    if not all(isinstance(t, dict) and isinstance(t.get("from"), str) and isinstance(t.get("to"), str) for t in tables):
        return None
    return {(t["from"], t["to"]): -1 for t in tables}


def _window(reader: _Reader, table: dict, path: str, calendar: Calendar) -> tuple[int, int] | None:
    """Model month indices of a table's start and end (default: the whole horizon)."""
    first = reader.month(table["start"], _join(path, "start"), calendar) if "start" in table else calendar.start
    last = reader.month(table["end"], _join(path, "end"), calendar) if "end" in table else calendar.end
    if first is None or last is None:
        return None
    if last < first:
        reader.problem(_join(path, "end"), f"the end month {format_month(last)} is before the start month {format_month(first)}")
        return None
    return calendar.index(first), calendar.index(last)


def _strategies(reader: _Reader, raw: Any, calendar: Calendar, names: list[str],
                pairs: dict[tuple[str, str], int] | None, forms: dict[tuple[str, str], str],
                benefit: set[str]) -> list[Strategy] | None:
    if not isinstance(raw, dict):
        reader.problem("strategies", f"expected [strategies.NAME] tables, got {_describe(raw)}")
        return None
    if "baseline" not in raw:
        close = difflib.get_close_matches("baseline", list(raw), n=1, cutoff=0.6)
        if close:
            reader.problem(_join("strategies", close[0]), 'no [strategies.baseline]; did you mean "baseline"?')
            return None
    bodies = {"baseline": raw.get("baseline", {"label": "Baseline"}), **raw}
    strategies: list[Strategy] = []
    ok = True
    for name, body in bodies.items():
        path, table = reader.named_table("strategies", name, body, _STRATEGY_KEYS)
        if table is None:
            ok = False
            continue
        label = reader.string(table.get("label", name), _join(path, "label"))
        investment = reader.monthly_series(table.get("investment", 0), _join(path, "investment"), calendar,
                                           per_year_spread=True, carry_forward=False, unit="kr.", limit=limits.KRONER)
        effects = _list_of(reader, table.get("effects", []), _join(path, "effects"),
                           lambda body, where: _effect(reader, body, where, calendar, names, pairs, forms, benefit))
        programmes = _list_of(reader, table.get("programmes", []), _join(path, "programmes"),
                              lambda body, where: _programme(reader, body, where, calendar, names, benefit))
        flow_costs = _list_of(reader, table.get("flow_costs", []), _join(path, "flow_costs"),
                              lambda body, where: _flow_cost(reader, body, where, calendar, names))
        grants = _list_of(reader, table.get("grants", []), _join(path, "grants"),
                          lambda body, where: _grant(reader, body, where, calendar))
        if _missing(label, investment, effects, programmes, flow_costs, grants):
            ok = False
            continue
        strategies.append(Strategy(name=name, label=label, investment=investment, effects=tuple(effects),
                                   programmes=tuple(programmes), flow_costs=tuple(flow_costs), grants=tuple(grants)))
    return strategies if ok else None


def _list_of(reader: _Reader, raw: Any, path: str, read_one) -> list | None:
    """An array of tables ``[[path]]``, each read by ``read_one(body, where)``; None if any is bad."""
    if not isinstance(raw, list):
        reader.problem(path, f"expected a list of [[{path}]] tables, got {_describe(raw)}")
        return None
    items = [read_one(body, _join(path, i)) for i, body in enumerate(raw)]
    return None if any(item is None for item in items) else items


def _benefit_names(raw: Any) -> set[str]:
    """Names of the states the file declares as benefit states (kind benefit, the default)."""
    if not isinstance(raw, dict):
        return set()
    return {name for name, body in raw.items() if not (isinstance(body, dict) and body.get("kind") == "outside")}


def _programme(reader: _Reader, body: Any, path: str, calendar: Calendar, names: list[str],
               benefit: set[str]) -> Programme | None:
    table = reader.table(body, path, _PROGRAMME_KEYS, required=("name", "from", "participants", "duration_months"))
    if table is None or not {"name", "from", "participants", "duration_months"} <= set(table):
        return None
    name = reader.string(table["name"], _join(path, "name"))
    if name is not None and name_problem(name):
        reader.problem(_join(path, "name"), f"a programme name {name_problem(name)}")
        name = None
    label = reader.string(table.get("label", table["name"]), _join(path, "label"))
    source = table["from"] if reader.known_state(table["from"], _join(path, "from"), names) else None
    if source is not None and source not in benefit:
        reader.problem(_join(path, "from"), f'{source} is an outside state; a programme takes its participants from a benefit state')
        source = None
    window = _window(reader, table, path, calendar)
    capacity = None if window is None else reader.monthly_series(
        table["participants"], _join(path, "participants"), calendar, per_year_spread=False, carry_forward=True,
        unit="new participants per month", limit=limits.PERSONS, first=window[0])
    if capacity is not None and isinstance(table["participants"], dict):
        for key in table["participants"]:  # a key no one can start in is a slip, not data to ignore
            months = (calendar.year_months(int(key)) if _YEAR_RE.match(key)
                      else [calendar.index(parse_month(key))])
            if not any(window[0] <= t <= window[1] for t in months):
                reader.problem(_join(_join(path, "participants"), key),
                               f"{key} is outside the intake window {calendar.labels[window[0]]} to "
                               f"{calendar.labels[window[1]]}: no one starts then")
                capacity = None
    duration = reader.number(table["duration_months"], _join(path, "duration_months"), limits.DURATION, integer=True,
                             what="a whole number of months")
    at_start = reader.number(table.get("cost_per_participant", 0), _join(path, "cost_per_participant"),
                             limits.KRONER_PER_PERSON, what="an amount in kr. per participant")
    per_month = reader.number(table.get("cost_per_month", 0), _join(path, "cost_per_month"), limits.KRONER_PER_PERSON,
                              what="an amount in kr. per participant per month")
    dropout = reader.number(table.get("dropout", 0), _join(path, "dropout"), limits.SHARE, what="a monthly probability")
    outcomes = _outcomes(reader, table.get("outcomes", {}), _join(path, "outcomes"), names)
    if _missing(name, label, source, capacity, window, duration, at_start, per_month, dropout, outcomes):
        return None
    intake = np.zeros(calendar.months)
    intake[window[0]: window[1] + 1] = capacity[window[0]: window[1] + 1]
    return Programme(name=name, label=label, source=source, capacity=intake, duration=int(duration),
                     cost_per_participant=at_start, cost_per_month=per_month, outcomes=outcomes, dropout=dropout, path=path,
                     window=window)


def _outcomes(reader: _Reader, raw: Any, path: str, names: list[str]) -> tuple[tuple[str, float], ...] | None:
    """``{ selvforsorgende = 0.75, ... }``: shares of completers by state, adding to at most 1."""
    if not isinstance(raw, dict):
        reader.problem(path, f"expected a table of shares by state, such as {{ selvforsorgende = 0.75 }}, got {_describe(raw)}")
        return None
    shares = []
    for state, share in raw.items():
        value = reader.number(share, _join(path, state), limits.SHARE, what="a share")
        if reader.known_state(state, _join(path, state), names) and value is not None:
            shares.append((state, value))
    if len(shares) != len(raw):
        return None
    if sum(v for _, v in shares) > 1 + limits.SUM_TOLERANCE:
        reader.problem(path, f"the shares add up to {limits.show_beyond(sum(v for _, v in shares), 1.0)}; expected at most 1 "
                             f"(the rest return to the state they came from)")
        return None
    return tuple(shares)


def _flow_cost(reader: _Reader, body: Any, path: str, calendar: Calendar, names: list[str]) -> FlowCost | None:
    table = reader.table(body, path, _FLOW_COST_KEYS, required=("name", "to", "amount"))
    if table is None or not {"name", "to", "amount"} <= set(table):
        return None
    name = reader.string(table["name"], _join(path, "name"))
    sources = reader.state_names(table["from"], _join(path, "from"), names) if "from" in table else ()
    target = table["to"] if reader.known_state(table["to"], _join(path, "to"), names) else None
    amount = reader.number(table["amount"], _join(path, "amount"), limits.KRONER_PER_MOVE, what="an amount in kr. per person")
    window = _window(reader, table, path, calendar)
    cap = reader.number(table["cap"], _join(path, "cap"), limits.CAP, what="a number of persons") if "cap" in table else None
    if _missing(name, sources, target, amount, window) or ("cap" in table and cap is None):
        return None
    if target in sources:
        reader.problem(_join(path, "from"), f"{target} is also the destination; a move goes from one state to another")
        return None
    return FlowCost(name=name, sources=tuple(sources), target=target, amount=amount, first=window[0], last=window[1],
                    cap=cap, path=path)


def _grant(reader: _Reader, body: Any, path: str, calendar: Calendar) -> Grant | None:
    table = reader.table(body, path, _GRANT_KEYS, required=("name", "amount"))
    if table is None or not {"name", "amount"} <= set(table):
        return None
    name = reader.string(table["name"], _join(path, "name"))
    if_target = reader.string(table["if_target"], _join(path, "if_target")) if "if_target" in table else None
    if "paid" in table:
        month = reader.month(table["paid"], _join(path, "paid"), calendar)
        value = reader.number(table["amount"], _join(path, "amount"), limits.KRONER,
                              what="an amount in kr. (paid in the month of paid)")
        amount = None
        if month is not None and value is not None:
            amount = np.zeros(calendar.months)
            amount[calendar.index(month)] = value
    else:
        amount = reader.monthly_series(table["amount"], _join(path, "amount"), calendar, per_year_spread=True,
                                       carry_forward=False, unit="kr.", limit=limits.KRONER)
    if _missing(name, amount) or ("if_target" in table and if_target is None):
        return None
    return Grant(name=name, amount=amount, if_target=if_target, path=path)


def _budget_guarantee(reader: _Reader, raw: Any, names: list[str], benefit: set[str]) -> BudgetGuarantee | None:
    table = reader.table(raw, "budget_guarantee", _GUARANTEE_KEYS)
    if table is None:
        return None
    if not table:
        return BudgetGuarantee()
    missing = [k for k in _GUARANTEE_KEYS if k not in table]
    for k in missing:
        reader.problem(_join("budget_guarantee", k), "missing; the offset needs its share and the guaranteed states")
    if missing:
        return None
    share = reader.number(table["share"], "budget_guarantee.share", limits.SHARE, what="a share")
    states = reader.state_names(table["states"], "budget_guarantee.states", names)
    for i, name in enumerate(states or ()):
        if name not in benefit:
            reader.problem(_join("budget_guarantee.states", i) if isinstance(table["states"], list) else "budget_guarantee.states",
                           f"{name} is an outside state; the budget guarantee covers benefit states only")
            states = None
    return None if _missing(share, states) else BudgetGuarantee(share=share, states=states)


def _judged_in(target: Target, calendar: Calendar) -> int:
    """The model month by whose end a target on persons is judged: its month, or its year's last month."""
    return calendar.year_months(target.year)[-1] if target.when == "year" else target.month


def _check_grant_conditions(reader: _Reader, strategies: list[Strategy], targets: list[Target], calendar: Calendar) -> None:
    """A conditional grant names a target on persons: a money target would depend on the grant itself,
    and a programme target is judged only for the strategy that runs the programme. It is paid no
    earlier than the month its target is judged in: the money cannot come before the result."""
    by_name = {t.name: t for t in targets}
    for strategy in strategies:
        for grant in strategy.grants:
            if grant.if_target is None:
                continue
            where = _join(grant.path, "if_target")
            target = by_name.get(grant.if_target)
            if target is None:
                close = difflib.get_close_matches(grant.if_target, list(by_name), n=1, cutoff=0.6)
                hint = f'; did you mean "{close[0]}"?' if close else f"; targets are: {', '.join(by_name) or 'none'}"
                reader.problem(where, f'unknown target "{grant.if_target}"{hint}')
            elif target.kind in ("payback", "npv"):
                reader.problem(where, f'"{target.name}" is a money target, which depends on the grant itself; '
                                      f"a grant's condition must be a level, share, flow or programme target")
            elif target.kind == "programme" and target.programme not in {p.name for p in strategy.programmes}:
                reader.problem(where, f'"{target.name}" judges programme "{target.programme}", '
                                      f"which this strategy does not run, so the grant could never be paid")
            else:
                judged = _judged_in(target, calendar)
                paid = np.flatnonzero(grant.amount)
                if paid.size and paid[0] < judged:
                    reader.problem(where, f'the grant is paid from {calendar.labels[paid[0]]}, before "{target.name}" is '
                                          f"judged in {calendar.labels[judged]}; a result-based grant is paid no earlier "
                                          f"than its target's month (give paid = \"{calendar.labels[judged]}\" or later)")


def _check_programme_targets(reader: _Reader, strategies: list[Strategy], targets: list[Target]) -> None:
    """A programme target names a programme of some strategy."""
    programmes = [p.name for strategy in strategies for p in strategy.programmes]
    for i, target in enumerate(targets):
        if target.kind == "programme" and target.programme not in programmes:
            close = difflib.get_close_matches(target.programme, programmes, n=1, cutoff=0.6)
            hint = f'; did you mean "{close[0]}"?' if close else f"; programmes are: {', '.join(programmes) or 'none'}"
            reader.problem(_join(_join("targets", i), "programme"), f'unknown programme "{target.programme}"{hint}')


def _check_programme_names(reader: _Reader, strategies: list[Strategy], names: list[str]) -> None:
    """Programme names are unique in the scenario: each is reported as a row of its own."""
    seen: dict[str, str] = {}
    for strategy in strategies:
        for programme in strategy.programmes:
            if programme.name in seen:
                reader.problem(_join(programme.path, "name"),
                               f'a second programme named "{programme.name}"; it is already at {seen[programme.name]}')
            seen.setdefault(programme.name, programme.path)


def _effect(reader: _Reader, body: Any, path: str, calendar: Calendar, names: list[str],
            pairs: dict[tuple[str, str], int] | None, forms: dict[tuple[str, str], str], benefit: set[str]) -> Effect | None:
    """One effect; ``pairs`` maps each transition's (from, to) to its index, None if they are unknown.

    ``add`` and ``set`` are in the unit the transition is given in (a yearly hazard, a mean in
    months) and are converted here to the monthly hazard the engine uses; ``multiply`` scales the
    rate whatever its unit (so multiplying a mean_months transition by 2 halves the mean stay).
    """
    from kikcalc.transitions import effect_weight

    table = reader.table(body, path, _EFFECT_KEYS)
    if table is None:
        return None
    operations = [k for k in (*_OPERATIONS, *_STATE_OPERATIONS) if k in table]
    if len(operations) != 1:
        reader.problem(path, "expected exactly one of multiply, add, set (on a transition), "
                             "inflow_multiply, inflow_add (on a state's inflow) or "
                             "measures_cost_multiply, measures_cost_set (on a state's measure cost)"
                       + (f", got {' and '.join(operations)}" if operations else ""))
        return None
    key = operations[0]
    on, operation = _STATE_OPERATIONS.get(key, ("rate", key))
    transition = state = None
    if on != "rate":
        what = "inflow" if on == "inflow" else "measure cost"
        for wrong in ("from", "to"):
            if wrong in table:
                reader.problem(_join(path, wrong), f"{key} acts on a state's {what}: name it with state, not from/to")
                return None
        if "state" not in table:
            reader.problem(_join(path, "state"), f"missing; {key} needs the state whose {what} it changes")
            return None
        if not reader.known_state(table["state"], _join(path, "state"), names):
            return None
        state = table["state"]
        if on == "measures_cost" and state not in benefit:
            reader.problem(_join(path, "state"), f"{state} is an outside state, which has no measure cost")
            return None
    else:
        if "state" in table:
            reader.problem(_join(path, "state"), f"{key} acts on a transition: name it with from and to, not state")
            return None
        missing = [k for k in ("from", "to") if k not in table]
        for k in missing:
            reader.problem(_join(path, k), f"missing; {key} needs the transition (from and to) it changes")
        if missing:
            return None
        good = reader.known_state(table["from"], _join(path, "from"), names)
        good &= reader.known_state(table["to"], _join(path, "to"), names)
        if not good:
            return None
        transition = None if pairs is None else pairs.get((table["from"], table["to"]))
        if transition is None and pairs is not None:
            reader.problem(path, f"no transition from {table['from']} to {table['to']} is given in [[transitions]]; "
                                 f"an effect can only change a transition that exists")
            return None
    limit, what = _EFFECT_NUMBERS[on, operation]
    value = reader.number(table[key], _join(path, key), limit, what=what)
    window = _window(reader, table, path, calendar)
    ramp = reader.number(table.get("ramp_months", 0), _join(path, "ramp_months"), limits.RAMP, integer=True,
                         what="a whole number of months")
    fade = reader.number(table.get("fade_months", 0), _join(path, "fade_months"), limits.RAMP, integer=True,
                         what="a whole number of months")
    if _missing(value, window, ramp, fade):
        return None
    form = forms.get((table.get("from"), table.get("to")))
    if form == "mean_months" and operation == "add":
        reader.problem(_join(path, key), "add is not defined on a mean_months transition; use multiply (scales the "
                                         "rate) or set (a new mean in months)")
        return None
    if form == "mean_months" and operation == "set" and not limits.MEAN_MONTHS.holds(value):
        reader.problem(_join(path, key), f"expected a mean duration in months {limits.MEAN_MONTHS.words()}, "
                                         f"got {limits.show(value)}")
        return None
    weight = effect_weight(calendar.months, window[0], window[1], int(ramp), int(fade))
    return Effect(operation=operation, value=value, weight=weight, path=path, transition=transition, state=state, on=on)


def _targets(reader: _Reader, raw: Any, calendar: Calendar, names: list[str]) -> list[Target] | None:
    if not isinstance(raw, list):
        reader.problem("targets", f"expected a list of [[targets]] tables, got {_describe(raw)}")
        return None
    targets: list[Target] = []
    seen: set[str] = set()
    ok = True
    for i, body in enumerate(raw):
        target = _target(reader, body, _join("targets", i), calendar, names)
        if target is not None and target.name in seen:
            reader.problem(_join(_join("targets", i), "name"), f'a second target named "{target.name}"; names must differ')
            target = None
        if target is None:
            ok = False
            continue
        seen.add(target.name)
        targets.append(target)
    return targets if ok else None


def _target(reader: _Reader, body: Any, path: str, calendar: Calendar, names: list[str]) -> Target | None:
    table = reader.table(body, path, _TARGET_KEYS, required=("name",))
    if table is None or "name" not in table:
        return None
    name = reader.string(table["name"], _join(path, "name"))
    label = reader.string(table.get("label", table["name"]), _join(path, "label"))
    if name is None or label is None:
        return None
    common = {"name": name, "label": label}
    if "payback_by" in table or "npv_min" in table:
        money = [k for k in ("payback_by", "npv_min") if k in table]
        extra = [k for k in table if k not in ("name", "label", "payer", *money)]  # payer: kikcalc.scenario_public
        if len(money) > 1 or extra:  # measure too: a money target has none
            reader.problem(path, f"a money target takes payback_by or npv_min alone, got {', '.join(money + extra)}")
            return None
        if "payback_by" in table:
            month = reader.month(table["payback_by"], _join(path, "payback_by"), calendar)
            return None if month is None else Target(kind="payback", comparison="max", threshold=calendar.index(month),
                                                     month=calendar.index(month), when="by", **common)
        npv = reader.number(table["npv_min"], _join(path, "npv_min"), limits.KRONER_TARGET, what="an amount in kr.")
        return None if npv is None else Target(kind="npv", comparison="min", threshold=npv, **common)

    comparisons = [k for k in _COMPARISONS if k in table]
    if len(comparisons) != 1:
        reader.problem(path, "expected exactly one of below, max, above, min"
                       + (f", got {' and '.join(comparisons)}" if comparisons else ""))
        return None
    comparison = comparisons[0]
    threshold = reader.number(table[comparison], _join(path, comparison), limits.COUNT, what="a threshold")

    if "programme" in table:
        return _programme_target(reader, table, path, calendar, names, comparison, threshold, common)
    if "flow_from" in table or "flow_to" in table:
        missing = [k for k in ("flow_from", "flow_to") if k not in table]
        for k in missing:
            reader.problem(_join(path, k), "missing; a flow target needs flow_from and flow_to")
        stray = [k for k in ("states", "share_of", "at", "year", "by", "measure") if k in table]
        for k in stray:
            reader.problem(_join(path, k), "not used by a flow target (flow_from, flow_to, start, end)")
        if missing or stray:
            return None
        flow_from = reader.state_names(table["flow_from"], _join(path, "flow_from"), names)
        flow_to = reader.state_names(table["flow_to"], _join(path, "flow_to"), names)
        window = _window(reader, table, path, calendar)
        if _missing(flow_from, flow_to, window, threshold):
            return None
        return Target(kind="flow", comparison=comparison, threshold=threshold, flow_from=flow_from, flow_to=flow_to,
                      when="window", first=window[0], month=window[1], **common)

    if "states" not in table:
        reader.problem(_join(path, "states"), "missing; a level or share target needs the states it counts")
        return None
    states = reader.state_names(table["states"], _join(path, "states"), names)
    share_of = None
    if "share_of" in table:
        share_of = reader.state_names(table["share_of"], _join(path, "share_of"), names)
        if share_of is None:
            return None
    whens = [k for k in ("at", "year", "by") if k in table] + (["start/end"] if "start" in table or "end" in table else [])
    if len(whens) != 1:
        reader.problem(path, "expected exactly one of at (a month), year, by (a month) or start and end (a window)"
                       + (f", got {' and '.join(whens)}" if whens else ""))
        return None
    when = whens[0]
    month = year = first = None
    if when == "start/end":
        missing = [k for k in ("start", "end") if k not in table]
        for k in missing:
            reader.problem(_join(path, k), "missing; a window needs both start and end")
        window = None if missing else _window(reader, table, path, calendar)
        if window is None:
            return None
        when, (first, month) = "window", window
    elif when == "year":
        year_value = reader.number(table["year"], _join(path, "year"), _YEARS, integer=True, what="a year (such as 2021)")
        if year_value is None:
            return None
        year = int(year_value)
        if year not in calendar.year_list:
            reader.problem(_join(path, "year"), f"year {year} is outside the horizon "
                                                f"{format_month(calendar.start)} to {format_month(calendar.end)}")
            return None
    else:
        month_number = reader.month(table[when], _join(path, when), calendar)
        if month_number is None:
            return None
        month = calendar.index(month_number)
    if states is None or threshold is None:
        return None
    if share_of is not None and threshold is not None and not 0 <= threshold <= 1:
        reader.problem(_join(path, comparison), f"a share target's threshold is a share between 0 and 1, got {limits.show(threshold)}")
        return None
    measure = reader.string(table.get("measure", "full_time"), _join(path, "measure"), choices=("full_time", "persons", "economic"))
    if measure is None:
        return None
    if measure == "persons" and share_of is not None:
        reader.problem(_join(path, "measure"), "a share target compares full-time persons; measure = \"persons\" is for a "
                                               "level target")
        return None
    if measure == "persons" and when == "year":
        reader.problem(_join(path, "measure"), "persons over a year is ambiguous: a headcount is at a month's end; use "
                                               "at (a month), by or start and end, or full-time persons over the year")
        return None
    return Target(kind="share" if share_of is not None else "level", comparison=comparison, threshold=threshold,
                  states=states, share_of=share_of or (), when=when, month=month, first=first, year=year, measure=measure,
                  **common)


def _programme_target(reader: _Reader, table: dict, path: str, calendar: Calendar, names: list[str],
                      comparison: Comparison, threshold: float | None, common: dict) -> Target | None:
    """The share of a programme's leavers in a window who went to the ``flow_to`` states."""
    if "flow_to" not in table:
        reader.problem(_join(path, "flow_to"), "missing; a programme target needs the outcome states it counts as a success")
    stray = [k for k in ("states", "share_of", "flow_from", "at", "year", "by", "measure") if k in table]
    for k in stray:
        reader.problem(_join(path, k), "not used by a programme target (programme, flow_to, start, end)")
    if stray or "flow_to" not in table:
        return None
    programme = reader.string(table["programme"], _join(path, "programme"))
    flow_to = reader.state_names(table["flow_to"], _join(path, "flow_to"), names)
    window = _window(reader, table, path, calendar)
    if _missing(programme, flow_to, window, threshold):
        return None
    if not 0 <= threshold <= 1:
        reader.problem(_join(path, comparison), f"a programme target's threshold is a share of leavers between 0 and 1, "
                                                f"got {limits.show(threshold)}")
        return None
    return Target(kind="programme", comparison=comparison, threshold=threshold, flow_to=flow_to, programme=programme,
                  when="window", first=window[0], month=window[1], **common)


def _refusion(reader: _Reader, raw: Any) -> Refusion | None:
    table = reader.table(raw, "refusion", _REFUSION_KEYS)
    if table is None:
        return None
    default = Refusion()
    weeks = table.get("band_end_weeks", list(default.band_end_weeks))
    shares = table.get("state_share", list(default.state_share))
    ok = _refusion_weeks(reader, weeks)
    if not isinstance(shares, list):
        reader.problem("refusion.state_share", f"expected a list of shares between 0 and 1, got {_describe(shares)}")
        ok = False
    elif not all([reader.number(s, _join("refusion.state_share", i), limits.SHARE, what="a share") is not None
                  for i, s in enumerate(shares)]):
        ok = False
    elif ok and len(shares) != len(weeks) + 1:
        reader.problem("refusion.state_share", f"expected {len(weeks) + 1} shares (one per band, the last open-ended), "
                                               f"got {len(shares)}")
        ok = False
    per_month = reader.number(table.get("weeks_per_month", default.weeks_per_month), "refusion.weeks_per_month",
                              limits.WEEKS_PER_MONTH, what="a number of weeks")
    if not ok or per_month is None:
        return None
    if weeks and max(weeks) / per_month > LONGEST_ANCIENNITET:
        reader.problem(_join("refusion.band_end_weeks", len(weeks) - 1),
                       f"a step after {limits.show(max(weeks))} weeks ({limits.show(max(weeks) / per_month)} months) is "
                       f"beyond the {LONGEST_ANCIENNITET} months of anciennitet tracked")
        return None
    return scenario_anciennitet.with_reset(reader, table, Refusion(
        band_end_weeks=tuple(float(w) for w in weeks), state_share=tuple(float(s) for s in shares), weeks_per_month=per_month))


def _refusion_weeks(reader: _Reader, weeks: Any) -> bool:
    """``band_end_weeks``: a list of increasing numbers of weeks above 0; the first bad one is reported by its position."""
    path = "refusion.band_end_weeks"
    if not isinstance(weeks, list):
        reader.problem(path, f"expected a list of increasing week numbers above 0, such as [4, 26, 52], got {_describe(weeks)}")
        return False
    for i, week in enumerate(weeks):
        where = _join(path, i)
        if reader.number(week, where, limits.REFUSION_WEEKS, what="a number of weeks") is None:
            return False
        if week == 0:
            reader.problem(where, "expected a number of weeks above 0, got 0")
            return False
        if i and week <= weeks[i - 1]:
            reader.problem(where, f"the steps must come in increasing order: {limits.show(week)} weeks follows "
                                  f"{limits.show(weeks[i - 1])}")
            return False
    return True
