"""Seasons and the business cycle (issue 12, rule 6): kikcalc/scenario_seasons.py and kikcalc/transitions.py.

Each number is checked against a value computed by hand (the derivation is in the comment) or against
the rules applied person group by person group (tests/test_cohort.py's reference).
"""

from __future__ import annotations

import numpy as np
import pytest
from test_cohort import _every_path, reference_headcount

from conftest import one_state
from kikcalc.engine import simulate
from kikcalc.money import anciennitet_weights
from kikcalc.result import run_scenario
from kikcalc.scenario import build
from kikcalc.values import for_scenario

SEASON = {"1": 1.15, "2": 1.10, "7": 0.85, "8": 0.80, "12": 1.05}


def _kh(result, column: str) -> np.ndarray:
    monthly = result.monthly
    return monthly[(monthly.strategy == "baseline") & (monthly.state == "kh")][column].to_numpy()


def test_normalised_seasonal_factors_leave_each_years_inflow_as_the_file_gives_it():
    # 24 months of inflow 12 a month: 144 a year whatever the season, once the factors have mean 1.
    scenario = build(one_state(inflow=12, months=24, season=SEASON))
    inflow = _kh(run_scenario(scenario), "inflow")
    assert inflow[:12].sum() == pytest.approx(144.0, rel=1e-12)
    assert inflow[12:].sum() == pytest.approx(144.0, rel=1e-12)
    # By hand: the factors 1.15, 1.10, 1, 1, 1, 1, 0.85, 0.80, 1, 1, 1, 1.05 sum to 11.95, mean 0.995833;
    # January's inflow is 12 x 1.15 / 0.995833 = 13.857741, August's 12 x 0.80 / 0.995833 = 9.640167.
    assert inflow[0] == pytest.approx(13.857741, abs=1e-6)
    assert inflow[7] == pytest.approx(9.640167, abs=1e-6)
    assert inflow[12] == pytest.approx(inflow[0], rel=1e-15)  # the same calendar month, the next year


def test_factors_taken_as_given_and_a_cycle_by_month_on_a_transition_by_hand():
    # kh starts with 100 persons and no inflow, exit probability 0.05. season_normalise = false:
    # January's factor is 0.8; the cycle starts in 2020-02 at 1.5 (January, before its first key, has 1),
    # and March keeps February's 1.5. So the months' exit probabilities are 0.04, 0.075, 0.075, and
    # x = 100, 100 x 0.96 = 96, 96 x 0.925 = 88.8, 88.8 x 0.925 = 82.14.
    raw = one_state(p_exit=0.05, initial=100, months=6)
    raw["transitions"][0].update(season={"1": 0.8}, season_normalise=False, cycle={"2020-02": 1.5})
    headcount = _kh(run_scenario(build(raw)), "headcount_end")
    np.testing.assert_allclose(headcount[:3], [96.0, 88.8, 82.14], rtol=1e-12)


def test_a_cycle_by_year_with_a_normalised_season_on_inflow_by_hand():
    # Inflow 10 a month from 2020-01; the cycle says 2021 = 1.2 (2020, before its first key, has 1). The
    # season {6 = 2} normalised: mean 13/12, June 2 x 12/13 = 1.846154, other months 12/13 = 0.923077.
    # June 2021: 10 x 1.846154 x 1.2 = 22.153846; May 2020: 10 x 0.923077 = 9.230769.
    raw = one_state(inflow=10, months=24, season={"6": 2.0}, cycle={"2021": 1.2})
    inflow = _kh(run_scenario(build(raw)), "inflow")
    assert inflow[4] == pytest.approx(9.230769, abs=1e-6)
    assert inflow[17] == pytest.approx(22.153846, abs=1e-6)
    assert inflow[12:].sum() == pytest.approx(144.0, rel=1e-12)  # 120 a year x 1.2


def test_a_season_on_one_of_two_competing_hazards_by_hand():
    # kh -> job hazard 0.04 a month with season {1 = 2} as given, kh -> other hazard 0.02. In January
    # H = 0.08 + 0.02 = 0.10, 1 - e^-0.1 = 0.0951626; to job 0.08/0.10 of it = 0.0761301, to other
    # 0.0190325; of 100 persons. In February (factor 1) H = 0.06: to job 2/3 x 0.0582355 = 0.0388237.
    raw = one_state(initial=100, months=3)
    raw["states"]["other"] = {"kind": "outside"}
    raw["transitions"] = [
        {"from": "kh", "to": "job", "hazard": 0.04, "season": {"1": 2.0}, "season_normalise": False},
        {"from": "kh", "to": "other", "hazard": 0.02},
    ]
    scenario = build(raw)
    flows = simulate(scenario).flows[0]  # (T, S, S)
    kh, job, other = (scenario.state_index(name) for name in ("kh", "job", "other"))
    assert flows[0, kh, job] == pytest.approx(7.61301, abs=1e-5)
    assert flows[0, kh, other] == pytest.approx(1.90325, abs=1e-5)
    assert flows[1, kh, job] / (100 - 7.61301 - 1.90325) == pytest.approx(0.0388237, abs=1e-7)


def test_the_season_scales_the_rate_after_the_strategys_effects():
    # Exit probability 0.05, a strategy doubles it from the start, the season gives January 0.8 (as given):
    # January's probability is 0.05 x 2 x 0.8 = 0.08, so 100 persons leave 8 (the baseline 4).
    raw = one_state(p_exit=0.05, initial=100, months=3)
    raw["transitions"][0].update(season={"1": 0.8}, season_normalise=False)
    raw["strategies"]["s"] = {"effects": [{"from": "kh", "to": "job", "multiply": 2.0}]}
    monthly = run_scenario(build(raw)).monthly
    kh = monthly[monthly.state == "kh"]
    assert kh[kh.strategy == "s"].headcount_end.iloc[0] == pytest.approx(92.0, rel=1e-12)
    assert kh[kh.strategy == "baseline"].headcount_end.iloc[0] == pytest.approx(96.0, rel=1e-12)


@pytest.mark.parametrize("where", ["transition out of benefit", "between benefit states", "banded hazard", "inflow"])
def test_the_engines_fast_paths_keep_the_rules_with_a_season(where):
    # The step with seasons equals the rules applied person group by person group, month by month, on a
    # model with every kind of path (banded moves, competing hazards, returns, a ramped effect).
    raw = _every_path()
    if where == "transition out of benefit":  # the moves out are rescaled, not rebuilt
        raw["transitions"][0].update(season=SEASON, cycle={"2022": 1.3})
    elif where == "between benefit states":  # a banded probability from kh to syg: the moves are rebuilt
        raw["transitions"][1].update(season=SEASON, season_normalise=False)
    elif where == "banded hazard":  # competing hazards change shape: the moves are rebuilt
        raw["transitions"][3].update(season=SEASON)
    else:
        raw["states"]["syg"].update(season=SEASON, cycle={"2021-06": 0.9, "2022": 1.1})
    scenario = build(raw)
    values = for_scenario(scenario)
    trajectory = simulate(scenario, values, anciennitet_weights(scenario))
    np.testing.assert_allclose(trajectory.headcount, reference_headcount(scenario, values), rtol=1e-12, atol=1e-9)
    plain = simulate(build(_every_path()), for_scenario(build(_every_path())))
    assert not np.allclose(trajectory.headcount, plain.headcount)  # the season did act


def test_persons_are_conserved_with_seasons():
    raw = one_state(inflow=12, months=36, season=SEASON, cycle={"2021": 1.1, "2022-03": 0.7})
    raw["transitions"][0].update(season={"3": 1.4, "9": 0.6})
    trajectory = simulate(build(raw))
    total = trajectory.headcount.sum(axis=2)[0]
    np.testing.assert_allclose(total, 1000 + np.concatenate([[0], np.cumsum(trajectory.inflow[0].sum(axis=1))]), rtol=1e-12)


def test_no_season_anywhere_is_no_seasons():
    assert build(one_state()).seasons is None
