"""A careful hand-written numpy implementation of the benchmark workload: the floor for the engine.

It computes, for every row (draw x strategy) of ``workload.draw_rows``, what kikcalc computes for
that draw's scenario (``workload.scenario_raw``), with kikcalc's semantics:

- x[t+1] = x[t] P[t] + u[t] with monthly probabilities; stay = 1 - sum of outflows;
- benefit states age one month of anciennitet per month (capped at A-1) whether they stay or move
  to another benefit state; outside states hold everyone at a = 0; moves from outside into a
  benefit state and inflow enter at the state's inflow mix;
- full-time persons F[t] = (x[t] + x[t+1]) / 2; gross = F cost / 12; refusion = cost / 12 x
  (x[t] @ at_start + x[t+1] @ at_end) / 2 (``kikcalc.refusion.state_share_during_month``);
- the effect multiplies the benefit -> job probabilities of strategy 1 by 1 + (m-1) w[t].

Design. Draws are taken in chunks (``chunk_rows`` rows, i.e. chunk_rows / 2 draws), both
strategies of a draw together; a loop over months runs inside the loop over chunks, so a chunk's
few arrays stay in cache and memory is flat in R (only the outputs grow with R). Per chunk:

- The benefit stock is one flat buffer laid out (draw, state, strategy, anciennitet slot), the
  anciennitet slots innermost and contiguous: A months and one spare slot after month A-1. Per
  draw it is an nb x 2(A+1) matrix whose columns are (strategy, anciennitet).
- Band-independent part: the moves between benefit states depend neither on anciennitet nor on
  the month nor on the strategy, so one (c, nb, nb) matrix (transposed, with the stay
  1 - sum of benefit->benefit moves on its diagonal) moves every anciennitet month of both
  strategies in one batched matmul, (nb x nb) @ (nb x 2(A+1)) per draw.
- Ageing costs nothing: the stock sits in a buffer one element longer than itself, and the
  matmul writes the next month's stock from the buffer's second element on, so every person
  lands one anciennitet slot further on. The spare slot catches those aged past A-1 (added into
  A-1: one strided op); what spills from a spare slot into the next block's month 0 is
  overwritten by that block's arrivals.
- Band-dependent part: the exits to the outside states are pbo[s, o] f[a] (times the effect for
  strategy 1's job exits), so the stay loses f[a] e[k, s] with e = the total exit at factor 1.
  That is one contiguous multiply by fe[r, s, k, a] = f[a] e[r, k, s] and one in-place subtract.
  fe is built for all draws of the chunk at once, and strategy 1's half again only in months
  where the effect's weight changes (the ramp months).
- One (c nb 2, A+1) @ (A+1, 3) GEMM per month reduces the stock over anciennitet to: headcount;
  the f-weighted stock (the exits to outside); and the net-cost weight. A month's net cost is
  cost/12 (F - refunded), so each boundary stock x[t] enters the horizon's net cost once, with
  weight 1 - (at_start + at_end)/2 by anciennitet (1/2 - at_start/2 at t = 0, 1/2 - at_end/2 at
  t = T): the reductions summed over months give the net cost per row.
- The outside states, re-entry, inflow and the exits to outside are one small batched matmul per
  month, (nb + 4, nb + 3) @ (nb + 3, 2) per draw, whose output is laid out as its input.
- Means over draws per month are one GEMV (ones @ reductions) per month.

No Python loop over rows, transitions or states.
"""

from __future__ import annotations

import numpy as np

from kikcalc.refusion import state_share_during_month
from kikcalc.spec import Refusion

MONTH_KEPT = 48
DEFAULT_CHUNK_ROWS = 256  # 128 draws: the four stock-sized arrays take 1 MiB, in L2
CHUNK_CANDIDATES = (128, 256, 512, 1024)
"""Chunk sizes :func:`best_chunk_rows` tries: which is fastest depends on the machine's caches and on what else
runs on it (on 2026-12-04, 256 rows: 0.51 s for 8,192 rows against 0.66 s at 1,024, the default until then)."""


def best_chunk_rows(params: dict[str, np.ndarray], rows: int = 2048, repeats: int = 3) -> int:
    """The floor's fastest chunk size on this machine now, of :data:`CHUNK_CANDIDATES`: each timed on the first
    ``rows`` rows of ``params`` (best of ``repeats``, the sizes in turns), so that the benchmarks hold kikcalc to
    the floor at its best."""
    import time

    from benchmarks.workload import take

    sample = take(params, slice(0, max(1, rows // 2)))
    best = dict.fromkeys(CHUNK_CANDIDATES, float("inf"))
    for _ in range(repeats):
        for size in CHUNK_CANDIDATES:
            start = time.perf_counter()
            floor(sample, size)
            best[size] = min(best[size], time.perf_counter() - start)
    return min(best, key=best.get)


def effect_weights(months: int, start: int, ramp_months: int) -> np.ndarray:
    """The effect's weight in each month: i/ramp in its i-th month from ``start``, then 1; shape (T,)."""
    t = np.arange(months)
    return np.where(t >= start, np.minimum(1.0, (t - start + 1) / max(ramp_months, 1)), 0.0)


def floor(params: dict[str, np.ndarray], chunk_rows: int = DEFAULT_CHUNK_ROWS, month_kept: int = MONTH_KEPT) -> dict:
    """Run every draw of ``params`` under both strategies.

    Returns (rows ordered draw-major, row 2 d + k):
      net_cost        (2R,)       municipality's net benefit cost over the horizon, kr.;
      full_time_kept  (2R, S)     full-time persons per state in month ``month_kept``;
      full_time_mean  (2, T, S)   mean over draws of full-time persons per strategy, month, state.
    States are the benefit states in order, then job, other.
    """
    p_bb, p_bo, p_oo, p_ob = params["p_bb"], params["p_bo"], params["p_oo"], params["p_ob"]
    inflow, effect = params["inflow"], params["effect"]
    n_draws, nb = p_bb.shape[:2]
    f = np.asarray(params["anc_factor"], dtype=float)
    anc = f.shape[0]
    months = int(params["months"])
    n_out, K, P = 2, 2, anc + 1  # outside states, strategies, anciennitet slots (A months + 1 spare)
    L = K * P
    S = nb + n_out
    cost_month = np.asarray(params["cost"], dtype=float) / 12.0
    inflow_mix = np.asarray(params["inflow_mix"], dtype=float)
    enter_at_zero = bool(np.all(inflow_mix[:, 0] == 1.0))
    initial = np.asarray(params["initial"], dtype=float)[:, None] * params["initial_mix"]  # (nb, A)

    # Reduction weights over the anciennitet slots: headcount, exit factor, net-cost weight.
    at_start, at_end = state_share_during_month(Refusion(), anc)
    weights = []
    for net in (0.5 - 0.5 * at_start, 1.0 - 0.5 * (at_start + at_end), 0.5 - 0.5 * at_end):
        w = np.zeros((P, 3))
        w[:anc, 0], w[:anc, 1], w[:anc, 2] = 1.0, f, net
        weights.append(w)
    w_first, w_mid, w_last = weights

    ramp = effect_weights(months, int(params["effect_start"]), int(params["ramp_months"]))
    rebuild = np.ones(months, dtype=bool)
    rebuild[1:] = ramp[1:] != ramp[:-1]

    net_cost = np.empty((n_draws, K))
    kept_hc = np.empty((2, n_draws, K, S))  # headcount at the start and end of the kept month
    keep = month_kept < months
    # Sums over draws at each month boundary, of the benefit reductions and of the small vector.
    n_x = nb + n_out + 1  # small vector per draw and strategy: exit-weighted stock by state, job, other, 1
    red_total = np.zeros((months + 1, nb, K, 3))
    small_total = np.zeros((months + 1, n_x + 1, K))

    chunk = max(1, chunk_rows // K)
    diag = np.arange(nb)
    job, other, one, to_job = nb, nb + 1, nb + 2, nb + 3  # rows of the small vector
    for d0 in range(0, n_draws, chunk):
        d1 = min(d0 + chunk, n_draws)
        c = d1 - d0
        size = c * nb * L
        # Band-independent moves between benefit states, transposed: bt[r, j, s] = P[s -> j],
        # with the stay 1 - (sum of moves to other benefit states) on the diagonal.
        pbb = p_bb[d0:d1]
        bt = np.ascontiguousarray(np.swapaxes(pbb, 1, 2))
        bt[:, diag, diag] = 1.0 - pbb.sum(axis=2)
        pbo = p_bo[d0:d1]  # (c, nb, 2) at anciennitet factor 1
        # Exit correction fe[r, s, k, a] = f[a] e[r, k, s], e the total exit to outside at factor 1;
        # the spare slot stays 0. Strategy 0 is fixed; strategy 1 is rebuilt in the ramp months.
        fe = np.zeros((c, nb, K, P))
        fe[:, :, 0, :anc] = pbo.sum(axis=2)[:, :, None] * f
        # The small product, one (n_x + 1, n_x) @ (n_x, K) per draw, both strategies as columns.
        # Input rows: exit-weighted benefit stock by state, job, other, 1. Output rows: arrivals
        # into each benefit state (re-entry and inflow), job (from outside), other (from
        # anywhere), 1, and benefit -> job at factor 1, which the effect multiplies. The output
        # is laid out as the input: it is the next month's small vector once the arrivals have
        # been placed and the new benefit stock reduced into its first nb rows.
        pob, pout = p_ob[d0:d1], p_oo[d0:d1]
        m_small = np.zeros((c, n_x + 1, n_x))
        m_small[:, other, :nb] = pbo[:, :, 1]
        m_small[:, job, :nb] = pbo[:, :, 0]  # strategy 1 adds (m - 1) times the to_job row
        m_small[:, to_job, :nb] = pbo[:, :, 0]
        m_small[:, :nb, job:one] = np.swapaxes(pob, 1, 2)
        m_small[:, job, job] = 1.0 - pout[:, 0] - pob[:, 0].sum(axis=1)
        m_small[:, other, job] = pout[:, 0]
        m_small[:, job, other] = pout[:, 1]
        m_small[:, other, other] = 1.0 - pout[:, 1] - pob[:, 1].sum(axis=1)
        m_small[:, :nb, one] = inflow[d0:d1]
        m_small[:, one, one] = 1.0
        small, small_next = np.zeros((c, n_x + 1, K)), np.empty((c, n_x + 1, K))
        small[:, one] = 1.0
        m_minus_1 = effect[d0:d1] - 1.0
        extra = np.zeros(c)  # strategy 1's benefit -> job at factor 1 is multiplied by 1 + extra
        scaled = np.empty(c)
        ones = np.ones(c)

        # The stock lives in a buffer one element longer than itself: the stock of a month is
        # its first ``size`` elements, and the next month is written from its second element on,
        # so the matmul's output lands one anciennitet slot further on: that shift is the ageing.
        buf, buf_next = np.zeros(size + 1), np.empty(size + 1)
        buf[:size].reshape(c, nb, K, P)[..., :anc] = initial[:, None, :]
        tmp = np.empty(size)
        red = np.empty((c, nb, K, 3))
        red_sum = np.zeros((c, nb, K, 3))  # the reductions summed over the month boundaries
        fe_flat = fe.reshape(-1)

        for t in range(months + 1):
            z = buf[:size]
            # x[t] reduced over anciennitet: headcount, exit-weighted stock, net-cost weight.
            weight = w_first if t == 0 else w_last if t == months else w_mid
            np.matmul(z.reshape(c * nb * K, P), weight, out=red.reshape(c * nb * K, 3))
            red_sum += red
            small[:, :nb] = red[..., 1]
            red_total[t] += (ones @ red.reshape(c, -1)).reshape(nb, K, 3)
            small_total[t] += (ones @ small.reshape(c, -1)).reshape(n_x + 1, K)
            if keep and t in (month_kept, month_kept + 1):
                kept = kept_hc[t - month_kept, d0:d1]
                kept[:, :, :nb] = red[..., 0].transpose(0, 2, 1)
                kept[:, :, nb:] = small[:, job:one].transpose(0, 2, 1)
            if t == months:
                break
            if rebuild[t]:
                np.multiply(m_minus_1, ramp[t], out=extra)
                fe[:, :, 1, :anc] = (pbo[:, :, 0] * (1.0 + extra[:, None]) + pbo[:, :, 1])[:, :, None] * f
            # Benefit states: moves between them (one matmul for all anciennitet months and both
            # strategies), aged by the one-element offset, minus the exits to outside.
            zn = buf_next[1:]
            np.matmul(bt, z.reshape(c, nb, L), out=zn.reshape(c, nb, L))
            np.multiply(z, fe_flat, out=tmp)
            np.subtract(zn, tmp, out=zn)
            # The next month's stock is buf_next[:size]. Its spare slots now hold those aged past
            # A-1, who belong in "A-1 months and more". A spare slot may keep its value: it is
            # weighted 0, its exits are 0, and what the next month moves out of it lands in a
            # month-0 slot, which arrivals overwrite (as they do buf_next[0]).
            znext = buf_next[:size].reshape(c, nb, K, P)
            znext[..., anc - 1] += znext[..., anc]
            # Outside states and arrivals.
            np.matmul(m_small, small[:, :n_x], out=small_next)
            np.multiply(small_next[:, to_job, 1], extra, out=scaled)
            small_next[:, job, 1] += scaled
            if enter_at_zero:
                znext[..., 0] = small_next[:, :nb]
            else:
                znext[..., 0] = 0.0
                znext[..., :anc] += small_next[:, :nb, :, None] * inflow_mix[None, :, None, :]
            buf, buf_next = buf_next, buf
            small, small_next = small_next, small
        net_cost[d0:d1] = np.einsum("rsk,s->rk", red_sum[..., 2], cost_month)

    # Headcount summed over draws at each month boundary, (T+1, K, S).
    headcount = np.concatenate([red_total[..., 0], small_total[:, job:one]], axis=1).transpose(0, 2, 1)
    result = {
        "net_cost": net_cost.reshape(-1),
        "full_time_mean": (0.5 * (headcount[:-1] + headcount[1:]) / n_draws).transpose(1, 0, 2),
    }
    if keep:
        result["full_time_kept"] = (0.5 * (kept_hc[0] + kept_hc[1])).reshape(-1, S)
    return result
