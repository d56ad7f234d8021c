"""The tables of a report, apart from their formats: DataFrames with named columns and units, built from a Result.

Every number a report shows that is not a column of :class:`~kikcalc.result.Result` is computed here:
the benefit states' total of full-year persons, a money line's total over the years, the comparison's
lines, how many targets a strategy meets. The formats (:mod:`kikcalc.formats`) lay these tables out
(text, Markdown, CSV, JSON, a workbook, HTML) and compute nothing. Each table says the unit of its
numeric columns in ``frame.attrs["units"]`` (column -> unit); a table of lines in several units has
a ``unit`` column instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from kikcalc.result import Result
from kikcalc.row_names import BENEFIT_TOTAL, BENEFIT_TOTAL_LINE, PERSONS_LINE

if TYPE_CHECKING:
    from kikcalc.spec import Scenario

OPTIONAL_MONEY_LINES = ("programme_cost", "flow_costs", "grants", "budget_guarantee_offset", "state_benefit",
                        "grants_from_state")
"""Shown only in a scenario that has them."""

MONEY_LINES = [
    ("benefit_cost_gross", "Benefit cost, gross"),
    ("refusion", "Refusion (state's share)"),
    ("state_benefit", "A-dagpenge, state's part (after co-financing)"),
    ("benefit_cost_net", "Benefit cost, net"),
    ("measures_cost", "Active measures"),
    ("investment", "Investment"),
    ("programme_cost", "Programmes"),
    ("flow_costs", "Payments per person moved"),
    ("grants", "Grants (income)"),
    ("budget_guarantee_offset", "Budget guarantee offset"),
    ("total_cost", "Total cost"),
    ("net_saving", "Net saving vs baseline"),
    ("cumulative_net_saving", "Cumulative net saving"),
    ("grants_from_state", "State: grants paid"),
    ("state_cost", "State: total cost"),
    ("net_saving_state", "State: net saving vs baseline"),
    ("net_saving_public", "Public sector: net saving vs baseline"),
]
"""The money lines of a strategy's table: Result.money's column and its label, in the order shown: the
municipality's, then the state's and the public sector's."""

def _units(frame: pd.DataFrame, units: dict[str, str]) -> pd.DataFrame:
    frame.attrs["units"] = units
    return frame


def only(frame: pd.DataFrame, strategies: list[str] | None) -> pd.DataFrame:
    """The rows of the chosen strategies (all if None)."""
    return frame if strategies is None else frame[frame.strategy.isin(strategies)]


def persons_by_year(result: Result, strategy: str) -> pd.DataFrame:
    """Full-year persons by state (rows) and year (columns) for one strategy, with the benefit states' total last.

    Columns: ``state``, ``row`` (``state``, ``outside``, ``programme`` for a programme's participants, who
    are part of their state's row already, ``total``, or ``economic`` after the total: a partly paid state's
    economic full-year persons, :attr:`Result.partly_paid_states`) and one column per calendar year
    (full-year persons).
    """
    yearly = result.yearly[result.yearly.strategy == strategy]
    names, years_of = yearly.state.tolist(), yearly.year.tolist()
    keys = list(zip(names, years_of, strict=True))  # (state, year) of each row
    persons = dict(zip(keys, yearly.full_year_persons.tolist(), strict=True))
    if len(persons) != len(names):
        raise ValueError(f"{strategy}: a state has two rows for one year")  # as a pivot would refuse them
    order = list(dict.fromkeys(names))  # states, each followed by its programmes' rows
    years = sorted({int(y) for y in years_of})
    benefit = [s.name for s in result.scenario.states if s.is_benefit]
    outside = {s.name for s in result.scenario.states if not s.is_benefit}
    part_of = dict(zip(names, yearly.part_of.tolist(), strict=True))
    rows = [{"state": name, "row": "programme" if part_of[name] else "outside" if name in outside else "state",
             **{y: persons.get((name, y), np.nan) for y in years}} for name in order]
    total = pd.DataFrame([[persons.get((name, y), np.nan) for y in years] for name in benefit], columns=years).sum()
    rows.append({"state": BENEFIT_TOTAL, "row": "total", **dict(zip(years, total, strict=True))})
    partly_paid = result.partly_paid_states
    if partly_paid:
        economic = dict(zip(keys, yearly.economic_full_year_persons.tolist(), strict=True))
        rows += [{"state": name, "row": "economic", **{y: economic.get((name, y), np.nan) for y in years}} for name in partly_paid]
    return _units(pd.DataFrame(rows, columns=["state", "row", *years]), {y: "full-year persons" for y in years})


def money_by_year(result: Result, strategy: str) -> pd.DataFrame:
    """Every money line by year for one strategy, kr., with the total over the horizon.

    Columns: ``line`` (Result.money's column), ``label``, one column per year and ``total`` (the sum
    of the years; for the cumulative net saving, its last year's value). Lines a scenario has none of
    (programmes, payments per person moved, grants, budget guarantee) are left out.
    """
    result.strategy(strategy)  # a name the scenario does not have is named as such, not an empty table's IndexError
    money = result.money[result.money.strategy == strategy].set_index("year")
    present = {c for c in OPTIONAL_MONEY_LINES if np.abs(result.money[c].to_numpy()).sum() > 0}
    years = [int(y) for y in money.index]
    rows = []
    for column, label in MONEY_LINES:
        if column in OPTIONAL_MONEY_LINES and column not in present:
            continue
        if column == "grants_from_state" and (result.money.grants_from_state == result.money.grants).all():
            continue  # every grant is the state's: the line would repeat the grants
        values = list(money[column])
        total = values[-1] if column == "cumulative_net_saving" else sum(values)
        rows.append({"line": column, "label": label, **dict(zip(years, values, strict=True)), "total": total})
    return _units(pd.DataFrame(rows, columns=["line", "label", *years, "total"]),
                  {**{y: "kr." for y in years}, "total": "kr."})


def monthly_persons(result: Result, strategy: str) -> pd.DataFrame:
    """Full-time persons by month (rows, ``YYYY-MM`` index) and state (columns) for one strategy."""
    monthly = result.monthly[result.monthly.strategy == strategy]
    table = monthly.pivot(index="month", columns="state", values="full_time_persons")[list(dict.fromkeys(monthly.state))]
    return _units(table, {c: "full-time persons" for c in table.columns})


def summary(result: Result, strategies: list[str] | None = None) -> pd.DataFrame:
    """The investment summary against the baseline: Result.summary's rows of the chosen strategies.

    ``spending`` is kept only when some strategy spends more than its investment (programmes, payments
    per person moved), ``grants`` only when some strategy has one; ``baseline`` marks the first strategy.
    """
    frame = only(result.summary, strategies).copy()
    if not (result.summary.spending != result.summary.investment).any():
        frame = frame.drop(columns="spending")
    if not (result.summary.grants != 0).any():
        frame = frame.drop(columns="grants")
    frame.attrs["with_state"] = bool((result.summary.npv_state != 0).any())  # the state's NPV is worth a column
    frame.insert(2, "baseline", frame.strategy == result.scenario.strategies[0].name)
    return _units(frame, {c: "kr." for c in ("investment", "programme_cost", "flow_costs", "spending", "grants",
                                             "grants_if_met", "net_saving", "npv", "net_saving_state", "net_saving_public",
                                             "npv_state", "npv_public")} | {"return_per_krone": "kr. per kr."})


def programmes(result: Result, strategies: list[str] | None = None) -> pd.DataFrame:
    """Each programme of the chosen strategies: started, left, reached an outcome, cost per outcome."""
    return _units(only(result.programmes, strategies),
                  {"started": "persons", "still_in": "persons", "left": "persons", "reached_outcome": "persons",
                   "success_share": "share", "cost": "kr.", "cost_per_start": "kr.", "cost_per_outcome": "kr."})


def targets(result: Result, strategies: list[str] | None = None) -> pd.DataFrame:
    """Every target's verdict for the chosen strategies; the unit of each row's numbers is its ``unit``."""
    return only(result.targets, strategies)


def all_targets(results: list[Result], strategies: list[str] | None = None) -> pd.DataFrame:
    """Every verdict of every file, with the scenario and file first."""
    frames = []
    for result in results:
        frame = only(result.targets, strategies).copy()
        frame.insert(0, "scenario", result.scenario.name)
        frame.insert(1, "file", result.scenario.path)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def targets_by_strategy(result: Result) -> list[dict[str, Any]]:
    """One record per target: ``name``, ``comparison``, ``threshold``, ``unit`` and ``verdicts``, a
    dict strategy -> (met, value) in the scenario's strategy order."""
    table = result.targets
    records = []
    for name in dict.fromkeys(table.name):
        these = table[table.name == name].set_index("strategy")
        first = these.iloc[0]
        records.append({"name": name, "comparison": first.comparison, "threshold": first.threshold, "unit": first.unit,
                        "verdicts": {s: (these.loc[s].met, these.loc[s].value) for s in result.scenario.strategy_names}})
    return records


# --- compare ---------------------------------------------------------------------------------

def payback(row: Any) -> str | None:
    """A strategy's payback for a comparison cell: its month, ``never behind``, or None (not within the horizon)."""
    if row.never_behind:
        return "never behind"
    return None if row.payback_month is None or row.payback_month != row.payback_month else row.payback_month


def _scenario_comparison(result: Result, years: list[int]) -> list[dict[str, Any]]:
    """The comparison rows of one scenario (see :func:`comparison_frame`)."""
    s = result.scenario
    rows: list[dict[str, Any]] = []

    def add(line: str, strategy: str, unit: str, by_year: dict[int, float], total: Any) -> None:
        rows.append({"scenario": s.name, "file": s.path, "line": line, "strategy": strategy, "unit": unit,
                     **{str(y): by_year.get(y) for y in years}, "total": total})

    benefit = [st for st in s.states if st.is_benefit]
    # plain dicts: one pandas lookup per strategy, state and year took minutes for hundreds of strategies
    yearly = result.yearly.set_index(["strategy", "state", "year"]).full_year_persons.to_dict()
    indexed = result.money.set_index(["strategy", "year"])
    money = {column: indexed[column].to_dict() for column in ("total_cost", "net_saving", "net_saving_state", "net_saving_public")}
    summary_rows = result.summary.set_index("strategy")
    groups = [(f"{PERSONS_LINE}{st.label}", [st.name]) for st in benefit]
    if len(benefit) > 1:
        groups.append((BENEFIT_TOTAL_LINE, [st.name for st in benefit]))
    for line, states in groups:
        for strategy in s.strategy_names:
            add(line, strategy, "full-year persons",
                {y: sum(yearly[strategy, st, y] for st in states) for y in s.calendar.year_list}, None)
    economic = result.yearly.set_index(["strategy", "state", "year"]).economic_full_year_persons.to_dict()
    for st in (s.states[s.state_index(name)] for name in result.partly_paid_states):  # where the two measures differ
        for strategy in s.strategy_names:
            add(f"Economic full-year persons: {st.label}", strategy, "economic full-year persons",
                {y: economic[strategy, st.name, y] for y in s.calendar.year_list}, None)
    lines = [("total_cost", "Total cost, kr.", s.strategy_names), ("net_saving", "Net saving vs baseline, kr.", s.strategy_names[1:])]
    if any(value != 0 for value in money["net_saving_state"].values()):  # else the state's line is 0 and the public's the municipality's
        lines += [("net_saving_state", "Net saving vs baseline, state, kr.", s.strategy_names[1:]),
                  ("net_saving_public", "Net saving vs baseline, public sector, kr.", s.strategy_names[1:])]
    for column, line, strategies in lines:
        for strategy in strategies:
            by_year = {y: money[column][strategy, y] for y in s.calendar.year_list}
            add(line, strategy, "kr.", by_year, sum(by_year.values()))
    for strategy in s.strategy_names[1:]:
        row = summary_rows.loc[strategy]
        verdicts = [v for v in result.verdicts if v.strategy == strategy and v.met is not None]
        add("Investment, kr.", strategy, "kr.", {}, row.investment)
        if (result.summary.programme_cost != 0).any():
            add("Programmes, kr.", strategy, "kr.", {}, row.programme_cost)
        if (result.summary.flow_costs != 0).any():
            add("Payments per person moved, kr.", strategy, "kr.", {}, row.flow_costs)
        if (result.summary.spending != result.summary.investment).any():
            add("Spending incl. programmes and payments, kr.", strategy, "kr.", {}, row.spending)
        if (result.summary.grants_if_met != 0).any():
            add("Grants, kr.", strategy, "kr.", {}, row.grants)
        if any(grant.if_target for st in s.strategies for grant in st.grants):
            add("Grants if every condition is met, kr.", strategy, "kr.", {}, row.grants_if_met)
        add("Net present value, kr.", strategy, "kr.", {}, row.npv)
        if (result.summary.npv_state != 0).any():  # the state pays or gains something in this scenario
            add("Net present value, state, kr.", strategy, "kr.", {}, row.npv_state)
        add("Payback month", strategy, "month", {}, payback(row) or "not within the horizon")
        add("Kr. saved per kr. invested", strategy, "kr. per kr.", {}, row.return_per_krone)
        if verdicts:
            add("Targets met", strategy, "targets", {}, f"{sum(v.met for v in verdicts)} of {len(verdicts)}")
    return rows


def comparison_frame(results: list[Result]) -> pd.DataFrame:
    """The comparison as one wide table: a row per scenario, line and strategy; a column per year.

    Lines by year: full-year persons per benefit state (and their total), economic full-year persons of
    a partly paid state, total cost, and the net
    saving against the baseline. Then one-figure lines whose value stands in the ``total`` column:
    investment, net present value, payback month, kr. saved per kr. invested, targets met.
    Numbers are raw (persons, kr.); years a scenario does not simulate are empty.
    """
    years = sorted({y for r in results for y in r.scenario.calendar.year_list})
    rows = [row for result in results for row in _scenario_comparison(result, years)]
    return pd.DataFrame(rows, columns=["scenario", "file", "line", "strategy", "unit", *map(str, years), "total"])


def one_figure_lines(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of a comparison whose only value is in the ``total`` column."""
    years = [c for c in frame.columns if c.isdigit()]
    return frame[frame[years].isna().all(axis=1)] if years else frame


def by_year_lines(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of a comparison with a value in some year."""
    years = [c for c in frame.columns if c.isdigit()]
    return frame[frame[years].notna().any(axis=1)]


# --- values set by key path (--set) --------------------------------------------------------------

def _overrides(result_or_scenario) -> tuple:
    """The values set by key path of a Result's scenario, or of a Scenario itself (sensitivity, tornado)."""
    return getattr(result_or_scenario, "scenario", result_or_scenario).overrides


def set_lines(result: Result | Scenario) -> list[str]:
    """One line per value set by key path (``--set``): ``PATH = VALUE (file: VALUE)``."""
    from kikcalc import keypaths

    return [f"{path} = {keypaths.format_value(value)} "
            f"({'not in the file' if in_file is None else 'file: ' + keypaths.format_value(in_file)})"
            for path, value, in_file in _overrides(result)]


def set_notes(result: Result | Scenario) -> list[str]:
    """The values set by key path as notes, for stderr beside a CSV and for a workbook's notes sheet."""
    return [f"set {line}" for line in set_lines(result)]


def set_records(result: Result | Scenario) -> list[dict[str, Any]]:
    """The values set by key path for JSON: ``path``, ``value``, ``value_in_file`` (null if the file had none)."""
    import datetime

    from kikcalc import keypaths

    def plain(value: Any) -> Any:  # a TOML date or time has no JSON form but its text
        return keypaths.format_value(value) if isinstance(value, (datetime.date, datetime.time)) else value

    return [{"path": path, "value": plain(value), "value_in_file": plain(in_file)}
            for path, value, in_file in _overrides(result)]
