"""Reading seasons and the business cycle: ``season``, ``season_normalise`` and ``cycle`` of a state's inflow
or of a transition (docs/scenario-format.md, docs/model.md section 6a).

A ``season`` table gives a factor by calendar month, ``{ 1 = 1.15, 7 = 0.85 }``; a month it leaves out has
factor 1. By default the twelve factors are divided by their mean, so that they move persons between the
months of a year and leave the year's total as it is; ``season_normalise = false`` takes them as given. A
``cycle`` is a multiplier series by year or month (an unemployment index, 1 = the level the file's numbers
describe), read as a series is everywhere: a month's own key wins over its year's, and a month after the
last key keeps the last value; a month before the first key has factor 1. A month's factor is the product
of the two; :mod:`kikcalc.transitions` applies it to the month's inflow or rate after the strategy's effects.

The factors are structure (they do not vary by row). The file's own rates and inflows, scaled by them,
are checked here: a probability stays at most 1, the probabilities of leaving a state add up to at most 1,
a hazard and an inflow stay within their ranges (:mod:`kikcalc.limits`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import numpy as np

from kikcalc import keypaths, limits
from kikcalc.spec import Scenario, Seasons

if TYPE_CHECKING:
    from kikcalc.calendar import Calendar
    from kikcalc.scenario_reader import Reader as _Reader

KEYS = ("season", "season_normalise", "cycle")
"""The keys a state or a [[transitions]] table may give for its season and cycle."""
_MONTH_KEY = re.compile(r"^[0-9]{1,2}$")


def read(reader: _Reader, raw: dict, calendar: Calendar) -> Seasons | None:
    """The seasons and cycles of a file's states (their inflow) and transitions; None if none is given.

    Problems go to ``reader`` with their key paths. Tables that are not tables were reported already.
    """
    states = raw.get("states") if isinstance(raw.get("states"), dict) else {}
    transitions = raw.get("transitions") if isinstance(raw.get("transitions"), list) else []
    inflow = np.ones((calendar.months, len(states)))
    rate = np.ones((calendar.months, len(transitions)))
    given = False
    for j, (name, table) in enumerate(states.items()):
        if isinstance(table, dict) and any(key in table for key in KEYS):
            inflow[:, j] = _factors(reader, table, keypaths.child("states", name), calendar)
            given = True
    for i, table in enumerate(transitions):
        if isinstance(table, dict) and any(key in table for key in KEYS):
            rate[:, i] = _factors(reader, table, keypaths.child("transitions", i), calendar)
            given = True
    return Seasons(inflow=inflow, rate=rate) if given else None


def _factors(reader: _Reader, table: dict, path: str, calendar: Calendar) -> np.ndarray:
    """The product of a table's season and cycle in each simulated month, shape (T,); 1 where unreadable."""
    factor = np.ones(calendar.months)
    normalise = True
    if "season_normalise" in table:
        where = keypaths.child(path, "season_normalise")
        if not isinstance(table["season_normalise"], bool):
            reader.problem(where, f"expected true or false, got {_shown(table['season_normalise'])}")
        elif "season" not in table:
            reader.problem(where, "season_normalise goes only with season")
        else:
            normalise = table["season_normalise"]
    if "season" in table:
        by_month = _season(reader, table["season"], keypaths.child(path, "season"), normalise)
        if by_month is not None:
            factor *= by_month[np.arange(calendar.start, calendar.end + 1) % 12]
    if "cycle" in table:
        cycle = _cycle(reader, table["cycle"], keypaths.child(path, "cycle"), calendar)
        if cycle is not None:
            factor *= cycle
    return factor


def _season(reader: _Reader, raw: Any, path: str, normalise: bool) -> np.ndarray | None:
    """Twelve factors, January first, shape (12,); divided by their mean when ``normalise``."""
    if not isinstance(raw, dict) or not raw:
        reader.problem(path, f"expected a table of factors by calendar month, such as {{ 1 = 1.15, 7 = 0.85 }}, "
                             f"got {_shown(raw)}")
        return None
    by_month = np.ones(12)
    seen: dict[int, str] = {}
    ok = True
    for key, item in raw.items():
        where = keypaths.child(path, key)
        value = reader.number(item, where, limits.FACTOR, what="a seasonal factor")
        month = int(key) if _MONTH_KEY.match(key) else 0
        if not 1 <= month <= 12:
            reader.problem(where, f'expected a calendar month 1 to 12 as the key (1 = January), got "{key}"')
            ok = False
            continue
        if month in seen:
            reader.problem(where, f'month {month} is given twice, also as "{seen[month]}"')
            ok = False
            continue
        seen[month] = key
        if value is None:
            ok = False
            continue
        by_month[month - 1] = value
    if not ok:
        return None
    if normalise:
        mean = by_month.mean()
        if mean == 0:
            reader.problem(path, "every factor is 0, so they cannot be scaled to a mean of 1; give "
                                 "season_normalise = false to take them as they are")
            return None
        by_month /= mean
    return by_month


def _cycle(reader: _Reader, raw: Any, path: str, calendar: Calendar) -> np.ndarray | None:
    """A multiplier in each simulated month, shape (T,): 1 before the first key, the last key's after the last."""
    if isinstance(raw, dict) and not raw:  # no key to carry forward (it was an IndexError, exit 3); as an empty season
        reader.problem(path, 'expected a factor, or a table of factors by year or month such as { 2020 = 1.1, '
                             '"2021-06" = 0.95 }, got an empty table')
        return None
    read = reader.monthly_series(raw, path, calendar, per_year_spread=False, carry_forward=False,
                                 unit="a factor", limit=limits.FACTOR)
    if read is None or not isinstance(raw, dict):
        return read
    keys = list(raw)
    owner = calendar.series_owners(keys, carry_forward=True)
    numbers = np.array([float(raw[key]) for key in keys])
    return np.where(owner >= 0, numbers[owner], 1.0)


def check(reader: _Reader, scenario: Scenario, raw: dict) -> None:
    """The file's own rates and inflows scaled by their factors, in every month: each in its range, and the
    probabilities of leaving a state at most 1. Reported at the factor's key (``season``, else ``cycle``)."""
    from kikcalc.transitions import leaving_probability, monthly_rate, transition_probabilities

    seasons = scenario.seasons
    if seasons is None:
        return
    raw_transitions = raw.get("transitions", [])
    labels = scenario.calendar.labels
    base = np.array([monthly_rate(tr.form, tr.value) for tr in scenario.transitions]).reshape(len(scenario.transitions), -1)
    months = np.unique(seasons.rate, axis=0, return_index=True)[1] if seasons.rate.size else np.array([], dtype=int)
    blamed: set[int] = set()
    for t in sorted(months.tolist()):
        rates = base * seasons.rate[t][:, None]
        for i, tr in enumerate(scenario.transitions):
            high = 1.0 if tr.kind == "probability" else limits.HAZARD_PER_MONTH
            if i not in blamed and rates[i].max() > high:
                blamed.add(i)
                what = "probability" if tr.kind == "probability" else "hazard"
                reader.problem(_factor_path(tr.path, raw_transitions, i),
                               f"the {tr.source} -> {tr.target} monthly {what} becomes {limits.show_beyond(rates[i].max(), high)} "
                               f"in {labels[t]} ({seasons.rate[t, i]:.6g} x {base[i].max():.6g}); expected at most {high:g}")
        if blamed:
            continue
        leaving = leaving_probability(scenario, transition_probabilities(scenario, rates))  # (S, A)
        for j in np.flatnonzero((leaving > 1.0 + limits.SUM_TOLERANCE).any(axis=1)):
            name = scenario.states[j].name
            culprit = [i for i, tr in enumerate(scenario.transitions) if tr.source == name and seasons.rate[t, i] != 1.0]
            if culprit and culprit[0] not in blamed:
                blamed.add(culprit[0])
                reader.problem(_factor_path(scenario.transitions[culprit[0]].path, raw_transitions, culprit[0]),
                               f"the monthly probabilities of leaving {name} add up to "
                               f"{limits.show_beyond(leaving[j].max(), 1.0)} in {labels[t]} with the season and cycle; "
                               f"expected at most 1")
    for j, state in enumerate(scenario.states):
        inflow = state.inflow * seasons.inflow[:, j]
        if inflow.max() > limits.PERSONS.high:
            t = int(np.argmax(inflow))
            table = raw["states"][state.name]
            where = keypaths.child("states", state.name)
            reader.problem(keypaths.child(where, "season" if "season" in table else "cycle"),
                           f"the inflow to {state.name} becomes {limits.show(inflow[t])} in {labels[t]} with the season "
                           f"and cycle; expected a number of persons a month {limits.PERSONS.words()}")


def _factor_path(path: str, raw_transitions: list, i: int) -> str:
    table = raw_transitions[i] if i < len(raw_transitions) and isinstance(raw_transitions[i], dict) else {}
    return keypaths.child(path, "season" if "season" in table else "cycle")


def _shown(value: Any) -> str:
    from kikcalc.scenario_reader import describe as _describe

    return _describe(value)
