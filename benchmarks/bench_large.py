"""Large models in bounded memory, run on demand (not part of the test suite).

    python benchmarks/bench_large.py
    python benchmarks/bench_large.py --states 300 --months 120 --settle-states 1000 --repeats 1

Two sizes of the scenario in benchmarks/large.py (3 outside states, the rest benefit states with
14 anciennitet months and no ``initial_anciennitet``, so every benefit state's initial mix is
settled from the baseline's rates):

- a run: 200 states over 240 months, two strategies: validation, then ``kikcalc.run`` with its
  money and the yearly, money and summary tables; the time (best of --repeats) and the peak
  memory (tracemalloc, in a separate run: tracing slows numpy calls);
- the settling alone (``kikcalc.settle.settle``) of 500 states: 497 x 14 anciennitet months and 3
  outside states make a one-month matrix of 6,961 x 6,961 numbers (370 MiB), which the settling
  never forms; its time, rounds and peak memory.

The goals: seconds, and well under 1 GiB. The machine has 2 cores and may be shared: read the load
average it prints (OPENBLAS_NUM_THREADS=1 often helps a loaded machine).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import kikcalc  # noqa: E402
from benchmarks.bench_rows import best_of, peak_mib  # noqa: E402
from benchmarks.large import large_raw  # noqa: E402
from kikcalc.cohort import Structure  # noqa: E402
from kikcalc.scenario import build  # noqa: E402
from kikcalc.settle import Settlement, settle  # noqa: E402
from kikcalc.spec import Scenario  # noqa: E402
from kikcalc.transitions import inflows, rates_in_month, transition_probabilities  # noqa: E402
from kikcalc.values import for_scenario  # noqa: E402

OUTSIDE_STATES = 3


def run_with_tables(scenario: Scenario) -> kikcalc.Result:
    """kikcalc.run and what a report reads of it: the money and the yearly, money and summary tables."""
    result = kikcalc.run(scenario)
    result.accounts.npv  # noqa: B018
    result.yearly, result.money, result.summary  # noqa: B018
    return result


def settle_baseline(scenario: Scenario) -> Settlement:
    """The settling of the baseline's first month, as the engine asks for it (states in the engine's order)."""
    structure = Structure.of(scenario)
    values = for_scenario(scenario)
    probabilities = transition_probabilities(scenario, rates_in_month(scenario, values, 0))[:1]
    inflow = structure.inward(inflows(scenario, values)[:1, 0], axis=1)
    entry_mix = structure.inward(values.inflow_mix[:1], axis=1)[:, :structure.n_benefit]
    return settle(structure, probabilities, inflow, entry_mix)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--states", type=int, default=200, help="states of the run (default 200)")
    parser.add_argument("--months", type=int, default=240, help="months of the run (default 240)")
    parser.add_argument("--settle-states", type=int, default=500, help="states settled alone (default 500)")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs, best taken (default 3)")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, load average {', '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"numpy {np.__version__}; OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}")

    raw = large_raw(n_benefit=args.states - OUTSIDE_STATES, n_outside=OUTSIDE_STATES, months=args.months)
    validate, scenario = best_of(1, lambda: build(raw))
    k, t, s, anc = len(scenario.strategies), scenario.calendar.months, len(scenario.states), scenario.anciennitet_months
    print(f"run: {s} states ({s - OUTSIDE_STATES} benefit x {anc} anciennitet months), {len(scenario.transitions)} "
          f"transitions, {t} months, {k} strategies; every benefit state's initial mix settled")
    run_with_tables(scenario)  # warm: caches and imports
    seconds, result = best_of(args.repeats, lambda: run_with_tables(scenario))
    peak = peak_mib(lambda: run_with_tables(scenario))
    print(f"  validate {validate:.2f} s; kikcalc.run with money and tables {seconds:.2f} s (best of {args.repeats}); "
          f"peak memory {peak:.0f} MiB (tracemalloc)")
    print(f"  (strategy invest: NPV {result.accounts.npv[1]:,.0f} kr.)")

    raw = large_raw(n_benefit=args.settle_states - OUTSIDE_STATES, n_outside=OUTSIDE_STATES, months=1)
    scenario = build(raw)
    size = (args.settle_states - OUTSIDE_STATES) * scenario.anciennitet_months + OUTSIDE_STATES
    print(f"settle: {args.settle_states} states ({args.settle_states - OUTSIDE_STATES} benefit x "
          f"{scenario.anciennitet_months} anciennitet months, {OUTSIDE_STATES} outside), {len(scenario.transitions)} "
          f"transitions; a one-month matrix of {size:,} x {size:,} would be {size * size * 8 / 2**20:,.0f} MiB")
    settle_baseline(scenario)  # warm: the structure is built once per scenario
    seconds, settlement = best_of(args.repeats, lambda: settle_baseline(scenario))
    peak = peak_mib(lambda: settle_baseline(scenario))
    print(f"  {seconds:.2f} s (best of {args.repeats}), {int(settlement.rounds[0])} rounds, "
          f"{int(settlement.unsettled.sum())} states unsettled; peak memory {peak:.0f} MiB (tracemalloc)")


if __name__ == "__main__":
    main()
