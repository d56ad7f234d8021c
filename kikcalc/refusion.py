"""The refusion staircase: the state's share of a gross benefit by time on benefit.

The staircase is given in weeks (docs/model.md: 80 % in weeks 1-4, 40 % in weeks 5-26, 30 % in weeks
27-52, 20 % from week 53), w weeks a month. As a function of the time tau a person has been on
benefit, in months, it is a step function s(tau). Its integral S and double integral S2 are piecewise
linear and quadratic, so every mean of s the monthly model needs is exact in closed form
(docs/model.md, "Refusion timing within the month").
"""

from __future__ import annotations

import math

import numpy as np

from kikcalc.spec import Refusion


def _ramps(refusion: Refusion, x: np.ndarray, power: int) -> np.ndarray:
    """Sum over bands of share * (r(x - start) - r(x - end)), r(y) = max(y, 0)^power / power!, shape of x.

    power 1 gives S(x), the integral of s from 0 to x; power 2 gives S2(x), the integral of S.
    """
    starts = np.array((0.0, *refusion.band_end_weeks)) / refusion.weeks_per_month
    shares = np.array(refusion.state_share)
    x = np.asarray(x, dtype=float)[..., None]
    ramp = np.maximum(x - starts, 0.0) ** power / (1.0 if power == 1 else 2.0)
    ramp_past_end = np.concatenate([ramp[..., 1:], np.zeros_like(ramp[..., :1])], axis=-1)  # the last band is open
    return (ramp - ramp_past_end) @ shares


def state_share_by_month(refusion: Refusion, months: int) -> np.ndarray:
    """The state's share of the gross benefit in anciennitet months 1..months, shape (months,).

    Element ``m-1`` is the week-weighted mean of the staircase over weeks ``(m-1)*w .. m*w``, the
    mean of s over months on benefit m-1 .. m: S(m) - S(m-1).
    """
    return np.diff(_ramps(refusion, np.arange(months + 1), power=1))


def mean_share(refusion: Refusion, completed: np.ndarray, first: float, last: float) -> np.ndarray:
    """Mean of s(completed + U + v) over U uniform on (0, 1) and v uniform on (first, last), shape of ``completed``.

    A person with ``completed`` whole months on benefit at the start of a month, who arrived at a
    uniformly spread moment of their own month of entry, has been on benefit completed + U months
    then; v is the time into the month. The mean is
    (S2(c+1+last) - S2(c+last) - S2(c+1+first) + S2(c+first)) / (last - first).
    """
    c = np.asarray(completed, dtype=float)

    def s2(x: np.ndarray) -> np.ndarray:
        return _ramps(refusion, x, power=2)

    return (s2(c + 1 + last) - s2(c + last) - s2(c + 1 + first) + s2(c + first)) / (last - first)


def state_share_during_month(refusion: Refusion, anciennitet_months: int) -> tuple[np.ndarray, np.ndarray]:
    """The state's share for persons counted at the start and at the end of a month, shape (A,) each.

    The one home of refusion timing. A month's full-time persons are half its start stock and half
    its end stock; the start half is valued over the first half of the month, the end half over the
    second, with arrivals spread uniformly through their month of entry (:func:`mean_share`):

    - at the start, ``a`` completed months: the mean of s over the first half month, v in (0, 1/2);
    - at the end, ``a >= 1``: a person who began the month with ``a-1``, over v in (1/2, 1);
    - at the end, ``a = 0``: an entrant during the month. Arriving at u, they are on benefit for
      1 - u of it at times 0 .. 1 - u; per half full-time person that is
      2 * integral over (0, 1) of (1 - tau) s(tau) = 2 S2(1).

    A person who stays the month is counted at both ends and so gets the exact mean of s over the
    month; an entrant at anciennitet 0 gets the exact mean over their part of it.
    """
    a = np.arange(anciennitet_months)
    at_start = mean_share(refusion, a, 0.0, 0.5)
    at_end = mean_share(refusion, a - 1, 0.5, 1.0)
    at_end[0] = 2.0 * _ramps(refusion, np.array(1.0), power=2)
    return at_start, at_end


def state_share_on_return(refusion: Refusion, anciennitet_months: int) -> np.ndarray:
    """The state's share for a person who returns during a month with ``a`` months of anciennitet kept, counted
    in the end-of-month stock at ``a``, shape (A,).

    A kept returner carries the time on benefit they left with (:mod:`kikcalc.returns`): ``a`` months,
    the mean of a - 1 + U + V for one who left during a month begun with a - 1 completed months (U the
    spread of arrival, V the uniform moment of leaving). Arriving at a uniform moment u of the month
    of return, they are on benefit for 1 - u of it at times a .. a + 1 - u; per half full-time person
    that is 2 * integral over (0, 1) of (1 - tau) s(a + tau) = 2 (S2(a + 1) - S2(a) - S(a)). At a = 0
    it is the entrants' 2 S2(1) (:func:`state_share_during_month`); from the month after, they have
    been on benefit a + U months at its start, U uniform, as everyone counted with ``a`` completed months.
    """
    a = np.arange(anciennitet_months, dtype=float)
    return 2.0 * (_ramps(refusion, a + 1.0, power=2) - _ramps(refusion, a, power=2) - _ramps(refusion, a, power=1))


RESET_ROUNDING = 1e-9
"""Months: a reset that falls this close to a whole month falls on it (52 weeks / (52/12) is 12.000000000000002)."""


def reset_months(refusion: Refusion) -> int:
    """K: the whole months outside benefit after which a returner's anciennitet starts again, 0 for every return.

    A person who leaves during month t and comes back during month t + d has been outside d months
    (from the middle of one month to the middle of another), d x ``weeks_per_month`` weeks; their
    anciennitet starts again if that reaches ``reset_after_weeks``, so from d = K =
    ceil(reset_after_weeks / weeks_per_month): 52 weeks at 52/12 weeks a month are 12 months.
    """
    return max(0, math.ceil(refusion.reset_after_weeks / refusion.weeks_per_month - RESET_ROUNDING))
