"""The monthly open-cohort engine: x[t+1] = x[t] P[t] + u[t], with anciennitet, on R rows at once.

Pure functions over arrays. Every array carries a leading row axis R (one row per draw and
strategy, :mod:`kikcalc.values`), so running the strategies of a scenario and running thousands of
uncertainty draws are one code path. Large row counts run in chunks of whole draws, so memory
stays flat in R (:func:`simulate_chunks`).

Anciennitet: a person in a benefit state at the start of a month with ``a`` completed months on
benefit has ``a + 1`` at the start of the next, whether they stay or move to another benefit state;
the last anciennitet month A-1 holds "A-1 months and more". A person who leaves for an outside
state keeps it for :func:`kikcalc.refusion.reset_months` months (:mod:`kikcalc.returns`) and comes
back with it; after that, and for persons whose history the model does not know, a move from an
outside state into a benefit state enters like inflow, with that state's inflow mix. The tables
count everyone in an outside state at anciennitet 0 (``stock``, ``weighted``): they cost nothing.

One month's moves and the step are in :mod:`kikcalc.cohort`, programmes in
:mod:`kikcalc.programmes`; this module runs them over the horizon. The moves are rebuilt only in
months where a rate changes (while an effect ramps or fades), and when effects change only moves
out of benefit, only those are rescaled. What is kept month by month is month-major: one table
(T+1, 1 + W, R, S) whose block for a month the month's one reduction product writes (headcount, each
weighting asked for, and the profiles the moves out use, which the next month's block overwrites),
returned as (R, T+1, S) views; full-time persons are computed from it once per trajectory.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Iterator

import numpy as np

from kikcalc.cohort import Structure, fill_vector, month_moves, reduce_stock, rescaled_moves, step, stock_buffer, stock_in
from kikcalc.programmes import into_states, outcome_with_rest, programme_month, programmes_of, take_intake
from kikcalc.records import frozen
from kikcalc.settle import SETTLE_ROUNDS, settle
from kikcalc.spec import Scenario
from kikcalc.transitions import (
    base_rates,
    change_months,
    effect_transitions,
    in_season,
    inflows,
    multiply_factors_by_month,
    rates_in_month,
    transition_probabilities,
)
from kikcalc.values import Values, for_scenario

CHUNK_CELLS = 256 * 10 * 15
"""Stock numbers, rows x states x (anciennitet months + 1), simulated together when many rows are asked for, so that a
chunk's working set stays in cache (:func:`default_chunk_rows`): 256 rows of a model of 10 states and 14 anciennitet
months (the benchmark's: faster than 128, 384 or 512 rows on the project's machine), 853 of KIK II's 3 states (1,024
rows run its sensitivity 11 % faster than 256 there)."""

FLOWS_CHUNK_BYTES = 256 * 2**20
"""The most a chunk's kept moves between states, (rows, months, states, states), may take: a run that counts
persons moved takes fewer rows a chunk where they would take more (:func:`chunk_draws`)."""


def default_chunk_rows(scenario: Scenario) -> int:
    """Rows simulated together by default: as many as hold :data:`CHUNK_CELLS` stock numbers, at least 1."""
    return max(1, CHUNK_CELLS // (len(scenario.states) * (scenario.anciennitet_months + 1)))


def chunk_draws(scenario: Scenario, chunk_rows: int | None = None, keep_flows: bool = False) -> int:
    """Draws simulated together: about ``chunk_rows`` rows (None: :func:`default_chunk_rows`), and with ``keep_flows``
    few enough that their moves between states month by month take at most :data:`FLOWS_CHUNK_BYTES` (at least one
    draw). A row's numbers do not depend on the chunking, so this changes memory and time only."""
    per_draw = len(scenario.strategies)
    draws = max(1, (default_chunk_rows(scenario) if chunk_rows is None else chunk_rows) // per_draw)
    if keep_flows:
        per_row = scenario.calendar.months * len(scenario.states) ** 2 * 8
        draws = max(1, min(draws, FLOWS_CHUNK_BYTES // (per_row * per_draw)))
    return draws


class UnsettledMixWarning(UserWarning):
    """A settled initial anciennitet mix was asked of a state whose stock does not settle (:func:`kikcalc.settle.settle`)."""


@frozen(eq=False)
class Trajectory:
    """Persons through the horizon, for each row.

    Participants in a programme are held apart from their state's ordinary stock while they take
    part, and counted in that state's headcount and full-time persons all the same.
    """

    headcount: np.ndarray
    """Persons at the start of each month and after the last, programme participants included, shape (R, T+1, S)."""
    ordinary_headcount: np.ndarray
    """The same without programme participants, shape (R, T+1, S)."""
    weighted: np.ndarray
    """Persons (participants included) weighted by each of the W anciennitet weightings the run was
    asked for (:func:`simulate`'s ``weights``), shape (W, R, T+1, S)."""
    flows: np.ndarray | None
    """Persons moved from state s to state j during each month, shape (R, T, S, S); zero diagonal.
    A programme's outcomes count as moves from its source state. None if not kept."""
    inflow: np.ndarray
    """Persons entering each state from outside the model during each month, shape (R, T, S)."""
    initial_stock: np.ndarray
    """Persons at the start by anciennitet month, shape (R, S, A)."""
    initial_mix_settled: np.ndarray
    """True for states whose initial anciennitet mix was settled from the baseline, shape (S,)."""
    in_programme: np.ndarray
    """Persons in each programme at the start of each month and after the last, by anciennitet,
    shape (R, T+1, P, A)."""
    programme_intake: np.ndarray
    """New participants in each programme in each month, shape (R, T, P)."""
    programme_source: np.ndarray
    """Index of each programme's source state, shape (P,)."""
    programme_leavers: np.ndarray
    """Persons leaving each programme during each month, by the state they go to, shape (R, T, P, S).
    Drop-outs and completers who return both count under the programme's source state."""
    stock: np.ndarray | None = None
    """Persons not in a programme at the start of each month and after the last, by anciennitet,
    shape (R, T+1, S, A), if kept. A month's new participants are still in it: they are taken at its start."""
    kept: np.ndarray | None = None
    """Persons outside benefit who keep their anciennitet (:mod:`kikcalc.returns`) at the start of each month and
    after the last, by outside state (in the scenario's order), months on the clock and the anciennitet they carry,
    shape (R, T+1, So, C, A), if asked for (``keep_kept``) and C > 0; the stock's outside states count them at 0."""

    @property
    def stock_with_participants(self) -> np.ndarray:
        """Persons in each state including its programme participants, shape (R, T+1, S, A) (needs the stock kept)."""
        return self.stock + into_states(self.in_programme, self.programme_source, self.stock.shape[2])

    @property
    def headcount_end(self) -> np.ndarray:
        """Persons at the end of each month, shape (R, T, S)."""
        return self.headcount[:, 1:]

    @functools.cached_property
    def full_time_persons(self) -> np.ndarray:
        """Full-time persons in each month: mean of start and end headcount, shape (R, T, S); computed once,
        read only."""
        full_time = mean_of_ends(self.headcount)
        full_time.flags.writeable = False
        return full_time

    @property
    def ordinary_full_time_persons(self) -> np.ndarray:
        """Full-time persons not in a programme, shape (R, T, S)."""
        return mean_of_ends(self.ordinary_headcount)

    @property
    def programme_full_time_persons(self) -> np.ndarray:
        """Full-time persons in each programme, shape (R, T, P)."""
        return mean_of_ends(self.in_programme.sum(axis=-1))

    @property
    def programme_participants(self) -> np.ndarray:
        """Persons who spend each month in each programme (new and continuing), shape (R, T, P)."""
        return self.in_programme[:, :-1].sum(axis=-1) + self.programme_intake


def mean_of_ends(headcount: np.ndarray) -> np.ndarray:
    """Full-time persons from headcounts: the mean of the start and end of each month along axis 1,
    (R, T+1, ...) -> (R, T, ...). The one home of this rule."""
    mean = np.add(headcount[:, :-1], headcount[:, 1:])
    mean *= 0.5
    return mean


# --- the run ----------------------------------------------------------------------------------


def simulate(scenario: Scenario, values: Values | None = None, weights: np.ndarray | None = None,
             keep_stock: bool = True, keep_flows: bool = True, keep_kept: bool = False) -> Trajectory:
    """Run every row through the horizon, all rows at once.

    ``values``: the rows to run; None runs the scenario's own numbers, one row per strategy.
    ``weights`` (W, A): anciennitet weightings whose weighted headcounts the run keeps (money asks
    for the refusion shares); or (W, 2, A): each weighting for the stock, then for the persons who
    returned during the month with their anciennitet kept (:mod:`kikcalc.returns`), counted in the
    month-end stock (:func:`kikcalc.refusion.state_share_on_return`); ``keep_stock`` keeps the full (R, T+1, S, A) stock, ``keep_flows``
    the (R, T, S, S) moves between states, ``keep_kept`` the outside persons who keep their anciennitet
    (:attr:`Trajectory.kept`). For many rows use :func:`simulate_chunks`.
    """
    values = for_scenario(scenario) if values is None else values
    structure = Structure.of(scenario)
    nb, columns = structure.n_benefit, structure.columns
    programmes = programmes_of(scenario, structure)
    months = scenario.calendar.months
    rows, n_states, anc = values.rows, len(scenario.states), scenario.anciennitet_months
    n_programmes = len(programmes.source)
    weights = np.zeros((0, anc)) if weights is None else np.asarray(weights, dtype=float)
    on_return = None  # (W, A): what a kept returner's weighting differs by in the month-end stock of their return
    if weights.ndim == 3:
        weights, on_return = weights[:, 0], weights[:, 1] - weights[:, 0]
        on_return = on_return if on_return.any() else None
    inflow_outside = inflows(scenario, values)  # (R, T, S), the scenario's order
    inflow = structure.inward(inflow_outside, axis=2)
    entry_mix = structure.inward(values.inflow_mix, axis=1)[:, :nb]
    base = base_rates(scenario, values)
    changes = set(change_months(scenario).tolist())
    touched = effect_transitions(scenario)
    touched_reference = base[:, touched, structure.reference[touched]]  # (R, n_touched): each rate where its profile is 1

    # The touched moves' rates where their profiles are 1 (only multiply effects act on them), for month 0 and
    # each month where rates change, all at once when a change month needs only those (Structure.rescaled_change).
    scale_of: dict[int, np.ndarray] = {}  # month -> (R, n_touched)
    band_rates_of: dict[int, np.ndarray] = {}  # month -> (R, k, A): the touched moves between benefit states by band
    if structure.rescaled_change:
        scaled_months = sorted(changes | {0})
        factors = multiply_factors_by_month(scenario, values, touched)(np.array(scaled_months))  # (M, R, n_touched)
        scale_of = dict(zip(scaled_months, touched_reference * factors, strict=True))
        by_band = (structure.target[touched] < nb) & structure.by_band[touched]
        if by_band.any():
            before = base[:, np.asarray(touched)[by_band]]  # (R, k, A): their rates before effects
            band_rates_of = {month: before * factor[:, by_band, None] for month, factor in zip(scaled_months, factors, strict=True)}

    rates = None  # a change month's rates, rebuilt in full where effects change more than the touched moves' scales

    def rates_of(month: int) -> np.ndarray:
        """Every rate in a month, effects applied, written into one array (made the first time it is needed)."""
        nonlocal rates
        rates = rates_in_month(scenario, values, month, base, out=base.copy() if rates is None else rates)
        return rates

    if structure.rescaled_change:  # month 0 is the rates before effects, with the moves out rescaled
        first_month = transition_probabilities(scenario, in_season(scenario, base, 0))
        moves = month_moves(structure, first_month)
        if moves.off_profile.any():  # the rescale keeps profiles: rows off theirs need month 0 built in full
            moves = month_moves(structure, transition_probabilities(scenario, rates_of(0)),
                                moves.off_profile)
        else:
            moves = rescaled_moves(structure, moves, touched, scale_of[0], in_place=True, band_rates=band_rates_of.get(0))
    else:
        first_month = transition_probabilities(scenario, rates_of(0))
        moves = month_moves(structure, first_month)
    settling = np.array([s.initial_anciennitet is None and s.is_benefit for s in scenario.states])
    initial_mix = values.initial_mix.copy()
    if settling.any():
        settled = structure.outward(_settled(scenario, structure, values, first_month, inflow), axis=1)
        initial_mix[:, settling] = settled[:, settling]
    initial_stock = values.initial[:, :, None] * initial_mix
    start = structure.inward(initial_stock, axis=1)
    # The stock (R, S, A+1): benefit states by anciennitet month with a spare slot, kept 0 between months;
    # an outside state's persons (with a clock, the pool) in its spare slot (cohort.step).
    buffers = [stock_buffer(rows, n_states, anc + 1) for _ in range(2)]  # they take turns (cohort.step)
    stock_now = stock_in(buffers[0], rows, n_states, anc + 1)
    stock_now[:, :nb, :anc] = start[:, :nb]
    stock_now[:, nb:, anc] = start[:, nb:].sum(axis=-1)  # with a clock, the pool: the initial outside stock's history is not known
    kept = np.zeros((rows, n_states - nb, structure.clock, anc)) if structure.clock else None
    if (entry_mix[..., 0] == 1.0).all():
        entry_mix = None  # everyone enters at anciennitet 0: a plain assignment in the step

    # One product a month reduces the stock over anciennitet, straight into that month's block of the
    # month-major table (T+1, 1 + W, R, S): the headcount and each weighting asked for, outside states
    # included (Structure.reduction), then each profile (what the moves out need), which is not kept: a
    # month's block overlaps the next month's by the profiles' columns, which the next month's product
    # writes once the month's step has read them (month_block).
    full = structure.reduction(weights)  # (A+1, c + W): the headcount, each profile, each weighting
    kept_columns = 1 + len(weights)
    order = np.r_[0, columns: columns + len(weights), 1: columns]  # the headcount, the weightings, the profiles
    reduction = np.ascontiguousarray(full[:, order])  # C order: a fancy index gives F order, which sends matmul off BLAS (15x slower)
    block_size = reduction.shape[1] * rows * n_states
    table_memory = np.empty((months + 1) * kept_columns * rows * n_states + block_size - kept_columns * rows * n_states)
    table = table_memory[: (months + 1) * kept_columns * rows * n_states].reshape(months + 1, kept_columns, rows, n_states)

    def month_block(t: int) -> np.ndarray:
        """Month t's block of the table (C, R, S), every column of the reduction."""
        first = t * kept_columns * rows * n_states
        return table_memory[first: first + block_size].reshape(-1, rows, n_states)

    ordinary = np.empty((months + 1, rows, n_states)) if n_programmes else None
    stock = np.zeros((rows, months + 1, n_states, anc)) if keep_stock else None
    flows = np.zeros((rows, months, n_states, n_states)) if keep_flows else None
    kept_by_month = np.zeros((rows, months + 1, *kept.shape[1:])) if keep_kept and kept is not None else None
    in_programme = np.zeros((rows, months + 1, n_programmes, anc))
    intake = np.zeros((rows, months, n_programmes))
    programme_leavers = np.zeros((rows, months, n_programmes, n_states))
    continuing = np.zeros((rows, programmes.places, anc))
    outcome = outcome_with_rest(structure.inward(values.outcome, axis=2), programmes.source)
    is_benefit = np.arange(n_states) < nb
    moved = np.argsort(order)[structure.moved]  # the moved columns' places in the reduction
    # The small product reads the month's moved column as it is when that is the only one and the
    # spare slots hold everyone outside; else the moved columns and the pool are copied into a vector.
    direct = len(moved) == 1 and kept is None and not n_programmes
    vector = None if direct else np.empty((rows, nb * len(moved) + n_states - nb))
    # What leaves in a month (cohort.step) is computed in the month's stock itself, which nothing reads after
    # the step, unless the step reads it after too (flows, kept, rows off their profiles): then in this array,
    # made once (below, the first month with rows off their profiles).
    work = np.empty_like(stock_now) if flows is not None or kept is not None else None
    at_spare = reduction[-1][:, None, None]  # (C, 1, 1): each column's weight of a person outside

    def record(t: int, stock_t: np.ndarray, kept: np.ndarray | None) -> np.ndarray:
        """Keep month t's headcount and weightings (one product); return what the small product moves."""
        block = reduce_stock(stock_t, reduction, out=month_block(t))
        if kept is not None:  # everyone outside, the pool and the kept, counts
            block[:, :, nb:] += at_spare * kept.sum(axis=(2, 3))
        if n_programmes:
            ordinary[t] = block[0]
            taking_part = into_states(in_programme[:, t], programmes.source, n_states)[:, :nb]  # (R, Sb, A)
            block[0, :, :nb] += taking_part.sum(axis=-1)
            block[1: kept_columns, :, :nb] += np.moveaxis(taking_part @ weights.T, -1, 0)
        if stock is not None:
            stock[:, t, :nb] = stock_t[:, :nb, :anc]
            stock[:, t, nb:, 0] = block[0, :, nb:]
        if kept_by_month is not None:
            kept_by_month[:, t] = kept
        return block[moved[0]] if direct else fill_vector(vector, block, moved, stock_t[:, nb:, anc])

    moving_in = record(0, stock_now, kept)
    for t in range(months):
        if t in changes and t > 0:
            if structure.rescaled_change and not moves.off_profile.any():
                moves = rescaled_moves(structure, moves, touched, scale_of[t], in_place=True, band_rates=band_rates_of.get(t))
            else:
                moves = month_moves(structure, transition_probabilities(scenario, rates_of(t)),
                                    moves.off_profile if structure.profiles_kept else None)
        if n_programmes:
            taken = take_intake(stock_now[:, :nb, :anc], values.capacity[:, :, t], programmes.source)
            np.subtract.at(stock_now, (slice(None), programmes.source, slice(0, anc)), taken)
            intake[:, t] = taken.sum(axis=-1)
            moving_in = fill_vector(vector, reduce_stock(stock_now, full[:, :columns]), structure.moved, stock_now[:, nb:, anc])
        if work is None and len(moves.off_profile_moves):  # rows off their profiles: the step reads the stock after
            work = np.empty_like(stock_now)
        following, kept, returned = step(stock_now, moving_in, moves, inflow[:, t], entry_mix,
                                         None if flows is None else flows[:, t],
                                         (stock_now if work is None else work, buffers[(t + 1) % 2]), kept)
        stock_now = following
        if n_programmes:
            continuing, leaving, programme_flows, programme_leavers[:, t] = programme_month(
                continuing, taken, programmes, values.dropout, outcome, is_benefit)
            stock_now[:, :nb, :anc] += leaving[:, :nb]
            if kept is None:
                stock_now[:, nb:, anc] += leaving[:, nb:].sum(axis=-1)
            else:  # completers who go outside keep their anciennitet, aged by the programme's last month
                kept[:, :, 0] += leaving[:, nb:]
            if flows is not None:
                flows[:, t] += programme_flows
            for p in range(n_programmes):
                first = programmes.offset[p]
                in_programme[:, t + 1, p] = continuing[:, first: first + programmes.duration[p] - 1].sum(axis=1)
        moving_in = record(t + 1, stock_now, kept)
        if on_return is not None and returned is not None:
            table[t + 1, 1:, :, :nb] += np.moveaxis(returned @ on_return.T, -1, 0)

    # (R, T+1, S) views of the month-major table.
    headcount = np.moveaxis(table[:, 0], 0, 1)
    weighted = np.moveaxis(table[:, 1:], (0, 1), (2, 0))
    ordinary = headcount if ordinary is None else np.moveaxis(ordinary, 0, 1)
    return Trajectory(
        headcount=structure.outward(headcount, axis=2),
        ordinary_headcount=structure.outward(ordinary, axis=2),
        weighted=structure.outward(weighted, axis=3),
        flows=None if flows is None else structure.outward(structure.outward(flows, axis=2), axis=3),
        inflow=inflow_outside, initial_stock=initial_stock, initial_mix_settled=settling, in_programme=in_programme,
        programme_intake=intake, programme_source=structure.order[programmes.source],
        programme_leavers=structure.outward(programme_leavers, axis=3),
        stock=None if stock is None else structure.outward(stock, axis=2), kept=kept_by_month)


def _settled(scenario: Scenario, structure: Structure, values: Values, probabilities: np.ndarray,
             inflow: np.ndarray) -> np.ndarray:
    """The settled anciennitet mix of each row, from its baseline row's first month, shape (R, S, A), engine order.

    ``probabilities`` (R, n, A) and ``inflow`` (R, T, S) are every row's, in the engine's order.
    Draws whose baseline rates, inflow and entry mix are equal share one computation.
    """
    entry_mix = structure.inward(values.inflow_mix, axis=1)[:, :structure.n_benefit]
    baselines = np.unique(values.baseline)
    keys = [(probabilities[b].tobytes(), inflow[b, 0].tobytes(), entry_mix[b].tobytes()) for b in baselines]
    first_of: dict[tuple[bytes, ...], int] = {}  # equal baselines share one set
    which, chosen = np.empty(len(baselines), dtype=int), []
    for i, (b, key) in enumerate(zip(baselines, keys, strict=True)):
        if key not in first_of:
            first_of[key] = len(chosen)
            chosen.append(b)
        which[i] = first_of[key]
    settlement = settle(structure, probabilities[chosen], inflow[chosen, 0], entry_mix[chosen])
    of_row = which[np.searchsorted(baselines, values.baseline)]
    asked = np.array([s.initial_anciennitet is None and s.is_benefit for s in scenario.states])
    unsettled = structure.outward(settlement.unsettled[of_row], axis=1) & asked & (values.initial > 0)  # (R, S)
    if unsettled.any():
        names = ", ".join(scenario.states[j].name for j in np.flatnonzero(unsettled.any(axis=0)))
        warnings.warn(f"{names}: no initial_anciennitet given, and the mix the baseline's first-month rates settle "
                      f"into was still changing after {SETTLE_ROUNDS} rounds (persons move round a loop of states they "
                      f"seldom or never leave): the initial stock takes the mix found then; give initial_anciennitet "
                      f"to set it", UnsettledMixWarning, stacklevel=3)
    return settlement.mix[of_row]


def simulate_draws(scenario: Scenario, draws: int, values_for: Callable[[slice], Values], weights: np.ndarray | None = None,
                   chunk_rows: int | None = None, keep_flows: bool = False) -> Iterator[tuple[slice, Values, Trajectory]]:
    """Simulate ``draws`` draws in chunks of whole draws of about ``chunk_rows`` rows each (None: the scenario's
    default, :func:`default_chunk_rows`; fewer where the kept
    flows would pass :data:`FLOWS_CHUNK_BYTES`, :func:`chunk_draws`).

    ``values_for(draw_slice)`` gives the values of a run of draws (all their strategies' rows), so
    the values of all draws need never be held at once. Yields each chunk's rows, its values and
    its trajectory; memory stays that of one chunk, whatever the number of draws. A row's numbers
    do not depend on the chunking.
    """
    per_draw = len(scenario.strategies)
    step_draws = chunk_draws(scenario, chunk_rows, keep_flows)
    for first in range(0, draws, step_draws):
        chosen = slice(first, min(first + step_draws, draws))
        values = values_for(chosen)
        rows = slice(first * per_draw, chosen.stop * per_draw)
        yield rows, values, simulate(scenario, values, weights, keep_stock=False, keep_flows=keep_flows)


def simulate_chunks(scenario: Scenario, values: Values, weights: np.ndarray | None = None,
                    chunk_rows: int | None = None, keep_flows: bool = False) -> Iterator[tuple[slice, Values, Trajectory]]:
    """Simulate the rows of ``values`` in chunks of whole draws (:func:`simulate_draws`)."""
    per_draw = len(scenario.strategies)
    yield from simulate_draws(scenario, values.rows // per_draw,
                              lambda chosen: values.take(slice(chosen.start * per_draw, chosen.stop * per_draw)),
                              weights, chunk_rows, keep_flows)
