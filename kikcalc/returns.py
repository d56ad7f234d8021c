"""Persons outside benefit who keep their anciennitet: the outside clock, for R rows at once.

Anciennitet is cumulative: a person who leaves benefit for an outside state (a job, education,
another municipality) and comes back within K months (:func:`kikcalc.refusion.reset_months`, 12
for the rule's 52 weeks) comes back with the anciennitet they left with; after K months outside it
starts again, and they come back like new inflow (docs/model.md section 7, "Returns from outside").

Each outside state holds two kinds of persons:

- the **pool** (R, So): persons whose anciennitet the model does not carry: those whose clock has
  run out, inflow into outside states, the initial outside stock. They return like inflow, with
  the benefit state's inflow mix, as every return did before this rule (:mod:`kikcalc.cohort`'s
  small product moves them).
- the **kept** (R, So, C, A): persons by months outside c = 0..C-1 (C = K - 1; c = 0 for those who
  left during the last month) and by the anciennitet a they carry. A person who left benefit
  during a month with a completed months carries a + 1 (capped at A - 1): the month they left
  counts half on benefit, and the month they return the other half, as for a move between benefit
  states. They return into that anciennitet month, unaged, arriving at a uniform moment of the month
  with a + 1 months on benefit (:func:`kikcalc.refusion.state_share_on_return`); a move between outside states keeps
  the clock running; one more month outside at c = C - 1 puts them in the pool.

Moves out of an outside state do not depend on anciennitet (the file gives them at anciennitet
0), so the kept move by their state's probabilities like the pool. Memory is C x A numbers per
outside state and row, never a month's matrix.
"""

from __future__ import annotations

import numpy as np


def leaving_by_anciennitet(benefit: np.ndarray, small: np.ndarray, profiles: np.ndarray, off_profile: np.ndarray,
                           off_profile_moves: np.ndarray) -> np.ndarray:
    """Persons moving from benefit into each outside state during a month, by the anciennitet they had at its
    start, shape (R, So, A).

    ``benefit`` (R, Sb, A+1) the stock at the month's start; ``small``, ``profiles``, ``off_profile`` and
    ``off_profile_moves``: the month's moves (:class:`kikcalc.cohort.Moves`): a move's rate at anciennitet
    a is its scale times its column's profile at a, plus the exact difference of a row off its profiles.
    """
    rows, nb, slots = benefit.shape
    anc, columns = slots - 1, len(profiles)
    so = small.shape[2] - nb
    by_anciennitet = np.swapaxes(benefit[..., :anc], 1, 2)  # (R, A, Sb)
    rates = small[:, : nb * columns, nb:].reshape(rows, columns, nb, so)
    leaving = np.zeros((rows, anc, so))
    for c in range(columns):
        leaving += np.matmul(by_anciennitet * profiles[c, :anc, None], rates[:, c])
    if off_profile.any():
        difference = off_profile_moves.reshape(-1, nb, slots, so)[:, :, :anc]
        leaving[off_profile] += np.einsum("rsa,rsao->rao", benefit[off_profile, :, :anc], difference)
    return np.ascontiguousarray(np.swapaxes(leaving, 1, 2))


def arriving_outside(leaving: np.ndarray) -> np.ndarray:
    """Leavers by the anciennitet they had at the month's start (R, So, A), by the one they carry: one month on, capped."""
    carried = np.zeros_like(leaving)
    carried[..., 1:] = leaving[..., :-1]
    carried[..., -1] += leaving[..., -1]
    return carried


def outside_month(kept: np.ndarray, outward: np.ndarray, arriving: np.ndarray,
                  returning: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One month of the kept: who returns, who moves on with one month more on the clock, whose clock runs out.

    ``kept`` (R, So, C, A) at the month's start; ``outward`` (R, So, S) each outside state's monthly
    probabilities of moving to every state (engine order, benefit states first; its stay on its own
    column); ``arriving`` (R, So, A) persons arriving from benefit or a programme with the anciennitet they
    carry (:func:`arriving_outside`). The returns are added into ``returning`` (R, Sb, A), the benefit
    stock at the next month's start, at the anciennitet they carry. Returns the kept at the next month's
    start (R, So, C, A), the persons whose clock ran out, into each outside state's pool, (R, So), and
    the month's returns by benefit state and anciennitet carried (R, Sb, A): they arrive during the month
    and are valued so in it (:func:`kikcalc.refusion.state_share_on_return`).
    """
    rows, so, clock, anc = kept.shape
    nb = outward.shape[2] - so
    returned = np.matmul(np.swapaxes(outward[:, :, :nb], 1, 2), kept.sum(axis=2))  # (R, Sb, So) @ (R, So, A)
    returning += returned
    moved = np.matmul(np.swapaxes(outward[:, :, nb:], 1, 2), kept.reshape(rows, so, clock * anc))
    moved = moved.reshape(rows, so, clock, anc)  # element [r, o', c, a]: from c months outside, now in o'
    following = np.empty_like(kept)
    following[:, :, 1:] = moved[:, :, :-1]
    following[:, :, 0] = arriving
    return following, moved[:, :, -1].sum(axis=-1), returned
