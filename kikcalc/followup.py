"""Follow-up: are we ahead of the plan? The scenario's projection against what was observed, period by period.

For each observation: the projection under the chosen strategy (:func:`kikcalc.observed.expected`),
the observed number, the difference, and whether that is ahead or behind: fewer persons on benefit
than planned is ahead. The difference is also priced in kroner of the municipality's net benefit
cost, at the model's own net cost per full-time person of those states in those months (so the
refusion of the persons actually projected there). Where entrants and exits are observed for the
same states and period, the gap is split into more or fewer entrants than assumed and faster or
slower exits; otherwise the split needs flow data, and the report says so.

The persons who passed through (in the states at the start, plus every entrant) and their status
are reported as Aabenraa reports KIK II: still there, or gone to each other state. A person who
leaves and comes back counts as an entrant again (the model does not follow persons).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kikcalc.engine import simulate
from kikcalc.money import anciennitet_weights, money
from kikcalc.observed import Observations, entrants, exits, expected
from kikcalc.spec import Scenario
from kikcalc.values import for_scenario


@dataclass(frozen=True)
class Line:
    """One observation against the plan."""

    label: str
    states: tuple[str, ...]
    measure: str
    period: str
    projected: float
    observed: float
    kroner: float
    """The difference in kroner of net benefit cost (observed - projected, so negative is saved): over the
    period for full-time persons, for one month at that level for persons at a date; NaN for flows."""
    kroner_unit: str
    benefit: bool = True
    """The states are benefit states (fewer is ahead); outside states (self-support) count the other way."""

    @property
    def difference(self) -> float:
        return self.observed - self.projected

    @property
    def ahead(self) -> bool | None:
        """Fewer persons than planned on benefit: ahead; more in an outside state (self-supporting): ahead.
        Fewer entrants into benefit is ahead, more exits from it too. Persons passed through: neither."""
        if abs(self.difference) < 1e-9 or self.measure == "passed_through":
            return None
        fewer_is_ahead = self.benefit != (self.measure == "exits")
        return self.difference < 0 if fewer_is_ahead else self.difference > 0


@dataclass(frozen=True)
class Split:
    """A stock gap over a period split into entrants and exits (both observed)."""

    states: tuple[str, ...]
    period: str
    more_entrants: float
    """Observed - projected entrants: persons more on benefit because more came in."""
    more_exits: float
    """Observed - projected exits: persons fewer on benefit because more left."""

    @property
    def net(self) -> float:
        return self.more_entrants - self.more_exits


@dataclass(frozen=True)
class PassedThrough:
    """Persons who passed through some states from the start to a month boundary, and where they are."""

    states: tuple[str, ...]
    until: int
    persons: float
    status: dict[str, float]
    """Share of them still in the states (``still there``) or gone to each other state."""


@dataclass(frozen=True)
class FollowUp:
    strategy: str
    lines: list[Line]
    splits: list[Split]
    missing_split: list[str]
    """Groups (states, period) with a stock observation but no entrants and exits to split it."""
    passed: list[PassedThrough]


def follow_up(scenario: Scenario, observations: Observations, strategy: int) -> FollowUp:
    """Every observation against the projection of ``strategy`` (one plain run, with flows)."""
    values = for_scenario(scenario)
    trajectory = simulate(scenario, values, anciennitet_weights(scenario), keep_stock=False,
                          keep_flows=observations.needs_flows or scenario.needs_flows)
    projected = expected(scenario, trajectory, observations)[strategy]
    net = money(scenario, values, trajectory).benefit_cost_net[strategy]  # (T, S) kr. a month, the municipality's, priced
    full_time = trajectory.full_time_persons[strategy]  # (T, S)
    lines = []
    for i, o in enumerate(observations.items):
        idx = [scenario.state_index(s) for s in o.states]
        p = o.period
        difference = o.value - projected[i]
        if o.measure == "full_time":
            months = slice(p.first, p.last + 1)
            persons = full_time[months, idx].sum()
            per_person_month = net[months, idx].sum() / persons if persons > 0 else np.nan
            kroner, unit = difference * per_person_month * (p.last + 1 - p.first), f"kr. over {p.label}"
        elif o.measure == "persons":
            month = min(max(p.boundary - 1, 0), scenario.calendar.months - 1)
            persons = full_time[month, idx].sum()
            kroner = difference * (net[month, idx].sum() / persons if persons > 0 else np.nan)
            unit = "kr. a month"
        else:
            kroner, unit = np.nan, ""
        benefit = any(scenario.states[j].is_benefit for j in idx)
        lines.append(Line(o.label, o.states, o.measure, p.label, float(projected[i]), o.value, float(kroner), unit, benefit))
    splits, missing = [], []
    def key(o) -> tuple:  # a period by its months, so 2021K1 and 2021Q1 pair
        return tuple(sorted(o.states)), o.period.first, o.period.last

    by_group = {(key(o), o.measure): i for i, o in enumerate(observations.items)}
    flow_groups = {key(o): o for o in observations.items if o.measure in ("entrants", "exits")}
    for group, o in sorted(flow_groups.items(), key=lambda item: item[0]):
        came, left = by_group.get((group, "entrants")), by_group.get((group, "exits"))
        if came is not None and left is not None:
            splits.append(Split(o.states, o.period.label, float(observations.items[came].value - projected[came]),
                                float(observations.items[left].value - projected[left])))
    split_states = {s.states for s in splits}
    missing = sorted({"+".join(o.states) for o in observations.items
                      if o.measure in ("persons", "full_time") and o.states not in split_states})
    passed = []
    for o in observations.items:
        if o.measure == "passed_through":
            idx = [scenario.state_index(s) for s in o.states]
            through = trajectory.headcount[strategy, 0, idx].sum() + entrants(scenario, trajectory, idx, 0, o.period.boundary)[strategy]
            still = trajectory.headcount[strategy, o.period.boundary, idx].sum()
            if through <= 0:
                continue  # nobody passed through: no status to share out
            gone = exits(scenario, trajectory, idx, 0, o.period.boundary)[strategy]  # (S,)
            status = {"still there": float(still / through)}
            left = max(float(through - still), 0.0)
            total_gone = gone.sum()
            for j, state in enumerate(scenario.states):
                if gone[j] > 0:
                    status[state.name] = float(left / through * gone[j] / total_gone)
            passed.append(PassedThrough(o.states, o.period.boundary, float(through), status))
    return FollowUp(scenario.strategy_names[strategy], lines, splits, missing, passed)


from kikcalc.api import callable_module  # noqa: E402  (kikcalc.api imports this module only when called)

callable_module(__name__, "followup")  # kikcalc.followup(FILE, ...) returns DataFrames: kikcalc.api.followup
