"""The monthly open-cohort engine: x[t+1] = x[t] P[t] + u[t], with anciennitet, on R rows at once.

Pure functions over arrays. Every array carries a leading row axis R (one row per draw and
strategy, :mod:`kikcalc.values`), so running the strategies of a scenario and running thousands of
uncertainty draws are one code path. Large row counts run in chunks of whole draws, so memory
stays flat in R (:func:`simulate_chunks`).

Anciennitet: a person in a benefit state at the start of a month with ``a`` completed months on
benefit has ``a + 1`` at the start of the next, whether they stay or move to another benefit state;
the last anciennitet month A-1 holds "A-1 months and more". Outside states do not track it: their
persons sit in anciennitet 0, and a person who moves from an outside state into a benefit state
enters like inflow, with that state's inflow mix.

The step splits each month's moves as a careful hand-written model would: the moves whose
probability does not depend on anciennitet are one (rows, S, S) matrix product over the stock
(anciennitet last and contiguous); the moves that do are added pair by pair; staying is the rest.
The moves are rebuilt only in months where a rate changes (while an effect ramps or fades).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from kikcalc.spec import Scenario
from kikcalc.transitions import base_rates, change_months, inflows, rates_in_month, transition_probabilities
from kikcalc.values import Values, for_scenario

CHUNK_ROWS = 512
"""Rows simulated together when many are asked for: the working set of a chunk stays in cache."""


@dataclass(frozen=True, eq=False)
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
    asked for (:func:`simulate`'s ``weights``), shape (R, T+1, S, W)."""
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

    @property
    def stock_with_participants(self) -> np.ndarray:
        """Persons in each state including its programme participants, shape (R, T+1, S, A) (needs the stock kept)."""
        return self.stock + _into_states(self.in_programme, self.programme_source, self.stock.shape[2])

    @property
    def headcount_end(self) -> np.ndarray:
        """Persons at the end of each month, shape (R, T, S)."""
        return self.headcount[:, 1:]

    @property
    def full_time_persons(self) -> np.ndarray:
        """Full-time persons in each month: mean of start and end headcount, shape (R, T, S)."""
        return mean_of_ends(self.headcount)

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
    return 0.5 * (headcount[:, :-1] + headcount[:, 1:])


def _into_states(per_programme: np.ndarray, source: np.ndarray, n_states: int) -> np.ndarray:
    """Per-programme persons (..., P, A) added onto their source states, shape (..., S, A)."""
    onehot = np.zeros((len(source), n_states))
    onehot[np.arange(len(source)), source] = 1.0
    return np.einsum("...pa,ps->...sa", per_programme, onehot)


# --- one month's moves ------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _Structure:
    """The states and transitions as index arrays, in the engine's own order: benefit states first.

    ``order[i]`` is the scenario's index of the engine's state ``i``; the engine keeps its arrays in
    this order so that benefit and outside states are contiguous slices, and puts the scenario's
    order back on what it returns.
    """

    n_benefit: int
    order: np.ndarray  # (S,) scenario index of each engine state
    source: np.ndarray  # (n,) engine index of each transition's source
    target: np.ndarray  # (n,) engine index of each transition's target
    by_source: np.ndarray  # (n,) transitions sorted by source
    source_starts: np.ndarray  # first position of each source with transitions in by_source
    sources: np.ndarray  # those sources
    by_band: np.ndarray  # (n,) bool: the transition's probability may differ between anciennitet months

    @classmethod
    def of(cls, scenario: Scenario) -> _Structure:
        benefit = scenario.benefit_mask
        banded = np.array([t.banded for t in scenario.transitions], dtype=bool)
        hazard = np.array([t.kind == "hazard" for t in scenario.transitions], dtype=bool)
        names = np.array([t.source for t in scenario.transitions])
        # Competing hazards share their total: one banded hazard makes every hazard from its state banded.
        banded |= hazard & np.isin(names, names[banded & hazard])
        order = np.concatenate([np.flatnonzero(benefit), np.flatnonzero(~benefit)])
        position = np.argsort(order)
        source = position[[scenario.state_index(t.source) for t in scenario.transitions]].astype(int)
        target = position[[scenario.state_index(t.target) for t in scenario.transitions]].astype(int)
        by_source = np.argsort(source, kind="stable")
        sources, starts = np.unique(source[by_source], return_index=True)
        return cls(n_benefit=int(benefit.sum()), order=order, source=source, target=target, by_source=by_source,
                   source_starts=starts, sources=sources, by_band=banded)

    @property
    def identity(self) -> bool:
        return bool((self.order == np.arange(len(self.order))).all())

    def inward(self, array: np.ndarray, axis: int) -> np.ndarray:
        """An array with a state axis in the scenario's order, in the engine's."""
        return array if self.identity else np.take(array, self.order, axis=axis)

    def outward(self, array: np.ndarray, axis: int) -> np.ndarray:
        """An array with a state axis in the engine's order, in the scenario's."""
        return array if self.identity else np.take(array, np.argsort(self.order), axis=axis)


@dataclass(frozen=True, eq=False)
class Moves:
    """One month's moves for R rows, split for the step; Sb benefit and So outside states in the
    engine's order, anciennitet months 0..A-1 and one spare slot A (see :func:`step`)."""

    between_benefit: np.ndarray
    """Transposed, element [r, j, s], shape (R, Sb, Sb): the probability of moving from benefit state s
    to benefit state j for the moves that do not depend on anciennitet; on the diagonal, 1 minus those moves."""
    leaving_else: np.ndarray
    """Probability of leaving s at anciennitet a by every other move (into outside states, or between
    benefit states depending on anciennitet), shape (R, Sb, A+1); 0 in the spare slot."""
    to_outside: np.ndarray
    """Probability of moving from (benefit state s, anciennitet a) to outside state o, element
    [r, s * (A+1) + a, o], shape (R, Sb * (A+1), So); 0 in the spare slot."""
    from_outside: np.ndarray
    """Probability of moving from each outside state to each state, shape (R, So, S)."""
    outside_stay: np.ndarray
    """Probability of staying in each outside state, shape (R, So)."""
    band_source: np.ndarray
    band_target: np.ndarray
    """Source and target of the moves between benefit states that depend on anciennitet, shape (nd,) each."""
    band_probability: np.ndarray
    """Their probabilities, shape (R, nd, A+1); 0 in the spare slot."""


def month_moves(structure: _Structure, probabilities: np.ndarray) -> Moves:
    """Split each transition's monthly probability (R, n, A), in the engine's state order, into the step's parts.

    Which moves are treated as depending on anciennitet is structure (the file gives them by band),
    so every row takes the same path whatever rows it is run with: chunks give the same numbers.
    """
    rows, _, anc = probabilities.shape
    by_band = structure.by_band
    nb, n_states = structure.n_benefit, len(structure.order)
    source, target = structure.source, structure.target
    between = (source < nb) & (target < nb)
    flat = between & ~by_band
    banded = between & by_band
    out = (source < nb) & (target >= nb)
    inward = source >= nb
    between_benefit = np.zeros((rows, nb, nb))
    between_benefit[:, target[flat], source[flat]] = probabilities[:, flat, 0]
    diagonal = np.arange(nb)
    between_benefit[:, diagonal, diagonal] = 1.0 - between_benefit.sum(axis=1)
    to_outside = np.zeros((rows, nb, n_states - nb, anc + 1))
    to_outside[:, source[out], target[out] - nb, :anc] = probabilities[:, out]
    band_probability = np.zeros((rows, int(banded.sum()), anc + 1))
    band_probability[..., :anc] = probabilities[:, banded]
    leaving_else = to_outside.sum(axis=2)
    for d, s in enumerate(source[banded]):
        leaving_else[:, s] += band_probability[:, d]
    from_outside = np.zeros((rows, n_states - nb, n_states))
    from_outside[:, source[inward] - nb, target[inward]] = probabilities[:, inward, 0]
    return Moves(between_benefit=between_benefit, leaving_else=leaving_else,
                 to_outside=np.ascontiguousarray(to_outside.transpose(0, 1, 3, 2)).reshape(rows, nb * (anc + 1), -1),
                 from_outside=from_outside, outside_stay=1.0 - from_outside.sum(axis=2),
                 band_source=source[banded], band_target=target[banded], band_probability=band_probability)


def step(benefit: np.ndarray, outside: np.ndarray, moves: Moves, arriving: np.ndarray, entry_mix: np.ndarray | None,
         flows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """One month: the persons at the start of the next month, states in the engine's order.

    ``benefit`` (R, Sb, A+1): persons in benefit states by anciennitet month, the last slot spare
    (its content is ignored); ``outside`` (R, So) persons in outside states. ``arriving`` (R, S)
    persons entering from outside the model; ``entry_mix`` (R, Sb, A) where entrants land in a
    benefit state, None for all at anciennitet 0. Returns the next (benefit, outside). If ``flows``
    (R, S, S) is given, the month's moves from s to j are written into it (zero diagonal).

    The moves between benefit states that do not depend on anciennitet are one matrix product over
    every anciennitet month; what leaves otherwise is taken off elementwise; the result is written one
    slot on, in one flat operation, which is the ageing (the spare slot catches those aged past A-1).
    """
    rows, nb, slots = benefit.shape
    moved = np.matmul(moves.between_benefit, benefit)  # (R, Sb, A+1), before ageing
    moved -= benefit * moves.leaving_else
    for d in range(len(moves.band_source)):  # moves between benefit states that depend on anciennitet: few
        moved[:, moves.band_target[d]] += benefit[:, moves.band_source[d]] * moves.band_probability[:, d]
    following = np.empty_like(benefit)
    following.reshape(-1)[1:] = moved.reshape(-1)[:-1]  # ageing: every slot moves one on
    following[..., slots - 2] += following[..., slots - 1]  # aged past A-1: still in "A-1 months and more"
    entering = np.matmul(outside[:, None, :], moves.from_outside)[:, 0] + arriving  # (R, S)
    if entry_mix is None:
        following[..., 0] = entering[:, :nb]
    else:
        following[..., 0] = 0.0
        following[..., :-1] += entering[:, :nb, None] * entry_mix
    leaving_out = np.matmul(benefit.reshape(rows, 1, nb * slots), moves.to_outside)[:, 0]  # (R, So)
    outside_next = leaving_out + outside * moves.outside_stay + entering[:, nb:]
    if flows is not None:
        kept = benefit[..., :-1]
        flows[:, :nb, :nb] = kept.sum(axis=-1)[:, :, None] * np.swapaxes(moves.between_benefit, 1, 2)
        for d in range(len(moves.band_source)):
            flows[:, moves.band_source[d], moves.band_target[d]] += (kept[:, moves.band_source[d]]
                                                                     * moves.band_probability[:, d, :-1]).sum(axis=-1)
        flows[:, :nb, nb:] = np.einsum("rsa,rsao->rso", benefit, moves.to_outside.reshape(rows, nb, slots, -1))
        flows[:, nb:, :] = outside[:, :, None] * moves.from_outside
        diagonal = np.arange(flows.shape[1])
        flows[:, diagonal, diagonal] = 0.0
    return following, outside_next


def settled_anciennitet_mix(structure: _Structure, probabilities: np.ndarray, inflow: np.ndarray,
                            entry_mix: np.ndarray, doublings: int = 12) -> np.ndarray:
    """The anciennitet mix each state's stock settles into under constant rates, shape (S, A), engine order.

    ``probabilities`` (n, A), ``inflow`` (S,) and ``entry_mix`` (Sb, A) are one month's baseline
    rates, inflow and entry mix. The stock after N months from empty is u (I + M + ... + M^(N-1))
    for the one-month operator M (the step applied to each unit stock); it is summed by doubling to
    N = 2**doublings months (341 years at the default), then each state's row is normalised. A
    state that no flow ever reaches gets the last (longest) anciennitet month.
    """
    n_states, anc, nb = len(structure.order), probabilities.shape[-1], structure.n_benefit
    size = nb * anc + n_states - nb
    unit = np.eye(size)
    benefit = np.zeros((size, nb, anc + 1))
    benefit[..., :anc] = unit[:, : nb * anc].reshape(size, nb, anc)
    many = np.broadcast_to(probabilities, (size, *probabilities.shape))
    moves = month_moves(structure, many)
    following, outside = step(benefit, unit[:, nb * anc:], moves, np.zeros((size, n_states)), entry_mix[None])
    operator = np.concatenate([following[..., :anc].reshape(size, -1), outside], axis=1)
    entering = np.concatenate([(inflow[:nb, None] * entry_mix).reshape(-1), inflow[nb:]])
    power, total = operator, np.eye(size)  # M^N and I + ... + M^(N-1), for N = 1
    for _ in range(doublings):
        total = total + total @ power
        power = power @ power
    settled = entering @ total
    stock = np.zeros((n_states, anc))
    stock[:nb] = settled[: nb * anc].reshape(nb, anc)
    stock[nb:, 0] = settled[nb * anc:]
    persons = stock.sum(axis=1, keepdims=True)
    longest = np.zeros(anc)
    longest[-1] = 1.0
    return np.where(persons > 0, stock / np.where(persons > 0, persons, 1.0), longest)


def _age(persons: np.ndarray) -> np.ndarray:
    """Add one month of anciennitet, keeping the last month open-ended; last axis is A."""
    aged = np.empty_like(persons)
    aged[..., 0] = 0.0
    aged[..., 1:] = persons[..., :-1]
    aged[..., -1] += persons[..., -1]
    return aged


# --- programmes -------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _Programmes:
    """The programmes of all strategies as arrays; P programmes, each with duration-1 waiting places."""

    source: np.ndarray  # (P,) source state index, in the engine's order
    duration: np.ndarray  # (P,) months
    offset: np.ndarray  # (P,) first of its places in the (R, places, A) array of continuing participants

    @property
    def places(self) -> int:
        return int((self.duration - 1).sum())


def _programmes(scenario: Scenario, structure: _Structure) -> _Programmes:
    listed = scenario.programmes
    position = np.argsort(structure.order)
    source = np.array([position[scenario.state_index(p.source)] for _, p in listed], dtype=int)
    duration = np.array([p.duration for _, p in listed], dtype=int)
    return _Programmes(source=source, duration=duration, offset=np.cumsum(duration - 1) - (duration - 1))


def take_intake(stock: np.ndarray, capacity: np.ndarray, source: np.ndarray) -> np.ndarray:
    """New participants taken from the start-of-month stock, shape (R, P, A).

    ``stock`` (R, S, A); ``capacity`` (R, P) places this month. A programme takes as many as it has
    places, or all that are left in its source state if fewer; several programmes on one state fill
    in file order. Participants are taken in proportion to the state's anciennitet mix.
    """
    remaining = stock.copy()
    taken = np.zeros((stock.shape[0], len(source), stock.shape[2]))
    for p, s in enumerate(source):
        available = remaining[:, s].sum(axis=-1)
        n = np.minimum(capacity[:, p], available)
        share = np.divide(n, available, out=np.zeros_like(n), where=available > 0)
        taken[:, p] = remaining[:, s] * share[:, None]
        remaining[:, s] -= taken[:, p]
    return taken


def programme_month(continuing: np.ndarray, taken: np.ndarray, programmes: _Programmes, dropout: np.ndarray,
                    outcome: np.ndarray, benefit: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One month of every programme: who goes on, who leaves to which state.

    ``continuing`` (R, places, A): participants at the start of the month by completed programme
    month; ``taken`` (R, P, A) new participants; ``dropout`` (R, P); ``outcome`` (R, P, S) the
    completers' shares by state, the rest on the source included. Participants age one month of
    anciennitet; a share ``dropout`` returns to the source; those who complete their last month
    leave by the outcome mix. Returns the continuing participants after the month (R, places, A),
    the persons leaving to each state (R, S, A), the moves that count as flows (R, S, S), and each
    programme's leavers by the state they go to (R, P, S).
    """
    rows, _, anc = taken.shape
    n_states = benefit.shape[0]
    after = np.zeros_like(continuing)
    leaving = np.zeros((rows, n_states, anc))
    flows = np.zeros((rows, n_states, n_states))
    leavers = np.zeros((rows, len(programmes.source), n_states))
    for p, s in enumerate(programmes.source):
        first, duration, drop = programmes.offset[p], programmes.duration[p], dropout[:, p, None]
        cohorts = [taken[:, p], *(continuing[:, first + i] for i in range(duration - 1))]  # programme month 1..D
        for month, cohort in enumerate(cohorts, start=1):
            aged = _age(cohort)
            leaving[:, s] += drop * aged
            leavers[:, p, s] += drop[:, 0] * aged.sum(axis=-1)
            staying = (1.0 - drop) * aged
            if month < duration:
                after[:, first + month - 1] = staying
                continue
            for j in np.flatnonzero((outcome[:, p] != 0).any(axis=0)):
                arriving = outcome[:, p, j, None] * staying
                leavers[:, p, j] += arriving.sum(axis=-1)
                if benefit[j]:
                    leaving[:, j] += arriving
                else:
                    leaving[:, j, 0] += arriving.sum(axis=-1)
                if j != s:
                    flows[:, s, j] += arriving.sum(axis=-1)
    return after, leaving, flows, leavers


# --- the run ----------------------------------------------------------------------------------


def simulate(scenario: Scenario, values: Values | None = None, weights: np.ndarray | None = None,
             keep_stock: bool = True, keep_flows: bool = True) -> Trajectory:
    """Run every row through the horizon, all rows at once.

    ``values``: the rows to run; None runs the scenario's own numbers, one row per strategy.
    ``weights`` (W, A): anciennitet weightings whose weighted headcounts the run keeps (money asks
    for the refusion shares); ``keep_stock`` keeps the full (R, T+1, S, A) stock, ``keep_flows``
    the (R, T, S, S) moves between states. For many rows use :func:`simulate_chunks`.
    """
    values = for_scenario(scenario) if values is None else values
    structure = _Structure.of(scenario)
    nb = structure.n_benefit
    programmes = _programmes(scenario, structure)
    months = scenario.calendar.months
    rows, n_states, anc = values.rows, len(scenario.states), scenario.anciennitet_months
    n_programmes = len(programmes.source)
    weights = np.zeros((0, anc)) if weights is None else np.asarray(weights, dtype=float)
    reduce = np.concatenate([np.ones((1, anc)), weights]).T  # (A, 1 + W): the headcount, then the weightings
    inflow_outside = inflows(scenario, values)  # (R, T, S), the scenario's order
    inflow = structure.inward(inflow_outside, axis=2)
    entry_mix = structure.inward(values.inflow_mix, axis=1)[:, :nb]
    base = base_rates(scenario, values)
    changes = set(change_months(scenario).tolist())

    months_probabilities = transition_probabilities(scenario, rates_in_month(scenario, values, 0, base))
    moves = month_moves(structure, months_probabilities)
    settle = np.array([s.initial_anciennitet is None and s.is_benefit for s in scenario.states])
    initial_mix = values.initial_mix.copy()
    if settle.any():
        settled = structure.outward(_settled(scenario, structure, values, months_probabilities, inflow), axis=1)
        initial_mix[:, settle] = settled[:, settle]
    initial_stock = values.initial[:, :, None] * initial_mix
    start = structure.inward(initial_stock, axis=1)
    benefit_now = np.zeros((rows, nb, anc + 1))
    benefit_now[..., :anc] = start[:, :nb]
    outside_now = start[:, nb:].sum(axis=-1)
    if (entry_mix[..., 0] == 1.0).all():
        entry_mix = None  # everyone enters at anciennitet 0: a plain assignment in the step

    headcount = np.empty((rows, months + 1, n_states))
    ordinary = np.empty((rows, months + 1, n_states)) if n_programmes else headcount
    weighted = np.empty((rows, months + 1, n_states, len(weights)))
    stock = np.zeros((rows, months + 1, n_states, anc)) if keep_stock else None
    flows = np.zeros((rows, months, n_states, n_states)) if keep_flows else None
    in_programme = np.zeros((rows, months + 1, n_programmes, anc))
    intake = np.zeros((rows, months, n_programmes))
    programme_leavers = np.zeros((rows, months, n_programmes, n_states))
    continuing = np.zeros((rows, programmes.places, anc))
    outcome = _outcome_with_rest(structure.inward(values.outcome, axis=2), programmes.source)
    is_benefit = np.arange(n_states) < nb
    reduce_slots = np.concatenate([reduce, np.zeros((1, reduce.shape[1]))])  # the spare slot counts for nothing

    def record(t: int, benefit: np.ndarray, outside: np.ndarray) -> None:
        reduced = benefit @ reduce_slots  # (R, Sb, 1 + W)
        if n_programmes:
            ordinary[:, t, :nb] = reduced[..., 0]
            ordinary[:, t, nb:] = outside
            reduced = reduced + (_into_states(in_programme[:, t], programmes.source, n_states)[:, :nb] @ reduce)
        headcount[:, t, :nb] = reduced[..., 0]
        headcount[:, t, nb:] = outside
        weighted[:, t, :nb] = reduced[..., 1:]
        weighted[:, t, nb:] = outside[:, :, None] * reduce[0, 1:]
        if stock is not None:
            stock[:, t, :nb] = benefit[..., :anc]
            stock[:, t, nb:, 0] = outside

    record(0, benefit_now, outside_now)
    for t in range(months):
        if t in changes and t > 0:
            moves = month_moves(structure, transition_probabilities(scenario, rates_in_month(scenario, values, t, base)))
        if n_programmes:
            taken = take_intake(benefit_now[..., :anc], values.capacity[:, :, t], programmes.source)
            benefit_now = benefit_now.copy()
            np.subtract.at(benefit_now, (slice(None), programmes.source, slice(0, anc)), taken)
            intake[:, t] = taken.sum(axis=-1)
        benefit_now, outside_now = step(benefit_now, outside_now, moves, inflow[:, t], entry_mix,
                                        None if flows is None else flows[:, t])
        if n_programmes:
            continuing, leaving, programme_flows, programme_leavers[:, t] = programme_month(
                continuing, taken, programmes, values.dropout, outcome, is_benefit)
            benefit_now[..., :anc] += leaving[:, :nb]
            outside_now += leaving[:, nb:, 0]
            if flows is not None:
                flows[:, t] += programme_flows
            for p in range(n_programmes):
                first = programmes.offset[p]
                in_programme[:, t + 1, p] = continuing[:, first: first + programmes.duration[p] - 1].sum(axis=1)
        record(t + 1, benefit_now, outside_now)
    return Trajectory(
        headcount=structure.outward(headcount, axis=2),
        ordinary_headcount=structure.outward(ordinary, axis=2),
        weighted=structure.outward(weighted, axis=2),
        flows=None if flows is None else structure.outward(structure.outward(flows, axis=2), axis=3),
        inflow=inflow_outside, initial_stock=initial_stock, initial_mix_settled=settle, in_programme=in_programme,
        programme_intake=intake, programme_source=structure.order[programmes.source],
        programme_leavers=structure.outward(programme_leavers, axis=3),
        stock=None if stock is None else structure.outward(stock, axis=2))


def _outcome_with_rest(outcome: np.ndarray, source: np.ndarray) -> np.ndarray:
    """Completers' shares by state with the rest returning to the source, shape (R, P, S)."""
    full = outcome.copy()
    full[:, np.arange(len(source)), source] += 1.0 - outcome.sum(axis=-1)
    return full


def _settled(scenario: Scenario, structure: _Structure, values: Values, probabilities: np.ndarray,
             inflow: np.ndarray) -> np.ndarray:
    """The settled anciennitet mix of each row, from its baseline row's first month, shape (R, S, A), engine order.

    ``probabilities`` (R, n, A) and ``inflow`` (R, T, S) are every row's, in the engine's order.
    Draws whose baseline rates, inflow and entry mix are equal share one computation.
    """
    entry_mix = structure.inward(values.inflow_mix, axis=1)[:, :structure.n_benefit]
    mixes: dict[tuple[bytes, ...], np.ndarray] = {}
    result = np.empty((values.rows, len(scenario.states), scenario.anciennitet_months))
    for r in range(values.rows):
        b = values.baseline[r]
        key = (probabilities[b].tobytes(), inflow[b, 0].tobytes(), entry_mix[b].tobytes())
        if key not in mixes:
            mixes[key] = settled_anciennitet_mix(structure, probabilities[b], inflow[b, 0], entry_mix[b])
        result[r] = mixes[key]
    return result


def simulate_chunks(scenario: Scenario, values: Values, weights: np.ndarray | None = None,
                    chunk_rows: int = CHUNK_ROWS, keep_flows: bool = False) -> Iterator[tuple[slice, Values, Trajectory]]:
    """Simulate the rows in chunks of whole draws of about ``chunk_rows`` rows each.

    Yields each chunk's rows, its values and its trajectory; memory stays that of one chunk,
    whatever the number of rows. A row's result does not depend on the chunking.
    """
    per_draw = len(scenario.strategies)
    step_rows = max(1, chunk_rows // per_draw) * per_draw
    for start in range(0, values.rows, step_rows):
        rows = slice(start, min(start + step_rows, values.rows))
        chunk = values.take(rows)
        yield rows, chunk, simulate(scenario, chunk, weights, keep_stock=False, keep_flows=keep_flows)
