"""Plausibility warnings: each check against a scenario built to trigger it and one built not to, the
thresholds worked out by hand; no warning on a shipped scenario; the command line's --quiet and --strict."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest
from click.testing import CliRunner

from conftest import SCENARIOS, one_state, with_changes, without_command
from kikcalc import plausibility
from kikcalc.cli import main
from kikcalc.engine import simulate
from kikcalc.result import run_scenario
from kikcalc.scenario import build, load
from kikcalc.uncertainty import read


def paths(found: list[plausibility.Warning]) -> list[str]:
    return [w.path for w in found]


def with_state(raw: dict, **keys) -> dict:
    changed = copy.deepcopy(raw)
    changed["states"]["kh"].update(keys)
    return changed


# --- costs ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["cost", "measures_cost"])
@pytest.mark.parametrize("amount, warned", [(120.0, True), (999.99, True), (1_000, False), (120_000, False), (0, False),
                                            (1_000_000, False), (1_000_000.01, True), (12_000_000, True)])
def test_a_cost_per_full_year_person_outside_1000_to_a_million_kr_is_warned(key, amount, warned):
    found = plausibility.cost_warnings(build(with_state(one_state(p_exit=0.05, inflow=50), **{key: amount})))
    assert paths(found) == ([f"states.kh.{key}"] if warned else [])


def test_the_danish_thousands_separator_is_named_with_what_to_write():
    # cost = 120.000 in a file is TOML's 120.0: the hint gives the 120 thousand kr. it probably meant.
    raw = with_state(one_state(p_exit=0.05, inflow=50), cost=120.000)
    (warning,) = plausibility.cost_warnings(build(raw))
    assert "120_000" in warning.message and "1,000 to 1,000,000 kr." in warning.message
    # 0.5 kr. times a thousand is still implausible: no separator hint.
    (small,) = plausibility.cost_warnings(build(with_state(raw, cost=0.5)))
    assert "separator" not in small.message


def test_an_outside_state_has_no_cost_to_check():
    raw = one_state(p_exit=0.05, inflow=50)
    raw["states"]["job"]["initial"] = 5
    assert plausibility.cost_warnings(build(raw)) == []


# --- the baseline's balance ----------------------------------------------------------------------


def test_the_steady_state_of_a_constant_rate_is_inflow_over_the_leaving_probability():
    # 1000 at the start, 10 a month in, 5 % a month out: settles at 10 / 0.05 = 200; holding 1000 takes
    # 1000 x 0.05 = 50 a month. Over 36 months the baseline reaches 200 + 800 x 0.95^36 = 325.9.
    scenario = build(one_state(p_exit=0.05, initial=1000, inflow=10, months=36))
    (balance,) = plausibility.balances(scenario)
    assert balance.steady == pytest.approx(200)
    assert balance.hold_inflow == pytest.approx(50)
    assert balance.end == pytest.approx(200 + 800 * 0.95 ** 36)
    (warning,) = plausibility.drift_warnings(scenario)
    assert warning.path == "states.kh.inflow"
    assert "settle kh at 200 persons, 80% below" in warning.message
    assert "an inflow of 50 persons a month" in warning.message and "326 at the end of 2022-12" in warning.message


def test_the_aalborg_pool_is_a_closed_group_its_two_years_move_too_little_to_warn():
    # docs/scenario-format.md gives it as the example: a steady state of 0, a fall of 21 % in the horizon.
    (balance,) = plausibility.balances(load(SCENARIOS / "aalborg-pool-2020.toml"))
    assert balance.state == "kontanthjaelp" and balance.steady == 0 and balance.entering == 0
    assert round(1 - balance.end / balance.initial, 2) == 0.21


def test_a_balanced_baseline_is_not_warned():
    # 50 a month at 5 % out holds 1000 exactly.
    assert plausibility.drift_warnings(build(one_state(p_exit=0.05, initial=1000, inflow=50, months=36))) == []


@pytest.mark.parametrize("inflow, warned", [(37.0, True), (38.0, False), (62.0, False), (63.0, True)])
def test_the_drift_threshold_is_25_percent_of_the_start(inflow, warned):
    # Steady state inflow / 0.05 = 20 x inflow against 1000 at the start: 25 % off at 37.5 and 62.5 a month.
    # Over 240 months the baseline gets within 800 x 0.95^240 = 0.004 of it, so the run's end agrees.
    scenario = build(one_state(p_exit=0.05, initial=1000, inflow=inflow, months=240))
    assert paths(plausibility.drift_warnings(scenario)) == (["states.kh.inflow"] if warned else [])


def test_a_steady_state_far_off_that_the_horizon_does_not_reach_is_not_warned():
    # No inflow and 1 % out: the steady state is 0, but in 12 months the group only falls to 1000 x 0.99^12 = 886.
    scenario = build(one_state(p_exit=0.01, initial=1000, inflow=0, months=12))
    (balance,) = plausibility.balances(scenario)
    assert balance.steady == 0 and balance.end == pytest.approx(1000 * 0.99 ** 12)
    assert plausibility.drift_warnings(scenario) == []
    # Over 48 months it falls to 1000 x 0.99^48 = 617: a closed group, or a missing inflow.
    (warning,) = plausibility.drift_warnings(build(one_state(p_exit=0.01, initial=1000, inflow=0, months=48)))
    assert "no one enters" in warning.message and "an inflow of 10 persons a month" in warning.message
    assert "closed group" in warning.message


def test_the_mean_stay_by_anciennitet_by_hand():
    # Leaving 10 % a month for months 0-5, then 2 %: an entrant at month 0 stays (1 - 0.9^6) / 0.1 months in
    # the first six, then 0.9^6 of them stay 1 / 0.02 = 50 months more.
    leaving = np.array([0.1] * 6 + [0.02] * 8)
    stay = plausibility.mean_stay(leaving)
    assert stay[0] == pytest.approx((1 - 0.9 ** 6) / 0.1 + 0.9 ** 6 * 50)
    assert stay[6:] == pytest.approx(np.full(8, 50.0))
    assert plausibility.mean_stay(np.full(14, 0.05)) == pytest.approx(np.full(14, 20.0))
    assert np.isinf(plausibility.mean_stay(np.zeros(14))).all()


def test_with_exits_by_anciennitet_the_steady_state_is_what_a_long_run_settles_at():
    raw = one_state(p_exit=0.05, initial=1000, inflow=20, months=36)
    raw["transitions"][0]["probability"] = {"0-5": 0.1, "6+": 0.02}
    (balance,) = plausibility.balances(build(raw))
    by_hand = 20 * ((1 - 0.9 ** 6) / 0.1 + 0.9 ** 6 * 50)
    assert balance.steady == pytest.approx(by_hand)
    # The engine, run from empty for 100 years at the same rates and inflow, gets there.
    long = copy.deepcopy(raw)
    long["scenario"]["end"] = "2119-12"
    long["states"]["kh"]["initial"] = 0
    assert simulate(build(long)).headcount[0, -1, 0] == pytest.approx(by_hand, rel=1e-9)
    assert balance.hold_inflow == pytest.approx(1000 / by_hand * 20)


def test_moves_in_from_another_benefit_state_count_as_inflow():
    # b gets 2 a month from outside and 400 x 0.01 = 4 from a (a starts at its own steady state, 4 / 0.01), and
    # loses 2 % a month: settles at 6 / 0.02 = 300; 1000 at the start would need 1000 x 0.02 - 4 = 16 from outside.
    raw = {
        "scenario": {"name": "t", "start": "2020-01", "end": "2029-12"},
        "states": {"a": {"initial": 400, "inflow": 4, "cost": 100_000},
                   "b": {"initial": 1000, "inflow": 2, "cost": 100_000},
                   "job": {"kind": "outside"}},
        "transitions": [{"from": "a", "to": "b", "probability": 0.01}, {"from": "b", "to": "job", "probability": 0.02}],
    }
    a, b = plausibility.balances(build(raw))
    assert (a.steady, a.moved_in) == (pytest.approx(400), 0)
    assert b.moved_in == pytest.approx(4) and b.steady == pytest.approx(300) and b.hold_inflow == pytest.approx(16)
    (warning,) = plausibility.drift_warnings(build(raw))
    assert warning.path == "states.b.inflow"
    assert "6 persons a month enter (2 from outside the model, 4 from other states)" in warning.message


def test_a_state_no_one_leaves_grows_without_bound_but_a_state_nothing_enters_or_leaves_holds():
    raw = {
        "scenario": {"name": "t", "start": "2020-01", "end": "2023-12"},
        "states": {"fleks": {"initial": 400, "inflow": 6, "cost": 115_000}, "held": {"initial": 170, "cost": 139_000}},
    }
    fleks, held = plausibility.balances(build(raw))
    assert np.isinf(fleks.steady) and np.isnan(fleks.hold_inflow) and fleks.end == pytest.approx(400 + 48 * 6)
    assert held.steady == 170 and held.end == 170
    (warning,) = plausibility.drift_warnings(build(raw))
    assert warning.path == "states.fleks.inflow" and "no one leaves it, so it grows without bound" in warning.message


def test_a_state_that_starts_empty_is_not_checked():
    assert plausibility.balances(build(one_state(p_exit=0.05, initial=0, inflow=10, months=120))) == []


def test_the_balance_reads_the_baseline_not_a_strategy():
    raw = with_changes(one_state(p_exit=0.05, initial=1000, inflow=50, months=60),
                       strategies={"baseline": {}, "s": {"effects": [{"state": "kh", "inflow_multiply": 0.2}]}})
    assert plausibility.drift_warnings(build(raw)) == []


def test_the_balance_reads_the_baselines_end_from_a_run_already_made():
    # As above (36 months: 200 + 800 x 0.95^36 = 325.9 at the end), with a strategy that halves the exits, run
    # first: the baseline's end is read from the run's row 0, not simulated again, and is the baseline's.
    raw = with_changes(one_state(p_exit=0.05, initial=1000, inflow=10, months=36),
                       strategies={"baseline": {}, "s": {"effects": [{"from": "kh", "to": "job", "multiply": 0.5}]}})
    scenario = build(raw)
    result = run_scenario(scenario)
    (balance,) = plausibility.balances(scenario, result.values, result.trajectory)
    assert balance.end == pytest.approx(200 + 800 * 0.95 ** 36) and balance.steady == pytest.approx(200)
    assert plausibility.check(scenario, result.values, result.trajectory) == plausibility.check(scenario)
    assert len(plausibility.check(scenario)) == 1


# --- rates ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("probability, warned", [(0.5, False), (0.51, True), (0.9, True), (0.05, False)])
def test_a_monthly_exit_probability_above_a_half_is_warned(probability, warned):
    found = plausibility.probability_warnings(build(one_state(p_exit=probability, inflow=50)))
    assert paths(found) == (["transitions[0].probability"] if warned else [])


def test_a_band_above_a_half_is_named_by_its_band():
    raw = one_state(p_exit=0.05)
    raw["transitions"][0]["probability"] = {"0-5": 0.6, "6-11": 0.03, "12+": 0.7}
    found = plausibility.probability_warnings(build(raw))
    assert paths(found) == ["transitions[0].probability.0-5", "transitions[0].probability.12+"]
    assert "mean_months" in found[0].message and "mean stay of 1.7 months" in found[0].message


def test_only_probabilities_out_of_a_benefit_state_are_checked():
    raw = one_state(p_exit=0.05)
    raw["transitions"].append({"from": "job", "to": "kh", "probability": 0.8})  # returns from a job: may be quick
    raw["transitions"][0] = {"from": "kh", "to": "job", "hazard": 0.9}  # a hazard is not a probability given by mistake
    assert plausibility.probability_warnings(build(raw)) == []


# --- windows longer than the horizon -------------------------------------------------------------


def effect_scenario(months: int = 36, **effect) -> dict:
    return with_changes(one_state(p_exit=0.05, initial=1000, inflow=50, months=months),
                        strategies={"baseline": {}, "s": {"effects": [{"from": "kh", "to": "job", "multiply": 1.2, **effect}]}})


@pytest.mark.parametrize("key", ["ramp_months", "fade_months"])
def test_a_ramp_or_fade_longer_than_the_horizon_is_warned(key):
    assert plausibility.effect_warnings(build(effect_scenario(**{key: 36}))) == []
    (warning,) = plausibility.effect_warnings(build(effect_scenario(**{key: 37})))
    assert warning.path == f"strategies.s.effects[0].{key}" and "the horizon (36 months, 2020-01 to 2022-12)" in warning.message


def test_a_ramp_longer_than_the_horizon_says_how_far_the_effect_gets():
    # A ramp of 52 months from the first month: 36 / 52 = 69 % at the horizon's end.
    (warning,) = plausibility.effect_warnings(build(effect_scenario(ramp_months=52)))
    assert "reaches at most 69% of its size" in warning.message


def test_a_one_month_horizon_is_one_month_in_the_warning():
    (warning,) = plausibility.effect_warnings(build(effect_scenario(months=1, ramp_months=3)))
    assert "the horizon (1 month, 2020-01 to 2020-01)" in warning.message
    assert "a ramp of at most 1 month reaches full size" in warning.message


def programme_scenario(start: str, duration: int) -> dict:
    programme = {"name": "kursus", "from": "kh", "participants": 5, "start": start, "duration_months": duration}
    return with_changes(one_state(p_exit=0.05, initial=1000, inflow=50, months=36),
                        strategies={"baseline": {}, "s": {"programmes": [programme]}})


@pytest.mark.parametrize("start, duration, warned", [("2020-01", 36, False), ("2020-01", 37, True), ("2022-07", 6, False),
                                                     ("2022-07", 7, True)])
def test_a_programme_no_one_completes_within_the_horizon_is_warned(start, duration, warned):
    # 36 months to 2022-12: a start in 2020-01 completes 36 months by 2022-12; a start in 2022-07 completes 6.
    found = plausibility.programme_warnings(build(programme_scenario(start, duration)))
    assert paths(found) == (["strategies.s.programmes[0].duration_months"] if warned else [])


def test_a_programme_longer_than_the_horizon_says_so():
    (warning,) = plausibility.programme_warnings(build(programme_scenario("2020-01", 100)))
    assert "a programme of 100 months is longer than the horizon (36 months" in warning.message


# --- every check together; the shipped scenarios -------------------------------------------------


def test_check_gathers_every_check():
    raw = effect_scenario(ramp_months=40)
    raw["states"]["kh"]["cost"] = 120.0
    raw["states"]["kh"]["inflow"] = 5
    raw["transitions"][0]["probability"] = 0.6
    assert paths(plausibility.check(build(raw))) == ["states.kh.cost", "states.kh.inflow", "transitions[0].probability",
                                                     "strategies.s.effects[0].ramp_months"]


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.toml")), ids=lambda p: p.name)
def test_no_shipped_scenario_is_warned(path):
    assert plausibility.check(load(path)) == []


# --- the command line ----------------------------------------------------------------------------


@pytest.fixture
def implausible(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text('[scenario]\nname = "t"\nstart = "2020-01"\nend = "2022-12"\n'
                    '[states.kh]\ninitial = 1000\ninflow = 50\ncost = 120.5\n'
                    '[states.job]\nkind = "outside"\n'
                    '[[transitions]]\nfrom = "kh"\nto = "job"\nprobability = 0.05\n'
                    '[[targets]]\nname = "low"\nstates = ["kh"]\nyear = 2021\nmax = 1000\n', encoding="utf-8")
    return str(path)


def invoke(*args: str):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def test_validate_prints_warnings_on_stderr_and_stays_ok(implausible):
    result = invoke("validate", implausible)
    assert result.exit_code == 0
    assert result.stdout.startswith(f"ok: {implausible}")
    assert result.stderr.startswith(f"warning: {implausible}: states.kh.cost: a benefit cost of 120.5 kr.")
    assert invoke("validate", "--quiet", implausible).stderr == ""


def test_validate_strict_fails_on_a_warning_even_when_quiet(implausible):
    strict = invoke("validate", "--strict", implausible)
    assert strict.exit_code == 2 and "ok:" not in strict.stdout
    assert "states.kh.cost" in strict.stderr and "--strict: 1 plausibility warning" in strict.stderr
    quiet = invoke("validate", "--strict", "-q", implausible)
    assert quiet.exit_code == 2 and "states.kh.cost" not in quiet.stderr and "--strict" in quiet.stderr
    good = invoke("validate", "--strict", str(SCENARIOS / "aabenraa-kik2.toml"))
    assert good.exit_code == 0 and good.stderr == ""


@pytest.mark.parametrize("command", ["run", "compare", "targets"])
def test_warnings_never_change_the_result(implausible, command):
    loud, quiet = invoke(command, implausible), invoke(command, implausible, "--quiet")
    assert loud.exit_code == quiet.exit_code == 0
    assert without_command(loud.stdout) == without_command(quiet.stdout)  # the provenance's command line says --quiet
    assert f"warning: {implausible}: states.kh.cost:" in loud.stderr and "warning" not in quiet.stderr


def test_targets_strict_is_about_targets_only(implausible):
    # The one target is met; the warning stays a warning under targets --strict.
    result = invoke("targets", implausible, "--strict")
    assert result.exit_code == 0 and "states.kh.cost" in result.stderr


def test_a_value_set_on_the_command_line_is_checked_as_the_file_would_be(implausible):
    result = invoke("run", implausible, "--set", "states.kh.cost=120_000", "--set", "transitions[0].probability=0.7")
    assert "states.kh.cost" not in result.stderr and "transitions[0].probability" in result.stderr


# --- seasons -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("inflow", "added", "warned"), [(0.0, False, True), (12.0, False, False), (0.0, True, False)])
def test_a_season_on_a_state_with_no_inflow_multiplies_nothing_and_is_warned(inflow, added, warned):
    raw = with_state(one_state(p_exit=0.05, inflow=inflow), season={"1": 1.2, "7": 0.8}, cycle=1.1)
    if added:  # an effect that adds an inflow gives the season something to multiply
        raw["strategies"]["more"] = {"effects": [{"state": "kh", "inflow_add": 5}]}
    found = plausibility.season_warnings(build(raw))
    assert paths(found) == (["states.kh.season", "states.kh.cycle"] if warned else [])
    assert all("kh has no inflow, so its" in w.message for w in found)
    assert paths(found) == [p for p in paths(plausibility.check(build(raw))) if p.endswith(("season", "cycle"))]



# --- measures ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("measures_cost", "set_first", "warned"), [(0.0, False, True), (12_000.0, False, False), (0.0, True, False)])
def test_a_measures_cost_factor_on_a_state_with_none_multiplies_nothing_and_is_warned(measures_cost, set_first, warned):
    raw = one_state(p_exit=0.05, inflow=10.0, measures_cost=measures_cost)
    effects = [{"state": "kh", "measures_cost_multiply": 3.0}]
    if set_first:  # a set gives the factor something to multiply
        effects.insert(0, {"state": "kh", "measures_cost_set": 24_000})
    raw["strategies"]["more"] = {"effects": effects}
    found = plausibility.measures_warnings(build(raw))
    index = 1 if set_first else 0
    assert paths(found) == ([f"strategies.more.effects[{index}].measures_cost_multiply"] if warned else [])
    assert all("kh has no measures_cost, so this factor multiplies nothing" in w.message for w in found)
    assert paths(found) == [p for p in paths(plausibility.check(build(raw))) if p.endswith("measures_cost_multiply")]


@pytest.mark.parametrize(("entry", "warned"), [
    ({"dist": "gamma", "mean": 1.0, "sd": 0.1}, True),  # a factor meant as one: 40 times too small
    ({"dist": "gamma", "mean": 1.0, "sd": 0.1, "scale": True}, False),  # the factor it was meant as
    ({"dist": "gamma", "mean": 400.0, "sd": 40.0}, False),  # exactly 10 times: at the threshold, not past it
    ({"dist": "gamma", "mean": 401.0, "sd": 40.0}, True),
    ({"dist": "gamma", "mean": 44.0, "sd": 4.0}, False),  # an ordinary spread round the file's 40
    ({"dist": "uniform", "low": 0.5, "high": 1.5}, True),  # by its own parameters: a mean of 1, a factor again
    ({"dist": "gamma", "shape": 100.0, "scale": 0.01}, True),  # a gamma by shape and scale: a mean of 1
    ({"dist": "gamma", "shape": 100.0, "scale": 0.4}, False),  # by shape and scale round the file's 40
])
def test_an_uncertain_numbers_mean_far_from_the_files_number_is_warned(entry, warned):
    """An [uncertainty] entry without scale = true centres its draws on its mean; one more than
    UNCERTAIN_MEAN_FACTOR from the file's number (the state's inflow of 40) is a slip."""
    scenario = build(with_changes(one_state(inflow=40.0), uncertainty={"states.kh.inflow": entry}))
    found = plausibility.uncertainty_warnings(scenario)
    assert paths(found) == (['uncertainty."states.kh.inflow"'] if warned else [])
    if warned:
        assert "scale = true" in found[0].message and "40" in found[0].message
    assert paths(found) == [w.path for w in plausibility.check(scenario) if w.path.startswith("uncertainty")]


@pytest.mark.parametrize(("entry", "warned"), [
    ({"dist": "gamma", "mean": 40.0, "sd": 4.0, "scale": True}, True),  # the number's own mean, with scale = true
    ({"dist": "gamma", "mean": 1.0, "sd": 0.1, "scale": True}, False),
    ({"dist": "gamma", "mean": 10.0, "sd": 1.0, "scale": True}, False),  # exactly 10: at the threshold, not past it
    ({"dist": "lognormal", "mu": math.log(40.0), "sigma": 0.1, "scale": True}, True),  # by its own parameters
    ({"dist": "uniform", "low": 30.0, "high": 50.0, "scale": True}, True),
    ({"dist": "triangular", "low": 0.8, "mode": 1.0, "high": 1.3, "scale": True}, False),
    ({"dist": "beta", "a": 1.0, "b": 99.0, "scale": True}, True),  # a mean of 0.01: a hundredth of the file's
])
def test_a_factors_mean_far_from_1_is_warned(entry, warned):
    """scale = true multiplies the file's number by the draws: a factor of mean 40 (the number's own mean given
    with scale = true) makes an inflow of 40 one of 1,600 in the draws, while run uses 40. Warned more than
    UNCERTAIN_MEAN_FACTOR from 1, by the distribution's mean from its parameters."""
    scenario = build(with_changes(one_state(inflow=40.0), uncertainty={"states.kh.inflow": entry}))
    found = plausibility.uncertainty_warnings(scenario)
    assert paths(found) == (['uncertainty."states.kh.inflow"'] if warned else [])
    if warned:
        mean = float(read(scenario)[0].inputs[0].frozen().mean())  # scipy's own mean of the distribution
        assert f"a factor (scale = true) with mean {mean:.4g}" in found[0].message
        assert "A factor has a mean of 1" in found[0].message


def test_sensitivity_and_tornado_print_the_uncertainty_warnings(tmp_path):
    """The warnings about [uncertainty] concern the commands that draw from it most."""
    text = (SCENARIOS / "aabenraa-kik2.toml").read_text(encoding="utf-8").replace(
        '"states.kontanthjaelp.inflow" = { dist = "gamma", mean = 1.0, sd = 0.10, scale = true }',
        '"states.kontanthjaelp.inflow" = { dist = "gamma", mean = 47.0, sd = 5.0, scale = true }')
    file = tmp_path / "kik2.toml"
    file.write_text(text, encoding="utf-8")
    for command in (["sensitivity", "--draws", "4"], ["tornado"]):
        result = CliRunner().invoke(main, [command[0], str(file), *command[1:]])
        assert result.exit_code == 0, result.output
        assert (f'warning: {file}: uncertainty."states.kontanthjaelp.inflow": a factor (scale = true) with mean 47'
                in result.stderr)


def test_an_uncertain_numbers_mean_on_the_other_side_of_0_is_warned():
    """An effect's add of 0.01 in the file with a distribution of mean -0.01: a sign slip."""
    raw = one_state(inflow=40.0)
    raw["strategies"]["s"] = {"effects": [{"from": "kh", "to": "job", "add": 0.01, "start": "2020-03"}]}
    entry = {"dist": "normal", "mean": -0.01, "sd": 0.001}
    found = plausibility.uncertainty_warnings(build(with_changes(raw, uncertainty={"strategies.s.effects[0].add": entry})))
    assert paths(found) == ['uncertainty."strategies.s.effects[0].add"'] and "a sign slip?" in found[0].message
    entry["mean"] = 0.012
    assert plausibility.uncertainty_warnings(build(with_changes(raw, uncertainty={"strategies.s.effects[0].add": entry}))) == []



def test_a_mean_stay_of_one_month_is_one_month():
    found = plausibility.probability_warnings(build(one_state(p_exit=1.0, inflow=50)))
    assert "(a mean stay of 1 month)" in found[0].message
