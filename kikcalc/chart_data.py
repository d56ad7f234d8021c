"""The numbers a chart draws, selected from kikcalc's own tables: nothing here is a new model number.

Each function takes a run's result (:class:`~kikcalc.result.Result`), a sensitivity summary
(:func:`kikcalc.sensitivity.summarise`, laid out by :func:`kikcalc.report_sensitivity.frame`) or a
follow-up (:func:`kikcalc.followup.follow_up`) and returns the long table one chart of
:mod:`kikcalc.charts` draws. Sums over states are the same sums the targets and the comparison
table take (persons in the states a target counts); the drawing module only places them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from kikcalc.followup import FollowUp
from kikcalc.observed import Observations
from kikcalc.result import Result
from kikcalc.spec import Scenario


def level_groups(scenario: Scenario) -> list[tuple[str, ...]]:
    """The groups of states the scenario's level targets count, in file order; the benefit states if it has none."""
    groups = list(dict.fromkeys(tuple(t.states) for t in scenario.targets if t.kind == "level"))
    return groups or [tuple(s.name for s in scenario.states if s.is_benefit)]


def caseload(result: Result, states: tuple[str, ...]) -> pd.DataFrame:
    """Persons in ``states`` per strategy and month: columns strategy, month (``YYYY-MM``), full_time_persons
    (the month's full-time persons) and headcount_end (persons at the month's end), summed over the states
    (programme participants included, as their states count them): :attr:`Result.monthly`'s columns, summed from
    the run's own arrays rather than from that table, which a model of hundreds of states and strategies takes
    seconds and gigabytes to build."""
    scenario, trajectory = result.scenario, result.trajectory
    chosen = [scenario.state_index(name) for name in states]
    months = scenario.calendar.labels
    strategies = scenario.strategy_names
    return pd.DataFrame({"strategy": np.repeat(strategies, len(months)), "month": np.tile(months, len(strategies)),
                         "full_time_persons": trajectory.full_time_persons[:, :, chosen].sum(axis=2).reshape(-1),
                         "headcount_end": trajectory.headcount_end[:, :, chosen].sum(axis=2).reshape(-1)})


@dataclass(frozen=True)
class LevelMark:
    """A level target drawn on a caseload chart: its threshold over the months it is judged in."""

    name: str
    label: str
    threshold: float
    comparison: str
    measure: str
    first_month: str
    """``YYYY-MM``: the first month judged (the target month itself for ``at``)."""
    last_month: str
    when: str


def level_marks(scenario: Scenario, states: tuple[str, ...]) -> list[LevelMark]:
    """The level targets on exactly ``states``: a point for a month (``at``), a line over a year (``year``) or up
    to a month (``by``, ``window``)."""
    labels = scenario.calendar.labels
    marks = []
    for t in scenario.targets:
        if t.kind != "level" or tuple(t.states) != tuple(states):
            continue
        if t.when == "year":
            months = scenario.calendar.year_months(t.year)
            first, last = int(months[0]), int(months[-1])
        elif t.when == "at":
            first = last = t.month
        else:
            first, last = (t.first if t.first is not None else 0), t.month
        marks.append(LevelMark(t.name, t.label, t.threshold, t.comparison, t.measure, labels[first], labels[last], t.when))
    return marks


def cumulative_saving(result: Result) -> tuple[pd.DataFrame, dict[str, str | None]]:
    """(strategy, month, cumulative_net_saving in kr.) for every strategy but the baseline, and each one's
    payback month (``YYYY-MM``, or None when it does not pay back within the horizon)."""
    baseline = result.scenario.strategy_names[0]
    money = result.monthly_money
    frame = money[money.strategy != baseline][["strategy", "month", "cumulative_net_saving"]].reset_index(drop=True)
    summary = result.summary[result.summary.strategy != baseline]
    return frame, {name: month if isinstance(month, str) else None
                   for name, month in zip(summary.strategy, summary.payback_month, strict=True)}


def never_behind(result: Result) -> set[str]:
    """The strategies whose cumulative net saving is never below 0: their payback month is the horizon's first,
    which the tables say as 'never behind', not as a month."""
    summary = result.summary[result.summary.strategy != result.scenario.strategy_names[0]]
    return {name for name, never in zip(summary.strategy, summary.never_behind, strict=True) if never is True}


def fan(scenario: Scenario, summary: dict) -> pd.DataFrame:
    """The yearly net saving's percentiles over the draws, per strategy: strategy, year, mean, p5, p50, p95 (kr.)."""
    from kikcalc.report_sensitivity import frame

    table = frame(scenario, summary)
    yearly = table[(table.measure == "Net saving vs baseline") & (table.period != "horizon")]
    yearly = yearly.rename(columns={"period": "year"})[["strategy", "year", "mean", "p5", "p50", "p95"]]
    return yearly.astype({"year": int}).reset_index(drop=True)


def followup_points(scenario: Scenario, follow: FollowUp, observations: Observations) -> pd.DataFrame:
    """Each observed caseload beside the projection it is compared with: states (joined by +), measure, period,
    first_month and last_month (``YYYY-MM``; for persons at a date both are the month at whose end they are
    counted, or None for the horizon's start), observed, projected. Flows (entrants, exits, passed through)
    have no place on a caseload axis and are left out."""
    labels = scenario.calendar.labels
    rows = []
    for o, line in zip(observations.items, follow.lines, strict=True):
        if o.measure == "persons":
            first = last = labels[o.period.boundary - 1] if o.period.boundary > 0 else None
        elif o.measure == "full_time":
            first, last = labels[o.period.first], labels[o.period.last]
        else:
            continue
        rows.append({"states": "+".join(o.states), "measure": o.measure, "period": o.period.label, "first_month": first,
                     "last_month": last, "observed": line.observed, "projected": line.projected})
    return pd.DataFrame(rows, columns=["states", "measure", "period", "first_month", "last_month", "observed", "projected"])
