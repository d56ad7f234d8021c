"""Monthly transition probabilities, inflows and measure costs for every row, with effects applied.

Seasonal factors and a business-cycle multiplier (:class:`~kikcalc.spec.Seasons`) scale a month's
inflow and a month's rate (a monthly probability, or a monthly hazard before the competing-risk
conversion) after the strategy's effects; a factor is a ``multiply`` that acts on every row.

This is the one home of the unit conversion of rates (a ``mean_months`` stay is a hazard of
1/mean, a yearly hazard is /12 a month), of the competing-risk conversion, and of the way an effect
changes a number. An effect is an affine map of the number it acts on, scaled by its weight ``w``
in the month: ``multiply m``: r -> r (1 + (m-1) w); ``add a``: r -> r + a w; ``set v``:
r -> r + (v - r) w. Several effects on one number compose in the order the file gives them.
Values arrive in the file's own units (:mod:`kikcalc.values`) and are converted here, after any
of them has been set, so a number set by key path means what it means in the file.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable

import numpy as np

from kikcalc.spec import Effect, Scenario
from kikcalc.values import Values


def competing_risk_probabilities(hazards: np.ndarray) -> np.ndarray:
    """Monthly probabilities of leaving to each destination, from competing monthly hazards.

    ``hazards`` has the destinations on its last axis. With total hazard H, the probability of
    leaving to j within the month is (h_j / H)(1 - exp(-H)); with H = 0 it is 0. Same shape.
    """
    total = hazards.sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        probabilities = np.where(total > 0, hazards / total * -np.expm1(-total), 0.0)
    return probabilities


def effect_weight(months: int, first: int, last: int, ramp_months: int, fade_months: int) -> np.ndarray:
    """How much of an effect acts in each model month, shape (months,), values in [0, 1].

    The effect acts from model month ``first`` to ``last`` (inclusive; either may lie outside the
    horizon). It grows linearly over ``ramp_months`` (weight i/ramp in its i-th month) and, after
    ``last``, fades linearly over ``fade_months`` (weight 1 - k/fade in the k-th month after).
    """
    t = np.arange(months)
    weight = np.zeros(months)
    active = (t >= first) & (t <= last)
    ramp = max(ramp_months, 1)
    weight[active] = np.minimum(1.0, (t[active] - first + 1) / ramp)
    if fade_months > 0:
        # The fade starts from the weight the effect had reached in its last month.
        level_at_end = min(1.0, (last - first + 1) / ramp)
        after = t - last
        fading = (after >= 1) & (after < fade_months)
        weight[fading] = level_at_end * (1.0 - after[fading] / fade_months)
    return weight


def monthly_rate(form: str, value: np.ndarray) -> np.ndarray:
    """A transition's number in the file's unit as the engine's: a monthly probability or monthly hazard."""
    if form == "hazard per year":
        return value / 12.0
    if form == "mean_months":
        with np.errstate(divide="ignore"):
            return 1.0 / value
    return value


def _effect_number(scenario: Scenario, effect: Effect, value: np.ndarray) -> np.ndarray:
    """An effect's number in the engine's unit: ``add``/``set`` take the unit of the transition they change."""
    if effect.on != "rate" or effect.operation == "multiply":
        return value
    return monthly_rate(scenario.transitions[effect.transition].form, value)


def _compose(current: np.ndarray, operation: str, value: np.ndarray, weight: float | np.ndarray) -> np.ndarray:
    """One effect applied to a number: r -> r (1 + (m-1) w), r + a w, or r + (v - r) w."""
    if operation == "multiply":
        return current * (1.0 + (value - 1.0) * weight)
    if operation == "add":
        return current + value * weight
    return current + (value - current) * weight


def _acting(scenario: Scenario, values: Values, on: str) -> list[tuple[int, Effect, np.ndarray]]:
    """Effects on ``on`` with their index in the E axis and the rows they act on (their strategy's), in file order."""
    return [(e, effect, values.strategy == k) for e, (k, effect) in enumerate(scenario.effects) if effect.on == on]


def change_months(scenario: Scenario) -> np.ndarray:
    """Model months in which some transition's rate differs from the month before (0 always), sorted."""
    months = scenario.calendar.months
    changes = np.zeros(months, dtype=bool)
    changes[0] = True
    for _, effect in scenario.effects:
        if effect.on == "rate":
            changes[1:] |= np.diff(effect.weight) != 0
    if scenario.seasons is not None:
        changes[1:] |= (np.diff(scenario.seasons.rate, axis=0) != 0).any(axis=1)
    return np.flatnonzero(changes)


def base_rates(scenario: Scenario, values: Values) -> np.ndarray:
    """Each transition's monthly probability or monthly hazard before effects, shape (R, n, A); the
    values' own array (read only) when every rate is a monthly probability."""
    if all(tr.form == "probability" for tr in scenario.transitions):
        return values.rate
    rates = values.rate.copy()
    for form in ("hazard per year", "mean_months"):
        given = [i for i, tr in enumerate(scenario.transitions) if tr.form == form]
        if given:
            rates[:, given] = monthly_rate(form, rates[:, given])
    return rates


def rates_in_month(scenario: Scenario, values: Values, month: int, base: np.ndarray | None = None,
                   out: np.ndarray | None = None) -> np.ndarray:
    """Each transition's monthly probability or monthly hazard in one month, shape (R, n, A), effects applied.

    ``base``: :func:`base_rates`, if already at hand. ``out``: an array to write into that holds
    ``base`` wherever no effect acts (as this function leaves it), so only the rates effects change
    are written: a month's rates without copying every rate.
    """
    base = base_rates(scenario, values) if base is None else base
    acting = _acting(scenario, values, "rate")
    seasoned = [] if scenario.seasons is None else scenario.seasons.seasoned_transitions
    if out is None:
        rates = base.copy()
    else:
        rates = out
        changed = sorted({effect.transition for _, effect, _ in acting} | set(seasoned))
        rates[:, changed] = base[:, changed]
    for e, effect, rows in acting:
        weight = effect.weight[month]
        if weight == 0.0 or not rows.any():
            continue
        chosen = np.flatnonzero(rows)
        number = _effect_number(scenario, effect, values.effect[chosen, e])[:, None]
        i = effect.transition
        rates[chosen, i] = _compose(rates[chosen, i], effect.operation, number, weight)
    if seasoned:  # the season and the cycle scale the month's rate as the strategy's effects leave it
        rates[:, seasoned] *= scenario.seasons.rate[month, seasoned][None, :, None]
    return rates


def in_season(scenario: Scenario, rates: np.ndarray, month: int) -> np.ndarray:
    """Rates (R, n, A) with the month's seasonal and cycle factors applied (a copy), or ``rates`` if none acts."""
    seasoned = [] if scenario.seasons is None else scenario.seasons.seasoned_transitions
    if not seasoned:
        return rates
    rates = rates.copy()
    rates[:, seasoned] *= scenario.seasons.rate[month, seasoned][None, :, None]
    return rates


def multiply_factors(scenario: Scenario, values: Values, month: int, touched: list[int]) -> np.ndarray:
    """The combined factor of the ``multiply`` effects on each of some transitions in one month, shape
    (R, len(touched)): 1 + (m - 1) w for each effect on its strategy's rows, multiplied together, 1 where
    none acts. All effects at once: the ``add`` and ``set`` effects are :func:`rates_in_month`'s."""
    return multiply_factors_by_month(scenario, values, touched)(month)


def multiply_factors_by_month(scenario: Scenario, values: Values,
                              touched: list[int]) -> Callable[[int | np.ndarray], np.ndarray]:
    """:func:`multiply_factors` of one month, as a function of the month, for many months of the same rows: what
    does not change with the month (which effect acts on which row and transition, m - 1) is prepared once. Given
    an array of M months, the function gives their factors at once, shape (M, R, len(touched)), each month's the
    numbers it gives for that month alone."""
    chosen, effect_index, owner, column, weights, one_each, slots = _multiply_effects(scenario, tuple(touched))
    seasons = None if scenario.seasons is None else scenario.seasons.rate[:, touched]
    rows = values.rows
    shape = (rows, len(touched))
    if chosen and one_each:
        owns = values.strategy[:, None] == owner
        less_one = values.effect[:, effect_index] - 1.0
    elif chosen:  # each row's own strategy's effects, in order: (R, J) of each (none: a pad, m - 1 = 0 at column 0)
        own = slots[values.strategy]  # (R, J): places in the chosen effects, -1 a pad
        is_pad = own < 0
        own_less_one = np.where(is_pad, 0.0, np.take_along_axis(values.effect, effect_index[own], axis=1) - 1.0)
        own_column = np.where(is_pad, 0, column[own])
        every_row = np.arange(rows)

    def factors_in(month: int | np.ndarray) -> np.ndarray:
        factors = np.ones((*np.shape(month), *shape))
        if seasons is not None:
            factors *= seasons[month][..., None, :]
        if not chosen:
            return factors
        if one_each:
            factors[..., column] *= np.where(owns, 1.0 + less_one * weights[month][..., None, :], 1.0)
            return factors
        # One row's effects multiply in one after the other, in the effects' order, as np.multiply.at would over every
        # effect (each other strategy's a factor of exactly 1); a pad's factor is exactly 1. A place holds one effect
        # of each row, so each is one indexed multiply: (R, J) numbers, not (R, every strategy's effects).
        weight = weights[month][..., np.maximum(own, 0)]  # (..., R, J)
        for j in range(own.shape[1]):
            factors[..., every_row, own_column[:, j]] *= 1.0 + own_less_one[:, j] * weight[..., j]
        return factors

    return factors_in


_MULTIPLY_EFFECTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _multiply_effects(scenario: Scenario, touched: tuple[int, ...]) -> tuple:
    """The multiply effects on some transitions, of a scenario: (any, their index in the E axis, their strategies,
    their transitions' places among ``touched``, their weights (T, chosen), whether no two act on one transition,
    each strategy's places among them (K, J), -1 padded);
    found once per scenario (a run asks every month of every chunk)."""
    known = _MULTIPLY_EFFECTS.setdefault(scenario, {})
    if touched not in known:
        known[touched] = _find_multiply_effects(scenario, touched)
    return known[touched]


def _find_multiply_effects(scenario: Scenario, touched: tuple[int, ...]) -> tuple:
    position = {i: k for k, i in enumerate(touched)}
    effects = scenario.effects  # a list made anew each time it is asked for: once, not once per effect
    chosen = [(e, k, position[effect.transition]) for e, (k, effect) in enumerate(effects)
              if effect.on == "rate" and effect.operation == "multiply" and effect.transition in position]
    if not chosen:
        return False, None, None, None, None, True, None
    effect_index, owner, column = (np.array(part) for part in zip(*chosen, strict=True))
    weights = np.array([effects[e][1].weight for e in effect_index]).T  # (T, chosen)
    # Each strategy's chosen effects, in order, padded with -1 to the most any strategy has: (K, J).
    by_strategy = [np.flatnonzero(owner == k) for k in range(len(scenario.strategies))]
    slots = np.full((len(by_strategy), max(len(places) for places in by_strategy)), -1)
    for k, places in enumerate(by_strategy):
        slots[k, :len(places)] = places
    for array in (effect_index, owner, column, weights, slots):
        array.flags.writeable = False
    return True, effect_index, owner, column, weights, len(np.unique(column)) == len(column), slots


def effect_transitions(scenario: Scenario) -> list[int]:
    """The transitions some effect, season or cycle changes, in order (each only ever multiplied by a season)."""
    seasoned = set() if scenario.seasons is None else set(scenario.seasons.seasoned_transitions)
    return sorted({effect.transition for _, effect in scenario.effects if effect.on == "rate"} | seasoned)


def transition_probabilities(scenario: Scenario, rates: np.ndarray) -> np.ndarray:
    """Each transition's monthly probability, shape (..., n, A), from its rate (:func:`rates_in_month`).

    Hazards out of one state compete with each other (:func:`competing_risk_probabilities`);
    probabilities given directly are taken as they are.
    """
    hazard, source, _ = _structure(scenario)
    if not hazard.any():
        return rates
    # Total hazard out of each state, then each hazard's share of the month's leaving.
    onehot = np.zeros((len(source), len(scenario.states)))
    onehot[np.flatnonzero(hazard), source[hazard]] = 1.0
    hazards = np.where(hazard[:, None], rates, 0.0)
    total = np.matmul(onehot.T, hazards)[..., source, :]  # (..., n, A): each hazard's state's total
    with np.errstate(invalid="ignore", divide="ignore"):
        converted = np.where(total > 0, hazards / np.where(total > 0, total, 1.0) * -np.expm1(-total), 0.0)
    return np.where(hazard[:, None], converted, rates)


def leaving_probability(scenario: Scenario, probabilities: np.ndarray, transitions: np.ndarray | None = None) -> np.ndarray:
    """Monthly probability of leaving each state, shape (..., S, A), from :func:`transition_probabilities`
    (..., n, A); or, given ``transitions`` (indices), what those transitions' probabilities (..., len, A) alone add."""
    onehot = _structure(scenario)[2]
    if transitions is not None:
        onehot = onehot[transitions]
    return np.matmul(onehot.T, probabilities)


_STRUCTURES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _structure(scenario: Scenario) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(whether each transition is a hazard (n,), its source state (n,), the transitions by source state (n, S), 1
    where the transition leaves the state), read only; found once per scenario (a run asks every month of every chunk)."""
    if scenario in _STRUCTURES:
        return _STRUCTURES[scenario]
    index = {name: j for j, name in enumerate(scenario.state_names)}
    hazard = np.array([tr.kind == "hazard" for tr in scenario.transitions], dtype=bool)
    source = np.array([index[tr.source] for tr in scenario.transitions], dtype=int)
    from_state = np.zeros((len(scenario.transitions), len(scenario.states)))
    from_state[np.arange(len(source)), source] = 1.0
    for array in (hazard, source, from_state):
        array.flags.writeable = False
    _STRUCTURES[scenario] = found = (hazard, source, from_state)
    return found


def _with_state_effects(scenario: Scenario, values: Values, base: np.ndarray, on: str) -> np.ndarray:
    """A per-state monthly series (R, T, S) with the effects ``on`` that quantity applied; ``base`` itself
    (read only) if no effect acts on it."""
    acting = [(e, effect, rows) for e, effect, rows in _acting(scenario, values, on) if rows.any()]
    if not acting:
        return base
    result = np.array(base, dtype=float, copy=True)
    index = {name: j for j, name in enumerate(scenario.state_names)}
    for e, effect, rows in acting:
        j = index[effect.state]
        result[rows, :, j] = _compose(result[rows, :, j], effect.operation, values.effect[rows, e][:, None], effect.weight)
    return result


def inflows(scenario: Scenario, values: Values) -> np.ndarray:
    """Persons entering each state from outside the model in each month, shape (R, T, S).

    The strategy's inflow effects act first; the season and the cycle then scale the month's inflow.
    """
    inflow = _with_state_effects(scenario, values, values.inflow, "inflow")
    if scenario.seasons is not None and (scenario.seasons.inflow != 1.0).any():
        inflow = inflow * scenario.seasons.inflow[None]
    return inflow


def measures_costs(scenario: Scenario, values: Values) -> np.ndarray:
    """Each state's ordinary measure cost, kr. per full-year person, in each month, shape (R, T, S).

    Zero for outside states; a strategy's ``measures_cost_multiply`` / ``measures_cost_set``
    effects change it in their windows, like any other effect.
    """
    base = np.broadcast_to(values.measures_cost[:, None, :], (values.rows, scenario.calendar.months, len(scenario.states)))
    return _with_state_effects(scenario, values, base, "measures_cost")
