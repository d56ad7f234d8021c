"""The liability view (issue 12, rule 7): kikcalc/liability.py against closed forms and against the engine's own run.

Convention (docs/model.md section 9a): a person counts ½ in a month for being on benefit at its start
and ½ for being on it at its end, as full-time persons do (``engine.mean_of_ends``). With a constant
exit probability p, a person on benefit at the start of the valuation month is on it at the start of
the k-th month after with probability q^k, q = 1 - p, so their expected future months are

    Σ_k ½ (q^k + q^(k+1)) = ½ (1 + q) / p = (1 - p)/p + 1/2,

and an entrant (½ in the month of entry, then as the stock from the next month) has 1/p. With c kr. a
month and d = (1 + r)^(-1/12) a month, the present value is Σ_k d^k c ½ (q^k + q^(k+1)) = c (1 + q) / (2 (1 - d q)).
Returns from outside follow the anciennitet rule (docs/model.md section 7): the closed form of a return within
the window is derived in its test's docstring, and the cross-check against the engine runs with the rule and
without it.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner
from test_cohort import _every_path

from conftest import SCENARIOS, one_state
from kikcalc.cli import main
from kikcalc.liability import moves_between_cells, value, widened
from kikcalc.result import run_scenario
from kikcalc.scenario import build
from kikcalc.transitions import rates_in_month, transition_probabilities
from kikcalc.values import for_scenario

KIK2 = str(SCENARIOS / "aabenraa-kik2.toml")


def _per_person(table, group: str, state: str = "kh", segment: str = "all", strategy: str = "baseline"):
    row = table[(table.strategy == strategy) & (table.group == group) & (table.state == state) & (table.segment == segment)]
    assert len(row) == 1
    return row.iloc[0]


@pytest.mark.parametrize("p", [0.02, 0.1, 0.35])
def test_one_state_with_a_constant_exit_probability_has_the_closed_form(p):
    q, c, d = 1 - p, 120_000 / 12, 1.035 ** (-1 / 12)
    scenario = build(one_state(p_exit=p, initial=500, inflow=7, months=24))
    liability = value(scenario)
    # Every anciennitet month alike: the rate and the (net) cost do not depend on it.
    np.testing.assert_allclose(liability.stock_months[0, 0], (1 - p) / p + 0.5, rtol=1e-12)
    np.testing.assert_allclose(liability.stock_value[0, 0], c * (1 + q) / (2 * (1 - d * q)), rtol=1e-12)
    table = liability.table
    stock, entrants = _per_person(table, "stock"), _per_person(table, "entrants")
    assert stock.persons == pytest.approx(500, rel=1e-12)
    assert stock.future_months == pytest.approx((1 - p) / p + 0.5, rel=1e-12)
    assert stock.pv_net_cost == pytest.approx(c * (1 + q) / (2 * (1 - d * q)), rel=1e-12)
    # One year's entrants: 7 a month for 12 months; each 1/p months; the one entering k months after the
    # valuation month is worth d^k (½ c + d V) there, V the stock's present value.
    assert entrants.persons == pytest.approx(84, rel=1e-12)
    assert entrants.future_months == pytest.approx(1 / p, rel=1e-12)
    stock_value = c * (1 + q) / (2 * (1 - d * q))
    assert entrants.pv_net_cost == pytest.approx(np.mean([d ** k * (0.5 * c + d * stock_value) for k in range(12)]), rel=1e-12)


@pytest.mark.parametrize(("band_end_weeks", "state_share"), [([], [0.5]), ([4, 52], [0.8, 0.4, 0.2])],
                         ids=["one step", "three steps"])
def test_a_refusion_staircase_of_other_than_four_steps_is_valued(band_end_weeks, state_share):
    # The municipality pays 1 - the state's share of a gross-basis benefit; co-financing's default shares (four
    # steps) play no part without co-financed states (the fresh-clone tester's crash, exit 3).
    p = 0.1
    q, c, d = 1 - p, 120_000 / 12, 1.035 ** (-1 / 12)
    raw = one_state(p_exit=p, initial=500, inflow=7, cost_basis="gross")
    raw["refusion"] = {"band_end_weeks": band_end_weeks, "state_share": state_share}
    liability = value(build(raw))
    full = c * (1 + q) / (2 * (1 - d * q))  # the whole benefit's value, as the net-basis closed form above
    np.testing.assert_allclose(liability.stock_months[0, 0], (1 - p) / p + 0.5, rtol=1e-12)
    if len(state_share) == 1:  # one step: half of it at every anciennitet
        np.testing.assert_allclose(liability.stock_value[0, 0], 0.5 * full, rtol=1e-12)
    else:  # the municipality's share rises with anciennitet, from 0.2 to 0.8
        assert (np.diff(liability.stock_value[0, 0]) > -1e-9 * full).all() and np.ptp(liability.stock_value[0, 0]) > 0.1 * full
        # Past the last step (52 weeks) the municipality pays 1 - 0.2 of it for ever: 0.8 of the whole value.
        np.testing.assert_allclose(liability.stock_value[0, 0, -1], 0.8 * full, rtol=1e-12)
        assert 0.2 * full < liability.stock_value[0, 0, 0] < 0.8 * full


def test_a_finite_run_off_is_the_finite_geometric_sum():
    # H months: Σ_{k<H} ½ (q^k + q^(k+1)) = (1 + q)(1 - q^H) / (2p); value c (1 + q)(1 - (dq)^H) / (2 (1 - dq)).
    p, months = 0.1, 120
    q, c, d = 1 - p, 10_000, 1.035 ** (-1 / 12)
    liability = value(build(one_state(p_exit=p, months=24)), run_off_months=months)
    assert liability.stock_months[0, 0, 0] == pytest.approx((1 + q) * (1 - q ** months) / (2 * p), rel=1e-12)
    assert liability.stock_value[0, 0, 0] == pytest.approx(c * (1 + q) * (1 - (d * q) ** months) / (2 * (1 - d * q)), rel=1e-12)


def test_a_state_nobody_leaves_has_unbounded_months_and_a_perpetuitys_value():
    # p = 0: on benefit for ever; the value is the perpetuity c / (1 - d).
    liability = value(build(one_state(p_exit=0.0, months=12)))
    assert np.isinf(liability.stock_months[0, 0]).all()
    np.testing.assert_allclose(liability.stock_value[0, 0], 10_000 / (1 - 1.035 ** (-1 / 12)), rtol=1e-10)


@pytest.mark.parametrize("reset_weeks", [None, 13, 0], ids=["the rule (52 weeks)", "13 weeks", "rule off"])
@pytest.mark.parametrize("at", [0, 6], ids=["at the start", "half a year in"])
def test_the_liability_over_the_horizon_is_the_runs_own_discounted_cost(reset_weeks, at):
    # With entrants only in the year from the valuation month and a run-off to the horizon's end, the present
    # values of everyone there at the valuation month (on benefit, in an outside state's pool, and outside with
    # their kept anciennitet by months on the clock) and of the entrants add up to the run's net benefit and
    # measure cost from that month on, discounted to it, and their months to the run's full-time persons on
    # benefit, strategy by strategy: a forward run of the engine against the backward recursion, through banded
    # rates, competing hazards, returns from outside that keep their anciennitet (or, with the rule off, start
    # again), refusion by anciennitet (kept returners valued as they arrive in the month of their return), a
    # payment share by year, a ramped effect and a season.
    raw = _every_path()
    raw["states"]["kh"]["inflow"] = {"2021": 12, "2022": 0}
    raw["states"]["syg"]["inflow"] = {"2021": 8, "2022": 0}
    raw["states"]["syg"]["measures_cost"] = 30_000
    raw["states"]["syg"]["cost"] = 150_000
    raw["transitions"][1]["season"] = {"1": 1.3, "7": 0.7}
    raw["transitions"][5]["probability"] = 0.15  # job -> kh: returns often enough that the rule moves the figures
    raw["states"]["kh"]["payment_share"] = {"2021": 0.8, "2022": 0.6}  # partly paid: the benefit and its refusion scale
    if reset_weeks is not None:
        raw.setdefault("refusion", {})["reset_after_weeks"] = reset_weeks
    scenario = widened(build(raw))
    values = for_scenario(scenario)
    result = run_scenario(scenario, values)
    months = scenario.calendar.months
    liability = value(scenario, at, months - at, values)
    assert (liability.outside_kept.sum() > 1.0) == (at > 0 and reset_weeks != 0)  # persons outside keep anciennitet
    money = result.accounts
    benefit = scenario.benefit_mask
    discount = 1.035 ** (-np.arange(months - at) / 12)
    run_cost = ((money.benefit_cost_net + money.measures_cost)[:, at:, benefit].sum(axis=2) * discount).sum(axis=1)
    liability_cost = liability.everyone_value + liability.entrant_value.sum(axis=(1, 2))
    np.testing.assert_allclose(liability_cost, run_cost, rtol=1e-10)
    full_time = result.trajectory.full_time_persons[:, at:, benefit].sum(axis=(1, 2))
    outside = ~benefit
    liability_months = ((liability.stock * liability.stock_months).sum(axis=(1, 2))
                        + (liability.outside_pool * liability.stock_months[:, outside, 0]).sum(axis=1)
                        + (liability.outside_kept * liability.kept_months).sum(axis=(1, 2, 3))
                        + liability.entrant_months.sum(axis=(1, 2)))
    np.testing.assert_allclose(liability_months, full_time, rtol=1e-10)
    # Everyone is valued once: on benefit, in a pool or kept, as the run counts them.
    np.testing.assert_allclose(liability.stock.sum(axis=(1, 2)) + liability.outside_pool.sum(axis=1)
                               + liability.outside_kept.sum(axis=(1, 2, 3)),
                               result.trajectory.headcount[:, at].sum(axis=1), rtol=1e-12)


@pytest.mark.parametrize(("weeks", "reset_months"), [(0, 0), (13, 3), (52, 12)], ids=["rule off", "13 weeks", "52 weeks"])
def test_a_return_within_the_window_keeps_the_anciennitet_in_closed_form(weeks, reset_months):
    """One benefit state kh and two outside states: a person with a >= 1 completed months leaves kh for job with
    probability p a month (and never for gone); at a = 0 they leave for gone with probability 1 (and never for
    job); from job they return with probability r a month; gone is for good. Reset after K months:
    K = ceil(weeks / (52/12)), 13 weeks are 3 months, 52 weeks 12 (0: every return starts again).

    Months (the start-end mean, as in the module's docstring): a person's expected future months are
    E[N] - 1/2, N the number of month-starts at which they are on benefit, the valuation month's included.
    A leaver carries a + 1 >= 1 months and is back with them if they return during one of the K - 1 months
    after the one they left in (docs/model.md section 7): with probability w = 1 - (1 - r)^(K - 1). Otherwise,
    with rho = 1 - w = (1 - r)^(K - 1), they return later (r > 0: surely) at anciennitet 0, the inflow mix, and
    are on benefit at exactly one more month-start before they leave for gone. So, from a kh cell with a >= 1,

        E[N] = 1 + (1 - p) E[N] + p (w E[N] + rho)   =>   E[N] = (1 + p rho) / (p rho),
        expected months = 1 / (p rho) + 1/2,

    and with the rule off (rho = 1) 1/p + 1/2. A person at a = 0 has 1/2 (they are gone at the month's end).
    A person in job who keeps their anciennitet with c months on the clock has K - 1 - c months left to be
    back with it; they count 1/2 for the month they return in (on benefit at its end), then E[N] - 1/2:

        kept, c months on the clock:  w_c E[N] + (1 - w_c) x 1 = 1 + w_c / (p rho),  w_c = 1 - (1 - r)^(K - 1 - c),

    and a person in job's pool (back at anciennitet 0) 1/2 + 1/2 = 1.
    """
    p, r = 0.2, 0.3
    raw = {"scenario": {"name": "returns", "start": "2020-01", "end": "2021-12"},
           "states": {"kh": {"initial": 100, "cost": 120_000, "initial_anciennitet": {"5": 1.0}},
                      "job": {"kind": "outside"}, "gone": {"kind": "outside"}},
           "transitions": [{"from": "kh", "to": "job", "probability": {"0": 0.0, "1+": p}},
                           {"from": "kh", "to": "gone", "probability": {"0": 1.0, "1+": 0.0}},
                           {"from": "job", "to": "kh", "probability": r}],
           "refusion": {"reset_after_weeks": weeks},
           "strategies": {"baseline": {}}}
    liability = value(build(raw))
    rho = (1 - r) ** max(reset_months - 1, 0)
    np.testing.assert_allclose(liability.stock_months[0, 0, 1:], 1 / (p * rho) + 0.5, rtol=1e-12)
    assert liability.stock_months[0, 0, 0] == pytest.approx(0.5, rel=1e-12)
    assert _per_person(liability.table, "stock").future_months == pytest.approx(1 / (p * rho) + 0.5, rel=1e-12)
    assert liability.stock_months[0, 1, 0] == pytest.approx(1.0, rel=1e-12)  # job's pool
    clock = max(reset_months - 1, 0)
    assert liability.kept_months.shape == (1, 2, clock, 25)
    for c in range(clock):
        w_c = 1 - (1 - r) ** (reset_months - 1 - c)
        np.testing.assert_allclose(liability.kept_months[0, 0, c, 1:], 1 + w_c / (p * rho), rtol=1e-12)
    np.testing.assert_array_equal(liability.kept_months[0, 1], 0.0)  # kept in gone: never back


def test_the_moves_between_cells_keep_everyone_and_stay_sparse_with_the_longest_clock():
    # 156 weeks: K = 36 months, C = 35 on the clock. Every cell's moves sum to 1 (no one is lost or made), and
    # a cell moves to at most one cell of each state (its ageing, a kept cell or a pool) or, entering with an
    # inflow mix, to the mix's months: the matrix holds a few numbers per cell, never (cells)^2.
    raw = _every_path()
    raw["refusion"] = {"reset_after_weeks": 156}
    scenario = widened(build(raw))
    values = for_scenario(scenario)
    moves = moves_between_cells(scenario, transition_probabilities(scenario, rates_in_month(scenario, values, 0))[0],
                                values.inflow_mix[0])
    n_states, anc = len(scenario.states), scenario.anciennitet_months
    outside = int((~scenario.benefit_mask).sum())
    assert moves.shape == (n_states * anc + outside * 35 * anc,) * 2
    np.testing.assert_allclose(np.asarray(moves.sum(axis=1)).ravel(), 1.0, rtol=1e-14)
    assert moves.nnz <= (n_states + 2) * moves.shape[0]


def test_widening_anciennitet_changes_no_number_of_a_run():
    scenario = build(_every_path())
    plain, wide = run_scenario(scenario), run_scenario(widened(scenario))
    assert scenario.anciennitet_months < widened(scenario).anciennitet_months == 25
    np.testing.assert_allclose(wide.accounts.npv, plain.accounts.npv, rtol=1e-10)
    np.testing.assert_allclose(wide.trajectory.headcount, plain.trajectory.headcount, rtol=1e-10, atol=1e-9)


def test_segments_split_the_stock_by_completed_months_at_the_valuation_month():
    # The settled mix of one state with p = 0.1 and inflow at 0: p q^a at a < 24, q^24 from 24 on.
    p = 0.1
    table = value(build(one_state(p_exit=p, initial=1000, inflow=10, months=24))).table
    under = 1000 * sum(p * (1 - p) ** a for a in range(12))
    between = 1000 * sum(p * (1 - p) ** a for a in range(12, 24))
    assert _per_person(table, "stock", segment="under 1 year").persons == pytest.approx(under, rel=1e-9)
    assert _per_person(table, "stock", segment="1-2 years").persons == pytest.approx(between, rel=1e-9)
    assert _per_person(table, "stock", segment="over 2 years").persons == pytest.approx(1000 * (1 - p) ** 24, rel=1e-9)


def test_a_strategys_change_is_its_value_less_the_baselines():
    raw = one_state(p_exit=0.1, initial=100, months=24)
    raw["strategies"]["s"] = {"effects": [{"from": "kh", "to": "job", "multiply": 2.0}]}
    table = value(build(raw)).table
    # From the start on, p = 0.2 for ever for s (its effect lasts the horizon; after it, its last month's rate).
    strategy = _per_person(table, "stock", strategy="s")
    assert strategy.future_months == pytest.approx(0.8 / 0.2 + 0.5, rel=1e-12)
    assert strategy.future_months_change == pytest.approx((0.8 / 0.2 + 0.5) - (0.9 / 0.1 + 0.5), rel=1e-12)
    assert strategy.pv_net_cost_total_change == pytest.approx(
        strategy.pv_net_cost_total - _per_person(table, "stock").pv_net_cost_total, rel=1e-12)


def test_the_command_prints_every_format_and_refuses_bad_input(tmp_path):
    runner = CliRunner()
    shown = runner.invoke(main, ["liability", KIK2, "--years", "10", "--strategy", "kik2"])
    assert shown.exit_code == 0, shown.output
    assert "LIABILITY AT 2018-06" in shown.output and "and its change against baseline" in shown.output
    as_json = runner.invoke(main, ["liability", KIK2, "--years", "10", "--at", "2020-01", "--format", "json"])
    document = json.loads(as_json.output)
    assert document["valuation_month"] == "2020-01" and document["run_off_months"] == 120
    assert {"future_months", "pv_net_cost", "pv_net_cost_change"} <= set(document["rows"][0])
    csv = runner.invoke(main, ["liability", KIK2, "--format", "csv-da"])
    assert csv.exit_code == 0 and csv.stdout.startswith("\ufeffstrategy;group;state;segment;persons")
    for args, words in ((["--at", "2030-01"], "--at 2030-01: outside the horizon 2018-06 to 2024-12"),
                        (["--at", "June"], "--at June: expected a month as YYYY-MM"),
                        (["--at", "2018M06"], "--at 2018M06: expected a month as YYYY-MM, got '2018M06': write 2018-06"),
                        (["--at", "06-2018"], "got '06-2018': write 2018-06"),
                        (["--strategy", "kik3"], 'no such strategy'),
                        (["--years", "0"], "0 is not in the range 1<=x<=100")):
        refused = runner.invoke(main, ["liability", KIK2, *args])
        assert refused.exit_code == 2, refused.output
        assert words in refused.output


def test_locale_da_writes_the_liability_the_danish_way():
    """--locale da was accepted and ignored: the liability's numbers stayed 1,130.0 and 467,256."""
    runner = CliRunner()
    english = runner.invoke(main, ["liability", KIK2, "--years", "10", "--strategy", "kik2"]).output
    danish = runner.invoke(main, ["liability", KIK2, "--years", "10", "--strategy", "kik2", "--locale", "da"])
    assert danish.exit_code == 0, danish.output
    row = next(line for line in danish.output.splitlines() if line.startswith("bestand") and line.rstrip().endswith("-61,34"))
    assert "1.130,0" in row and "412.969" in row and "466,66" in row and "-54.287" in row and "-5,8" in row
    assert "1,130.0" in english and "1.130,0" not in english


def test_locale_da_writes_the_liability_tables_headings_columns_and_groups_in_danish():
    from kikcalc.locale import phrase

    kik2 = str(SCENARIOS / "aabenraa-kik2.toml")
    english = CliRunner().invoke(main, ["liability", kik2]).stdout
    danish = CliRunner().invoke(main, ["liability", kik2, "--locale", "da"]).stdout
    assert "KIK II, AABENRAA: LIABILITY AT 2018-06" in english
    assert phrase("{name}: liability at {at}", "da", name="KIK II, Aabenraa", at="2018-06").upper() in danish
    for words in ("future months", "PV net cost, mio. kr.", "change per person, kr.", "unbounded", "under 1 year"):
        assert words in english and words not in danish and phrase(words, "da") in danish
    # The same numbers, in Danish notation: 1,130.0 persons in the stock is 1.130,0.
    assert "1,130.0" in english and "1.130,0" in danish


def test_at_a_rate_of_0_for_ever_a_present_value_is_unbounded_and_said_so(tmp_path):
    """At 0 % nothing discounts the months that never end: the present value is unbounded where the months are,
    shown as the months are ("unbounded"), with a header line saying why, in every format."""
    runner = CliRunner()
    args = ["liability", KIK2, "--set", "scenario.discount_rate=0"]
    shown = runner.invoke(main, args)
    assert shown.exit_code == 0, shown.output
    why = next(line for line in shown.stdout.splitlines() if line.startswith("Unbounded present values:"))
    assert "--years N" in why and "∞" not in shown.stdout
    stock = next(line for line in shown.stdout.splitlines() if line.startswith("stock") and line.split()[2] == "all")
    assert stock.split()[-3:] == ["unbounded"] * 3
    assert "Set: scenario.discount_rate = 0 (file: 0.035)" in shown.stdout
    csv = runner.invoke(main, [*args, "--format", "csv"])
    assert f"note: {why}" in csv.stderr and "note: set scenario.discount_rate = 0 (file: 0.035)" in csv.stderr
    document = json.loads(runner.invoke(main, [*args, "--format", "json"]).stdout)
    assert document["set"] == [{"path": "scenario.discount_rate", "value": 0, "value_in_file": 0.035}]
    assert document["rows"][0]["pv_net_cost"] is None
    bounded = runner.invoke(main, [*args, "--years", "10"])
    assert "Unbounded present values" not in bounded.stdout


def test_locale_da_writes_the_discount_rate_in_the_header_the_danish_way():
    from kikcalc.locale import share

    danish = CliRunner().invoke(main, ["liability", KIK2, "--years", "10", "--locale", "da"]).stdout
    rate = json.loads(CliRunner().invoke(main, ["liability", KIK2, "--years", "10", "--format", "json"]).stdout)["scenario"]
    assert f"present values at {share(rate['discount_rate'], 'da', 1)} a year" in danish


def test_a_strategy_named_twice_is_shown_once():
    """--strategy kik2 --strategy kik2 is kik2: one table (it was two)."""
    runner = CliRunner()
    once = runner.invoke(main, ["liability", KIK2, "--years", "10", "--strategy", "kik2"])
    twice = runner.invoke(main, ["liability", KIK2, "--years", "10", "--strategy", "kik2", "--strategy", "kik2"])
    assert twice.exit_code == 0 and twice.stdout == once.stdout.replace("--strategy kik2;", "--strategy kik2 --strategy kik2;")


def test_a_strategy_with_no_persons_says_so_rather_than_an_empty_table():
    scenario = build(one_state(initial=0.0, inflow=0.0, months=12))
    liability = value(scenario)
    assert (liability.table.persons == 0).all()
    from kikcalc.report_liability import text

    shown = text(liability, "table")
    assert "No persons: none on benefit at the start of 2020-01, and none entering in the year from it." in shown
    assert "future months" not in shown
