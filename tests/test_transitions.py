"""Competing risks and effects: the conversion, the ramp and fade, the composition of effects."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import one_state, with_changes
from kikcalc.scenario import build
from kikcalc.transitions import (
    competing_risk_probabilities,
    effect_weight,
    inflows,
    rates_in_month,
)
from kikcalc.values import for_scenario


def transition_rates(scenario):
    """Each transition's engine rate in each month for each strategy, shape (K, T, n, A)."""
    values = for_scenario(scenario)
    return np.stack([rates_in_month(scenario, values, t) for t in range(scenario.calendar.months)], axis=1)


def test_competing_risk_conversion_closed_form():
    hazards = np.array([0.1, 0.3, 0.0])
    p = competing_risk_probabilities(hazards)
    total = 1 - np.exp(-0.4)
    np.testing.assert_allclose(p, [0.25 * total, 0.75 * total, 0.0], rtol=1e-14)
    assert p.sum() == pytest.approx(total)


def test_competing_risk_with_no_hazard_is_zero():
    np.testing.assert_array_equal(competing_risk_probabilities(np.zeros((2, 3))), np.zeros((2, 3)))


def test_effect_weight_ramps_and_fades_linearly():
    weight = effect_weight(months=12, first=2, last=6, ramp_months=3, fade_months=4)
    np.testing.assert_allclose(weight, [0, 0, 1 / 3, 2 / 3, 1, 1, 1, 0.75, 0.5, 0.25, 0, 0])


def test_effect_weight_fades_from_a_ramp_that_had_not_finished():
    weight = effect_weight(months=6, first=0, last=0, ramp_months=4, fade_months=2)
    np.testing.assert_allclose(weight, [0.25, 0.125, 0, 0, 0, 0])


def test_effect_weight_without_ramp_is_a_step():
    np.testing.assert_array_equal(effect_weight(5, 1, 3, 0, 0), [0, 1, 1, 1, 0])


def _strategy(*effects):
    return {"baseline": {}, "s": {"effects": list(effects)}}


def test_multiply_add_and_set_in_the_order_given():
    raw = with_changes(one_state(p_exit=0.1, months=3), strategies=_strategy(
        {"from": "kh", "to": "job", "multiply": 2.0},
        {"from": "kh", "to": "job", "add": 0.05, "start": "2020-02"},
        {"from": "kh", "to": "job", "set": 0.5, "start": "2020-03"},
    ))
    rates = transition_rates(build(raw))
    np.testing.assert_allclose(rates[0, :, 0, 0], [0.1, 0.1, 0.1])
    np.testing.assert_allclose(rates[1, :, 0, 0], [0.2, 0.25, 0.5])


def test_a_ramping_multiply_scales_the_difference():
    raw = with_changes(one_state(p_exit=0.1, months=4), strategies=_strategy(
        {"from": "kh", "to": "job", "multiply": 1.6, "ramp_months": 4}))
    rates = transition_rates(build(raw))
    np.testing.assert_allclose(rates[1, :, 0, 0], 0.1 * (1 + 0.6 * np.array([0.25, 0.5, 0.75, 1.0])))


def test_inflow_effect():
    raw = with_changes(one_state(inflow=40, months=3), strategies=_strategy(
        {"state": "kh", "inflow_multiply": 0.75, "start": "2020-02"}))
    np.testing.assert_allclose(inflows(scenario := build(raw), for_scenario(scenario))[:, :, 0], [[40, 40, 40], [40, 30, 30]])


def test_set_and_add_are_in_the_transitions_own_unit():
    raw = one_state(months=2)
    raw["states"]["fp"] = {"kind": "outside"}
    raw["transitions"] = [{"from": "kh", "to": "job", "mean_months": 20},
                          {"from": "kh", "to": "fp", "hazard": 0.12, "per": "year"}]
    raw["strategies"]["s"] = {"effects": [{"from": "kh", "to": "job", "set": 10},
                                          {"from": "kh", "to": "fp", "add": 0.12}]}
    rates = transition_rates(build(raw))
    np.testing.assert_allclose(rates[0, 0, :, 0], [1 / 20, 0.01])
    np.testing.assert_allclose(rates[1, 0, :, 0], [1 / 10, 0.02])  # a 10-month mean; 0.24 a year


def test_many_strategies_with_several_multiply_effects_on_one_transition():
    """Each row's factor is its own strategy's multiply effects on the transition, composed in file order:
    (1 + (m1 - 1) w1) (1 + (m2 - 1) w2), w the ramp's i/4 in its i-th month; other strategies' effects leave it."""
    from kikcalc.transitions import effect_transitions, multiply_factors_by_month

    ramp = {"from": "kh", "to": "job", "ramp_months": 4}
    strategies = {"baseline": {}}
    for k in range(1, 6):  # strategy k: two effects on kh -> job, with factors 1 + k/10 and 1 - k/20
        strategies[f"s{k}"] = {"effects": [{**ramp, "multiply": 1 + k / 10}, {**ramp, "multiply": 1 - k / 20}]}
    strategies["s6"] = {"effects": [{**ramp, "multiply": 1.7}]}  # one effect: a pad in the second place
    scenario = build(with_changes(one_state(p_exit=0.1, months=6), strategies=strategies))
    values = for_scenario(scenario, 3)  # three draws of every strategy
    factors_in = multiply_factors_by_month(scenario, values, effect_transitions(scenario))
    months = np.arange(6)
    w = np.minimum((months + 1) / 4, 1.0)
    by_strategy = [np.ones(6)] + [(1 + (k / 10) * w) * (1 - (k / 20) * w) for k in range(1, 6)] + [1 + 0.7 * w]
    expected = np.array([by_strategy[k] for k in values.strategy]).T  # (T, R)
    together = factors_in(months)[:, :, 0]
    np.testing.assert_allclose(together, expected, rtol=1e-15)
    for t in months:  # one month at a time: the same numbers, bit for bit
        np.testing.assert_array_equal(factors_in(int(t))[:, 0], together[t])
