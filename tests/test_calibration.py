"""Calibration against data whose truth is known: the model's own runs, a straight line, a closed form.

Observations are made by running a scenario with known numbers (kikcalc.engine.simulate and
kikcalc.observed.expected, which calibration does not call in these tests' generator), then the
numbers are fitted from other starting values and compared with the truth. Intervals are checked
against their coverage over seeded noise and against the OLS closed form of a model linear in the
fitted number; warnings against cases built to trigger them.
"""

from __future__ import annotations

import io
import json
import math
import os
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from scipy.stats import t as student

import kikcalc
import kikcalc.api
from conftest import SCENARIOS, one_state
from kikcalc import calibration as calibrate_module
from kikcalc.calibration import calibrate, fitted_number
from kikcalc.cli import main
from kikcalc.engine import simulate
from kikcalc.observed import Observation, Observations, expected, parse_period
from kikcalc.scenario import build
from kikcalc.toml_edit import with_numbers
from kikcalc.uncertainty import read as read_uncertainty


def month(m: int) -> str:
    """The label of model month m of a horizon from 2020-01."""
    return f"{2020 + m // 12}-{m % 12 + 1:02d}"


def quarter(q: int) -> str:
    return f"{2020 + q // 4}Q{q % 4 + 1}"


def generated(scenario, specs: list[tuple[str, str, str]], strategy: int = 0) -> Observations:
    """Observations (state, measure, period) with the values a plain run of the scenario gives: the truth."""
    items = tuple(Observation((state,), measure, parse_period(period, scenario.calendar), 0.0, f"generated {i}")
                  for i, (state, measure, period) in enumerate(specs))
    template = Observations(items, "generated")
    trajectory = simulate(scenario, keep_stock=False, keep_flows=template.needs_flows)
    values = expected(scenario, trajectory, template)[strategy]
    return Observations(tuple(Observation(o.states, o.measure, o.period, float(v), o.where) for o, v in zip(items, values, strict=True)),
                        "generated")


def with_noise(observations: Observations, rng: np.random.Generator, sd: float) -> Observations:
    return Observations(tuple(Observation(o.states, o.measure, o.period, o.value + rng.normal(0.0, sd), o.where)
                              for o in observations.items), observations.source)


def invoke(*args: str):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


# --- 1. numbers recovered from the model's own data, without noise -------------------------------------


def test_one_rate_is_recovered_exactly():
    truth = build(one_state(p_exit=0.08, initial=800, inflow=30, months=36))
    observations = generated(truth, [("kh", "persons", month(m)) for m in range(1, 36, 3)])
    start = build(one_state(p_exit=0.05, initial=800, inflow=30, months=36))
    fit = calibrate(start, observations, ["transitions[0].probability"])
    assert fit.estimate[0] == pytest.approx(0.08, rel=1e-6)
    assert fit.fitted[0].start == pytest.approx(0.05)
    np.testing.assert_allclose(fit.after, observations.values, rtol=1e-8)
    assert np.abs(fit.before - observations.values).max() > 1.0  # the file's number was not the truth
    assert fit.warnings == [] and fit.is_finding and fit.no_finding == []


def _with_effect(multiply: float, inflow: float):
    raw = one_state(p_exit=0.05, initial=800, inflow=inflow, months=36)
    raw["strategies"]["kik"] = {"effects": [{"from": "kh", "to": "job", "multiply": multiply, "start": "2020-07"}]}
    return build(raw)


def test_an_effect_and_an_inflow_are_recovered_from_persons_and_passed_through():
    # persons alone trade a stronger effect against more inflow; passed through (initial + entrants) pins the inflow.
    truth = _with_effect(1.4, 40.0)
    specs = ([("kh", "persons", month(m)) for m in range(2, 36, 3)]
             + [("kh", "passed_through", month(m)) for m in range(5, 36, 6)])
    observations = generated(truth, specs, strategy=1)
    fit = calibrate(_with_effect(1.0, 20.0), observations, ["strategies.kik.effects[0].multiply", "states.kh.inflow"], strategy=1)
    np.testing.assert_allclose(fit.estimate, [1.4, 40.0], rtol=1e-6)
    np.testing.assert_allclose(fit.after, observations.values, rtol=1e-8)
    assert fit.warnings == []


def test_a_rate_and_an_inflow_are_recovered_from_a_stock_that_bends():
    # From 800 towards the steady state 30 / 0.08 = 375: the curvature tells the rate, the level the inflow.
    truth = build(one_state(p_exit=0.08, initial=800, inflow=30, months=36))
    observations = generated(truth, [("kh", "persons", month(m)) for m in range(0, 36, 2)])
    fit = calibrate(build(one_state(p_exit=0.05, initial=800, inflow=10, months=36)), observations,
                    ["transitions[0].probability", "states.kh.inflow"])
    np.testing.assert_allclose(fit.estimate, [0.08, 30.0], rtol=1e-6)


def _banded(factor: float):
    return build(one_state(p_exit={"0-5": 0.12 * factor, "6+": 0.04 * factor}, initial=600, inflow=25, months=36))


def _yearly(factor: float):
    return build(one_state(p_exit=0.06, initial=600, inflow={"2020": 25 * factor, "2021": 40 * factor, "2022": 30 * factor},
                           months=36))


@pytest.mark.parametrize(("make", "path", "measure", "periods"), [
    (_banded, "transitions[0].probability", "persons", [month(m) for m in range(1, 36, 2)]),
    (_yearly, "states.kh.inflow", "full_time", [quarter(q) for q in range(12)]),
], ids=["band table of probabilities", "inflow by year"])
def test_a_table_is_fitted_as_one_factor(make, path, measure, periods):
    observations = generated(make(0.75), [("kh", measure, p) for p in periods])
    fit = calibrate(make(1.0), observations, [path])
    assert fit.fitted[0].scale
    assert fit.estimate[0] == pytest.approx(0.75, rel=1e-6)
    np.testing.assert_allclose(fit.after, observations.values, rtol=1e-8)
    assert fit.warnings == []


def _band_with_late_effect(young: float):
    raw = one_state(p_exit={"0-5": young, "6+": 0.04}, initial=800, inflow=25, months=24)
    raw["strategies"]["kik"] = {"effects": [{"from": "kh", "to": "job", "multiply": 1.3, "start": "2020-07", "ramp_months": 3}]}
    return build(raw)


def test_one_band_of_a_table_is_recovered_under_an_effect_that_only_multiplies():
    # One band fitted alone takes the rows off the file's anciennitet profile; with effects that only
    # multiply moves out, the engine once ran such rows wrong from month 0 and crashed at the effect's start.
    truth = _band_with_late_effect(0.2)
    specs = [("kh", "persons", month(m)) for m in range(1, 24, 2)] + [("kh", "exits", quarter(q)) for q in range(8)]
    observations = generated(truth, specs, strategy=1)
    fit = calibrate(_band_with_late_effect(0.12), observations, ["transitions[0].probability.0-5"], strategy=1)
    assert fit.estimate[0] == pytest.approx(0.2, rel=1e-6)
    np.testing.assert_allclose(fit.after, observations.values, rtol=1e-8)


# --- 2. intervals that cover the truth as often as they say --------------------------------------------


@pytest.mark.parametrize(("paths", "truth", "inflow_in_file"), [
    (["transitions[0].probability"], [0.08], 30.0),
    (["transitions[0].probability", "states.kh.inflow"], [0.08, 30.0], 20.0),
], ids=["rate", "rate and inflow"])
def test_95_percent_intervals_cover_the_truth_about_95_percent_of_the_time(paths, truth, inflow_in_file):
    clean = generated(build(one_state(p_exit=0.08, initial=800, inflow=30, months=24)),
                      [("kh", "persons", month(m)) for m in range(24)])
    start = build(one_state(p_exit=0.05, initial=800, inflow=inflow_in_file, months=24))
    rng = np.random.default_rng(20261203)
    repetitions = 40
    covered = np.zeros(len(paths))
    for _ in range(repetitions):
        fit = calibrate(start, with_noise(clean, rng, 8.0), paths)
        covered += (fit.interval[:, 0] <= truth) & (truth <= fit.interval[:, 1])
    # Coverage over 40 repetitions is Binomial(40, 0.95) / 40 if the intervals are right: sd
    # sqrt(0.95 * 0.05 / 40) = 0.034. 80 % (32 of 40) is 4.4 sd below 95 %; a correct interval falls
    # that low with probability 1.3e-4 (binom.cdf(31, 40, 0.95)), while an interval half as wide as it
    # should be covers about 67 % and fails. The seed is fixed, so the test is deterministic.
    share = covered / repetitions
    assert ((share >= 0.80) & (share <= 1.0)).all(), share


# --- 3. what the data cannot tell is said ---------------------------------------------------------------


def test_inflow_and_exit_rate_on_a_flat_stock_are_flagged_as_not_identified():
    # At the steady state initial = inflow / p the stock stays flat whatever the pair: only the ratio shows.
    flat = build(one_state(p_exit=0.1, initial=300, inflow=30, months=36))
    observations = generated(flat, [("kh", "persons", month(m)) for m in range(0, 36, 2)])
    np.testing.assert_allclose(observations.values, 30 / 0.1, rtol=1e-12)
    fit = calibrate(build(one_state(p_exit=0.08, initial=300, inflow=20, months=36)), observations,
                    ["transitions[0].probability", "states.kh.inflow"])
    assert any("not identified" in w or "trade off" in w for w in fit.warnings), fit.warnings
    assert not fit.identified and not fit.is_finding and set(fit.no_finding) <= set(fit.warnings)
    # whatever pair it stops at, only the ratio is pinned down
    assert fit.estimate[1] / fit.estimate[0] == pytest.approx(300, rel=1e-6)


def test_a_number_that_moves_no_observation_is_flagged():
    truth = build(one_state(p_exit=0.08, initial=800, inflow=30, months=24))
    observations = generated(truth, [("kh", "persons", month(m)) for m in range(1, 24, 2)])
    fit = calibrate(build(one_state(p_exit=0.08, initial=800, inflow=20, months=24)), observations,
                    ["states.kh.inflow", "states.kh.cost"])
    assert any(w.startswith("states.kh.cost moves none of the observations") for w in fit.warnings), fit.warnings
    assert not fit.identified and any(w.startswith("states.kh.cost moves none") for w in fit.no_finding)
    assert not any(w.startswith("states.kh.inflow moves none") for w in fit.warnings)
    assert fit.estimate[0] == pytest.approx(30, rel=1e-6)


def test_a_number_pushed_to_its_bound_is_flagged_with_the_bound():
    # A stock that rises by the inflow alone asks for an exit probability below 0.
    rising = build(one_state(p_exit=0.0, initial=300, inflow=30, months=24))
    observations = generated(rising, [("kh", "persons", month(m)) for m in range(1, 24, 2)])
    np.testing.assert_allclose(observations.values, [300 + 30 * (m + 1) for m in range(1, 24, 2)])
    start = build(one_state(p_exit=0.05, initial=300, inflow=30, months=24))
    fit = calibrate(start, observations, ["transitions[0].probability"])
    low = fitted_number(start, "transitions[0].probability").low
    assert fit.estimate[0] == pytest.approx(low, abs=1e-8)
    assert f"transitions[0].probability ends at its bound {low:g}:" in " ".join(fit.warnings)


# --- 4. backtest against naive forecasts ----------------------------------------------------------------


def test_with_model_generated_data_the_model_beats_every_naive_forecast():
    truth = build(one_state(p_exit=0.08, initial=800, inflow=30, months=36))
    clean = generated(truth, [("kh", "persons", month(m)) for m in range(1, 36, 2)])
    observations = with_noise(clean, np.random.default_rng(5), 3.0)
    fit = calibrate(build(one_state(p_exit=0.05, initial=800, inflow=20, months=36)), observations,
                    ["transitions[0].probability", "states.kh.inflow"], holdout=6)
    held = np.flatnonzero(~fit.used)
    times = np.array([o.period.boundary for o in observations.items], dtype=float)
    assert set(held) == set(np.argsort(times)[-6:])  # the last six in time
    # The naive forecasts by hand, from the fitted period's observations.
    t, y = times[fit.used], observations.values[fit.used]
    slope, intercept = np.polyfit(t, y, 1)
    naive = {"last value": np.full(6, y[-1]), "straight line": intercept + slope * times[held],
             "drift": y[-1] + (y[-1] - y[0]) / (t[-1] - t[0]) * (times[held] - t[-1])}
    model_error = np.abs(observations.values[held] - fit.after[held]).mean()
    for name, forecast in naive.items():
        np.testing.assert_allclose(fit.holdout["naive"][name], forecast, rtol=1e-9)
        skill = model_error / np.abs(observations.values[held] - forecast).mean()
        assert fit.holdout["skill"][name] == pytest.approx(skill, rel=1e-9)
        assert skill < 1
    assert fit.holdout["not_better_than"] == []
    # The 90 % prediction interval holds most held-out observations: with the right coverage at least 4 of
    # 6 with probability 0.98 (binom.cdf(3, 6, 0.9) = 0.016).
    low, high = fit.holdout["interval"].T
    assert ((low <= observations.values[held]) & (observations.values[held] <= high)).sum() >= 4


def test_skill_compares_the_model_on_the_observations_each_naive_forecast_covers():
    # The year's full-time persons, held out, has no earlier observation of its kind: no naive forecast.
    truth = build(one_state(p_exit=0.08, initial=800, inflow=30, months=24))
    specs = [("kh", "persons", month(m)) for m in range(1, 24, 2)] + [("kh", "full_time", "2021")]
    observations = with_noise(generated(truth, specs), np.random.default_rng(2), 4.0)
    fit = calibrate(build(one_state(p_exit=0.05, initial=800, inflow=30, months=24)), observations,
                    ["transitions[0].probability"], holdout=4)
    held = np.flatnonzero(~fit.used)
    year = len(specs) - 1
    assert year in held
    covered = held[held != year]
    model_error = np.abs(observations.values[covered] - fit.after[covered]).mean()
    last = observations.values[np.flatnonzero(fit.used)[-1]]
    assert np.isnan(fit.holdout["naive"]["last value"][list(held).index(year)])
    assert fit.holdout["skill"]["last value"] == pytest.approx(
        model_error / np.abs(observations.values[covered] - last).mean(), rel=1e-9)


def _file(tmp_path, observed: dict[str, float], name: str = "scenario.toml", p_exit: float = 0.05, measure: str = "persons"):
    """A scenario file with comments, an effect (strategy kik) and an [observed] table of kh persons."""
    table = ", ".join(f'"{k}" = {v!r}' for k, v in observed.items())
    text = f"""# calibration test scenario
[scenario]
name = "calibration test"   # shown in reports
start = "2020-01"
end = "2022-12"

[states.kh]
label = "Kontanthjælp"
initial = 800               # persons at the start
inflow = {{ 2020 = 25, 2021 = 40, 2022 = 30 }}   # new persons a month
cost = 120_000
cost_basis = "net"

[states.job]
kind = "outside"

# the one way out
[[transitions]]
from = "kh"
to = "job"
probability = {p_exit!r}  # a month

[strategies.baseline]
label = "Baseline"

[strategies.kik]
label = "KIK"

[[strategies.kik.effects]]
from = "kh"
to = "job"
multiply = 1.2   # the assumed effect
start = "2020-07"

[observed]
source = "test data"
[observed.kh]
{measure} = {{ {table} }}
"""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_on_a_straight_line_the_report_says_plainly_the_model_does_not_beat_the_naive_forecasts(tmp_path):
    line = {month(m): 500.0 + 10.0 * (m + 1) for m in range(1, 36, 2)}  # persons at each month's end: a straight line
    path = _file(tmp_path, line)
    scenario = kikcalc.load(path)
    observations = kikcalc.observed.from_scenario(scenario)[0]
    fit = calibrate(scenario, observations, ["transitions[0].probability"], strategy=1, holdout=6)
    held = np.flatnonzero(~fit.used)
    boundaries = np.array([o.period.boundary for o in observations.items])
    np.testing.assert_allclose(fit.holdout["naive"]["straight line"], 500 + 10 * boundaries[held], rtol=1e-9)
    # the straight line and drift forecast a straight line exactly; the model, which bends, cannot
    assert {"straight line", "drift"} <= set(fit.holdout["not_better_than"])
    result = invoke("calibrate", str(path), "--fit", "transitions[0].probability", "--holdout", "6")
    assert result.exit_code == 0, result.output
    assert "does NOT forecast better" in result.stdout


# --- 5. intervals against the closed form ---------------------------------------------------------------


def test_standard_error_of_an_inflow_equals_the_ols_formula():
    # No exits: persons x[b] = initial + inflow * b at month boundary b, so the full-time persons of a
    # quarter (the mean of its months' (x[m] + x[m+1]) / 2) are initial + inflow * c with c the mean of
    # m + 1/2 over the quarter's months: linear in the inflow, through the known initial.
    raw = one_state(initial=200, inflow=5, months=24)
    raw["transitions"] = []
    scenario = build(raw)
    rng = np.random.default_rng(3)
    items, design = [], []
    for q in range(8):
        period = parse_period(quarter(q), scenario.calendar)
        c = np.mean([m + 0.5 for m in range(period.first, period.last + 1)])
        items.append(Observation(("kh",), "full_time", period, 200 + 12 * c + rng.normal(0, 4), f"q{q}"))
        design.append(c)
    observations = Observations(tuple(items))
    fit = calibrate(scenario, observations, ["states.kh.inflow"])
    x, y = np.array(design), observations.values - 200
    estimate = x @ y / (x @ x)
    residual = y - estimate * x
    s2 = residual @ residual / (len(x) - 1)
    standard_error = math.sqrt(s2 / (x @ x))
    assert fit.estimate[0] == pytest.approx(estimate, rel=1e-6)
    assert fit.standard_error[0] == pytest.approx(standard_error, rel=1e-6)
    half = student.ppf(0.975, len(x) - 1) * standard_error
    np.testing.assert_allclose(fit.interval[0], [estimate - half, estimate + half], rtol=1e-6)


# --- 6. the fitted numbers written back into the scenario -----------------------------------------------


SCENARIO_TEXT = """# A scenario to edit
[scenario]
name = "edit test"   # shown in reports
start = "2020-01"
end = "2021-12"

[states.kh]
initial = 800               # persons at the start
inflow = { 2020 = 25, 2021 = 40 }   # new persons a month
cost = 120_000

[states.job]
kind = "outside"

# the one way out
[[transitions]]
from = "kh"
to = "job"
probability = { "0-5" = 0.12, "6+" = 0.04 }  # by anciennitet

[strategies.kik]

[[strategies.kik.effects]]
from = "kh"
to = "job"
multiply = 1.2   # the assumed effect
start = "2020-07"
"""


def test_with_numbers_keeps_every_line_but_the_changed_ones_and_says_what_was_there():
    changes = [("states.kh.inflow", 1.25, True, "fitted A"), ("strategies.kik.effects[0].multiply", 1.4567891234, False, "fitted B"),
               ("transitions[0].probability", 0.9, True, "fitted C")]
    out = with_numbers(SCENARIO_TEXT, changes, [("strategies.kik.effects[0].multiply", 1.45, 0.05, False, 0.0, math.inf),
                                                ("transitions[0].probability", 1.0, 0.1, True)])
    before, after = SCENARIO_TEXT.splitlines(), out.splitlines()
    changed = {i for i, line in enumerate(before) if line.startswith(("inflow =", "multiply =", "probability ="))}
    assert after[:len(before)][:min(changed)] == before[:min(changed)]
    for i, line in enumerate(before):
        if i in changed:
            key, _, rest = line.partition(" = ")
            value, _, comment = rest.partition("#")
            assert after[i].startswith(f"{key} = ")
            assert f"; was {value.strip()}: {comment.strip()}" in after[i]
        else:
            assert after[i] == line  # every other line, comments and blank lines included, as it was
    old, new = tomllib.loads(SCENARIO_TEXT), tomllib.loads(out)
    for year, persons in old["states"]["kh"]["inflow"].items():
        assert new["states"]["kh"]["inflow"][year] == pytest.approx(persons * 1.25)
    for band, p in old["transitions"][0]["probability"].items():
        assert new["transitions"][0]["probability"][band] == pytest.approx(p * 0.9)
    assert new["strategies"]["kik"]["effects"][0]["multiply"] == pytest.approx(1.4567891234, rel=1e-6)
    scenario = build(new)
    entries = {u.path: u for u in read_uncertainty(scenario)[0].inputs}
    assert dict(entries["strategies.kik.effects[0].multiply"].parameters)["mean"] == 1.45
    assert dict(entries["transitions[0].probability"].parameters)["sd"] == 0.1 and entries["transitions[0].probability"].scale


def test_with_numbers_scales_a_table_written_over_several_lines():
    text = SCENARIO_TEXT.replace("inflow = { 2020 = 25, 2021 = 40 }   # new persons a month\n", "").replace(
        '[states.job]', '[states.kh.inflow]   # by year\n2020 = 25   # first year\n2021 = 40\n\n[states.job]').replace(
        'probability = { "0-5" = 0.12, "6+" = 0.04 }  # by anciennitet', 'probability.0-5 = 0.12  # young\nprobability."6+" = 0.04')
    out = with_numbers(text, [("states.kh.inflow", 2.0, True, "fitted"), ("transitions[0].probability", 0.5, True, "fitted")])
    lines = out.splitlines()
    assert "2020 = 50   # fitted; was 25: first year" in lines
    assert any(line.startswith("2021 = 80") and line.endswith("# fitted; was 40") for line in lines)
    assert any(line.startswith("probability.0-5 = 0.06") and line.endswith("# fitted; was 0.12: young") for line in lines)
    old, new = tomllib.loads(text), tomllib.loads(out)
    assert new["states"]["kh"]["inflow"] == {k: v * 2 for k, v in old["states"]["kh"]["inflow"].items()}
    assert new["transitions"][0]["probability"] == pytest.approx({k: v * 0.5 for k, v in old["transitions"][0]["probability"].items()})


def _generated_file(tmp_path):
    """The test scenario with persons observed under kik as a run with inflow x 1.2 and exit probability 0.07 gives them."""
    periods = [month(m) for m in range(1, 36, 2)]
    draft = _file(tmp_path, dict.fromkeys(periods, 0.0), name="draft.toml")
    truth = kikcalc.load(draft, [("states.kh.inflow", {"2020": 30, "2021": 48, "2022": 36}), ("transitions[0].probability", 0.07)])
    observations = generated(truth, [("kh", "persons", p) for p in periods], strategy=1)
    return _file(tmp_path, dict(zip(periods, observations.values.tolist(), strict=True))), observations


def test_the_written_file_loads_and_runs_as_the_fitted_numbers(tmp_path):
    path, observations = _generated_file(tmp_path)
    text = path.read_bytes()
    out = tmp_path / "fitted.toml"
    result = invoke("calibrate", str(path), "--fit", "states.kh.inflow", "--fit", "transitions[0].probability",
                    "--write", str(out), "--write-uncertainty", "--format", "json")
    assert result.exit_code == 0, result.output
    assert path.read_bytes() == text  # the input is never changed
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["draft.toml", "scenario.toml", "fitted.toml"])  # no temporary left
    report = json.loads(result.stdout)
    factor, p_exit = (row["fitted"] for row in report["fitted"])
    assert factor == pytest.approx(1.2, rel=1e-6) and p_exit == pytest.approx(0.07, rel=1e-6)
    written = kikcalc.load(out)
    by_hand = kikcalc.load(path, [("states.kh.inflow", {"2020": 25 * factor, "2021": 40 * factor, "2022": 30 * factor}),
                                  ("transitions[0].probability", p_exit)])
    np.testing.assert_allclose(kikcalc.run(written).trajectory.headcount, kikcalc.run(by_hand).trajectory.headcount, rtol=1e-5)
    np.testing.assert_allclose(expected(written, simulate(written), observations)[1], observations.values, rtol=1e-5)
    # --write-uncertainty: each fitted number's estimate and standard error, in a form the file's rules accept
    entries = {u.path: dict(u.parameters) for u in read_uncertainty(written)[0].inputs}
    errors = {row["key_path"]: row["standard_error"] for row in report["fitted"]}
    assert entries["transitions[0].probability"]["mean"] == pytest.approx(p_exit, rel=1e-5)
    assert entries["transitions[0].probability"]["sd"] == pytest.approx(errors["transitions[0].probability"], rel=1e-5)
    assert entries["states.kh.inflow"]["sd"] == pytest.approx(errors["states.kh.inflow"] / factor, rel=1e-5)


def test_a_scenario_calibrated_again_keeps_one_header_and_the_first_number_it_had(tmp_path):
    path, _ = _generated_file(tmp_path)
    first, second, third = (tmp_path / f"fitted{i}.toml" for i in (1, 2, 3))
    for source, out in ((path, first), (first, second), (second, third)):
        result = invoke("calibrate", str(source), "--fit", "transitions[0].probability", "--write", str(out))
        assert result.exit_code == 0, result.output
    lines = third.read_text(encoding="utf-8").splitlines()
    assert [line for line in lines if line.startswith("# Written by")] == [
        f"# Written by kikcalc calibrate from {second} and the [observed] table; first written from {path} and the "
        f"[observed] table; each fitted number says so beside it."]
    # The second run's number, as it wrote it, is what the third says the file held before; and first the file's own.
    was = next(line for line in second.read_text(encoding="utf-8").splitlines() if line.startswith("probability"))
    was = was.split("=", 1)[1].split("#", 1)[0].strip()
    comment = next(line for line in lines if line.startswith("probability")).split("#", 1)[1]
    assert comment.count("fitted by kikcalc calibrate") == 1
    assert comment.endswith(f"; was {was}, fitted before; first 0.05: a month")
    assert kikcalc.load(third).transitions[0].value == pytest.approx(float(was), rel=1e-5)  # the same data: the same fit


def test_write_never_overwrites_the_input(tmp_path):
    path, _ = _generated_file(tmp_path)
    text = path.read_bytes()
    result = invoke("calibrate", str(path), "--fit", "transitions[0].probability", "--write", str(path))
    assert result.exit_code == 2
    assert "input" in result.output
    assert path.read_bytes() == text


def test_write_writes_over_only_what_it_wrote(tmp_path):
    """A scenario calibrate wrote starts with its mark and may be written again; a hand-written one never is."""
    path, _ = _generated_file(tmp_path)
    out = tmp_path / "fitted.toml"
    assert invoke("calibrate", str(path), "--fit", "transitions[0].probability", "--write", str(out)).exit_code == 0
    assert out.read_text(encoding="utf-8").startswith(f"# Written by kikcalc calibrate from {path} and the [observed] table")
    assert invoke("calibrate", str(path), "--fit", "transitions[0].probability", "--write", str(out)).exit_code == 0
    hand = tmp_path / "hand.toml"
    hand.write_text("# a scenario someone wrote\n", encoding="utf-8")
    result = invoke("calibrate", str(path), "--fit", "transitions[0].probability", "--write", str(hand))
    assert result.exit_code == 2 and "is not a scenario kikcalc calibrate wrote" in result.stderr
    assert hand.read_text(encoding="utf-8") == "# a scenario someone wrote\n"
    result = invoke("calibrate", str(path), "--fit", "transitions[0].probability", "--write", str(tmp_path / "fitted.csv"))
    assert result.exit_code == 2 and "give a name ending in .toml" in result.stderr
    assert not (tmp_path / "fitted.csv").exists()


def test_write_is_atomic_a_failed_write_leaves_the_old_file_whole(tmp_path, monkeypatch):
    path, _ = _generated_file(tmp_path)
    out = tmp_path / "fitted.toml"
    out.write_text("# Written by kikcalc calibrate from an earlier run\n", encoding="utf-8")

    def failing_replace(source, target):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", failing_replace)
    result = CliRunner().invoke(main, ["calibrate", str(path), "--fit", "transitions[0].probability", "--write", str(out)])
    assert result.exit_code == 2 and f"kikcalc: cannot write {out}: disk full" in result.stderr
    assert "Traceback" not in result.output
    assert out.read_text(encoding="utf-8") == "# Written by kikcalc calibrate from an earlier run\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["draft.toml", "scenario.toml", "fitted.toml"])


def test_write_refuses_a_fit_that_is_not_identified_and_leaves_the_old_file(tmp_path):
    """A flat stock cannot tell inflow from exits: the fit is no finding, so --write writes nothing (exit 1, a check
    failed), says why, and the scenario it wrote before stays as it was."""
    path = _file(tmp_path, {month(m): 800.0 for m in range(1, 36, 2)})
    out = tmp_path / "fitted.toml"
    good = invoke("calibrate", str(path), "--set", "states.kh.inflow=40", "--fit", "states.kh.inflow", "--write", str(out))
    assert good.exit_code == 0 and f"Wrote {out}" in good.stdout
    before = out.read_bytes()
    fits = ["--fit", "states.kh.inflow", "--fit", "transitions[0].probability", "--fit", "strategies.kik.effects[0].multiply"]
    result = invoke("calibrate", str(path), "--set", "states.kh.inflow=40", *fits, "--write", str(out), "--write-uncertainty",
                    "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["converged"] and not report["identified"] and report["written"] is None
    assert f"kikcalc: {report['not_written']}" in result.stderr and "is not identified" in report["not_written"]
    assert any("not identified" in w for w in report["warnings"])
    assert out.read_bytes() == before
    text = invoke("calibrate", str(path), "--set", "states.kh.inflow=40", *fits, "--write", str(out))
    assert text.exit_code == 1 and f"Did not write {out}: the fit is not identified" in text.stdout
    assert "Wrote" not in text.stdout


def test_write_refuses_a_fit_that_did_not_converge(tmp_path, monkeypatch):
    import scipy.optimize

    path, _ = _generated_file(tmp_path)
    solve = scipy.optimize.least_squares
    monkeypatch.setattr(scipy.optimize, "least_squares", lambda *a, **k: solve(*a, **{**k, "max_nfev": 1}))
    scenario = kikcalc.load(path)
    fit = calibrate(scenario, kikcalc.api.observations(scenario)[0], ["transitions[0].probability"], 1)
    assert not fit.converged and fit.identified and not fit.is_finding
    assert fit.no_finding == [w for w in fit.warnings if w.startswith("the fit did not converge")] != []
    out = tmp_path / "fitted.toml"
    result = invoke("calibrate", str(path), "--fit", "transitions[0].probability", "--write", str(out))
    assert result.exit_code == 1 and f"did not write {out}: the fit did not converge" in result.stderr
    assert not out.exists()


def test_write_puts_the_caveats_in_the_file_and_says_why_an_uncertainty_is_left_out(tmp_path):
    """An exact fit (one observation, one number) is a finding without a standard error: the file is written with
    the warning as a caveat in its first lines, and --write-uncertainty says on stderr and in the file that it wrote
    no entry, and why."""
    path = _file(tmp_path, {month(5): 820.0})
    out = tmp_path / "fitted.toml"
    result = invoke("calibrate", str(path), "--fit", "transitions[0].probability", "--write", str(out), "--write-uncertainty",
                    "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["written"] == str(out) and report["identified"] and report["converged"]
    (warning,) = report["warnings"]
    entries, (why,) = calibrate_module.uncertainty_entries(
        calibrate(kikcalc.load(path), kikcalc.api.observations(kikcalc.load(path))[0], ["transitions[0].probability"], 1))
    assert entries == [] and why.startswith("transitions[0].probability: ")
    assert f"kikcalc: --write-uncertainty wrote no [uncertainty] entry for {why}" in result.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[1] == f"# Caveat of the fit: {warning}"
    assert lines[2] == f"# --write-uncertainty wrote no [uncertainty] entry for {why}"
    written = kikcalc.load(out)
    assert read_uncertainty(written)[0].inputs == ()
    assert expected(written, simulate(written), kikcalc.api.observations(written)[0])[1] == pytest.approx([820.0], rel=1e-6)


# --- 8. the command line --------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["table", "markdown", "csv", "json"])
def test_calibrate_in_every_format(tmp_path, fmt):
    path, _ = _generated_file(tmp_path)
    result = invoke("calibrate", str(path), "--fit", "transitions[0].probability", "--set", 'states.kh.inflow={ 2020 = 30, '
                    '2021 = 48, 2022 = 36 }', "--format", fmt)
    assert result.exit_code == 0, result.output
    if fmt == "json":
        assert json.loads(result.stdout)["fitted"][0]["fitted"] == pytest.approx(0.07, rel=1e-6)
    elif fmt == "csv":
        assert pd.read_csv(io.StringIO(result.stdout)).fitted[0] == pytest.approx(0.07, rel=1e-6)
    else:
        row = next(line for line in result.stdout.splitlines() if line.lstrip("| ").startswith("transitions[0].probability"))
        assert f"{0.07:.6g}" in row.split()
        assert ("|" in row) == (fmt == "markdown")


def test_calibrate_without_observations_is_bad_input(tmp_path):
    path = tmp_path / "bare.toml"
    path.write_text(SCENARIO_TEXT, encoding="utf-8")
    result = invoke("calibrate", str(path), "--fit", "transitions[0].probability")
    assert result.exit_code == 2
    assert "no observations" in result.output


def test_calibrate_unknown_fit_path_names_the_nearest(tmp_path):
    path, _ = _generated_file(tmp_path)
    result = invoke("calibrate", str(path), "--fit", "transitions[0].probabilty")
    assert result.exit_code == 2
    assert "--fit transitions[0].probabilty" in result.output
    assert "nearest: transitions[0].probability" in result.output


def test_calibrate_holdout_of_every_observation_is_bad_input(tmp_path):
    path, observations = _generated_file(tmp_path)
    for holdout in (len(observations), len(observations) + 1):
        result = invoke("calibrate", str(path), "--fit", "transitions[0].probability", "--holdout", str(holdout))
        assert result.exit_code == 2
        assert f"--holdout {holdout}" in result.output


def test_calibrate_unknown_strategy_is_bad_input(tmp_path):
    path, _ = _generated_file(tmp_path)
    result = invoke("calibrate", str(path), "--fit", "transitions[0].probability", "--strategy", "kikk")
    assert result.exit_code == 2
    assert 'did you mean "kik"' in result.output


def test_a_fitted_number_is_searched_within_its_limits():
    """A fit never tries a number the file could not hold: its bounds are the limits of docs/scenario-format.md."""
    from kikcalc import limits

    scenario = kikcalc.load(SCENARIOS / "aabenraa-kik2.toml")
    cost = fitted_number(scenario, "states.kontanthjaelp.cost")
    assert (cost.low, cost.high) == (limits.KRONER_PER_PERSON.low, limits.KRONER_PER_PERSON.high)
    inflow = fitted_number(scenario, "states.kontanthjaelp.inflow")
    assert (inflow.low, inflow.high) == (limits.PERSONS.low, limits.PERSONS.high)
    band_table = fitted_number(scenario, "transitions[0].probability")  # a factor on the band table, its largest 0.031
    largest = max(scenario.raw["transitions"][0]["probability"].values())
    assert band_table.scale and band_table.high == pytest.approx(limits.SHARE.high / largest, rel=1e-12)


def test_write_uncertainty_without_write_is_refused(tmp_path):
    path, _ = _generated_file(tmp_path)
    result = invoke("calibrate", str(path), "--fit", "transitions[0].probability", "--write-uncertainty")
    assert result.exit_code == 2
    assert "--write-uncertainty writes [uncertainty] entries into the file --write OUT.toml writes; give --write" in result.output


@pytest.mark.parametrize("fmt", ["csv", "csv-da", "xlsx"])
def test_a_table_only_format_carries_the_warnings_and_the_values_set(tmp_path, fmt):
    """A CSV (and a workbook) holds the fitted numbers only: what the text says around them, a fit that is not
    identified above all, goes to standard error beside a CSV and to a workbook's notes sheet, as the text has it."""
    path = _file(tmp_path, {month(m): 800.0 for m in range(1, 36, 2)})
    fits = ["--fit", "states.kh.inflow", "--fit", "transitions[0].probability", "--fit", "strategies.kik.effects[0].multiply"]
    args = ["calibrate", str(path), "--set", "states.kh.inflow=40", *fits]
    text = invoke(*args)
    assert text.exit_code == 0, text.output
    warnings = [line for line in text.stdout.splitlines() if line.startswith("WARNING: ")]
    assert any("not identified" in w for w in warnings)
    assert "Set: states.kh.inflow = 40 (file: " in text.stdout
    out = tmp_path / f"fit.{'xlsx' if fmt == 'xlsx' else 'csv'}"
    result = invoke(*args, "--format", fmt, "--output", str(out))
    assert result.exit_code == 0, result.output
    if fmt == "xlsx":
        import openpyxl

        notes = [row[0] for row in openpyxl.load_workbook(out)["notes"].iter_rows(min_row=2, values_only=True)]
    else:
        notes = [line.removeprefix("note: ") for line in result.stderr.splitlines() if line.startswith("note: ")]
    assert all(w in notes for w in warnings)
    assert any(n.startswith("set states.kh.inflow = 40 (file: ") for n in notes)
    assert any(n.startswith("Root mean square error") for n in notes)


def test_locale_da_writes_the_numbers_in_the_sentences_the_danish_way(tmp_path):
    """The root mean square error, the backtest's errors and skill: with --locale da as the tables write numbers."""
    from kikcalc.locale import number, share

    path, _ = _generated_file(tmp_path)
    args = ["calibrate", str(path), "--fit", "transitions[0].probability", "--holdout", "2"]
    report = json.loads(invoke(*args, "--format", "json").stdout)
    danish = invoke(*args, "--locale", "da").stdout
    assert (f"Root mean square error {number(report['rmse'], 1, 'da')}, mean absolute percentage error "
            f"{share(report['mape'], 'da', 1)}") in danish
    assert f"Mean absolute error: model {number(report['holdout']['mean_absolute_error']['model'], 1, 'da')};" in danish
    assert f"drift {number(report['holdout']['skill']['drift'], 2, 'da')}" in danish


def test_the_written_file_holds_the_values_set_for_the_fit(tmp_path):
    """A fit made with --set is a fit of the scenario as set: the file --write writes holds those values too (beside
    each, that it was set and what the file had), so that it runs as the fit did and a fit of it again finds the
    same numbers. A table set and fitted as one factor is the table as set, scaled."""
    path, _ = _generated_file(tmp_path)
    out = tmp_path / "fitted.toml"
    sets = ["--set", "states.kh.inflow={ 2020 = 20, 2021 = 50, 2022 = 30 }", "--set", "strategies.kik.effects[0].multiply=1.3",
            "--set", "states.kh.initial=810"]
    args = ["--fit", "states.kh.inflow", "--fit", "transitions[0].probability", "--format", "json"]
    report = json.loads(invoke("calibrate", str(path), *sets, *args, "--write", str(out)).stdout)
    assert report["written"] == str(out)
    factor, p_exit = (row["fitted"] for row in report["fitted"])
    text = out.read_text(encoding="utf-8")
    assert "multiply = 1.3   # set with --set for the fit (kikcalc calibrate); was 1.2: the assumed effect" in text
    as_fitted = kikcalc.load(path, [("states.kh.inflow", {"2020": 20 * factor, "2021": 50 * factor, "2022": 30 * factor}),
                                    ("strategies.kik.effects[0].multiply", 1.3), ("states.kh.initial", 810),
                                    ("transitions[0].probability", p_exit)])
    written = kikcalc.load(out)
    np.testing.assert_allclose(kikcalc.run(written).trajectory.headcount, kikcalc.run(as_fitted).trajectory.headcount, rtol=1e-5)
    again = json.loads(invoke("calibrate", str(out), *args).stdout)
    assert [row["fitted"] for row in again["fitted"]] == pytest.approx([1.0, p_exit], rel=1e-4)


def test_write_uncertainty_over_a_spread_written_by_hand_keeps_what_it_was_and_says_so(tmp_path):
    """The file's own [uncertainty] entry for a fitted number (a wide spread chosen on purpose) was replaced by the
    fit's standard error without a word. It is replaced still (the number moved), but its comment keeps the entry it
    replaced, and the file's first lines and standard error say so; an entry calibrate wrote is replaced quietly."""
    path, _ = _generated_file(tmp_path)
    text = Path(path).read_text(encoding="utf-8")
    hand = tmp_path / "hand.toml"
    hand.write_text(text + '\n[uncertainty]\n"transitions[0].probability" = { dist = "beta", mean = 0.05, sd = 0.02 }  # a guess\n',
                    encoding="utf-8")
    out, again = tmp_path / "fitted.toml", tmp_path / "again.toml"
    args = ["--fit", "transitions[0].probability", "--fit", "states.kh.inflow", "--write-uncertainty"]
    result = invoke("calibrate", str(hand), *args, "--write", str(out))
    assert result.exit_code == 0, result.output
    said = ('--write-uncertainty wrote over the file\'s [uncertainty] entry for transitions[0].probability '
            '({ dist = "beta", mean = 0.05, sd = 0.02 })')
    assert f"kikcalc: {said}" in result.stderr
    written = out.read_text(encoding="utf-8").splitlines()
    assert any(line.startswith(f"# {said}") for line in written[1:4])
    entry = next(line for line in written if line.startswith('"transitions[0].probability" ='))
    assert entry.endswith('# fitted by kikcalc calibrate: the estimate and its standard error; '
                          'was { dist = "beta", mean = 0.05, sd = 0.02 }')
    sd = dict(next(u for u in read_uncertainty(kikcalc.load(out))[0].inputs if u.path == "transitions[0].probability").parameters)["sd"]
    assert sd != 0.02
    refit = invoke("calibrate", str(out), *args, "--write", str(again))
    assert refit.exit_code == 0 and "wrote over" not in refit.stderr


def test_a_workbook_shows_the_observations_as_persons(tmp_path):
    import openpyxl

    from kikcalc.formats.xlsx import PERSONS

    path, _ = _generated_file(tmp_path)
    out = tmp_path / "fit.xlsx"
    assert invoke("calibrate", str(path), "--fit", "transitions[0].probability", "--holdout", "2", "--output", str(out)).exit_code == 0
    book = openpyxl.load_workbook(out)
    assert {cell.number_format for cell in book["residuals"][2][3:]} == {PERSONS}
    assert {cell.number_format for cell in book["holdout"][2][1:]} == {PERSONS}


def test_a_scenario_with_windows_line_ends_is_written_with_them_only(tmp_path):
    """A scenario saved on Windows (CRLF) was written back with the first lines ending LF and the rest CRLF."""
    path, _ = _generated_file(tmp_path)
    windows = tmp_path / "windows.toml"
    windows.write_bytes(Path(path).read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    out = tmp_path / "fitted.toml"
    fits = ["--fit", "transitions[0].probability", "--fit", "states.kh.inflow"]  # they trade off: a caveat line too
    assert invoke("calibrate", str(windows), *fits, "--write", str(out)).exit_code == 0
    data = out.read_bytes()
    assert data.count(b"\n") == data.count(b"\r\n") > 0
    assert data.startswith(b"# Written by kikcalc calibrate") and b"\r\n# Caveat of the fit:" in data


def test_a_backtest_with_no_naive_forecast_says_it_compares_nothing():
    """KIK II's four counts are of one date: the one held out has no earlier count of its state to forecast from,
    so there is no naive forecast, and the report said 'The model forecasts better than every naive forecast
    available' of none."""
    args = ["calibrate", str(SCENARIOS / "aabenraa-kik2.toml"), "--fit", "states.kontanthjaelp.inflow", "--holdout", "1"]
    report = json.loads(invoke(*args, "--format", "json").stdout)
    assert all(value is None for value in report["holdout"]["skill"].values())  # NaN: null in JSON
    text = invoke(*args).stdout
    assert "Backtest: the last 1 observation held out" in text
    assert "No naive forecast to compare with" in text and "forecasts better than every" not in text


def test_a_fitted_number_set_with_set_is_marked_so_in_the_in_the_file_column(tmp_path):
    """The fit starts from a value --set gives: the column 'in the file' showed 40 where the file has 25 a month."""
    path, _ = _generated_file(tmp_path)
    text = invoke("calibrate", str(path), "--fit", "transitions[0].probability", "--set", "transitions[0].probability=0.06").stdout
    row = next(line for line in text.splitlines() if line.startswith("transitions[0].probability "))
    assert row.split()[1:3] == ["0.06", "(set)"]
    plain = invoke("calibrate", str(path), "--fit", "transitions[0].probability").stdout
    assert "(set)" not in plain
