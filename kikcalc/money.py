"""Money: benefit cost with refusion, measures, investment, savings, payback and present value.

All amounts are kroner in a month, with a leading strategy axis; the baseline is strategy 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kikcalc.engine import Trajectory
from kikcalc.refusion import state_share_during_month
from kikcalc.spec import Scenario
from kikcalc.transitions import measures_costs

SAVING_TOLERANCE = 1e-6
"""Kroner: a cumulative saving this close to zero counts as zero (floating-point noise)."""


@dataclass(frozen=True, eq=False)
class Money:
    """A scenario's money, month by month, for each strategy."""

    benefit_cost_gross: np.ndarray
    """Benefit payments before refusion, kr. per month, shape (K, T, S)."""
    refusion: np.ndarray
    """The state's refusion of them, kr. per month, shape (K, T, S); zero for net-basis states."""
    measures_cost: np.ndarray
    """Ordinary active measures, kr. per month, shape (K, T, S); not for programme participants."""
    investment: np.ndarray
    """The strategy's extra spending, kr. per month, shape (K, T)."""
    programme_cost: np.ndarray
    """The strategy's programmes: per participant at start and per participant-month, kr., shape (K, T)."""
    flow_costs: np.ndarray
    """Payments per person moved (payment by results, one-off costs), kr. per month, shape (K, T)."""
    grants: np.ndarray
    """Income from grants actually paid, kr. per month, shape (K, T)."""
    grants_if_met: np.ndarray
    """Income from grants had every conditional grant's target been met, kr. per month, shape (K, T)."""
    budget_guarantee_offset: np.ndarray
    """The part of the saving on guaranteed benefits lost through the national adjustment, kr., shape (K, T)."""
    discount_rate: float

    @property
    def benefit_cost_net(self) -> np.ndarray:
        """What the municipality pays for benefits, kr. per month, shape (K, T, S)."""
        return self.benefit_cost_gross - self.refusion

    @property
    def spending(self) -> np.ndarray:
        """The strategy's own spending: investment, programmes and payments per person moved, kr., shape (K, T)."""
        return self.investment + self.programme_cost + self.flow_costs

    @property
    def total_cost(self) -> np.ndarray:
        """Net benefit cost + measures + spending - grants + budget-guarantee offset, kr. per month, shape (K, T)."""
        return (self.benefit_cost_net.sum(axis=-1) + self.measures_cost.sum(axis=-1) + self.spending
                - self.grants + self.budget_guarantee_offset)

    @property
    def net_saving(self) -> np.ndarray:
        """Baseline's total cost minus the strategy's, kr. per month, shape (K, T)."""
        total = self.total_cost
        return total[:1] - total

    @property
    def cumulative_net_saving(self) -> np.ndarray:
        """Net saving summed from the first month, kr., shape (K, T)."""
        return np.cumsum(self.net_saving, axis=-1)

    @property
    def payback_month(self) -> np.ndarray:
        """Model month index from which the cumulative saving stays at or above 0; -1 if none, shape (K,)."""
        return payback_month(self.cumulative_net_saving)

    @property
    def never_behind(self) -> np.ndarray:
        """True where the cumulative net saving is never below 0: nothing to pay back, shape (K,)."""
        return ~(self.cumulative_net_saving < -SAVING_TOLERANCE).any(axis=-1)

    @property
    def npv(self) -> np.ndarray:
        """Net present value of the net saving at the scenario's rate, kr., shape (K,)."""
        return net_present_value(self.net_saving, self.discount_rate)

    @property
    def return_per_krone(self) -> np.ndarray:
        """Kroner saved (before the strategy's own spending) per krone of extra spending, shape (K,).

        Spending is investment, programme cost and payments per person moved; grants count as
        saving. NaN where the strategy spends no more than the baseline (a payment that is income,
        a negative amount, can leave nothing spent to divide by).
        """
        extra_spending = (self.spending - self.spending[:1]).sum(axis=-1)
        saving_before_spending = self.net_saving.sum(axis=-1) + extra_spending
        spends_more = extra_spending > SAVING_TOLERANCE
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(spends_more, saving_before_spending / np.where(spends_more, extra_spending, 1.0), np.nan)


def discount_factors(rate: float, months: int) -> np.ndarray:
    """(1 + r)^(-t/12) for model months t = 0..months-1, shape (months,)."""
    return (1.0 + rate) ** (-np.arange(months) / 12.0)


def net_present_value(amounts: np.ndarray, rate: float) -> np.ndarray:
    """Present value at the first month of monthly amounts, last axis months; shape without it."""
    return amounts @ discount_factors(rate, amounts.shape[-1])


def payback_month(cumulative: np.ndarray) -> np.ndarray:
    """First month from which a cumulative series stays at or above zero; -1 if it ends below, shape (K,)."""
    below = cumulative < -SAVING_TOLERANCE
    months = cumulative.shape[-1]
    last_below = np.where(below.any(axis=-1), months - 1 - np.argmax(below[..., ::-1], axis=-1), -1)
    return np.where(last_below == months - 1, -1, last_below + 1)


def benefit_cost(scenario: Scenario, trajectory: Trajectory) -> tuple[np.ndarray, np.ndarray]:
    """Gross benefit cost and refusion, kr. per month, shapes (K, T, S) each.

    A full-time person (programme participants included) costs the state's yearly rate / 12 a
    month. For a gross-basis state the state refunds its share by anciennitet month: the
    start-of-month stock at the share of the month they are in, the end-of-month stock at the
    share of the month they have just completed.
    """
    monthly_rate = np.array([s.cost if s.is_benefit else 0.0 for s in scenario.states]) / 12.0
    gross = trajectory.full_time_persons * monthly_rate
    at_start, at_end = state_share_during_month(scenario.refusion, scenario.anciennitet_months)
    stock = trajectory.stock_with_participants
    refunded_persons = 0.5 * (stock[:, :-1] @ at_start + stock[:, 1:] @ at_end)  # (K, T, S)
    is_gross = np.array([s.cost_basis == "gross" for s in scenario.states])
    refusion = np.where(is_gross, refunded_persons * monthly_rate, 0.0)
    return gross, refusion


def programme_costs(scenario: Scenario, trajectory: Trajectory) -> np.ndarray:
    """Each programme's cost, kr. per month, shape (K, T, P): per participant at start, per participant-month."""
    listed = [p for _, p in scenario.programmes]
    at_start = np.array([p.cost_per_participant for p in listed])
    per_month = np.array([p.cost_per_month for p in listed])
    return trajectory.programme_intake * at_start + trajectory.programme_participants * per_month


def programme_cost(scenario: Scenario, trajectory: Trajectory) -> np.ndarray:
    """Each strategy's programme cost, kr. per month, shape (K, T)."""
    return programme_costs(scenario, trajectory).sum(axis=-1)


def persons_paid_for(moved: np.ndarray, first: int, last: int, cap: float | None) -> np.ndarray:
    """Persons paid for in each month: those moved in the window, up to a cap over it; last axis months."""
    window = np.zeros(moved.shape[-1], dtype=bool)
    window[first: last + 1] = True
    counted = np.cumsum(np.where(window, moved, 0.0), axis=-1)
    if cap is not None:
        counted = np.minimum(counted, cap)
    return np.diff(counted, axis=-1, prepend=0.0)


def flow_costs(scenario: Scenario, trajectory: Trajectory) -> np.ndarray:
    """Each strategy's payments per person moved, kr. per month, shape (K, T)."""
    index = {name: j for j, name in enumerate(scenario.state_names)}
    result = np.zeros(trajectory.inflow.shape[:2])
    for k, strategy in enumerate(scenario.strategies):
        for cost in strategy.flow_costs:
            j = index[cost.target]
            if cost.sources:
                moved = trajectory.flows[k, :, [index[s] for s in cost.sources], j].sum(axis=0)
            else:  # every way in: from any other state, and inflow from outside the model
                moved = trajectory.flows[k, :, :, j].sum(axis=1) + trajectory.inflow[k, :, j]
            result[k] += cost.amount * persons_paid_for(moved, cost.first, cost.last, cost.cap)
    return result


def grants(scenario: Scenario, met: dict[tuple[str, int], bool] | None) -> np.ndarray:
    """Each strategy's grant income, kr. per month, shape (K, T).

    ``met`` tells, for (target name, strategy index), whether the target is met; a conditional
    grant is paid only where its target is met. ``None``: every condition counts as met.
    """
    result = np.zeros((len(scenario.strategies), scenario.calendar.months))
    for k, strategy in enumerate(scenario.strategies):
        for grant in strategy.grants:
            if grant.if_target is None or met is None or met.get((grant.if_target, k), False):
                result[k] += grant.amount
    return result


def budget_guarantee_offset(scenario: Scenario, benefit_cost_net: np.ndarray) -> np.ndarray:
    """The part of each strategy's saving on guaranteed benefits that flows back, kr. per month, shape (K, T).

    ``benefit_cost_net`` (K, T, S). A saving against the baseline on the guaranteed states lowers
    the national adjustment by ``share`` of it (a cost); an extra expense raises it (an income).
    """
    guarantee = scenario.budget_guarantee
    if guarantee.share == 0.0:
        return np.zeros(benefit_cost_net.shape[:2])
    guaranteed = [scenario.state_index(name) for name in guarantee.states]
    on_guaranteed = benefit_cost_net[:, :, guaranteed].sum(axis=-1)
    return guarantee.share * (on_guaranteed[:1] - on_guaranteed)


def money(scenario: Scenario, trajectory: Trajectory, met: dict[tuple[str, int], bool] | None = None) -> Money:
    """Every money line of a scenario's strategies; ``met`` judges the conditions of grants (see :func:`grants`)."""
    gross, refusion = benefit_cost(scenario, trajectory)
    measures_rate = measures_costs(scenario) / 12.0
    investment = np.stack([s.investment for s in scenario.strategies])
    return Money(
        benefit_cost_gross=gross,
        refusion=refusion,
        measures_cost=trajectory.ordinary_full_time_persons * measures_rate,
        investment=investment,
        programme_cost=programme_cost(scenario, trajectory),
        flow_costs=flow_costs(scenario, trajectory),
        grants=grants(scenario, met or {}),
        grants_if_met=grants(scenario, None),
        budget_guarantee_offset=budget_guarantee_offset(scenario, gross - refusion),
        discount_rate=scenario.discount_rate,
    )
