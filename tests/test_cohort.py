"""The fast step against a plain, loop-by-loop reading of the model's rules, on scenarios that use every path."""

from __future__ import annotations

import numpy as np
import pytest

from kikcalc.cohort import Structure, month_moves, rescaled_moves
from kikcalc.engine import simulate
from kikcalc.money import anciennitet_weights
from kikcalc.scenario import build
from kikcalc.transitions import (
    base_rates,
    effect_transitions,
    inflows,
    multiply_factors,
    rates_in_month,
    transition_probabilities,
)
from kikcalc.values import assign, for_scenario


def reference_headcount(scenario, values) -> np.ndarray:
    """Persons by state at each month's start, (R, T+1, S), by the rules of docs/model.md, one person-group at a time.

    A person in benefit state s with a completed months moves with the month's probability to j; in a
    benefit state they have min(a + 1, A - 1) months next month, in an outside state none. Persons in
    an outside state and entrants land in a benefit state by its inflow mix.
    """
    months, anc = scenario.calendar.months, scenario.anciennitet_months
    states = scenario.states
    index = {s.name: j for j, s in enumerate(states)}
    benefit = [s.is_benefit for s in states]
    inflow = inflows(scenario, values)
    result = np.zeros((values.rows, months + 1, len(states)))
    for r in range(values.rows):
        stock = values.initial[r][:, None] * values.initial_mix[r]
        result[r, 0] = stock.sum(axis=1)
        for t in range(months):
            p = transition_probabilities(scenario, rates_in_month(scenario, values, t))[r]  # (n, A)
            following = np.zeros_like(stock)
            for s in range(len(states)):
                for a in range(anc):
                    persons = stock[s, a]
                    if persons == 0:
                        continue
                    stay = 1.0
                    for i, tr in enumerate(scenario.transitions):
                        if index[tr.source] != s:
                            continue
                        moving, j = persons * p[i, a if benefit[s] else 0], index[tr.target]
                        stay -= p[i, a if benefit[s] else 0]
                        if not benefit[j]:
                            following[j, 0] += moving
                        elif benefit[s]:
                            following[j, min(a + 1, anc - 1)] += moving
                        else:
                            following[j] += moving * values.inflow_mix[r, j]
                    if benefit[s]:
                        following[s, min(a + 1, anc - 1)] += persons * stay
                    else:
                        following[s, 0] += persons * stay
            for j in range(len(states)):
                following[j] += inflow[r, t, j] * values.inflow_mix[r, j]
            stock = following
            result[r, t + 1] = stock.sum(axis=1)
    return result


def _every_path() -> dict:
    """Outside states listed first; banded moves between benefit states and out of them; a competing
    hazard by band; re-entry; entrants with anciennitet; a ramped multiply on a banded move out."""
    return {
        "scenario": {"name": "paths", "start": "2021-01", "end": "2022-06"},
        "states": {
            "job": {"kind": "outside", "initial": 40},
            "kh": {"initial": 300, "initial_anciennitet": {"0": 0.5, "4": 0.3, "13": 0.2}, "inflow": 12,
                   "inflow_anciennitet": {"0": 0.7, "13": 0.3}, "cost": 120_000, "cost_basis": "gross"},
            "syg": {"initial": 150, "initial_anciennitet": {"2": 1.0}, "inflow": {"2021": 8, "2022": 5}},
            "other": {"kind": "outside"},
        },
        "transitions": [
            {"from": "kh", "to": "job", "probability": {"0-5": 0.06, "6-11": 0.04, "12+": 0.02}},
            {"from": "kh", "to": "syg", "probability": {"0-2": 0.01, "3+": 0.03}},
            {"from": "syg", "to": "kh", "probability": 0.02},
            {"from": "syg", "to": "job", "hazard": {"0-5": 0.3, "6+": 0.1}, "per": "year"},
            {"from": "syg", "to": "other", "hazard": 0.05, "per": "year"},
            {"from": "job", "to": "kh", "probability": 0.004},
            {"from": "job", "to": "other", "probability": 0.01},
        ],
        "strategies": {"baseline": {},
                       "s": {"effects": [{"from": "kh", "to": "job", "multiply": 1.5, "start": "2021-03", "ramp_months": 4}]}},
    }


@pytest.mark.parametrize("draw_a_band", [False, True], ids=["profiles kept", "one band drawn alone"])
def test_the_step_equals_the_rules_applied_person_group_by_person_group(draw_a_band):
    scenario = build(_every_path())
    values = for_scenario(scenario, draws=2)
    if draw_a_band:  # the second draw's first band alone: that row leaves its profile
        values = assign(scenario, values, "transitions[0].probability.0-5", 0.09, rows=np.arange(values.rows) >= 2)
    trajectory = simulate(scenario, values, anciennitet_weights(scenario))
    np.testing.assert_allclose(trajectory.headcount, reference_headcount(scenario, values), rtol=1e-12, atol=1e-9)
    # Flows account for every change of stock.
    net = -trajectory.flows.sum(axis=3) + trajectory.flows.sum(axis=2) + trajectory.inflow
    np.testing.assert_allclose(np.diff(trajectory.headcount, axis=1), net, atol=1e-9)


def test_rescaling_the_moves_out_equals_rebuilding_them():
    raw = _every_path()
    raw["transitions"] = [t for t in raw["transitions"] if t.get("hazard") is None]
    scenario = build(raw)
    structure = Structure.of(scenario)
    assert structure.only_out_change
    values = for_scenario(scenario)
    base = base_rates(scenario, values)

    def probabilities(month):
        return transition_probabilities(scenario, rates_in_month(scenario, values, month, base))

    touched = effect_transitions(scenario)
    reference = structure.reference[touched]
    before = month_moves(structure, probabilities(2))
    # The rescale takes each touched rate where its profile is 1: the rate before effects times the effects' factor.
    scale = base[:, touched, reference] * multiply_factors(scenario, values, 4, touched)
    np.testing.assert_allclose(scale, rates_in_month(scenario, values, 4, base)[:, touched, reference], rtol=1e-15)
    rescaled = rescaled_moves(structure, before, touched, scale)
    rebuilt = month_moves(structure, probabilities(4))
    np.testing.assert_allclose(rescaled.small, rebuilt.small, rtol=1e-15)
    np.testing.assert_allclose(rescaled.leaving_else, rebuilt.leaving_else, rtol=1e-14)
