"""How sure is the answer: probabilistic sensitivity (many draws) and one-way sensitivity (a tornado).

A draw is one set of the uncertain numbers of :mod:`kikcalc.uncertainty`; it runs every strategy
on the row axis (:mod:`kikcalc.values`), chunk by chunk, through the same engine, money and targets
as a plain run. Each chunk keeps only a few headline numbers per row (:class:`Outcomes`), so memory
grows with the draws by those numbers alone; the summaries (means, percentiles, probabilities) are
taken once over all draws in draw order, so they are bit for bit the same whatever the chunk size
or the number of workers.

Draws whose numbers make a state's monthly leaving probabilities exceed 1 (or a rate leave its
domain once effects act) cannot be run as the model means them: they are excluded from the
summaries, counted, and reported by the uncertain numbers acting on that state. Nothing is clipped.
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from kikcalc.engine import chunk_draws as engine_chunk_draws
from kikcalc.engine import simulate
from kikcalc.feasibility import infeasible_states
from kikcalc.keypaths import parse
from kikcalc.keyslots import assign_columns, assign_per_row
from kikcalc.money import anciennitet_weights
from kikcalc.sampling import Design
from kikcalc.spec import Scenario
from kikcalc.targets import judge_all
from kikcalc.uncertainty import Uncertainty
from kikcalc.values import Values, for_scenario

if TYPE_CHECKING:
    import pandas as pd

PERCENTILES = (5, 50, 95)


@dataclass
class Outcomes:
    """The headline numbers of R rows (draw-major: row d K + k is strategy k of draw d)."""

    npv: np.ndarray
    """(R,) kr."""
    payback: np.ndarray
    """(R,) model month from which the cumulative saving stays at or above 0; -1 if none."""
    net_saving_total: np.ndarray
    """(R,) kr. over the horizon, undiscounted."""
    net_saving_by_year: np.ndarray
    """(R, Y) kr."""
    target_value: np.ndarray
    """(R, N) each target's value (NaN where it does not apply or there is none)."""
    target_met: np.ndarray
    """(R, N) 1 met, 0 missed, NaN not applicable."""
    infeasible: np.ndarray
    """(R, S) True where the row's numbers make leaving the state (or a rate) leave its domain."""

    @staticmethod
    def join(parts: list[Outcomes]) -> Outcomes:
        return Outcomes(**{name: np.concatenate([getattr(p, name) for p in parts]) for name in Outcomes.__dataclass_fields__})


def values_for_draws(scenario: Scenario, uncertainty: Uncertainty, drawn: np.ndarray) -> Values:
    """The values of n draws (all strategies of each), the uncertain numbers set from ``drawn`` (n, d)."""
    if not np.isfinite(drawn).all():  # NaN would mean "keep the file's number" below: never for a draw
        raise ValueError("a draw is not a finite number: check the distributions with kikcalc.uncertainty.probe")
    values = for_scenario(scenario, len(drawn))
    if not uncertainty.inputs:
        return values
    by_row = np.repeat(np.asarray(drawn, dtype=float), len(scenario.strategies), axis=0)  # row r: draw r // K
    return assign_columns(scenario, values, [(u.path, u.scale) for u in uncertainty.inputs], by_row)


def outcomes(scenario: Scenario, values: Values) -> Outcomes:
    """Run the rows of ``values`` and keep their headline numbers (:class:`Outcomes`)."""
    keep_flows = scenario.needs_flows
    infeasible = infeasible_states(scenario, values)  # first, while the values just made are in the cache (3x faster)
    with np.errstate(all="ignore"):  # an infeasible row may overflow; it is excluded, not shown
        trajectory = simulate(scenario, values, _weights(scenario), keep_stock=False, keep_flows=keep_flows)
        judged, accounts = judge_all(scenario, values, trajectory, lines=False)
        saving = accounts.net_saving
    n_targets = len(scenario.targets)
    value = np.column_stack([judged[t.name][0] for t in scenario.targets]) if n_targets else np.empty((values.rows, 0))
    met_or_nan = np.column_stack([judged[t.name][1] for t in scenario.targets]) if n_targets else np.empty((values.rows, 0))
    value = np.where(np.isnan(met_or_nan.astype(float)), np.nan, value.astype(float))  # a target that does not apply has none
    return Outcomes(npv=accounts.npv, payback=accounts.payback_month, net_saving_total=saving.sum(axis=1),
                    net_saving_by_year=scenario.calendar.by_year(saving, "sum"), target_value=value,
                    target_met=met_or_nan.astype(float), infeasible=infeasible)


_WEIGHTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _weights(scenario: Scenario) -> np.ndarray:
    """:func:`~kikcalc.money.anciennitet_weights`, read only, found once per scenario (a run asks for every chunk)."""
    if scenario not in _WEIGHTS:
        weights = anciennitet_weights(scenario)
        weights.flags.writeable = False
        _WEIGHTS[scenario] = weights
    return _WEIGHTS[scenario]


# --- many draws -----------------------------------------------------------------------------------


def chunk_draws(scenario: Scenario, chunk_rows: int | None = None) -> int:
    """Draws run together: about ``chunk_rows`` rows (None: :func:`kikcalc.engine.default_chunk_rows`), fewer where a
    flow target or a flow cost keeps the moves
    between states (:func:`kikcalc.engine.chunk_draws`)."""
    return engine_chunk_draws(scenario, chunk_rows, scenario.needs_flows)


def draws_per_chunk(scenario: Scenario, draws: int, workers: int = 1, chunk_rows: int | None = None) -> int:
    """Draws a chunk of a run of ``draws`` takes: :func:`chunk_draws`, and with ``workers`` local processes no more than
    an even share of the draws among as many of them as there are cores, so that each core has a chunk to run (a
    run's numbers do not depend on its chunks)."""
    per_chunk = chunk_draws(scenario, chunk_rows)
    sharing = min(workers, os.cpu_count() or 1)
    return min(per_chunk, max(1, -(-draws // sharing))) if sharing > 1 else per_chunk


def draw_ranges(draws: int, per_chunk: int) -> list[tuple[int, int]]:
    return [(first, min(first + per_chunk, draws)) for first in range(0, draws, per_chunk)]


def _chunk(raw: dict, file: str, uncertainty_drawn: np.ndarray) -> Outcomes:
    """One chunk of draws in a worker: the scenario rebuilt from its raw table (cheap), then run."""
    from kikcalc.scenario import build
    from kikcalc.uncertainty import read

    scenario = build(raw, file)
    uncertainty = read(scenario)[0]
    return outcomes(scenario, values_for_draws(scenario, uncertainty, uncertainty_drawn))


@dataclass
class Run:
    """A probabilistic sensitivity run: its settings, every draw's numbers (if kept) and outcomes."""

    scenario: Scenario
    uncertainty: Uncertainty
    draws: int
    seed: int
    sampler: str
    outcomes: Outcomes
    drawn: np.ndarray | None = None
    """(N, d) every draw's uncertain numbers, if kept."""
    workers: str = "1 process"
    summary: dict = field(default_factory=dict)


def run(scenario: Scenario, uncertainty: Uncertainty, draws: int, seed: int, sampler: str = "random",
        chunk_rows: int | None = None, workers: int = 1, dask: str | None = None, keep_drawn: bool = False,
        progress: Callable[[int], None] | None = None) -> Run:
    """Draw ``draws`` sets of the uncertain numbers and run every strategy on each.

    ``workers`` > 1 runs chunks on local processes, ``dask`` (a scheduler address, or a
    ``dask.distributed.Client``) on a Dask cluster; the result is the same bit for bit.
    ``progress(draws_done)`` is called as chunks finish.
    """
    design = Design(uncertainty, draws, seed, sampler)
    ranges = draw_ranges(draws, draws_per_chunk(scenario, draws, workers if dask is None else 1, chunk_rows))
    drawn_parts: list[np.ndarray] = []

    def chunks() -> Iterator[np.ndarray]:
        for first, stop in ranges:
            drawn = design.numbers(first, stop)
            if keep_drawn:
                drawn_parts.append(drawn)
            yield drawn

    parts: list[Outcomes] = []
    done = 0
    if dask is not None:
        how, results = _on_dask(dask, scenario, chunks())
    elif workers > 1:
        how, results = f"{workers} local processes", _on_processes(workers, scenario, chunks())
    else:
        how, results = "1 process", (outcomes(scenario, values_for_draws(scenario, uncertainty, drawn)) for drawn in chunks())
    for (first, stop), part in zip(ranges, results, strict=True):
        parts.append(part)
        done += stop - first
        if progress is not None:
            progress(stop - first)
    joined = Outcomes.join(parts) if parts else None
    drawn_all = np.concatenate(drawn_parts) if keep_drawn and drawn_parts else None
    result = Run(scenario, uncertainty, draws, seed, sampler, joined, drawn_all, how)
    result.summary = summarise(result)
    return result


def _on_processes(workers: int, scenario: Scenario, drawn: Iterator[np.ndarray]) -> Iterator[Outcomes]:
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=workers) as pool:
        # map keeps the chunks' order; at most a few chunks wait in memory.
        yield from pool.map(_chunk, *zip(*((scenario.raw, scenario.path, d) for d in drawn), strict=True))


DASK_TIMEOUT = "10s"


def _on_dask(dask, scenario: Scenario, drawn: Iterator[np.ndarray]) -> tuple[str, Iterator[Outcomes]]:
    from kikcalc.errors import UsageError

    try:
        from dask.distributed import Client
    except ImportError:
        raise UsageError('--dask needs dask.distributed, which kikcalc\'s "dask" extra installs: pip install "kikcalc[dask]" '
                         '(or pip install ".[dask]" in kikcalc\'s folder)') from None
    try:
        client = dask if isinstance(dask, Client) else Client(dask, timeout=DASK_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as error:
        raise UsageError(f"--dask {dask}: no Dask scheduler answers there within {DASK_TIMEOUT} ({error}); start one with "
                         f"`dask scheduler` (docs/scaling.md)") from None
    raw = client.scatter(scenario.raw, broadcast=True)
    futures = [client.submit(_chunk, raw, scenario.path, d, pure=False) for d in drawn]

    def gathered() -> Iterator[Outcomes]:
        try:
            for future in futures:
                yield future.result()
        finally:
            if client is not dask:
                client.close()

    return f"Dask at {client.scheduler.address}", gathered()


# --- summaries ------------------------------------------------------------------------------------


def _stats(x: np.ndarray) -> dict[str, float | None]:
    x = x[~np.isnan(x)]
    if not x.size:
        return {"mean": None, "p5": None, "p50": None, "p95": None}
    p = np.percentile(x, PERCENTILES)
    return {"mean": float(x.mean()), "p5": float(p[0]), "p50": float(p[1]), "p95": float(p[2])}


def _month_stats(months: np.ndarray) -> dict[str, float | None]:
    """Percentiles of a month index where -1 is "never": an actual draw's month (inverted CDF), None for never."""
    if not months.size:
        return {"p5": None, "p50": None, "p95": None}
    as_float = np.where(months >= 0, months, np.inf).astype(float)
    p = np.percentile(as_float, PERCENTILES, method="inverted_cdf")
    return {f"p{q}": (None if np.isinf(v) else int(v)) for q, v in zip(PERCENTILES, p, strict=True)}


def excluded_draws(run_: Run) -> tuple[np.ndarray, dict[str, int], dict[str, int]]:
    """(draws excluded (N,) bool, excluded draws by state, excluded draws by uncertain key path)."""
    return _excluded(run_.scenario, run_.uncertainty, run_.outcomes.infeasible)


def no_draw_runs(file: str, by_state: dict[str, int], by_path: dict[str, int]) -> str:
    """What every command that draws says when every draw is excluded (exit 2)."""
    return (f"{file}: every draw makes leaving {', '.join(by_state)} exceed a probability of 1; narrow the "
            f"distributions of {', '.join(by_path) or 'the rates'}")


def every_draw_excluded(scenario: Scenario, uncertainty: Uncertainty, draws: int, seed: int,
                        sampler: str = "random") -> str | None:
    """:func:`no_draw_runs` if :func:`run` with these draws would exclude every one, else None: the same draws
    through the infeasibility check alone, no engine; it stops at the first chunk with a draw that runs. For
    ``kikcalc validate``, at the draws the commands make by default."""
    design, parts = Design(uncertainty, draws, seed, sampler), []
    for first, stop in draw_ranges(draws, chunk_draws(scenario)):
        parts.append(infeasible_states(scenario, values_for_draws(scenario, uncertainty, design.numbers(first, stop))))
        if not _excluded(scenario, uncertainty, parts[-1])[0].all():
            return None
    return no_draw_runs(scenario.path, *_excluded(scenario, uncertainty, np.concatenate(parts))[1:]) if parts else None


def _excluded(scenario: Scenario, uncertainty: Uncertainty, infeasible: np.ndarray) -> tuple[np.ndarray, dict, dict]:
    per_draw = len(scenario.strategies)
    bad_state = infeasible.reshape(-1, per_draw, infeasible.shape[1]).any(axis=1)  # (N, S)
    excluded = bad_state.any(axis=1)
    by_state = {s.name: int(bad_state[:, j].sum()) for j, s in enumerate(scenario.states) if bad_state[:, j].any()}
    by_path = {}
    for u in uncertainty.inputs:
        acts = _states_acted_on(scenario, u.path)
        if acts:
            count = int(bad_state[:, acts].any(axis=1).sum())
            if count:
                by_path[u.path] = count
    return excluded, by_state, by_path


def _states_acted_on(scenario: Scenario, path: str) -> list[int]:
    """The states an uncertain number can make break the model's rules: a transition's source and an effect's
    transition's (leaving, a rate's domain), a state's inflow and an inflow effect's state (a negative inflow)."""
    parts = parse(path)
    if parts[0] == "states" and len(parts) > 2 and parts[2] == "inflow":
        return [scenario.state_index(parts[1])]
    if parts[0] == "transitions":
        return [scenario.state_index(scenario.transitions[parts[1]].source)]
    if parts[0] == "strategies" and len(parts) > 3 and parts[2] == "effects":
        k = scenario.strategy_names.index(parts[1])
        effect = scenario.strategies[k].effects[parts[3]]
        if effect.on == "rate":
            return [scenario.state_index(scenario.transitions[effect.transition].source)]
        return [scenario.state_index(effect.state)] if effect.state else []
    return []  # a cost, a price, a target: none can break the model's rules


def summarise(run_: Run) -> dict:
    """The committee's answers, per strategy and target, over the draws that could be run."""
    scenario, out = run_.scenario, run_.outcomes
    per_draw = len(scenario.strategies)
    excluded, by_state, by_path = excluded_draws(run_)
    kept = np.repeat(~excluded, per_draw)
    years = scenario.calendar.year_list
    strategies = []
    for k, strategy in enumerate(scenario.strategies):
        rows = (np.arange(len(kept)) % per_draw == k) & kept
        entry: dict = {"name": strategy.name, "baseline": k == 0}
        if k > 0:
            payback = out.payback[rows]
            entry |= {
                "npv": _stats(out.npv[rows]),
                "net_saving": {str(y): _stats(out.net_saving_by_year[rows, i]) for i, y in enumerate(years)},
                "net_saving_total": _stats(out.net_saving_total[rows]),
                "payback_month": _month_stats(payback),
                "payback_probability": _share(payback >= 0),
                "npv_positive_probability": _share(out.npv[rows] > 0),
                "beats_baseline_probability": _share(out.net_saving_total[rows] > 0),
            }
        strategies.append(entry)
    targets = []
    for n, target in enumerate(scenario.targets):
        for k, strategy in enumerate(scenario.strategies):
            rows = (np.arange(len(kept)) % per_draw == k) & kept
            met = out.target_met[rows, n]
            if np.isnan(met).all():
                continue
            value = out.target_value[rows, n]
            targets.append({"name": target.name, "label": target.label, "strategy": strategy.name, "kind": target.kind,
                            "unit": target.unit,
                            "comparison": target.comparison,
                            "value": _month_stats(np.where(np.isnan(value), -1, value).astype(int))
                            if target.kind == "payback" else _stats(value),
                            "probability_met": _share(met == 1.0)})
    return {"draws": run_.draws, "seed": run_.seed, "sampler": run_.sampler, "draws_used": int((~excluded).sum()),
            "excluded": {"draws": int(excluded.sum()), "by_state": by_state, "by_key_path": by_path},
            "uncertain": [{"path": u.path, "dist": u.dist, "scale": u.scale, **_parameters(u)} for u in run_.uncertainty.inputs],
            "strategies": strategies, "targets": targets}


def _parameters(u) -> dict[str, float]:
    """An uncertain number's parameters by their names in its entry, but a gamma's own ``scale`` parameter as
    ``gamma_scale``: ``scale`` is the flag (true or false: a factor on the whole number), whatever the dist."""
    return {("gamma_scale" if key == "scale" else key): value for key, value in u.parameters}


def _share(condition: np.ndarray) -> float | None:
    return float(condition.mean()) if condition.size else None


# --- one way at a time ----------------------------------------------------------------------------


METRICS = ("npv", "net_saving")


@dataclass(frozen=True)
class Bar:
    """One uncertain number of a tornado: the metric with the number at its low and at its high."""

    path: str
    low: float
    high: float
    metric_low: float
    metric_high: float
    scale: bool = False
    """low and high are factors on the whole number (``scale = true``)."""
    infeasible_low: bool = False
    infeasible_high: bool = False
    """The end makes leaving some state exceed a probability of 1: not run (its metric is NaN)."""

    @property
    def swing(self) -> float:
        """|metric at high - metric at low|; NaN where an end cannot be run."""
        return abs(self.metric_high - self.metric_low)


def tornado(scenario: Scenario, uncertainty: Uncertainty, strategy: str, metric: str) -> tuple[float, list[Bar]]:
    """Each uncertain number alone at its low and high (:meth:`~kikcalc.uncertainty.Uncertain.endpoints`),
    everything else as the file has it: (the metric in the base case, bars ranked by swing).

    ``metric``: ``npv``, ``net_saving`` (over the horizon) or ``target:NAME`` (the target's value).
    The 2 d + 1 cases run on the row axis, in chunks (:func:`chunk_draws`).
    """
    d, per_draw = len(uncertainty), len(scenario.strategies)
    k = scenario.strategy_names.index(strategy)
    values = for_scenario(scenario, 2 * d + 1)
    draw_of_row = np.repeat(np.arange(2 * d + 1), per_draw)
    ends = [u.endpoints() for u in uncertainty.inputs]
    settings = []
    for i, u in enumerate(uncertainty.inputs):
        numbers_ = np.full(2 * d + 1, np.nan)
        numbers_[1 + 2 * i], numbers_[2 + 2 * i] = ends[i]
        settings.append((u.path, numbers_[draw_of_row], u.scale))
    values = assign_per_row(scenario, values, settings)
    result = Outcomes.join([outcomes(scenario, values.take(slice(first * per_draw, stop * per_draw)))
                            for first, stop in draw_ranges(2 * d + 1, chunk_draws(scenario))])  # memory of a chunk
    if metric == "npv":
        series = result.npv
    elif metric == "net_saving":
        series = result.net_saving_total
    else:
        name = metric.split(":", 1)[1]
        series = result.target_value[:, [t.name for t in scenario.targets].index(name)]
    bad = result.infeasible.any(axis=1).reshape(2 * d + 1, per_draw).any(axis=1)  # per case, every strategy
    at = np.where(bad, np.nan, series.reshape(2 * d + 1, per_draw)[:, k])
    bars = [Bar(u.path, ends[i][0], ends[i][1], float(at[1 + 2 * i]), float(at[2 + 2 * i]), u.scale,
                bool(bad[1 + 2 * i]), bool(bad[2 + 2 * i])) for i, u in enumerate(uncertainty.inputs)]
    return float(at[0]), sorted(bars, key=lambda b: -b.swing if np.isfinite(b.swing) else np.inf)


def draws_table(run_: Run) -> pd.DataFrame:
    """Every draw's uncertain numbers and key outputs side by side, one row per (draw, strategy), by draw id."""
    import pandas as pd

    scenario, out = run_.scenario, run_.outcomes
    per_draw = len(scenario.strategies)
    rows = len(out.npv)
    draw = np.arange(rows) // per_draw
    excluded = excluded_draws(run_)[0]
    columns: dict[str, object] = {"draw": draw, "strategy": [scenario.strategy_names[k] for k in np.arange(rows) % per_draw],
                                  "excluded": excluded[draw]}
    if run_.drawn is not None:
        for i, u in enumerate(run_.uncertainty.inputs):
            columns[u.path] = run_.drawn[draw, i]
    labels = scenario.calendar.labels
    columns |= {"npv": out.npv, "net_saving_total": out.net_saving_total,
                "payback_month": [labels[m] if m >= 0 and k > 0 else None
                                  for m, k in zip(out.payback, np.arange(rows) % per_draw, strict=True)]}
    for i, year in enumerate(scenario.calendar.year_list):
        columns[f"net_saving_{year}"] = out.net_saving_by_year[:, i]
    for n, target in enumerate(scenario.targets):
        columns[f"target:{target.name}"] = out.target_value[:, n]
        columns[f"met:{target.name}"] = out.target_met[:, n]
    table = pd.DataFrame(columns)
    # An excluded draw breaks the model's rules: what came out of it describes no model the file does, so its
    # outputs are left empty, as a tornado leaves an end it cannot run; its drawn numbers say why.
    excluded_rows = table["excluded"].to_numpy()
    for column in table.columns[table.columns.get_loc("npv"):]:
        table[column] = table[column].where(~excluded_rows, None if column == "payback_month" else np.nan)
    return table


from kikcalc.api import callable_module  # noqa: E402  (kikcalc.api imports this module only when called)

callable_module(__name__, "sensitivity")  # kikcalc.sensitivity(FILE, ...) returns DataFrames: kikcalc.api.sensitivity
