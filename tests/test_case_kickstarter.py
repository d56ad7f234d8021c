"""Case: Aalborg's "Kickstarter" (scenarios/aalborg-kickstarter.toml): payments by results and the break-even bonus."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import kikcalc
from kikcalc.goalseek import solve

FILE = Path(__file__).parent.parent / "scenarios" / "aalborg-kickstarter.toml"

FEE, FIRST_BONUS, FURTHER_BONUS = 250_000, 60_000, 40_000  # the scenario's assumptions
FURTHER_MONTHS = range(8, 26)  # September 2021 to February 2023, months from January 2021


@pytest.fixture(scope="module")
def result() -> kikcalc.Result:
    return kikcalc.run(FILE)


def _jobs(result, strategy: str) -> np.ndarray:
    names = [s.name for s in result.scenario.states]
    return result.flows[result.strategy(strategy), :, names.index("kontanthjaelp"), names.index("job_kickstarter")]


def _file_bonus(result) -> float:
    flow_costs = {s.name: s.flow_costs for s in result.scenario.strategies}["kickstarter-breakeven"]
    return next(f.amount for f in flow_costs if f.name == "further-job-bonus")


def test_proxy_costs_are_aabenraa_budget_2021_per_person():
    # SEED-FACTS, "Aabenraa: budget 2021 by benefit group": 715 full-year persons, 74.740 and 13.288 mio. kr.
    state = next(s for s in kikcalc.load(FILE).states if s.name == "kontanthjaelp")
    assert 715 * state.cost == pytest.approx(74_740_000, abs=1_000)
    assert 715 * state.measures_cost == pytest.approx(13_288_000, abs=1_000)


def test_one_first_job_in_each_of_the_7_companies_then_18_further_jobs(result):
    jobs = _jobs(result, "kickstarter")
    assert jobs[6] == pytest.approx(7)  # July 2021: one per company (SEED-FACTS: at least 7 companies)
    np.testing.assert_allclose(jobs[list(FURTHER_MONTHS)], 1.0)
    assert jobs.sum() == pytest.approx(7 + 18)
    assert _jobs(result, "baseline").sum() == 0


def test_payments_are_the_fee_plus_a_bonus_per_job(result):
    k = result.strategy("kickstarter")
    # 7 first jobs (the cap: one per company) and 18 further jobs.
    assert result.accounts.flow_costs[k].sum() == pytest.approx(7 * FIRST_BONUS + 18 * FURTHER_BONUS)
    assert result.accounts.investment[k].sum() == pytest.approx(FEE)
    summary = result.summary.set_index("strategy")
    assert summary.spending["kickstarter"] == pytest.approx(FEE + 7 * FIRST_BONUS + 18 * FURTHER_BONUS)  # 1.39 mio. kr.


def test_discounted_further_jobs_match_the_hand_sum(result):
    # D = sum_{t=8}^{25} 1.035^(-t/12): 18 jobs, each discounted by 2.3 % (t = 8) to 6.9 % (t = 25); about 17.17.
    by_hand = sum(1.035 ** (-t / 12) for t in FURTHER_MONTHS)
    jobs = _jobs(result, "kickstarter")
    t = np.arange(len(jobs))
    model = float((jobs[7:] * 1.035 ** (-t[7:] / 12)).sum())  # every job paid the further-job bonus (from August 2021)
    assert model == pytest.approx(by_hand, rel=1e-12)
    # kikcalc's own discounting: the two strategies differ only in the further-job bonus, so their NPVs
    # differ by (b* - 40.000 kr.) x D, and D read off kikcalc's NPVs is the hand value, about 17.17.
    summary = result.summary.set_index("strategy")
    npv_difference = summary.npv["kickstarter"] - summary.npv["kickstarter-breakeven"]
    assert npv_difference / (_file_bonus(result) - FURTHER_BONUS) == pytest.approx(17.17, abs=0.005)


def test_npv_is_linear_in_the_bonus(result):
    summary = result.summary.set_index("strategy")
    d = sum(1.035 ** (-t / 12) for t in FURTHER_MONTHS)
    b_star = _file_bonus(result)  # the break-even strategy's bonus
    assert summary.npv["kickstarter"] - summary.npv["kickstarter-breakeven"] == pytest.approx((b_star - FURTHER_BONUS) * d, rel=1e-9)


def test_break_even_bonus_in_closed_form_gives_npv_zero(result):
    summary = result.summary.set_index("strategy")
    d = sum(1.035 ** (-t / 12) for t in FURTHER_MONTHS)
    b_star = FURTHER_BONUS + summary.npv["kickstarter"] / d
    # The file's break-even bonus is b* rounded to the krone ...
    assert _file_bonus(result) == pytest.approx(b_star, abs=0.5)
    # ... so its NPV is 0 up to that rounding: |NPV| <= 0.5 kr. x D, about 9 kr.
    assert abs(summary.npv["kickstarter-breakeven"]) <= 0.5 * d


def test_kikcalc_solve_finds_the_break_even_bonus(result):
    solution = solve(result.scenario, "npv", "strategies.kickstarter.flow_costs[1].amount")
    (crossing,) = solution.crossings
    d = sum(1.035 ** (-t / 12) for t in FURTHER_MONTHS)
    assert crossing.number == pytest.approx(FURTHER_BONUS + result.summary.set_index("strategy").npv["kickstarter"] / d, rel=1e-10)
    assert not crossing.met_above  # a larger bonus misses
    assert round(crossing.number) == _file_bonus(result)


def test_targets(result):
    verdicts = result.targets.set_index(["name", "strategy"])
    assert not verdicts.met["jobs-created", "baseline"]
    assert verdicts.value["jobs-created", "kickstarter"] == pytest.approx(25)
    assert verdicts.met["npv", "kickstarter"]
