"""Calibration: the numbers of a scenario fitted to observed caseloads, with honest intervals and backtests.

Least squares of the model's numbers for the observations (:func:`kikcalc.observed.expected`, in
each observation's own measure) against the observed numbers, by scipy.optimize.least_squares
with bounds from each number's domain. A number is named by key path; one that names a table of
numbers (an inflow by year, a band table) is fitted as one factor that scales it. Every evaluation
runs on the row axis: the model at a point and at its p nudged neighbours (the Jacobian) is one
run of p + 1 draws.

Approximate 95 % intervals come from the Jacobian at the fit (cov = s^2 (J'J)^-1 with s^2 the
residual variance); they assume the model is right and the errors independent. Where the data
cannot tell numbers apart (|correlation| > 0.95, J'J near singular, a number at its bound, a
number that moves no observation) the fit says so instead of handing over a confident number.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from kikcalc.engine import simulate, simulate_chunks
from kikcalc.keyslots import assign_per_row, in_file_units, slot
from kikcalc.observed import Observations, expected
from kikcalc.spec import Scenario
from kikcalc.values import for_scenario

CORRELATION_WARNING = 0.95
CONDITION_WARNING = 1e10
PREDICTION_DRAWS = 2000


@dataclass(frozen=True)
class Fitted:
    """One number to fit: its key path, whether it is a factor on a table, where it starts, its bounds."""

    path: str
    scale: bool
    start: float
    low: float
    high: float
    what: str

    @property
    def label(self) -> str:
        return f"{self.path} (factor)" if self.scale else self.path


def fitted_number(scenario: Scenario, path: str) -> Fitted:
    """The number a key path names, as calibration fits it (KeyPathError if there is none)."""
    from kikcalc.keypaths import canonical
    from kikcalc.uncertainty import scenario_value_is_table

    path = canonical(path)
    place = slot(scenario, path)
    scale = scenario_value_is_table(scenario, path)
    stored = in_file_units(scenario, place)
    if scale:
        largest = float(np.max(np.abs(stored))) if stored.size else 0.0
        high = place.high / largest if place.high is not None and largest > 0 else math.inf
        return Fitted(path, True, 1.0, 0.0, high, "a factor on " + place.what)
    low = -math.inf if place.low is None else (1e-9 if 0 < place.low < 1e-200 else place.low)
    high = math.inf if place.high is None else place.high
    return Fitted(path, False, float(stored.flat[0]), low, high, place.what)


def model(scenario: Scenario, observations: Observations, fitted: list[Fitted], points: np.ndarray, strategy: int) -> np.ndarray:
    """What the model says for every observation at each point (m, p) of the fitted numbers, shape (m, n),
    under one strategy. All points run at once on the row axis, one draw each."""
    points = np.atleast_2d(points)
    m, per_draw = len(points), len(scenario.strategies)
    values = for_scenario(scenario, m)
    draw_of_row = np.repeat(np.arange(m), per_draw)
    values = assign_per_row(scenario, values, [(f.path, points[draw_of_row, i], f.scale) for i, f in enumerate(fitted)])
    with np.errstate(all="ignore"):
        if not observations.needs_flows:
            trajectory = simulate(scenario, values, keep_stock=False, keep_flows=False)
            return expected(scenario, trajectory, observations)[strategy::per_draw]
        # Entrants and exits need the moves between states month by month: points in chunks that keep them bounded.
        parts = [expected(scenario, trajectory, observations)[strategy::per_draw]
                 for _, _, trajectory in simulate_chunks(scenario, values, keep_flows=True)]
        return np.concatenate(parts)


@dataclass
class Fit:
    """A calibration's result."""

    fitted: list[Fitted]
    estimate: np.ndarray
    """(p,) the fitted numbers (factors for tables)."""
    standard_error: np.ndarray
    """(p,) NaN where it cannot be estimated."""
    interval: np.ndarray
    """(p, 2) approximate 95 % intervals."""
    correlation: np.ndarray
    """(p, p) of the estimates."""
    observed: np.ndarray
    before: np.ndarray
    """(n,) the model with the file's numbers."""
    after: np.ndarray
    """(n,) the model with the fitted numbers."""
    used: np.ndarray
    """(n,) bool: observations the fit used (the others are held out)."""
    warnings: list[str] = field(default_factory=list)
    holdout: dict | None = None
    converged: bool = True
    """The solver met its tolerance; if not, the numbers are only where it stopped."""
    identified: bool = True
    """The data pin each fitted number down: none moves no observation, and J'J is not near singular (condition
    number below CONDITION_WARNING). :func:`calibrate` is the one place both rules are decided; the backtest's
    interval and ``calibrate --write`` read them."""
    no_finding: list[str] = field(default_factory=list)
    """The warnings that say why the fitted numbers are no finding (not converged, not identified); empty if they are one."""

    @property
    def is_finding(self) -> bool:
        """Numbers to write into a scenario as fitted: the fit converged and is identified."""
        return self.converged and self.identified

    @property
    def residual(self) -> np.ndarray:
        return self.observed - self.after

    @property
    def rmse(self) -> float:
        return float(np.sqrt(np.mean(self.residual[self.used] ** 2)))

    @property
    def mape(self) -> float:
        chosen = self.used & (self.observed != 0)
        return float(np.mean(np.abs(self.residual[chosen] / self.observed[chosen]))) if chosen.any() else math.nan


def calibrate(scenario: Scenario, observations: Observations, paths: list[str], strategy: int = 0, holdout: int = 0,
              seed: int = 1) -> Fit:
    """Fit the numbers at ``paths`` to the observations under ``strategy``; the last ``holdout`` observations
    (in time order) are left out of the fit and forecast instead (:func:`backtest`)."""
    from scipy.optimize import least_squares

    fitted = [fitted_number(scenario, p) for p in paths]
    n, p = len(observations), len(fitted)
    order = observations.order()
    used = np.ones(n, dtype=bool)
    if holdout:
        used[order[n - holdout:]] = False
    observed = observations.values
    start = np.array([f.start for f in fitted])
    low, high = np.array([f.low for f in fitted]), np.array([f.high for f in fitted])
    start = np.clip(start, low, high)

    def steps(x: np.ndarray) -> np.ndarray:
        h = 1e-6 * np.maximum(np.abs(x), 1e-3)
        return np.where(x + h > high, -h, h)  # step inwards at an upper bound

    cache: dict[bytes, np.ndarray] = {}

    def evaluate(x: np.ndarray) -> np.ndarray:
        """The model at x and at its p neighbours in one run; returns the residuals at x, caches the Jacobian."""
        h = steps(x)
        points = np.vstack([x, x + np.diag(h)])
        out = model(scenario, observations, fitted, points, strategy)[:, used]
        cache[x.tobytes()] = ((out[1:] - out[0]) / h[:, None]).T
        return out[0] - observed[used]

    def jacobian(x: np.ndarray) -> np.ndarray:
        if x.tobytes() not in cache:
            evaluate(x)
        return cache[x.tobytes()]

    solution = least_squares(evaluate, start, jac=jacobian, bounds=(low, high), x_scale="jac")
    estimate = solution.x.copy()
    at = model(scenario, observations, fitted, np.vstack([start, estimate]), strategy)
    before, after = at[0], at[1]
    warnings: list[str] = []
    no_finding: list[str] = []

    def doubt(warning: str) -> None:
        """A warning that makes the fitted numbers no finding (:attr:`Fit.no_finding`)."""
        warnings.append(warning)
        no_finding.append(warning)

    if not solution.success:
        doubt(f"the fit did not converge: {solution.message}")
    J = jacobian(estimate)
    dof = int(used.sum()) - p
    residual = (observed - after)[used]
    se = np.full(p, math.nan)
    correlation = np.full((p, p), math.nan)
    moves_nothing = np.abs(J).max(axis=0) <= 1e-12 * max(1.0, float(np.abs(observed).max()))
    for i in np.flatnonzero(moves_nothing):
        doubt(f"{fitted[i].label} moves none of the observations: the data say nothing about it, and it keeps the "
              f"file's value")
        estimate[i] = start[i]  # the solver's drift in a flat direction is no finding
    information = J.T @ J
    condition = np.linalg.cond(information) if p else 1.0
    if dof <= 0:
        warnings.append(f"{int(used.sum())} observations for {p} numbers: an exact fit at best, and no intervals; "
                        f"add observations or fit fewer numbers")
    elif not moves_nothing.any() and condition < 1 / np.finfo(float).eps:
        s2 = float(residual @ residual) / dof
        covariance = s2 * np.linalg.inv(information)
        se = np.sqrt(np.clip(np.diag(covariance), 0, None))
        with np.errstate(invalid="ignore", divide="ignore"):
            correlation = covariance / np.outer(se, se)
    if condition >= CONDITION_WARNING and not moves_nothing.any():
        doubt(f"the observations hardly tell the numbers apart (J'J has condition number {condition:.2g}); the fitted "
              f"values are not identified: fix some of them, or add data of another kind (flows, another measure)")
    for i in range(p):
        for j in range(i + 1, p):
            if abs(correlation[i, j]) > CORRELATION_WARNING:
                warnings.append(f"{fitted[i].label} and {fitted[j].label} trade off (correlation {correlation[i, j]:+.3f}): "
                                f"the data fit many pairs of them about equally well; a caseload alone often cannot separate "
                                f"inflow from exits")
    for i, f in enumerate(fitted):
        bound = next((b for b in (low[i], high[i]) if np.isclose(estimate[i], b)), None)
        if bound is not None:
            warnings.append(f"{f.label} ends at its bound {bound:g}: the data push it beyond what it can be")
    from scipy.stats import t as student

    half = student.ppf(0.975, dof) * se if dof > 0 else np.full(p, math.nan)
    interval = np.clip(np.column_stack([estimate - half, estimate + half]), low[:, None], high[:, None])  # within the domain
    fit = Fit(fitted=fitted, estimate=estimate, standard_error=se, interval=interval,
              correlation=correlation, observed=observed, before=before, after=after, used=used, warnings=warnings,
              converged=bool(solution.success), identified=not (moves_nothing.any() or condition >= CONDITION_WARNING),
              no_finding=no_finding)
    if holdout:
        fit.holdout = backtest(scenario, observations, fit, strategy, seed)
    return fit


def uncertainty_entries(fit: Fit) -> tuple[list[tuple[str, float, float, bool, float, float]], list[str]]:
    """What ``calibrate --write-uncertainty`` writes into ``[uncertainty]``: (key path, mean, sd, scale, low, high) for
    each fitted number with a standard error (a factor's mean 1 and its sd relative to the factor, since the written
    table already carries it), and for each other number why it has none."""
    entries, left_out = [], []
    n, p = int(fit.used.sum()), len(fit.fitted)
    for i, f in enumerate(fit.fitted):
        se, estimate = float(fit.standard_error[i]), float(fit.estimate[i])
        if not np.isfinite(se):
            why = (f"{n} observations for {p} numbers leave no standard error" if n <= p
                   else "the fit is not identified" if not fit.identified else "its standard error cannot be estimated")
            left_out.append(f"{f.label}: {why}")
        elif f.scale and estimate == 0:
            left_out.append(f"{f.label}: the factor was fitted to 0, and a spread relative to it means nothing")
        else:
            entries.append((f.path, 1.0 if f.scale else estimate, se / estimate if f.scale else se, f.scale, f.low, f.high))
    return entries, left_out


def backtest(scenario: Scenario, observations: Observations, fit: Fit, strategy: int, seed: int) -> dict:
    """The held-out observations forecast by the fitted model and by three naive forecasts.

    Naive forecasts use only the fitted period's observations of the same states and measure: the
    last value carried forward, a straight line through them (least squares on time), and drift
    (the last value plus the mean change per month since the first). Skill = the model's mean
    absolute error over the naive forecast's, on the held-out observations that naive forecast covers
    (below 1: the model forecasts better; infinite where the naive forecast is exact and the model is
    not). The model's 90 %
    prediction interval draws the fitted numbers from a normal with the fit's covariance (one run
    of the row axis) and adds the residual spread.
    """
    held = np.flatnonzero(~fit.used)
    times = np.array([o.period.boundary for o in observations.items], dtype=float)
    groups = [(o.states, o.measure) for o in observations.items]
    naive = {"last value": np.full(len(held), math.nan), "straight line": np.full(len(held), math.nan),
             "drift": np.full(len(held), math.nan)}
    for k, i in enumerate(held):
        same = [j for j in np.flatnonzero(fit.used) if groups[j] == groups[i] and times[j] < times[i]]
        if not same:
            continue
        same.sort(key=lambda j: times[j])
        t, y = times[same], fit.observed[same]
        naive["last value"][k] = y[-1]
        if len(same) >= 2 and t[-1] > t[0]:
            slope, intercept = np.polyfit(t, y, 1)
            naive["straight line"][k] = intercept + slope * times[i]
            naive["drift"][k] = y[-1] + (y[-1] - y[0]) / (t[-1] - t[0]) * (times[i] - t[-1])
    errors = {"model": np.abs(fit.observed[held] - fit.after[held])}
    errors |= {name: np.abs(fit.observed[held] - forecast) for name, forecast in naive.items()}
    mae = {name: float(np.nanmean(e)) if np.isfinite(e).any() else math.nan for name, e in errors.items()}
    exact = 1e-9 * max(1.0, float(np.abs(fit.observed[held]).max()))  # an error below this is rounding
    mae = {name: (0.0 if value <= exact else value) for name, value in mae.items()}
    skill = {}
    for name, forecast in naive.items():
        covered = np.isfinite(forecast)  # the model is judged on the observations this naive forecast covers
        model_error = float(errors["model"][covered].mean()) if covered.any() else math.nan
        model_error = 0.0 if model_error <= exact else model_error
        skill[name] = (math.nan if not covered.any() else model_error / mae[name] if mae[name] > 0
                       else math.inf if model_error > 0 else math.nan)
    interval = np.full((len(held), 2), math.nan)
    if fit.identified and np.isfinite(fit.standard_error).all():  # an unidentified fit has no honest interval
        covariance = fit.correlation * np.outer(fit.standard_error, fit.standard_error)
        rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed)))
        points = rng.multivariate_normal(fit.estimate, covariance, size=PREDICTION_DRAWS, method="eigh")
        points = np.clip(points, [f.low for f in fit.fitted], [f.high for f in fit.fitted])
        predicted = model(scenario, observations, fit.fitted, points, strategy)[:, held]
        spread = float(np.sqrt(np.mean(fit.residual[fit.used] ** 2)))
        predicted = predicted + rng.normal(0.0, spread, size=predicted.shape)
        interval = np.percentile(predicted, [5, 95], axis=0).T
    beaten = [name for name in naive if skill[name] >= 1]  # NaN (no forecast to judge) is never >= 1
    return {"held": held, "naive": naive, "mae": mae, "skill": skill, "interval": interval, "not_better_than": beaten}
