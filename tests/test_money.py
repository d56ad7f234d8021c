"""Money: costs per full-time person, investment spread, savings, payback, NPV, return per krone."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import one_state, with_changes
from kikcalc import run
from kikcalc.money import discount_factors, net_present_value, payback_month
from kikcalc.scenario import build


def test_discount_factor_is_one_over_one_plus_r_after_a_year():
    factors = discount_factors(0.035, 25)
    assert factors[0] == 1.0
    assert factors[12] == pytest.approx(1 / 1.035, rel=1e-14)
    assert factors[24] == pytest.approx(1 / 1.035**2, rel=1e-14)
    assert factors[6] == pytest.approx(1.035 ** -0.5, rel=1e-14)


def test_npv_of_a_level_stream_is_a_geometric_sum():
    r, amount, months = 0.035, 1000.0, 36
    v = (1 + r) ** (-1 / 12)
    assert net_present_value(np.full(months, amount), r) == pytest.approx(amount * (1 - v**months) / (1 - v), rel=1e-12)


def test_payback_month_is_where_the_cumulative_saving_stays_non_negative():
    cumulative = np.array([
        [-5.0, -3.0, 2.0, 4.0],   # pays back in month 2
        [-5.0, 1.0, -1.0, 2.0],   # dips again: month 3
        [0.0, 0.0, 0.0, 0.0],     # never below: month 0
        [-1.0, -1.0, 1.0, -0.5],  # ends below: never
    ])
    np.testing.assert_array_equal(payback_month(cumulative), [2, 3, 0, -1])


def _clear_out(investment: dict, months: int = 6) -> dict:
    """10 persons at 12.000 kr. a year (1.000 kr. a month each); the strategy moves all out in month 0."""
    raw = one_state(p_exit=0.0, initial=10.0, months=months, cost=12_000)
    raw["scenario"]["discount_rate"] = 0.05
    return with_changes(raw, strategies={
        "baseline": {},
        "invest": {"investment": investment,
                   "effects": [{"from": "kh", "to": "job", "set": 1.0, "start": "2020-01", "end": "2020-01"}]},
    })


def test_payback_and_npv_on_a_hand_computed_case():
    # Month 0: baseline 10.000 kr.; strategy 5 full-time persons (5.000 kr.) + 25.000 kr. invested.
    # Saving -20.000, then +10.000 a month: cumulative -20, -10, 0, 10, ... thousand -> payback in month 2.
    result = run(build(_clear_out({"2020-01": 25_000})))
    np.testing.assert_allclose(result.accounts.net_saving[1], [-20_000, 10_000, 10_000, 10_000, 10_000, 10_000])
    assert result.accounts.payback_month[1] == 2
    assert result.summary.payback_month[1] == "2020-03"
    v = 1.05 ** (-np.arange(6) / 12)
    assert result.accounts.npv[1] == pytest.approx(-20_000 + 10_000 * v[1:].sum(), rel=1e-12)
    # 30.000 kr. saved before investment (5.000 + 5 x 10.000 = 55.000) per 25.000 kr. invested.
    assert result.accounts.return_per_krone[1] == pytest.approx(55_000 / 25_000)


def test_no_payback_within_the_horizon():
    result = run(build(_clear_out({"2020-01": 100_000})))
    assert result.accounts.payback_month[1] == -1
    assert result.summary.payback_month[1] is None


def test_a_strategy_never_behind_the_baseline_has_nothing_to_pay_back():
    # No investment: the strategy only saves (10.000 kr. a month from month 1), so it is never behind.
    never = run(build(_clear_out({})))
    behind = run(build(_clear_out({"2020-01": 25_000})))
    assert never.summary.never_behind.tolist() == [None, True]
    assert behind.summary.never_behind.tolist() == [None, False]
    assert never.summary.payback_month[1] == "2020-01"  # the definition's month, kept for targets and CSV
    from kikcalc.report import comparison_frame
    line = comparison_frame([never]).set_index("line").loc["Payback month", "total"]
    assert line == "never behind"


def test_yearly_investment_is_spread_over_the_years_simulated_months():
    raw = one_state(months=19)  # 2020-01 .. 2021-07
    raw["strategies"]["s"] = {"investment": {"2020": 1_200_000, "2021": 700_000}}
    investment = build(raw).strategies[1].investment
    np.testing.assert_allclose(investment[:12], 100_000)
    np.testing.assert_allclose(investment[12:], 100_000)


def test_a_single_number_is_kroner_per_year():
    raw = one_state(months=18)
    raw["strategies"]["s"] = {"investment": 120_000}
    investment = build(raw).strategies[1].investment
    np.testing.assert_allclose(investment, 10_000)


def test_cost_is_full_time_persons_times_the_yearly_rate_over_twelve():
    p = 0.1
    result = run(build(one_state(p_exit=p, initial=100.0, months=3, cost=120_000, measures_cost=24_000)))
    fte = 100 * (1 - p) ** np.arange(3) * (1 - p / 2)
    np.testing.assert_allclose(result.accounts.benefit_cost_net[0, :, 0], fte * 10_000)
    np.testing.assert_allclose(result.accounts.measures_cost[0, :, 0], fte * 2_000)


def test_a_strategy_without_effects_or_investment_saves_nothing_to_the_krone():
    raw = with_changes(one_state(p_exit=0.05, initial=800, inflow=30, months=36), strategies={"baseline": {}, "same": {}})
    result = run(build(raw))
    assert np.array_equal(result.accounts.total_cost[0], result.accounts.total_cost[1])
    assert result.money[result.money.strategy == "same"].net_saving.abs().max() == 0.0


def test_yearly_money_adds_up_to_the_monthly():
    result = run(build(_clear_out({"2020-01": 25_000}, months=18)))
    money = result.money[result.money.strategy == "invest"]
    assert money.net_saving.sum() == pytest.approx(result.accounts.net_saving[1].sum())
    assert money.cumulative_net_saving.iloc[-1] == pytest.approx(result.accounts.cumulative_net_saving[1, -1])


@pytest.mark.parametrize("effect", [{"measures_cost_multiply": 0.5}, {"measures_cost_set": 6_000}])
def test_an_effect_on_the_measure_cost_changes_it_in_its_window_only(effect):
    # 100 persons, no moves, 12.000 kr. of measures a full-year person: 100.000 kr. a month.
    raw = one_state(p_exit=0.0, initial=100.0, months=6, measures_cost=12_000)
    raw["strategies"]["s"] = {"effects": [{"state": "kh", "start": "2020-03", "end": "2020-04", **effect}]}
    result = run(build(raw))
    np.testing.assert_allclose(result.accounts.measures_cost[1, :, 0], [100_000, 100_000, 50_000, 50_000, 100_000, 100_000])
    np.testing.assert_allclose(result.accounts.net_saving[1], [0, 0, 50_000, 50_000, 0, 0])
    # Persons do not move: only money changes.
    np.testing.assert_array_equal(result.stock[1], result.stock[0])


def test_a_measure_cost_effect_ramps_like_any_other():
    raw = one_state(p_exit=0.0, initial=100.0, months=4, measures_cost=12_000)
    raw["strategies"]["s"] = {"effects": [{"state": "kh", "measures_cost_multiply": 0.0, "ramp_months": 4}]}
    # Weight 1/4, 2/4, 3/4, 1: the measure cost falls by a quarter of 100.000 kr. each month.
    np.testing.assert_allclose(run(build(raw)).accounts.measures_cost[1, :, 0], [75_000, 50_000, 25_000, 0])


def test_no_return_per_krone_when_income_per_person_outweighs_spending():
    # 25.000 kr. invested; the effect moves all 10 out in month 0, and a fund pays 5.000 kr. for each:
    # net spending -25.000 kr., so there is nothing spent to divide by (not a negative return).
    raw = _clear_out({"2020-01": 25_000})
    raw["strategies"]["invest"]["flow_costs"] = [{"name": "fund", "from": "kh", "to": "job", "amount": -5_000}]
    result = run(build(raw))
    assert result.accounts.flow_costs[1].sum() == pytest.approx(-50_000)
    assert np.isnan(result.accounts.return_per_krone[1])
    assert result.accounts.net_saving[1].sum() > 0
