"""The cohort engine against closed forms: decay, steady state, conservation, anciennitet."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import one_state, with_changes
from kikcalc.engine import simulate
from kikcalc.scenario import build


def test_geometric_decay_of_a_closed_cohort():
    p, n = 0.08, 1000.0
    trajectory = simulate(build(one_state(p_exit=p, initial=n, months=36)))
    headcount = trajectory.headcount[0, :, 0]
    t = np.arange(37)
    np.testing.assert_allclose(headcount, n * (1 - p) ** t, rtol=1e-12)
    # Full-time persons: the mean of start and end stock, n (1-p)^t (1 - p/2).
    np.testing.assert_allclose(trajectory.full_time_persons[0, :, 0], n * (1 - p) ** t[:-1] * (1 - p / 2), rtol=1e-12)


def test_steady_state_is_inflow_over_exit_probability():
    p, u = 0.04, 45.0
    trajectory = simulate(build(one_state(p_exit=p, initial=0.0, inflow=u, months=600)))
    assert trajectory.headcount[0, -1, 0] == pytest.approx(u / p, rel=1e-9)


def test_starting_at_the_steady_state_stays_there():
    p, u = 0.04, 45.0
    trajectory = simulate(build(one_state(p_exit=p, initial=u / p, inflow=u, months=60)))
    np.testing.assert_allclose(trajectory.headcount[0, :, 0], 1125.0, rtol=1e-12)


def test_persons_are_conserved_in_every_month():
    raw = {
        "scenario": {"name": "c", "start": "2021-01", "end": "2023-12"},
        "states": {
            "a": {"initial": 500, "inflow": {"2021": 30, "2022-06": 50}},
            "b": {"initial": 200, "inflow": 10},
            "out": {"kind": "outside", "initial": 50},
        },
        "transitions": [
            {"from": "a", "to": "b", "probability": {"0-5": 0.02, "6+": 0.05}},
            {"from": "a", "to": "out", "hazard": 0.6, "per": "year"},
            {"from": "b", "to": "out", "mean_months": 18},
            {"from": "out", "to": "a", "probability": 0.01},
        ],
        "strategies": {
            "baseline": {},
            "s": {"effects": [{"from": "a", "to": "out", "multiply": 1.5, "start": "2021-06", "ramp_months": 4},
                              {"state": "a", "inflow_multiply": 0.8}]},
        },
    }
    trajectory = simulate(build(raw))
    total = trajectory.headcount.sum(axis=2)  # (K, T+1)
    expected = 750 + np.concatenate([np.zeros((2, 1)), np.cumsum(trajectory.inflow.sum(axis=2), axis=1)], axis=1)
    np.testing.assert_allclose(total, expected, rtol=1e-12)
    # The flows account for every change of stock: stock[t+1] = stock[t] - out + in + inflow.
    h, flows = trajectory.headcount, trajectory.flows
    net = -flows.sum(axis=3) + flows.sum(axis=2) + trajectory.inflow
    np.testing.assert_allclose(h[:, 1:] - h[:, :-1], net, atol=1e-9)


def test_a_strategy_without_effects_equals_the_baseline():
    raw = with_changes(one_state(p_exit=0.05, initial=800, inflow=30), strategies={"baseline": {}, "same": {}})
    trajectory = simulate(build(raw))
    np.testing.assert_array_equal(trajectory.stock[0], trajectory.stock[1])


def test_anciennitet_is_kept_across_benefit_states_and_capped():
    raw = {
        "scenario": {"name": "anc", "start": "2021-01", "end": "2022-12"},
        "states": {
            "syg": {"initial": 100, "initial_anciennitet": {"0": 1}},
            "job_afkl": {},
            "out": {"kind": "outside"},
        },
        "transitions": [{"from": "syg", "to": "job_afkl", "probability": 1.0}],
        "strategies": {"baseline": {}},
    }
    scenario = build(raw)
    trajectory = simulate(scenario)
    stock = trajectory.stock[0]
    # After one month all 100 are in jobafklaring with one month of anciennitet.
    assert stock[1, 1, 1] == pytest.approx(100.0)
    assert stock[1, 0].sum() == 0.0
    # After 20 months they sit in the last, open-ended anciennitet month (13+).
    assert scenario.anciennitet_months == 14
    assert stock[20, 1, 13] == pytest.approx(100.0)


def test_a_return_from_an_outside_state_enters_like_inflow():
    raw = {
        "scenario": {"name": "ret", "start": "2021-01", "end": "2021-03"},
        "states": {
            "kh": {"initial": 0, "inflow_anciennitet": {"0": 0.5, "13": 0.5}},
            "out": {"kind": "outside", "initial": 100},
        },
        "transitions": [{"from": "out", "to": "kh", "probability": 0.1}],
        "strategies": {"baseline": {}},
    }
    stock = simulate(build(raw)).stock[0]
    np.testing.assert_allclose(stock[1, 0, [0, 13]], [5.0, 5.0])


def test_hazards_from_one_state_compete():
    h1, h2 = 0.1, 0.3
    raw = {
        "scenario": {"name": "cr", "start": "2021-01", "end": "2021-01"},
        "states": {"kh": {"initial": 1000}, "job": {"kind": "outside"}, "fp": {"kind": "outside"}},
        "transitions": [{"from": "kh", "to": "job", "hazard": h1}, {"from": "kh", "to": "fp", "hazard": h2 * 12, "per": "year"}],
        "strategies": {"baseline": {}},
    }
    flows = simulate(build(raw)).flows[0, 0]
    leave = 1 - np.exp(-(h1 + h2))
    assert flows[0, 1] == pytest.approx(1000 * h1 / (h1 + h2) * leave, rel=1e-12)
    assert flows[0, 2] == pytest.approx(1000 * h2 / (h1 + h2) * leave, rel=1e-12)


def test_mean_months_is_a_hazard_of_one_over_the_mean():
    trajectory = simulate(build(one_state(p_exit=0.1, initial=1000.0) | {
        "transitions": [{"from": "kh", "to": "job", "mean_months": 10}]}))
    assert trajectory.headcount[0, 1, 0] == pytest.approx(1000 * np.exp(-0.1), rel=1e-12)


def test_exit_rate_by_anciennitet_band():
    # Everyone starts new; the rate is 0.2 for months 0-1 and 0 after, so exactly two months of exits.
    raw = one_state(initial=1000.0, initial_anciennitet={"0": 1})
    raw["transitions"][0]["probability"] = {"0-1": 0.2, "2+": 0.0}
    headcount = simulate(build(raw)).headcount[0, :, 0]
    np.testing.assert_allclose(headcount[:5], [1000, 800, 640, 640, 640])


def test_initial_mix_settles_into_the_geometric_steady_state():
    # One state, inflow at anciennitet 0, constant exit p: the share with a months is p (1-p)^a,
    # and the open last month (13+) holds (1-p)^13.
    p = 0.1
    trajectory = simulate(build(one_state(p_exit=p, initial=1000.0, inflow=100.0)))
    mix = trajectory.stock[0, 0, 0] / 1000.0
    a = np.arange(13)
    np.testing.assert_allclose(mix[:13], p * (1 - p) ** a, rtol=1e-9)
    assert mix[13] == pytest.approx((1 - p) ** 13, rel=1e-9)
    assert trajectory.initial_mix_settled[0]


def test_a_run_keeps_no_stock_by_anciennitet_and_gives_it_when_asked_the_same_numbers():
    from conftest import SCENARIOS
    from kikcalc import run
    from kikcalc.money import anciennitet_weights
    from kikcalc.scenario import load

    scenario = load(SCENARIOS / "aabenraa-kik2.toml")
    result = run(scenario)
    assert result.trajectory.stock is None  # (strategies, months + 1, states, anciennitet months): not kept
    kept = simulate(scenario, result.values, anciennitet_weights(scenario), keep_stock=True)
    np.testing.assert_array_equal(result.stock, kept.stock)
    # The stock's persons are the run's headcount (outside states count everyone at anciennitet 0).
    np.testing.assert_allclose(result.stock.sum(axis=-1), result.trajectory.ordinary_headcount, rtol=1e-12)
