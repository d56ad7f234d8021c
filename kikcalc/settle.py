"""Where the stock settles under constant rates and inflow: the initial anciennitet mix a state takes when the
file gives none (docs/model.md, "How the code settles it"), for D sets of rates at once.

It iterates the engine's own one-month step (:func:`kikcalc.cohort.step`) on the month's gain, never a
month's matrix, so memory is that of a few stocks.
"""

from __future__ import annotations

import numpy as np

from kikcalc.cohort import Structure, fill_vector, month_moves, reduce_stock, step, stock_buffer, stock_in
from kikcalc.records import frozen

SETTLE_TOLERANCE = 1e-13
"""A state's mix has settled when a round of :func:`settle` changes it by at most this (summed over anciennitet)."""

SETTLE_STAY_SHARE = 0.9
"""The share of each node's stay in itself that :func:`settle` sums in closed form each round (the rest damps loops)."""

SETTLE_ROUNDS = 4096
"""The most rounds :func:`settle` takes."""


@frozen(eq=False)
class Settlement:
    """Where D sets of constant rates and inflow settle (:func:`settle`); states in the engine's order."""

    mix: np.ndarray
    """Each state's stock in the long run by anciennitet month, normalised, shape (D, S, A)."""
    rounds: np.ndarray
    """The rounds each set took, shape (D,)."""
    unsettled: np.ndarray
    """States whose mix still changed by more than :data:`SETTLE_TOLERANCE` after the last round allowed,
    shape (D, S) bool; their mix is the one found then."""


def settled_anciennitet_mix(structure: Structure, probabilities: np.ndarray, inflow: np.ndarray,
                            entry_mix: np.ndarray) -> np.ndarray:
    """The anciennitet mix each state's stock settles into under constant rates, shape (D, S, A), engine order.

    ``probabilities`` (D, n, A), ``inflow`` (D, S) and ``entry_mix`` (D, Sb, A) are D sets of one
    month's baseline rates, inflow and entry mix, settled side by side (:func:`settle`, which says how).
    """
    return settle(structure, probabilities, inflow, entry_mix).mix


def settle(structure: Structure, probabilities: np.ndarray, inflow: np.ndarray, entry_mix: np.ndarray,
           rounds: int = SETTLE_ROUNDS) -> Settlement:
    """The mix each state's stock tends to under constant rates and inflow, for D sets at once.

    An empty model run for N months holds u (I + M + ... + M^(N-1)), for the one-month step M
    (:func:`kikcalc.cohort.step`, ageing included) and the month's inflow u. Where persons leave, it settles into
    x = x M + u as N grows; where some never leave, it grows without end and its mix tends to that
    of what it gains each month. kikcalc finds that mix, node by node (a node: a state at one
    anciennitet month):

    - The last anciennitet month of a benefit state nobody leaves after A-1 months, and an outside
      state with no moves out, keep every person they get and pass none on. They are left out
      below; such a benefit state, reached there, tends to all at A-1 months (as a state no flow
      reaches is given), such an outside state holds everyone at 0.
    - Every other node: Jacobi's iteration on x (I - D) = x (M - D) + u, D a share
      (:data:`SETTLE_STAY_SHARE`) of each node's stay in itself (at A-1 months and in outside
      states only: persons age; the rest of the stay, left in M - D, keeps a loop from swinging
      from round to round). From x = 0, round k adds g_k = g_(k-1) (M - D) (I - D)^-1 to x,
      g_0 = u (I - D)^-1, (M - D) being :func:`kikcalc.cohort.step` less D. Nothing is negative, so x only grows.
      Along moves that never return it is exact after as many rounds as the longest path. Where
      moves return (a loop), a state's gain comes to shrink by the same ratio r each round, so the
      rest of the series is g_k r / (1 - r): the mix is taken of x + g_k r / (1 - r), or of g_k once
      that rest dwarfs x (r near 1 or above: a loop nobody leaves grows without end, and its gain
      tends to its mix under M). A state whose round adds less than the stock's rounding takes the
      mix of x.

    Persons outside who keep their anciennitet (:mod:`kikcalc.returns`) are nodes that pass everyone
    on each month (to a benefit state, or one month further on the clock): :func:`kikcalc.cohort.step` moves their
    gain like the rest, and no stay of theirs is split off.

    A set stops after the first round, from round A + C on (C: :attr:`Structure.clock`), in which no
    benefit state's mix changed by more than :data:`SETTLE_TOLERANCE` and no empty state has persons
    moving into it; else after
    ``rounds`` rounds, with the states whose mix still changed in :attr:`Settlement.unsettled`. A
    state no flow reaches gets the last (longest) anciennitet month. Sets run side by side, a
    stopped set adding nothing more, so a set's numbers do not depend on the sets it runs with.
    Memory is that of a few stocks (D, S, A) and one month's moves.
    """
    sets, _, anc = probabilities.shape
    nb, n_states = structure.n_benefit, len(structure.order)
    last = anc - 1
    moves = month_moves(structure, probabilities)
    benefit_index, outside_index = np.arange(nb), np.arange(n_states - nb)
    stay = moves.between_benefit[:, benefit_index, benefit_index] - moves.leaving_else[:, :nb, last]  # (D, Sb), at A-1
    stay_outside = moves.small[:, nb * len(structure.moved) + outside_index, nb + outside_index]  # (D, So)
    kept, kept_outside = stay < 1.0, stay_outside < 1.0  # False: a node nobody leaves, left out
    stay, stay_outside = SETTLE_STAY_SHARE * stay, SETTLE_STAY_SHARE * stay_outside  # the D of the splitting
    scale = np.where(kept, 1.0 / np.where(kept, 1.0 - stay, 1.0), 0.0)  # (I - D)^-1, 0 where left out
    scale_outside = np.where(kept_outside, 1.0 / np.where(kept_outside, 1.0 - stay_outside, 1.0), 0.0)

    buffers = [stock_buffer(sets, n_states, anc + 1) for _ in range(2)]  # they take turns (step)
    gain = stock_in(buffers[0], sets, n_states, anc + 1)  # the round's gain, laid out as the stock of step
    added = gain[:, :nb]  # in benefit states (spare slot last) ...
    added[..., :anc] = inflow[:, :nb, None] * entry_mix
    added_outside = gain[:, nb:, anc]  # ... and in outside states
    added_outside[:] = inflow[:, nb:]
    reached_last, reached_outside = added[..., last] > 0.0, added_outside > 0.0  # matters where a node is left out
    added[..., last] *= scale
    added_outside *= scale_outside
    before = stock_in(buffers[1], sets, n_states, anc + 1)[:, :nb]  # the round before's gain
    stock, stock_outside = np.zeros((sets, nb, anc)), np.zeros((sets, n_states - nb))
    # Persons outside who keep their anciennitet (kikcalc.returns): their round's gain, and all they have held.
    added_kept = np.zeros((sets, n_states - nb, structure.clock, anc)) if structure.clock else None
    stock_kept = np.zeros((sets, n_states - nb))
    mix = _long_run_mix(stock, added[..., :anc], before[..., :anc])
    found = np.zeros_like(mix)
    taken = np.full(sets, rounds)
    running = np.ones(sets, dtype=bool)
    vector = np.empty((sets, nb * len(structure.moved) + n_states - nb))
    reduction = structure.out_reduction
    reduced = np.empty((reduction.shape[1], sets, n_states))
    nothing = np.zeros((sets, n_states))
    leaving = np.empty_like(gain)
    for round_ in range(1, rounds + 1):
        stock += added[..., :anc]
        stock_outside += added_outside
        if added_kept is not None:
            stock_kept += added_kept.sum(axis=(2, 3))
        mix, earlier = _long_run_mix(stock, added[..., :anc], before[..., :anc]), mix
        changed = np.abs(mix - earlier).sum(axis=2) > SETTLE_TOLERANCE  # (D, Sb)
        # Not before the kept have had their months outside to come back in.
        stopping = running & ~changed.any(axis=1) if round_ >= anc + structure.clock else np.zeros(sets, dtype=bool)
        if stopping.any():  # not while an empty state has persons moving into it
            holding = np.concatenate([(stock.sum(axis=2) > 0.0) | reached_last,
                                      (stock_outside + stock_kept > 0.0) | reached_outside], axis=1)
            waiting = np.zeros((sets, n_states), dtype=bool)
            moved_set, moved_by = np.nonzero(_moving(structure, stock, stock_outside + stock_kept, probabilities) > 0.0)
            waiting[moved_set, structure.target[moved_by]] = True
            stopping &= ~(waiting & ~holding).any(axis=1)
        if round_ == rounds:
            stopping = running.copy()
        if stopping.any():
            taken[stopping] = round_
            running &= ~stopping
            found[stopping] = mix[stopping]
            added[stopping], added_outside[stopping] = 0.0, 0.0  # a stopped set adds nothing more
            if added_kept is not None:
                added_kept[stopping] = 0.0
        if not running.any():
            break
        fill_vector(vector, reduce_stock(gain, reduction, out=reduced), structure.moved, added_outside)
        gain_following, added_kept, _ = step(gain, vector, moves, nothing, entry_mix, work=(leaving, buffers[round_ % 2]),
                                             kept=added_kept)
        following, following_outside = gain_following[:, :nb], gain_following[:, nb:, anc]
        following[..., last] -= stay * added[..., last]  # M - D: the stay in itself taken out
        following_outside -= stay_outside * added_outside
        reached_last |= following[..., last] > 0.0
        reached_outside |= following_outside > 0.0
        if added_kept is not None:
            reached_outside |= added_kept.sum(axis=(2, 3)) > 0.0
        following[..., last] *= scale
        following_outside *= scale_outside
        before, added, added_outside = added, following, following_outside
        gain = gain_following

    unsettled = np.zeros((sets, n_states), dtype=bool)
    unsettled[taken == rounds, :nb] = changed[taken == rounds]
    longest = np.zeros(anc)
    longest[-1] = 1.0
    result = np.zeros((sets, n_states, anc))
    result[:, :nb] = np.where((reached_last & ~kept)[..., None], longest, found)  # persons who never leave: at A-1
    result[:, nb:] = np.where(((stock_outside + stock_kept > 0.0) | reached_outside)[..., None], np.eye(anc)[0], longest)
    return Settlement(mix=result, rounds=taken, unsettled=unsettled)


def _long_run_mix(stock: np.ndarray, gain: np.ndarray, gain_before: np.ndarray) -> np.ndarray:
    """The mix of each benefit state's stock in the long run, (D, Sb, A), from the stock so far and the last
    two rounds' gains (:func:`settle`); the last month for a state with no one."""
    persons, gained, gained_before = stock.sum(axis=2), gain.sum(axis=2), gain_before.sum(axis=2)
    done = gained <= np.finfo(float).eps * persons  # less than the stock's rounding
    # The gain shrinks by r = gained / gained_before a round; the rest of the series is r / (1 - r) gains.
    # Where that dwarfs the stock so far (r near 1 or above: a loop nobody leaves), the mix is the gain's.
    shrink = gained_before - gained
    grows = ~done & (persons * shrink <= SETTLE_TOLERANCE * gained * gained)
    rest = np.where(done | grows, 0.0, gained / np.where(done | grows, 1.0, shrink))
    long_run = np.where(grows[..., None], gain, stock + rest[..., None] * gain)
    total = long_run.sum(axis=2, keepdims=True)
    longest = np.zeros(stock.shape[2])
    longest[-1] = 1.0
    return np.where(total > 0.0, long_run / np.where(total > 0.0, total, 1.0), longest)


def _moving(structure: Structure, stock: np.ndarray, stock_outside: np.ndarray, probabilities: np.ndarray) -> np.ndarray:
    """Persons each transition moves out of a stock (D, Sb, A) and (D, So) in a month, shape (D, n)."""
    nb = structure.n_benefit
    every = np.concatenate([stock, np.zeros((*stock_outside.shape, stock.shape[2]))], axis=1)
    every[:, nb:, 0] = stock_outside
    return np.einsum("dia,dia->di", every[:, structure.source], probabilities)
