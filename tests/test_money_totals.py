"""Money without its lines by state (what a sensitivity run builds): the same totals, saving, payback and
present value as the full lines give, on shipped scenarios and on them with prices, co-financing and a
budget guarantee."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import SCENARIOS, one_state
from kikcalc.engine import simulate
from kikcalc.money import anciennitet_weights, benefit_cost_summed, discount_factors, money, price_view
from kikcalc.scenario import build
from kikcalc.scenario import read as read_file
from kikcalc.targets import judge_all
from kikcalc.values import for_scenario

DRAWS = 3


def _variant(name: str, extra: str) -> dict:
    raw = read_file(SCENARIOS / f"{name}.toml")
    start = int(str(raw["scenario"]["start"])[:4])
    benefit = [state for state, table in raw["states"].items() if table.get("kind", "benefit") != "outside"]
    if "prices" in extra:
        raw["prices"] = {"base_year": start + 1, "growth": 0.02, "in_current_prices": ["investment"]}
    if "cofinancing" in extra:
        raw["states"][benefit[0]]["cofinancing"] = "a-dagpenge"
    if "guarantee" in extra:
        raw["budget_guarantee"] = {"share": 0.5, "states": benefit[:2]}
    return raw


CASES = [
    ("aabenraa-kik2", ""),                        # gross-basis states, measures, targets on money
    ("aabenraa-kik2", "prices"),
    ("aabenraa-kijos", "cofinancing"),            # payment shares, hazards, a measures effect
    ("aabenraa-kijos", "prices cofinancing guarantee"),
    ("aalborg-kickstarter", "prices"),            # programmes, payments per person moved
    ("aabenraa-vuc-course", "guarantee"),         # programmes
    ("lemvig-projects-2021", "prices guarantee"),  # grants, investment
    ("aalborg-pool-2020", ""),                    # grants
    ("reform-2026-2030", "fixed prices"),         # a budget guarantee of its own
    ("aabenraa-budget-2021", ""),
]


def _rows(scenario):
    """DRAWS draws of every strategy, each draw's benefit costs, payment shares and discount rate its own."""
    values = for_scenario(scenario, DRAWS)
    rng = np.random.default_rng(5)
    draw = np.repeat(np.arange(DRAWS), len(scenario.strategies))
    factor = rng.uniform(0.8, 1.2, (DRAWS, len(scenario.states)))[draw]
    values = values.with_field("cost", values.cost * factor)
    values = values.with_field("discount_rate", np.array([0.02, 0.035, 0.05])[draw])
    return values


@pytest.mark.parametrize(("name", "extra"), CASES)
def test_money_without_lines_gives_the_full_lines_totals(name, extra):
    scenario = build(_variant(name, extra))
    if "fixed" in extra:
        scenario = price_view(build(dict(_variant(name, ""), prices={"base_year": 2027, "growth": 0.03})), "fixed")
    values = _rows(scenario)
    trajectory = simulate(scenario, values, anciennitet_weights(scenario), keep_stock=False)
    full = judge_all(scenario, values, trajectory)[1]
    lean = judge_all(scenario, values, simulate(scenario, values, anciennitet_weights(scenario), keep_stock=False),
                     lines=False)[1]
    assert lean.benefit_cost_gross is None and lean.refusion is None and lean.measures_cost is None
    # The full lines summed over states, independently of Money's own sums.
    state_part = 0.0 if full.state_benefit is None else full.state_benefit
    net_by_state = full.benefit_cost_gross - full.refusion - state_part + full.measures_cost
    expected = (net_by_state.sum(axis=-1) + full.investment + full.programme_cost + full.flow_costs - full.grants
                + full.budget_guarantee_offset)
    assert np.abs(expected).max() > 0
    np.testing.assert_allclose(lean.total_cost, expected, rtol=1e-12, atol=1e-12 * np.abs(expected).max())
    # ... and bit for bit what the full lines give, with everything that follows from them.
    for what in ("total_cost", "net_saving", "cumulative_net_saving", "payback_month", "npv"):
        np.testing.assert_array_equal(getattr(lean, what), getattr(full, what), err_msg=what)


def test_money_without_lines_keeps_the_lines_where_a_target_judges_the_states_money():
    raw = _variant("aabenraa-kik2", "")
    raw["targets"] = [{"name": "state_npv", "npv_min": 0, "payer": "state"}]
    scenario = build(raw)
    values = _rows(scenario)
    trajectory = simulate(scenario, values, anciennitet_weights(scenario), keep_stock=False)
    judged, accounts = judge_all(scenario, values, trajectory, lines=False)
    assert accounts.refusion is not None
    np.testing.assert_array_equal(judged["state_npv"][0], accounts.npv_of("state"))


def test_discount_factors_of_rows_with_shared_rates_are_each_rows_own():
    rates = np.array([0.035, 0.02, 0.035, 0.035, 0.02, 0.07])
    months = np.arange(30)
    expected = np.array([(1.0 + r) ** (-months / 12.0) for r in rates])  # row by row
    np.testing.assert_array_equal(discount_factors(rates, 30), expected)
    level = np.linspace(1.0, 1.2, 30)
    np.testing.assert_array_equal(discount_factors(rates, 30, level), expected / level)


def test_benefit_cost_summed_over_states_by_hand():
    # 1,000 long-term recipients (20 % refusion from week 53: anciennitet 13 and more) of 120.000 kr. a year paid
    # half, leaving at 5 % a month, no inflow: (1 - p)^t at each month's start, so the month's full-time persons
    # are 1000 (1 - p)^t (2 - p) / 2, and the municipality pays 80 % of 5.000 kr. a month for each.
    p = 0.05
    scenario = build(one_state(p_exit=p, initial=1000.0, cost_basis="gross", payment_share=0.5,
                               initial_anciennitet={"13": 1}))
    values = for_scenario(scenario)
    trajectory = simulate(scenario, values, anciennitet_weights(scenario), keep_stock=False)
    months = np.arange(scenario.calendar.months)
    expected = 0.8 * 5_000 * 1000 * (1 - p) ** months * (2 - p) / 2
    np.testing.assert_allclose(benefit_cost_summed(scenario, values, trajectory)[0], expected, rtol=1e-13)
    np.testing.assert_allclose(money(scenario, values, trajectory, lines=False).total_cost[0], expected, rtol=1e-13)


def test_benefit_cost_is_summed_from_its_lines_where_the_payment_share_changes_by_month():
    scenario = build(one_state(p_exit=0.0, initial=100.0, cost_basis="gross", payment_share={"2020": 1.0, "2021": 0.25},
                               initial_anciennitet={"13": 1}))
    values = for_scenario(scenario)
    trajectory = simulate(scenario, values, anciennitet_weights(scenario), keep_stock=False)
    assert benefit_cost_summed(scenario, values, trajectory) is None
    full, lean = money(scenario, values, trajectory), money(scenario, values, trajectory, lines=False)
    assert full.lines_total is None
    # 100 persons at 10.000 kr. a month, 80 % of it the municipality's: in full in 2020, a quarter in 2021.
    expected = np.where(np.arange(24) < 12, 1.0, 0.25) * 0.8 * 100 * 10_000
    np.testing.assert_allclose(lean.total_cost[0], expected, rtol=1e-13)
    np.testing.assert_array_equal(lean.total_cost, full.total_cost)
