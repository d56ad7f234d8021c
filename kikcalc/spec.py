"""The validated scenario: frozen dataclasses that everything after the file reader trusts.

Nothing in this module reads files or checks input; :mod:`kikcalc.scenario` builds these objects
once, at the boundary, and reports every problem it finds there. Series are already resolved onto
the scenario's month calendar (shape ``(T,)``) and onto anciennitet months (shape ``(A,)``, index
``a`` = completed months on benefit, the last index holding "``A-1`` months and more").
"""

from __future__ import annotations

import functools
from dataclasses import field
from typing import Any, Literal

import numpy as np

from kikcalc.calendar import Calendar
from kikcalc.records import frozen

StateKind = Literal["benefit", "outside"]
CostBasis = Literal["net", "gross"]
RateKind = Literal["probability", "hazard"]
RateForm = Literal["probability", "hazard", "hazard per year", "mean_months"]
Operation = Literal["multiply", "add", "set"]
Comparison = Literal["below", "max", "above", "min"]
Payer = Literal["municipality", "state", "public"]
GrantPayer = Literal["state", "other"]
PriceView = Literal["current", "fixed"]
PRICED_LINES = ("cost", "measures_cost", "investment", "programmes", "flow_costs", "grants")
"""The amounts a [prices] table states the price year of; ``in_current_prices`` may name the last four."""


@frozen(eq=False)
class State:
    """One state of the model: a benefit group or an outside state."""

    name: str
    label: str
    kind: StateKind
    initial: float
    """Persons at the start of the first month."""
    initial_anciennitet: np.ndarray | None
    """Mix of the initial stock over anciennitet months, shape (A,), sums to 1; None: settle it
    from the baseline's own inflow and exit rates."""
    inflow: np.ndarray
    """New persons entering during each month from outside the model, shape (T,)."""
    inflow_anciennitet: np.ndarray
    """Mix of the inflow over anciennitet months, shape (A,), sums to 1."""
    cost: float
    """Benefit cost, kr. per full-year person."""
    cost_basis: CostBasis
    measures_cost: float
    """Ordinary active-measure cost, kr. per full-year person."""
    payment_share: np.ndarray | None = None
    """The share of a full benefit paid to a person in the state in each month, 0..1, shape (T,)
    (:mod:`kikcalc.payment_share`); None: a full benefit, 1 in every month."""

    @property
    def is_benefit(self) -> bool:
        return self.kind == "benefit"


@frozen(eq=False)
class Transition:
    """A monthly move from one state to another, as the file gave it."""

    source: str
    target: str
    form: RateForm
    """How the file gives the rate: a monthly ``probability``, a monthly ``hazard``, a
    ``hazard per year`` or a ``mean_months`` stay; :mod:`kikcalc.transitions` converts it."""
    value: np.ndarray
    """The number the file gives, in its own unit, for each anciennitet month, shape (A,)."""
    path: str
    banded: bool = False
    """Whether the file gives the rate by anciennitet band (a table), so it may differ between anciennitet months."""

    @property
    def kind(self) -> RateKind:
        """``probability``: the rate is a monthly probability; ``hazard``: it converts to a monthly hazard."""
        return "probability" if self.form == "probability" else "hazard"


@frozen(eq=False)
class Effect:
    """A strategy's change to one transition's rate, or to one state's inflow or measure cost, over a window."""

    operation: Operation
    value: float
    """The number the file gives, in the unit of what it changes (a yearly hazard, a mean in months)."""
    weight: np.ndarray
    """How much of the effect acts in each month, 0..1, shape (T,): ramp, full size, fade."""
    path: str
    transition: int | None = None
    """Index into :attr:`Scenario.transitions`, for an effect on a move."""
    state: str | None = None
    """State name, for an effect on a state's inflow or measure cost."""
    on: Literal["rate", "inflow", "measures_cost"] = "rate"
    """What the effect changes: a transition's rate, a state's inflow, or its measure cost per full-year person."""


@frozen(eq=False)
class Programme:
    """A course: takes participants from a state, keeps them for some months, ends with an outcome mix."""

    name: str
    label: str
    source: str
    """The state participants are taken from, and return to (drop-outs and the rest of the outcome)."""
    capacity: np.ndarray
    """Places for new participants in each month, persons, shape (T,); 0 outside the intake window."""
    duration: int
    """Months in the programme, at least 1."""
    cost_per_participant: float
    """kr. once, when a participant starts."""
    cost_per_month: float
    """kr. for each participant in each month in the programme."""
    outcomes: tuple[tuple[str, float], ...]
    """(state, share) of those who complete; the rest return to ``source``."""
    dropout: float
    """Monthly probability of leaving the programme back to ``source``."""
    path: str
    window: tuple[int, int] = (0, 0)
    """Model month indices of the first and last month of the intake window, inclusive."""


@frozen(eq=False)
class FlowCost:
    """kr. per person moved into a state in a window: payment by results, or a one-off cost."""

    name: str
    sources: tuple[str, ...]
    """States the move comes from; empty: any other state, and inflow from outside the model."""
    target: str
    amount: float
    """kr. per person moved; negative for an income."""
    first: int
    last: int
    """Model month indices of the window, inclusive."""
    cap: float | None
    """The most persons paid for over the window; None: no cap."""
    path: str


@frozen(eq=False)
class Grant:
    """Income from the state or a fund, paid as given or only if a target is met."""

    name: str
    amount: np.ndarray
    """kr. received in each month, shape (T,), before any condition."""
    if_target: str | None
    """Name of a target that must be met for this strategy for the grant to be paid."""
    path: str
    payer: GrantPayer = "state"
    """Who pays the grant: the state (a state pool; in the state's money and the public sector's net it
    is a transfer) or another payer (a fund, the EU: income to the public sector)."""


@frozen(eq=False)
class Strategy:
    name: str
    label: str
    investment: np.ndarray
    """The strategy's extra spending in each month, kr., shape (T,)."""
    effects: tuple[Effect, ...] = ()
    programmes: tuple[Programme, ...] = ()
    flow_costs: tuple[FlowCost, ...] = ()
    grants: tuple[Grant, ...] = ()


@frozen
class BudgetGuarantee:
    """The part of a saving on guaranteed benefits that flows back through the national adjustment."""

    share: float = 0.0
    states: tuple[str, ...] = ()


@frozen(eq=False)
class Target:
    """A committee target, judged for every strategy."""

    name: str
    label: str
    kind: Literal["level", "share", "flow", "programme", "payback", "npv"]
    comparison: Comparison
    threshold: float
    states: tuple[str, ...] = ()
    """Level: the states summed. Share: the denominator's states."""
    share_of: tuple[str, ...] = ()
    """Share: the numerator's states."""
    flow_from: tuple[str, ...] = ()
    flow_to: tuple[str, ...] = ()
    """Flow: the states moved into. Programme: the outcomes counted as a success."""
    programme: str | None = None
    """Programme: the programme whose leavers are counted."""
    when: Literal["at", "year", "by", "window", "horizon"] = "horizon"
    """window: a flow target's window, or a level/share target met in any month from first to month."""
    month: int | None = None
    """Model month index for ``at`` and ``by``; last month of a flow or programme window or a payback date."""
    first: int | None = None
    """Model month index of the first month of a flow or programme window."""
    year: int | None = None
    measure: Literal["full_time", "persons", "economic"] = "full_time"
    """Level: full-time persons (the mean over a month or year), persons (the headcount at a month's end),
    or economic full-time persons (full-time persons weighted by the benefit paid). Share: full-time or economic."""
    payer: Payer = "municipality"
    """Npv: whose net saving is discounted: the municipality's, the state's or the public sector's (both)."""

    @property
    def unit(self) -> str:
        """The unit of the target's value: the one home of this naming for tables and reports."""
        if self.measure == "persons":
            return "persons"
        if self.measure == "economic" and self.kind == "level":
            return "economic full-time persons"
        return TARGET_UNITS[self.kind]


TARGET_UNITS = {"level": "full-time persons", "share": "share", "flow": "persons moved", "programme": "share",
                "payback": "month", "npv": "kr."}


@frozen
class Refusion:
    """The refusion staircase: the state's share of a gross benefit by weeks of anciennitet."""

    band_end_weeks: tuple[float, ...] = (4.0, 26.0, 52.0)
    """Last week of each band but the open last one."""
    state_share: tuple[float, ...] = (0.80, 0.40, 0.30, 0.20)
    """The state's share in each band; one more than ``band_end_weeks``."""
    weeks_per_month: float = 52.0 / 12.0
    reset_after_weeks: float = 52.0
    """Weeks of self-support in a row after which a person's anciennitet starts again from 0; until then a
    person who returns to benefit comes back with the anciennitet they left with. 0: every return starts
    again, like new inflow (kikcalc before this rule). :func:`kikcalc.refusion.reset_months` gives it in months."""


@frozen(eq=False)
class Seasons:
    """Seasonal factors and a business-cycle multiplier, resolved onto the month calendar
    (:mod:`kikcalc.scenario_seasons` reads them; :mod:`kikcalc.transitions` applies them)."""

    inflow: np.ndarray
    """The factor on each state's inflow in each month, shape (T, S); 1 where the file gives none."""
    rate: np.ndarray
    """The factor on each transition's monthly probability or hazard in each month, shape (T, n); 1 where none."""

    @property
    def seasoned_transitions(self) -> list[int]:
        """The transitions whose rate some factor other than 1 changes, in order."""
        return np.flatnonzero((self.rate != 1.0).any(axis=0)).tolist()


@frozen
class Cofinancing:
    """A-dagpenge: the state pays the benefit and the municipality co-finances a share of it by
    weeks of anciennitet, in the bands of :class:`Refusion` (``band_end_weeks``)."""

    municipal_share: tuple[float, ...] = (0.20, 0.60, 0.70, 0.80)
    """The municipality's share in each band of the refusion staircase's weeks."""
    states: tuple[str, ...] = ()
    """The states marked ``cofinancing = "a-dagpenge"``."""


@frozen(eq=False)
class Prices:
    """The price year of a scenario's amounts, its price index, and the prices money is shown in."""

    base_year: int
    """The price year of the file's amounts (but those named in ``in_current_prices``)."""
    level: np.ndarray
    """The price index of each simulated month over the base year's, shape (T,): satsregulering
    applies from each 1 January, so every month of a calendar year has that year's level."""
    in_current_prices: tuple[str, ...] = ()
    """Lines (of :data:`PRICED_LINES`) the file gives in current prices, the kroner of the year they are paid in."""
    view: PriceView = "current"
    """Money is reported in current prices (each year's kroner, as budgets are) or in fixed base-year prices."""


@frozen(eq=False)
class Scenario:
    """A validated scenario. Strategies start with the baseline."""

    name: str
    municipality: str
    source: str
    calendar: Calendar
    discount_rate: float
    states: tuple[State, ...]
    transitions: tuple[Transition, ...]
    strategies: tuple[Strategy, ...]
    targets: tuple[Target, ...]
    refusion: Refusion
    anciennitet_months: int
    """A: anciennitet is tracked in months 0..A-1, the last holding A-1 months and more."""
    budget_guarantee: BudgetGuarantee = field(default_factory=BudgetGuarantee)
    seasons: Seasons | None = None
    """Seasonal factors and a business-cycle multiplier on inflows and transitions; None: none anywhere."""
    prices: Prices | None = None
    """None: no [prices] table; every amount is taken as it stands."""
    cofinancing: Cofinancing = field(default_factory=Cofinancing)
    path: str = ""
    notes: tuple[str, ...] = field(default=())
    raw: dict = field(default_factory=dict, repr=False)
    """The file's TOML as read (after any values set by key path): what key paths name."""
    overrides: tuple[tuple[str, Any, Any], ...] = ()
    """Values set by key path when the file was loaded (``--set``): (key path, value set, the file's
    value or None if the file had none), in the order given."""

    @property
    def state_names(self) -> list[str]:
        return [s.name for s in self.states]

    def state_index(self, name: str) -> int:
        """The index of the state named ``name`` (the first, were two named alike); ValueError if none is."""
        try:
            return self._state_positions[name]
        except KeyError:
            raise ValueError(f"{name!r} is not a state") from None

    @functools.cached_property
    def _state_positions(self) -> dict[str, int]:
        """Each state name's index, found once: a model of a thousand states asks for it once per transition."""
        positions: dict[str, int] = {}
        for i, state in enumerate(self.states):
            positions.setdefault(state.name, i)
        return positions

    @property
    def needs_flows(self) -> bool:
        """Whether its targets or money count persons moved (flow targets, flow costs): a run that judges them keeps
        the engine's moves between states month by month (:attr:`kikcalc.engine.Trajectory.flows`) then."""
        return bool(self.flow_costs) or any(t.kind == "flow" for t in self.targets)

    @property
    def benefit_mask(self) -> np.ndarray:
        """True for benefit states, shape (S,)."""
        return np.array([s.is_benefit for s in self.states])

    @property
    def strategy_names(self) -> list[str]:
        return [s.name for s in self.strategies]

    @property
    def programmes(self) -> list[tuple[int, Programme]]:
        """Every programme with the index of its strategy, in strategy then file order."""
        return [(k, p) for k, strategy in enumerate(self.strategies) for p in strategy.programmes]

    @property
    def effects(self) -> list[tuple[int, Effect]]:
        """Every effect with the index of its strategy, in strategy then file order (the E axis of values)."""
        return [(k, e) for k, strategy in enumerate(self.strategies) for e in strategy.effects]

    @property
    def flow_costs(self) -> list[tuple[int, FlowCost]]:
        """Every payment per person moved with the index of its strategy (the F axis of values)."""
        return [(k, c) for k, strategy in enumerate(self.strategies) for c in strategy.flow_costs]

    @property
    def grants(self) -> list[tuple[int, Grant]]:
        """Every grant with the index of its strategy (the G axis of values)."""
        return [(k, g) for k, strategy in enumerate(self.strategies) for g in strategy.grants]
