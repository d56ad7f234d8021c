"""Where the time goes: kikcalc's parts against the floor, per chunk of 256 rows, run on demand (not a test).

    python benchmarks/bench_parts.py                 # 16 chunks, 5 rounds
    python benchmarks/bench_parts.py --rounds 9

bench_rows.py and bench_sensitivity.py give one ratio each; this takes them apart. In turns, in one process, it
times in CPU seconds (``time.process_time``, so a busy neighbour on a shared machine counts less):

- the floor (benchmarks/floor.py) on the 16 chunks' rows, at 256 rows a chunk;
- ``rows:``, what bench_rows.py's engine run does to a chunk: the values made from the workload's numbers
  (benchmarks.workload.values_for_draws), the engine (kikcalc.engine.simulate), the net benefit cost summed over
  states (kikcalc.money.benefit_cost_summed);
- the bare month loop: kikcalc's own step and reduction (kikcalc.cohort.step, reduce_stock), 120 months on 256
  rows, with nothing around them: no values, no setup of the month's moves, no ramp, no money. It is what
  ``rows: engine`` would cost if everything but the month loop were free;
- ``sensitivity:``, what kikcalc.sensitivity.run does to a chunk of bench_sensitivity.py's workload: its draws
  (kikcalc.sampling), their values, the check that no draw leaves its domain (kikcalc.feasibility), the engine,
  money and targets (kikcalc.targets.judge_all).

Each part is printed in ms a chunk and as a share of the floor's time a chunk. On 4 December 2026 the bare month
loop alone took about 1.1 times the whole floor (docs/scaling.md).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_sensitivity import mean_params, uncertain_raw  # noqa: E402
from benchmarks.floor import floor  # noqa: E402
from benchmarks.workload import draw_rows, scenario_raw, take, values_for_draws  # noqa: E402
from kikcalc import cohort, sampling, sensitivity, transitions  # noqa: E402
from kikcalc.engine import simulate  # noqa: E402
from kikcalc.feasibility import infeasible_states  # noqa: E402
from kikcalc.money import anciennitet_weights, benefit_cost_summed  # noqa: E402
from kikcalc.scenario import build  # noqa: E402
from kikcalc.targets import judge_all  # noqa: E402
from kikcalc.uncertainty import read  # noqa: E402

DRAWS_A_CHUNK = 128  # 256 rows: the floor's fastest size on the project's machine, and kikcalc's own for this model


def month_moves(scenario, values) -> cohort.Moves:
    """The chunk's first month's moves, made before the bare loop is timed."""
    probabilities = transitions.transition_probabilities(scenario, transitions.base_rates(scenario, values))
    return cohort.month_moves(cohort.Structure.of(scenario), probabilities)


def bare_loop(scenario, values, weights, moves: cohort.Moves) -> None:
    """kikcalc's month loop alone: 120 steps and reductions of one chunk, as the engine calls them, nothing else."""
    structure = cohort.Structure.of(scenario)
    rows, states, slots, nb = values.rows, len(scenario.states), scenario.anciennitet_months + 1, structure.n_benefit
    months = scenario.calendar.months
    plain = weights[:, 0] if weights.ndim == 3 else weights
    full = structure.reduction(plain)
    reduction = np.ascontiguousarray(full[:, np.r_[0, structure.columns: structure.columns + len(plain), 1: structure.columns]])
    columns = reduction.shape[1]
    kept = 1 + len(plain)
    inflow = np.full((rows, states), 1.0)
    buffers = [cohort.stock_buffer(rows, states, slots) for _ in range(2)]
    table = np.empty((months + 1) * kept * rows * states + (columns - kept) * rows * states)
    stock = cohort.stock_in(buffers[0], rows, states, slots)
    stock[:, :nb, 0] = 10.0
    block = table[: columns * rows * states].reshape(columns, rows, states)
    cohort.reduce_stock(stock, reduction, out=block)
    moved = block[columns - 1]
    for t in range(months):
        stock, _, _ = cohort.step(stock, moved, moves, inflow, None, None, (stock, buffers[(t + 1) % 2]), None)
        first = (t + 1) * kept * rows * states
        block = table[first: first + columns * rows * states].reshape(columns, rows, states)
        cohort.reduce_stock(stock, reduction, out=block)
        moved = block[columns - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chunks", type=int, default=16, help="chunks of 256 rows (default 16)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds, each part once a round, in turns (default 5)")
    args = parser.parse_args()

    params = draw_rows(DRAWS_A_CHUNK * args.chunks, 1)
    scenario = build(scenario_raw(params, 0))
    weights = anciennitet_weights(scenario)
    chunks = [take(params, slice(i * DRAWS_A_CHUNK, (i + 1) * DRAWS_A_CHUNK)) for i in range(args.chunks)]
    uncertain = build(uncertain_raw(mean_params(20250101)))
    uncertainty, _ = read(uncertain)
    uncertain_weights = anciennitet_weights(uncertain)
    if not (bool(cohort.Structure.of(scenario).rescaled_change) and scenario.anciennitet_months + 1 == 15):
        raise SystemExit("the workload is not the one this benchmark was written for")
    print(f"machine: {os.cpu_count()} cores, load average {', '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"numpy {np.__version__}; {args.chunks} chunks of {2 * DRAWS_A_CHUNK} rows, {args.rounds} rounds")

    spent: dict[str, float] = {}

    def timed(part: str, start: float) -> float:
        now = time.process_time()
        spent[part] = spent.get(part, 0.0) + now - start
        return now

    floor(take(params, slice(0, DRAWS_A_CHUNK)), 2 * DRAWS_A_CHUNK)  # warm: the first call of anything is slower
    simulate(scenario, values_for_draws(scenario, chunks[0]), weights, keep_stock=False, keep_flows=False)
    for _ in range(args.rounds):
        start = time.process_time()
        floor(params, 2 * DRAWS_A_CHUNK)
        timed("floor", start)
        for chunk in chunks:
            start = time.process_time()
            values = values_for_draws(scenario, chunk)
            start = timed("rows: values", start)
            trajectory = simulate(scenario, values, weights, keep_stock=False, keep_flows=False)
            start = timed("rows: engine", start)
            benefit_cost_summed(scenario, values, trajectory)
            timed("rows: money", start)
        first = values_for_draws(scenario, chunks[0])
        moves = month_moves(scenario, first)
        start = time.process_time()
        for _ in chunks:
            bare_loop(scenario, first, weights, moves)
        timed("bare month loop", start)
        design = sampling.Design(uncertainty, DRAWS_A_CHUNK * args.chunks, 1)
        for i in range(args.chunks):
            start = time.process_time()
            drawn = design.numbers(i * DRAWS_A_CHUNK, (i + 1) * DRAWS_A_CHUNK)
            start = timed("sensitivity: sampling", start)
            values = sensitivity.values_for_draws(uncertain, uncertainty, drawn)
            start = timed("sensitivity: values", start)
            infeasible_states(uncertain, values)
            start = timed("sensitivity: feasibility", start)
            with np.errstate(all="ignore"):
                trajectory = simulate(uncertain, values, uncertain_weights, keep_stock=False, keep_flows=False)
                start = timed("sensitivity: engine", start)
                judge_all(uncertain, values, trajectory, lines=False)
                timed("sensitivity: money and targets", start)
    floor_time = spent["floor"]
    for part, seconds in spent.items():
        print(f"{part:32s} {seconds * 1e3 / (args.rounds * args.chunks):7.2f} ms a chunk   {seconds / floor_time:5.2f} of the floor")
    rows = sum(v for k, v in spent.items() if k.startswith("rows:")) / floor_time
    whole = sum(v for k, v in spent.items() if k.startswith("sensitivity:")) / floor_time
    print(f"bench_rows' engine run: {rows:.2f} of the floor; a sensitivity chunk: {whole:.2f} (its own floor has sampling too)")


if __name__ == "__main__":
    main()
