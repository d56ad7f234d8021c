"""Many rows: the hand-written numpy floor against the engine, run on demand (not part of the tests).

    python benchmarks/bench_rows.py                  # 10,000 draws x 2 strategies = 20,000 rows
    python benchmarks/bench_rows.py --draws 2000 --engine-draws 20

A row is one (draw, strategy) of the workload in benchmarks/workload.py. The engine must later
run the rows in at most 1.2x the floor's time (benchmarks/floor.py). Reports the floor's time
(best of --repeats, floor and engine runs alternating) and peak memory (tracemalloc, a separate
run: tracing slows numpy calls), the time per row, and the engine's time per row and the ratio
engine / floor; and checks that the engine's answers are the floor's.

``run_engine`` runs kikcalc's engine on the same rows: the scenario's structure is built once from
the first draw, every draw's numbers arrive as values on the row axis chunk by chunk
(kikcalc.engine.simulate_draws), and money comes from kikcalc.money, as a run computes it
(the net benefit cost summed over states, kikcalc.money.benefit_cost_summed, as money without its lines). The
machine has 2 cores and may be shared: run it on a quiet machine and read the load average it prints.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.floor import CHUNK_CANDIDATES, MONTH_KEPT, best_chunk_rows, floor  # noqa: E402
from benchmarks.workload import draw_rows, scenario_raw, take, values_for_draws  # noqa: E402
from kikcalc.engine import default_chunk_rows, mean_of_ends, simulate_draws  # noqa: E402
from kikcalc.money import anciennitet_weights, benefit_cost_summed  # noqa: E402
from kikcalc.scenario import build  # noqa: E402

STRATEGIES = 2


def run_engine(params: dict[str, np.ndarray], chunk_rows: int) -> dict[str, np.ndarray]:
    """kikcalc's engine on every row: the draws' values built chunk by chunk (kikcalc.engine.simulate_draws),
    each chunk's money from kikcalc.money, and what floor() returns kept from them."""
    scenario = build(scenario_raw(params, 0))  # the structure; every draw's numbers come as values
    n_draws = params["p_bb"].shape[0]
    weights = anciennitet_weights(scenario)
    net_cost = np.empty(STRATEGIES * n_draws)
    kept = np.empty((STRATEGIES * n_draws, len(scenario.states)))
    months, states = scenario.calendar.months, len(scenario.states)
    headcount_sum = np.zeros((STRATEGIES, months + 1, states))
    chunks = simulate_draws(scenario, n_draws, lambda chosen: values_for_draws(scenario, take(params, chosen)),
                            weights, chunk_rows)
    for rows, values, trajectory in chunks:
        # The municipality's net benefit cost summed over states, (R, T), as money builds it without its lines.
        net_cost[rows] = benefit_cost_summed(scenario, values, trajectory).sum(axis=1)
        headcount = trajectory.headcount  # (R, T+1, S)
        kept[rows] = mean_of_ends(headcount[:, MONTH_KEPT: MONTH_KEPT + 2])[:, 0]
        # The mean over draws of full-time persons is the mean of ends of the summed headcounts (both linear), as
        # the floor keeps it: the headcounts of each strategy summed over draws, one product a chunk.
        by_month = np.moveaxis(headcount, 1, 0).reshape(months + 1, -1, STRATEGIES * states)  # (T+1, draws, K S)
        headcount_sum += np.moveaxis((np.ones(by_month.shape[1]) @ by_month).reshape(months + 1, STRATEGIES, states), 1, 0)
    full_time_sum = mean_of_ends(headcount_sum)
    return {"net_cost": net_cost, "full_time_kept": kept, "full_time_mean": full_time_sum / n_draws}


def best_of(repeats: int, run) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        out = run()
        best = min(best, time.perf_counter() - start)
    return best, out


def peak_mib(run) -> float:
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--draws", type=int, default=10_000, help="draws; rows = 2 x draws (default 10,000)")
    parser.add_argument("--engine-draws", type=int, default=0,
                        help="draws the engine is timed on, the first ones; 0 = all (default)")
    parser.add_argument("--chunk-rows", type=int, default=0,
                        help=f"the floor's rows a chunk; 0 (default): its fastest of {', '.join(map(str, CHUNK_CANDIDATES))} "
                             f"on this machine, timed first (benchmarks.floor.best_chunk_rows)")
    parser.add_argument("--engine-chunk-rows", type=int, default=0,
                        help="the engine's rows a chunk; 0 (default): kikcalc's own (kikcalc.engine.default_chunk_rows)")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs, best taken (default 3)")
    parser.add_argument("--seed", type=int, default=20250101)
    args = parser.parse_args()

    params = draw_rows(args.draws, args.seed)
    rows = STRATEGIES * args.draws
    if args.chunk_rows <= 0:
        args.chunk_rows = best_chunk_rows(params)
    if args.engine_chunk_rows <= 0:
        args.engine_chunk_rows = default_chunk_rows(build(scenario_raw(params, 0)))
    months, states = int(params["months"]), params["p_bb"].shape[1] + 2
    print(f"workload: {args.draws:,} draws x {STRATEGIES} strategies = {rows:,} rows; {states} states, "
          f"{params['anc_factor'].shape[0]} anciennitet months, {months} months")
    print(f"machine: {os.cpu_count()} cores, load average {', '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"numpy {np.__version__}; OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}")

    n_engine = args.draws if args.engine_draws <= 0 else min(args.engine_draws, args.draws)
    engine_params = take(params, slice(0, n_engine))
    engine_rows = STRATEGIES * n_engine
    warm = take(params, slice(0, min(args.draws, 8)))
    floor(warm, args.chunk_rows)
    run_engine(warm, args.engine_chunk_rows)
    # Floor and engine alternate, so a change in the machine's speed during the run (it is shared)
    # reaches both; each keeps its best.
    floor_time = engine_time = float("inf")
    for _ in range(args.repeats):
        seconds, floor_out = best_of(1, lambda: floor(params, args.chunk_rows))
        floor_time = min(floor_time, seconds)
        seconds, engine_out = best_of(1, lambda: run_engine(engine_params, args.engine_chunk_rows))
        engine_time = min(engine_time, seconds)
    floor_peak = peak_mib(lambda: floor(params, args.chunk_rows))
    small = max(1, args.draws // 10)
    small_peak = peak_mib(lambda: floor(take(params, slice(0, small)), args.chunk_rows))
    print(f"floor:  {floor_time:.3f} s (best of {args.repeats}), {floor_time / rows * 1e6:.1f} us per row, "
          f"chunk_rows {args.chunk_rows}; engine chunk_rows {args.engine_chunk_rows}")
    print(f"        peak memory {floor_peak:.1f} MiB at {rows:,} rows, {small_peak:.1f} MiB at {STRATEGIES * small:,} rows "
          f"(tracemalloc; outputs included)")

    engine_peak = peak_mib(lambda: run_engine(engine_params, args.engine_chunk_rows))
    engine_small_peak = peak_mib(lambda: run_engine(take(engine_params, slice(0, max(1, n_engine // 10))),
                                                    args.engine_chunk_rows))
    print(f"engine: peak memory {engine_peak:.1f} MiB at {engine_rows:,} rows, {engine_small_peak:.1f} MiB at "
          f"{STRATEGIES * max(1, n_engine // 10):,} rows (tracemalloc; outputs included)")
    per_row_engine, per_row_floor = engine_time / engine_rows, floor_time / rows
    scope = "all rows" if n_engine == args.draws else f"the first {engine_rows:,} rows, per row"
    print(f"engine: {engine_time:.3f} s (best of {args.repeats}) on {engine_rows:,} rows, "
          f"{per_row_engine * 1e6:.1f} us per row")
    print(f"ratio engine / floor: {per_row_engine / per_row_floor:.2f} ({scope}; target at most 1.2)")

    # The engine's answers must be the floor's.
    sub = slice(0, engine_rows)
    worst = max(float(np.max(np.abs(engine_out["net_cost"] / floor_out["net_cost"][sub] - 1))),
                float(np.max(np.abs(engine_out["full_time_kept"] / floor_out["full_time_kept"][sub] - 1))))
    if n_engine == args.draws:
        worst = max(worst, float(np.max(np.abs(engine_out["full_time_mean"] / floor_out["full_time_mean"] - 1))))
    print(f"engine vs floor: largest relative difference {worst:.1e}")
    if worst > 1e-9:
        raise SystemExit("the engine and the floor disagree")


if __name__ == "__main__":
    main()
