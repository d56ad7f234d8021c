"""Whether a row's numbers can run: the check that no draw makes leaving a state exceed 1, a rate leave its domain
or an inflow turn negative, in any month once effects, seasons and the cycle act (:func:`infeasible_states`).

The rule is the file's own (:func:`kikcalc.aftereffects.problems`), applied to many rows at once: a sensitivity
run excludes the draws it finds (:mod:`kikcalc.sensitivity`), goal seeking the points it finds
(:mod:`kikcalc.goalseek`). Nothing is clipped.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np

from kikcalc.spec import Scenario
from kikcalc.transitions import (
    base_rates,
    change_months,
    effect_transitions,
    inflows,
    leaving_probability,
    multiply_factors_by_month,
    rates_in_month,
    transition_probabilities,
)
from kikcalc.values import Values

TOLERANCE = 1e-9
"""Leaving a state counts as more than 1 beyond this (rounding in a sum of probabilities)."""


def infeasible_states(scenario: Scenario, values: Values) -> np.ndarray:
    """(R, S): True where a row's rates, in some month after effects, leave their domain (a probability
    outside [0, 1], a negative hazard) or make leaving the state more likely than 1, or where an
    inflow turns negative. The rule is the file's own (:func:`kikcalc.aftereffects.problems`).

    Month 0 checks every rate and state. A later month in which rates change
    (:func:`~kikcalc.transitions.change_months`) checks the rates effects, seasons and the cycle
    change (:func:`~kikcalc.transitions.effect_transitions`), the rest being month 0's; where no
    hazard competes with them, the states' leaving is month 0's plus what those rates changed by.
    """
    source, touched, by_difference, by_factors, by_state, months, one_each = _check_plan(scenario)
    bad = np.zeros((values.rows, len(scenario.states)), dtype=bool)
    base = base_rates(scenario, values)
    rates = base.copy()
    at_first = leaving_at_first = leaving_at_first_touched = bounds = None
    if by_factors:
        factors_in = multiply_factors_by_month(scenario, values, touched.tolist())
        base_touched = base[:, touched]
    # Where each touched rate has one multiply effect and no season, month 0's touched rates are their rates before
    # effects times month 0's factors: the numbers rates_in_month composes effect by effect (r (1 + (m - 1) w), x 1
    # where none acts; a factor of 1 where an effect's weight is 0, with m finite).
    first_by_factors = by_factors and one_each and scenario.seasons is None and bool(np.isfinite(values.effect).all())
    ahead: dict[int, tuple[np.ndarray, bool]] = {}  # by_state: the next months' factors and bounds, found together
    for position, t in enumerate(months.tolist()):
        if t == 0 and first_by_factors:
            at_first = base_touched * factors_in(0)[:, :, None]
            rates[:, touched] = at_first
            changed = rates
        elif t == 0 or not by_factors:
            rates = rates_in_month(scenario, values, t, base, out=rates)
            changed = rates if t == 0 else rates[:, touched]
        else:
            if by_state:
                if t not in ahead:
                    batch = months[position:position + MONTHS_AT_ONCE]
                    factors_of_batch = factors_in(batch)
                    ahead = dict(zip(batch.tolist(), zip(factors_of_batch, bounds.clearly_within_each(factors_of_batch),
                                                         strict=True), strict=True))
                factors, within = ahead[t]
                if within:
                    continue  # no touched rate below 0 and no touched state's leaving near 1: nothing new
            else:
                factors = factors_in(t)
            changed = base_touched * factors[:, :, None]
        # A probability above 1 makes its state's leaving exceed 1: below, only the lower end is checked.
        if not _at_least(changed, 0.0):
            with np.errstate(invalid="ignore"):
                out_of_domain = ~(changed >= 0).all(axis=2)  # NaN counts too
            np.logical_or.at(bad, (slice(None), source if t == 0 else source[touched]), out_of_domain)
        if t == 0 or not by_difference:
            leaving = leaving_probability(scenario, transition_probabilities(scenario, rates))
            if t == 0 and by_difference:
                at_first = rates[:, touched].copy() if at_first is None else at_first
                leaving_at_first = leaving
                if by_state:
                    leaving_at_first_touched = leaving[:, source[touched]]
                    bounds = _Bounds.of(base_touched, at_first, leaving_at_first_touched)
        else:
            if by_state and _leaving_within(changed - at_first, leaving_at_first_touched):
                continue  # every touched state's leaving at most 1, and the others' as in month 0
            leaving = leaving_at_first + leaving_probability(scenario, changed - at_first, touched)
        if not _at_least(-leaving, -1.0 - TOLERANCE):  # leaving at most 1
            with np.errstate(invalid="ignore"):
                bad |= ~(leaving <= 1.0 + TOLERANCE).all(axis=2)
    inflow = inflows(scenario, values)
    if not _at_least(inflow, 0.0):
        bad |= (inflow < 0).any(axis=1)
    return bad


MONTHS_AT_ONCE = 12
"""Ramp months whose factors and bounds :func:`infeasible_states` finds in one go (a year of a ramp)."""

_CHECK_PLANS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _check_plan(scenario: Scenario) -> tuple[np.ndarray, np.ndarray, bool, bool, bool, np.ndarray, bool]:
    """What :func:`infeasible_states` needs of a scenario's structure, found once per scenario (a run asks for every
    chunk): (each transition's source state (n,), the touched transitions, by_difference, by_factors, by_state, the
    months in which rates change, whether no two effects act on one rate)."""
    if scenario in _CHECK_PLANS:
        return _CHECK_PLANS[scenario]
    source = np.array([scenario.state_index(tr.source) for tr in scenario.transitions], dtype=int)
    hazard = np.array([tr.kind == "hazard" for tr in scenario.transitions], dtype=bool)
    touched = np.array(effect_transitions(scenario), dtype=int)
    by_difference = not np.isin(source[hazard], source[touched]).any()  # the touched leave no state a hazard leaves
    # Where effects only multiply, a later month's touched rates are their rates before effects times the
    # month's factors (as the engine rescales them), without the month's rates in full.
    by_factors = by_difference and all(effect.operation == "multiply" for _, effect in scenario.effects if effect.on == "rate")
    # Where the touched leave different states, a later month's leaving changes only in their states, by what
    # each one's rate changed by: only those are checked (below, the same numbers as in full).
    by_state = by_factors and len(np.unique(source[touched])) == len(touched)
    months = change_months(scenario)
    on_rates = [effect.transition for _, effect in scenario.effects if effect.on == "rate"]
    for array in (source, touched, months):
        array.flags.writeable = False
    _CHECK_PLANS[scenario] = plan = (source, touched, by_difference, by_factors, by_state, months,
                                     len(set(on_rates)) == len(on_rates))
    return plan


@dataclass(frozen=True)
class _Bounds:
    """What a ramp month's check needs of the touched rates over anciennitet, (R, touched) each, to see without the
    (R, touched, A) numbers that a month adds nothing to month 0's check: its touched rates are their rates before
    effects (``base``) times the month's factors F (R, touched), and each touched state's leaving month 0's leaving
    with the touched rate replaced. With F >= 0, the smallest rate over anciennitet is the smallest ``base`` times F
    (rounding keeps order), and a touched state's leaving is at most top(base) F + top(month 0's leaving less the
    touched rate), to within a few roundings of the numbers' size: a month within those bounds with room to spare
    (MARGIN) has no rate below 0 and no leaving above 1 in the full check either (:func:`infeasible_states`)."""

    top: np.ndarray
    """The largest touched rate before effects over anciennitet."""
    nonnegative: bool
    """Every touched rate before effects is at least 0 (none NaN)."""
    rest_top: np.ndarray
    """The largest month 0 leaving less the touched rate over anciennitet."""
    size: np.ndarray
    """The largest month 0 leaving and touched rate over anciennitet, in size: what the roundings scale with."""

    MARGIN = 1e-12

    @staticmethod
    def of(base: np.ndarray, at_first: np.ndarray, leaving_at_first: np.ndarray) -> _Bounds:
        with np.errstate(invalid="ignore"):
            return _Bounds(top=_top(base), nonnegative=_at_least(base, 0.0), rest_top=_top(leaving_at_first - at_first),
                           size=_top(np.abs(leaving_at_first)) + _top(np.abs(at_first)))

    def clearly_within_each(self, factors: np.ndarray) -> np.ndarray:
        """For each of M months' factors (M, R, touched), whether the month is clearly within the bounds, (M,)."""
        if not self.nonnegative:
            return np.zeros(len(factors), dtype=bool)
        if not factors[0].size:
            return np.ones(len(factors), dtype=bool)
        scaled = self.top * factors
        with np.errstate(invalid="ignore", over="ignore"):
            room = 1.0 + TOLERANCE - (scaled + self.rest_top) - self.MARGIN * (1.0 + scaled + self.size)
            return (np.min(factors, axis=(1, 2)) >= 0.0) & (np.min(room, axis=(1, 2)) >= 0.0)


def _top(array: np.ndarray) -> np.ndarray:
    """The largest number over the last axis, (..., A) -> (...); NaN where one is NaN. Over the first axis of the
    numbers laid out anciennitet first: numpy's reduction over a short last axis is several times slower."""
    return np.ascontiguousarray(np.moveaxis(array, -1, 0)).max(axis=0)


def _leaving_within(change: np.ndarray, leaving_at_first: np.ndarray) -> bool:
    """Whether the touched states' leaving in a month, month 0's plus what the touched rates changed by (R, touched, A),
    one touched rate a state, is at most 1 everywhere and every change finite: then the month's leaving in full
    (month 0's plus the change summed over the touched by :func:`~kikcalc.transitions.leaving_probability`, a sum
    of one change and exact zeros for each state) is these numbers in the touched states and month 0's in the
    others, and adds nothing to month 0's check. ``change`` is overwritten."""
    change += leaving_at_first
    with np.errstate(invalid="ignore"):
        return change.size == 0 or bool(np.max(change) <= 1.0 + TOLERANCE and np.min(change) > -np.inf)


def _at_least(array: np.ndarray, low: float) -> bool:
    """Whether every number of an array is at least ``low`` (and none is NaN): one pass, the usual case."""
    with np.errstate(invalid="ignore"):
        return array.size == 0 or bool(np.min(array) >= low)
