"""Goal seeking: the value of one number at which a target is exactly at its threshold.

The number is named by its key path and taken in the file's own unit (:mod:`kikcalc.values`); the
target is judged for one strategy, and its margin (:func:`kikcalc.targets.margin`, positive when
met) is the function solved. A scan runs many candidate values at once on the row axis (each a
draw), which shows where the margin changes sign and whether it is monotone in the number; each
sign change is then solved by Brent's method (:func:`scipy.optimize.brentq`, one run per
evaluation) on the pair of scanned values around it, and checked by running the scenario again
with the value set as if the file said so.

A payback target's value, the payback month, moves in whole months, so it is solved on the
cumulative net saving instead: payback by month M is met exactly when the cumulative net saving is
at least 0 in every month from M to the end of the horizon, so its margin is the lowest cumulative
net saving over those months (kr.), usually the one in M. An NPV target's margin is NPV - threshold.

Nothing here reads a file or formats a number: :mod:`kikcalc.report_goalseek` lays a
:class:`Solution` out, ``kikcalc solve`` runs it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from kikcalc import keypaths
from kikcalc.engine import simulate_chunks
from kikcalc.errors import ScenarioError, UsageError
from kikcalc.feasibility import infeasible_states
from kikcalc.keyslots import Slot, ValueDomainError, assign_per_row, slot
from kikcalc.money import anciennitet_weights
from kikcalc.scenario_reader import did_you_mean
from kikcalc.spec import Scenario, Target
from kikcalc.targets import MONEY_KINDS, judge_all, margin
from kikcalc.values import Values, for_scenario

SCAN = 64
"""Candidate values run at once (each a draw on the row axis) in each scan of the search."""
WIDENINGS = 20
"""Without --between, the search around the file's value doubles at most this many times (about a
million times the file's value) while it finds no sign change."""
JUMP = 1e-6
"""A margin left farther from 0 than this share of the scan's largest margin, at the value Brent's
method converges to, is a jump across the threshold, not a crossing of it."""


class SolveError(UsageError):
    """A goal seek that cannot be carried out as asked; names the option at fault and what was given."""

    def __init__(self, option: str, given: str, message: str):
        self.option, self.given, self.message = option, given, message
        super().__init__(f"{option} {given}: {message}")


@dataclass(frozen=True)
class Problem:
    """What is solved: one target of one strategy, as a function of one number."""

    scenario: Scenario
    target: Target
    target_index: int
    strategy: int
    """Index of the strategy whose verdict is solved."""
    slot: Slot
    """Where the number lives; ``slot.path`` is its key path, written canonically."""
    value_in_file: float | None
    """The number as the file writes it; None where the file gives a table there (or leaves the key out)."""
    start: float
    """Where the search starts: the file's number, or the mean of the numbers its table (or default) gives."""
    in_file: Literal["number", "table", "default"]
    """What the file writes at the key path: a number, a table (by year, month or band; each value tried
    replaces it whole), or nothing (the key takes its default)."""

    @property
    def path(self) -> str:
        return self.slot.path


@dataclass(frozen=True)
class Scan:
    """The target at n values of the number, arrays of shape (n,)."""

    number: np.ndarray
    """The values tried, in the file's unit."""
    value: np.ndarray
    """The quantity solved: the target's value, or for a payback target the lowest cumulative net
    saving from its month to the end of the horizon (kr.); NaN where the row cannot be judged."""
    threshold: np.ndarray
    """What the quantity is held against: the target's threshold (0 kr. for a payback target)."""
    margin: np.ndarray
    """How far inside the threshold the quantity lies; positive when met."""
    met: np.ndarray
    """The target's own verdict (a payback target's on its payback month)."""
    payback_month: np.ndarray
    """The strategy's payback month (model month index, -1 if none)."""
    usable: np.ndarray
    """False where the value makes leaving a state more likely than 1 or a rate leave its domain,
    or leaves the target nothing to count: such values are left out."""

    def point(self, i: int) -> Point:
        return Point(float(self.number[i]), float(self.value[i]), float(self.threshold[i]), float(self.margin[i]),
                     bool(self.met[i]), int(self.payback_month[i]))


@dataclass(frozen=True)
class Point:
    """The target at one value of the number."""

    number: float
    value: float
    threshold: float
    margin: float
    met: bool
    payback_month: int
    """Model month index, -1 if none."""


@dataclass(frozen=True)
class Crossing:
    """A value of the number at which the target's margin changes sign."""

    number: float
    met_above: bool
    """True: the target is met just above the value and missed just below it; False: the reverse."""
    check: Point
    """The scenario run again with the number set to ``number`` as if the file said so."""
    jump: tuple[float, float] | None = None
    """(margin just below, margin just above) where the margin jumps across 0 instead of passing
    through it (a grant paid only if a target is met): no value puts the target exactly at its threshold."""


@dataclass(frozen=True)
class Solution:
    """The answer of :func:`solve`."""

    problem: Problem
    low: float
    high: float
    """The values searched: the last scan's first and last."""
    given: bool
    """True: the search was given (--between), not widened from the file's value."""
    scan: Scan
    """The last scan: ``SCAN`` values from ``low`` to ``high``."""
    status: Literal["solved", "never_met", "always_met"]
    crossings: tuple[Crossing, ...]
    monotone: bool
    """Whether the margin rises (or falls) throughout the last scan."""
    runs: int
    """Runs of the scenario: one per scan (of SCAN draws), one per evaluation of Brent's method, one per check."""

    @property
    def flat(self) -> bool:
        """Whether the target does not move with the number at all: the same margin (to within rounding) at every value
        searched that runs, so that no range searched would change the verdict (a caseload target and the discount
        rate)."""
        margins = self.scan.margin[self.scan.usable]
        return bool(np.ptp(margins) <= 1e-9 * max(float(np.abs(margins).max()), 1.0))

    @property
    def ends(self) -> tuple[Point, Point]:
        """The target at the lowest and the highest value that could be run."""
        usable = np.flatnonzero(self.scan.usable)
        return self.scan.point(usable[0]), self.scan.point(usable[-1])

    @property
    def best(self) -> Point:
        """The value with the largest margin (for a target never met: the nearest it comes)."""
        return self.scan.point(_arg(self.scan, np.argmax))

    @property
    def least(self) -> Point:
        """The value with the smallest margin (for a target met throughout: the nearest it comes to missing)."""
        return self.scan.point(_arg(self.scan, np.argmin))


def _arg(scan: Scan, which) -> int:
    usable = np.flatnonzero(scan.usable)
    return int(usable[which(scan.margin[usable])])


# --- what is solved ---------------------------------------------------------------------------------


def applies(scenario: Scenario, target: Target, k: int) -> bool:
    """Whether a target is judged for strategy k (money targets not for the baseline, a programme's
    target only for the strategy that runs it)."""
    if target.kind in MONEY_KINDS:
        return k > 0
    if target.kind == "programme":
        return any(programme.name == target.programme and owner == k for owner, programme in scenario.programmes)
    return True


def problem(scenario: Scenario, target: str, path: str, strategy: str | None = None) -> Problem:
    """The problem of solving ``target`` (a name) for ``strategy`` by the number at ``path``.

    Without ``strategy``: the strategy whose number it is (an effect, investment, programme, payment
    or grant of one strategy), else the first strategy after the baseline that the target is judged for.
    Raises SolveError for an unknown target or strategy, a key path that names no number that can
    vary, or a number that does not act on the strategy.
    """
    names = [t.name for t in scenario.targets]
    if target not in names:
        if not names:
            raise SolveError("--target", target, f"{scenario.path} has no targets")
        raise SolveError("--target", target, f"no such target in {scenario.path} (there are {', '.join(names)})"
                         + did_you_mean(target, names))
    n = names.index(target)
    spec = scenario.targets[n]
    try:
        where = slot(scenario, path)
    except keypaths.KeyPathError as error:
        raise SolveError("--vary", path, error.message) from None
    for given, _, _ in scenario.overrides:
        if keypaths.within(where.path, given) or keypaths.within(given, where.path):
            raise SolveError("--vary", path, f"is set by --set {given} as well; give it one way")
    strategies = scenario.strategy_names
    owner = where.strategy
    if strategy is None:
        if owner is not None and owner > 0:
            k = owner
        else:
            k = next((k for k in range(1, len(strategies)) if applies(scenario, spec, k)), 0)
    elif strategy in strategies:
        k = strategies.index(strategy)
    else:
        raise SolveError("--strategy", strategy, f"no such strategy in {scenario.path} (there are {', '.join(strategies)})"
                         + did_you_mean(strategy, strategies))
    if not applies(scenario, spec, k):
        why = ("a money target compares a strategy with the baseline" if spec.kind in MONEY_KINDS
               else f"only the strategy that runs programme {spec.programme} is judged")
        chosen = "" if strategy is not None or owner != k else f"; {where.path} belongs to {strategies[k]}"
        raise SolveError("--target", target, f"is not judged for strategy {strategies[k]} ({why}){chosen}")
    if owner is not None and owner not in (0, k):
        raise SolveError("--vary", path, f"is a number of strategy {strategies[owner]}; it does not act on "
                                         f"{strategies[k]} (give --strategy {strategies[owner]})")
    try:
        written = keypaths.get(scenario.raw, where.path)
    except keypaths.KeyPathError:  # a key the file leaves out, at its default
        written = None
    if isinstance(written, int | float) and not isinstance(written, bool):
        return Problem(scenario, spec, n, k, where, float(written), float(written), "number")
    stored = getattr(for_scenario(scenario), where.field)[(0 if owner is None else owner, *where.index)]
    return Problem(scenario, spec, n, k, where, None, float(np.mean(stored)) * where.divisor,
                   "default" if written is None else "table")


# --- runs -------------------------------------------------------------------------------------------


def evaluate(problem: Problem, numbers: np.ndarray) -> Scan:
    """The target at each of ``numbers`` (n,), all in one run: each value a draw on the row axis."""
    scenario = problem.scenario
    numbers = np.asarray(numbers, dtype=float)
    rows = np.repeat(numbers, len(scenario.strategies))
    values = assign_per_row(scenario, for_scenario(scenario, len(numbers)), [(problem.path, rows, False)])
    return _measure(problem, scenario, values, numbers)


def check(problem: Problem, number: float) -> Point:
    """The target with the number set to ``number`` as if the file said so: the scenario's table with
    the value at its key path, validated again and run (not the row axis)."""
    from kikcalc.scenario import build

    scenario = problem.scenario
    raw = keypaths.assign(scenario.raw, problem.path, float(number))
    try:
        rebuilt = build(raw, scenario.path)
    except ScenarioError as error:
        raise SolveError("--vary", problem.path, f"the value found, {number:g}, breaks a rule of the file: "
                         + "; ".join(f"{p.path}: {p.message}" for p in error.problems)) from None
    return _measure(problem, rebuilt, for_scenario(rebuilt), np.array([float(number)])).point(0)


def _measure(problem: Problem, scenario: Scenario, values: Values, numbers: np.ndarray) -> Scan:
    """Run the rows of ``values`` (one draw per number) in chunks and read the problem's strategy's target."""
    target, n = problem.target, problem.target_index
    per_draw, states = len(scenario.strategies), len(scenario.states)
    keep_flows = scenario.needs_flows
    parts: list[tuple[np.ndarray, ...]] = []
    with np.errstate(all="ignore"):  # a row that cannot run may overflow; it is left out, not shown
        for _, chunk, trajectory in simulate_chunks(scenario, values, anciennitet_weights(scenario), keep_flows=keep_flows):
            judged, accounts = judge_all(scenario, chunk, trajectory)
            mine = np.flatnonzero(chunk.strategy == problem.strategy)
            value, met = judged[target.name][0][mine], judged[target.name][1][mine] == 1.0
            if target.kind == "payback":
                month = int(chunk.threshold[mine[0], n])
                value = accounts.cumulative_net_saving[mine, month:].min(axis=1)
                threshold = np.zeros(len(mine))
                held = margin(value, "min", threshold)
            else:
                threshold = chunk.threshold[mine, n]
                held = margin(value, target.comparison, threshold)
            runs = ~infeasible_states(scenario, chunk).reshape(-1, per_draw, states).any(axis=(1, 2))
            parts.append((value, threshold, held, met, accounts.payback_month[mine], runs & np.isfinite(held)))
    value, threshold, held, met, payback, usable = (np.concatenate(p) for p in zip(*parts, strict=True))
    return Scan(numbers, value, threshold, held, met, payback, usable)


# --- the search ------------------------------------------------------------------------------------


def solve(scenario: Scenario, target: str, path: str, strategy: str | None = None,
          between: tuple[float, float] | None = None, scan: int = SCAN) -> Solution:
    """The values of the number at ``path`` at which ``target`` is exactly at its threshold for ``strategy``.

    The search scans ``scan`` values at once between ``between`` (LO, HI), or, without it, across the
    number's whole domain where that is bounded (a probability, a share), else outward from the
    file's value, doubling the distance while no value changes the verdict and the ends still run.
    Each sign change of the margin between neighbouring values is solved by Brent's method and
    checked by a run with the value set as if the file said so. ``status`` is ``solved`` (one
    crossing or more), ``never_met`` or ``always_met`` (no crossing in the values searched).
    """
    from scipy.optimize import brentq

    seek = problem(scenario, target, path, strategy)
    where = seek.slot
    domain_low = -np.inf if where.low is None else where.low  # the limits: a search never runs a number beyond them
    domain_high = np.inf if where.high is None else where.high
    width = abs(seek.start) or 1.0
    if between is not None:
        try:
            if isinstance(between, str | bytes):  # "12" is two letters, not two numbers
                raise TypeError
            low, high = (float(x) for x in between)
        except (TypeError, ValueError):
            raise SolveError("--between", repr(between), "expected two numbers (LO, HI)") from None
        try:
            where.check(np.array([low, high]))
        except ValueDomainError as error:
            raise SolveError("--between", f"{low:g} {high:g}", error.message) from None
        if not low < high:
            raise SolveError("--between", f"{low:g} {high:g}", "expected LO below HI")
    elif where.natural_low is not None and where.natural_high is not None:  # a probability, a share: scan it all
        low, high = where.natural_low, where.natural_high
    else:
        low, high = max(domain_low, seek.start - width), min(domain_high, seek.start + width)
    runs = 0
    for _ in range(WIDENINGS + 1):
        scanned = evaluate(seek, np.linspace(low, high, scan))
        runs += 1
        pairs = _sign_changes(scanned)
        if pairs or between is not None:
            break
        lower = low > domain_low and scanned.usable[0]
        higher = high < domain_high and scanned.usable[-1]
        if not (lower or higher):
            break
        width *= 2
        low = max(domain_low, seek.start - width) if lower else low
        high = min(domain_high, seek.start + width) if higher else high
    if not scanned.usable.any():
        raise SolveError("--vary", seek.path, f"no value from {low:g} to {high:g} can be run: each makes leaving a state "
                                              f"more likely than 1, a rate leave its domain, or leaves the target nothing to count")
    scale = float(np.abs(scanned.margin[scanned.usable]).max()) or 1.0
    xtol = 1e-12 * (high - low)

    def held(x: float) -> float:
        nonlocal runs
        runs += 1
        at = evaluate(seek, np.array([x]))
        if not at.usable[0]:
            raise SolveError("--vary", seek.path, f"{x:g}, between two values that run, cannot be run; give --between around it")
        return float(at.margin[0])

    crossings = []
    for i in pairs:
        a, b = float(scanned.number[i]), float(scanned.number[i + 1])
        if scanned.margin[i] == 0 or scanned.margin[i + 1] == 0:
            root = a if scanned.margin[i] == 0 else b
        else:
            root = float(brentq(held, a, b, xtol=xtol, maxiter=200))
        if any(c.number == root for c in crossings):
            continue
        checked = check(seek, root)
        runs += 1
        jump = None
        if abs(checked.margin) > JUMP * scale:
            step = 1e-9 * (high - low)
            sides = evaluate(seek, np.array([max(a, root - step), min(b, root + step)]))
            runs += 1
            jump = (float(sides.margin[0]), float(sides.margin[1]))
        crossings.append(Crossing(root, bool(scanned.margin[i + 1] > scanned.margin[i]), checked, jump))
    if crossings:
        status = "solved"
    else:
        status = "always_met" if scanned.margin[scanned.usable][0] > 0 or scanned.met[scanned.usable][0] else "never_met"
    return Solution(seek, float(low), float(high), between is not None, scanned, status, tuple(crossings),
                    _monotone(scanned, scale), runs)


def _sign_changes(scan: Scan) -> list[int]:
    """Indices i where the margin changes sign from value i to value i + 1, both of which run."""
    sign = np.sign(scan.margin)
    both = scan.usable[:-1] & scan.usable[1:]
    return [int(i) for i in np.flatnonzero(both & (sign[:-1] != sign[1:]))]


def _monotone(scan: Scan, scale: float) -> bool:
    """Whether the margin never falls, or never rises, from one value that runs to the next (to within rounding)."""
    steps = np.diff(scan.margin[scan.usable])
    slack = 1e-9 * scale
    return bool((steps >= -slack).all() or (steps <= slack).all())
