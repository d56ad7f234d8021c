"""Targets: every committee target judged for every strategy.

A verdict holds the value, the threshold, met or missed, the margin (positive when met by that
much) and the first month in which the target's condition held. Money targets compare a strategy
with the baseline, so for the baseline itself they are "not applicable".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kikcalc.engine import Trajectory
from kikcalc.money import Money
from kikcalc.spec import Comparison, Scenario, Target


@dataclass(frozen=True)
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


TOLERANCE = 1e-9
"""Relative: a value this close to a max/min threshold meets it (5 persons summed from fractions is
4.9999999999 in floating point), and one this close to a below/above threshold does not."""


def meets(values: np.ndarray, comparison: Comparison, threshold: float) -> np.ndarray:
    """Whether each value meets the threshold: below <, max <=, above >, min >= (to within TOLERANCE)."""
    slack = TOLERANCE * max(1.0, abs(threshold))
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


def _first(condition: np.ndarray) -> int | None:
    hits = np.flatnonzero(condition)
    return int(hits[0]) if hits.size else None


def _ratio(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    """part / whole, NaN where whole is 0."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(whole > 0, part / np.where(whole > 0, whole, 1.0), np.nan)


def _counted(target: Target, scenario: Scenario, trajectory: Trajectory) -> tuple[np.ndarray, np.ndarray | None]:
    """What the target counts in each month, shape (K, T), and a share target's denominator.

    Level: full-time persons in its states. Share: full-time persons in ``share_of`` (the
    numerator), with those in ``states`` as the denominator. Flow: persons moved so far in the window.
    """
    idx = {name: j for j, name in enumerate(scenario.state_names)}
    if target.kind == "flow":
        flows = trajectory.flows[:, :, [idx[s] for s in target.flow_from]][:, :, :, [idx[s] for s in target.flow_to]]
        moved = flows.sum(axis=(2, 3))
        window = np.zeros(moved.shape[1], dtype=bool)
        window[target.first: target.month + 1] = True
        return np.cumsum(np.where(window, moved, 0.0), axis=1), None
    fte = trajectory.full_time_persons
    counted = fte[:, :, [idx[s] for s in target.states]].sum(axis=2)
    if target.kind == "level":
        return counted, None
    return fte[:, :, [idx[s] for s in target.share_of]].sum(axis=2), counted


def _judge_series(target: Target, scenario: Scenario, trajectory: Trajectory) -> list[tuple[float, bool, int | None]]:
    """(value, met, first month met) for each strategy; the first month is searched up to the target's date."""
    counted, denominator = _counted(target, scenario, trajectory)
    series = counted if denominator is None else _ratio(counted, denominator)
    ok = meets(series, target.comparison, target.threshold)
    verdicts = []
    for k in range(series.shape[0]):
        if target.kind == "flow":
            value = series[k, target.month]
            first = _first(ok[k, target.first: target.month + 1])
            first = None if first is None else first + target.first
            met = bool(meets(np.array(value), target.comparison, target.threshold))
        elif target.when == "at":
            value = series[k, target.month]
            met, first = bool(ok[k, target.month]), _first(ok[k, : target.month + 1])
        elif target.when == "year":
            months = scenario.calendar.year_months(target.year)
            if denominator is None:
                value = float(np.mean(counted[k, months]))
            else:  # full-time persons over the year in share_of, over those in states
                value = float(_ratio(np.mean(counted[k, months]), np.mean(denominator[k, months])))
            met = bool(meets(np.array(value), target.comparison, target.threshold))
            first = _first(ok[k, : months[-1] + 1])
        else:  # by / window: met in any month of the span; the value is the best reached in it
            start = target.first if target.when == "window" else 0
            span = series[k, start: target.month + 1]
            if np.isnan(span).all():
                value, first = float("nan"), None
            else:
                value = float(np.nanmin(span) if target.comparison in ("below", "max") else np.nanmax(span))
                first = _first(ok[k, start: target.month + 1])
                first = None if first is None else first + start
            met = first is not None
        verdicts.append((float(value), met, first))
    return verdicts


def _judge_programme(target: Target, scenario: Scenario, trajectory: Trajectory) -> list[tuple[float | None, bool | None, int | None]]:
    """(share, met, first month met) for each strategy; (None, None, None) where the programme is not.

    The share is of the programme's leavers in the window (completers and drop-outs) who went to
    the ``flow_to`` states, counted cumulatively from the window's first month; its value is at the
    window's end.
    """
    idx = {name: j for j, name in enumerate(scenario.state_names)}
    owner = {p.name: (i, k) for i, (k, p) in enumerate(scenario.programmes)}
    p, owning = owner[target.programme]
    window = slice(target.first, target.month + 1)
    leavers = trajectory.programme_leavers[owning, window, p]  # (months, S)
    share = _ratio(np.cumsum(leavers[:, [idx[s] for s in target.flow_to]].sum(axis=1)), np.cumsum(leavers.sum(axis=1)))
    ok = meets(share, target.comparison, target.threshold)
    first = _first(ok)
    verdict = (float(share[-1]), bool(ok[-1]), None if first is None else first + target.first)
    return [verdict if k == owning else (None, None, None) for k in range(len(scenario.strategies))]


MONEY_KINDS = ("payback", "npv")


def _common(target: Target) -> dict:
    return {"target": target.name, "label": target.label, "threshold": target.threshold,
            "comparison": target.comparison, "kind": target.kind}


def evaluate_persons(scenario: Scenario, trajectory: Trajectory) -> list[Verdict]:
    """Verdicts of the targets on persons (level, share, flow), which need no money."""
    verdicts: list[Verdict] = []
    for target in scenario.targets:
        if target.kind in MONEY_KINDS:
            continue
        judged = (_judge_programme if target.kind == "programme" else _judge_series)(target, scenario, trajectory)
        for k, (value, met, first) in enumerate(judged):
            verdicts.append(Verdict(strategy=scenario.strategies[k].name, value=value, met=met,
                                    margin=None if value is None else margin(value, target.comparison, target.threshold),
                                    first_month_met=first, **_common(target)))
    return verdicts


def evaluate_money(scenario: Scenario, money: Money) -> list[Verdict]:
    """Verdicts of the money targets (payback, npv); not applicable to the baseline."""
    verdicts: list[Verdict] = []
    payback, npv = money.payback_month, money.npv
    for target in scenario.targets:
        if target.kind not in MONEY_KINDS:
            continue
        for k, strategy in enumerate(scenario.strategies):
            if k == 0:
                verdicts.append(Verdict(strategy=strategy.name, value=None, met=None, margin=None,
                                        first_month_met=None, **_common(target)))
            elif target.kind == "payback":
                month = int(payback[k])
                verdicts.append(Verdict(strategy=strategy.name, value=None if month < 0 else float(month),
                                        met=0 <= month <= target.month,
                                        margin=None if month < 0 else float(target.month - month),
                                        first_month_met=None if month < 0 else month, **_common(target)))
            else:
                value = float(npv[k])
                verdicts.append(Verdict(strategy=strategy.name, value=value, met=value >= target.threshold,
                                        margin=value - target.threshold, first_month_met=None, **_common(target)))
    return verdicts


def in_file_order(scenario: Scenario, verdicts: list[Verdict]) -> list[Verdict]:
    """Verdicts ordered by target (as in the file), then strategy."""
    order = {t.name: i for i, t in enumerate(scenario.targets)}
    return sorted(verdicts, key=lambda v: order[v.target])  # sorted() is stable: strategies stay in order


def evaluate(scenario: Scenario, trajectory: Trajectory, money: Money) -> list[Verdict]:
    """Every target's verdict for every strategy, in file order then strategy order."""
    return in_file_order(scenario, evaluate_persons(scenario, trajectory) + evaluate_money(scenario, money))
