"""Money: benefit cost with refusion, measures, investment, savings, payback and present value.

All amounts are kroner in a month, with a leading strategy axis; the baseline is strategy 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kikcalc.engine import Trajectory
from kikcalc.refusion import state_share_during_month
from kikcalc.spec import Scenario

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
    """Ordinary active measures, kr. per month, shape (K, T, S)."""
    investment: np.ndarray
    """The strategy's extra spending, kr. per month, shape (K, T)."""
    discount_rate: float

    @property
    def benefit_cost_net(self) -> np.ndarray:
        """What the municipality pays for benefits, kr. per month, shape (K, T, S)."""
        return self.benefit_cost_gross - self.refusion

    @property
    def total_cost(self) -> np.ndarray:
        """Net benefit cost + measures + investment, kr. per month, shape (K, T)."""
        return self.benefit_cost_net.sum(axis=-1) + self.measures_cost.sum(axis=-1) + self.investment

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
    def npv(self) -> np.ndarray:
        """Net present value of the net saving at the scenario's rate, kr., shape (K,)."""
        return net_present_value(self.net_saving, self.discount_rate)

    @property
    def return_per_krone(self) -> np.ndarray:
        """Kroner saved (before investment) per krone of extra investment, shape (K,); NaN with no investment."""
        extra_investment = (self.investment - self.investment[:1]).sum(axis=-1)
        saving_before_investment = self.net_saving.sum(axis=-1) + extra_investment
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(extra_investment != 0, saving_before_investment / extra_investment, np.nan)


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

    A full-time person costs the state's yearly rate / 12 a month. For a gross-basis state the
    state refunds its share by anciennitet month: the start-of-month stock at the share of the
    month they are in, the end-of-month stock at the share of the month they have just completed.
    """
    monthly_rate = np.array([s.cost if s.is_benefit else 0.0 for s in scenario.states]) / 12.0
    gross = trajectory.full_time_persons * monthly_rate
    at_start, at_end = state_share_during_month(scenario.refusion, scenario.anciennitet_months)
    stock = trajectory.stock
    refunded_persons = 0.5 * (stock[:, :-1] @ at_start + stock[:, 1:] @ at_end)  # (K, T, S)
    is_gross = np.array([s.cost_basis == "gross" for s in scenario.states])
    refusion = np.where(is_gross, refunded_persons * monthly_rate, 0.0)
    return gross, refusion


def money(scenario: Scenario, trajectory: Trajectory) -> Money:
    """Every money line of a scenario's strategies."""
    gross, refusion = benefit_cost(scenario, trajectory)
    measures_rate = np.array([s.measures_cost if s.is_benefit else 0.0 for s in scenario.states]) / 12.0
    investment = np.stack([s.investment for s in scenario.strategies])
    return Money(
        benefit_cost_gross=gross,
        refusion=refusion,
        measures_cost=trajectory.full_time_persons * measures_rate,
        investment=investment,
        discount_rate=scenario.discount_rate,
    )
