"""Partial benefits: the payment share of a benefit state, and economic full-time persons.

jobindsats.dk counts, besides persons and full-time persons, "økonomiske fuldtidspersoner":
the benefit actually paid over a full benefit for the period, so a person on half sickness benefit
(delvis raskmelding), a fleksjob's reduced hours or a reduced cash benefit counts as the part paid.
A benefit state's ``payment_share`` p[t] (0..1, by month) is that part for the state's persons:
its economic full-time persons are its full-time persons times p[t], and its benefit cost (gross and
refusion alike) is that of its economic full-time persons. Outside states pay no benefit: p = 0.
This module is the one home of the rule; docs/model.md, "Partial benefits", derives it.
"""

from __future__ import annotations

import numpy as np

from kikcalc.values import Values


def paid_share(values: Values) -> np.ndarray:
    """The payment share (:attr:`kikcalc.values.Values.payment_share`) in its most compact form: shape (R, 1, S)
    when it is the same in every month (checked once per distinct array when the rows share one, as a plain
    run's do), else (R, T, S). Multiplying by it is multiplying by the share."""
    share = values.payment_share
    distinct = share[:1] if share.strides[0] == 0 else share  # the rows' one array, or each row's own
    if (distinct == distinct[:, :1]).all():
        return share[:, :1]
    return share


def economic_full_time_persons(full_time_persons: np.ndarray, values: Values) -> np.ndarray:
    """Full-time persons weighted by the share of a full benefit paid, shape (R, T, S) -> (R, T, S).

    Also right for any (R, T, S) count of persons on benefit, such as the refusion-weighted persons
    of :func:`kikcalc.money.benefit_cost`: what is paid, and so refunded, is the payment share of it.
    """
    return full_time_persons * values.payment_share


def programme_economic_full_time_persons(programme_full_time_persons: np.ndarray, values: Values,
                                         programme_source: np.ndarray) -> np.ndarray:
    """Programme participants' economic full-time persons, at their source state's share, shape (R, T, P)."""
    return programme_full_time_persons * values.payment_share[:, :, programme_source]
