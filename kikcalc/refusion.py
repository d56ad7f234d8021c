"""The refusion staircase: the state's share of a gross benefit by month of anciennitet.

The staircase is given in weeks (docs/model.md: 80 % in weeks 1-4, 40 % in weeks 5-26, 30 % in weeks
27-52, 20 % from week 53). A monthly model uses, for month m of a person's anciennitet (m = 1 is the
first month), the mean of the weekly shares over weeks (m-1)*w to m*w, with w weeks a month.
"""

from __future__ import annotations

import math

import numpy as np

from kikcalc.spec import Refusion


def state_share_by_month(refusion: Refusion, months: int) -> np.ndarray:
    """The state's share of the gross benefit in anciennitet months 1..months, shape (months,).

    Element ``m-1`` is the week-weighted mean of the staircase over weeks ``(m-1)*w .. m*w``.
    """
    edges = np.array((0.0, *refusion.band_end_weeks, np.inf))
    shares = np.array(refusion.state_share)
    w = refusion.weeks_per_month
    month_start = np.arange(months) * w
    month_end = month_start + w
    # Weeks of each month that fall in each band, shape (months, bands).
    overlap = np.clip(
        np.minimum(month_end[:, None], edges[None, 1:]) - np.maximum(month_start[:, None], edges[None, :-1]),
        0.0,
        None,
    )
    return overlap @ shares / w


def state_share_during_month(refusion: Refusion, anciennitet_months: int) -> tuple[np.ndarray, np.ndarray]:
    """The state's share for persons counted at the start and at the end of a month, shape (A,) each.

    A person at the start of a month with ``a`` completed months is in anciennitet month ``a+1``
    during it. A person at the end of the month with ``a`` completed months spent the month in
    anciennitet month ``a`` (or month 1 if they entered during it with ``a = 0``).
    """
    by_month = state_share_by_month(refusion, anciennitet_months + 1)
    a = np.arange(anciennitet_months)
    at_start = by_month[a]  # month a+1 -> element a
    at_end = by_month[np.maximum(a, 1) - 1]
    return at_start, at_end


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
