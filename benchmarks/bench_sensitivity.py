"""Probabilistic sensitivity: kikcalc.sensitivity.run against the floor with its own sampling, run on demand.

    python benchmarks/bench_sensitivity.py                       # 1,000 and 10,000 draws
    python benchmarks/bench_sensitivity.py --draws 2000 --repeats 5

The workload is bench_rows' (benchmarks/workload.py: 10 states, 8 of them benefit states with 14
anciennitet months and 2 outside, 120 months, 2 strategies), written once as a kikcalc scenario at
its mean numbers, with an ``[uncertainty]`` table that gives its 99 numbers distributions:

- the 74 exit probabilities Beta(mean 0.03, sd 0.005): the 56 benefit -> benefit and 2 outside ->
  outside probabilities by their key paths ``transitions[i].probability``. The 16 benefit ->
  outside probabilities are band tables in the file (0.03 times the anciennitet factor, one band a
  month), so a key path cannot give them a beta: each gets ``scale = true`` with a factor
  Gamma(mean 1, sd 0.005 / 0.03), the same relative spread; its probability at factor 1 then has
  mean 0.03 and sd 0.005, as a gamma, not a beta;
- the 16 re-entry probabilities outside -> benefit Beta(mean 0.003, sd 0.0005);
- the 8 inflows ``states.b<i>.inflow`` Gamma with mean the base inflow (20 + 4 i persons a month)
  and a 10 % coefficient of variation;
- the effect size m LogNormal(mean 1.2, sd 0.1). The workload's one m sits in eight effect
  tables (``strategies.job_effect.effects[e].multiply``, one per benefit -> job transition), and
  an ``[uncertainty]`` entry names one number: all eight get the lognormal, tied by
  ``[[correlations]]`` of rank 0.999999 (kikcalc takes ranks strictly below 1), so their draws
  differ by about 1e-4 of m. kikcalc therefore draws 106 numbers and applies the Gaussian copula;
  the floor draws 99.

Timed, in one process, floor and kikcalc runs alternating, best of --repeats:

- kikcalc: what ``kikcalc sensitivity`` does but the formatting: build the scenario from its raw
  table, read ``[uncertainty]`` (kikcalc.uncertainty.read), and kikcalc.sensitivity.run (seeded
  draws by kikcalc.sampling: ``.rvs`` per number, the copula for the eight effects; engine, money,
  targets, the infeasibility check and the summaries), in one process (workers = 1);
- the floor: the same distributions drawn with numpy's Generator through scipy.stats' ``.rvs``,
  benchmarks/floor.py on those draws, and the mean and percentiles of the net saving.

Peak memory is measured by tracemalloc in separate runs (tracing slows numpy calls). The answers
are checked two ways: on their own draws, the floor's and kikcalc's mean net saving of
``job_effect`` against the baseline over the horizon (undiscounted) must agree within
Monte Carlo error (``Z_LIMIT`` standard errors); and on kikcalc's own draws (the eight effect
numbers set to the first), the floor must give kikcalc's net saving draw by draw.
The machine has 2 cores and may be shared: read the load average it prints.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from pathlib import Path

import numpy as np
from scipy import stats

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_rows import peak_mib  # noqa: E402
from benchmarks.floor import CHUNK_CANDIDATES, best_chunk_rows, floor  # noqa: E402
from benchmarks.workload import EXIT_P, OUTSIDE, REENTRY_P, STRATEGIES, draw_rows, scenario_raw  # noqa: E402
from kikcalc import sensitivity  # noqa: E402
from kikcalc.engine import default_chunk_rows  # noqa: E402
from kikcalc.sampling import Design  # noqa: E402
from kikcalc.scenario import build  # noqa: E402
from kikcalc.uncertainty import read  # noqa: E402

EXIT_SD = 0.005
REENTRY_SD = 0.0005
INFLOW_CV = 0.10
EFFECT_MEAN, EFFECT_SD = 1.2, 0.1
EFFECT_RANK = 0.999999
Z_LIMIT = 4.0
SAME_DRAWS = 256  # draws of the draw-by-draw check
PERCENTILES = (5, 50, 95)
STRATEGY = STRATEGIES[1]


# --- the scenario and its [uncertainty] table ------------------------------------------------------


def mean_params(seed: int) -> dict[str, np.ndarray]:
    """The workload's parameters of one draw (benchmarks/workload.draw_rows) set to the distributions' means."""
    params = draw_rows(1, seed)
    nb = params["p_bb"].shape[1]
    params["p_bb"] = EXIT_P * (1.0 - np.eye(nb))[None]
    params["p_bo"] = np.full((1, nb, len(OUTSIDE)), EXIT_P)
    params["p_oo"] = np.full((1, len(OUTSIDE)), EXIT_P)
    params["p_ob"] = np.full((1, len(OUTSIDE), nb), REENTRY_P)
    params["inflow"] = (20.0 + 4.0 * np.arange(nb))[None]
    params["effect"] = np.array([EFFECT_MEAN])
    return params


def uncertain_raw(params: dict[str, np.ndarray]) -> dict:
    """The scenario of ``params``' draw 0 (workload.scenario_raw) with its ``[uncertainty]`` and ``[[correlations]]``."""
    raw = scenario_raw(params, 0)
    table: dict[str, dict] = {}
    for i, transition in enumerate(raw["transitions"]):
        path = f"transitions[{i}].probability"
        if isinstance(transition["probability"], dict):  # benefit -> outside, a band table by anciennitet
            table[path] = {"dist": "gamma", "mean": 1.0, "sd": EXIT_SD / EXIT_P, "scale": True}
        elif transition["from"] in OUTSIDE and transition["to"] not in OUTSIDE:
            table[path] = {"dist": "beta", "mean": REENTRY_P, "sd": REENTRY_SD}
        else:
            table[path] = {"dist": "beta", "mean": EXIT_P, "sd": EXIT_SD}
    for name, state in raw["states"].items():
        if name not in OUTSIDE:
            table[f"states.{name}.inflow"] = {"dist": "gamma", "mean": state["inflow"], "sd": INFLOW_CV * state["inflow"]}
    effects = [f"strategies.{STRATEGY}.effects[{e}].multiply" for e in range(len(raw["strategies"][STRATEGY]["effects"]))]
    for path in effects:
        table[path] = {"dist": "lognormal", "mean": EFFECT_MEAN, "sd": EFFECT_SD}
    raw["uncertainty"] = table
    raw["correlations"] = [{"between": [a, b], "rank": EFFECT_RANK} for i, a in enumerate(effects) for b in effects[i + 1:]]
    return raw


# --- the two sides ---------------------------------------------------------------------------------


def run_kikcalc(raw: dict, draws: int, seed: int, chunk_rows: int) -> sensitivity.Run:
    """What ``kikcalc sensitivity`` does but the formatting (no TOML to parse: the raw table is given)."""
    scenario = build(raw)
    uncertainty, problems = read(scenario)
    if problems:
        raise SystemExit("\n".join(f"{p.path}: {p.message}" for p in problems))
    return sensitivity.run(scenario, uncertainty, draws, seed, chunk_rows=chunk_rows)


def beta_ab(mean: float, sd: float) -> tuple[float, float]:
    k = mean * (1.0 - mean) / sd**2 - 1.0
    return mean * k, (1.0 - mean) * k


def gamma_shape_scale(mean: float, sd: float) -> tuple[float, float]:
    return mean**2 / sd**2, sd**2 / mean


def lognormal_sigma_scale(mean: float, sd: float) -> tuple[float, float]:
    sigma = math.sqrt(math.log1p((sd / mean) ** 2))
    return sigma, mean * math.exp(-sigma**2 / 2)


def floor_draws(base: dict[str, np.ndarray], draws: int, seed: int) -> dict[str, np.ndarray]:
    """The floor's parameters for ``draws`` draws of the same distributions (numpy Generator, scipy.stats .rvs)."""
    rng = np.random.default_rng(seed)
    nb, n_out = base["p_bb"].shape[1], len(OUTSIDE)
    exit_p = stats.beta(*beta_ab(EXIT_P, EXIT_SD))
    reentry_p = stats.beta(*beta_ab(REENTRY_P, REENTRY_SD))
    shape, scale = gamma_shape_scale(1.0, EXIT_SD / EXIT_P)
    exit_factor = stats.gamma(shape, scale=scale)
    shape, scale = gamma_shape_scale(1.0, INFLOW_CV)
    inflow_factor = stats.gamma(shape, scale=scale)
    sigma, scale = lognormal_sigma_scale(EFFECT_MEAN, EFFECT_SD)
    effect = stats.lognorm(sigma, scale=scale)

    params = dict(base)
    params["p_bb"] = np.zeros((draws, nb, nb))
    params["p_bb"][:, ~np.eye(nb, dtype=bool)] = exit_p.rvs((draws, nb * (nb - 1)), random_state=rng)
    params["p_bo"] = base["p_bo"] * exit_factor.rvs((draws, nb, n_out), random_state=rng)
    params["p_oo"] = exit_p.rvs((draws, n_out), random_state=rng)
    params["p_ob"] = reentry_p.rvs((draws, n_out, nb), random_state=rng)
    params["inflow"] = base["inflow"] * inflow_factor.rvs((draws, nb), random_state=rng)
    params["effect"] = effect.rvs(draws, random_state=rng)
    return params


def net_saving(net_cost: np.ndarray) -> np.ndarray:
    """(R,) kr. over the horizon: the baseline's net benefit cost minus the strategy's, from the floor's (2R,)."""
    by_draw = net_cost.reshape(-1, len(STRATEGIES))
    return by_draw[:, 0] - by_draw[:, 1]


def run_floor(base: dict[str, np.ndarray], draws: int, seed: int, chunk_rows: int) -> dict:
    """Draw, run the floor, summarise the net saving; with the seconds each part took."""
    start = time.perf_counter()
    params = floor_draws(base, draws, seed)
    drawn = time.perf_counter()
    saving = net_saving(floor(params, chunk_rows)["net_cost"])
    ran = time.perf_counter()
    p5, p50, p95 = np.percentile(saving, PERCENTILES)
    summary = {"mean": float(saving.mean()), "p5": float(p5), "p50": float(p50), "p95": float(p95),
               "beats_baseline_probability": float((saving > 0).mean())}
    return {"net_saving": saving, "summary": summary,
            "seconds": {"sampling": drawn - start, "floor": ran - drawn, "summary": time.perf_counter() - ran}}


# --- checks ----------------------------------------------------------------------------------------


def params_from_numbers(base: dict[str, np.ndarray], raw: dict, paths: list[str], drawn: np.ndarray) -> dict[str, np.ndarray]:
    """The floor's parameters of kikcalc's drawn numbers (n, d), each column put where its key path points;
    the effect is the first effect table's number."""
    n = len(drawn)
    benefit = [name for name in raw["states"] if name not in OUTSIDE]
    column = {path: drawn[:, i] for i, path in enumerate(paths)}
    params = dict(base)
    for key in ("p_bb", "p_bo", "p_oo", "p_ob", "inflow"):
        params[key] = np.repeat(base[key], n, axis=0)
    for i, transition in enumerate(raw["transitions"]):
        number = column[f"transitions[{i}].probability"]
        source, target = transition["from"], transition["to"]
        if source in OUTSIDE and target in OUTSIDE:
            params["p_oo"][:, OUTSIDE.index(source)] = number
        elif source in OUTSIDE:
            params["p_ob"][:, OUTSIDE.index(source), benefit.index(target)] = number
        elif target in OUTSIDE:
            params["p_bo"][:, benefit.index(source), OUTSIDE.index(target)] *= number  # scale = true
        else:
            params["p_bb"][:, benefit.index(source), benefit.index(target)] = number
    for s, name in enumerate(benefit):
        params["inflow"][:, s] = column[f"states.{name}.inflow"]
    params["effect"] = column[f"strategies.{STRATEGY}.effects[0].multiply"].copy()
    return params


def same_draws_difference(base: dict[str, np.ndarray], raw: dict, draws: int, seed: int) -> float:
    """The largest relative difference of the net saving, draw by draw, between kikcalc and the floor on
    kikcalc's own draws (the eight effect numbers set to the first, as the floor has one)."""
    scenario = build(raw)
    uncertainty = read(scenario)[0]
    drawn = Design(uncertainty, draws, seed).numbers(0, draws)
    effects = [i for i, path in enumerate(uncertainty.paths) if ".effects[" in path]
    drawn[:, effects] = drawn[:, effects[:1]]
    out = sensitivity.outcomes(scenario, sensitivity.values_for_draws(scenario, uncertainty, drawn))
    kikcalc_saving = out.net_saving_total.reshape(-1, len(STRATEGIES))[:, 1]
    floor_saving = net_saving(floor(params_from_numbers(base, raw, uncertainty.paths, drawn))["net_cost"])
    return float(np.max(np.abs(kikcalc_saving / floor_saving - 1)))


def mean_and_error(x: np.ndarray) -> tuple[float, float]:
    return float(x.mean()), float(x.std(ddof=1) / math.sqrt(len(x)))


# --- measuring -------------------------------------------------------------------------------------


def kikcalc_sampling_seconds(raw: dict, draws: int, seed: int, chunk_rows: int) -> float:
    """kikcalc's sampling alone (Design.numbers, chunk by chunk, as run() does)."""
    scenario = build(raw)
    uncertainty = read(scenario)[0]
    design = Design(uncertainty, draws, seed)
    start = time.perf_counter()
    for first, stop in sensitivity.draw_ranges(draws, sensitivity.chunk_draws(scenario, chunk_rows)):
        design.numbers(first, stop)
    return time.perf_counter() - start


def mib(x: float) -> str:
    return f"{x:.1f} MiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--draws", type=lambda text: [int(n) for n in text.split(",")], default=[1_000, 10_000],
                        help="draws, comma-separated for several runs (default 1000,10000); rows = 2 x draws")
    parser.add_argument("--chunk-rows", type=int, default=0,
                        help=f"the floor's rows a chunk; 0 (default): its fastest of {', '.join(map(str, CHUNK_CANDIDATES))} "
                             f"on this machine, timed first (benchmarks.floor.best_chunk_rows)")
    parser.add_argument("--kikcalc-chunk-rows", type=int, default=0,
                        help="kikcalc's rows a chunk; 0 (default): kikcalc's own (kikcalc.engine.default_chunk_rows)")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of each, best taken (default 3)")
    parser.add_argument("--seed", type=int, default=20250101)
    args = parser.parse_args()

    base = mean_params(args.seed)
    raw = uncertain_raw(base)
    if args.chunk_rows <= 0:
        args.chunk_rows = best_chunk_rows(floor_draws(base, 1024, args.seed))
    if args.kikcalc_chunk_rows <= 0:
        args.kikcalc_chunk_rows = default_chunk_rows(build(raw))
    scenario = build(raw)
    uncertainty, problems = read(scenario)
    if problems:
        raise SystemExit("\n".join(f"{p.path}: {p.message}" for p in problems))
    nb = base["p_bb"].shape[1]
    print(f"workload: {nb + len(OUTSIDE)} states ({nb} benefit, {base['anc_factor'].shape[0]} anciennitet months), "
          f"{int(base['months'])} months, {len(STRATEGIES)} strategies; 99 uncertain numbers "
          f"({len(uncertainty)} [uncertainty] entries: the effect in {len(raw['strategies'][STRATEGY]['effects'])} "
          f"effect tables, rank-correlated {EFFECT_RANK})")
    print(f"machine: {os.cpu_count()} cores, load average {', '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"numpy {np.__version__}; OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}")
    print(f"kikcalc: build + uncertainty.read + sensitivity.run, sampler random, 1 process, chunk_rows {args.kikcalc_chunk_rows}; "
          f"floor: scipy.stats .rvs + floor.floor, chunk_rows {args.chunk_rows}")

    run_floor(base, 8, args.seed, args.chunk_rows)  # warm both up: imports, first calls
    run_kikcalc(raw, 8, args.seed, args.kikcalc_chunk_rows)
    peaks = {}
    for draws in args.draws:
        rows = len(STRATEGIES) * draws
        print(f"\n{draws:,} draws ({rows:,} rows)")
        # Floor and kikcalc alternate, so a change in the machine's speed (it is shared) reaches both.
        floor_time = kikcalc_time = math.inf
        for _ in range(args.repeats):
            start = time.perf_counter()
            floor_out = run_floor(base, draws, args.seed, args.chunk_rows)
            seconds = time.perf_counter() - start
            if seconds < floor_time:
                floor_time, floor_parts = seconds, floor_out["seconds"]
            start = time.perf_counter()
            kikcalc_out = run_kikcalc(raw, draws, args.seed, args.kikcalc_chunk_rows)
            kikcalc_time = min(kikcalc_time, time.perf_counter() - start)
        sampling = kikcalc_sampling_seconds(raw, draws, args.seed, args.kikcalc_chunk_rows)
        print(f"floor:   {floor_time:.3f} s (best of {args.repeats}), {floor_time / rows * 1e6:.1f} us per row: sampling "
              f"{floor_parts['sampling']:.3f} s, floor {floor_parts['floor']:.3f} s, summary {floor_parts['summary']:.4f} s")
        print(f"kikcalc: {kikcalc_time:.3f} s (best of {args.repeats}), {kikcalc_time / rows * 1e6:.1f} us per row; "
              f"its sampling alone (Design.numbers) {sampling:.3f} s")
        print(f"ratio kikcalc / floor: {kikcalc_time / floor_time:.2f}")
        peaks[draws] = (peak_mib(lambda d=draws: run_floor(base, d, args.seed, args.chunk_rows)),
                        peak_mib(lambda d=draws: run_kikcalc(raw, d, args.seed, args.kikcalc_chunk_rows)))
        print(f"peak memory: floor {mib(peaks[draws][0])}, kikcalc {mib(peaks[draws][1])} (tracemalloc, separate runs; outputs included)")

        # Sanity: each on its own draws, the mean net saving within Monte Carlo error of the other's.
        summary = kikcalc_out.summary
        out = kikcalc_out.outcomes
        kikcalc_saving = out.net_saving_total.reshape(-1, len(STRATEGIES))[:, 1]
        floor_mean, floor_error = mean_and_error(floor_out["net_saving"])
        kikcalc_mean, kikcalc_error = mean_and_error(kikcalc_saving)
        listed = summary["strategies"][1]["net_saving_total"]
        z = (kikcalc_mean - floor_mean) / math.hypot(floor_error, kikcalc_error)
        fs, ks = floor_out["summary"], listed
        print(f"check: net saving of {STRATEGY} over the horizon, undiscounted, mio. kr. (mean +- standard error; p5, p50, p95):")
        print(f"  floor   {floor_mean / 1e6:8.2f} +- {floor_error / 1e6:.2f}; {fs['p5'] / 1e6:.1f}, {fs['p50'] / 1e6:.1f}, "
              f"{fs['p95'] / 1e6:.1f}; sd {floor_out['net_saving'].std(ddof=1) / 1e6:.1f}; "
              f"P(saving > 0) {fs['beats_baseline_probability']:.3f}")
        print(f"  kikcalc {listed['mean'] / 1e6:8.2f} +- {kikcalc_error / 1e6:.2f}; {ks['p5'] / 1e6:.1f}, {ks['p50'] / 1e6:.1f}, "
              f"{ks['p95'] / 1e6:.1f}; sd {kikcalc_saving.std(ddof=1) / 1e6:.1f}; "
              f"P(saving > 0) {summary['strategies'][1]['beats_baseline_probability']:.3f}; "
              f"NPV mean {summary['strategies'][1]['npv']['mean'] / 1e6:.2f}; draws used {summary['draws_used']:,} of {draws:,}")
        print(f"  difference {(kikcalc_mean - floor_mean) / 1e6:+.2f} = {z:+.2f} standard errors (limit {Z_LIMIT:g})")
        if summary["draws_used"] != draws or abs(z) > Z_LIMIT or not math.isclose(listed["mean"], kikcalc_mean, rel_tol=1e-12):
            raise SystemExit("kikcalc's sensitivity answer and the floor's disagree")

    worst = same_draws_difference(base, raw, SAME_DRAWS, args.seed)
    print(f"\ncheck: on kikcalc's own first {SAME_DRAWS} draws (effect tables set to one number), net saving kikcalc vs "
          f"floor: largest relative difference {worst:.1e}")
    if worst > 1e-9:
        raise SystemExit("kikcalc and the floor disagree on the same draws")
    print("peak memory: " + "; ".join(f"{draws:,} draws: floor {mib(f)}, kikcalc {mib(k)}"
                                        for draws, (f, k) in sorted(peaks.items(), reverse=True)))


if __name__ == "__main__":
    main()
