"""Programmes (courses) in the engine: who starts, who goes on, who leaves to which state, for R rows.

Participants are taken from a benefit state's stock at the start of a month, in proportion to its
anciennitet mix, stay a number of months (ageing in anciennitet, dropping out back to the source at
a monthly rate) and leave by the programme's outcome mix. Arrays here use the engine's state order
(:class:`kikcalc.cohort.Structure`).
"""

from __future__ import annotations

import numpy as np

from kikcalc.cohort import Structure
from kikcalc.records import frozen
from kikcalc.spec import Scenario


def into_states(per_programme: np.ndarray, source: np.ndarray, n_states: int) -> np.ndarray:
    """Per-programme persons (..., P, A) added onto their source states, shape (..., S, A)."""
    onehot = np.zeros((len(source), n_states))
    onehot[np.arange(len(source)), source] = 1.0
    return np.einsum("...pa,ps->...sa", per_programme, onehot)


def _age(persons: np.ndarray) -> np.ndarray:
    """Add one month of anciennitet, keeping the last month open-ended; last axis is A."""
    aged = np.empty_like(persons)
    aged[..., 0] = 0.0
    aged[..., 1:] = persons[..., :-1]
    aged[..., -1] += persons[..., -1]
    return aged


# --- programmes -------------------------------------------------------------------------------


@frozen(eq=False)
class Programmes:
    """The programmes of all strategies as arrays; P programmes, each with duration-1 waiting places."""

    source: np.ndarray  # (P,) source state index, in the engine's order
    duration: np.ndarray  # (P,) months
    offset: np.ndarray  # (P,) first of its places in the (R, places, A) array of continuing participants

    @property
    def places(self) -> int:
        return int((self.duration - 1).sum())


def programmes_of(scenario: Scenario, structure: Structure) -> Programmes:
    """The programmes of all strategies, in the engine's state order.

    A participant who starts in month t completes a programme of D months at the end of month
    t + D - 1, so within a horizon of T months (t >= 0) nobody completes one longer than T, and all
    programmes of T + 1 months or more give the same numbers: a longer one is run as T + 1 months
    long, so its cost and its places stay those of the horizon.
    """
    listed = scenario.programmes
    position = np.argsort(structure.order)
    source = np.array([position[scenario.state_index(p.source)] for _, p in listed], dtype=int)
    duration = np.array([min(p.duration, scenario.calendar.months + 1) for _, p in listed], dtype=int)
    return Programmes(source=source, duration=duration, offset=np.cumsum(duration - 1) - (duration - 1))


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


def programme_month(continuing: np.ndarray, taken: np.ndarray, programmes: Programmes, dropout: np.ndarray,
                    outcome: np.ndarray, benefit: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One month of every programme: who goes on, who leaves to which state.

    ``continuing`` (R, places, A): participants at the start of the month by completed programme
    month; ``taken`` (R, P, A) new participants; ``dropout`` (R, P); ``outcome`` (R, P, S) the
    completers' shares by state, the rest on the source included. Participants age one month of
    anciennitet; a share ``dropout`` returns to the source; those who complete their last month
    leave by the outcome mix. Returns the continuing participants after the month (R, places, A),
    the persons leaving to each state by their anciennitet, outside states too (R, S, A), the moves that count as flows (R, S, S), and each
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
                leaving[:, j] += arriving  # by anciennitet, into outside states too (kikcalc.returns keeps it)
                if j != s:
                    flows[:, s, j] += arriving.sum(axis=-1)
    return after, leaving, flows, leavers


def outcome_with_rest(outcome: np.ndarray, source: np.ndarray) -> np.ndarray:
    """Completers' shares by state with the rest returning to the source, shape (R, P, S)."""
    full = outcome.copy()
    full[:, np.arange(len(source)), source] += 1.0 - outcome.sum(axis=-1)
    return full
