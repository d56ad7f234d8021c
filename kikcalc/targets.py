"""Targets: every committee target judged for every strategy.

A verdict holds the value, the threshold, met or missed, the margin (positive when met by that
much) and the first month in which the target's condition held. Money targets compare a strategy
with the baseline, so for the baseline itself they are "not applicable".
"""

from __future__ import annotations

import numpy as np

from kikcalc.engine import Trajectory
from kikcalc.money import Money, money, persons_moved
from kikcalc.payment_share import economic_full_time_persons
from kikcalc.records import frozen
from kikcalc.spec import Comparison, Scenario, Target
from kikcalc.values import Values


@frozen
class Verdict:
    target: str
    label: str
    strategy: str
    value: float | None
    """Persons, a share, persons moved, kr., or (payback) a model month index; None if there is none
    (no payback, or a programme target for a strategy without the programme)."""
    threshold: float
    comparison: Comparison
    met: bool | None
    """None: not applicable (a money target for the baseline, a programme target for a strategy without it)."""
    margin: float | None
    first_month_met: int | None
    """Model month index, or None if the condition never held."""
    kind: str
    unit: str = ""
    """The value's unit (:attr:`kikcalc.spec.Target.unit`)."""


TOLERANCE = 1e-9
"""Relative: a value this close to a max/min threshold meets it (5 persons summed from fractions is
4.9999999999 in floating point), and one this close to a below/above threshold does not."""


def meets(values: np.ndarray, comparison: Comparison, threshold: float | np.ndarray) -> np.ndarray:
    """Whether each value meets the threshold: below <, max <=, above >, min >= (to within TOLERANCE)."""
    slack = TOLERANCE * np.maximum(1.0, np.abs(threshold))
    with np.errstate(invalid="ignore"):
        if comparison == "below":
            return values < threshold - slack
        if comparison == "max":
            return values <= threshold + slack
        if comparison == "above":
            return values > threshold + slack
        return values >= threshold - slack


def margin(value: float, comparison: Comparison, threshold: float) -> float:
    """How far inside the threshold a value lies; negative when the target is missed."""
    return threshold - value if comparison in ("below", "max") else value - threshold


def _first_true(condition: np.ndarray, start: int = 0) -> np.ndarray:
    """Model month of the first True along the last axis, counted from ``start``; -1 if none, shape (R,)."""
    found = condition.any(axis=-1)
    return np.where(found, np.argmax(condition, axis=-1) + start, -1)


def _ratio(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    """part / whole, NaN where whole is 0."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(whole > 0, part / np.where(whole > 0, whole, 1.0), np.nan)


def _counted(target: Target, scenario: Scenario, values: Values, trajectory: Trajectory) -> tuple[np.ndarray, np.ndarray | None]:
    """What the target counts in each month, shape (R, T), and a share target's denominator.

    Level: full-time persons in its states (with ``measure = "persons"``: the headcount at each month's
    end; ``"economic"``: economic full-time persons). Share: full-time (or economic full-time) persons
    in ``share_of`` (the numerator), with those in ``states`` as the denominator. Flow: persons moved
    so far in the window.
    """
    if target.kind == "flow":
        moved = persons_moved(scenario, trajectory, target.flow_from, target.flow_to)
        window = np.zeros(moved.shape[1], dtype=bool)
        window[target.first: target.month + 1] = True
        return np.cumsum(np.where(window, moved, 0.0), axis=1), None
    fte = trajectory.full_time_persons
    if target.measure == "economic":
        fte = economic_full_time_persons(fte, values)
    if target.measure == "persons":
        return trajectory.headcount_end[:, :, [scenario.state_index(s) for s in target.states]].sum(axis=2), None
    counted = fte[:, :, [scenario.state_index(s) for s in target.states]].sum(axis=2)
    if target.kind == "level":
        return counted, None
    return fte[:, :, [scenario.state_index(s) for s in target.share_of]].sum(axis=2), counted


def judge_series(target: Target, threshold: np.ndarray, scenario: Scenario, values: Values, trajectory: Trajectory
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A level, share or flow target judged on each row: value, met and first month met, shape (R,) each.

    ``threshold`` (R,). The first month met is searched up to the target's date (-1: never).
    """
    counted, denominator = _counted(target, scenario, values, trajectory)
    series = counted if denominator is None else _ratio(counted, denominator)
    ok = meets(series, target.comparison, threshold[:, None])
    if target.kind == "flow":
        value = series[:, target.month]
        first = _first_true(ok[:, target.first: target.month + 1], target.first)
        met = meets(value, target.comparison, threshold)
    elif target.when == "at":
        value = series[:, target.month]
        met, first = ok[:, target.month], _first_true(ok[:, : target.month + 1])
    elif target.when == "year":
        months = scenario.calendar.year_months(target.year)
        value = scenario.calendar.year_mean(counted, target.year)
        if denominator is not None:  # full-time persons over the year in share_of, over those in states
            value = _ratio(value, scenario.calendar.year_mean(denominator, target.year))
        met = meets(value, target.comparison, threshold)
        first = _first_true(ok[:, : months[-1] + 1])
    else:  # by / window: met in any month of the span; the value is the best reached in it
        start = target.first if target.when == "window" else 0
        span = series[:, start: target.month + 1]
        best = np.fmin.reduce if target.comparison in ("below", "max") else np.fmax.reduce
        value = best(span, axis=1)
        first = _first_true(ok[:, start: target.month + 1], start)
        met = first >= 0
    return value, met, first


def judge_programme(target: Target, threshold: np.ndarray, scenario: Scenario, values: Values,
                    trajectory: Trajectory) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A programme target on each row: value, met (NaN where the row's strategy does not run the
    programme) and first month met, shape (R,) each.

    The share is of the programme's leavers in the window (completers and drop-outs) who went to
    the ``flow_to`` states, counted cumulatively from the window's first month; its value is at the
    window's end.
    """
    owner = {p.name: (i, k) for i, (k, p) in enumerate(scenario.programmes)}
    p, owning = owner[target.programme]
    window = slice(target.first, target.month + 1)
    leavers = trajectory.programme_leavers[:, window, p]  # (R, months, S)
    reached = leavers[:, :, [scenario.state_index(s) for s in target.flow_to]].sum(axis=2)
    share = _ratio(np.cumsum(reached, axis=1), np.cumsum(leavers.sum(axis=2), axis=1))
    ok = meets(share, target.comparison, threshold[:, None])
    runs = values.strategy == owning
    value = np.where(runs, share[:, -1], np.nan)
    met = np.where(runs, ok[:, -1], np.nan)
    first = np.where(runs, _first_true(ok, target.first), -1)
    return value, met, first


MONEY_KINDS = ("payback", "npv")


def judge_persons(scenario: Scenario, values: Values, trajectory: Trajectory) -> dict[str, tuple[np.ndarray, ...]]:
    """Every target on persons (level, share, flow, programme) judged on each row: name -> (value,
    met, first month met), shape (R,) each; met is NaN where the target does not apply."""
    judged = {}
    for n, target in enumerate(scenario.targets):
        if target.kind in MONEY_KINDS:
            continue
        threshold = values.threshold[:, n]
        if target.kind == "programme":
            judged[target.name] = judge_programme(target, threshold, scenario, values, trajectory)
        else:
            value, met, first = judge_series(target, threshold, scenario, values, trajectory)
            judged[target.name] = (value, met.astype(float), first)
    return judged


def judge_money(scenario: Scenario, values: Values, money: Money) -> dict[str, tuple[np.ndarray, ...]]:
    """The money targets (payback, npv) judged on each row: name -> (value, met, first month met),
    shape (R,) each; not applicable (NaN) on baseline rows. A payback value is the payback month
    (NaN if none); the target's threshold is its month."""
    judged = {}
    payback, npv = money.payback_month, money.npv
    is_baseline = values.baseline == np.arange(values.rows)
    for n, target in enumerate(scenario.targets):
        if target.kind not in MONEY_KINDS:
            continue
        threshold = values.threshold[:, n]
        if target.kind == "payback":
            value = np.where(payback >= 0, payback, np.nan).astype(float)
            met = (payback >= 0) & meets(value, target.comparison, threshold)
            first = np.where(payback >= 0, payback, -1)
        else:
            value = npv if target.payer == "municipality" else money.npv_of(target.payer)
            met = meets(value, target.comparison, threshold)
            first = np.full(values.rows, -1)
        judged[target.name] = (value, np.where(is_baseline, np.nan, met.astype(float)), first)
    return judged


def judge_all(scenario: Scenario, values: Values, trajectory: Trajectory, lines: bool = True
              ) -> tuple[dict[str, tuple[np.ndarray, ...]], Money]:
    """Every target judged on each row (name -> (value, met, first month met), as :func:`judge_persons` and
    :func:`judge_money`), and the rows' money.

    Targets on persons are judged first, because a grant may be paid only if one is met; the money
    targets are judged on the money that follows. ``lines=False``: the money without its lines by state
    (:func:`kikcalc.money.money`) unless a target judges a payer other than the municipality.
    """
    judged = judge_persons(scenario, values, trajectory)
    met = np.zeros((values.rows, len(scenario.targets)), dtype=bool)
    for n, target in enumerate(scenario.targets):
        if target.name in judged:
            met[:, n] = judged[target.name][1] == 1.0
    lines = lines or any(t.kind == "npv" and t.payer != "municipality" for t in scenario.targets)
    accounts = money(scenario, values, trajectory, met, lines=lines)
    return judged | judge_money(scenario, values, accounts), accounts


def verdicts(scenario: Scenario, values: Values, judged: dict[str, tuple[np.ndarray, ...]]) -> list[Verdict]:
    """Verdicts of one draw's rows (one per strategy), ordered by target as in the file, then strategy."""
    result = []
    for n, target in enumerate(scenario.targets):
        value, met, first = judged[target.name]
        for r in range(values.rows):
            applies = not np.isnan(met[r])
            shown = float(value[r]) if applies and not (target.kind == "payback" and np.isnan(value[r])) else None
            threshold = float(values.threshold[r, n])
            result.append(Verdict(
                target=target.name, label=target.label, strategy=scenario.strategies[values.strategy[r]].name,
                value=shown, threshold=threshold, comparison=target.comparison, kind=target.kind, unit=target.unit,
                met=bool(met[r]) if applies else None,
                margin=None if shown is None else margin(shown, target.comparison, threshold),
                first_month_met=int(first[r]) if applies and first[r] >= 0 else None))
    return result
