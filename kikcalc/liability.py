"""The liability view: expected future months on benefit and the present value of future net cost per person.

New Zealand's and Australia's investment approaches value the future benefit cost of everyone now
on benefit, and of a year's entrants, by segment. kikcalc computes it from the model as it stands
(docs/model.md section 9a): a person at the start of valuation month v in state s with a completed
months of anciennitet moves by the model's own monthly probabilities from v on (each month's, with
effects and seasons; after the horizon, the last month's for ever), and what they cost is summed over
their expected future path, by backward recursion over the value of a person in each (state,
anciennitet month) cell:

    V_t = ½ g_start(t) + ½ P_t g_end(t) + d P_t V_{t+1}

``P_t`` is month t's matrix of moves between cells (ageing, moves between states, spells outside and
returns from them by the engine's rule, :mod:`kikcalc.returns`: an outside state's cells are its pool,
who return with the inflow mix, and its kept persons by months on the clock and the anciennitet they
carry, who return with it), ``g_start`` and ``g_end`` what a person costs for a month at the start and at the
end of it (the start-end mean of full-time persons, and the municipality's share after refusion or
a-dagpenge's co-financing by the anciennitet month they spend: :func:`kikcalc.money.municipal_share_during_month`;
a kept returner's month of return is valued as they arrive in it, through the kept cell's own start cost),
and d = (1 + r)^(-1/12). Present values are in the file's prices (base-year kroner with a [prices] table). Expected months
are the same recursion with g = 1 on benefit and d = 1. After the horizon the recursion's fixed point is
solved exactly (:func:`_stationary`), so a constant exit probability p gives (1 - p)/p + 1/2 months.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse import csgraph
from scipy.sparse.linalg import spsolve

from kikcalc.cohort import Structure
from kikcalc.engine import simulate
from kikcalc.money import municipal_share_during_month
from kikcalc.returns import arriving_outside, outside_month
from kikcalc.spec import Scenario
from kikcalc.transitions import change_months, inflows, measures_costs, rates_in_month, transition_probabilities
from kikcalc.values import Values, for_scenario

SEGMENTS = (("under 1 year", 0, 11), ("1-2 years", 12, 23), ("over 2 years", 24, None))
"""Anciennitet segments: (name, first and last completed month at the valuation month; None: and more)."""
SEGMENT_MONTHS = 25
"""Anciennitet months the liability tracks at least (0..24+), so that "over 2 years" has a month of its own."""
BASIS_NUMBERS = 1 << 18
"""Numbers of the dense block in which :func:`moves_between_cells` runs the outside clock on unit persons (2 MiB)."""


@dataclass(frozen=True, eq=False)
class Liability:
    """The liability of each strategy at a valuation month."""

    scenario: Scenario
    """The scenario as valued: anciennitet tracked to at least :data:`SEGMENT_MONTHS` months."""
    at: int
    """Model month index of the valuation month: persons at its start, money discounted to it."""
    run_off_months: int | None
    """Months counted from the valuation month; None: for ever."""
    stock: np.ndarray
    """Persons at the start of the valuation month by state and anciennitet month, shape (R, S, A)."""
    stock_months: np.ndarray
    """Expected future months on benefit of a person in each cell at the valuation month, shape (R, S, A); an
    outside state's cells are its pool (persons who return like inflow), the same at every anciennitet month."""
    stock_value: np.ndarray
    """Present value at the valuation month of a person's future net cost, kr., shape (R, S, A), cells as stock_months."""
    entrants: np.ndarray
    """One year's entrants (the valuation month and the 11 after it) by state and entry anciennitet, shape (R, S, A)."""
    entrant_months: np.ndarray
    """Expected months on benefit of those entrants, entry month included, summed, shape (R, S, A)."""
    entrant_value: np.ndarray
    """Present value at the valuation month of their net cost, kr., summed, shape (R, S, A)."""
    outside_pool: np.ndarray
    """Persons in each outside state at the valuation month who return like inflow, shape (R, So), the outside
    states in the scenario's order; each is worth ``stock_months`` and ``stock_value`` at (state, 0)."""
    outside_kept: np.ndarray
    """Persons in each outside state at the valuation month who keep their anciennitet (:mod:`kikcalc.returns`),
    by months on the clock and the anciennitet they carry, shape (R, So, C, A); C = 0 without a clock."""
    kept_months: np.ndarray
    """Expected future months on benefit of a person in each kept cell, shape (R, So, C, A)."""
    kept_value: np.ndarray
    """Present value at the valuation month of a kept person's future net cost, kr., shape (R, So, C, A)."""

    @property
    def everyone_value(self) -> np.ndarray:
        """Present value of the future net cost of everyone at the valuation month, on benefit and outside, kr., (R,)."""
        outside = ~self.scenario.benefit_mask
        return (_times(self.stock, self.stock_value).sum(axis=(1, 2))
                + _times(self.outside_pool, self.stock_value[:, outside, 0]).sum(axis=1)
                + _times(self.outside_kept, self.kept_value).sum(axis=(1, 2, 3)))

    @property
    def table(self) -> pd.DataFrame:
        """One row per strategy, group (stock, entrants), benefit state (and "all") and segment (and "all")."""
        return liability_table(self)


def widened(scenario: Scenario, months: int = SEGMENT_MONTHS) -> Scenario:
    """The scenario with anciennitet tracked in at least ``months`` months (0..months-1, the last "and more").

    Rates, refusion and mixes of the months added are the last month's, and a mix's last month keeps
    its persons, so every number of a run is the same; only the persons of the last month are told apart.
    """
    anc = scenario.anciennitet_months
    if anc >= months:
        return scenario

    def pad(array: np.ndarray | None, edge: bool) -> np.ndarray | None:
        if array is None:
            return None
        return np.pad(array, (0, months - anc), mode="edge" if edge else "constant")

    states = tuple(dataclasses.replace(s, initial_anciennitet=pad(s.initial_anciennitet, False),
                                       inflow_anciennitet=pad(s.inflow_anciennitet, False)) for s in scenario.states)
    transitions = tuple(dataclasses.replace(t, value=pad(t.value, True)) for t in scenario.transitions)
    return dataclasses.replace(scenario, states=states, transitions=transitions, anciennitet_months=months)


def value(scenario: Scenario, at: int = 0, run_off_months: int | None = None, values: Values | None = None) -> Liability:
    """The liability of every row at model month ``at``; ``run_off_months`` None counts for ever.

    ``values``: the rows (one per strategy of a plain run); they must be for the scenario widened by
    :func:`widened` (None: its own numbers).
    """
    scenario = widened(scenario)
    values = for_scenario(scenario) if values is None else values
    months, anc, n_states = scenario.calendar.months, scenario.anciennitet_months, len(scenario.states)
    trajectory = simulate(scenario, values, keep_stock=True, keep_flows=False, keep_kept=True)
    stock = trajectory.stock_with_participants[:, at]
    benefit = scenario.benefit_mask
    clock = Structure.of(scenario).clock
    n_outside = int((~benefit).sum())
    outside_kept = (np.zeros((values.rows, n_outside, clock, anc)) if trajectory.kept is None
                    else trajectory.kept[:, at].copy())
    outside_pool = stock[:, ~benefit].sum(axis=-1) - outside_kept.sum(axis=(2, 3))  # the stock counts everyone outside
    cells, kept_cells = n_states * anc, n_outside * clock * anc
    kept_months, kept_value = np.zeros((values.rows, n_outside, clock, anc)), np.zeros((values.rows, n_outside, clock, anc))
    municipal_start, municipal_end, municipal_returned = municipal_share_during_month(scenario)  # (S, A) each
    inflow = inflows(scenario, values)  # (R, T, S)
    measures = measures_costs(scenario, values)  # (R, T, S)
    changes = change_months(scenario)
    rows = values.rows
    shape = (rows, n_states, anc)
    stock_months, stock_value = np.zeros(shape), np.zeros(shape)
    entrant_count, entrant_months, entrant_value = np.zeros(shape), np.zeros(shape), np.zeros(shape)
    on_benefit = np.concatenate([np.repeat(benefit.astype(float), anc), np.zeros(kept_cells)])
    end = None if run_off_months is None else at + run_off_months
    probabilities = {int(t): transition_probabilities(scenario, rates_in_month(scenario, values, int(t))) for t in changes}
    clock_blocks: dict[bytes, tuple[np.ndarray, ...]] = {}  # the kept cells' moves, by outside states' probabilities
    for r in range(rows):
        d = (1.0 + values.discount_rate[r]) ** (-1.0 / 12.0)
        kernels: dict[int, sparse.csr_matrix] = {}

        def kernel(t: int, r: int = r, kernels: dict = kernels) -> sparse.csr_matrix:
            """Month t's moves between cells (the last month's after the horizon), built once per change of rates."""
            t = min(t, months - 1)
            last_change = int(changes[np.searchsorted(changes, t, side="right") - 1])
            if last_change not in kernels:
                kernels[last_change] = moves_between_cells(scenario, probabilities[last_change][r], values.inflow_mix[r],
                                                           clock, clock_blocks)
            return kernels[last_change]

        def costs(t: int, r: int = r) -> tuple[np.ndarray, np.ndarray]:
            """What a person in each cell costs for month t, counted at its start and at its end, kr., flat.

            A kept cell's start cost is what its returners' valuation adds at the end of the month of their
            return (:func:`kikcalc.refusion.state_share_on_return`): ½ P g_end then counts them right."""
            t = min(t, months - 1)
            paid = values.cost[r][:, None] * values.payment_share[r, t][:, None]  # a full benefit at the payment share
            extra = measures[r, t][:, None]
            start = np.where(benefit[:, None], paid * municipal_start + extra, 0.0) / 12.0
            finish = np.where(benefit[:, None], paid * municipal_end + extra, 0.0) / 12.0
            on_return = np.where(benefit[:, None], paid * (municipal_returned - municipal_end), 0.0).ravel() / 12.0
            outside = kernel(t)[cells:, :cells] @ on_return if kept_cells else np.zeros(0)  # the kept cost nothing outside
            return np.concatenate([start.ravel(), outside]), np.concatenate([finish.ravel(), np.zeros(kept_cells)])

        last = at + 12  # entrants of months at..at+11 need V at their next month
        months_ahead = _backward(kernel, lambda t: (on_benefit, on_benefit), 1.0, at, last, months, end)
        value_ahead = _backward(kernel, costs, d, at, last, months, end)
        stock_months[r] = months_ahead[at][:cells].reshape(n_states, anc)
        stock_value[r] = value_ahead[at][:cells].reshape(n_states, anc)
        kept_months[r] = months_ahead[at][cells:].reshape(n_outside, clock, anc)
        kept_value[r] = value_ahead[at][cells:].reshape(n_outside, clock, anc)
        for t in range(at, at + 12):
            if end is not None and t >= end:
                break
            arriving = (inflow[r, min(t, months - 1)][:, None] * values.inflow_mix[r]) * benefit[:, None]  # (S, A)
            finish = costs(t)[1][:cells].reshape(n_states, anc)
            entrant_count[r] += arriving
            entrant_months[r] += _times(arriving, 0.5 * on_benefit[:cells].reshape(n_states, anc)
                                        + months_ahead[t + 1][:cells].reshape(n_states, anc))
            entrant_value[r] += _times(arriving, d ** (t - at) * (0.5 * finish
                                                                  + d * value_ahead[t + 1][:cells].reshape(n_states, anc)))
    stock = np.where(benefit[None, :, None], stock, 0.0)
    return Liability(scenario=scenario, at=at, run_off_months=run_off_months, stock=stock, stock_months=stock_months,
                     stock_value=stock_value, entrants=entrant_count, entrant_months=entrant_months,
                     entrant_value=entrant_value, outside_pool=outside_pool, outside_kept=outside_kept,
                     kept_months=kept_months, kept_value=kept_value)


def _times(persons: np.ndarray, per_person: np.ndarray) -> np.ndarray:
    """Persons times what each is worth, 0 where there are none (an unbounded worth of no one is 0, not nan)."""
    with np.errstate(invalid="ignore"):
        return np.where(persons > 0, persons * per_person, 0.0)


def _backward(kernel, costs, d: float, at: int, last: int, months: int, end: int | None) -> dict[int, np.ndarray]:
    """V_t for t = at..last, flat over cells, by V_t = ½ g_start + ½ P_t g_end + d P_t V_{t+1}.

    ``end`` None: after the horizon the last month's moves and costs hold for ever, and V at the
    horizon's end is their fixed point; otherwise V_end = 0.
    """
    if end is None:
        top = max(months, last)
        start, finish = costs(months - 1)
        following = _stationary(kernel(months - 1), start, finish, d)
    else:
        top = end
        following = np.zeros(kernel(0).shape[0])
    kept: dict[int, np.ndarray] = {}
    if top <= last:
        kept[top] = following
    for t in range(top - 1, at - 1, -1):
        if end is None and t >= months:  # the fixed point holds every month after the horizon
            kept[t] = following
            continue
        moves = kernel(t)
        start, finish = costs(t)
        with np.errstate(invalid="ignore"):  # inf x 0 does not arise: zeros are not stored
            following = 0.5 * start + 0.5 * (moves @ finish) + d * (moves @ following)
        if t <= last:
            kept[t] = following
    for t in range(at, last + 1):  # a run-off that ends before the entrants' next month: nothing after it
        kept.setdefault(t, np.zeros(kernel(0).shape[0]))
    return kept


def _stationary(moves: sparse.csr_matrix, start: np.ndarray, finish: np.ndarray, d: float) -> np.ndarray:
    """The fixed point V = ½ g_start + ½ P g_end + d P V, flat over cells; inf where it is unbounded.

    With d < 1 it is (I - dP)^-1 (½ g_start + ½ P g_end). With d = 1 (months, or a rate of 0) a cell that
    can reach a closed class of cells costing something never stops costing: inf. Cells of closed classes
    that cost nothing are 0, and the rest, from which persons leave for one of those, solve the system.
    """
    size = moves.shape[0]
    cost = 0.5 * start + 0.5 * (moves @ finish)
    identity = sparse.identity(size, format="csr")
    if d < 1.0:
        return spsolve((identity - d * moves).tocsc(), cost)
    count, label = csgraph.connected_components(moves, directed=True, connection="strong")
    coo = moves.tocoo()
    leaves = np.zeros(count, dtype=bool)
    leaves[label[coo.row][label[coo.row] != label[coo.col]]] = True
    costly = np.zeros(count, dtype=bool)
    costly[label[cost > 0]] = True
    endless_class = ~leaves & costly
    # Cells that reach an endless class: search from it along the moves backwards.
    endless = np.isin(label, np.flatnonzero(endless_class))
    reached = endless.copy()
    frontier = endless.copy()
    while frontier.any():
        frontier = (moves @ frontier.astype(float) > 0) & ~reached  # cells that move into the frontier
        reached |= frontier
    result = np.zeros(size)
    result[reached] = np.inf
    transient = ~reached & leaves[label]
    if transient.any():
        inner = moves[transient][:, transient]
        result[transient] = spsolve((sparse.identity(int(transient.sum()), format="csr") - inner).tocsc(), cost[transient])
    return result


def moves_between_cells(scenario: Scenario, probabilities: np.ndarray, entry_mix: np.ndarray, clock: int | None = None,
                        cache: dict | None = None) -> sparse.csr_matrix:
    """One month's moves between cells, shape (S*A + So*C*A, S*A + So*C*A), C the outside clock's months.

    Cells: s*A + a for state s at anciennitet month a; an outside state's cell a = 0 is its **pool**, the
    persons who return like inflow (its cells a > 0 move like it and are never reached); then the **kept**
    cells S*A + (k*C + c)*A + a of the k-th outside state (in the scenario's order), c months on the clock
    and a the anciennitet carried. The engine's rules (docs/model.md sections 6 and 7): a person in a benefit
    state with a completed months has min(a + 1, A - 1) next month in a benefit state; leaving for an
    outside state they carry what :func:`kikcalc.returns.arriving_outside` gives, on the clock at 0 (into
    the pool when C = 0); the kept move as :func:`kikcalc.returns.outside_month` moves them, run here on
    one person of each kept cell; the pool moving into a benefit state arrives with its inflow mix
    ``entry_mix`` (S, A). ``probabilities`` (n, A) are the month's
    (:func:`kikcalc.transitions.transition_probabilities`); ``clock`` C (None: the scenario's,
    :attr:`kikcalc.cohort.Structure.clock`); ``cache`` keeps the kept cells' moves between calls.
    """
    n_states, anc = len(scenario.states), scenario.anciennitet_months
    benefit = scenario.benefit_mask
    clock = Structure.of(scenario).clock if clock is None else clock
    inside, outside = np.flatnonzero(benefit), np.flatnonzero(~benefit)
    kept_of = np.full(n_states, -1)
    kept_of[outside] = np.arange(len(outside))
    first_kept = n_states * anc
    a = np.arange(anc)
    aged = np.minimum(a + 1, anc - 1)
    carried = arriving_outside(np.eye(anc)[:, None, :])[:, 0]  # (A, A): from the anciennitet at the start, to the one carried
    carry_from, carry_to = np.nonzero(carried)
    rows, cols, weights = [], [], []
    leaving = np.zeros((n_states, anc))
    outward = np.zeros((len(outside), n_states))  # each outside state's moves, columns benefit states first

    def add(source: int, target_cells: np.ndarray, p: np.ndarray) -> None:
        rows.append(source * anc + np.broadcast_to(a, target_cells.shape))
        cols.append(target_cells)
        weights.append(p)

    for i, tr in enumerate(scenario.transitions):
        s, j = scenario.state_index(tr.source), scenario.state_index(tr.target)
        p = probabilities[i] if benefit[s] else np.full(anc, probabilities[i, 0])
        leaving[s] += p
        if not benefit[s]:
            outward[kept_of[s], np.flatnonzero(np.concatenate([inside, outside]) == j)[0]] += p[0]
        if not benefit[j]:
            if benefit[s] and clock:
                rows.append(s * anc + carry_from)
                cols.append(first_kept + kept_of[j] * clock * anc + carry_to)
                weights.append(p[carry_from] * carried[carry_from, carry_to])
            else:
                add(s, np.full(anc, j * anc), p)
        elif benefit[s]:
            add(s, j * anc + aged, p)
        else:
            for entry in np.flatnonzero(entry_mix[j]):
                add(s, np.full(anc, j * anc + entry), p * entry_mix[j, entry])
    for s in range(n_states):
        add(s, s * anc + (aged if benefit[s] else np.zeros(anc, dtype=int)), np.clip(1.0 - leaving[s], 0.0, None))
    for k, o in enumerate(outside):
        outward[k, len(inside) + k] += max(1.0 - leaving[o, 0], 0.0)
    if clock and len(outside):
        cache = {} if cache is None else cache
        key = outward.tobytes() + bytes([clock])
        if key not in cache:
            cache[key] = _kept_moves(outward, clock, anc, inside, outside, first_kept)
        for part, array in zip((rows, cols, weights), cache[key], strict=True):
            part.append(array)
    size = first_kept + len(outside) * clock * anc
    matrix = sparse.coo_matrix((np.concatenate(weights), (np.concatenate(rows), np.concatenate(cols))),
                               shape=(size, size)).tocsr()
    matrix.eliminate_zeros()
    return matrix


def _kept_moves(outward: np.ndarray, clock: int, anc: int, inside: np.ndarray, outside: np.ndarray,
                first_kept: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The kept cells' moves (rows, columns, weights): :func:`kikcalc.returns.outside_month` run on one person
    in each kept cell, a block of cells at a time (:data:`BASIS_NUMBERS`), so memory stays bounded."""
    n_kept = len(outside) * clock * anc
    block = max(1, BASIS_NUMBERS // max(n_kept, 1))
    rows, cols, weights = [], [], []
    for first in range(0, n_kept, block):
        sources = np.arange(first, min(first + block, n_kept))
        unit = np.zeros((len(sources), n_kept))
        unit[np.arange(len(sources)), sources] = 1.0
        returning = np.zeros((len(sources), len(inside), anc))
        following, reset, _ = outside_month(unit.reshape(len(sources), len(outside), clock, anc),
                                         np.broadcast_to(outward, (len(sources), *outward.shape)),
                                         np.zeros((len(sources), len(outside), anc)), returning)
        for landed, cell_of in ((following.reshape(len(sources), -1), first_kept + np.arange(n_kept)),
                                (returning.reshape(len(sources), -1), (inside[:, None] * anc + np.arange(anc)).ravel()),
                                (reset, outside * anc)):
            source, target = np.nonzero(landed)
            rows.append(first_kept + sources[source])
            cols.append(cell_of[target])
            weights.append(landed[source, target])
    return np.concatenate(rows), np.concatenate(cols), np.concatenate(weights)


def liability_table(liability: Liability) -> pd.DataFrame:
    """Persons, expected future months and present value of future net cost per person, and the change
    each strategy makes to them against its baseline row, by strategy, group, state and segment."""
    scenario = liability.scenario
    anc = scenario.anciennitet_months
    names = scenario.strategy_names
    benefit_states = [j for j, s in enumerate(scenario.states) if s.is_benefit]
    segments = [(name, first, anc - 1 if top is None else min(top, anc - 1)) for name, first, top in SEGMENTS]
    records = []
    groups = (("stock", liability.stock, _times(liability.stock, liability.stock_months),
               _times(liability.stock, liability.stock_value)),
              ("entrants", liability.entrants, liability.entrant_months, liability.entrant_value))
    for r in range(liability.stock.shape[0]):
        for group, persons, months, value in groups:
            for state in [*benefit_states, None]:
                chosen = benefit_states if state is None else [state]
                for segment, first, top in [*segments, ("all", 0, anc - 1)]:
                    cells = (r, chosen, slice(first, top + 1))
                    count = float(persons[cells].sum())
                    total_months, total_value = float(months[cells].sum()), float(value[cells].sum())
                    records.append({
                        "strategy": names[r % len(names)], "group": group,
                        "state": "all" if state is None else scenario.states[state].name, "segment": segment,
                        "persons": count,
                        "future_months": total_months / count if count > 0 else np.nan,
                        "pv_net_cost": total_value / count if count > 0 else np.nan,
                        "pv_net_cost_total": total_value,
                    })
    frame = pd.DataFrame.from_records(records)
    key = ["group", "state", "segment"]
    base = frame[frame.strategy == names[0]].set_index(key)
    joined = frame.merge(base[["future_months", "pv_net_cost", "pv_net_cost_total"]], left_on=key, right_index=True,
                         how="left", suffixes=("", "_baseline"))
    for column in ("future_months", "pv_net_cost", "pv_net_cost_total"):
        with np.errstate(invalid="ignore"):  # unbounded in both: no change to tell
            change = joined[column] - joined[f"{column}_baseline"]
        frame[f"{column}_change"] = np.where(frame.strategy == names[0], np.nan, change)
    return frame


from kikcalc.api import callable_module  # noqa: E402  (kikcalc.api imports this module only when called)

callable_module(__name__, "liability")  # kikcalc.liability(FILE, ...) is kikcalc.api.liability
