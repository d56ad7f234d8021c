"""Report formats of ``kikcalc liability``: a :class:`~kikcalc.liability.Liability` laid out, no model number computed.

The table (CSV, a workbook's first sheet, JSON's ``rows``) has one row per strategy, group (``stock``:
persons on benefit at the start of the valuation month; ``entrants``: one year's entrants from it),
benefit state (and ``all``) and anciennitet segment (and ``all``); docs/output-columns.md lists the columns.
The text shows, for each strategy, the rows with persons, and for every strategy but the baseline the
change it makes.
"""

from __future__ import annotations

import math

import numpy as np

from kikcalc import locale
from kikcalc.liability import Liability
from kikcalc.report import CSV_FORMATS, _csv, _grid, _heading, _records, _title, to_json, workbook
from kikcalc.tables import set_lines, set_notes, set_records

UNBOUNDED = "unbounded"
"""What the text shows for expected months that never end (a benefit state nobody leaves)."""


def _about(liability: Liability) -> list[str]:
    """What is valued, how long, at what rate, and how; where a present value is unbounded, why."""
    scenario = liability.scenario
    labels = scenario.calendar.labels
    at = labels[liability.at]
    last_entry = scenario.calendar.start + liability.at + 11
    rate = locale.share(scenario.discount_rate, locale.current(), 1)  # 3.5% (da: 3,5 %), as the tables write shares
    run_off = ("for ever (after the horizon, its last month's rates and costs hold)" if liability.run_off_months is None
               else f"{liability.run_off_months // 12} years from {at}")
    lines = [f"Stock: persons on benefit at the start of {at}; entrants: one year's entrants, {at} to "
             f"{last_entry // 12:04d}-{last_entry % 12 + 1:02d}",
             f"Run-off: {run_off}; present values at {rate} a year, discounted to the start of {at}",
             "Net cost: net benefit cost (after refusion) and ordinary measures; months: expected months on any benefit, "
             "the start-end mean of each month (docs/model.md section 9a)"]
    if np.isinf(liability.table.pv_net_cost.to_numpy(dtype=float)).any():
        lines.append(f"Unbounded present values: at a discount rate of {rate} nothing makes the cost of "
                     f"months that never end (a benefit state nobody leaves) finite; give --years N to count N years")
    return lines


def header_lines(liability: Liability, fmt: str) -> list[str]:
    """The title, what is valued and how, and each value set with ``--set``."""
    scenario = liability.scenario
    title = locale.phrase("{name}: liability at {at}", name=scenario.name, at=scenario.calendar.labels[liability.at])
    return [_title(title, fmt), *_about(liability), *(f"Set: {line}" for line in set_lines(scenario))]


def notes(liability: Liability) -> list[str]:
    """The header's lines for a CSV (on standard error) and a workbook's notes sheet, a value set as ``set ...``."""
    return [*_about(liability), *set_notes(liability.scenario)]


def _months(value: float) -> str:
    if isinstance(value, float) and math.isinf(value):
        return locale.phrase(UNBOUNDED)
    return locale.number(value, 1, locale.current())


def _kroner(value: float, in_mio: bool = False) -> str:
    """A present value, or "unbounded" as for months (a rate of 0 for ever)."""
    if isinstance(value, float) and math.isinf(value):
        return locale.phrase(UNBOUNDED)
    return locale.mio(value, locale.current()) if in_mio else locale.kroner(value, locale.current())


def _change(value: float, decimals: int) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    text = locale.number(value, decimals, locale.current())
    return text if text.startswith("-") or text == locale.number(0.0, decimals, locale.current()) else f"+{text}"


def text(liability: Liability, fmt: str, strategies: list[str] | None = None) -> str:
    """Header lines, then a table per strategy shown (default: every one) of the rows with persons."""
    frame = liability.table
    names = liability.scenario.strategy_names
    parts = ["\n".join(header_lines(liability, fmt))]
    for name in strategies or names:
        rows = frame[(frame.strategy == name) & (frame.persons > 0)]
        states_with_persons = rows[rows.state != "all"].groupby("group").state.nunique()
        alone = rows.group.map(states_with_persons).fillna(0) <= 1
        rows = rows[~(alone & (rows.state == "all"))]  # one state's rows are already its total
        baseline = name == names[0]
        headers = ["group", "state", "segment", "persons", "future months", "PV net cost per person, kr.",
                   "PV net cost, mio. kr."]
        if not baseline:
            headers += ["change, months", "change per person, kr.", "change, mio. kr."]
        headers = [locale.phrase(words) for words in headers]
        grid = []
        for row in rows.itertuples():
            here = locale.current()  # --locale: 1.130,0 and 467.256 in Danish
            state = locale.phrase("all") if row.state == "all" else row.state
            line = [locale.phrase(row.group), state, locale.phrase(row.segment), locale.number(row.persons, 1, here),
                    _months(row.future_months),
                    _kroner(row.pv_net_cost), _kroner(row.pv_net_cost_total, in_mio=True)]
            if not baseline:
                line += [_change(row.future_months_change, 1), _change(row.pv_net_cost_change, 0),
                         _change(row.pv_net_cost_total_change / 1e6, 2)]
            grid.append(line)
        label = next(s.label for s in liability.scenario.strategies if s.name == name)
        title = f"{label} ({name})" if baseline else locale.phrase("{label} ({name}), and its change against {baseline}",
                                                                   label=label, name=name, baseline=names[0])
        table = (_grid(grid, headers, fmt) if grid else  # an empty grid of headings says nothing
                 f"No persons: none on benefit at the start of {liability.scenario.calendar.labels[liability.at]}, and none "
                 f"entering in the year from it.")
        parts.append(f"{_heading(title, fmt)}\n{table}")
    return "\n\n".join(parts) + "\n"


def document(liability: Liability, fmt: str, strategies: list[str] | None = None) -> str | bytes:
    """The liability in a format: table, markdown, csv, csv-da, json or xlsx."""
    frame = liability.table
    if strategies:
        frame = frame[frame.strategy.isin(strategies)]
    if fmt in CSV_FORMATS:
        return _csv(frame, fmt)
    if fmt == "json":
        scenario = liability.scenario
        return to_json({"scenario": {"name": scenario.name, "file": scenario.path, "discount_rate": scenario.discount_rate},
                        "set": set_records(scenario),
                        "valuation_month": scenario.calendar.labels[liability.at],
                        "run_off_months": liability.run_off_months,
                        "rows": _records(frame)})
    if fmt == "xlsx":
        return workbook({"liability": frame}, notes(liability))
    return text(liability, fmt, strategies)
