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
    """Persons through the horizon, for each strategy."""

    stock: np.ndarray
    """Persons at the start of each month and after the last, by anciennitet, shape (K, T+1, S, A)."""
    flows: np.ndarray
    """Persons moved from state s to state j during each month, shape (K, T, S, S); zero diagonal."""
    inflow: np.ndarray
    """Persons entering each state from outside the model during each month, shape (K, T, S)."""
    initial_mix_settled: np.ndarray
    """True for states whose initial anciennitet mix was settled from the baseline, shape (S,)."""

    @property
    def headcount(self) -> np.ndarray:
        """Persons at the start of each month and after the last, shape (K, T+1, S)."""
        return self.stock.sum(axis=-1)

    @property
    def headcount_end(self) -> np.ndarray:
        """Persons at the end of each month, shape (K, T, S)."""
        return self.headcount[:, 1:]

    @property
    def full_time_persons(self) -> np.ndarray:
        """Full-time persons in each month: mean of start and end stock, shape (K, T, S)."""
        headcount = self.headcount
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


def simulate(scenario: Scenario) -> Trajectory:
    """Run every strategy of a scenario through its horizon."""
    layout = _layout(scenario)
    rates = transition_rates(scenario)  # (K, T, n_transitions, A)
    inflow = inflows(scenario)  # (K, T, S)
    n_strategies, months = inflow.shape[:2]
    anc = scenario.anciennitet_months

    settle = np.array([s.initial_anciennitet is None and s.is_benefit for s in scenario.states])
    initial_mix = np.array(
        [s.initial_anciennitet if s.initial_anciennitet is not None else layout.entry_mix[j] for j, s in enumerate(scenario.states)]
    )
    if settle.any():
        settled = settled_anciennitet_mix(monthly_probabilities(scenario, rates[0, 0]), inflow[0, 0], layout)
        initial_mix[settle] = settled[settle]
    initial_mix[~layout.benefit] = layout.entry_mix[~layout.benefit]
    initial = np.array([s.initial for s in scenario.states])[:, None] * initial_mix

    stock = np.empty((n_strategies, months + 1, len(scenario.states), anc))
    flows = np.empty((n_strategies, months, len(scenario.states), len(scenario.states)))
    stock[:, 0] = initial
    for t in range(months):
        # One month's probabilities at a time: memory stays (K, S, S, A), not (K, T, S, S, A).
        moves = monthly_probabilities(scenario, rates[:, t])
        stock[:, t + 1], flows[:, t] = step(stock[:, t], moves, inflow[:, t], layout)
    return Trajectory(stock=stock, flows=flows, inflow=inflow, initial_mix_settled=settle)
