"""Speed and memory of the engine, run on demand (not part of the test suite).

    python benchmarks/bench_engine.py                  # --startup-only: only the first comparison; --repeats N

Reports: the start-up and run time of `kikcalc run` on a shipped scenario (from a regular install
of this checkout in a temporary folder, as `pip install .` gives: an editable install's import
hook and uncompiled sources would be measured too) against a bare `import numpy, pandas`, and the
time and peak memory of a large synthetic scenario (many states, a long horizon, many strategies
on the leading axis, as uncertainty draws will be).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kikcalc.result import run_scenario  # noqa: E402
from kikcalc.scenario import build  # noqa: E402


def installed_copy() -> str:
    """A regular (not editable) install of this checkout in a temporary folder, as a user's ``pip install .``
    gives: bytecode compiled, no editable import hook. Returns the folder to put on PYTHONPATH."""
    target = tempfile.mkdtemp(prefix="kikcalc-bench-")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", target, str(ROOT)],
                   check=True, stdout=subprocess.DEVNULL)
    return target


def walls(commands: dict[str, tuple[list[str], str | None]], repeats: int) -> dict[str, float]:
    """Median wall time of each command (its argv, and a folder to run it in and put on its PYTHONPATH, or None),
    with bytecode cached as an installed package has it. The commands run in turns, each once a round after one
    untimed round, so that a change in a shared machine's load falls on each alike (run one after the other, nine
    times each, the ratio moved from 0.97 to 1.37 between two minutes of the same code)."""
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    times: dict[str, list[float]] = {name: [] for name in commands}
    for round_ in range(repeats + 1):
        for name, (command, path) in commands.items():
            env = {**environment, "PYTHONPATH": path} if path else environment
            start = time.perf_counter()
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=path or ROOT, env=env)
            if round_:
                times[name].append(time.perf_counter() - start)
    return {name: statistics.median(taken) for name, taken in times.items()}


def large_scenario(n_states: int = 20, years: int = 20, n_strategies: int = 200) -> dict:
    names = [f"s{i}" for i in range(n_states)]
    states = {name: {"initial": 100.0, "inflow": 5.0, "cost": 120_000, "cost_basis": "gross"} for name in names}
    states["out"] = {"kind": "outside"}
    transitions = [{"from": a, "to": b, "probability": {"0-5": 0.01, "6-11": 0.008, "12+": 0.005}}
                   for a in names for b in names if a != b][: n_states * 4]
    transitions += [{"from": a, "to": "out", "hazard": 0.3, "per": "year"} for a in names]
    strategies = {"baseline": {}}
    for k in range(1, n_strategies):
        strategies[f"k{k}"] = {"effects": [{"from": names[0], "to": "out", "multiply": 1 + k / n_strategies,
                                            "ramp_months": 6}]}
    return {
        "scenario": {"name": "large", "start": "2025-01", "end": f"{2025 + years - 1}-12"},
        "states": states, "transitions": transitions, "strategies": strategies,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--startup-only", action="store_true", help="Only kikcalc run against a bare import; no large scenario.")
    parser.add_argument("--repeats", type=int, default=9, help="Timed rounds of the two commands, in turns (default 9).")
    args = parser.parse_args()
    python = sys.executable
    installed = installed_copy()
    timed = walls({"bare": ([python, "-c", "import numpy, pandas"], None),
                   "run": ([python, "-m", "kikcalc.cli", "run", str(ROOT / "scenarios/aabenraa-kik2.toml")], installed)},
                  args.repeats)
    shutil.rmtree(installed, ignore_errors=True)
    bare, cli = timed["bare"], timed["run"]
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"import numpy, pandas:                     {bare:.3f} s (median of {args.repeats}, in turns with the next)")
    print(f"kikcalc run scenarios/aabenraa-kik2.toml: {cli:.3f} s (median of {args.repeats}), ratio {cli / bare:.2f} "
          f"(target at most 1.3); load average {load}")
    if args.startup_only:
        return

    raw = large_scenario()
    tracemalloc.start()
    start = time.perf_counter()
    scenario = build(raw)
    built = time.perf_counter()
    result = run_scenario(scenario)
    npv = result.accounts.npv
    done = time.perf_counter()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    k, t, s = len(scenario.strategies), scenario.calendar.months, len(scenario.states)
    print(f"large scenario: {k} strategies x {t} months x {s} states x {scenario.anciennitet_months} anciennitet months")
    print(f"  validate {built - start:.2f} s, simulate + money + targets {done - built:.2f} s, peak memory {peak / 2**20:.0f} MiB")
    print(f"  (largest strategy NPV: {npv.max():,.0f} kr.)")


if __name__ == "__main__":
    main()
