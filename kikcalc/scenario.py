"""Reading and validating scenario files: the boundary between a TOML file and the model.

:func:`load` reads a file, checks every key and value once, and returns a frozen
:class:`~kikcalc.spec.Scenario`. Problems are collected with their key path (for example
``strategies.kik2.effects[1].multiply``; list positions count from 0) and raised together as
one :class:`~kikcalc.errors.ScenarioError`. Nothing after this module checks the file again.
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from kikcalc import (
    aftereffects,
    keypaths,
    limits,
    scenario_anciennitet,
    scenario_labels,
    scenario_payment,
    scenario_public,
    scenario_seasons,
    textfile,
)
from kikcalc.calendar import Calendar, format_month
from kikcalc.errors import Problem, ScenarioError
from kikcalc.limits import LONGEST_ANCIENNITET
from kikcalc.scenario_reader import (  # noqa: F401  (band_range, describe, join and Reader are read from here too)
    BAND_RE,
    WHOLE_RE,
    Reader,
    any_missing,
    band_array,
    band_range,
    describe,
    join,
    mix_array,
)
from kikcalc.scenario_strategies import (
    benefit_names,
    check_grant_conditions,
    check_programme_names,
    check_programme_targets,
    read_budget_guarantee,
    read_strategies,
)
from kikcalc.scenario_targets import read_targets
from kikcalc.spec import Refusion, Scenario, State, Transition

DEFAULT_DISCOUNT_RATE = 0.035
LAST_ANCIENNITET_BAND = 13
"""Anciennitet is tracked in months 0..13 at least, 13 meaning "13 months and more"."""
SET_MARK = " (given by --set)"
"""Ends the message of a problem at, or inside, a value set by key path."""

_TOP_KEYS = ("scenario", "states", "transitions", "strategies", "targets", "refusion", "budget_guarantee", "uncertainty",
             "correlations", "observed", "prices", "cofinancing")
_SCENARIO_KEYS = ("name", "municipality", "start", "end", "discount_rate", "source")
_STATE_KEYS = (
    "label", "kind", "initial", "initial_anciennitet", "inflow", "inflow_anciennitet",
    "cost", "cost_basis", "measures_cost", "cofinancing", *scenario_seasons.KEYS,
    "payment_share",
)
_RATE_KEYS = ("probability", "hazard", "mean_months")
_TRANSITION_KEYS = ("from", "to", *_RATE_KEYS, "per", *scenario_seasons.KEYS)
_REFUSION_KEYS = ("band_end_weeks", "state_share", "weeks_per_month", *scenario_anciennitet.KEYS)


def _anciennitet_months(raw: dict) -> int:
    """A: one more than the longest anciennitet month any band, mix or refusion step of the file names."""
    longest = LAST_ANCIENNITET_BAND
    refusion = raw.get("refusion") if isinstance(raw.get("refusion"), dict) else {}
    weeks, per_month = refusion.get("band_end_weeks"), refusion.get("weeks_per_month", Refusion().weeks_per_month)
    if (isinstance(weeks, list) and weeks and all(limits.finite(w) for w in weeks)
            and limits.finite(per_month) and limits.WEEKS_PER_MONTH.holds(per_month)):
        # The month in which the last step is reached must be tracked on its own, and one more after it.
        longest = max(longest, math.ceil(max(weeks) / per_month - 1e-9) + 1)
    for state in (raw.get("states") or {}).values() if isinstance(raw.get("states"), dict) else ():
        for key in ("initial_anciennitet", "inflow_anciennitet"):
            mix = state.get(key) if isinstance(state, dict) else None
            if isinstance(mix, dict):
                longest = max([longest, *(int(k) for k in mix if WHOLE_RE.match(str(k)))])
    for transition in raw.get("transitions") or () if isinstance(raw.get("transitions"), list) else ():
        for key in _RATE_KEYS:
            table = transition.get(key) if isinstance(transition, dict) else None
            if isinstance(table, dict):
                for band in table:
                    match = BAND_RE.match(band)
                    if match:
                        longest = max(longest, int(match.group(1)), int(match.group(2) or 0) + 1)
    # A month past the longest tracked is reported where it is named; memory stays bounded meanwhile.
    return min(longest, LONGEST_ANCIENNITET + 1) + 1


def read(path: str | Path) -> dict:
    """The raw TOML of a scenario file; a missing, unreadable or malformed file is a ScenarioError.

    The file is opened safely and decoded by :mod:`kikcalc.textfile` (no pipes or devices, at most 16 MiB,
    UTF-8 or marked UTF-16), and its tables are nested no deeper than :data:`kikcalc.limits.DEPTH`.
    """
    return textfile.parse(textfile.read_text(path), str(path))


def load(path: str | Path, overrides: Iterable[tuple[str, Any]] = ()) -> Scenario:
    """Read and validate a scenario file; raises ScenarioError listing every problem found.

    ``overrides`` are (key path, value) pairs (or a mapping, or "PATH=VALUE" texts) set in the raw TOML
    before it is validated
    (``--set PATH=VALUE``), so a value set by key path means what it means in the file. A path that
    names nothing in the file, or a value the file's rules refuse, is a problem like any other;
    the latter is marked "(given by --set)". The Scenario records them in ``overrides``.
    """
    if not isinstance(path, str | bytes | os.PathLike):
        raise TypeError(f"expected a scenario file's path (a str or pathlib.Path) or a loaded kikcalc.Scenario, got "
                        f"{type(path).__name__}" + ("; a table of a scenario's values, as TOML reads it, is checked "
                                                     "and built with kikcalc.scenario.build(table)"
                                                     if isinstance(path, Mapping) else ""))
    path = os.fsdecode(path)  # a path given as bytes is named as text in every message, not as b'...'
    overrides = overrides_list(overrides)
    text = textfile.read_text(path)
    raw = textfile.parse(text, str(path))
    slips = textfile.thousands_points(text, raw)  # 120.000 kr.: TOML's 120.0
    if not overrides:
        return _build_with(raw, str(path), slips)
    raw, applied = _override(raw, overrides, str(path))
    slips = [p for p in slips if not any(keypaths.within(p.path, where) for where, _, _ in applied)]
    try:
        scenario = _build_with(raw, str(path), slips)
    except ScenarioError as error:
        problems = [_marked_as_set(p, applied) for p in error.problems]
        if any(not p.message.endswith(SET_MARK) for p in problems):  # a problem a set value may have caused elsewhere
            problems.append(Problem("", "with the values set: " + ", ".join(
                f"{where} = {keypaths.format_value(value)}" for where, value, _ in applied)))
        raise ScenarioError(error.file, problems) from None
    return dataclasses.replace(scenario, overrides=applied)


def with_overrides(scenario: Scenario, overrides: Iterable[tuple[str, Any]]) -> Scenario:
    """A built scenario with values set by key path, as :func:`load` sets them (its own overrides kept first)."""
    overrides = overrides_list(overrides)
    if not overrides:
        return scenario
    raw, applied = _override(scenario.raw, overrides, scenario.path)
    return dataclasses.replace(_build_with(raw, scenario.path, []), overrides=(*scenario.overrides, *applied))


def _build_with(raw: dict, file: str, problems: list[Problem]) -> Scenario:
    """:func:`build`, with problems found in the file's text reported first, together with its own."""
    try:
        scenario = build(raw, file)
    except ScenarioError as error:
        raise ScenarioError(file, [*problems, *error.problems]) from None
    if problems:
        raise ScenarioError(file, problems)
    return scenario


def _override(raw: dict, overrides: Iterable[tuple[str, Any]], file: str) -> tuple[dict, tuple[tuple[str, Any, Any], ...]]:
    """The raw table with every override set, and (path, value, the file's value or None) for each."""
    applied: list[tuple[str, Any, Any]] = []
    problems: list[Problem] = []
    changed = raw
    try:
        pairs = _as_pairs(overrides)
    except keypaths.KeyPathError as error:
        raise ScenarioError(file, [Problem(error.path, error.message)]) from None
    for path, value in pairs:
        try:
            where = keypaths.canonical(path)
            if where in (p for p, _, _ in applied):
                raise keypaths.KeyPathError(where, "set twice; give each key path once")
            for earlier, _, _ in applied:  # one inside the other: the later would undo or replace the earlier
                if keypaths.within(where, earlier) or keypaths.within(earlier, where):
                    raise keypaths.KeyPathError(where, f"set together with {earlier}, and one holds the other (a table "
                                                       f"and an entry of it); give one of the two")
            changed = keypaths.assign(changed, where, value)
        except keypaths.KeyPathError as error:
            problems.append(Problem(error.path, f"{error.message}{SET_MARK}"))
            continue
        try:
            in_file = keypaths.get(raw, where)
        except keypaths.KeyPathError:
            in_file = None
        applied.append((where, value, in_file))
    if problems:
        raise ScenarioError(file, problems)
    return changed, tuple(applied)


def overrides_list(overrides: Any) -> list:
    """The overrides as given, as a list of items (pairs or "PATH=VALUE" texts), each checked by :func:`_as_pairs`:
    None or nothing is none; one "PATH=VALUE" text, or one (key path, value) pair, is one; a mapping or a pandas
    Series (key path to value) is its items."""
    if overrides is None:
        return []
    if isinstance(overrides, str):
        return [overrides]
    if isinstance(overrides, Mapping) or (type(overrides).__name__ == "Series" and hasattr(overrides, "items")):
        return list(overrides.items())
    if isinstance(overrides, tuple) and len(overrides) == 2 and isinstance(overrides[0], str) and "=" not in overrides[0]:
        return [overrides]  # ("a.b", 1.6): one pair, not two items (a key path has no =, a "PATH=VALUE" text has)
    if not isinstance(overrides, Iterable) or type(overrides).__name__ in ("DataFrame", "ndarray"):
        raise TypeError(f"overrides: expected (key path, value) pairs, a dict of key path to value, or \"PATH=VALUE\" "
                        f"texts, got {type(overrides).__name__}")
    return list(overrides)


def _as_pairs(overrides: Any) -> list[tuple[str, Any]]:
    """Overrides as (key path, value) pairs: from pairs, a mapping, or "PATH=VALUE" texts (as ``--set`` takes
    them). Table keys become text, as TOML's are (``{2021: 5}`` means ``{"2021": 5}``)."""
    pairs = []
    for item in overrides_list(overrides):
        if isinstance(item, str):
            pairs.append(keypaths.parse_assignment(item))
        elif isinstance(item, tuple | list) and len(item) == 2 and not isinstance(item[0], str):
            raise keypaths.KeyPathError(str(item[0]), f"expected a key path as text, such as "
                                                      f"strategies.kik2.investment, got {type(item[0]).__name__}")
        elif isinstance(item, tuple | list) and len(item) == 2:
            try:
                value = _text_keys(item[1])
                shape = limits.document_problems([value])  # iterative: nothing below recurses into it unchecked
            except RecursionError:
                shape = [Problem("", f"tables and lists nested more than {limits.DEPTH} levels deep")]
            if shape:
                raise keypaths.KeyPathError(str(item[0]), f"the value set: {shape[0].message}")
            pairs.append((item[0], value))
        else:
            raise keypaths.KeyPathError(str(item), 'expected a (key path, value) pair or "PATH=VALUE"')
    return pairs


def _text_keys(value: Any) -> Any:
    """A value as TOML would give it: text keys, Python numbers (not numpy's), lists."""
    if isinstance(value, dict):
        return {str(key): _text_keys(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_text_keys(item) for item in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):  # a numpy array is the list (or, 0-d, the number) it holds
        return _text_keys(value.tolist())
    return value


def _marked_as_set(problem: Problem, applied: tuple[tuple[str, Any, Any], ...]) -> Problem:
    """A problem at (or inside) a value set by key path says so."""
    if any(keypaths.within(problem.path, path) for path, _, _ in applied):
        return Problem(problem.path, f"{problem.message}{SET_MARK}")
    return problem


def build(raw: dict, file: str = "<scenario>") -> Scenario:
    """Validate a scenario's raw TOML table and build the frozen spec."""
    shape = limits.document_problems(raw)  # before anything walks it: depth, entries, keys
    if shape:
        raise ScenarioError(file, shape)
    reader = Reader()
    scenario = _build(reader, raw)
    if reader.problems or scenario is None:
        raise ScenarioError(file, reader.problems)
    problems = aftereffects.problems(scenario)  # rates, inflows and measure costs after effects, month by month
    if problems:
        raise ScenarioError(file, problems)
    scenario = dataclasses.replace(scenario, path=file, raw=raw)
    problems = []
    if "uncertainty" in raw or "correlations" in raw:
        from kikcalc.uncertainty import read as read_uncertainty

        problems += read_uncertainty(scenario)[1]
    if "observed" in raw:
        from kikcalc.observed import from_scenario

        problems += from_scenario(scenario)[1]
    if problems:
        raise ScenarioError(file, problems)
    return scenario


def _build(reader: Reader, raw: dict) -> Scenario | None:
    if not raw:
        reader.problem("", "the file holds no keys: a scenario needs a [scenario] table and at least one "
                           "[states.NAME] table (docs/scenario-format.md)")
        return None
    reader.table(raw, "", _TOP_KEYS, required=("scenario", "states"))
    if "scenario" not in raw:  # its keys are not reported missing one by one as well
        return None
    head = reader.table(raw.get("scenario", {}), "scenario", _SCENARIO_KEYS, required=("name", "start", "end"))
    if head is None:
        return None
    name = reader.string(head["name"], "scenario.name", visible=True) if "name" in head else None
    start = reader.month(head["start"], "scenario.start") if "start" in head else None
    end = reader.month(head["end"], "scenario.end") if "end" in head else None
    if start is None or end is None:
        return None
    if end < start:
        reader.problem("scenario.end", f"the end month {format_month(end)} is before the start month {format_month(start)}")
        return None
    if end - start + 1 > limits.MONTHS_IN_HORIZON:
        reader.problem("scenario.end", f"the horizon {format_month(start)} to {format_month(end)} is "
                                       f"{limits.show(end - start + 1)} months; at most {limits.show(limits.MONTHS_IN_HORIZON)} "
                                       f"(100 years)")
        return None
    calendar = Calendar(start, end)
    discount_rate = DEFAULT_DISCOUNT_RATE
    if "discount_rate" in head:
        discount_rate = reader.number(head["discount_rate"], "scenario.discount_rate", limits.SHARE,
                                      what="a yearly rate (0.035 for 3.5 %)")
    municipality = reader.string(head.get("municipality", ""), "scenario.municipality")
    source = reader.string(head.get("source", ""), "scenario.source")

    anc = _anciennitet_months(raw)
    if not _within_size(reader, raw, calendar, anc):
        return None
    states = scenario_payment.with_payment_shares(reader, raw.get("states"), _states(reader, raw.get("states"), calendar, anc),
                                                  calendar)
    if states is None and not (isinstance(raw.get("states"), dict) and raw["states"]):
        return None
    # A state with a problem still has its name: the rest of the file is checked against the names.
    names = [s.name for s in states] if states is not None else list(raw["states"])
    transitions = _transitions(reader, raw.get("transitions", []), names, anc)
    pairs = ({(t.source, t.target): i for i, t in enumerate(transitions)} if transitions is not None
             else _named_pairs(raw.get("transitions", [])))
    benefit = benefit_names(raw.get("states"))
    strategies = read_strategies(reader, raw.get("strategies", {}), calendar, names, pairs,
                                 _rate_forms(raw.get("transitions", [])), benefit)
    targets = read_targets(reader, raw.get("targets", []), calendar, names)
    refusion = _refusion(reader, raw.get("refusion", {}))
    guarantee = read_budget_guarantee(reader, raw.get("budget_guarantee", {}), names, benefit)
    seasons = scenario_seasons.read(reader, raw, calendar)
    prices, cofinancing, strategies, targets = scenario_public.read(reader, raw, calendar, refusion, strategies, targets)
    if states is not None:
        scenario_labels.check(reader, "states", "state", [(st.name, st.label) for st in states], raw.get("states"))
    if strategies is not None:
        scenario_labels.check(reader, "strategies", "strategy", [(st.name, st.label) for st in strategies],
                              raw.get("strategies"))
    if strategies is not None and targets is not None:
        check_grant_conditions(reader, strategies, targets, calendar)
        check_programme_names(reader, strategies, names)
        check_programme_targets(reader, strategies, targets)
    if any_missing(states, transitions, strategies, targets, refusion, guarantee, cofinancing, name, discount_rate, municipality,
                   source) or ("prices" in raw and prices is None):
        return None
    notes = ()
    if (isinstance(raw.get("strategies"), dict) and "baseline" not in raw["strategies"]) or "strategies" not in raw:
        notes = ("no [strategies.baseline] in the file: the baseline is the scenario without effects or investment",)
    scenario = Scenario(
        notes=notes, name=name, municipality=municipality, source=source, calendar=calendar,
        discount_rate=discount_rate, states=tuple(states), transitions=tuple(transitions),
        strategies=tuple(strategies), targets=tuple(targets), refusion=refusion, anciennitet_months=anc,
        budget_guarantee=guarantee, seasons=seasons, prices=prices, cofinancing=cofinancing,
    )
    scenario_seasons.check(reader, scenario, raw)
    if scenario.needs_flows and not _flows_within_size(reader, scenario):
        return None
    return scenario


def _flows_within_size(reader: Reader, scenario: Scenario) -> bool:
    """Where a flow target or a flow cost counts persons moved, at most :data:`~kikcalc.limits.MODEL_CELLS` moves
    between states month by month (:func:`kikcalc.limits.flows_problem`), reported at the first that counts them."""
    flow_target = next((i for i, t in enumerate(scenario.targets) if t.kind == "flow"), None)
    if flow_target is not None:
        path, counting = f"targets[{flow_target}]", "a flow target"
    else:
        strategy = next(s for s in scenario.strategies if s.flow_costs)
        path, counting = f"strategies.{strategy.name}.flow_costs", "a flow cost"
    problem = limits.flows_problem(len(scenario.strategies), scenario.calendar.months, len(scenario.states), counting)
    if problem is not None:
        reader.problem(path, problem)
    return problem is None


def _within_size(reader: Reader, raw: dict, calendar: Calendar, anc: int) -> bool:
    """At most :data:`~kikcalc.limits.STATES` states and :data:`~kikcalc.limits.STRATEGIES` strategies, and a
    model of at most :data:`~kikcalc.limits.MODEL_CELLS` (:func:`kikcalc.limits.model_cells`)."""
    states = raw.get("states") if isinstance(raw.get("states"), dict) else {}
    strategies = raw.get("strategies") if isinstance(raw.get("strategies"), dict) else {}
    ok = True
    for section, table, most in (("states", states, limits.STATES), ("strategies", strategies, limits.STRATEGIES)):
        if len(table) > most:
            reader.problem(section, f"{limits.show(len(table))} [{section}.NAME] tables; at most {limits.show(most)}")
            ok = False
    n_strategies = len(strategies) + ("baseline" not in strategies)
    n_transitions = len(raw["transitions"]) if isinstance(raw.get("transitions"), list) else 0
    cells = limits.model_cells(n_strategies, calendar.months, len(states), n_transitions, anc)
    if ok and cells > limits.MODEL_CELLS:
        reader.problem("", f"the model is too large: {n_strategies} strategies x {anc} anciennitet months x "
                           f"({calendar.months} months x {len(states)} states + {n_transitions} transitions) = "
                           f"{limits.show(cells)}; at most {limits.show(limits.MODEL_CELLS)} (shorten the horizon, "
                           f"or track fewer anciennitet months)")
        ok = False
    return ok


def _states(reader: Reader, raw: Any, calendar: Calendar, anc: int) -> list[State] | None:
    if not isinstance(raw, dict) or not raw:
        reader.problem("states", "expected at least one [states.NAME] table")
        return None
    states: list[State] = []
    ok = True
    for name, body in raw.items():
        path, table = reader.named_table("states", name, body, _STATE_KEYS)
        if table is None:
            ok = False
            continue
        kind = reader.string(table.get("kind", "benefit"), join(path, "kind"), ("benefit", "outside"))
        label = reader.label(table, name, join(path, "label"))
        initial = reader.number(table.get("initial", 0), join(path, "initial"), limits.PERSONS, what="a number of persons")
        inflow = reader.monthly_series(table.get("inflow", 0), join(path, "inflow"), calendar,
                                       per_year_spread=False, carry_forward=True, unit="persons per month",
                                       limit=limits.PERSONS)
        cost = reader.number(table.get("cost", 0), join(path, "cost"), limits.KRONER_PER_PERSON,
                             what="an amount in kr. per full-year person")
        basis = reader.string(table.get("cost_basis", "net"), join(path, "cost_basis"), ("net", "gross"))
        measures = reader.number(table.get("measures_cost", 0), join(path, "measures_cost"), limits.KRONER_PER_PERSON,
                                 what="an amount in kr. per full-year person")
        initial_mix = inflow_mix = None
        if "initial_anciennitet" in table:
            shares = reader.mix(table["initial_anciennitet"], join(path, "initial_anciennitet"))
            initial_mix = None if shares is None else mix_array(shares, anc)
            ok &= shares is not None
        shares = reader.mix(table.get("inflow_anciennitet", {"0": 1.0}), join(path, "inflow_anciennitet"))
        if shares is not None:
            inflow_mix = mix_array(shares, anc)
        if kind == "outside":
            for key in ("cost", "cost_basis", "measures_cost", "initial_anciennitet", "inflow_anciennitet"):
                if key in table:
                    reader.problem(join(path, key), 'only a benefit state has this; this state is kind = "outside"')
                    ok = False
        if any_missing(kind, label, initial, inflow, cost, basis, measures, inflow_mix):
            ok = False
            continue
        states.append(State(name=name, label=label, kind=kind, initial=initial, initial_anciennitet=initial_mix,
                            inflow=inflow, inflow_anciennitet=inflow_mix, cost=cost, cost_basis=basis,
                            measures_cost=measures))
    return states if ok else None


def _transitions(reader: Reader, raw: Any, names: list[str], anc: int) -> list[Transition] | None:
    if not isinstance(raw, list):
        reader.problem("transitions", f"expected a list of [[transitions]] tables, got {describe(raw)}")
        return None
    transitions: list[Transition] = []
    seen: dict[tuple[str, str], str] = {}
    ok = True
    for i, body in enumerate(raw):
        path = join("transitions", i)
        table = reader.table(body, path, _TRANSITION_KEYS, required=("from", "to"))
        if table is None:
            ok = False
            continue
        source, target = table.get("from"), table.get("to")
        good = "from" in table and reader.known_state(source, join(path, "from"), names)
        good &= "to" in table and reader.known_state(target, join(path, "to"), names)
        if good and source == target:
            reader.problem(join(path, "to"), "a transition must lead to another state; staying is what is left over")
            good = False
        if good and (source, target) in seen:
            reader.problem(path, f"a second transition from {source} to {target}; it is already given at {seen[source, target]}")
            good = False
        given = [k for k in _RATE_KEYS if k in table]
        if len(given) != 1:
            reader.problem(path, "expected exactly one of probability, hazard or mean_months"
                           + (f", got {' and '.join(given)}" if given else ""))
            ok = False
            continue
        key = given[0]
        per = reader.string(table.get("per", "month"), join(path, "per"), ("month", "year"))
        if "per" in table and key != "hazard":
            reader.problem(join(path, "per"), "per goes only with hazard")
            per = None
        if key == "probability":
            bands = reader.bands(table[key], join(path, key), "a monthly probability", limits.SHARE)
        elif key == "hazard" and per == "year":
            bands = reader.bands(table[key], join(path, key), "a yearly hazard", limits.HAZARD_PER_YEAR)
        elif key == "hazard":
            bands = reader.bands(table[key], join(path, key), "a monthly hazard", limits.HAZARD)
        else:
            bands = reader.bands(table[key], join(path, key), "a mean duration in months", limits.MEAN_MONTHS)
        if not good or bands is None or per is None:
            ok = False
            continue
        seen[source, target] = path
        form = "hazard per year" if key == "hazard" and per == "year" else key
        transitions.append(Transition(source=source, target=target, form=form, value=band_array(bands, anc), path=path,
                                      banded=isinstance(table[key], dict)))
    return transitions if ok else None


def _rate_forms(raw: Any) -> dict[tuple[str, str], str]:
    """How each [[transitions]] table gives its rate: probability, hazard, hazard per year, mean_months."""
    forms = {}
    for t in raw if isinstance(raw, list) else []:
        if isinstance(t, dict) and isinstance(t.get("from"), str) and isinstance(t.get("to"), str):
            given = [k for k in _RATE_KEYS if k in t]
            form = given[0] if len(given) == 1 else "unknown"
            if form == "hazard" and t.get("per") == "year":
                form = "hazard per year"
            forms[t["from"], t["to"]] = form
    return forms


def _named_pairs(raw: Any) -> dict[tuple[str, str], int] | None:
    """(from, to) of every [[transitions]] table, read or not, for checking effects when one has a problem.

    An effect on a transition that has a problem of its own is not a second problem. None when some
    transition lacks a from or to state: which transition an effect means cannot then be told.
    """
    tables = raw if isinstance(raw, list) else []
    if not all(isinstance(t, dict) and isinstance(t.get("from"), str) and isinstance(t.get("to"), str) for t in tables):
        return None
    return {(t["from"], t["to"]): -1 for t in tables}


def _refusion(reader: Reader, raw: Any) -> Refusion | None:
    table = reader.table(raw, "refusion", _REFUSION_KEYS)
    if table is None:
        return None
    default = Refusion()
    weeks = table.get("band_end_weeks", list(default.band_end_weeks))
    shares = table.get("state_share", list(default.state_share))
    ok = _refusion_weeks(reader, weeks)
    if not isinstance(shares, list):
        reader.problem("refusion.state_share", f"expected a list of shares between 0 and 1, got {describe(shares)}")
        ok = False
    elif not all([reader.number(s, join("refusion.state_share", i), limits.SHARE, what="a share") is not None
                  for i, s in enumerate(shares)]):
        ok = False
    elif ok and len(shares) != len(weeks) + 1:
        reader.problem("refusion.state_share", f"expected {len(weeks) + 1} shares (one per band, the last open-ended), "
                                               f"got {len(shares)}")
        ok = False
    per_month = reader.number(table.get("weeks_per_month", default.weeks_per_month), "refusion.weeks_per_month",
                              limits.WEEKS_PER_MONTH, what="a number of weeks")
    if not ok or per_month is None:
        return None
    if weeks and max(weeks) / per_month > LONGEST_ANCIENNITET:
        reader.problem(join("refusion.band_end_weeks", len(weeks) - 1),
                       f"a step after {limits.show(max(weeks))} weeks ({limits.show(max(weeks) / per_month)} months) is "
                       f"beyond the {LONGEST_ANCIENNITET} months of anciennitet tracked")
        return None
    return scenario_anciennitet.with_reset(reader, table, Refusion(
        band_end_weeks=tuple(float(w) for w in weeks), state_share=tuple(float(s) for s in shares), weeks_per_month=per_month))


def _refusion_weeks(reader: Reader, weeks: Any) -> bool:
    """``band_end_weeks``: a list of increasing numbers of weeks above 0; the first bad one is reported by its position."""
    path = "refusion.band_end_weeks"
    if not isinstance(weeks, list):
        reader.problem(path, f"expected a list of increasing week numbers above 0, such as [4, 26, 52], got {describe(weeks)}")
        return False
    for i, week in enumerate(weeks):
        where = join(path, i)
        if reader.number(week, where, limits.REFUSION_WEEKS, what="a number of weeks") is None:
            return False
        if week == 0:
            reader.problem(where, "expected a number of weeks above 0, got 0")
            return False
        if i and week <= weeks[i - 1]:
            reader.problem(where, f"the steps must come in increasing order: {limits.show(week)} weeks follows "
                                  f"{limits.show(weeks[i - 1])}")
            return False
    return True
