"""Reading a scenario's strategies: effects, programmes, payments per person moved, grants, and the budget guarantee.

Called by :func:`kikcalc.scenario.build` with its :class:`~kikcalc.scenario_reader.Reader`, so every
problem is reported at its key path (``strategies.kik2.effects[1].multiply``). The checks that need the
targets too (a grant's condition, a programme's target) are here as well.
"""

from __future__ import annotations

import difflib
from typing import Any

import numpy as np

from kikcalc import limits
from kikcalc.calendar import YEAR_RE, Calendar, parse_month
from kikcalc.scenario_labels import read_as
from kikcalc.scenario_reader import (
    Reader,
    any_missing,
    describe,
    did_you_mean,
    join,
    name_problem,
    read_list,
    read_window,
)
from kikcalc.spec import BudgetGuarantee, Effect, FlowCost, Grant, Programme, Strategy, Target

_STRATEGY_KEYS = ("label", "investment", "effects", "programmes", "flow_costs", "grants")
_PROGRAMME_KEYS = ("name", "label", "from", "participants", "start", "end", "duration_months", "cost_per_participant",
                   "cost_per_month", "outcomes", "dropout")
_FLOW_COST_KEYS = ("name", "from", "to", "amount", "start", "end", "cap")
_GRANT_KEYS = ("name", "amount", "paid", "if_target", "payer")
_GUARANTEE_KEYS = ("share", "states")
_OPERATIONS = ("multiply", "add", "set")
_STATE_OPERATIONS = {  # effect key -> (what it changes in a state, operation)
    "inflow_multiply": ("inflow", "multiply"), "inflow_add": ("inflow", "add"),
    "measures_cost_multiply": ("measures_cost", "multiply"), "measures_cost_set": ("measures_cost", "set"),
}
_EFFECT_NUMBERS = limits.EFFECT_NUMBERS
_EFFECT_KEYS = ("from", "to", "state", *_OPERATIONS, *_STATE_OPERATIONS, "start", "end", "ramp_months", "fade_months")


def read_strategies(reader: Reader, raw: Any, calendar: Calendar, names: list[str],
                    pairs: dict[tuple[str, str], int] | None, forms: dict[tuple[str, str], str],
                    benefit: set[str]) -> list[Strategy] | None:
    if not isinstance(raw, dict):
        reader.problem("strategies", f"expected [strategies.NAME] tables, got {describe(raw)}")
        return None
    if "baseline" not in raw:
        close = difflib.get_close_matches("baseline", list(raw), n=1, cutoff=0.6)
        if close:
            reader.problem(join("strategies", close[0]), 'no [strategies.baseline]; did you mean "baseline"?')
            return None
    bodies = {"baseline": raw.get("baseline", {"label": "Baseline"}), **raw}
    strategies: list[Strategy] = []
    ok = True
    for name, body in bodies.items():
        path, table = reader.named_table("strategies", name, body, _STRATEGY_KEYS)
        if table is None:
            ok = False
            continue
        label = reader.label(table, name, join(path, "label"))
        investment = reader.monthly_series(table.get("investment", 0), join(path, "investment"), calendar,
                                           per_year_spread=True, carry_forward=False, unit="kr.", limit=limits.KRONER)
        effects = read_list(reader, table.get("effects", []), join(path, "effects"),
                            lambda body, where: _effect(reader, body, where, calendar, names, pairs, forms, benefit))
        programmes = read_list(reader, table.get("programmes", []), join(path, "programmes"),
                               lambda body, where: _programme(reader, body, where, calendar, names, benefit))
        flow_costs = read_list(reader, table.get("flow_costs", []), join(path, "flow_costs"),
                               lambda body, where: _flow_cost(reader, body, where, calendar, names))
        grants = read_list(reader, table.get("grants", []), join(path, "grants"),
                           lambda body, where: _grant(reader, body, where, calendar))
        if any_missing(label, investment, effects, programmes, flow_costs, grants):
            ok = False
            continue
        strategies.append(Strategy(name=name, label=label, investment=investment, effects=tuple(effects),
                                   programmes=tuple(programmes), flow_costs=tuple(flow_costs), grants=tuple(grants)))
    return strategies if ok else None


def benefit_names(raw: Any) -> set[str]:
    """Names of the states the file declares as benefit states (kind benefit, the default)."""
    if not isinstance(raw, dict):
        return set()
    return {name for name, body in raw.items() if not (isinstance(body, dict) and body.get("kind") == "outside")}


def _programme(reader: Reader, body: Any, path: str, calendar: Calendar, names: list[str],
               benefit: set[str]) -> Programme | None:
    table = reader.table(body, path, _PROGRAMME_KEYS, required=("name", "from", "participants", "duration_months"))
    if table is None or not {"name", "from", "participants", "duration_months"} <= set(table):
        return None
    name = reader.string(table["name"], join(path, "name"))
    if name is not None and name_problem(name):
        reader.problem(join(path, "name"), f"a programme name {name_problem(name)}")
        name = None
    label = reader.label(table, table["name"], join(path, "label"))
    source = table["from"] if reader.known_state(table["from"], join(path, "from"), names) else None
    if source is not None and source not in benefit:
        reader.problem(join(path, "from"), f'{source} is an outside state; a programme takes its participants from a benefit state')
        source = None
    window = read_window(reader, table, path, calendar)
    capacity = None if window is None else reader.monthly_series(
        table["participants"], join(path, "participants"), calendar, per_year_spread=False, carry_forward=True,
        unit="new participants per month", limit=limits.PERSONS, first=window[0])
    if capacity is not None and isinstance(table["participants"], dict):
        for key in table["participants"]:  # a key no one can start in is a slip, not data to ignore
            months = (calendar.year_months(int(key)) if YEAR_RE.match(key)
                      else [calendar.index(parse_month(key))])
            if not any(window[0] <= t <= window[1] for t in months):
                reader.problem(join(join(path, "participants"), key),
                               f"{key} is outside the intake window {calendar.labels[window[0]]} to "
                               f"{calendar.labels[window[1]]}: no one starts then")
                capacity = None
    duration = reader.number(table["duration_months"], join(path, "duration_months"), limits.DURATION, integer=True,
                             what="a whole number of months")
    at_start = reader.number(table.get("cost_per_participant", 0), join(path, "cost_per_participant"),
                             limits.KRONER_PER_PERSON, what="an amount in kr. per participant")
    per_month = reader.number(table.get("cost_per_month", 0), join(path, "cost_per_month"), limits.KRONER_PER_PERSON,
                              what="an amount in kr. per participant per month")
    dropout = reader.number(table.get("dropout", 0), join(path, "dropout"), limits.SHARE, what="a monthly probability")
    outcomes = _outcomes(reader, table.get("outcomes", {}), join(path, "outcomes"), names)
    if any_missing(name, label, source, capacity, window, duration, at_start, per_month, dropout, outcomes):
        return None
    intake = np.zeros(calendar.months)
    intake[window[0]: window[1] + 1] = capacity[window[0]: window[1] + 1]
    return Programme(name=name, label=label, source=source, capacity=intake, duration=int(duration),
                     cost_per_participant=at_start, cost_per_month=per_month, outcomes=outcomes, dropout=dropout, path=path,
                     window=window)


def _outcomes(reader: Reader, raw: Any, path: str, names: list[str]) -> tuple[tuple[str, float], ...] | None:
    """``{ selvforsorgende = 0.75, ... }``: shares of completers by state, adding to at most 1."""
    if not isinstance(raw, dict):
        reader.problem(path, f"expected a table of shares by state, such as {{ selvforsorgende = 0.75 }}, got {describe(raw)}")
        return None
    shares = []
    for state, share in raw.items():
        value = reader.number(share, join(path, state), limits.SHARE, what="a share")
        if reader.known_state(state, join(path, state), names) and value is not None:
            shares.append((state, value))
    if len(shares) != len(raw):
        return None
    if sum(v for _, v in shares) > 1 + limits.SUM_TOLERANCE:
        reader.problem(path, f"the shares add up to {limits.show_beyond(sum(v for _, v in shares), 1.0)}; expected at most 1 "
                             f"(the rest return to the state they came from)")
        return None
    return tuple(shares)


def _flow_cost(reader: Reader, body: Any, path: str, calendar: Calendar, names: list[str]) -> FlowCost | None:
    table = reader.table(body, path, _FLOW_COST_KEYS, required=("name", "to", "amount"))
    if table is None or not {"name", "to", "amount"} <= set(table):
        return None
    name = reader.string(table["name"], join(path, "name"))
    sources = reader.state_names(table["from"], join(path, "from"), names) if "from" in table else ()
    target = table["to"] if reader.known_state(table["to"], join(path, "to"), names) else None
    amount = reader.number(table["amount"], join(path, "amount"), limits.KRONER_PER_MOVE, what="an amount in kr. per person")
    window = read_window(reader, table, path, calendar)
    cap = reader.number(table["cap"], join(path, "cap"), limits.CAP, what="a number of persons") if "cap" in table else None
    if any_missing(name, sources, target, amount, window) or ("cap" in table and cap is None):
        return None
    if target in sources:
        reader.problem(join(path, "from"), f"{target} is also the destination; a move goes from one state to another")
        return None
    return FlowCost(name=name, sources=tuple(sources), target=target, amount=amount, first=window[0], last=window[1],
                    cap=cap, path=path)


def _grant(reader: Reader, body: Any, path: str, calendar: Calendar) -> Grant | None:
    table = reader.table(body, path, _GRANT_KEYS, required=("name", "amount"))
    if table is None or not {"name", "amount"} <= set(table):
        return None
    name = reader.string(table["name"], join(path, "name"))
    if_target = reader.string(table["if_target"], join(path, "if_target")) if "if_target" in table else None
    if "paid" in table:
        month = reader.month(table["paid"], join(path, "paid"), calendar)
        value = reader.number(table["amount"], join(path, "amount"), limits.KRONER,
                              what="an amount in kr. (paid in the month of paid)")
        amount = None
        if month is not None and value is not None:
            amount = np.zeros(calendar.months)
            amount[calendar.index(month)] = value
    else:
        amount = reader.monthly_series(table["amount"], join(path, "amount"), calendar, per_year_spread=True,
                                       carry_forward=False, unit="kr.", limit=limits.KRONER)
    if any_missing(name, amount) or ("if_target" in table and if_target is None):
        return None
    return Grant(name=name, amount=amount, if_target=if_target, path=path)


def read_budget_guarantee(reader: Reader, raw: Any, names: list[str], benefit: set[str]) -> BudgetGuarantee | None:
    table = reader.table(raw, "budget_guarantee", _GUARANTEE_KEYS)
    if table is None:
        return None
    if not table:
        return BudgetGuarantee()
    missing = [k for k in _GUARANTEE_KEYS if k not in table]
    for k in missing:
        reader.problem(join("budget_guarantee", k), "missing; the offset needs its share and the guaranteed states")
    if missing:
        return None
    share = reader.number(table["share"], "budget_guarantee.share", limits.SHARE, what="a share")
    states = reader.state_names(table["states"], "budget_guarantee.states", names)
    for i, name in enumerate(states or ()):
        if name not in benefit:
            reader.problem(join("budget_guarantee.states", i) if isinstance(table["states"], list) else "budget_guarantee.states",
                           f"{name} is an outside state; the budget guarantee covers benefit states only")
            states = None
    return None if any_missing(share, states) else BudgetGuarantee(share=share, states=states)


def judged_in(target: Target, calendar: Calendar) -> int:
    """The model month by whose end a target on persons is judged: its month, or its year's last month."""
    return calendar.year_months(target.year)[-1] if target.when == "year" else target.month


def check_grant_conditions(reader: Reader, strategies: list[Strategy], targets: list[Target], calendar: Calendar) -> None:
    """A conditional grant names a target on persons: a money target would depend on the grant itself,
    and a programme target is judged only for the strategy that runs the programme. It is paid no
    earlier than the month its target is judged in: the money cannot come before the result."""
    by_name = {t.name: t for t in targets}
    for strategy in strategies:
        for grant in strategy.grants:
            if grant.if_target is None:
                continue
            where = join(grant.path, "if_target")
            target = by_name.get(grant.if_target)
            if target is None:
                hint = did_you_mean(grant.if_target, list(by_name)) or f"; targets are: {', '.join(by_name) or 'none'}"
                reader.problem(where, f'unknown target "{grant.if_target}"{hint}')
            elif target.kind in ("payback", "npv"):
                reader.problem(where, f'"{target.name}" is a money target, which depends on the grant itself; '
                                      f"a grant's condition must be a level, share, flow or programme target")
            elif target.kind == "programme" and target.programme not in {p.name for p in strategy.programmes}:
                reader.problem(where, f'"{target.name}" judges programme "{target.programme}", '
                                      f"which this strategy does not run, so the grant could never be paid")
            else:
                judged = judged_in(target, calendar)
                paid = np.flatnonzero(grant.amount)
                if paid.size and paid[0] < judged:
                    reader.problem(where, f'the grant is paid from {calendar.labels[paid[0]]}, before "{target.name}" is '
                                          f"judged in {calendar.labels[judged]}; a result-based grant is paid no earlier "
                                          f"than its target's month (give paid = \"{calendar.labels[judged]}\" or later)")


def check_programme_targets(reader: Reader, strategies: list[Strategy], targets: list[Target]) -> None:
    """A programme target names a programme of some strategy."""
    programmes = [p.name for strategy in strategies for p in strategy.programmes]
    for i, target in enumerate(targets):
        if target.kind == "programme" and target.programme not in programmes:
            hint = did_you_mean(target.programme, programmes) or f"; programmes are: {', '.join(programmes) or 'none'}"
            reader.problem(join(join("targets", i), "programme"), f'unknown programme "{target.programme}"{hint}')


def check_programme_names(reader: Reader, strategies: list[Strategy], names: list[str]) -> None:
    """Programme names are unique in the scenario, compared as labels are (``vuc`` and ``VUC`` clash): each is
    reported as a row of its own."""
    seen: dict[str, tuple[str, str]] = {}  # read_as(name): the name as first written, and where
    for strategy in strategies:
        for programme in strategy.programmes:
            first = seen.get(read_as(programme.name))
            if first is not None:
                same = "" if first[0] == programme.name else f' (as "{first[0]}": names are compared ignoring case)'
                reader.problem(join(programme.path, "name"),
                               f'a second programme named "{programme.name}"{same}; it is already at {first[1]}')
            seen.setdefault(read_as(programme.name), (programme.name, programme.path))


def _effect(reader: Reader, body: Any, path: str, calendar: Calendar, names: list[str],
            pairs: dict[tuple[str, str], int] | None, forms: dict[tuple[str, str], str], benefit: set[str]) -> Effect | None:
    """One effect; ``pairs`` maps each transition's (from, to) to its index, None if they are unknown.

    ``add`` and ``set`` are in the unit the transition is given in (a yearly hazard, a mean in
    months) and are converted here to the monthly hazard the engine uses; ``multiply`` scales the
    rate whatever its unit (so multiplying a mean_months transition by 2 halves the mean stay).
    """
    from kikcalc.transitions import effect_weight

    table = reader.table(body, path, _EFFECT_KEYS)
    if table is None:
        return None
    operations = [k for k in (*_OPERATIONS, *_STATE_OPERATIONS) if k in table]
    if len(operations) != 1:
        reader.problem(path, "expected exactly one of multiply, add, set (on a transition), "
                             "inflow_multiply, inflow_add (on a state's inflow) or "
                             "measures_cost_multiply, measures_cost_set (on a state's measure cost)"
                       + (f", got {' and '.join(operations)}" if operations else ""))
        return None
    key = operations[0]
    on, operation = _STATE_OPERATIONS.get(key, ("rate", key))
    transition = state = None
    if on != "rate":
        what = "inflow" if on == "inflow" else "measure cost"
        for wrong in ("from", "to"):
            if wrong in table:
                reader.problem(join(path, wrong), f"{key} acts on a state's {what}: name it with state, not from/to")
                return None
        if "state" not in table:
            reader.problem(join(path, "state"), f"missing; {key} needs the state whose {what} it changes")
            return None
        if not reader.known_state(table["state"], join(path, "state"), names):
            return None
        state = table["state"]
        if on == "measures_cost" and state not in benefit:
            reader.problem(join(path, "state"), f"{state} is an outside state, which has no measure cost")
            return None
    else:
        if "state" in table:
            reader.problem(join(path, "state"), f"{key} acts on a transition: name it with from and to, not state")
            return None
        missing = [k for k in ("from", "to") if k not in table]
        for k in missing:
            reader.problem(join(path, k), f"missing; {key} needs the transition (from and to) it changes")
        if missing:
            return None
        good = reader.known_state(table["from"], join(path, "from"), names)
        good &= reader.known_state(table["to"], join(path, "to"), names)
        if not good:
            return None
        transition = None if pairs is None else pairs.get((table["from"], table["to"]))
        if transition is None and pairs is not None:
            reader.problem(path, f"no transition from {table['from']} to {table['to']} is given in [[transitions]]; "
                                 f"an effect can only change a transition that exists")
            return None
    limit, what = _EFFECT_NUMBERS[on, operation]
    value = reader.number(table[key], join(path, key), limit, what=what)
    window = read_window(reader, table, path, calendar)
    ramp = reader.number(table.get("ramp_months", 0), join(path, "ramp_months"), limits.RAMP, integer=True,
                         what="a whole number of months")
    fade = reader.number(table.get("fade_months", 0), join(path, "fade_months"), limits.RAMP, integer=True,
                         what="a whole number of months")
    if any_missing(value, window, ramp, fade):
        return None
    form = forms.get((table.get("from"), table.get("to")))
    if form == "mean_months" and operation == "add":
        reader.problem(join(path, key), "add is not defined on a mean_months transition; use multiply (scales the "
                                         "rate) or set (a new mean in months)")
        return None
    if form == "mean_months" and operation == "set" and not limits.MEAN_MONTHS.holds(value):
        reader.problem(join(path, key), f"expected a mean duration in months {limits.MEAN_MONTHS.words()}, "
                                         f"got {limits.show(value)}")
        return None
    weight = effect_weight(calendar.months, window[0], window[1], int(ramp), int(fade))
    return Effect(operation=operation, value=value, weight=weight, path=path, transition=transition, state=state, on=on)
