"""The scenario reader on good files: the shared example, every shipped scenario, the series rules."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import kikcalc
from conftest import SCENARIOS, one_state
from kikcalc.scenario import build

EXAMPLE = Path(__file__).parent / "data" / "scenario-example.toml"  # a copy of the team's shared/scenario-example.toml


def test_every_key_of_the_shared_example_works_as_written():
    scenario = kikcalc.load(EXAMPLE)
    assert scenario.calendar.labels[0] == "2018-06" and scenario.calendar.labels[-1] == "2024-12"
    assert scenario.discount_rate == 0.035
    kh = scenario.states[scenario.state_index("kontanthjaelp")]
    assert (kh.initial, kh.cost, kh.cost_basis, kh.measures_cost) == (1130, 104_531, "net", 18_585)
    np.testing.assert_allclose(kh.inflow, 45)
    kik2 = scenario.strategies[scenario.strategy_names.index("kik2")]
    assert kik2.investment.sum() == pytest.approx(60_500_000)
    # 2018's 8.822.917 kr. spread over the 7 simulated months of 2018.
    assert kik2.investment[0] == pytest.approx(8_822_917 / 7)
    ramp = kik2.effects[0].weight
    assert ramp[scenario.calendar.labels.index("2018-09")] == pytest.approx(1 / 6)
    assert ramp[scenario.calendar.labels.index("2019-02")] == pytest.approx(1.0)
    assert ramp[scenario.calendar.labels.index("2022-06")] == 0.0
    assert [t.name for t in scenario.targets] == ["under-800-maj-2022", "853-ultimo-2020", "budget-2021", "payback"]
    kikcalc.run(scenario)


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.toml")), ids=lambda p: p.name)
def test_every_shipped_scenario_loads_cites_its_source_and_runs(path):
    scenario = kikcalc.load(path)
    assert "SEED-FACTS" in scenario.source
    assert "assumption" in path.read_text(encoding="utf-8").lower()
    result = kikcalc.run(scenario)
    assert len(result.verdicts) == len(scenario.targets) * len(scenario.strategies)


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.toml")), ids=lambda p: p.name)
def test_a_state_is_found_by_its_name_at_its_place_in_the_file(path):
    scenario = kikcalc.load(path)
    assert [scenario.state_index(s.name) for s in scenario.states] == list(range(len(scenario.states)))
    with pytest.raises(ValueError, match="'no-such-state' is not a state"):
        scenario.state_index("no-such-state")


def test_inflow_table_by_year_and_month_carries_forward():
    raw = one_state(months=36, inflow={"2020": 48, "2021": 45, "2021-04": 60})
    inflow = build(raw).states[0].inflow
    np.testing.assert_allclose(inflow[:12], 48)
    np.testing.assert_allclose(inflow[12:15], 45)
    assert inflow[15] == 60
    np.testing.assert_allclose(inflow[16:24], 45)  # 2021's own value after its April
    np.testing.assert_allclose(inflow[24:], 45)    # 2022 is not given: carried forward


def test_effect_window_defaults_to_the_horizon():
    raw = one_state(months=6)
    raw["strategies"]["s"] = {"effects": [{"from": "kh", "to": "job", "multiply": 2}]}
    np.testing.assert_array_equal(build(raw).strategies[1].effects[0].weight, np.ones(6))


def test_missing_baseline_is_the_scenario_without_effects():
    raw = one_state(months=6)
    raw["strategies"] = {"s": {"investment": 1200}}
    scenario = build(raw)
    assert scenario.strategy_names == ["baseline", "s"]
    assert any("baseline" in note for note in scenario.notes)


def test_anciennitet_months_grow_with_the_longest_band_named():
    raw = one_state(months=6)
    raw["transitions"][0]["probability"] = {"0-23": 0.05, "24+": 0.01}
    scenario = build(raw)
    assert scenario.anciennitet_months == 25
    np.testing.assert_allclose(scenario.transitions[0].value[[0, 23, 24]], [0.05, 0.05, 0.01])


def test_a_file_saved_with_a_byte_order_mark_reads_like_one_without(tmp_path):
    plain = SCENARIOS / "aabenraa-kik2.toml"
    marked = tmp_path / "bom.toml"
    marked.write_bytes(b"\xef\xbb\xbf" + plain.read_bytes())
    assert kikcalc.run(marked).summary.npv.tolist() == kikcalc.run(plain).summary.npv.tolist()


def test_an_unquoted_date_is_named_as_a_date(tmp_path):
    raw = (SCENARIOS / "aabenraa-kik2.toml").read_text(encoding="utf-8").replace('start = "2018-06"', "start = 2018-06-01", 1)
    path = tmp_path / "date.toml"
    path.write_text(raw, encoding="utf-8")
    with pytest.raises(kikcalc.ScenarioError) as error:
        kikcalc.load(path)
    assert 'scenario.start: expected a month as "YYYY-MM" (in quotes), got 2018-06-01 (a TOML date or time)' in str(error.value)
