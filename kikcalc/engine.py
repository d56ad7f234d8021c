"""The monthly open-cohort engine: x[t+1] = x[t] P[t] + u[t], with anciennitet.

Pure functions over arrays. Every array carries a leading strategy axis K, so running all
strategies of a scenario (and, later, thousands of uncertainty draws) is one code path.

Anciennitet: a person in a benefit state at the start of a month with ``a`` completed months on
benefit has ``a + 1`` at the start of the next, whether they stay or move to another benefit state;
the last anciennitet month A-1 holds "A-1 months and more". Outside states do not track it: their
persons sit in anciennitet 0, and a person who moves from an outside state into a benefit state
enters like inflow, with that state's inflow mix.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kikcalc.spec import Scenario
from kikcalc.transitions import inflows, monthly_probabilities, transition_rates


@dataclass(frozen=True, eq=False)
class Trajectory:
    """Persons through the horizon, for each strategy.

    Participants in a programme are held apart from their state's ordinary stock while they take
    part, and counted in that state's headcount and full-time persons all the same.
    """

    stock: np.ndarray
    """Persons not in a programme at the start of each month and after the last, by anciennitet,
    shape (K, T+1, S, A). A month's new participants are still in it: they are taken at its start."""
    flows: np.ndarray
    """Persons moved from state s to state j during each month, shape (K, T, S, S); zero diagonal.
    A programme's outcomes count as moves from its source state."""
    inflow: np.ndarray
    """Persons entering each state from outside the model during each month, shape (K, T, S)."""
    initial_mix_settled: np.ndarray
    """True for states whose initial anciennitet mix was settled from the baseline, shape (S,)."""
    in_programme: np.ndarray
    """Persons in each programme at the start of each month and after the last, by anciennitet,
    shape (K, T+1, P, A)."""
    programme_intake: np.ndarray
    """New participants in each programme in each month, shape (K, T, P)."""
    programme_source: np.ndarray
    """Index of each programme's source state, shape (P,)."""
    programme_leavers: np.ndarray
    """Persons leaving each programme during each month, by the state they go to, shape (K, T, P, S).
    Drop-outs and completers who return both count under the programme's source state."""

    @property
    def stock_with_participants(self) -> np.ndarray:
        """Persons in each state including its programme participants, shape (K, T+1, S, A)."""
        onehot = np.zeros((len(self.programme_source), self.stock.shape[2]))
        onehot[np.arange(len(self.programme_source)), self.programme_source] = 1.0
        return self.stock + np.einsum("ktpa,ps->ktsa", self.in_programme, onehot)

    @property
    def headcount(self) -> np.ndarray:
        """Persons at the start of each month and after the last, shape (K, T+1, S)."""
        return self.stock_with_participants.sum(axis=-1)

    @property
    def headcount_end(self) -> np.ndarray:
        """Persons at the end of each month, shape (K, T, S)."""
        return self.headcount[:, 1:]

    @property
    def full_time_persons(self) -> np.ndarray:
        """Full-time persons in each month: mean of start and end stock, shape (K, T, S)."""
        return _mean_of_ends(self.headcount)

    @property
    def ordinary_full_time_persons(self) -> np.ndarray:
        """Full-time persons not in a programme, shape (K, T, S)."""
        return _mean_of_ends(self.stock.sum(axis=-1))

    @property
    def programme_full_time_persons(self) -> np.ndarray:
        """Full-time persons in each programme, shape (K, T, P)."""
        return _mean_of_ends(self.in_programme.sum(axis=-1))

    @property
    def programme_participants(self) -> np.ndarray:
        """Persons who spend each month in each programme (new and continuing), shape (K, T, P)."""
        return self.in_programme[:, :-1].sum(axis=-1) + self.programme_intake


def _mean_of_ends(headcount: np.ndarray) -> np.ndarray:
    """Mean of the start and end of each month along axis 1: (K, T+1, ...) -> (K, T, ...)."""
    return 0.5 * (headcount[:, :-1] + headcount[:, 1:])


@dataclass(frozen=True, eq=False)
class _Layout:
    """What the one-month step needs to know about the states, as arrays."""

    benefit: np.ndarray  # (S,) bool
    entry_mix: np.ndarray  # (S, A): where a person entering state j lands in anciennitet


def _layout(scenario: Scenario) -> _Layout:
    benefit = scenario.benefit_mask
    entry_mix = np.stack([s.inflow_anciennitet for s in scenario.states])
    entry_mix[~benefit] = 0.0
    entry_mix[~benefit, 0] = 1.0
    return _Layout(benefit=benefit, entry_mix=entry_mix)


def _age(stock: np.ndarray) -> np.ndarray:
    """Add one month of anciennitet, keeping the last month open-ended; last axis is A."""
    aged = np.zeros_like(stock)
    aged[..., 1:] = stock[..., :-1]
    aged[..., -1] += stock[..., -1]
    return aged


def step(stock: np.ndarray, moves: np.ndarray, inflow: np.ndarray, layout: _Layout) -> tuple[np.ndarray, np.ndarray]:
    """One month: the stock at the start of the next month and the flows between states.

    ``stock`` (K, S, A) persons; ``moves`` (K, S, S, A) probabilities with the stay on the diagonal;
    ``inflow`` (K, S) persons. Returns the next stock (K, S, A) and flows (K, S, S) with zero diagonal.
    """
    benefit = layout.benefit
    per_source = stock[:, :, None, :] * moves  # (K, S_from, S_to, A)
    from_benefit = _age(per_source[:, benefit].sum(axis=1))  # (K, S_to, A)
    from_outside = per_source[:, ~benefit].sum(axis=(1, 3))  # (K, S_to)
    arriving = from_benefit + (from_outside + inflow)[:, :, None] * layout.entry_mix[None]
    # Outside states do not track anciennitet.
    arriving[:, ~benefit, 0] = arriving[:, ~benefit].sum(axis=-1)
    arriving[:, ~benefit, 1:] = 0.0
    flows = per_source.sum(axis=-1)
    diagonal = np.arange(flows.shape[1])
    flows[:, diagonal, diagonal] = 0.0
    return arriving, flows


def settled_anciennitet_mix(moves: np.ndarray, inflow: np.ndarray, layout: _Layout, doublings: int = 12) -> np.ndarray:
    """The anciennitet mix each state's stock settles into under constant rates, shape (S, A).

    ``moves`` (S, S, A) and ``inflow`` (S,) are one month's baseline rates and inflow. The stock
    after N months from empty is u (I + M + ... + M^(N-1)) for the one-month operator M; it is
    summed by doubling to N = 2**doublings months (341 years at the default), then each state's
    row is normalised. A state that no flow ever reaches gets the last (longest) anciennitet month.
    """
    n_states, _, anc = moves.shape
    size = n_states * anc
    # The operator M: the step applied to each unit stock, with no inflow.
    basis = np.eye(size).reshape(size, n_states, anc)
    operator, _ = step(basis, np.broadcast_to(moves, (size, *moves.shape)), np.zeros((size, n_states)), layout)
    operator = operator.reshape(size, size)
    arrivals = (inflow[:, None] * layout.entry_mix).reshape(size)
    power, total = operator, np.eye(size)  # M^N and I + ... + M^(N-1), for N = 1
    for _ in range(doublings):
        total = total + total @ power
        power = power @ power
    stock = (arrivals @ total).reshape(n_states, anc)
    persons = stock.sum(axis=1, keepdims=True)
    longest = np.zeros(anc)
    longest[-1] = 1.0
    return np.where(persons > 0, stock / np.where(persons > 0, persons, 1.0), longest)


@dataclass(frozen=True, eq=False)
class _Programmes:
    """The programmes of all strategies as arrays; P programmes, each with duration-1 waiting places."""

    source: np.ndarray  # (P,) source state index
    duration: np.ndarray  # (P,) months
    offset: np.ndarray  # (P,) first of its places in the (K, places, A) array of continuing participants
    capacity: np.ndarray  # (K, P, T) places for new participants; 0 for other strategies' programmes
    dropout: np.ndarray  # (P,)
    outcome: np.ndarray  # (P, S) shares of completers to each state, the rest on the source

    @property
    def places(self) -> int:
        return int((self.duration - 1).sum())


def _programmes(scenario: Scenario) -> _Programmes:
    listed = scenario.programmes
    n_states, months = len(scenario.states), scenario.calendar.months
    index = {name: j for j, name in enumerate(scenario.state_names)}
    source = np.array([index[p.source] for _, p in listed], dtype=int)
    duration = np.array([p.duration for _, p in listed], dtype=int)
    capacity = np.zeros((len(scenario.strategies), len(listed), months))
    outcome = np.zeros((len(listed), n_states))
    for i, (k, programme) in enumerate(listed):
        capacity[k, i] = programme.capacity
        for state, share in programme.outcomes:
            outcome[i, index[state]] += share
        outcome[i, source[i]] += 1.0 - outcome[i].sum()
    return _Programmes(source=source, duration=duration, offset=np.cumsum(duration - 1) - (duration - 1),
                       capacity=capacity, dropout=np.array([p.dropout for _, p in listed]), outcome=outcome)


def take_intake(stock: np.ndarray, capacity: np.ndarray, source: np.ndarray) -> np.ndarray:
    """New participants taken from the start-of-month stock, shape (K, P, A).

    ``stock`` (K, S, A); ``capacity`` (K, P) places this month. A programme takes as many as it has
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


def programme_month(continuing: np.ndarray, taken: np.ndarray, programmes: _Programmes,
                    layout: _Layout) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One month of every programme: who goes on, who leaves to which state.

    ``continuing`` (K, places, A): participants at the start of the month by completed programme
    month; ``taken`` (K, P, A) new participants. Participants age one month of anciennitet; a
    share ``dropout`` returns to the source; those who complete their last month leave by the
    outcome mix. Returns the continuing participants after the month (K, places, A), the persons
    leaving to each state (K, S, A), the moves that count as flows (K, S, S), and each programme's
    leavers by the state they go to (K, P, S).
    """
    n_strategies, _, anc = taken.shape
    n_states = layout.benefit.shape[0]
    after = np.zeros_like(continuing)
    leaving = np.zeros((n_strategies, n_states, anc))
    flows = np.zeros((n_strategies, n_states, n_states))
    leavers = np.zeros((n_strategies, len(programmes.source), n_states))
    for p, s in enumerate(programmes.source):
        first, duration, dropout = programmes.offset[p], programmes.duration[p], programmes.dropout[p]
        cohorts = [taken[:, p], *(continuing[:, first + i] for i in range(duration - 1))]  # programme month 1..D
        for month, cohort in enumerate(cohorts, start=1):
            aged = _age(cohort)
            leaving[:, s] += dropout * aged
            leavers[:, p, s] += dropout * aged.sum(axis=-1)
            staying = (1.0 - dropout) * aged
            if month < duration:
                after[:, first + month - 1] = staying
                continue
            for j in np.flatnonzero(programmes.outcome[p]):
                arriving = programmes.outcome[p, j] * staying
                leavers[:, p, j] += arriving.sum(axis=-1)
                if layout.benefit[j]:
                    leaving[:, j] += arriving
                else:
                    leaving[:, j, 0] += arriving.sum(axis=-1)
                if j != s:
                    flows[:, s, j] += arriving.sum(axis=-1)
    return after, leaving, flows, leavers


def simulate(scenario: Scenario) -> Trajectory:
    """Run every strategy of a scenario through its horizon."""
    layout = _layout(scenario)
    programmes = _programmes(scenario)
    rates = transition_rates(scenario)  # (K, T, n_transitions, A)
    inflow = inflows(scenario)  # (K, T, S)
    n_strategies, months = inflow.shape[:2]
    n_states, anc, n_programmes = len(scenario.states), scenario.anciennitet_months, len(programmes.source)

    settle = np.array([s.initial_anciennitet is None and s.is_benefit for s in scenario.states])
    initial_mix = np.array(
        [s.initial_anciennitet if s.initial_anciennitet is not None else layout.entry_mix[j] for j, s in enumerate(scenario.states)]
    )
    if settle.any():
        settled = settled_anciennitet_mix(monthly_probabilities(scenario, rates[0, 0]), inflow[0, 0], layout)
        initial_mix[settle] = settled[settle]
    initial_mix[~layout.benefit] = layout.entry_mix[~layout.benefit]
    initial = np.array([s.initial for s in scenario.states])[:, None] * initial_mix

    stock = np.empty((n_strategies, months + 1, n_states, anc))
    flows = np.empty((n_strategies, months, n_states, n_states))
    in_programme = np.zeros((n_strategies, months + 1, n_programmes, anc))
    intake = np.zeros((n_strategies, months, n_programmes))
    programme_leavers = np.zeros((n_strategies, months, n_programmes, n_states))
    continuing = np.zeros((n_strategies, programmes.places, anc))
    stock[:, 0] = initial
    for t in range(months):
        # One month's probabilities at a time: memory stays (K, S, S, A), not (K, T, S, S, A).
        moves = monthly_probabilities(scenario, rates[:, t])
        ordinary = stock[:, t]
        if n_programmes:
            taken = take_intake(ordinary, programmes.capacity[:, :, t], programmes.source)
            ordinary = ordinary.copy()
            np.subtract.at(ordinary, (slice(None), programmes.source), taken)
            intake[:, t] = taken.sum(axis=-1)
        stock[:, t + 1], flows[:, t] = step(ordinary, moves, inflow[:, t], layout)
        if n_programmes:
            continuing, leaving, programme_flows, programme_leavers[:, t] = programme_month(continuing, taken, programmes,
                                                                                            layout)
            stock[:, t + 1] += leaving
            flows[:, t] += programme_flows
            for p in range(n_programmes):
                first = programmes.offset[p]
                in_programme[:, t + 1, p] = continuing[:, first: first + programmes.duration[p] - 1].sum(axis=1)
    return Trajectory(stock=stock, flows=flows, inflow=inflow, initial_mix_settled=settle, in_programme=in_programme,
                      programme_intake=intake, programme_source=programmes.source, programme_leavers=programme_leavers)
