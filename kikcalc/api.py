"""The library's entry points beyond :func:`kikcalc.run`, for notebooks and scripts: each returns pandas DataFrames.

::

    import kikcalc
    psa = kikcalc.sensitivity("scenarios/aabenraa-kik2.toml", draws=1000, seed=1)
    psa.summary                      # strategy, measure, period, unit, mean, p5, p50, p95, probability
    kikcalc.tornado("scenarios/aabenraa-kik2.toml")                      # one-way swings, ranked
    fit = kikcalc.calibrate("scenarios/aabenraa-long-term-supported.toml", fit=["states.langtidsforsorgede.inflow"],
                            observed=["scenarios/data/aabenraa-long-term-supported-2013-2017.csv"])
    fit.fitted, fit.residuals
    kikcalc.solve("scenarios/aabenraa-kik2.toml", target="under-800-maj-2022",
                  vary="strategies.kik2.effects[0].multiply").solutions
    kikcalc.followup("scenarios/aabenraa-kik2.toml").lines
    kikcalc.liability("scenarios/aabenraa-kik2.toml", at="2020-01", years=10).table

Each takes a scenario file's path (str or pathlib.Path) or a loaded :class:`~kikcalc.spec.Scenario`, and
``overrides``: (key path, value) pairs, a dict of key path to value or "PATH=VALUE" texts, as
``kikcalc.load(..., overrides=...)`` and ``--set`` take them. Counts (``draws``, ``seed``, ``holdout``) are whole
numbers, Python's or numpy's; names (``strategy``, ``target``, ``metric``) and key paths are text.
The command line stands on these same functions (the
checks of a request live here, once); bad input raises :class:`~kikcalc.errors.ScenarioError` or
:class:`~kikcalc.errors.UsageError` with the command line's message. Nothing here computes a model number:
the frames are those the command line formats.
"""

from __future__ import annotations

import difflib
import numbers
import sys
import types
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kikcalc.errors import ScenarioError, UsageError
from kikcalc.scenario import load, with_overrides
from kikcalc.spec import Scenario

ScenarioLike = Scenario | str | Path


def callable_module(name: str, function: str) -> None:
    """Let the module ``name`` be called as this module's ``function``: ``kikcalc.sensitivity(...)`` runs
    :func:`sensitivity` and ``from kikcalc.sensitivity import run`` still imports the module's own."""

    class CallableModule(types.ModuleType):
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            return globals()[function](*args, **kwargs)

    sys.modules[name].__class__ = CallableModule


def _scenario(scenario: ScenarioLike, overrides: Iterable[tuple[str, Any]] | Mapping[str, Any] = ()) -> Scenario:
    if isinstance(scenario, Scenario):
        return with_overrides(scenario, overrides)
    return load(scenario, overrides)


def whole(name: str, value: Any, low: int, high: int | None = None) -> int:
    """``value`` as a whole number from ``low`` (to ``high``): a Python or numpy integer, not True or 5.0; else bad
    input naming the argument and the range, as the command line's option ranges say it."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool | np.bool_):
        if low <= int(value) and (high is None or int(value) <= high):
            return int(value)
    span = f"from {low:,} to {high:,}" if high is not None else f"from {low:,}"
    raise UsageError(f"{name}: expected a whole number {span}, got {value!r}")


def text(name: str, value: Any, optional: bool = False, what: str = "a name") -> str | None:
    """``value`` if it is text (or None where ``optional``); else bad input naming the argument."""
    if isinstance(value, str) or (optional and value is None):
        return value
    raise UsageError(f"{name}: expected {what} as text{' or None' if optional else ''}, got {value!r}")


def unknown_strategy(name: str, known: list[str], where: str) -> str:
    """The message for a strategy name the scenario does not have, with the nearest one."""
    from kikcalc.scenario_reader import did_you_mean

    return f'--strategy {name}: no such strategy in {where} (there are {", ".join(known)}){did_you_mean(name, known)}'


def run(scenario: ScenarioLike):
    """Run every strategy of a scenario (a validated Scenario, or a path to a scenario file): a
    :class:`~kikcalc.result.Result` whose tables are DataFrames (:func:`kikcalc.result.run`, ``kikcalc.run``)."""
    from kikcalc.result import run as run_file

    return run_file(scenario)


# --- sensitivity and tornado -------------------------------------------------------------------


def uncertain(scenario: Scenario) -> tuple[Any, list[str]]:
    """The scenario's uncertain numbers less those set with --set (certain in this run), and a note for each of
    those; a file with none left, or with a distribution that cannot be drawn from, is bad input."""
    from kikcalc.uncertainty import probe, read, without

    uncertainty = read(scenario)[0]
    fixed = {path for path, _, _ in scenario.overrides} & set(uncertainty.paths)
    notes = [f"{path} is set with --set: it is certain in this run, not drawn" for path in sorted(fixed)]
    uncertainty = without(uncertainty, fixed)
    if not len(uncertainty):
        has_table = isinstance(scenario.raw.get("uncertainty"), dict) and scenario.raw["uncertainty"]
        raise UsageError(f"{scenario.path}: " + ("every uncertain number is set with --set: nothing is left to draw" if has_table else
                                                 "no uncertain numbers: give distributions in an [uncertainty] table "
                                                 "(docs/scenario-format.md, \"[uncertainty] and [[correlations]]\")"))
    problems = probe(uncertainty, scenario)
    if problems:
        raise ScenarioError(scenario.path, problems)
    return uncertainty, notes


@dataclass
class Sensitivity:
    """A probabilistic sensitivity run as tables."""

    summary: pd.DataFrame
    """Per strategy and measure: mean, p5, p50, p95, and the probability of paying back or meeting a target."""
    uncertain: pd.DataFrame
    """The uncertain numbers: key path, distribution, its parameters, mean and sd."""
    draws: pd.DataFrame
    """One row per (draw, strategy): the drawn numbers (kept), NPV, net saving, payback, target values."""
    run: Any = field(repr=False)
    """The :class:`kikcalc.sensitivity.Run`, for its JSON summary (``run.summary``)."""
    notes: list[str] = field(default_factory=list)


def sensitivity(scenario: ScenarioLike, draws: int = 1000, seed: int = 1, sampler: str = "random", workers: int = 1,
                dask: str | None = None, overrides: Iterable[tuple[str, Any]] | Mapping[str, Any] = (),
                progress: Callable[[int], None] | None = None) -> Sensitivity:
    """Every strategy run on ``draws`` draws of the ``[uncertainty]`` table's numbers (``kikcalc sensitivity``)."""
    from kikcalc import report_sensitivity
    from kikcalc import sensitivity as psa

    # The command line's ranges (--draws 1 to 10,000,000, --seed from 0, --workers 1 to 1,024); True is no number.
    draws = whole("draws", draws, 1, 10_000_000)
    if sampler not in ("random", "lhs", "sobol"):
        raise UsageError(f"sampler: expected random, lhs or sobol, got {sampler!r}")
    seed = whole("seed", seed, 0)
    workers = whole("workers", workers, 1, 1024)
    text("dask", dask, optional=True, what="a scheduler's address")
    if progress is not None and not callable(progress):
        raise UsageError(f"progress: expected a function called with the draws done, or None, got {progress!r}")
    scenario = _scenario(scenario, overrides)
    uncertainty, notes = uncertain(scenario)
    result = psa.run(scenario, uncertainty, draws, seed, sampler, workers=workers, dask=dask, keep_drawn=True,
                     progress=progress)
    if result.summary["draws_used"] == 0:
        raise UsageError(psa.no_draw_runs(scenario.path, result.summary["excluded"]["by_state"], result.summary["excluded"]["by_key_path"]))
    return Sensitivity(report_sensitivity.frame(scenario, result.summary), pd.DataFrame(result.summary["uncertain"]),
                       psa.draws_table(result), result, notes)


def tornado_request(scenario: Scenario, strategy: str | None, metric: str) -> tuple[str, str]:
    """The strategy whose metric a tornado follows and the metric's unit; bad input for any other.

    Money (NPV, net saving, a money target) is a strategy's against the baseline; a target's level is judged for
    the baseline too (a file of the baseline alone: how sure is its caseload?), a programme's target only for the
    strategy that runs the programme. Without ``strategy``: the first after the baseline the metric is judged
    for, else the baseline."""
    from kikcalc import sensitivity as psa
    from kikcalc.goalseek import applies

    names = scenario.strategy_names
    if text("strategy", strategy, optional=True) is not None and strategy not in names:
        raise UsageError(unknown_strategy(strategy, names, scenario.path))
    text("metric", metric)
    target_names = [t.name for t in scenario.targets]
    if metric in psa.METRICS:
        target, unit = None, "kr."
    elif metric.startswith("target:") and metric[7:] in target_names:
        target = scenario.targets[target_names.index(metric[7:])]
        if target.kind == "payback":
            raise UsageError(f"--metric {metric}: a payback month can appear or vanish between the ends; use npv")
        unit = target.unit
    else:
        options = [*psa.METRICS, *(f"target:{t.name}" for t in scenario.targets if t.kind != "payback")]  # levels only
        close = difflib.get_close_matches(metric, options, n=1)
        raise UsageError(f"--metric {metric}: expected one of {', '.join(options)}"
                         + (f'; did you mean "{close[0]}"?' if close else ""))
    judged = [name for k, name in enumerate(names) if (k > 0 if target is None else applies(scenario, target, k))]
    levels = [f"target:{t.name}" for k, t in enumerate(scenario.targets) if t.kind != "payback" and applies(scenario, t, 0)]
    hint = f"; a target's level is followed for the baseline too (--metric {levels[0]})" if levels else ""
    if strategy is None:
        if not judged and len(names) < 2:
            raise UsageError(f"{scenario.path}: {metric} compares a strategy with the baseline; the file has only "
                             f"{names[0]}{hint}")
        if not judged:
            raise UsageError(f"--metric {metric}: no strategy runs programme {target.programme}")
        strategy = next((name for name in judged if name != names[0]), judged[0])
    if strategy in judged:
        return strategy, unit
    if strategy == names[0]:
        raise UsageError(f"--strategy {strategy}: the baseline; {metric} compares a strategy with it: "
                         f"choose one of {', '.join(names[1:]) or 'none (the file has no other)'}{hint}")
    raise UsageError(f"--metric {metric}: not judged for strategy {strategy} (only the strategy that runs "
                     f"programme {target.programme} is); "
                     + (f"choose --strategy {' or '.join(judged)}" if judged else "no strategy runs it"))


def tornado(scenario: ScenarioLike, strategy: str | None = None, metric: str = "npv",
            overrides: Iterable[tuple[str, Any]] | Mapping[str, Any] = ()) -> pd.DataFrame:
    """One-way sensitivity (``kikcalc tornado``): each uncertain number alone at its low and high, ranked by swing.
    The frame's ``attrs`` hold the strategy, metric, unit and the base value."""
    from kikcalc import report_sensitivity
    from kikcalc import sensitivity as psa

    scenario = _scenario(scenario, overrides)
    uncertainty, _ = uncertain(scenario)
    strategy, unit = tornado_request(scenario, strategy, metric)
    base, bars = psa.tornado(scenario, uncertainty, strategy, metric)
    frame = report_sensitivity.tornado_frame(bars)
    frame.attrs.update(strategy=strategy, metric=metric, unit=unit, base=base)
    return frame


# --- observations: calibrate and follow-up -----------------------------------------------------


def observations(scenario: Scenario, files: Sequence[str | Path] = (), mapping: Mapping[str, str] | None = None,
                 measure: str | None = None) -> tuple[Any, list[str]]:
    """The scenario's ``[observed]`` table and every data file as one set of observations, and a note of what
    each file gave (and, beginning ``warning: ``, what a person must see: data of another area, a count of a time
    not over yet); none at all, or the same count twice, is bad input."""
    from kikcalc.observed import from_scenario
    from kikcalc.observed_files import WARNING

    if mapping is not None and not isinstance(mapping, Mapping):
        raise UsageError(f"mapping: expected a dict of the data's benefit group to the scenario's state, such as "
                         f'{{"Kontanthjælp": "kontanthjaelp"}} (--map NAME=STATE), got {type(mapping).__name__}')
    from kikcalc.observed_files import read as read_data

    found = from_scenario(scenario)[0]
    notes: list[str] = []
    given = files
    listed = isinstance(files, Iterable) and not isinstance(files, str | bytes | Mapping | pd.DataFrame)
    files = [] if files is None else [files] if isinstance(files, str | Path) else list(files) if listed else None
    if files is None or not all(isinstance(f, str | Path) for f in files):  # a DataFrame's items are its columns
        kinds = ", ".join(sorted({type(f).__name__ for f in files})) if files else ""
        raise UsageError(f"observed: expected a data file's path (a str or pathlib.Path) or a list of them, got "
                         f"{type(given).__name__}" + (f" of {kinds}" if kinds else ""))
    seen: dict[Path, int] = {}
    for i, file in enumerate(files):  # the same file twice would be every count observed twice, at the same row
        first = files[seen.setdefault(Path(file).resolve(), i)]
        if seen[Path(file).resolve()] != i:
            also = "" if str(first) == str(file) else f" (as {first})"
            raise UsageError(f"--observed {file}: the same file is given twice{also}; give each data file once")
    for file in files:
        read = read_data(file, scenario, dict(mapping or {}), measure=measure)
        notes += [line.strip() for line in read.read_report.splitlines()  # its summary lines, and what a person must see
                  if line.startswith("read ") or line.strip().startswith(WARNING)]
        found = found + read
    from kikcalc.observed import not_over_yet
    from kikcalc.provenance import run_time

    notes += [f"{WARNING}{line}" for line in not_over_yet(found, scenario.calendar, run_time().date())]
    twice = found.twice()
    if twice:
        raise UsageError(f"{twice[0][1]} (the scenario's [observed] table and a data file may hold the same counts)")
    if not len(found):
        raise UsageError(f"{scenario.path}: no observations: give --observed DATA, or an [observed] table in the scenario "
                         f"(docs/calibration.md)")
    if found.needs_flows and not scenario.needs_flows:
        from kikcalc.limits import flows_problem

        problem = flows_problem(len(scenario.strategies), scenario.calendar.months, len(scenario.states),
                                "observations of entrants or exits")
        if problem is not None:
            raise UsageError(f"{scenario.path}: {problem}")
    return found, notes


def realised_strategy(scenario: Scenario, name: str | None) -> int:
    """The strategy the observations were made under: the one named, else the first after the baseline."""
    names = scenario.strategy_names
    if text("strategy", name, optional=True) is None:
        return 1 if len(names) > 1 else 0
    if name not in names:
        raise UsageError(unknown_strategy(name, names, scenario.path))
    return names.index(name)


def check_fit(scenario: Scenario, found: Any, fit: Sequence[str], holdout: int) -> None:
    """Bad input unless every key path to fit names a number that can be fitted, once, and the holdout leaves some
    observations to fit."""
    from kikcalc import calibration, keypaths

    if not fit:
        raise UsageError("--fit: give at least one key path to fit")
    for path in fit:
        try:
            calibration.fitted_number(scenario, path)
        except keypaths.KeyPathError as error:
            raise UsageError(f"--fit {path}: {error.message}") from None
    if len(set(fit)) < len(fit):
        raise UsageError("--fit: each key path once")
    if whole("holdout", holdout, 0) >= len(found):
        raise UsageError(f"--holdout {holdout}: leaves nothing to fit ({len(found)} observations)")


@dataclass
class Calibration:
    """A calibration as tables."""

    fitted: pd.DataFrame
    """Each fitted number: key path, factor (a table scaled whole), in the file, fitted, se, 95 % interval."""
    residuals: pd.DataFrame
    """Each observation: observed, the model before and after the fit."""
    holdout: pd.DataFrame | None
    """The held-out observations' forecast, with ``holdout``."""
    fit: Any = field(repr=False)
    """The :class:`kikcalc.calibration.Fit` (warnings, RMSE, MAPE, the estimates' correlation)."""
    notes: list[str] = field(default_factory=list)


def calibrate(scenario: ScenarioLike, observed: Sequence[str | Path] = (), fit: Sequence[str] = (), strategy: str | None = None,
              holdout: int = 0, mapping: Mapping[str, str] | None = None, measure: str | None = None,
              overrides: Iterable[tuple[str, Any]] | Mapping[str, Any] = ()) -> Calibration:
    """Fit numbers of a scenario, by key path, to observed caseloads (``kikcalc calibrate``)."""
    from kikcalc import calibration, report_calibration

    scenario = _scenario(scenario, overrides)
    found, notes = observations(scenario, observed, mapping, measure)
    k = realised_strategy(scenario, strategy)
    fit = [fit] if isinstance(fit, str) else list(fit or ())
    for path in fit:
        text("fit", path, what="a key path")
    check_fit(scenario, found, fit, holdout)
    result = calibration.calibrate(scenario, found, fit, k, holdout)
    return Calibration(report_calibration.fitted_frame(result), report_calibration.residual_frame(result, found),
                       report_calibration.holdout_frame(result, found) if holdout else None, result, notes)


@dataclass
class FollowUp:
    """A follow-up as tables: each observation against the projection, in persons and kroner."""

    lines: pd.DataFrame
    result: Any = field(repr=False)
    """The :class:`kikcalc.followup.FollowUp`."""
    notes: list[str] = field(default_factory=list)


def followup(scenario: ScenarioLike, observed: Sequence[str | Path] = (), strategy: str | None = None,
             mapping: Mapping[str, str] | None = None, measure: str | None = None,
             overrides: Iterable[tuple[str, Any]] | Mapping[str, Any] = ()) -> FollowUp:
    """Are we ahead of the plan? (``kikcalc followup``)"""
    from kikcalc import report_calibration
    from kikcalc.followup import follow_up

    scenario = _scenario(scenario, overrides)
    found, notes = observations(scenario, observed, mapping, measure)
    result = follow_up(scenario, found, realised_strategy(scenario, strategy))
    return FollowUp(report_calibration.followup_frame(result), result, notes)


# --- goal seeking --------------------------------------------------------------------------------


@dataclass
class Goal:
    """A goal seek as tables."""

    solutions: pd.DataFrame
    """Each value at which the target is exactly at its threshold (and the file's value), checked by a run."""
    scan: pd.DataFrame
    """The values scanned: number, the target's value, threshold, margin."""
    solution: Any = field(repr=False)
    """The :class:`kikcalc.goalseek.Solution` (``status``: solved, never_met or always_met)."""


def solve(scenario: ScenarioLike, target: str, vary: str, strategy: str | None = None,
          between: tuple[float, float] | None = None, overrides: Iterable[tuple[str, Any]] | Mapping[str, Any] = ()) -> Goal:
    """The value of one number (``vary``, a key path) at which ``target`` is exactly at its threshold (``kikcalc solve``)."""
    from kikcalc import goalseek, report_goalseek

    text("target", target)
    text("vary", vary, what="a key path")
    text("strategy", strategy, optional=True)
    solution = goalseek.solve(_scenario(scenario, overrides), target, vary, strategy, between)
    return Goal(report_goalseek.frame(solution), report_goalseek.scan_frame(solution), solution)


# --- the liability ---------------------------------------------------------------------------------


def valuation_month(scenario: Scenario, at: str | None) -> int:
    """The model month of ``at`` (YYYY-MM; None: the first month); bad input outside the horizon or not a month
    (an index such as -1 would count from the end: the horizon's end, not a month of it)."""
    if at is None:
        return 0
    from kikcalc.calendar import parse_month

    try:
        number = parse_month(at)
    except ValueError as error:
        raise UsageError(f"--at {at}: {error}") from None
    calendar = scenario.calendar
    if not calendar.contains(number):
        raise UsageError(f"--at {at}: outside the horizon {calendar.labels[0]} to {calendar.labels[-1]}")
    return calendar.index(number)


def liability(scenario: ScenarioLike, at: str | None = None, years: int | None = None,
              overrides: Iterable[tuple[str, Any]] | Mapping[str, Any] = ()):
    """The liability at month ``at`` (YYYY-MM; None: the first) counted ``years`` years on (1 to 100; None: for
    ever) (``kikcalc liability``): a :class:`~kikcalc.liability.Liability` whose ``table`` is the command's rows."""
    from kikcalc.liability import value

    scenario = _scenario(scenario, overrides)
    month = valuation_month(scenario, at)
    years = None if years is None else whole("years", years, 1, 100)
    return value(scenario, month, None if years is None else 12 * years)
