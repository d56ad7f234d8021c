"""Money: benefit cost with refusion, measures, investment, savings, payback and present value.

All amounts are kroner in a month, with a leading row axis R; every row's saving is measured
against its own baseline row (:attr:`kikcalc.values.Values.baseline`). Money is the
municipality's unless a line or property names another payer: the state (refusion, its part of
co-financed a-dagpenge, the grants it pays, less the budget-guarantee offset it keeps) or the
public sector (both). With a ``[prices]`` table amounts are in current prices (each year's kroner)
or fixed base-year prices (:attr:`kikcalc.spec.Prices.view`), and present values are in base-year
kroner either way (:func:`discount_factors`).
"""

from __future__ import annotations

import dataclasses
import typing
from functools import cached_property

import numpy as np

from kikcalc.engine import Trajectory, mean_of_ends
from kikcalc.payment_share import economic_full_time_persons, paid_share
from kikcalc.records import frozen
from kikcalc.refusion import state_share_during_month, state_share_on_return
from kikcalc.spec import Payer, PriceView, Refusion, Scenario
from kikcalc.transitions import measures_costs
from kikcalc.values import Values

SAVING_TOLERANCE = 1e-6
"""Kroner: a cumulative saving this close to zero counts as zero (floating-point noise)."""


@frozen(eq=False)
class Money:
    """A scenario's money, month by month, for each strategy.

    Built without its lines by state (:func:`money` with ``lines=False``), the three (R, T, S) lines
    and :attr:`state_benefit` are None and :attr:`lines_total` holds what the totals need of them:
    the totals, saving, payback and the municipality's present value are the same bit for bit. The lines by
    state sum to :attr:`total_cost` to rounding (a few units in the last place, :func:`benefit_cost_summed`)."""

    benefit_cost_gross: np.ndarray | None
    """Benefit payments before refusion, kr. per month, shape (R, T, S); None if built without lines."""
    refusion: np.ndarray | None
    """The state's refusion of them, kr. per month, shape (R, T, S); zero for net-basis states."""
    measures_cost: np.ndarray | None
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
    state_benefit: np.ndarray | None = None
    """The state's part of the benefits it pays (a-dagpenge, less the municipality's co-financing),
    kr. per month, shape (R, T, S); zero but for co-financed states. None: zero."""
    grants_from_state: np.ndarray | None = None
    """The part of :attr:`grants` the state pays, kr. per month, shape (R, T). None: all of them."""
    price_level: np.ndarray | None = None
    """The price level the amounts are in, over the base year's, in each month, shape (T,): the price
    index in current prices, 1 in fixed prices. None: no [prices] table (1)."""
    lines_total: np.ndarray | None = None
    """Net benefit cost and measures over states, kr. per month, shape (R, T), as :attr:`total_cost` sums
    them: summed without the lines where the benefit cost allows (:func:`benefit_cost_summed`), with or without
    the lines, else the lines' sum when built without them (:func:`money`); None: :attr:`total_cost` sums the lines."""

    @cached_property
    def benefit_cost_net(self) -> np.ndarray:
        """What the municipality pays for benefits, kr. per month, shape (R, T, S): the gross benefit less
        the refusion, or, for a co-financed state, its co-financing (the gross less the state's part)."""
        net = self.benefit_cost_gross - self.refusion
        return net if self.state_benefit is None else net - self.state_benefit

    @cached_property
    def spending(self) -> np.ndarray:
        """The strategy's own spending: investment, programmes and payments per person moved, kr., shape (R, T)."""
        return self.investment + self.programme_cost + self.flow_costs

    @cached_property
    def total_cost(self) -> np.ndarray:
        """Net benefit cost + measures + spending - grants + budget-guarantee offset, kr. per month, shape (R, T)."""
        lines = self.lines_total
        if lines is None:
            lines = over_states(self.benefit_cost_net) + over_states(self.measures_cost)
        return lines + self.spending - self.grants + self.budget_guarantee_offset

    @cached_property
    def net_saving(self) -> np.ndarray:
        """Baseline's total cost minus the strategy's, kr. per month, shape (R, T)."""
        total = self.total_cost
        return total[self.baseline] - total

    @cached_property
    def cumulative_net_saving(self) -> np.ndarray:
        """Net saving summed from the first month, kr., shape (R, T)."""
        return np.cumsum(self.net_saving, axis=-1)

    @cached_property
    def payback_month(self) -> np.ndarray:
        """Model month index from which the cumulative saving stays at or above 0; -1 if none, shape (R,)."""
        return payback_month(self.cumulative_net_saving)

    @property
    def never_behind(self) -> np.ndarray:
        """True where the cumulative net saving is never below 0: nothing to pay back, shape (R,)."""
        return ~(self.cumulative_net_saving < -SAVING_TOLERANCE).any(axis=-1)

    @cached_property
    def npv(self) -> np.ndarray:
        """Net present value of the net saving at the scenario's rate, kr., shape (R,)."""
        return net_present_value(self.net_saving, self.discount_rate, self.price_level)

    # --- by payer ---------------------------------------------------------------------------

    @cached_property
    def state_cost(self) -> np.ndarray:
        """What the state pays: refusion, its part of co-financed benefits and its grants, less the
        budget-guarantee offset it keeps, kr. per month, shape (R, T)."""
        state_benefit = 0.0 if self.state_benefit is None else self.state_benefit.sum(axis=-1)
        from_state = self.grants if self.grants_from_state is None else self.grants_from_state
        return over_states(self.refusion) + state_benefit + from_state - self.budget_guarantee_offset

    def cost_of(self, payer: Payer) -> np.ndarray:
        """A payer's cost, kr. per month, shape (R, T): the municipality's (:attr:`total_cost`), the
        state's (:attr:`state_cost`) or the public sector's (their sum: the transfers between them cancel)."""
        if payer == "municipality":
            return self.total_cost
        if payer == "state":
            return self.state_cost
        return self.total_cost + self.state_cost

    def net_saving_of(self, payer: Payer) -> np.ndarray:
        """A payer's cost in the baseline minus in the strategy, kr. per month, shape (R, T)."""
        if payer == "municipality":
            return self.net_saving
        cost = self.cost_of(payer)
        return cost[self.baseline] - cost

    def npv_of(self, payer: Payer) -> np.ndarray:
        """Net present value of a payer's net saving, kr. (base-year prices with [prices]), shape (R,)."""
        return net_present_value(self.net_saving_of(payer), self.discount_rate, self.price_level)

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


def over_states(lines: np.ndarray) -> np.ndarray:
    """A money line's total over states, (R, T, S) -> (R, T): one matrix product (numpy's sum over a short
    last axis of this layout is several times slower)."""
    return lines @ np.ones(lines.shape[-1])


def discount_factors(rate: float | np.ndarray, months: int, price_level: np.ndarray | None = None) -> np.ndarray:
    """(1 + r)^(-t/12) for model months t = 0..months-1, shape (months,), or (R, months) for R rates.

    ``r`` is a real rate. ``price_level`` (months,): amounts are in current prices at this level over
    the base year's (the price index); their factors are (1 + r)^(-t/12) / level[t], the nominal rate
    the index implies ((1 + r)(1 + inflation) a year), so that a present value is in base-year kroner
    whichever prices the amounts are in: nominal flows at the nominal rate, real ones at the real rate.
    """
    rate = np.asarray(rate)
    if rate.ndim == 1 and len(rate) > 1:  # rows share a few rates (the strategies of a draw, often every row): one power each
        distinct, which = np.unique(rate, return_inverse=True)
        if len(distinct) < len(rate):
            return discount_factors(distinct, months, price_level)[which]
    factors = (1.0 + rate[..., None]) ** (-np.arange(months) / 12.0)
    return factors if price_level is None else factors / np.asarray(price_level)


def net_present_value(amounts: np.ndarray, rate: float | np.ndarray, price_level: np.ndarray | None = None) -> np.ndarray:
    """Present value at the first month of monthly amounts (..., T) at a rate (scalar or one per row); shape (...).

    ``price_level``: the amounts' price level in each month (see :func:`discount_factors`); None: fixed prices."""
    return (amounts * discount_factors(rate, amounts.shape[-1], price_level)).sum(axis=-1)


def payback_month(cumulative: np.ndarray) -> np.ndarray:
    """First month from which a cumulative series stays at or above zero; -1 if it ends below, shape (R,)."""
    below = cumulative < -SAVING_TOLERANCE
    months = cumulative.shape[-1]
    last_below = np.where(below.any(axis=-1), months - 1 - np.argmax(below[..., ::-1], axis=-1), -1)
    return np.where(last_below == months - 1, -1, last_below + 1)


def anciennitet_weights(scenario: Scenario) -> np.ndarray:
    """The anciennitet weightings money needs from the engine, shape (W, 2, A): the state's refusion
    share for persons counted at the start and at the end of a month (:mod:`kikcalc.refusion`), and,
    in a scenario with co-financed states, the state's share of their benefit the same way (W = 4);
    each for the stock ([:, 0]) and for kept returners in the month-end stock of their return ([:, 1],
    :func:`kikcalc.refusion.state_share_on_return`)."""
    weights = []
    staircases = [scenario.refusion, *([cofinancing_staircase(scenario)] if scenario.cofinancing.states else [])]
    for staircase in staircases:
        at_start, at_end = state_share_during_month(staircase, scenario.anciennitet_months)
        weights += [(at_start, at_start), (at_end, state_share_on_return(staircase, scenario.anciennitet_months))]
    return np.array(weights)


def municipal_share_during_month(scenario: Scenario) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The municipality's share of each state's benefit for persons counted at the start and at the end of a
    month, and for kept returners at the end of the month of their return, by anciennitet month, shape
    (S, A) each: 1 less the refusion for a gross-basis state, the co-financing for a co-financed one, 1 for
    the rest (their cost is net). For a person-level view of money (:mod:`kikcalc.liability`); the run's
    own money weighs the stock in :func:`benefit_cost` (:func:`anciennitet_weights`)."""
    anc = scenario.anciennitet_months
    refusion = (*state_share_during_month(scenario.refusion, anc), state_share_on_return(scenario.refusion, anc))
    cofinanced: tuple[np.ndarray, ...] = ()  # read only for co-financed states: the default shares need not fit [refusion]
    if scenario.cofinancing.states:
        staircase = cofinancing_staircase(scenario)
        cofinanced = (*state_share_during_month(staircase, anc), state_share_on_return(staircase, anc))
    shares = []
    for side in (0, 1, 2):
        rows = [1.0 - refusion[side] if s.cost_basis == "gross" else
                1.0 - cofinanced[side] if s.name in scenario.cofinancing.states else np.ones(anc)
                for s in scenario.states]
        shares.append(np.stack(rows))
    return shares[0], shares[1], shares[2]


def cofinancing_staircase(scenario: Scenario) -> Refusion:
    """A-dagpenge's co-financing as the state's share by weeks of anciennitet, in [refusion]'s bands and
    week-to-month conversion: the state pays the benefit, the municipality its share of it."""
    refusion = scenario.refusion
    return Refusion(band_end_weeks=refusion.band_end_weeks, weeks_per_month=refusion.weeks_per_month,
                    state_share=tuple(1.0 - share for share in scenario.cofinancing.municipal_share))


def cofinanced_state_part(scenario: Scenario, values: Values, trajectory: Trajectory) -> np.ndarray | None:
    """The state's part of co-financed benefits (the gross less the municipality's co-financing), kr. per
    month, shape (R, T, S), counted as refusion is (:func:`benefit_cost`), of the economic full-time persons
    (the payment share scales it as it scales the gross); None without co-financed states."""
    if not scenario.cofinancing.states:
        return None
    at_start, at_end = trajectory.weighted[2:4]
    state_persons = economic_full_time_persons(0.5 * (at_start[:, :-1] + at_end[:, 1:]), values)  # (R, T, S)
    marked = np.isin(scenario.state_names, scenario.cofinancing.states)
    return np.where(marked, state_persons * values.cost[:, None, :] / 12.0, 0.0)


def grants_from_state(scenario: Scenario, values: Values, met: np.ndarray | None) -> np.ndarray:
    """Each row's grant income paid by the state (``payer = "state"``, the default), kr. per month, shape (R, T)."""
    from_state = np.array([grant.payer == "state" for _, grant in scenario.grants], dtype=bool)
    if from_state.all():
        return grants(scenario, values, met)
    return grants(scenario, values.with_field("grant", values.grant * from_state[None, :, None]), met)


def price_view(scenario: Scenario, view: PriceView) -> Scenario:
    """The scenario with its money reported in current or fixed prices; unchanged without a [prices] table.
    Any other view is a ValueError (from Python, "Fixed" or None became fixed prices without a word)."""
    if view not in typing.get_args(PriceView):
        raise ValueError(f"prices: expected {' or '.join(map(repr, typing.get_args(PriceView)))}, got {view!r}")
    if scenario.prices is None or scenario.prices.view == view:
        return scenario
    return dataclasses.replace(scenario, prices=dataclasses.replace(scenario.prices, view=view))


def in_prices(accounts: Money, scenario: Scenario) -> Money:
    """The money in the prices of the scenario's [prices] view (unchanged without [prices]).

    Amounts are computed as the file states them: in base-year prices, but the lines named in
    ``in_current_prices`` in each year's own. In current prices a base-year amount is multiplied by
    the month's price level; in fixed prices a current-price amount is divided by it.
    """
    prices = scenario.prices
    if prices is None:
        return accounts
    level = prices.level
    current = prices.view == "current"

    def scaled(array: np.ndarray | None, factor: np.ndarray) -> np.ndarray | None:
        if array is None:
            return None
        return array * (factor[:, None] if array.ndim == 3 else factor)

    priced_as = {"benefit_cost_gross": "cost", "refusion": "cost", "state_benefit": "cost", "budget_guarantee_offset": "cost",
                 "measures_cost": "measures_cost", "investment": "investment", "programme_cost": "programmes",
                 "flow_costs": "flow_costs", "grants": "grants", "grants_if_met": "grants", "grants_from_state": "grants"}
    lines = {name: price_factor(scenario, line) for name, line in priced_as.items()}
    changed = {name: scaled(getattr(accounts, name), factor) for name, factor in lines.items()}
    return dataclasses.replace(accounts, **changed, price_level=level if current else np.ones_like(level))


def price_factor(scenario: Scenario, line: str) -> np.ndarray:
    """What the amounts of a line (:data:`kikcalc.spec.PRICED_LINES`) are multiplied by in each month to be in the
    prices of the scenario's [prices] view (:func:`in_prices`), shape (T,); needs a [prices] table."""
    prices = scenario.prices
    level, current = prices.level, prices.view == "current"
    if line in prices.in_current_prices:
        return np.ones_like(level) if current else 1.0 / level
    return level if current else np.ones_like(level)


def benefit_cost(scenario: Scenario, values: Values, trajectory: Trajectory) -> tuple[np.ndarray, np.ndarray]:
    """Gross benefit cost and refusion, kr. per month, shapes (R, T, S) each.

    An economic full-time person (programme participants included; a full-time person at the
    state's payment share, :mod:`kikcalc.payment_share`) costs the state's yearly rate / 12 a
    month. For a gross-basis state the state refunds its share by time on benefit: the
    start-of-month stock at the staircase's mean over the month's first half, the end-of-month
    stock over its second half (the weightings of :func:`anciennitet_weights`,
    :func:`kikcalc.refusion.state_share_during_month`).
    """
    paid = paid_per_person(values)
    if "full_time_persons" in trajectory.__dict__:  # computed already (a target counts them)
        gross = trajectory.full_time_persons * paid
    else:  # the same numbers, without keeping the full-time persons' own array
        gross = mean_of_ends(trajectory.headcount)  # then times paid: the same bits as full_time_persons * paid
        gross *= paid
    at_start, at_end = trajectory.weighted[:2]
    is_gross = np.array([s.cost_basis == "gross" for s in scenario.states])
    refusion = np.add(at_start[:, :-1], at_end[:, 1:])  # twice the refunded persons, (R, T, S)
    refusion *= (0.5 * is_gross) * paid
    return gross, refusion


def paid_per_person(values: Values) -> np.ndarray:
    """What a full-time person on each state's benefit is paid, kr. a month: the yearly rate / 12 at the state's payment
    share, shape (R, 1, S), or (R, T, S) where the share changes by month (:func:`kikcalc.payment_share.paid_share`)."""
    return paid_share(values) * (values.cost[:, None, :] / 12.0)


def benefit_cost_summed(scenario: Scenario, values: Values, trajectory: Trajectory) -> np.ndarray | None:
    """The net benefit cost over states (gross less refusion, :func:`benefit_cost`), kr. per month, shape (R, T),
    without its (R, T, S) lines: each month end's persons are summed over states, at half their paid rate
    (gross) and half their refunded rate, and a month takes its start's and its end's sums. The same numbers
    as the lines summed, to rounding (a few units in the last place: the sums are taken in another order);
    three times faster and no line made. None where the payment share changes by month (the lines then)."""
    paid = paid_per_person(values)
    if paid.shape[1] != 1:
        return None
    half = paid[:, 0] * 0.5  # kr. a month per person at each end of a month, (R, S)
    is_gross = np.array([s.cost_basis == "gross" for s in scenario.states])
    refunded = half * is_gross
    at_start, at_end = trajectory.weighted[:2]
    persons = np.einsum("rts,rs->rt", trajectory.headcount, half)  # (R, T+1): einsum reads the strided views as they are
    total = np.add(persons[:, :-1], persons[:, 1:])
    total -= np.einsum("rts,rs->rt", at_start[:, :-1], refunded)
    total -= np.einsum("rts,rs->rt", at_end[:, 1:], refunded)
    return total


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


def has_measures(scenario: Scenario, values: Values) -> bool:
    """Whether some row's state has a measures cost, or some strategy's effect gives one."""
    return bool(values.measures_cost.any()) or any(effect.on == "measures_cost" for _, effect in scenario.effects)


def ordinary_measures_cost(scenario: Scenario, values: Values, trajectory: Trajectory) -> np.ndarray:
    """Ordinary active measures, kr. per month, shape (R, T, S): a state's full-time persons not in a programme
    times its measures cost per full-year person (:func:`kikcalc.transitions.measures_costs`) / 12."""
    if not has_measures(scenario, values):
        return np.zeros(trajectory.inflow.shape)  # no state has any, and no strategy gives one
    return trajectory.ordinary_full_time_persons * measures_costs(scenario, values) / 12.0


def money(scenario: Scenario, values: Values, trajectory: Trajectory, met: np.ndarray | None = None,
          lines: bool = True) -> Money:
    """Every money line of each row; ``met`` (R, N) judges the conditions of grants (see :func:`grants`).

    ``lines=False``: without the lines by state (:class:`Money`), for many rows that need only the totals,
    saving, payback and present value (the same bit for bit): no (R, T, S) line is made where the benefit cost
    can be summed over states without them (:func:`benefit_cost_summed`), else the net benefit cost is built in
    one array, in place, and its total over states kept; no line of zeros is made where no state has measures.
    With or without the lines, the total over states is the summed one where there is one (:attr:`Money.lines_total`).
    """
    judged = met if met is not None else np.zeros((values.rows, len(scenario.targets)), bool)
    # Co-financing and the budget guarantee need the net benefit cost by state: the lines, summed after.
    summed = None if scenario.cofinancing.states or scenario.budget_guarantee.states else \
        benefit_cost_summed(scenario, values, trajectory)
    gross = refusion = state_part = measures = total = None
    if lines or summed is None:
        gross, refusion = benefit_cost(scenario, values, trajectory)
        state_part = cofinanced_state_part(scenario, values, trajectory)
    net = None
    if scenario.budget_guarantee.states:
        net = gross - refusion - (0.0 if state_part is None else state_part)  # before prices: in_prices scales the offset
        offset = budget_guarantee_offset(scenario, values, net)
    else:
        offset = np.zeros((values.rows, scenario.calendar.months))
    if lines:
        measures = ordinary_measures_cost(scenario, values, trajectory)
    if summed is not None:
        total = summed if scenario.prices is None else summed * price_factor(scenario, "cost")
    elif not lines:
        if scenario.prices is not None:  # each line in prices, then the net, as in_prices and Money.benefit_cost_net
            factor = price_factor(scenario, "cost")[:, None]
            net = None
            for line in (gross, refusion, state_part):
                if line is not None:
                    line *= factor
        if net is None:
            net = gross
            net -= refusion
            if state_part is not None:
                net -= state_part
        total = over_states(net)
    if total is not None:  # with the measures over states, the same way with or without the lines
        if has_measures(scenario, values):
            by_state = measures if measures is not None else ordinary_measures_cost(scenario, values, trajectory)
            if scenario.prices is not None:
                by_state = by_state * price_factor(scenario, "measures_cost")[:, None]
            total += over_states(by_state)
        else:
            total += 0.0  # as the line of zeros adds (a -0.0 turns 0.0)
    if not lines:
        gross = refusion = measures = state_part = None
    accounts = Money(
        benefit_cost_gross=gross,
        refusion=refusion,
        measures_cost=measures,
        investment=values.investment,
        programme_cost=programme_costs(values, trajectory).sum(axis=-1),
        flow_costs=flow_costs(scenario, values, trajectory),
        grants=grants(scenario, values, judged),
        grants_if_met=grants(scenario, values, None),
        budget_guarantee_offset=offset,
        discount_rate=values.discount_rate,
        baseline=values.baseline,
        state_benefit=state_part,
        grants_from_state=grants_from_state(scenario, values, judged),
        lines_total=total,
    )
    return in_prices(accounts, scenario)
