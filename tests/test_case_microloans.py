"""Case: the micro-loans trial, Aalborg (scenarios/aalborg-microloans.toml).

The source (SEED-FACTS, "Aalborg: other figures"): 26 participants; over half granted a micro-loan;
60 % of those became self-supporting; the loan costs are covered if the person is self-supporting
for 1.2 months on average.
"""

from __future__ import annotations

import numpy as np
import pytest

import kikcalc
from conftest import SCENARIOS
from kikcalc.goalseek import solve

PATH = SCENARIOS / "aalborg-microloans.toml"
MONTHS = 24


@pytest.fixture(scope="module")
def result() -> kikcalc.Result:
    return kikcalc.run(PATH)


def _kontanthjaelp(result):
    return result.scenario.states[result.scenario.state_index("kontanthjaelp")]


def months_off(stay: float, left: int) -> float:
    """Benefit months saved by one person who leaves at the end of a month, with `left` months after it.

    Half of the month of leaving, then (stay^(j-1) + stay^j) / 2 in the j-th month after it
    (start and end of month, stay = the monthly chance of staying self-supporting).
    Without the horizon's end this is 1 / (1 - stay): the mean stay.
    """
    return 0.5 + 0.5 * (1 + stay) * (1 - stay**left) / (1 - stay)


def test_26_participants_and_over_half_get_a_loan(result):
    assert _kontanthjaelp(result).initial == 26
    intake = result.trajectory.programme_intake.sum(axis=(1, 2))
    np.testing.assert_allclose(intake, [0, 14, 14])
    # "Over half were granted a loan": the loans kikcalc starts against the stock it starts from.
    kh = result.scenario.state_index("kontanthjaelp")
    started = result.programmes.set_index("strategy").started
    for name in ("laan", "breakeven"):
        start_stock = result.stock[result.strategy(name), 0, kh].sum()
        assert start_stock == pytest.approx(26)
        assert started[name] == pytest.approx(14)
        assert started[name] > start_stock / 2
        # ... and 14 is the smallest whole number over half: one loan fewer would be exactly half.
        assert started[name] - 1 == pytest.approx(start_stock / 2)


def test_break_even_of_1_2_months_follows_from_the_assumed_costs(result):
    # A month of benefit as kikcalc books it: the baseline's January, 26 persons for 260.000 kr.
    monthly = result.monthly
    january = monthly[(monthly.strategy == "baseline") & (monthly.month == "2020-01")
                      & (monthly.state == "kontanthjaelp")].iloc[0]
    monthly_benefit = january.benefit_cost_net / january.full_time_persons
    assert monthly_benefit == pytest.approx(120_000 / 12)         # 10.000 kr.
    # A loan as kikcalc charges it: the programme's cost per person started.
    programmes = result.programmes.set_index("strategy")
    loan = programmes.cost_per_start["laan"]
    assert loan == pytest.approx(12_000)
    assert loan / monthly_benefit == pytest.approx(1.2)
    # The break-even strategy's 60 % stay 1 / 0.5 = 2 months: 0.6 x 2 = 1.2 months per borrower.
    mean_stay = 1 / result.scenario.strategies[result.strategy("breakeven")].effects[0].value
    assert mean_stay == pytest.approx(2)
    assert programmes.success_share["breakeven"] * mean_stay == pytest.approx(1.2)


def test_60_pct_of_the_borrowers_become_self_supporting(result):
    verdicts = result.targets[result.targets.name == "60-pct-selvforsorgende"].set_index("strategy")
    assert verdicts.value["laan"] == pytest.approx(0.60 * 14)        # 8.4
    assert bool(verdicts.met["laan"]) and not bool(verdicts.met["baseline"])


def test_breakeven_strategy_nets_to_zero_at_1_2_months_per_borrower(result):
    k = result.strategy("breakeven")
    fulltime = result.monthly[result.monthly.state == "kontanthjaelp"].pivot(
        index="month", columns="strategy", values="full_time_persons")
    saved_months = (fulltime["baseline"] - fulltime["breakeven"]).sum()
    # By hand: 8.4 persons leave in January, each saves 2 - 1.5 x 0.5^23 months in the horizon.
    assert saved_months == pytest.approx(8.4 * months_off(0.5, MONTHS - 1))
    assert saved_months / 14 == pytest.approx(1.2, abs=1e-5)
    # 14 x 12.000 = 168.000 kr. of loans against 8.4 x 10.000 kr. x 2 months = 168.000 kr.
    cumulative = result.accounts.net_saving[k].sum()
    assert cumulative == pytest.approx(8.4 * 10_000 * months_off(0.5, MONTHS - 1) - 168_000, abs=1e-6)
    assert abs(cumulative) < 1.0


def test_loans_with_a_four_month_stay_pay_twice_over(result):
    k = result.strategy("laan")
    # By hand: 25 % a month go back; 8.4 x 10.000 kr. x (4 - 3.5 x 0.75^23) months - 168.000 kr.
    expected = 8.4 * 10_000 * months_off(0.75, MONTHS - 1) - 14 * 12_000
    assert result.accounts.net_saving[k].sum() == pytest.approx(expected)
    # 0.75^23 = 0.00134, so 4 - 3.5 x 0.00134 = 3.99532 months; 84.000 x 3.99532 - 168.000 = 167.607 kr.
    summary = result.summary.set_index("strategy")
    assert summary.net_saving["laan"] == pytest.approx(167_607, abs=1)
    assert summary.return_per_krone["laan"] == pytest.approx(2.0, abs=0.01)
    # Cumulative: January -168.000 + 84.000 x 0.5 = -126.000; February + 84.000 x (1 + 0.75) / 2
    # = -52.500; March + 84.000 x (0.75 + 0.5625) / 2 = +2.625: paid back in March 2020.
    assert summary.payback_month["laan"] == "2020-03"


def test_kikcalc_solve_finds_the_return_rate_of_1_2_months(result):
    # The monthly return to cash benefit at which the loans are paid back by the end of 2021: the
    # cumulative saving then, 8.4 x 10.000 x months_off(1 - p, 23) - 168.000, is 0 at p just under 0.5.
    solution = solve(result.scenario, "payback", "strategies.breakeven.effects[0].set")
    (crossing,) = solution.crossings
    assert not crossing.met_above  # a faster return misses
    assert crossing.number == pytest.approx(0.5, abs=1e-6)
    assert 8.4 * 10_000 * months_off(1 - crossing.number, MONTHS - 1) == pytest.approx(14 * 12_000, abs=1e-6)
    assert 0.6 / crossing.number == pytest.approx(1.2, abs=1e-5)   # months of self-support per borrower
    assert float(f"{crossing.number:.6g}") == result.scenario.strategies[result.strategy("breakeven")].effects[0].value
    # With the main strategy's 4-month stays, a loan may cost up to the benefit months it saves.
    dearest = solve(result.scenario, "payback", "strategies.laan.programmes[0].cost_per_participant").crossings[0]
    assert dearest.number == pytest.approx(8.4 * 10_000 * months_off(0.75, MONTHS - 1) / 14, rel=1e-9)
