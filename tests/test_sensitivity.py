"""Probabilistic and one-way sensitivity against plain runs, single runs with overrides and closed forms.

A draw runs through the batched engine (many rows at once); each check here compares it with
something computed apart from that path: ``kikcalc.run`` of the file with the drawn numbers set by
``kikcalc.load(path, overrides=...)``, a Beta-mixture closed form, or a count made from the drawn
numbers themselves.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import optimize, special, stats

import kikcalc
from conftest import one_state, with_changes
from kikcalc import keypaths
from kikcalc.scenario import build
from kikcalc.sensitivity import Outcomes, run, tornado
from kikcalc.uncertainty import read

SCENARIO = """
[scenario]
name = "sensitivity test"
start = "2020-01"
end = "2021-12"
discount_rate = 0.035

[states.kh]
initial = 800
initial_anciennitet = { 0 = 0.3, 6 = 0.3, 13 = 0.4 }
inflow = { 2020 = 40, 2021 = 30 }
cost = 150_000
cost_basis = "gross"                   # refusion by anciennitet

[states.rf]
initial = 200                          # no initial_anciennitet: settled from each draw's baseline rates
cost = 131_000

[states.job]
kind = "outside"

[[transitions]]
from = "kh"
to = "job"
probability = { "0-5" = 0.06, "6-11" = 0.045, "12+" = 0.03 }

[[transitions]]
from = "kh"
to = "rf"
probability = 0.01

[[transitions]]
from = "rf"
to = "job"
mean_months = 40

[strategies.baseline]
label = "Baseline"

[strategies.kik2]
investment = { 2020 = 2_400_000, 2021 = 1_200_000 }

[[strategies.kik2.effects]]
from = "kh"
to = "job"
multiply = 1.4
start = "2020-03"
ramp_months = 3

[[targets]]
name = "kh-under-700"
states = ["kh"]
at = "2021-06"
max = 700

[[targets]]
name = "payback"
payback_by = "2021-12"
"""

UNCERTAINTY = """
[uncertainty]
"transitions[0].probability" = { dist = "gamma", mean = 1, sd = 0.1, scale = true }
"transitions[1].probability" = { dist = "beta", mean = 0.01, sd = 0.003 }
"transitions[2].mean_months" = { dist = "lognormal", mean = 40, sd = 8 }
"states.kh.inflow" = { dist = "lognormal", mean = 1, sd = 0.15, scale = true }
"states.kh.cost" = { dist = "truncnormal", mean = 150_000, sd = 10_000, low = 120_000, high = 180_000 }
"strategies.kik2.effects[0].multiply" = { dist = "triangular", low = 1.1, mode = 1.4, high = 1.6 }
"strategies.kik2.investment" = { dist = "uniform", low = 0.8, high = 1.3, scale = true }
"targets[0].max" = { dist = "normal", mean = 700, sd = 30 }

[[correlations]]
between = ["transitions[0].probability", "strategies.kik2.effects[0].multiply"]
rank = -0.4
"""

# Every spread zero, each at the number the file gives (a factor at 1).
ZERO_SPREAD = """
[uncertainty]
"transitions[0].probability" = { dist = "gamma", mean = 1, sd = 0, scale = true }
"transitions[1].probability" = { dist = "beta", mean = 0.01, sd = 0 }
"transitions[2].mean_months" = { dist = "lognormal", mean = 40, sd = 0 }
"states.kh.inflow" = { dist = "lognormal", mean = 1, sd = 0, scale = true }
"states.kh.cost" = { dist = "truncnormal", mean = 150_000, sd = 0, low = 120_000, high = 180_000 }
"strategies.kik2.effects[0].multiply" = { dist = "triangular", low = 1.4, mode = 1.4, high = 1.4 }
"strategies.kik2.investment" = { dist = "uniform", low = 1, high = 1, scale = true }
"targets[0].max" = { dist = "normal", mean = 700, sd = 0 }
"""


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sensitivity")
    written = {}
    for name, text in {"uncertain": SCENARIO + UNCERTAINTY, "zero": SCENARIO + ZERO_SPREAD}.items():
        written[name] = folder / f"{name}.toml"
        written[name].write_text(text, encoding="utf-8")
    return written


def _loaded(file):
    scenario = kikcalc.load(file)
    uncertainty, problems = read(scenario)
    assert problems == []
    return scenario, uncertainty


def _assert_same_outcomes(a: Outcomes, b: Outcomes) -> None:
    for name in Outcomes.__dataclass_fields__:
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)


def _overrides(scenario, uncertainty, drawn_row: np.ndarray) -> list[tuple[str, object]]:
    """The drawn numbers as --set overrides: a number as drawn, a factor (scale = true) times what the file says."""
    pairs = []
    for item, number in zip(uncertainty.inputs, drawn_row, strict=True):
        if not item.scale:
            pairs.append((item.path, float(number)))
            continue
        written = keypaths.get(scenario.raw, item.path)
        scaled = {key: value * float(number) for key, value in written.items()} if isinstance(written, dict) \
            else written * float(number)
        pairs.append((item.path, scaled))
    return pairs


def _plain(file, overrides=()):
    """kikcalc.run of the file with the overrides: NPV per strategy, and each (target, strategy)'s value and verdict."""
    result = kikcalc.run(kikcalc.load(file, overrides=overrides))
    judged = {(v.target, v.strategy): (np.nan if v.value is None else v.value, v.met) for v in result.verdicts}
    return result.accounts.npv, judged


# --- reproducibility ------------------------------------------------------------------------------


@pytest.mark.parametrize("sampler", ["random", "sobol", "lhs"])
def test_a_seeded_run_is_the_same_bit_for_bit_whatever_the_chunks_and_workers(files, sampler):
    scenario, uncertainty = _loaded(files["uncertain"])
    first = run(scenario, uncertainty, 24, seed=42, sampler=sampler, chunk_rows=2, keep_drawn=True)
    assert first.outcomes.npv.shape == (24 * 2,)
    assert np.ptp(first.outcomes.npv[1::2]) > 0  # the draws differ
    for chunk_rows, workers in ((7, 1), (512, 1), (7, 2)):
        again = run(scenario, uncertainty, 24, seed=42, sampler=sampler, chunk_rows=chunk_rows, workers=workers,
                    keep_drawn=True)
        assert again.summary == first.summary, (chunk_rows, workers)
        _assert_same_outcomes(again.outcomes, first.outcomes)
        np.testing.assert_array_equal(again.drawn, first.drawn)
    other_seed = run(scenario, uncertainty, 24, seed=43, sampler=sampler, chunk_rows=512)
    assert other_seed.summary != first.summary


def test_local_workers_started_as_macos_and_windows_start_them_give_the_same_bits(files):
    """macOS and Windows start worker processes by spawning a new interpreter (Linux forks): --workers 2 there gives
    the one-process answer too, its JSON equal but for the line saying how it ran."""
    import json
    import os
    import subprocess
    import sys

    from conftest import ROOT

    def sensitivity(workers: int, start: str | None) -> dict:
        prefix = f"import multiprocessing; multiprocessing.set_start_method({start!r}); " if start else ""
        code = f"{prefix}from kikcalc.cli import main; main()"
        ran = subprocess.run([sys.executable, "-c", code, "sensitivity", str(files["uncertain"]), "--draws", "40",
                              "--workers", str(workers), "--format", "json"], capture_output=True, timeout=300,
                             env={**os.environ, "PYTHONPATH": str(ROOT), "SOURCE_DATE_EPOCH": "1767225600"})
        assert ran.returncode == 0, ran.stderr
        document = json.loads(ran.stdout)
        document.pop("provenance", None)
        document.pop("workers", None)
        return document

    assert sensitivity(2, "spawn") == sensitivity(1, None)


def test_a_run_on_a_dask_cluster_is_the_same_bit_for_bit(files):
    from dask.distributed import Client, LocalCluster

    scenario, uncertainty = _loaded(files["uncertain"])
    with (LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster,
          Client(cluster) as client):
        for sampler in ("random", "sobol"):
            local = run(scenario, uncertainty, 20, seed=3, sampler=sampler, chunk_rows=8)
            remote = run(scenario, uncertainty, 20, seed=3, sampler=sampler, chunk_rows=8, dask=client)
            assert remote.workers.startswith("Dask")
            assert remote.summary == local.summary
            _assert_same_outcomes(remote.outcomes, local.outcomes)


# --- against plain runs -------------------------------------------------------------------------


def test_every_spread_zero_gives_the_plain_run(files):
    scenario, uncertainty = _loaded(files["zero"])
    npv, judged = _plain(files["zero"])
    draws = 8
    result = run(scenario, uncertainty, draws, seed=1, sampler="lhs")
    per_draw = len(scenario.strategies)
    np.testing.assert_allclose(result.outcomes.npv.reshape(draws, per_draw), np.tile(npv, (draws, 1)), rtol=1e-12)
    summary = result.summary
    assert summary["draws_used"] == draws and summary["excluded"]["draws"] == 0
    kik2 = next(s for s in summary["strategies"] if s["name"] == "kik2")
    k = scenario.strategy_names.index("kik2")
    for statistic in ("mean", "p5", "p50", "p95"):
        assert kik2["npv"][statistic] == pytest.approx(npv[k], rel=1e-12)
    for entry in summary["targets"]:
        value, met = judged[entry["name"], entry["strategy"]]
        assert entry["probability_met"] == float(met)
        if entry["kind"] == "payback":
            assert entry["value"]["p50"] == value
        else:
            assert entry["value"]["mean"] == pytest.approx(value, rel=1e-12)


def test_the_batched_draws_equal_single_runs_with_the_drawn_numbers_set(files):
    scenario, uncertainty = _loaded(files["uncertain"])
    draws = 16
    result = run(scenario, uncertainty, draws, seed=7, sampler="random", keep_drawn=True)
    per_draw = len(scenario.strategies)
    names = [t.name for t in scenario.targets]
    for d in (0, 7, 13):
        npv, judged = _plain(files["uncertain"], _overrides(scenario, uncertainty, result.drawn[d]))
        rows = slice(d * per_draw, (d + 1) * per_draw)
        np.testing.assert_allclose(result.outcomes.npv[rows], npv, rtol=1e-9)
        for k, strategy in enumerate(scenario.strategy_names):
            for n, name in enumerate(names):
                value, met = judged[name, strategy]
                got_value, got_met = result.outcomes.target_value[rows][k, n], result.outcomes.target_met[rows][k, n]
                if met is None:
                    assert np.isnan(got_met)
                    continue
                assert got_met == float(met), (d, name, strategy)
                np.testing.assert_allclose(got_value, value, rtol=1e-9)


def _one_way_endpoints(item) -> tuple[float, float]:
    """The 5th and 95th percentiles, or the entry's own low and high, from the entry by closed form or scipy."""
    p = dict(item.parameters)
    if item.dist in ("uniform", "triangular") or (item.dist == "truncnormal" and "low" in p and "high" in p):
        return p["low"], p["high"]
    if item.dist == "gamma":
        dist = stats.gamma(p["mean"] ** 2 / p["sd"] ** 2, scale=p["sd"] ** 2 / p["mean"])
    elif item.dist == "lognormal":
        sigma = math.sqrt(math.log(1 + (p["sd"] / p["mean"]) ** 2))
        dist = stats.lognorm(sigma, scale=p["mean"] * math.exp(-sigma**2 / 2))
    elif item.dist == "beta":
        k = p["mean"] * (1 - p["mean"]) / p["sd"] ** 2 - 1
        dist = stats.beta(p["mean"] * k, (1 - p["mean"]) * k)
    else:
        dist = stats.norm(p["mean"], p["sd"])
    low, high = dist.ppf([0.05, 0.95])
    return float(low), float(high)


@pytest.mark.parametrize(("metric", "strategy"), [("npv", "kik2"), ("net_saving", "kik2"), ("target:kh-under-700", "baseline")])
def test_a_tornados_base_and_endpoints_are_plain_runs_with_the_number_at_its_low_and_high(files, metric, strategy):
    scenario, uncertainty = _loaded(files["uncertain"])
    k = scenario.strategy_names.index(strategy)

    def plain(overrides=()):
        result = kikcalc.run(kikcalc.load(files["uncertain"], overrides=overrides))
        if metric == "npv":
            return result.accounts.npv[k]
        if metric == "net_saving":
            return result.accounts.net_saving[k].sum()
        return next(v.value for v in result.verdicts if v.target == metric.split(":")[1] and v.strategy == strategy)

    base, bars = tornado(scenario, uncertainty, strategy, metric)
    assert base == pytest.approx(plain(), rel=1e-12)
    assert sorted(b.path for b in bars) == sorted(uncertainty.paths)
    swings = {}
    for bar in bars:
        item = next(u for u in uncertainty.inputs if u.path == bar.path)
        low, high = _one_way_endpoints(item)
        assert (bar.low, bar.high) == pytest.approx((low, high), rel=1e-9)
        drawn = np.zeros(len(uncertainty))
        i = uncertainty.paths.index(bar.path)
        at = {}
        for end, number in (("low", bar.low), ("high", bar.high)):
            drawn[i] = number
            at[end] = plain([pair for pair in _overrides(scenario, uncertainty, drawn) if pair[0] == bar.path])
        assert bar.metric_low == pytest.approx(at["low"], rel=1e-9, abs=1e-6), bar.path
        assert bar.metric_high == pytest.approx(at["high"], rel=1e-9, abs=1e-6), bar.path
        swings[bar.path] = abs(at["high"] - at["low"])
    assert [b.path for b in bars] == sorted(swings, key=lambda path: -swings[path])


# --- closed form ----------------------------------------------------------------------------------


@pytest.mark.parametrize("sampler", ["random", "sobol", "lhs"])
def test_a_beta_exit_probability_gives_the_beta_mixture_of_geometric_decay(sampler):
    """1,000 persons in one benefit state, no inflow, leaving each month with probability p ~ Beta(a, b).

    Given p, x[t] = 1000 (1 - p)^t persons at the start of month t. A level target at month t measures
    full-time persons in that month, the mean of the start and end headcounts:
    V(p) = 500 ((1 - p)^t + (1 - p)^(t+1)). With E[(1 - p)^k] = B(a, b + k) / B(a, b),
    E[V] = 500 (m_t + m_{t+1}) and E[V^2] = 250000 (m_2t + 2 m_{2t+1} + m_{2t+2}). V falls with p, so
    P(V <= h) = P(p >= p*) with V(p*) = h: the Beta's survival function at p*.
    """
    a, b, t, h, draws = 2.0, 18.0, 6, 560.0, 20_000
    raw = with_changes(one_state(p_exit=a / (a + b), initial=1000.0, months=t + 1, initial_anciennitet={"0": 1.0}),
                       targets=[{"name": "level", "states": ["kh"], "at": f"2020-{t + 1:02d}", "max": h}],
                       uncertainty={"transitions[0].probability": {"dist": "beta", "a": a, "b": b}})
    scenario = build(raw)
    result = run(scenario, read(scenario)[0], draws, seed=2026, sampler=sampler)

    def moment(k: int) -> float:
        return math.exp(special.betaln(a, b + k) - special.betaln(a, b))

    mean = 500 * (moment(t) + moment(t + 1))
    variance = 250_000 * (moment(2 * t) + 2 * moment(2 * t + 1) + moment(2 * t + 2)) - mean**2
    p_star = optimize.brentq(lambda p: 500 * ((1 - p) ** t + (1 - p) ** (t + 1)) - h, 0.0, 1.0, xtol=1e-14)
    probability = float(stats.beta(a, b).sf(p_star))
    (target,) = result.summary["targets"]
    assert result.summary["draws_used"] == draws
    assert abs(target["value"]["mean"] - mean) <= 4 * math.sqrt(variance / draws), (target["value"]["mean"], mean)
    assert abs(target["probability_met"] - probability) <= 4 * math.sqrt(probability * (1 - probability) / draws)
    # The median: V at the Beta's median p, V being monotone.
    p_median = stats.beta(a, b).median()
    median = 500 * ((1 - p_median) ** t + (1 - p_median) ** (t + 1))
    density_at_median = stats.beta(a, b).pdf(p_median) / (500 * (t * (1 - p_median) ** (t - 1) + (t + 1) * (1 - p_median) ** t))
    assert abs(target["value"]["p50"] - median) <= 4 * 0.5 / (density_at_median * math.sqrt(draws))


# --- draws that cannot be run ---------------------------------------------------------------------


def test_draws_whose_leaving_exceeds_one_are_excluded_and_counted_by_state_and_key_path():
    """kh leaves to job with 0.5 f (f a lognormal factor, mean 1 sd 1) and to other with 0.1; kik2 multiplies
    the first by m ~ U(1.1, 1.3) from April. A draw cannot be run when 0.5 f max(1, m) + 0.1 > 1 in some month
    (kik2's rows after April; a baseline row's 0.5 f + 0.1 > 1 implies it), counted here from the drawn numbers
    alone. rf's exit, a beta, never exceeds 1, so neither rf nor its key path is counted."""
    raw = one_state(p_exit=0.5, initial=1000.0, inflow=10.0, months=12)
    raw["states"] |= {"other": {"kind": "outside"}, "rf": {"initial": 100.0, "cost": 100_000}}
    raw["transitions"] += [{"from": "kh", "to": "other", "probability": 0.1},
                           {"from": "rf", "to": "job", "probability": 0.05}]
    raw["strategies"]["kik2"] = {"investment": 500_000, "effects": [
        {"from": "kh", "to": "job", "multiply": 1.2, "start": "2020-04"}]}
    raw["uncertainty"] = {"transitions[0].probability": {"dist": "lognormal", "mean": 1.0, "sd": 1.0, "scale": True},
                          "strategies.kik2.effects[0].multiply": {"dist": "uniform", "low": 1.1, "high": 1.3},
                          "transitions[2].probability": {"dist": "beta", "mean": 0.05, "sd": 0.02}}
    scenario = build(raw)
    uncertainty = read(scenario)[0]
    draws = 400
    result = run(scenario, uncertainty, draws, seed=11, sampler="random", chunk_rows=64, keep_drawn=True)
    factor, multiply = result.drawn[:, 0], result.drawn[:, 1]
    cannot = 0.5 * factor * np.maximum(1.0, multiply) + 0.1 > 1.0
    count = int(cannot.sum())
    assert 0 < count < draws  # f above 1.8 / m (1.4 to 1.6): about a fifth of the draws
    excluded = result.summary["excluded"]
    assert excluded["draws"] == count
    assert result.summary["draws_used"] == draws - count
    assert excluded["by_state"] == {"kh": count}
    assert excluded["by_key_path"] == {"transitions[0].probability": count, "strategies.kik2.effects[0].multiply": count}
    # The summaries are over the draws that could be run.
    k = scenario.strategy_names.index("kik2")
    npv = result.outcomes.npv.reshape(draws, -1)[:, k]
    kik2 = next(s for s in result.summary["strategies"] if s["name"] == "kik2")
    assert kik2["npv"]["mean"] == pytest.approx(npv[~cannot].mean(), rel=1e-12)
    assert kik2["npv"]["p50"] == pytest.approx(np.median(npv[~cannot]), rel=1e-12)



def test_a_rate_an_effect_turns_negative_after_the_first_month_excludes_the_draw_from_that_month_on():
    """kh leaves to job with p ~ U(0.2, 0.6) and to other with 0.1; kik2 adds -0.35 to the first from April.
    Month 0 is fine for every draw; kik2's rate p - 0.35 is negative from April where p < 0.35 (the draws
    counted from the drawn numbers alone), and only kh is affected."""
    raw = one_state(p_exit=0.4, initial=1000.0, inflow=10.0, months=12)
    raw["states"] |= {"other": {"kind": "outside"}}
    raw["transitions"] += [{"from": "kh", "to": "other", "probability": 0.1}]
    raw["strategies"]["kik2"] = {"investment": 100_000, "effects": [
        {"from": "kh", "to": "job", "add": -0.35, "start": "2020-04"}]}
    raw["uncertainty"] = {"transitions[0].probability": {"dist": "uniform", "low": 0.2, "high": 0.6}}
    scenario = build(raw)
    draws = 300
    result = run(scenario, read(scenario)[0], draws, seed=5, chunk_rows=40, keep_drawn=True)
    count = int((result.drawn[:, 0] < 0.35).sum())
    assert 0 < count < draws
    assert result.summary["excluded"]["draws"] == count
    assert result.summary["excluded"]["by_state"] == {"kh": count}


def test_competing_hazards_an_effect_raises_are_checked_month_by_month_like_the_first():
    """kh leaves by two competing hazards, to job h ~ U(0.5, 3) a month and to other 0.2; kik2 multiplies the
    first by 1.5 from March. Competing hazards never make leaving exceed 1 (1 - exp(-H) < 1), so no draw is
    excluded, whatever the effect does to the total."""
    raw = one_state(p_exit=0.1, initial=1000.0, inflow=10.0, months=12)
    raw["states"] |= {"other": {"kind": "outside"}}
    raw["transitions"] = [{"from": "kh", "to": "job", "hazard": 1.0}, {"from": "kh", "to": "other", "hazard": 0.2}]
    raw["strategies"]["kik2"] = {"effects": [{"from": "kh", "to": "job", "multiply": 1.5, "start": "2020-03"}]}
    raw["uncertainty"] = {"transitions[0].hazard": {"dist": "uniform", "low": 0.5, "high": 3.0}}
    scenario = build(raw)
    result = run(scenario, read(scenario)[0], 200, seed=3, chunk_rows=64)
    assert result.summary["excluded"]["draws"] == 0
    assert result.summary["draws_used"] == 200


def test_a_draw_whose_inflow_an_effect_turns_negative_is_excluded_and_counted_by_that_inflow():
    """kh's inflow ~ U(0, 10); kik2 adds -5 to it from June: its rows' inflow is negative from June where the
    draw's inflow is below 5 (counted from the drawn numbers alone), and the inflow is named among the
    numbers acting on kh."""
    raw = one_state(p_exit=0.1, initial=100.0, inflow=6.0, months=12)
    raw["strategies"]["kik2"] = {"effects": [{"state": "kh", "inflow_add": -5.0, "start": "2020-06"}]}
    raw["uncertainty"] = {"states.kh.inflow": {"dist": "uniform", "low": 0.0, "high": 10.0},
                          "transitions[0].probability": {"dist": "uniform", "low": 0.05, "high": 0.1}}
    scenario = build(raw)
    draws = 400
    result = run(scenario, read(scenario)[0], draws, seed=4, chunk_rows=50, keep_drawn=True)
    count = int((result.drawn[:, 0] < 5.0).sum())
    assert 0 < count < draws
    excluded = result.summary["excluded"]
    assert excluded["draws"] == count and excluded["by_state"] == {"kh": count}
    assert excluded["by_key_path"]["states.kh.inflow"] == count


@pytest.mark.parametrize("shared", [False, True], ids=["one effect a state", "two effects on one state"])
def test_ramped_effects_whose_leaving_exceeds_one_only_later_are_excluded_by_the_state_they_act_on(shared):
    """kh leaves to job with 0.4 and to other with 0.3, rf to job with p ~ U(0.3, 0.7) and to other with 0.2;
    s multiplies kh -> job by m1 and rf -> job by m2 (m ~ U(0.8, 2.2)), ramped in over 12 months (weight
    (t + 1) / 12), and, with ``shared``, kh -> other by m3 too. Leaving is linear in the weight, so a row
    cannot be run where it exceeds 1 at full weight: 0.4 m1 + 0.3 (m3) > 1 for kh, p m2 + 0.2 > 1 for rf,
    which month 0 (weight 1/12) does not show for most of them; counted from the drawn numbers alone."""
    raw = one_state(p_exit=0.4, initial=1000.0, inflow=10.0, months=24)
    raw["states"] |= {"other": {"kind": "outside"}, "rf": {"initial": 500.0, "cost": 100_000}}
    raw["transitions"] += [{"from": "kh", "to": "other", "probability": 0.3},
                           {"from": "rf", "to": "job", "probability": 0.5},
                           {"from": "rf", "to": "other", "probability": 0.2}]
    effects = [{"from": "kh", "to": "job", "multiply": 1.2, "start": "2020-01", "ramp_months": 12},
               {"from": "rf", "to": "job", "multiply": 1.2, "start": "2020-01", "ramp_months": 12}]
    if shared:
        effects.append({"from": "kh", "to": "other", "multiply": 1.2, "start": "2020-01", "ramp_months": 12})
    raw["strategies"]["s"] = {"effects": effects}
    raw["uncertainty"] = {"transitions[2].probability": {"dist": "uniform", "low": 0.3, "high": 0.7}} | {
        f"strategies.s.effects[{e}].multiply": {"dist": "uniform", "low": 0.8, "high": 2.2} for e in range(len(effects))}
    scenario = build(raw)
    uncertainty = read(scenario)[0]
    draws = 500
    result = run(scenario, uncertainty, draws, seed=8, chunk_rows=70, keep_drawn=True)
    column = {u.path: result.drawn[:, i] for i, u in enumerate(uncertainty.inputs)}
    m1, m2 = column["strategies.s.effects[0].multiply"], column["strategies.s.effects[1].multiply"]
    m3 = column["strategies.s.effects[2].multiply"] if shared else 1.0
    p = column["transitions[2].probability"]
    kh = 0.4 * m1 + 0.3 * m3 > 1.0 + 1e-9
    rf = p * m2 + 0.2 > 1.0 + 1e-9
    at_first = (0.4 * (1 + (m1 - 1) / 12) + 0.3 * (1 + (m3 - 1) / 12) > 1.0) | ((p * (1 + (m2 - 1) / 12) + 0.2) > 1.0)
    assert kh.sum() > 50 and rf.sum() > 50 and (kh & ~rf).any() and (rf & ~kh).any() and not at_first.any()
    excluded = result.summary["excluded"]
    assert excluded["by_state"] == {"kh": int(kh.sum()), "rf": int(rf.sum())}
    assert excluded["draws"] == int((kh | rf).sum())
    np.testing.assert_array_equal(result.outcomes.infeasible.reshape(draws, 2, -1)[:, 0].any(axis=1), np.zeros(draws, bool))


def test_a_draw_whose_leaving_comes_within_a_hair_of_one_is_judged_by_the_rule_itself():
    """kh leaves to job with 0.5 and to other with 0.25; s multiplies the first by m ~ U(1.5 - 4e-9, 1.5 + 4e-9),
    ramped in over 6 months. At full weight leaving is 0.5 m + 0.25, above 1 (+ the tolerance, 1e-9) exactly where
    m > 1.5 + 2e-9: draws on both sides of the line, every one within 1e-8 of 1, counted from the drawn numbers."""
    raw = one_state(p_exit=0.5, initial=1000.0, inflow=10.0, months=12)
    raw["states"] |= {"other": {"kind": "outside"}}
    raw["transitions"] += [{"from": "kh", "to": "other", "probability": 0.25}]
    raw["strategies"]["s"] = {"effects": [{"from": "kh", "to": "job", "multiply": 1.5, "start": "2020-01",
                                           "ramp_months": 6}]}
    raw["uncertainty"] = {"strategies.s.effects[0].multiply": {"dist": "uniform", "low": 1.5 - 4e-9, "high": 1.5 + 4e-9}}
    scenario = build(raw)
    draws = 300
    result = run(scenario, read(scenario)[0], draws, seed=2, chunk_rows=50, keep_drawn=True)
    m = result.drawn[:, 0]
    cannot = 0.5 * m + 0.25 > 1.0 + 1e-9
    assert 50 < cannot.sum() < draws - 50
    assert result.summary["excluded"]["draws"] == int(cannot.sum())
    assert result.summary["excluded"]["by_state"] == {"kh": int(cannot.sum())}


def test_a_run_that_counts_moves_takes_fewer_draws_a_chunk_and_the_same_numbers(files, monkeypatch):
    # A flow target keeps every move between states month by month: a chunk takes as many draws as
    # engine.FLOWS_CHUNK_BYTES holds of them, and the outcomes are those of any other chunking, bit for bit.
    import kikcalc.engine
    from kikcalc.sensitivity import chunk_draws

    text = files["uncertain"].read_text(encoding="utf-8") + (
        '\n[[targets]]\nname = "moved"\nflow_from = "kh"\nflow_to = "job"\nstart = "2020-01"\nend = "2020-12"\nmin = 100\n')
    counted = files["uncertain"].parent / "counted.toml"
    counted.write_text(text, encoding="utf-8")
    scenario, uncertainty = _loaded(counted)
    assert scenario.needs_flows
    per_draw = len(scenario.strategies) * scenario.calendar.months * len(scenario.states) ** 2 * 8  # bytes
    whole = run(scenario, uncertainty, 24, seed=42, chunk_rows=512)
    monkeypatch.setattr(kikcalc.engine, "FLOWS_CHUNK_BYTES", 3 * per_draw + 1)
    assert chunk_draws(scenario, 512) == 3
    in_threes = run(scenario, uncertainty, 24, seed=42, chunk_rows=512)
    _assert_same_outcomes(in_threes.outcomes, whole.outcomes)
    assert in_threes.summary == whole.summary


def test_the_tornado_is_the_same_run_in_chunks_of_one_case(files, monkeypatch):
    import kikcalc.sensitivity

    scenario, uncertainty = _loaded(files["uncertain"])
    whole = tornado(scenario, uncertainty, "kik2", "npv")
    monkeypatch.setattr(kikcalc.sensitivity, "chunk_draws", lambda scenario, chunk_rows=512: 1)
    one_by_one = tornado(scenario, uncertainty, "kik2", "npv")
    assert one_by_one == whole
