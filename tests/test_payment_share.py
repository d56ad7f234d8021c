"""Partial benefits: a state's payment share scales its benefit cost and its economic full-time persons, by hand."""

from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner

from conftest import ROOT, one_state
from kikcalc import run
from kikcalc.cli import main
from kikcalc.keyslots import assign
from kikcalc.report import comparison_frame
from kikcalc.scenario import build
from kikcalc.values import for_scenario

EXAMPLE = ROOT / "docs" / "examples" / "partial-sick-leave.toml"


def _half_paid(**state) -> dict:
    """100 on kh all the time (no exits), 120.000 kr. a year for a full benefit, half of it paid."""
    return one_state(p_exit=0.0, initial=100.0, months=24, payment_share=0.5, **state)


def test_half_paid_costs_half_and_counts_half_in_economic_full_time_persons():
    result = run(build(_half_paid()))
    monthly = result.monthly.set_index(["month", "state"])
    kh = monthly.xs("kh", level="state")
    # 100 persons at 10.000 kr. a month for a full benefit, half paid: 500.000 kr. a month, 50 economic FTP.
    np.testing.assert_allclose(kh.full_time_persons, 100.0)
    np.testing.assert_allclose(kh.economic_full_time_persons, 50.0)
    np.testing.assert_allclose(kh.benefit_cost_gross, 100 * 0.5 * 10_000)
    np.testing.assert_allclose(kh.benefit_cost_net, 100 * 0.5 * 10_000)
    yearly = result.yearly.set_index(["year", "state"])
    assert yearly.loc[(2020, "kh"), "full_year_persons"] == pytest.approx(100.0)
    assert yearly.loc[(2020, "kh"), "economic_full_year_persons"] == pytest.approx(50.0)
    assert yearly.loc[(2020, "kh"), "benefit_cost_net"] == pytest.approx(100 * 0.5 * 120_000)
    # Outside states pay no benefit: no economic full-time persons.
    assert (monthly.xs("job", level="state").economic_full_time_persons == 0.0).all()


def test_without_a_payment_share_the_two_measures_agree():
    result = run(build(one_state(p_exit=0.1, initial=100.0, inflow=5.0)))
    kh = result.monthly[result.monthly.state == "kh"]
    np.testing.assert_array_equal(kh.economic_full_time_persons, kh.full_time_persons)


def test_refusion_is_of_the_benefit_paid():
    # Long-term recipients (20 % refusion) paid half: the state refunds 20 % of 500.000 kr. a month.
    result = run(build(_half_paid(cost_basis="gross", initial_anciennitet={"13": 1})))
    np.testing.assert_allclose(result.accounts.refusion[0, :, 0], 0.20 * 100 * 0.5 * 10_000)
    np.testing.assert_allclose(result.accounts.benefit_cost_net[0, :, 0], 0.80 * 100 * 0.5 * 10_000)


def test_a_series_by_year_applies_to_each_year():
    raw = one_state(p_exit=0.0, initial=100.0, months=24, payment_share={"2020": 1.0, "2021": 0.25})
    result = run(build(raw))
    yearly = result.yearly.set_index(["year", "state"])
    assert yearly.loc[(2020, "kh"), "economic_full_year_persons"] == pytest.approx(100.0)
    assert yearly.loc[(2021, "kh"), "economic_full_year_persons"] == pytest.approx(25.0)
    assert yearly.loc[(2021, "kh"), "benefit_cost_net"] == pytest.approx(100 * 0.25 * 120_000)


def test_a_month_key_holds_in_its_month_only_where_its_year_has_a_key_as_in_an_inflow_table():
    """{2020 = 0.5, "2020-10" = 0.8}: October 0.8; November and December are 2020's 0.5 again (the year key covers
    them), not the 0.8 carried on; 2021 has no key and carries December's 0.5 forward."""
    raw = one_state(p_exit=0.0, initial=100.0, months=24, payment_share={"2020": 0.5, "2020-10": 0.8})
    kh = run(build(raw)).monthly.set_index(["month", "state"]).xs("kh", level="state")
    shares = kh.economic_full_time_persons / kh.full_time_persons
    np.testing.assert_allclose(shares.loc["2020-09":"2020-11"], [0.5, 0.8, 0.5])
    np.testing.assert_allclose(shares.loc["2020-12":], 0.5)


def test_targets_choose_their_measure():
    raw = _half_paid()
    raw["targets"] = [
        {"name": "economic", "states": ["kh"], "year": 2020, "max": 60, "measure": "economic"},
        {"name": "full-time", "states": ["kh"], "year": 2020, "max": 60},
        {"name": "persons", "states": ["kh"], "at": "2020-06", "max": 60, "measure": "persons"},
    ]
    targets = run(build(raw)).targets.set_index("name")
    assert targets.loc["economic", "value"] == pytest.approx(50.0) and targets.loc["economic", "met"]
    assert targets.loc["economic", "unit"] == "economic full-time persons"
    assert targets.loc["full-time", "value"] == pytest.approx(100.0) and not targets.loc["full-time", "met"]
    assert targets.loc["persons", "value"] == pytest.approx(100.0) and targets.loc["persons", "unit"] == "persons"


def test_a_share_target_on_economic_full_time_persons():
    # kh: 100 paid half (50 economic), fj: 100 paid in full (100): fj's economic share of both is 100 / 150.
    raw = _half_paid()
    raw["states"]["fj"] = {"initial": 100.0, "cost": 120_000}
    raw["targets"] = [{"name": "share", "states": ["kh", "fj"], "share_of": ["fj"], "year": 2020, "min": 0.6,
                       "measure": "economic"},
                      {"name": "share-ft", "states": ["kh", "fj"], "share_of": ["fj"], "year": 2020, "min": 0.6}]
    targets = run(build(raw)).targets.set_index("name")
    assert targets.loc["share", "value"] == pytest.approx(100 / 150) and targets.loc["share", "met"]
    assert targets.loc["share-ft", "value"] == pytest.approx(0.5) and not targets.loc["share-ft", "met"]


def test_programme_participants_count_at_their_states_share():
    raw = _half_paid()
    raw["strategies"]["s"] = {"programmes": [{
        "name": "course", "from": "kh", "participants": 10, "start": "2020-01", "end": "2020-01",
        "duration_months": 3, "outcomes": {"kh": 1.0}}]}
    monthly = run(build(raw)).monthly
    course = monthly[(monthly.strategy == "s") & (monthly.state == "kh in course")]
    # 10 start in January: 5, 10 and 5 full-time persons in January-March, half of them economic.
    np.testing.assert_allclose(course.full_time_persons.iloc[:4], [5, 10, 5, 0])
    np.testing.assert_allclose(course.economic_full_time_persons.iloc[:4], [2.5, 5, 2.5, 0])


def test_the_payment_share_has_a_key_path():
    scenario = build(one_state(p_exit=0.0, initial=100.0, months=24, payment_share={"2020": 0.5, "2021": 0.25}))
    values = assign(scenario, for_scenario(scenario), "states.kh.payment_share.2021", 0.75)
    np.testing.assert_allclose(values.payment_share[0, :, 0], [0.5] * 12 + [0.75] * 12)
    with pytest.raises(ValueError, match=r"between 0 and 1, got 1\.5"):
        assign(scenario, values, "states.kh.payment_share", 1.5)
    with pytest.raises(ValueError, match='job is kind = "outside"'):
        assign(scenario, values, "states.job.payment_share", 0.5)


def test_compare_shows_economic_full_year_persons_only_where_a_benefit_is_partial():
    partial = comparison_frame([run(build(_half_paid()))])
    line = partial[partial.line == "Economic full-year persons: kh"]
    assert line["2020"].tolist() == pytest.approx([50.0])
    full = comparison_frame([run(build(one_state()))])
    assert not full.line.str.startswith("Economic").any()


def test_solve_finds_the_payment_share_at_which_the_economic_target_is_met_exactly():
    # 100 full-year persons: at most 60 economic full-year persons is met exactly at a share of 60 / 100.
    result = CliRunner().invoke(main, ["solve", str(EXAMPLE), "--target", "economic", "--vary",
                                       "states.sygedagpenge.payment_share"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "states.sygedagpenge.payment_share = 0.6\n" in result.output


def test_the_tables_and_formats_carry_the_economic_rows():
    # 100 on kh paid 1.0 in 2020 and 0.25 in 2021: 100 and 25 economic full-year persons, after the total.
    from kikcalc import tables
    from kikcalc.formats import _text
    from kikcalc.report_html import _comparison_cell

    result = run(build(one_state(p_exit=0.0, initial=100.0, months=24, payment_share={"2020": 1.0, "2021": 0.25})))
    persons = tables.persons_by_year(result, "baseline")
    assert list(persons.row) == ["state", "outside", "total", "economic"]
    economic = persons[persons.row == "economic"].iloc[0]
    assert (economic.state, economic[2020], economic[2021]) == ("kh", pytest.approx(100.0), pytest.approx(25.0))
    assert "kh: economic (paid share)" in _text.persons_text(result, "baseline", "table")
    lines = tables.comparison_frame([result])
    line = lines[lines.line == "Economic full-year persons: kh"].iloc[0]
    assert line.unit == "economic full-year persons" and line["2021"] == pytest.approx(25.0)
    assert _text.compare_cell(line.unit, line.line, line["2021"]) == _text.compare_cell("full-year persons", "", 25.0)
    assert _comparison_cell(line.unit, line.line, line["2021"], "en") == _comparison_cell("full-year persons", "", 25.0, "en")


def test_the_share_is_taken_once_a_state_when_it_is_the_same_every_month():
    from kikcalc.engine import simulate
    from kikcalc.money import anciennitet_weights, benefit_cost
    from kikcalc.payment_share import paid_share

    constant = build(_half_paid())
    values = for_scenario(constant, draws=3)
    assert paid_share(values).shape == (values.rows, 1, 2)
    np.testing.assert_array_equal(paid_share(values)[:, 0], values.payment_share[:, 0])
    by_year = build(one_state(p_exit=0.0, initial=100.0, months=24, payment_share={"2020": 1.0, "2021": 0.25}))
    assert paid_share(for_scenario(by_year)).shape == (1, 24, 2)
    # Rows with shares of their own, each the same every month: each row's cost is at its own share.
    share = np.array(values.payment_share)
    share[1, :, 0], share[2, :, 0] = 0.25, 1.0
    values = values.with_field("payment_share", share)
    assert paid_share(values).shape == (3, 1, 2)
    gross, _ = benefit_cost(constant, values, simulate(constant, values, anciennitet_weights(constant)))
    np.testing.assert_allclose(gross[:, :, 0], np.array([0.5, 0.25, 1.0])[:, None] * 100 * 10_000 * np.ones((3, 24)))
