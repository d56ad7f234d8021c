"""Money: benefit cost with refusion, measures, investment, savings, payback and present value.

All amounts are kroner in a month, with a leading row axis R; every row's saving is measured
against its own baseline row (:attr:`kikcalc.values.Values.baseline`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from kikcalc.engine import Trajectory
from kikcalc.payment_share import economic_full_time_persons
from kikcalc.refusion import state_share_during_month
from kikcalc.spec import Scenario
from kikcalc.transitions import measures_costs
from kikcalc.values import Values

SAVING_TOLERANCE = 1e-6
"""Kroner: a cumulative saving this close to zero counts as zero (floating-point noise)."""


@dataclass(frozen=True, eq=False)
class Money:
    """A scenario's money, month by month, for each strategy."""

    benefit_cost_gross: np.ndarray
    """Benefit payments before refusion, kr. per month, shape (R, T, S)."""
    refusion: np.ndarray
    """The state's refusion of them, kr. per month, shape (R, T, S); zero for net-basis states."""
    measures_cost: np.ndarray
    """Ordinary active measures, kr. per month, shape (R, T, S); not for programme participants."""
    investment: np.ndarray
    """The strategy's extra spending, kr. per month, shape (R, T)."""
    programme_cost: np.ndarray
    """The strategy's programmes: per participant at start and per participant-month, kr., shape (R, T)."""
    flow_costs: np.ndarray
    """Payments per person moved (payment by results, one-off costs), kr. per month, shape (R, T)."""
    grants: np.ndarray
    """Income from grants actually paid, kr. per month, shape (R, T)."""
    grants_if_met: np.ndarray
    """Income from grants had every conditional grant's target been met, kr. per month, shape (R, T)."""
    budget_guarantee_offset: np.ndarray
    """The part of the saving on guaranteed benefits lost through the national adjustment, kr., shape (R, T)."""
    discount_rate: np.ndarray
    """Yearly rate of each row, shape (R,)."""
    baseline: np.ndarray
    """Each row's baseline row, shape (R,)."""

    @cached_property
    def benefit_cost_net(self) -> np.ndarray:
        """What the municipality pays for benefits, kr. per month, shape (R, T, S)."""
        return self.benefit_cost_gross - self.refusion

    @cached_property
    def spending(self) -> np.ndarray:
        """The strategy's own spending: investment, programmes and payments per person moved, kr., shape (R, T)."""
        return self.investment + self.programme_cost + self.flow_costs

    @cached_property
    def total_cost(self) -> np.ndarray:
        """Net benefit cost + measures + spending - grants + budget-guarantee offset, kr. per month, shape (R, T)."""
        return (self.benefit_cost_net.sum(axis=-1) + self.measures_cost.sum(axis=-1) + self.spending
                - self.grants + self.budget_guarantee_offset)

    @cached_property
    def net_saving(self) -> np.ndarray:
        """Baseline's total cost minus the strategy's, kr. per month, shape (R, T)."""
        total = self.total_cost
        return total[self.baseline] - total

    @cached_property
    def cumulative_net_saving(self) -> np.ndarray:
        """Net saving summed from the first month, kr., shape (R, T)."""
        return np.cumsum(self.net_saving, axis=-1)

    @property
    def payback_month(self) -> np.ndarray:
        """Model month index from which the cumulative saving stays at or above 0; -1 if none, shape (R,)."""
        return payback_month(self.cumulative_net_saving)

    @property
    def never_behind(self) -> np.ndarray:
        """True where the cumulative net saving is never below 0: nothing to pay back, shape (R,)."""
        return ~(self.cumulative_net_saving < -SAVING_TOLERANCE).any(axis=-1)

    @property
    def npv(self) -> np.ndarray:
        """Net present value of the net saving at the scenario's rate, kr., shape (R,)."""
        return net_present_value(self.net_saving, self.discount_rate)

    @property
    def return_per_krone(self) -> np.ndarray:
        """Kroner saved (before the strategy's own spending) per krone of extra spending, shape (R,).

        Spending is investment, programme cost and payments per person moved; grants count as
        saving. NaN where the strategy spends no more than the baseline (a payment that is income,
        a negative amount, can leave nothing spent to divide by).
        """
        extra_spending = (self.spending - self.spending[self.baseline]).sum(axis=-1)
        saving_before_spending = self.net_saving.sum(axis=-1) + extra_spending
        spends_more = extra_spending > SAVING_TOLERANCE
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(spends_more, saving_before_spending / np.where(spends_more, extra_spending, 1.0), np.nan)


def discount_factors(rate: float | np.ndarray, months: int) -> np.ndarray:
    """(1 + r)^(-t/12) for model months t = 0..months-1, shape (months,), or (R, months) for R rates."""
    return (1.0 + np.asarray(rate)[..., None]) ** (-np.arange(months) / 12.0)


def net_present_value(amounts: np.ndarray, rate: float | np.ndarray) -> np.ndarray:
    """Present value at the first month of monthly amounts (..., T) at a rate (scalar or one per row); shape (...)."""
    return (amounts * discount_factors(rate, amounts.shape[-1])).sum(axis=-1)


def payback_month(cumulative: np.ndarray) -> np.ndarray:
    """First month from which a cumulative series stays at or above zero; -1 if it ends below, shape (R,)."""
    below = cumulative < -SAVING_TOLERANCE
    months = cumulative.shape[-1]
    last_below = np.where(below.any(axis=-1), months - 1 - np.argmax(below[..., ::-1], axis=-1), -1)
    return np.where(last_below == months - 1, -1, last_below + 1)


def anciennitet_weights(scenario: Scenario) -> np.ndarray:
    """The anciennitet weightings money needs from the engine, shape (2, A): the state's refusion
    share for persons counted at the start and at the end of a month (:mod:`kikcalc.refusion`)."""
    return np.stack(state_share_during_month(scenario.refusion, scenario.anciennitet_months))


def benefit_cost(scenario: Scenario, values: Values, trajectory: Trajectory) -> tuple[np.ndarray, np.ndarray]:
    """Gross benefit cost and refusion, kr. per month, shapes (R, T, S) each.

    An economic full-time person (programme participants included; a full-time person at the
    state's payment share, :mod:`kikcalc.payment_share`) costs the state's yearly rate / 12 a
    month. For a gross-basis state the state refunds its share by time on benefit: the
    start-of-month stock at the staircase's mean over the month's first half, the end-of-month
    stock over its second half (the weightings of :func:`anciennitet_weights`,
    :func:`kikcalc.refusion.state_share_during_month`).
    """
    monthly_rate = values.cost[:, None, :] / 12.0
    gross = economic_full_time_persons(trajectory.full_time_persons, values) * monthly_rate
    at_start, at_end = trajectory.weighted
    refunded_persons = economic_full_time_persons(0.5 * (at_start[:, :-1] + at_end[:, 1:]), values)  # (R, T, S)
    is_gross = np.array([s.cost_basis == "gross" for s in scenario.states])
    refusion = np.where(is_gross, refunded_persons * monthly_rate, 0.0)
    return gross, refusion


def programme_costs(values: Values, trajectory: Trajectory) -> np.ndarray:
    """Each programme's cost, kr. per month, shape (R, T, P): per participant at start, per participant-month."""
    return (trajectory.programme_intake * values.cost_per_participant[:, None, :]
            + trajectory.programme_participants * values.cost_per_month[:, None, :])


def persons_paid_for(moved: np.ndarray, first: int, last: int, cap: float | np.ndarray | None) -> np.ndarray:
    """Persons paid for in each month: those moved in the window, up to a cap over it (one per row, or
    None); last axis months."""
    window = np.zeros(moved.shape[-1], dtype=bool)
    window[first: last + 1] = True
    counted = np.cumsum(np.where(window, moved, 0.0), axis=-1)
    if cap is not None:
        counted = np.minimum(counted, np.asarray(cap)[..., None])
    return np.diff(counted, axis=-1, prepend=0.0)


def persons_moved(scenario: Scenario, trajectory: Trajectory, sources: tuple[str, ...], targets: tuple[str, ...]) -> np.ndarray:
    """Persons moved from ``sources`` into ``targets`` in each month, shape (R, T); no sources: every way
    in, from any other state and as inflow from outside the model. The one home of counting moves."""
    into = [scenario.state_index(s) for s in targets]
    if sources:
        flows = trajectory.flows[:, :, [scenario.state_index(s) for s in sources]][:, :, :, into]
        return flows.sum(axis=(2, 3))
    return trajectory.flows[:, :, :, into].sum(axis=(2, 3)) + trajectory.inflow[:, :, into].sum(axis=-1)


def flow_costs(scenario: Scenario, values: Values, trajectory: Trajectory) -> np.ndarray:
    """Each row's payments per person moved, kr. per month, shape (R, T)."""
    result = np.zeros(trajectory.inflow.shape[:2])
    for f, (k, cost) in enumerate(scenario.flow_costs):
        rows = values.strategy == k
        if not rows.any():
            continue
        moved = persons_moved(scenario, trajectory, cost.sources, (cost.target,))[rows]
        cap = np.where(np.isinf(values.flow_cap[rows, f]), np.inf, values.flow_cap[rows, f])
        result[rows] += values.flow_amount[rows, f, None] * persons_paid_for(moved, cost.first, cost.last, cap)
    return result


def grants(scenario: Scenario, values: Values, met: np.ndarray | None) -> np.ndarray:
    """Each row's grant income, kr. per month, shape (R, T).

    ``met`` (R, N) tells, for each row and target (in file order), whether the target is met; a
    conditional grant is paid only where its target is met. ``None``: every condition counts as met.
    """
    order = {t.name: i for i, t in enumerate(scenario.targets)}
    paid = np.ones(values.grant.shape[:2], dtype=bool)  # (R, G)
    for g, (_, grant) in enumerate(scenario.grants):
        if grant.if_target is not None and met is not None:
            paid[:, g] = met[:, order[grant.if_target]]
    return (values.grant * paid[:, :, None]).sum(axis=1)


def budget_guarantee_offset(scenario: Scenario, values: Values, benefit_cost_net: np.ndarray) -> np.ndarray:
    """The part of each row's saving on guaranteed benefits that flows back, kr. per month, shape (R, T).

    ``benefit_cost_net`` (R, T, S). A saving against the baseline on the guaranteed states lowers
    the national adjustment by ``share`` of it (a cost); an extra expense raises it (an income).
    """
    guaranteed = [scenario.state_index(name) for name in scenario.budget_guarantee.states]
    on_guaranteed = benefit_cost_net[:, :, guaranteed].sum(axis=-1)
    return values.guarantee_share[:, None] * (on_guaranteed[values.baseline] - on_guaranteed)


def money(scenario: Scenario, values: Values, trajectory: Trajectory, met: np.ndarray | None = None) -> Money:
    """Every money line of each row; ``met`` (R, N) judges the conditions of grants (see :func:`grants`)."""
    gross, refusion = benefit_cost(scenario, values, trajectory)
    return Money(
        benefit_cost_gross=gross,
        refusion=refusion,
        measures_cost=trajectory.ordinary_full_time_persons * measures_costs(scenario, values) / 12.0,
        investment=values.investment,
        programme_cost=programme_costs(values, trajectory).sum(axis=-1),
        flow_costs=flow_costs(scenario, values, trajectory),
        grants=grants(scenario, values, met if met is not None else np.zeros((values.rows, len(scenario.targets)), bool)),
        grants_if_met=grants(scenario, values, None),
        budget_guarantee_offset=budget_guarantee_offset(scenario, values, gross - refusion),
        discount_rate=values.discount_rate,
        baseline=values.baseline,
    )
