"""A run's result: the arrays of a scenario's strategies, and the tables people read from them.

Every table is a pandas DataFrame in long ("tidy") form, so it can be filtered, pivoted or
written to a spreadsheet; :mod:`kikcalc.report` lays them out for a terminal or a file.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from kikcalc.engine import Trajectory, simulate
from kikcalc.money import Money, anciennitet_weights, programme_costs
from kikcalc.payment_share import economic_full_time_persons, programme_economic_full_time_persons
from kikcalc.records import frozen
from kikcalc.spec import Scenario
from kikcalc.targets import Verdict, judge_all, verdicts
from kikcalc.values import Values, for_scenario


def _product(levels: dict[str, list]) -> dict[str, np.ndarray]:
    """The columns of every combination of the levels, the first varying slowest: the rows of a long table
    whose numbers are a C-ordered array of shape (len(level), ...). What a pandas MultiIndex.from_product
    and reset_index give, without building the index."""
    sizes = [len(values) for values in levels.values()]
    columns = {}
    for i, (name, values) in enumerate(levels.items()):
        inner, outer = int(np.prod(sizes[i + 1:])), int(np.prod(sizes[:i]))
        columns[name] = np.tile(np.repeat(np.asarray(values), inner), outer)
    return columns


def _share_range(shares: list[float]) -> str:
    """The range of ``shares`` as whole percentages, '20% to 35%', or one where they round alike: '65%'."""
    low, high = f"{min(shares):.0%}", f"{max(shares):.0%}"
    return low if low == high else f"{low} to {high}"


SETTLED_ONE_BY_ONE = 3
"""States with a settled initial anciennitet mix up to which :attr:`Result.notes` says each one's mix; more share one note."""

@frozen(eq=False)
class Result:
    scenario: Scenario
    values: Values
    """The numbers of the run, one row per strategy."""
    trajectory: Trajectory
    accounts: Money
    verdicts: tuple[Verdict, ...]

    # --- notes -----------------------------------------------------------------------------

    @property
    def notes(self) -> list[str]:
        """What a reader of the tables should know about assumptions the run made for them."""
        notes = list(self.scenario.notes)
        anc = self.scenario.anciennitet_months
        settled = [(state.name, self.trajectory.initial_stock[0, j] / state.initial)
                   for j, state in enumerate(self.scenario.states)
                   if self.trajectory.initial_mix_settled[j] and state.initial > 0 and self._anciennitet_matters(state.name)]
        if len(settled) <= SETTLED_ONE_BY_ONE:
            notes += [f"{name}: no initial_anciennitet given; the initial stock takes the mix the baseline's inflow and "
                      f"exit rates settle into ({mix[anc - 1]:.0%} at {anc - 1}+ months, {mix[:6].sum():.0%} under 6 months)"
                      for name, mix in settled]
        else:  # one note, as the net states' below: a model of many states would say it hundreds of times
            names = ", ".join(name for name, _ in settled[:3])
            longest = _share_range([mix[anc - 1] for _, mix in settled])
            newest = _share_range([mix[:6].sum() for _, mix in settled])
            notes.append(f"{names} and {len(settled) - 3} more: no initial_anciennitet given; the initial stock of each takes "
                         f"the mix the baseline's inflow and exit rates settle into ({longest} at {anc - 1}+ months, "
                         f"{newest} under 6 months)")
        net = [s.name for s in self.scenario.states if s.is_benefit and s.cost > 0 and s.cost_basis == "net"
               and s.name not in self.scenario.cofinancing.states]
        if net and len(self.scenario.strategies) > 1:
            more = f" and {len(net) - 3} more" if len(net) > 3 else ""
            notes.append(f"the state's lines hold no refusion on {', '.join(net[:3])}{more}: "
                         f"their cost is given net of it (cost_basis = \"net\")")
        for year in self.scenario.calendar.year_list:
            n = len(self.scenario.calendar.year_months(year))
            if n < 12:
                if n == 1:
                    notes.append(f"{year} has 1 simulated month: its full-year persons are that month's "
                                 f"full-time persons, its money that month's")
                else:
                    notes.append(f"{year} has {n} simulated months: its full-year persons are the mean of "
                                 f"those months, its money the sum over them")
        return notes

    def _anciennitet_matters(self, state: str) -> bool:
        """Whether a state's anciennitet changes a number: refusion, or exit rates by anciennitet."""
        spec = self.scenario.states[self.scenario.state_index(state)]
        return spec.cost_basis == "gross" or state in self._varying_sources

    @cached_property
    def _varying_sources(self) -> frozenset[str]:
        """The states left by a transition whose rate varies with anciennitet (one pass over the transitions)."""
        return frozenset(tr.source for tr in self.scenario.transitions if np.ptp(tr.value) > 0)

    # --- tables ----------------------------------------------------------------------------

    @cached_property
    def economic_full_time_persons(self) -> np.ndarray:
        """Economic full-time persons (økonomiske fuldtidspersoner) per strategy, month and state, shape (K, T, S)."""
        return economic_full_time_persons(self.trajectory.full_time_persons, self.values)

    @property
    def partly_paid_states(self) -> list[str]:
        """Benefit states paid less than a full benefit in some month: where the two measures of persons differ."""
        share = self.values.payment_share
        return [s.name for j, s in enumerate(self.scenario.states) if s.is_benefit and (share[:, :, j] != 1).any()]

    @cached_property
    def programme_economic_full_time_persons(self) -> np.ndarray:
        """The same for each programme's participants, at their source state's share, shape (K, T, P)."""
        t = self.trajectory
        return programme_economic_full_time_persons(t.programme_full_time_persons, self.values, t.programme_source)

    def _long(self, columns: dict[str, np.ndarray], months_axis: list, programme_columns: dict[str, np.ndarray]) -> pd.DataFrame:
        """Long table of (K, T', S) arrays with strategy, time and state columns first.

        Each programme adds rows "SOURCE in PROGRAMME" for its own strategy, right after its source
        state, from ``programme_columns`` ((K, T', P) arrays); their ``part_of`` names the source
        state, whose own rows already count the participants, and their money columns are empty.
        """
        strategies, states = self.scenario.strategy_names, self.scenario.state_names
        frame = pd.DataFrame({**_product({"strategy": strategies, "_time": months_axis, "state": states}), "part_of": "",
                              **{name: np.asarray(values).reshape(-1) for name, values in columns.items()}})
        listed = self.scenario.programmes
        if not listed:
            return frame
        order = {name: 2 * j for j, name in enumerate(states)}
        parts = [frame.assign(_order=frame.state.map(order))]
        for p, (k, programme) in enumerate(listed):
            rows = pd.DataFrame({"strategy": strategies[k], "_time": months_axis, "state": f"{programme.source} in {programme.name}",
                                 "part_of": programme.source, "_order": order[programme.source] + 1,
                                 **{name: values[k, :, p] for name, values in programme_columns.items()}})
            parts.append(rows)
        position = {name: k for k, name in enumerate(strategies)}
        combined = pd.concat(parts, ignore_index=True)
        combined = combined.sort_values(["strategy", "_time", "_order"], key=lambda c: c.map(position) if c.name == "strategy" else c,
                                        kind="stable")
        return combined.drop(columns="_order").reset_index(drop=True)

    @cached_property
    def monthly(self) -> pd.DataFrame:
        """One row per strategy, month and state: persons and kr. in that month."""
        t, m = self.trajectory, self.accounts
        frame = self._long(
            {
                "headcount_end": t.headcount_end,
                "full_time_persons": t.full_time_persons,
                "economic_full_time_persons": self.economic_full_time_persons,
                "inflow": t.inflow,
                "benefit_cost_gross": m.benefit_cost_gross,
                "refusion": m.refusion,
                "benefit_cost_net": m.benefit_cost_net,
                "measures_cost": m.measures_cost,
            },
            self.scenario.calendar.labels,
            {"headcount_end": t.in_programme[:, 1:].sum(axis=-1), "full_time_persons": t.programme_full_time_persons,
             "economic_full_time_persons": self.programme_economic_full_time_persons, "inflow": t.programme_intake},
        )
        return frame.rename(columns={"_time": "month"})

    def _by_year(self, monthly: np.ndarray, how: str) -> np.ndarray:
        """Mean (persons) or sum (kroner) over each calendar year's simulated months; month axis 1 -> year axis 1."""
        return self.scenario.calendar.by_year(monthly, how)

    @cached_property
    def yearly(self) -> pd.DataFrame:
        """One row per strategy, calendar year and state: full-year persons and the year's kr."""
        t, m = self.trajectory, self.accounts
        calendar = self.scenario.calendar
        frame = self._long(
            {
                "months": np.broadcast_to(
                    np.array([len(calendar.year_months(y)) for y in calendar.year_list])[None, :, None],
                    (len(self.scenario.strategies), len(calendar.year_list), len(self.scenario.states)),
                ),
                "full_year_persons": self._by_year(t.full_time_persons, "mean"),
                "economic_full_year_persons": self._by_year(self.economic_full_time_persons, "mean"),
                "benefit_cost_gross": self._by_year(m.benefit_cost_gross, "sum"),
                "refusion": self._by_year(m.refusion, "sum"),
                "benefit_cost_net": self._by_year(m.benefit_cost_net, "sum"),
                "measures_cost": self._by_year(m.measures_cost, "sum"),
            },
            calendar.year_list,
            {"months": np.broadcast_to(np.array([len(calendar.year_months(y)) for y in calendar.year_list])[None, :, None],
                                       (len(self.scenario.strategies), len(calendar.year_list), len(self.scenario.programmes))),
             "full_year_persons": self._by_year(t.programme_full_time_persons, "mean"),
             "economic_full_year_persons": self._by_year(self.programme_economic_full_time_persons, "mean")},
        )
        return frame.rename(columns={"_time": "year"})

    def _money_lines(self) -> dict[str, np.ndarray]:
        m = self.accounts
        return {
            "benefit_cost_gross": m.benefit_cost_gross.sum(axis=-1),
            "refusion": m.refusion.sum(axis=-1),
            "benefit_cost_net": m.benefit_cost_net.sum(axis=-1),
            "measures_cost": m.measures_cost.sum(axis=-1),
            "investment": m.investment,
            "programme_cost": m.programme_cost,
            "flow_costs": m.flow_costs,
            "grants": m.grants,
            "budget_guarantee_offset": m.budget_guarantee_offset,
            "total_cost": m.total_cost,
            "net_saving": m.net_saving,
            **self._payer_lines(),
        }

    def _payer_lines(self) -> dict[str, np.ndarray]:
        """The state's money and each payer's net saving (:class:`kikcalc.money.Money`, by payer), kr., (K, T)."""
        m = self.accounts
        return {
            "state_benefit": np.zeros_like(m.investment) if m.state_benefit is None else m.state_benefit.sum(axis=-1),
            "grants_from_state": m.grants if m.grants_from_state is None else m.grants_from_state,
            "state_cost": m.state_cost,
            "net_saving_state": m.net_saving_of("state"),
            "net_saving_public": m.net_saving_of("public"),
        }

    def _money_table(self, lines: dict[str, np.ndarray], periods: list, name: str) -> pd.DataFrame:
        cumulative = np.cumsum(lines["net_saving"], axis=1)
        names = list(lines)
        at = names.index("net_saving") + 1  # the municipality's cumulative saving, then the payer lines
        lines = {**{k: lines[k] for k in names[:at]}, "cumulative_net_saving": cumulative, **{k: lines[k] for k in names[at:]}}
        return pd.DataFrame({**_product({"strategy": self.scenario.strategy_names, name: periods}),
                             **{k: v.reshape(-1) for k, v in lines.items()}})

    @cached_property
    def money(self) -> pd.DataFrame:
        """One row per strategy and calendar year: every money line in kr., saving against the baseline."""
        yearly = {name: self._by_year(values, "sum") for name, values in self._money_lines().items()}
        return self._money_table(yearly, self.scenario.calendar.year_list, "year")

    @cached_property
    def monthly_money(self) -> pd.DataFrame:
        """One row per strategy and month: every money line in kr.; the payback month can be read off it."""
        return self._money_table(self._money_lines(), self.scenario.calendar.labels, "month")

    @cached_property
    def summary(self) -> pd.DataFrame:
        """One row per strategy: investment, saving, payback month, net present value, return per krone."""
        m = self.accounts
        payback = m.payback_month
        is_baseline = m.baseline == np.arange(len(payback))
        labels = self.scenario.calendar.labels
        return pd.DataFrame(
            {
                "strategy": self.scenario.strategy_names,
                "label": [s.label for s in self.scenario.strategies],
                "investment": m.investment.sum(axis=1),
                "programme_cost": m.programme_cost.sum(axis=1),
                "flow_costs": m.flow_costs.sum(axis=1),
                "spending": m.spending.sum(axis=1),
                "grants": m.grants.sum(axis=1),
                "grants_if_met": m.grants_if_met.sum(axis=1),
                "net_saving": m.net_saving.sum(axis=1),
                "payback_month": [None if is_baseline[k] or p < 0 else labels[p] for k, p in enumerate(payback)],
                "never_behind": [None if is_baseline[k] else bool(v) for k, v in enumerate(m.never_behind)],
                "npv": m.npv,
                "return_per_krone": m.return_per_krone,
                "net_saving_state": m.net_saving_of("state").sum(axis=1),
                "net_saving_public": m.net_saving_of("public").sum(axis=1),
                "npv_state": m.npv_of("state"),
                "npv_public": m.npv_of("public"),
            }
        )

    @cached_property
    def programmes(self) -> pd.DataFrame:
        """One row per programme, in the strategy that runs it: who started, left and reached an outcome, at what cost.

        ``reached_outcome`` counts leavers to the programme's outcome states other than the one they
        came from; ``success_share`` is its share of all leavers (drop-outs included), as a programme
        target judges it over the horizon. Costs are the programme's own (per participant and per
        month), over the horizon, undiscounted.
        """
        t, s = self.trajectory, self.scenario
        cost = programme_costs(self.values, t).sum(axis=1)  # (K, P)
        rows = []
        for p, (k, programme) in enumerate(s.programmes):
            leavers = t.programme_leavers[k, :, p].sum(axis=0)  # (S,)
            outcome_states = [s.state_index(name) for name, _ in programme.outcomes if name != programme.source]
            started, left, reached = t.programme_intake[k, :, p].sum(), leavers.sum(), leavers[outcome_states].sum()
            rows.append({
                "strategy": s.strategies[k].name, "programme": programme.name, "label": programme.label,
                "from": programme.source, "started": started, "still_in": t.in_programme[k, -1, p].sum(), "left": left,
                "reached_outcome": reached, "success_share": reached / left if left > 0 else np.nan,
                "cost": cost[k, p], "cost_per_start": cost[k, p] / started if started > 0 else np.nan,
                "cost_per_outcome": cost[k, p] / reached if reached > 0 else np.nan,
            })
        return pd.DataFrame(rows, columns=["strategy", "programme", "label", "from", "started", "still_in", "left",
                                           "reached_outcome", "success_share", "cost", "cost_per_start", "cost_per_outcome"])

    @cached_property
    def targets(self) -> pd.DataFrame:
        """One row per target (by name) and strategy: the verdict. Payback values and thresholds are months."""
        labels = self.scenario.calendar.labels
        rows = []
        for v in self.verdicts:
            as_month = v.kind == "payback"
            rows.append(
                {
                    "name": v.target,
                    "label": v.label,
                    "strategy": v.strategy,
                    "unit": v.unit,
                    "comparison": v.comparison,
                    "value": (labels[int(v.value)] if as_month and v.value is not None else v.value),
                    "threshold": labels[int(v.threshold)] if as_month else v.threshold,
                    "met": v.met,
                    "margin": v.margin,
                    "first_month_met": None if v.first_month_met is None else labels[v.first_month_met],
                }
            )
        return pd.DataFrame(rows, columns=["name", "label", "strategy", "unit", "comparison", "value", "threshold",
                                           "met", "margin", "first_month_met"])

    @cached_property
    def flows(self) -> np.ndarray:
        """Persons moved from state s to state j during each month, shape (R, T, S, S), zero diagonal
        (:attr:`kikcalc.engine.Trajectory.flows`). A run keeps them only where its targets or money count persons
        moved (:attr:`kikcalc.spec.Scenario.needs_flows`), since they grow with the square of the states (2.4 GB for a
        model of 800 states over 20 years); else they are the run's rows run again, keeping them (the same numbers)."""
        if self.trajectory.flows is not None:
            return self.trajectory.flows
        return simulate(self.scenario, self.values, anciennitet_weights(self.scenario), keep_stock=False).flows

    @cached_property
    def stock(self) -> np.ndarray:
        """Persons not in a programme at the start of each month and after the last, by anciennitet month, shape
        (R, T+1, S, A) (:attr:`kikcalc.engine.Trajectory.stock`). A run does not keep them, since they grow with the
        states, months, strategies and anciennitet months at once (411 MB for 250 states, 61 strategies and 240
        months); the run's rows are run again, keeping them (the same numbers), the first time they are asked for."""
        if self.trajectory.stock is not None:
            return self.trajectory.stock
        return simulate(self.scenario, self.values, anciennitet_weights(self.scenario), keep_stock=True,
                        keep_flows=False).stock

    def strategy(self, name: str) -> int:
        """Index of a strategy by name (:class:`~kikcalc.errors.UnknownStrategy`, a KeyError, if there is none)."""
        names = self.scenario.strategy_names
        if name not in names:
            from kikcalc.api import unknown_strategy
            from kikcalc.errors import UnknownStrategy

            raise UnknownStrategy(unknown_strategy(name, names, self.scenario.path))
        return names.index(name)


def run(scenario: Scenario | str | Path) -> Result:
    """Run every strategy of a scenario (a validated Scenario, or a path to a scenario file): a
    :class:`Result` whose tables are DataFrames. ``kikcalc.run``; kikcalc.api's other entry points are for the
    other commands, and ``kikcalc run`` does not import them."""
    if not isinstance(scenario, Scenario):
        from kikcalc.scenario import load

        scenario = load(scenario)
    return run_scenario(scenario)


def run_scenario(scenario: Scenario, values: Values | None = None) -> Result:
    """Simulate a validated scenario (one row per strategy; its own numbers unless ``values`` are
    given) and judge its targets.

    Targets on persons are judged first, because a grant may be paid only if one is met; the
    money targets are judged on the money that follows.
    """
    values = for_scenario(scenario) if values is None else values
    trajectory = simulate(scenario, values, anciennitet_weights(scenario), keep_stock=False, keep_flows=scenario.needs_flows)
    judged, accounts = judge_all(scenario, values, trajectory)
    return Result(scenario=scenario, values=values, trajectory=trajectory, accounts=accounts,
                  verdicts=tuple(verdicts(scenario, values, judged)))
