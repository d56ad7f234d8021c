"""The model's numbers, apart from its structure: arrays with a leading row axis R.

A row is one (draw, strategy): rows run draw by draw, each draw holding every strategy of the
scenario in file order (the baseline first), so row ``r`` is strategy ``r % K`` of draw ``r // K``
and its baseline is row ``r - r % K``. A plain run is one draw: R = K rows.

Numbers are held in the unit the scenario file gives them (a ``mean_months`` stay in months, a
yearly hazard per year, an effect's ``set`` in the unit of its transition);
:mod:`kikcalc.transitions` converts them to monthly probabilities, once, after they are set.
Series (inflow, investment, grants, programme places) are held on the month calendar, shape
``(R, T, ...)``. A number of one strategy (its investment, effects, programmes, flow costs and
grants) acts only on that strategy's rows.

The structure (which states, transitions, effects and windows exist) stays in the frozen
:class:`~kikcalc.spec.Scenario`; :mod:`kikcalc.keyslots` maps a key path to its place here and sets it.
"""

from __future__ import annotations

import numbers
import weakref
from dataclasses import fields, replace

import numpy as np

from kikcalc.records import frozen
from kikcalc.spec import Scenario


@frozen(eq=False)
class Values:
    """Every number of a scenario for R rows; shapes below name R rows, S states, T months, A
    anciennitet months, n transitions, E effects, P programmes, F flow costs, G grants, N targets."""

    strategy: np.ndarray
    """Index of each row's strategy, shape (R,)."""
    baseline: np.ndarray
    """Index of each row's baseline row (the same draw's baseline strategy), shape (R,)."""
    discount_rate: np.ndarray
    """Yearly discount rate, shape (R,)."""
    initial: np.ndarray
    """Persons at the start, shape (R, S)."""
    initial_mix: np.ndarray
    """The initial stock's mix over anciennitet months, shape (R, S, A); zero rows for the states
    whose mix is settled from the baseline's rates (:attr:`kikcalc.spec.State.initial_anciennitet` None)."""
    inflow: np.ndarray
    """Persons entering each state from outside the model per month, before effects, shape (R, T, S)."""
    inflow_mix: np.ndarray
    """Where an entrant lands in anciennitet, shape (R, S, A); outside states at 0."""
    cost: np.ndarray
    """Benefit cost, kr. per full-year person, shape (R, S); 0 for outside states."""
    measures_cost: np.ndarray
    """Ordinary measure cost, kr. per full-year person, before effects, shape (R, S); 0 for outside states."""
    payment_share: np.ndarray
    """The share of a full benefit paid in each month, 0..1, shape (R, T, S); 0 for outside states
    (:mod:`kikcalc.payment_share`)."""
    rate: np.ndarray
    """Each transition's number in the file's own unit, by anciennitet month, shape (R, n, A)."""
    investment: np.ndarray
    """The row's strategy's extra spending, kr. per month, shape (R, T)."""
    effect: np.ndarray
    """Each effect's number in the file's unit, shape (R, E); acts only on its strategy's rows."""
    capacity: np.ndarray
    """Places for new participants per month, shape (R, P, T); 0 on other strategies' rows."""
    cost_per_participant: np.ndarray
    """kr. once per new participant, shape (R, P)."""
    cost_per_month: np.ndarray
    """kr. per participant-month, shape (R, P)."""
    dropout: np.ndarray
    """Monthly probability of leaving a programme back to its source, shape (R, P)."""
    outcome: np.ndarray
    """Shares of completers to each state as the file lists them, shape (R, P, S); the rest return to the source."""
    flow_amount: np.ndarray
    """kr. per person moved, shape (R, F)."""
    flow_cap: np.ndarray
    """The most persons paid for over a flow cost's window, shape (R, F); inf: no cap."""
    grant: np.ndarray
    """Grant income, kr. per month, before any condition, shape (R, G, T)."""
    threshold: np.ndarray
    """Each target's threshold, shape (R, N); payback targets hold their model month."""
    guarantee_share: np.ndarray
    """The budget guarantee's share, shape (R,)."""

    @property
    def rows(self) -> int:
        return self.strategy.shape[0]

    def take(self, rows: slice) -> Values:
        """The values of a run of whole draws, with baselines counted from its first row."""
        start = rows.start or 0
        if self.baseline[start] != start:
            raise ValueError("a run of rows must start at a draw's baseline row")
        taken = {f.name: getattr(self, f.name)[rows] for f in fields(self)}
        taken["baseline"] = taken["baseline"] - start
        return Values(**taken)

    def with_field(self, name: str, array: np.ndarray) -> Values:
        """A copy with one field replaced."""
        return replace(self, **{name: array})


def for_scenario(scenario: Scenario, draws: int = 1) -> Values:
    """The scenario's numbers as written in the file, repeated for ``draws`` draws: R = draws x K rows."""
    if not isinstance(draws, numbers.Integral) or isinstance(draws, bool) or draws < 0:
        raise ValueError(f"draws: expected a whole number from 0, got {draws!r}")
    n_strategies = len(scenario.strategies)
    strategy = np.tile(np.arange(n_strategies), draws)
    baseline = np.repeat(np.arange(draws) * n_strategies, n_strategies)
    shared, by_strategy = _file_numbers(scenario)
    rows = len(strategy)
    views = _ROW_VIEWS.get(scenario)
    if views is None or views[0] != rows:  # the chunks of a run have the same rows but the last
        views = _ROW_VIEWS[scenario] = rows, {name: np.broadcast_to(array, (rows, *np.shape(array)))
                                              for name, array in shared.items()}
    return Values(strategy=strategy, baseline=baseline, **views[1],
                  **{name: table[strategy] for name, table in by_strategy.items()})


_FILE_NUMBERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_ROW_VIEWS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
"""The last rows' read-only views of each scenario's numbers (:func:`for_scenario`): (rows, {field: view})."""


def _file_numbers(scenario: Scenario) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The numbers :func:`for_scenario` puts on rows, made once per scenario (a run of many draws asks for every
    chunk): ({field: the one array of every row (read only, each row a view of it)}, {field: (K, ...) the numbers
    of each strategy's rows, zero where a strategy owns none (copied onto the rows)})."""
    if scenario in _FILE_NUMBERS:
        return _FILE_NUMBERS[scenario]
    n_strategies, months = len(scenario.strategies), scenario.calendar.months
    anc = scenario.anciennitet_months
    benefit = scenario.benefit_mask

    def per_strategy(arrays: list[np.ndarray], shape: tuple[int, ...]) -> np.ndarray:
        """Arrays of one strategy each, (K, *shape)."""
        return np.stack(arrays) if arrays else np.zeros((n_strategies, *shape))

    def owned(items: list[tuple[int, np.ndarray]], shape: tuple[int, ...]) -> np.ndarray:
        """Numbers owned by one strategy each, (K, X, *shape): zero on other strategies'."""
        table = np.zeros((n_strategies, len(items), *shape))
        for i, (k, value) in enumerate(items):
            table[k, i] = value
        return table

    entry = np.stack([s.inflow_anciennitet for s in scenario.states])
    entry[~benefit] = np.eye(anc)[0]
    given_mix = np.stack([s.initial_anciennitet if s.initial_anciennitet is not None and s.is_benefit else
                          (np.eye(anc)[0] if not s.is_benefit else np.zeros(anc)) for s in scenario.states])
    programmes = scenario.programmes
    outcome = np.zeros((len(programmes), len(scenario.states)))
    for p, (_, programme) in enumerate(programmes):
        for name, share in programme.outcomes:
            outcome[p, scenario.state_index(name)] += share
    shared = dict(
        discount_rate=np.float64(scenario.discount_rate),
        initial=np.array([s.initial for s in scenario.states]),
        initial_mix=given_mix,
        inflow=np.stack([s.inflow for s in scenario.states], axis=-1).reshape(months, -1),
        inflow_mix=entry,
        cost=np.array([s.cost if s.is_benefit else 0.0 for s in scenario.states]),
        measures_cost=np.array([s.measures_cost if s.is_benefit else 0.0 for s in scenario.states]),
        payment_share=np.stack([(np.ones(months) if s.payment_share is None else s.payment_share) * s.is_benefit
                                for s in scenario.states], axis=-1).reshape(months, -1),
        rate=np.array([tr.value for tr in scenario.transitions]).reshape(len(scenario.transitions), anc),
        effect=np.array([e.value for _, e in scenario.effects], dtype=float),
        cost_per_participant=np.array([p.cost_per_participant for _, p in programmes], dtype=float),
        cost_per_month=np.array([p.cost_per_month for _, p in programmes], dtype=float),
        dropout=np.array([p.dropout for _, p in programmes], dtype=float),
        outcome=outcome,
        flow_amount=np.array([c.amount for _, c in scenario.flow_costs], dtype=float),
        flow_cap=np.array([np.inf if c.cap is None else c.cap for _, c in scenario.flow_costs], dtype=float),
        threshold=np.array([t.threshold for t in scenario.targets], dtype=float),
        guarantee_share=np.float64(scenario.budget_guarantee.share),
    )
    by_strategy = dict(
        investment=per_strategy([s.investment for s in scenario.strategies], (months,)),
        capacity=owned([(k, p.capacity) for k, p in programmes], (months,)),
        grant=owned([(k, g.amount) for k, g in scenario.grants], (months,)),
    )
    for array in (*shared.values(), *by_strategy.values()):
        if isinstance(array, np.ndarray):
            array.flags.writeable = False
    _FILE_NUMBERS[scenario] = shared, by_strategy
    return shared, by_strategy
