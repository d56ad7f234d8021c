"""Monthly transition probabilities and inflows for every strategy, with effects applied.

This is the one home of the competing-risk conversion and of the way an effect changes a rate.
An effect is an affine map of the rate it acts on, scaled by its weight ``w`` in the month:
``multiply m``: r -> r (1 + (m-1) w); ``add a``: r -> r + a w; ``set v``: r -> r + (v - r) w.
Several effects on one rate compose in the order the file gives them.
"""

from __future__ import annotations

import numpy as np

from kikcalc.spec import Effect, Scenario


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


def _affine(effects: list[Effect], months: int) -> tuple[np.ndarray, np.ndarray]:
    """Compose effects into r -> alpha r + beta for each month, shapes (T,) and (T,)."""
    alpha = np.ones(months)
    beta = np.zeros(months)
    for effect in effects:
        w = effect.weight
        if effect.operation == "multiply":
            scale, shift = 1.0 + (effect.value - 1.0) * w, 0.0
        elif effect.operation == "add":
            scale, shift = 1.0, effect.value * w
        else:  # set
            scale, shift = 1.0 - w, effect.value * w
        alpha, beta = alpha * scale, beta * scale + shift
    return alpha, beta


def transition_rates(scenario: Scenario) -> np.ndarray:
    """Each transition's rate in each month for each strategy, shape (K, T, n_transitions, A).

    The rate is the transition's own kind: a monthly probability or a monthly hazard.
    """
    months, anc = scenario.calendar.months, scenario.anciennitet_months
    n = len(scenario.transitions)
    base = np.array([tr.value for tr in scenario.transitions]).reshape(n, anc)
    rates = np.broadcast_to(base, (len(scenario.strategies), months, n, anc)).copy()
    for k, strategy in enumerate(scenario.strategies):
        for i in {e.transition for e in strategy.effects if e.on == "rate"}:
            alpha, beta = _affine([e for e in strategy.effects if e.transition == i], months)
            rates[k, :, i, :] = alpha[:, None] * base[i][None, :] + beta[:, None]
    return rates


def _with_state_effects(scenario: Scenario, base: np.ndarray, on: str) -> np.ndarray:
    """A per-state monthly series (T, S) for each strategy, with its effects ``on`` that quantity, shape (K, T, S)."""
    months = scenario.calendar.months
    result = np.broadcast_to(base, (len(scenario.strategies), *base.shape)).copy()
    for k, strategy in enumerate(scenario.strategies):
        for name in {e.state for e in strategy.effects if e.on == on}:
            j = scenario.state_index(name)
            alpha, beta = _affine([e for e in strategy.effects if e.on == on and e.state == name], months)
            result[k, :, j] = alpha * base[:, j] + beta
    return result


def inflows(scenario: Scenario) -> np.ndarray:
    """Persons entering each state from outside the model in each month, shape (K, T, S)."""
    return _with_state_effects(scenario, np.stack([s.inflow for s in scenario.states], axis=-1), "inflow")


def measures_costs(scenario: Scenario) -> np.ndarray:
    """Each state's ordinary measure cost, kr. per full-year person, in each month, shape (K, T, S).

    Zero for outside states; a strategy's ``measures_cost_multiply`` / ``measures_cost_set``
    effects change it in their windows, like any other effect.
    """
    base = np.array([s.measures_cost if s.is_benefit else 0.0 for s in scenario.states])
    return _with_state_effects(scenario, np.tile(base, (scenario.calendar.months, 1)), "measures_cost")


def monthly_probabilities(scenario: Scenario, rates: np.ndarray) -> np.ndarray:
    """Probability of moving from state s to state j within a month, shape (..., S, S, A).

    ``rates`` holds each transition's rate, shape (..., n_transitions, A): one month of
    :func:`transition_rates`' output, or all of it. Hazards from one state compete with each other;
    probabilities given directly are added to theirs. The diagonal holds the probability to stay.
    """
    leading, anc = rates.shape[:-2], rates.shape[-1]
    n_states = len(scenario.states)
    index = {name: i for i, name in enumerate(scenario.state_names)}
    direct = np.zeros((*leading, n_states, n_states, anc))
    hazard = np.zeros_like(direct)
    for i, tr in enumerate(scenario.transitions):
        into = direct if tr.kind == "probability" else hazard
        into[..., index[tr.source], index[tr.target], :] += rates[..., i, :]
    # Destinations on the last axis for the conversion, then back.
    hazard_p = np.swapaxes(competing_risk_probabilities(np.swapaxes(hazard, -1, -2)), -1, -2)
    moves = direct + hazard_p
    diagonal = np.arange(n_states)
    moves[..., diagonal, diagonal, :] = 0.0
    moves[..., diagonal, diagonal, :] = 1.0 - moves.sum(axis=-2)
    return moves
