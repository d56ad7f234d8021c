"""The numbers a scenario's effects give, checked in every month: the reader's last check.

The reader checks each number of a file against its own range (:mod:`kikcalc.limits`); effects then
change rates, inflows and measure costs month by month, and several effects on one number compose.
:func:`problems` checks what they give, for every strategy and every month in which a rate changes:
probabilities within 0 to 1, hazards within their range, the probabilities of leaving a state adding
up to at most 1 (to within :data:`TOLERANCE`), inflows within 0 to 10 million persons a month, measure
costs within their range. Nothing out of range reaches the engine, so no effect can overflow it.

A problem the transitions make by themselves is reported once, at them. One that a strategy's
effects make is reported at the effect that drove the number out of its range and left it there: of
``set 0.5`` and then ``add 0.6`` on a probability, the ``add``. A rate out of range is reported once,
not again as the sum of the probabilities of leaving its state.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from kikcalc import keypaths, limits
from kikcalc.errors import Problem
from kikcalc.spec import Effect, Scenario

TOLERANCE = limits.SUM_TOLERANCE
"""How far the probabilities of leaving a state may add up to beyond 1: the rounding of a sum of floats."""


def problems(scenario: Scenario) -> list[Problem]:
    """Every rate, leaving probability, inflow and measure cost out of range after effects, by key path."""
    with np.errstate(all="ignore"):  # a number effects drive to inf or nan is reported below, not warned about
        return _Check(scenario).run()


def operation_key(effect: Effect) -> str:
    """The key an effect's number is written under: ``multiply``, ``inflow_add``, ``measures_cost_set``, ..."""
    return effect.operation if effect.on == "rate" else f"{effect.on}_{effect.operation}"


class _Check:
    def __init__(self, scenario: Scenario):
        from kikcalc.transitions import base_rates
        from kikcalc.values import for_scenario

        self.scenario = scenario
        self.values = for_scenario(scenario)
        self.base = base_rates(scenario, self.values)  # (K, n, A), monthly, before effects
        self.labels = scenario.calendar.labels
        self.index = {name: j for j, name in enumerate(scenario.state_names)}
        self.problems: list[Problem] = []

    def run(self) -> list[Problem]:
        from kikcalc.transitions import change_months, inflows, measures_costs, rates_in_month

        scenario, n_strategies = self.scenario, len(self.scenario.strategies)
        fine_before = self._transitions_alone()
        high = np.array([1.0 if tr.kind == "probability" else limits.HAZARD_PER_MONTH
                         for tr in scenario.transitions])[:, None]
        reported_rate = np.zeros((n_strategies, len(scenario.transitions)), dtype=bool)
        reported_state = np.zeros((n_strategies, len(scenario.states)), dtype=bool)  # a rate of it, or its sum
        reported_leaving = np.zeros(n_strategies, dtype=bool)
        for t in change_months(scenario):
            rates = rates_in_month(scenario, self.values, t)  # (K, n, A), every strategy at once
            outside = ~((rates >= 0) & (rates <= high))  # nan is outside too
            for k, i in zip(*np.nonzero(outside.any(axis=2) & ~reported_rate), strict=True):
                reported_rate[k, i] = True
                reported_state[k, self.index[scenario.transitions[i].source]] = True
                self._rate(k, i, t, rates[k, i], high[i, 0])
            leaving = self._leaving(rates)  # (K, S, A)
            over = (~(leaving <= 1.0 + TOLERANCE)).any(axis=2) & fine_before & ~reported_state & ~reported_leaving[:, None]
            for k in np.flatnonzero(over.any(axis=1)):
                reported_leaving[k] = True
                j = int(np.flatnonzero(over[k])[0])
                reported_state[k, j] = True
                self._sum(k, j, t, leaving[k, j])
        self._series(inflows(scenario, self.values), "inflow", limits.PERSONS, "the inflow to {state}",
                     "a number of persons a month", lambda k, t, j: self.values.inflow[k, t, j])
        self._series(measures_costs(scenario, self.values), "measures_cost", limits.KRONER_PER_PERSON,
                     "the measure cost of {state}", "an amount in kr. per full-year person",
                     lambda k, t, j: self.values.measures_cost[k, j])
        return self.problems

    # --- the transitions by themselves -------------------------------------------------------------

    def _transitions_alone(self) -> np.ndarray:
        """Report the states whose own rates add up to more than 1; the states that are fine, shape (S,)."""
        scenario = self.scenario
        leaving = self._leaving(self.base[:1])[0]  # (S, A), the baseline's rates before effects
        fine = leaving <= 1.0 + TOLERANCE
        for j in np.flatnonzero(~fine.all(axis=1)):
            paths = [tr.path for tr in scenario.transitions if tr.source == scenario.states[j].name]  # a bad state's only
            self.problems.append(Problem(paths[0], f"the monthly probabilities of leaving {scenario.states[j].name} "
                                                   f"add up to {limits.show_beyond(leaving[j].max(), 1.0)} "
                                                   f"({', '.join(paths)}); expected at most 1"))
        return fine.all(axis=1)

    def _leaving(self, rates: np.ndarray) -> np.ndarray:
        from kikcalc.transitions import leaving_probability, transition_probabilities

        return leaving_probability(self.scenario, transition_probabilities(self.scenario, rates))

    # --- what effects give ------------------------------------------------------------------------

    def _rate(self, k: int, i: int, t: int, rate: np.ndarray, high: float) -> None:
        """A transition's rate out of range in month t under strategy k, at the effect that drove it there."""
        tr, strategy = self.scenario.transitions[i], self.scenario.strategies[k]
        a = int(np.argmax(np.where(np.isnan(rate), np.inf, np.abs(rate - np.clip(rate, 0, high)))))
        worst = rate[a]
        season = self._season(t)[i, 0]  # the season and cycle scale the rate after the effects
        key = self._culprit(k, t, lambda e: e.on == "rate" and e.transition == i, self.base[k, i, a],
                            lambda r, e, effect: _compose(self.scenario, effect, r, self.values.effect[k, e], t),
                            lambda r: not 0 <= r * season <= high)  # nan too
        expected = "a probability between 0 and 1" if tr.kind == "probability" else f"a monthly hazard {limits.HAZARD.words()}"
        shown = limits.show_beyond(float(worst), high if worst > high else 0.0)
        self.problems.append(Problem(key, f"the {tr.source} -> {tr.target} rate becomes {shown} in {self.labels[t]} "
                                          f"under strategy {strategy.name}; expected {expected}"))

    def _sum(self, k: int, j: int, t: int, leaving: np.ndarray) -> None:
        """The probabilities of leaving state j add up to more than 1 in month t under strategy k."""
        scenario = self.scenario
        name = scenario.states[j].name
        from_j = {i for i, tr in enumerate(scenario.transitions) if tr.source == name}

        def apply(current: np.ndarray, e: int, effect: Effect) -> np.ndarray:
            changed = current.copy()
            changed[effect.transition] = _compose(scenario, effect, current[effect.transition], self.values.effect[k, e], t)
            return changed

        def bad(current: np.ndarray) -> bool:
            return not (self._leaving(current[None] * self._season(t))[0, j] <= 1.0 + TOLERANCE).all()

        key = self._culprit(k, t, lambda e: e.on == "rate" and e.transition in from_j, self.base[k], apply, bad)
        worst = float(np.max(np.where(np.isnan(leaving), np.inf, leaving)))
        self.problems.append(Problem(key, f"the monthly probabilities of leaving {name} add up to "
                                          f"{limits.show_beyond(worst, 1.0)} in {self.labels[t]} under strategy "
                                          f"{scenario.strategies[k].name}; expected at most 1"))

    def _season(self, t: int) -> np.ndarray:
        """The season and cycle's factor on each transition in month t, shape (n, 1)."""
        seasons = self.scenario.seasons
        return np.ones((len(self.scenario.transitions), 1)) if seasons is None else seasons.rate[t][:, None]

    def _series(self, numbers: np.ndarray, on: str, limit: limits.Range, subject: str, unit: str,
                start: Callable[[int, int, int], float]) -> None:
        """A per-state series after effects (K, T, S) out of its range: the first month of each strategy's first."""
        outside = ~((numbers >= limit.low) & (numbers <= limit.high))
        for k, strategy in enumerate(self.scenario.strategies):
            bad_t, bad_s = np.nonzero(outside[k])
            if not bad_t.size:
                continue
            t, j = int(bad_t[0]), int(bad_s[0])
            state = self.scenario.states[j].name
            key = self._culprit(k, t, lambda e, state=state: e.on == on and e.state == state, start(k, t, j),
                                lambda r, e, effect, k=k, t=t: _compose(self.scenario, effect, r, self.values.effect[k, e], t),
                                lambda r: not limit.low <= r <= limit.high)
            self.problems.append(Problem(key, f"{subject.format(state=state)} becomes {_beyond(float(numbers[k, t, j]), limit)} "
                                              f"in {self.labels[t]} under strategy {strategy.name}; expected "
                                              f"{unit} {limit.words()}"))

    def _culprit(self, k: int, t: int, acts_on: Callable[[Effect], bool], start: Any,
                 apply: Callable[[Any, int, Effect], Any], bad: Callable[[Any], bool]) -> str:
        """Key path of strategy k's effect that, in month t, drove a number out of its range for good.

        The strategy's effects acting on the number in that month are applied one by one, in the file's order;
        the one after which the number is out of range and stays so to the last is to blame.
        """
        chain = [(e, effect) for e, (owner, effect) in enumerate(self.scenario.effects)
                 if owner == k and acts_on(effect) and effect.weight[t] != 0]
        fine_after = -1 if bad(start) else 0  # how many effects had acted when the number was last in range
        current = start
        for m, (e, effect) in enumerate(chain, start=1):
            current = apply(current, e, effect)
            if not bad(current):
                fine_after = m
        if not chain or fine_after >= len(chain):
            return keypaths.child(keypaths.child("strategies", self.scenario.strategies[k].name), "effects")
        effect = chain[max(fine_after, 0)][1]
        return keypaths.child(effect.path, operation_key(effect))


def _beyond(value: float, limit: limits.Range) -> str:
    """A number out of its range, with the digits that tell it from the bound it crosses."""
    return limits.show_beyond(value, limit.high if value > limit.high else limit.low)


def _compose(scenario: Scenario, effect: Effect, current: Any, number: float, t: int) -> Any:
    """One effect applied in month t to a number in the engine's unit (:mod:`kikcalc.transitions`, the one home)."""
    from kikcalc.transitions import _compose as compose
    from kikcalc.transitions import _effect_number

    return compose(current, effect.operation, _effect_number(scenario, effect, np.asarray(number)), effect.weight[t])
