"""Observed data: what was counted, in which measure and period, and what the model says for the same thing.

An observation is one number counted in the world: persons at a date (a headcount), full-time
persons over a month, quarter or year (a mean), or persons entering or leaving a group of states
over a period. The two kinds of caseload are different numbers and neither is taken for the
other: jobindsats.dk's "Antal personer" counts persons, its "Antal fuldtidspersoner" full-time
persons.

:func:`expected` is the one home of what the model says for an observation, from a trajectory
with any number of rows; calibration, follow-up and the residual tables all use it. Periods are
parsed here too (:func:`parse_period`): ``2021-01`` or ``2021M01`` (a month), ``2021K1`` or
``2021Q1`` (a quarter), ``2021`` (a year), ``2021-01-19`` (a date, for persons).

Observations may be written in the scenario itself::

    [observed]
    source = "Aabenraa, Arbejdsmarkedsudvalget 11 Feb 2021"
    [observed.kontanthjaelp]
    persons = { "2018-06-01" = 1130, "2021-01-19" = 724 }
    full_time = { 2021 = 715 }

or read from files in the layouts people have (:mod:`kikcalc.observed_files`).
"""

from __future__ import annotations

import calendar as _days
import datetime
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

import numpy as np

from kikcalc import keypaths, limits
from kikcalc.calendar import Calendar, format_month
from kikcalc.errors import Problem
from kikcalc.records import frozen
from kikcalc.scenario_reader import describe, did_you_mean, nearest, quoted_number, unknown_key

MEASURES = ("persons", "full_time", "entrants", "exits", "passed_through")
"""persons: a headcount at a date (a month's end, or the month boundary nearest a date);
full_time: full-time persons, the mean over a period's months; entrants / exits: persons entering
or leaving the states over a period (from outside the model or from other states);
passed_through: persons in the states at the horizon's start plus every entrant up to a date (how
Aabenraa counts those who have been part of KIK II)."""
MEASURE_WORDS = {"persons": "persons", "full_time": "full-time persons", "entrants": "persons entering",
                 "exits": "persons leaving", "passed_through": "persons passed through"}



def map_name(text: Any) -> str:
    """A name as matched against states and the map: NFC, trimmed, inner runs of spaces as one; case kept."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", str(text)).strip())


def mapped_twice(pairs: Iterable[tuple[Any, Any]]) -> list[tuple[Any, str]]:
    """(name, why) for each name of (name, state) pairs that maps a name given before to another state, names
    compared as a data file's are matched (:func:`map_name`: "Kontanthjælp" and "Kontanthjælp " are one name). The
    one rule for ``--map``, :func:`kikcalc.observed_files.read`'s mapping and the scenario's ``[observed] map``."""
    first: dict[str, Any] = {}
    found = []
    for name, state in pairs:
        key = map_name(name)
        if key not in first:
            first[key] = state
        elif first[key] != state:
            found.append((name, f"{key} is mapped twice: to {first[key]} and to {state}; map each name to one state"))
    return found


def one_count(states: Iterable[str], measure: str, period: Period) -> tuple:
    """What makes two observations the same count: the states, the measure and the period's months and boundary
    (2021K1 and 2021Q1, a month and its last day for persons, are one). The one rule for a data file's rows
    (:mod:`kikcalc.observed_files`), the scenario's [observed] table and both together (:meth:`Observations.duplicates`)."""
    return tuple(sorted(states)), measure, period.first, period.last, period.boundary


_MONTH = re.compile(r"^([0-9]{4})(?:-|M)([0-9]{1,2})$")  # ASCII digits: "２０２１-01" is not a month (as in calendar.py)
_QUARTER = re.compile(r"^([0-9]{4})(?:K|Q)([1-4])$")
_YEAR = re.compile(r"^([0-9]{4})$")
_DATE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$")


@frozen
class Period:
    """A period as model months [first, last] (inclusive), or for a date the month boundary it falls on."""

    label: str
    kind: str
    """month, quarter, year or date."""
    first: int
    last: int
    boundary: int
    """The month boundary (0..T: the start of month b; T the end of the horizon) a headcount is read at:
    the end of the period, or for a date the boundary nearest it."""


class OutsideHorizon(ValueError):
    """A period that is one, but lies (in part) outside the scenario's horizon: a data file's rows of other years."""


def parse_period(text: Any, calendar: Calendar) -> Period:
    """A period of the calendar from its text; ValueError says what was expected or why it does not fit."""
    label = str(text).strip()
    if isinstance(text, float) and text.is_integer():
        label = str(int(text))
    match = _DATE.match(label)
    if match:
        year, month, day = (int(g) for g in match.groups())
        if not 1 <= month <= 12 or not 1 <= day <= _days.monthrange(year, month)[1]:
            raise ValueError(f"{label!r} is not a date")
        index = calendar.index(year * 12 + month - 1)
        days = _days.monthrange(year, month)[1]
        boundary = index + (1 if (day - 1) / days >= 0.5 else 0)  # the nearer of the month's start and end
        period = Period(label, "date", index, index, boundary)
    elif (match := _MONTH.match(label)) and 1 <= int(match.group(2)) <= 12:
        index = calendar.index(int(match.group(1)) * 12 + int(match.group(2)) - 1)
        period = Period(label, "month", index, index, index + 1)
    elif match := _QUARTER.match(label):
        first = calendar.index(int(match.group(1)) * 12 + 3 * (int(match.group(2)) - 1))
        period = Period(label, "quarter", first, first + 2, first + 3)
    elif match := _YEAR.match(label):
        first = calendar.index(int(match.group(1)) * 12)
        period = Period(label, "year", first, first + 11, first + 12)
    else:
        raise ValueError(f"{label!r} is not a period: expected a month (2021-01 or 2021M01), a quarter (2021K1 or "
                         f"2021Q1), a year (2021) or a date (2021-01-19)")
    if period.kind == "date":
        if not 0 <= period.boundary <= calendar.months:
            raise OutsideHorizon(f"{label} lies outside the horizon {format_month(calendar.start)} to {format_month(calendar.end)}")
    elif period.first < 0 or period.last >= calendar.months:
        raise OutsideHorizon(f"{label} lies outside the horizon {format_month(calendar.start)} to "
                         f"{format_month(calendar.end)}" + (" (in part)" if period.last >= 0 and period.first < calendar.months else ""))
    return period


@frozen
class Observation:
    """One observed number."""

    states: tuple[str, ...]
    """The states counted together."""
    measure: str
    period: Period
    value: float
    where: str
    """Where it was read: ``FILE row N`` or a key path of the scenario."""

    @property
    def label(self) -> str:
        return f"{'+'.join(self.states)} {MEASURE_WORDS[self.measure]} {self.period.label}"


@frozen
class Observations:
    """Observed numbers, in the order read, and where they came from."""

    items: tuple[Observation, ...]
    source: str = ""
    read_report: str = ""
    """What was read, for a person to check: a line per state and measure ("read 12 observations of
    kontanthjaelp (persons, 2018-06 to 2021-01) from FILE"), and from a file the layout, columns and rows read."""

    def __len__(self) -> int:
        return len(self.items)

    @property
    def values(self) -> np.ndarray:
        """The observed numbers, shape (n,)."""
        return np.array([o.value for o in self.items], dtype=float)

    @property
    def needs_flows(self) -> bool:
        return any(o.measure in ("entrants", "exits", "passed_through") for o in self.items)

    def __add__(self, other: Observations) -> Observations:
        source = " and ".join(s for s in (self.source, other.source) if s)
        report = "\n".join(r for r in (self.read_report, other.read_report) if r)
        return Observations(self.items + other.items, source, report)

    def duplicates(self) -> list[tuple[Observation, Observation]]:
        """Pairs of observations of the same states, measure and period (months [first, last], so 2021K1 and
        2021Q1 are one period), wherever each was read: counted twice, they would weigh twice."""
        seen: dict[tuple, Observation] = {}
        pairs = []
        for o in self.items:
            key = one_count(o.states, o.measure, o.period)
            if key in seen:
                pairs.append((seen[key], o))
            else:
                seen[key] = o
        return pairs

    def twice(self) -> list[tuple[Observation, str]]:
        """Each observation that counts again what one before it counted (:meth:`duplicates`), with why: the one
        message for the scenario's [observed] table (a problem at the key path) and for it with data files."""
        return [(second, f"{first.label} is observed twice: at {first.where} and at {second.where}; give each once")
                for first, second in self.duplicates()]

    def order(self) -> np.ndarray:
        """Indices of the observations in time order (their period's last boundary, then as read)."""
        return np.array(sorted(range(len(self.items)), key=lambda i: (self.items[i].period.boundary, i)), dtype=int)


def read_summary(items: Iterable[Observation], source: str) -> list[str]:
    """A line per state (or states counted together) and measure, in the order first read:
    ``read 12 observations of kontanthjaelp (persons, 2018-06 to 2021-01) from SOURCE``."""
    groups: dict[tuple[tuple[str, ...], str], list[Observation]] = {}
    for o in items:
        groups.setdefault((o.states, o.measure), []).append(o)
    lines = []
    for (states, measure), group in groups.items():
        ordered = sorted(group, key=lambda o: (o.period.boundary, o.period.first))
        first, last = ordered[0].period.label, ordered[-1].period.label
        span = first if len(ordered) == 1 else f"{first} to {last}"
        count = f"{len(group)} observation{'s' if len(group) != 1 else ''}"
        lines.append(f"read {count} of {'+'.join(states)} ({MEASURE_WORDS[measure]}, {span}) from {source}")
    return lines


def not_over_yet(observations: Observations, calendar: Calendar, today: datetime.date) -> list[str]:
    """One line for each observation of a time not over on ``today`` (the run's day): a date after it, or a month,
    quarter or year that ends after it. Counted in the world, such a number cannot have been, in full: a typo for
    another year, a plan's number among the counts, or (jobindsats' "år til dato") a count of part of a period set
    against the model's number for all of it. Said, not refused: a fit to made-up future counts is a fair test of what
    such data would tell."""
    this_month = today.year * 12 + today.month - 1
    lines = []
    for o in observations.items:
        period = o.period
        if period.kind == "date" and datetime.date.fromisoformat(period.label) > today:
            lines.append(f"{o.where}: {o.label} is after today ({today.isoformat()}): it cannot have been counted yet; "
                         f"a typo for another year, or a number of the plan among the counts?")
        elif period.kind != "date" and calendar.start + period.boundary > this_month:
            lines.append(f"{o.where}: {o.label}: {period.label} is not over today ({today.isoformat()}): a count of it is of "
                         f"part of it at most, where the model's number covers all of it; a typo for another year?")
    return lines


def check_measure(measure: str, period: Period) -> str | None:
    """Why a measure cannot be read over a period (persons over a quarter is ambiguous), or None."""
    if measure not in MEASURES:
        return f"unknown measure {measure!r}; expected one of {', '.join(MEASURES)}"
    if measure in ("persons", "passed_through") and period.kind not in ("month", "date"):
        return (f"persons over a {period.kind} ({period.label}) is ambiguous: give persons at a month's end or a date, "
                f"or full-time persons (a mean) over the {period.kind}")
    if measure in ("full_time", "entrants", "exits") and period.kind == "date":
        return f"{MEASURE_WORDS[measure]} are counted over a period, not at a date ({period.label})"
    return None


def expected(scenario, trajectory, observations: Observations) -> np.ndarray:
    """What the model says for each observation, for every row of the trajectory, shape (R, n).

    persons: the headcount at the period's boundary (a month's end, or the boundary nearest a
    date); full_time: the mean of the monthly full-time persons over the period's months (a year's
    is the year mean of the yearly table); entrants: inflow from outside the model plus moves from
    other states into the states, summed over the period; exits: moves out of the states to others.
    """
    rows = trajectory.headcount.shape[0]
    out = np.empty((rows, len(observations)))
    full_time = trajectory.full_time_persons
    for i, o in enumerate(observations.items):
        idx = [scenario.state_index(s) for s in o.states]
        p = o.period
        if o.measure == "persons":
            out[:, i] = trajectory.headcount[:, p.boundary, idx].sum(axis=1)
        elif o.measure == "full_time":
            out[:, i] = full_time[:, p.first: p.last + 1, idx].sum(axis=2).mean(axis=1)
        elif o.measure == "passed_through":
            out[:, i] = trajectory.headcount[:, 0, idx].sum(axis=1) + entrants(scenario, trajectory, idx, 0, p.boundary)
        elif o.measure == "entrants":
            out[:, i] = entrants(scenario, trajectory, idx, p.first, p.last + 1)
        else:
            out[:, i] = exits(scenario, trajectory, idx, p.first, p.last + 1).sum(axis=1)
    return out


def _inside(scenario, states: list[int]) -> np.ndarray:
    inside = np.zeros(len(scenario.states), dtype=bool)
    inside[states] = True
    return inside


def entrants(scenario, trajectory, states: list[int], first: int, stop: int) -> np.ndarray:
    """Persons entering the states in months [first, stop): inflow from outside the model plus moves from
    the other states, shape (R,). Needs the run's flows."""
    if trajectory.flows is None:
        raise ValueError("entrants and exits need the run's flows (simulate with keep_flows=True)")
    inside = _inside(scenario, states)
    moved = trajectory.flows[:, first:stop][:, :, ~inside][:, :, :, inside].sum(axis=(1, 2, 3))
    return moved + trajectory.inflow[:, first:stop, states].sum(axis=(1, 2))


def exits(scenario, trajectory, states: list[int], first: int, stop: int) -> np.ndarray:
    """Persons leaving the states in months [first, stop) by the state they go to, shape (R, S) (0 for the
    states themselves). Needs the run's flows."""
    if trajectory.flows is None:
        raise ValueError("entrants and exits need the run's flows (simulate with keep_flows=True)")
    inside = _inside(scenario, states)
    out = trajectory.flows[:, first:stop][:, :, inside].sum(axis=(1, 2))
    out[:, inside] = 0.0
    return out


# --- observations written in the scenario ------------------------------------------------------------

_OBSERVED_KEYS = ("source", "map")


def from_scenario(scenario) -> tuple[Observations, list[Problem]]:
    """The ``[observed]`` table of a built scenario: observations per state by measure and period, and problems."""
    table = scenario.raw.get("observed")
    if table is None:
        return Observations(()), []
    problems: list[Problem] = []
    if not isinstance(table, dict):
        return Observations(()), [Problem("observed", "expected a table: [observed.STATE] with persons = { ... }")]
    items: list[Observation] = []
    source = table.get("source", "")
    if not isinstance(source, str):
        problems.append(Problem("observed.source", "expected text"))
        source = ""
    names = scenario.state_names
    mapping = table.get("map", {})
    if not isinstance(mapping, dict) or not all(isinstance(v, str) for v in mapping.values()):
        problems.append(Problem("observed.map", 'expected a table of names to states: { "Kontanthjælp" = "kontanthjaelp" }'))
    else:
        for name, state in mapping.items():
            if state not in names:
                problems.append(Problem(keypaths.child("observed.map", name), _unknown_state(state, names)))
        problems += [Problem(keypaths.child("observed.map", name), why) for name, why in mapped_twice(mapping.items())]
    for state, body in table.items():
        if state in _OBSERVED_KEYS:
            continue
        where = keypaths.child("observed", state)
        if state not in names:  # a table of a state, or a key of [observed] itself (sorce = "..."): the nearest of both
            near = nearest(state, [*_OBSERVED_KEYS, *names])
            problems.append(Problem(where, unknown_key(state, _OBSERVED_KEYS) if near in _OBSERVED_KEYS
                                    else _unknown_state(state, names)))
            continue
        if not isinstance(body, dict):
            problems.append(Problem(where, 'expected a table: persons = { "2021-01" = 724 }, full_time = { 2021 = 715 }'))
            continue
        for measure, series in body.items():
            at = keypaths.child(where, measure)
            if measure not in MEASURES:
                hint = did_you_mean(measure, MEASURES) or f"; expected one of {', '.join(MEASURES)}"
                problems.append(Problem(at, f"unknown measure{hint}"))
                continue
            if not isinstance(series, dict):
                problems.append(Problem(at, 'expected a table of period = number: { "2021-01" = 724 }'))
                continue
            for period_text, value in series.items():
                key = keypaths.child(at, period_text)
                try:
                    period = parse_period(period_text, scenario.calendar)
                except ValueError as error:
                    problems.append(Problem(key, str(error)))
                    continue
                wrong = check_measure(measure, period)
                if wrong:
                    problems.append(Problem(key, wrong))
                    continue
                if not limits.finite(value) or not limits.CAP.holds(value):  # an integer beyond any float too
                    shown = (limits.show(value) if isinstance(value, int | float) and not isinstance(value, bool)
                             else describe(value) + quoted_number(value))
                    problems.append(Problem(key, f"expected a number of persons {limits.CAP.words()}, got {shown}"))
                    continue
                items.append(Observation((state,), measure, period, float(value), key))
    problems += [Problem(second.where, why) for second, why in Observations(tuple(items)).twice()]
    where = f"{scenario.path} [observed]" if scenario.path else "[observed]"
    report = "\n".join(read_summary(items, where))
    if not items:  # a table with only a map or a source holds no observations to name
        return Observations((), "", report), problems
    return Observations(tuple(items), source or (scenario.path and f"{scenario.path} [observed]"), report), problems


def _unknown_state(state: str, names: list[str]) -> str:
    hint = did_you_mean(state, names) or f" (there are {', '.join(names)})"
    return f"no state {state!r} in the scenario{hint}"
