"""Case: IPS Ung, Aabenraa 2023-2026 (scenarios/aabenraa-ips-ung.toml).

The source (SEED-FACTS, "Aabenraa 2024: IPS Ung and the expert group's reform"): 0.4 mio. kr. in 2023
and 0.8 mio. kr. in each of 2024-2026; courses of up to 26 weeks; first starts August 2023; 8 of 16
finished, 3 of those 8 off public support (38 %); target 60 %.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import kikcalc
from conftest import SCENARIOS
from kikcalc.goalseek import solve

PATH = SCENARIOS / "aabenraa-ips-ung.toml"
INVESTMENT = 400_000 + 3 * 800_000           # SEED-FACTS: 2.8 mio. kr.
STARTS_A_MONTH = 16 / 12                     # assumption: 16 a year
COHORTS = 36                                 # starts August 2023 - July 2026
MONTHS = 65                                  # August 2023 - December 2028
DURATION = 6
MONTHLY_BENEFIT = 104_531 / 12               # assumption (the 2021 budget average)
STAY = math.exp(-1 / 36)                     # a month's chance of staying self-supporting: mean stay 36 months


def months_saved(k: int) -> float:
    """Benefit months saved within the horizon by one person who leaves in month index k.

    Moves happen at the end of a month and a month's full-time persons are the mean of the stock at
    its start and end: the person counts 1/2 in the month of leaving; in the j-th month after it,
    (STAY^(j-1) + STAY^j) / 2 off benefit, for j = 1 .. K with K = the months left.
    """
    left = MONTHS - 1 - k
    return 0.5 + 0.5 * (1 + STAY) * (1 - STAY**left) / (1 - STAY)


def breakeven_rate() -> float:
    """The success rate s* at which the undiscounted cumulative net saving at the end is 0."""
    saved = sum(months_saved(i + DURATION - 1) for i in range(COHORTS))
    return INVESTMENT / (MONTHLY_BENEFIT * STARTS_A_MONTH * saved)


@pytest.fixture(scope="module")
def result() -> kikcalc.Result:
    return kikcalc.run(PATH)


def test_investment_is_0_4_then_0_8_mio_kr_a_year(result):
    yearly = result.money[result.money.strategy == "observed"].set_index("year").investment
    assert yearly[2023] == pytest.approx(400_000)
    for year in (2024, 2025, 2026):
        assert yearly[year] == pytest.approx(800_000)
    assert yearly.sum() == pytest.approx(2_800_000)


def test_16_start_in_the_first_year_and_48_in_all(result):
    intake = result.trajectory.programme_intake[result.strategy("observed")].sum(axis=-1)
    assert intake[:12].sum() == pytest.approx(16)                   # August 2023 - July 2024
    assert intake.sum() == pytest.approx(16 * 3)


def test_cost_per_person_made_self_supporting(result):
    flows = result.flows
    made = {name: flows[result.strategy(name), :, 0, 1].sum() for name in ("observed", "target")}
    # By hand: 48 courses; 3/8 of them = 18 persons, 60 % = 28.8 persons.
    assert made["observed"] == pytest.approx(48 * 3 / 8)
    assert made["target"] == pytest.approx(48 * 0.60)
    investment = result.summary.set_index("strategy").investment
    assert investment["observed"] / made["observed"] == pytest.approx(155_556, abs=1)   # 2.800.000 / 18
    assert investment["target"] / made["target"] == pytest.approx(97_222, abs=1)        # 2.800.000 / 28.8


def test_the_60_pct_target_is_met_at_60_pct_and_missed_at_38_pct(result):
    verdicts = result.targets[result.targets.name == "60-pct-selvforsorgende"].set_index("strategy")
    assert bool(verdicts.met["target"])
    assert not bool(verdicts.met["observed"]) and not bool(verdicts.met["breakeven"])


def test_breakeven_rate_in_the_scenario_is_the_hand_derived_one(result):
    s_star = breakeven_rate()
    # kikcalc's break-even rate: its cumulative net saving is linear in the success rate, so the rate
    # where it is 0 lies on the line through the observed (37.5 %) and the target (60 %) strategies.
    share = result.programmes.set_index("strategy").success_share
    saving = {name: result.accounts.net_saving[result.strategy(name)].sum() for name in ("observed", "target")}
    slope = (saving["target"] - saving["observed"]) / (share["target"] - share["observed"])
    kikcalc_rate = share["observed"] - saving["observed"] / slope
    assert kikcalc_rate == pytest.approx(s_star, rel=1e-9)
    assert kikcalc_rate == pytest.approx(0.27161, abs=5e-6)
    # The file's break-even strategy runs s* as kikcalc solve prints it, to six significant digits.
    assert share["breakeven"] == pytest.approx(s_star, abs=5e-7)


def test_kikcalc_solve_finds_the_breakeven_rate():
    # The break-even rate is where the payback-2028 target is exactly at its threshold: solved on the
    # cumulative net saving at the end of 2028, which is 0 there.
    scenario = kikcalc.load(PATH)
    solution = solve(scenario, "payback-2028", "strategies.breakeven.programmes[0].outcomes.selvforsorgende")
    (crossing,) = solution.crossings
    assert crossing.number == pytest.approx(breakeven_rate(), rel=1e-9)
    assert crossing.met_above and solution.monotone
    assert crossing.check.value == pytest.approx(0, abs=1e-6)
    in_file = dict(scenario.strategies[scenario.strategy_names.index("breakeven")].programmes[0].outcomes)["selvforsorgende"]
    assert in_file == float(f"{crossing.number:.6g}")
    # The NPV break-even is higher: discounting weighs the later savings less than the early spending.
    npv = solve(scenario, "npv", "strategies.breakeven.programmes[0].outcomes.selvforsorgende").crossings[0]
    assert 0.28 < npv.number < 0.29


def test_breakeven_strategy_has_a_cumulative_net_saving_of_about_0(result):
    k = result.strategy("breakeven")
    cumulative = result.accounts.net_saving[k].sum()
    # 0.271611 is s* to six digits; 0.0000005 of the rate is worth about 2.800.000 / 0.2716 x 0.0000005 = 5 kr.
    assert abs(cumulative) < INVESTMENT / 0.2716 * 5e-7
    # The NPV discounts the later savings more than the investment, so it is a little negative,
    # but small against the 2.8 mio. kr.
    npv = result.summary.set_index("strategy").npv["breakeven"]
    assert -0.10 * INVESTMENT < npv < 0


def test_saving_is_linear_in_the_success_rate(result):
    # Each person made self-supporting saves the same on average, so the cumulative saving is
    # -investment + rate x (investment / s*): checks the hand formula against the two other strategies.
    s_star = breakeven_rate()
    for name, rate in (("observed", 0.375), ("target", 0.60)):
        cumulative = result.accounts.net_saving[result.strategy(name)].sum()
        assert cumulative == pytest.approx(-INVESTMENT + rate * INVESTMENT / s_star, rel=1e-9)


def test_no_one_leaves_without_ips(result):
    np.testing.assert_allclose(result.flows[0].sum(), 0.0)
