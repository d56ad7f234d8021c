"""Report formats: a result's tables laid out as text tables, Markdown, CSV or JSON.

Nothing here computes a model number; it selects, arranges and formats the tables of
:class:`~kikcalc.result.Result`. Text tables show kroner with thousands separators; CSV and
JSON carry full-precision numbers for spreadsheets and pipelines.
"""

from __future__ import annotations

import datetime
import json
import math
from typing import Any

import numpy as np
import pandas as pd
from tabulate import tabulate

from kikcalc import keypaths
from kikcalc.errors import UsageError
from kikcalc.result import Result

FORMATS = ("table", "markdown", "csv", "csv-da", "json", "xlsx")
CSV_FORMATS = ("csv", "csv-da")
"""csv: comma-separated, decimal point, plain UTF-8. csv-da: what Excel with Danish settings opens
directly: semicolon-separated, decimal comma, UTF-8 with a byte-order mark (so æ, ø, å survive)."""
_TABLEFMT = {"table": "simple", "markdown": "github"}

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
"""The lines of a strategy's money table: the municipality's, then the state's and the public sector's."""


# --- formatting of single values --------------------------------------------------------------

def kroner(value: float) -> str:
    return "" if _blank(value) else f"{round(value) or 0:,}"  # "or 0": no "-0" for a tiny negative


def mio(value: float) -> str:
    return "" if _blank(value) else f"{value / 1e6:,.2f}"


def persons(value: float) -> str:
    return "" if _blank(value) else f"{value:,.1f}"


def _blank(value: Any) -> bool:
    """True for a missing value: None, or the NaN pandas puts in its place."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def _text(value: Any, missing: str = "") -> str:
    return missing if _blank(value) else str(value)


def verdict_word(met: bool | None) -> str:
    return "n/a" if met is None else "met" if met else "MISSED"


def _target_value(value: Any, unit: str, met: bool | None = None) -> str:
    if _blank(value):
        if unit == "month":
            return "none"
        # A share judged on no one (a programme nobody has left yet, an empty denominator) is missed.
        return "none to count" if unit == "share" and met is False else ""
    if unit == "month":
        return str(value)
    if unit == "share":
        return f"{value:.1%}"
    if unit == "kr.":
        return kroner(value)
    return persons(value)


def _margin(value: Any, unit: str) -> str:
    if _blank(value):
        return ""
    # Round first, so that a margin of -0.00001 shows as +0.0, not -0.0.
    if unit == "month":
        return f"{round(value) or 0:+d} months"
    if unit == "share":
        return f"{round(value * 100, 1) or 0.0:+.1f} pt"
    if unit == "kr.":
        return f"{round(value) or 0:+,d}"
    return f"{round(value, 1) or 0.0:+,.1f}"


def _grid(rows: list[list[Any]], headers: list[str], fmt: str) -> str:
    return tabulate(rows, headers=headers, tablefmt=_TABLEFMT[fmt], disable_numparse=True,
                    colalign=("left",) + ("right",) * (len(headers) - 1))


def _heading(text: str, fmt: str) -> str:
    return f"### {text}" if fmt == "markdown" else f"{text}\n{'-' * len(text)}"


# --- the sections of a text report -------------------------------------------------------------

def header_text(result: Result, fmt: str) -> str:
    s = result.scenario
    calendar = s.calendar
    lines = [f"# {s.name}" if fmt == "markdown" else s.name.upper(),
             f"{s.municipality + ', ' if s.municipality else ''}{calendar.labels[0]} to {calendar.labels[-1]} "
             f"({calendar.months} months), discount rate {s.discount_rate:.1%}"]
    if s.source:
        lines.append(f"Source: {s.source}")
    if s.prices is not None:
        lines.append(price_line(s))
    uncertain = s.raw.get("uncertainty")
    if isinstance(uncertain, dict) and uncertain:
        lines.append(f"Base case: every number as the file writes it; {len(uncertain)} of them have a distribution in "
                     f"[uncertainty] (kikcalc sensitivity draws them)")
    return "\n".join(lines)


def price_line(scenario: Any) -> str:
    """What prices money is in: the header line of a scenario with a [prices] table."""
    base = scenario.prices.base_year
    if scenario.prices.view == "fixed":
        return f"Money in fixed {base} prices; present values in {base} kroner"
    return f"Money in current prices (each year's kroner, price index {base} = 1); present values in {base} kroner"


def notes_text(result: Result) -> str:
    return "\n".join(f"Note: {note}" for note in result.notes)


def set_lines(result: Result) -> list[str]:
    """One line per value set by key path (``--set``): ``PATH = VALUE (file: VALUE)``."""
    return [f"{path} = {keypaths.format_value(value)} "
            f"({'not in the file' if in_file is None else 'file: ' + keypaths.format_value(in_file)})"
            for path, value, in_file in result.scenario.overrides]


def set_text(result: Result) -> str:
    """The header lines of a text or Markdown report that say which values were set."""
    return "\n".join(f"Set: {line}" for line in set_lines(result))


def set_notes(result: Result) -> list[str]:
    """The values set by key path as notes, for stderr beside a CSV and for a workbook's notes sheet."""
    return [f"set {line}" for line in set_lines(result)]


def set_records(result: Result) -> list[dict[str, Any]]:
    """The values set by key path for JSON: ``path``, ``value``, ``value_in_file`` (null if the file had none)."""
    def plain(value: Any) -> Any:  # a TOML date or time has no JSON form but its text
        return keypaths.format_value(value) if isinstance(value, (datetime.date, datetime.time)) else value

    return [{"path": path, "value": plain(value), "value_in_file": plain(in_file)}
            for path, value, in_file in result.scenario.overrides]


def persons_text(result: Result, strategy: str, fmt: str) -> str:
    """Full-year persons by state and year for one strategy, with the benefit states' total."""
    yearly = result.yearly[result.yearly.strategy == strategy]
    order = list(dict.fromkeys(yearly.state))  # states, each followed by its programmes' rows
    table = yearly.pivot(index="state", columns="year", values="full_year_persons").loc[order]
    benefit = [s.name for s in result.scenario.states if s.is_benefit]
    outside = {s.name for s in result.scenario.states if not s.is_benefit}
    part_of = dict(zip(yearly.state, yearly.part_of, strict=True))

    def row_label(name: str) -> str:
        return f"of which: {name}" if part_of[name] else f"{name} (outside)" if name in outside else name

    rows = [[row_label(name), *map(persons, table.loc[name])] for name in table.index]
    rows.append(["Benefit states, total", *map(persons, table.loc[benefit].sum())])
    label = result.scenario.strategies[result.strategy(strategy)].label
    return _heading(f"Full-year persons (helårspersoner): {label} [{strategy}]", fmt) + "\n" + \
        _grid(rows, ["state", *map(str, table.columns)], fmt)


def money_text(result: Result, strategy: str, fmt: str) -> str:
    """Every money line by year for one strategy, kr., with a total column."""
    money = result.money[result.money.strategy == strategy].set_index("year")
    present = {c for c in OPTIONAL_MONEY_LINES if result.money[c].abs().sum() > 0}
    rows = []
    for column, label in MONEY_LINES:
        if column in OPTIONAL_MONEY_LINES and column not in present:
            continue
        values = list(money[column])
        if column == "grants_from_state" and (result.money.grants_from_state == result.money.grants).all():
            continue  # every grant is the state's: the line would repeat the grants
        total = values[-1] if column == "cumulative_net_saving" else sum(values)
        rows.append([label, *map(kroner, values), kroner(total)])
    label = result.scenario.strategies[result.strategy(strategy)].label
    return _heading(f"Money, kr.: {label} [{strategy}]", fmt) + "\n" + \
        _grid(rows, ["line", *map(str, money.index), "total"], fmt)


def _payback(row: Any) -> str:
    """A strategy's payback month for reading: the month, 'not within the horizon', or 'never behind'."""
    if row.never_behind:
        return "never behind"
    return _text(row.payback_month, "not within the horizon")


def summary_text(result: Result, fmt: str, strategies: list[str] | None = None) -> str:
    summary = result.summary
    if strategies is not None:
        summary = summary[summary.strategy.isin(strategies)]
    more_than_investment = bool((result.summary.spending != result.summary.investment).any())
    with_grants = bool((result.summary.grants != 0).any())
    with_state = bool((result.summary.npv_state != 0).any())
    rows = [
        [row.strategy, row.label, mio(row.investment),
         *([mio(row.spending)] if more_than_investment else []), *([mio(row.grants)] if with_grants else []),
         mio(row.net_saving),
         "-" if row.strategy == result.scenario.strategies[0].name else _payback(row),
         mio(row.npv), *([mio(row.npv_state)] if with_state else []),
         "" if _blank(row.return_per_krone) else f"{row.return_per_krone:.2f}"]
        for row in summary.itertuples()
    ]
    headers = ["strategy", "label", "investment, mio. kr.",
               *(["spending incl. programmes, mio. kr."] if more_than_investment else []),
               *(["grants, mio. kr."] if with_grants else []),
               "net saving, mio. kr.", "payback month", "NPV, mio. kr.", *(["NPV for the state, mio. kr."] if with_state else []),
               "kr. saved per kr. invested"]
    return _heading("Investment summary (against the baseline)", fmt) + "\n" + _grid(rows, headers, fmt)


def programmes_text(result: Result, fmt: str, strategies: list[str]) -> str:
    """Each programme of the chosen strategies: started, left, reached an outcome, cost per outcome."""
    frame = result.programmes[result.programmes.strategy.isin(strategies)]
    rows = [[row.programme, row.strategy, persons(row.started), persons(row.left), persons(row.reached_outcome),
             "" if _blank(row.success_share) else f"{row.success_share:.1%}", kroner(row.cost),
             "" if _blank(row.cost_per_outcome) else kroner(row.cost_per_outcome)]
            for row in frame.itertuples()]
    headers = ["programme", "strategy", "started", "left", "reached an outcome", "share of leavers", "cost, kr.",
               "cost per outcome, kr."]
    return _heading("Programmes (over the horizon)", fmt) + "\n" + _grid(rows, headers, fmt)


def targets_rows(result: Result, strategies: list[str] | None = None) -> list[list[str]]:
    targets = result.targets
    if strategies is not None:
        targets = targets[targets.strategy.isin(strategies)]
    symbol = {"below": "<", "max": "<=", "above": ">", "min": ">="}
    return [
        [row.name, row.strategy, _target_value(row.value, row.unit, row.met),
         f"{symbol[row.comparison]} {_target_value(row.threshold, row.unit)}", verdict_word(row.met),
         _margin(row.margin, row.unit), _text(row.first_month_met)]
        for row in targets.itertuples()
    ]


TARGET_HEADERS = ["target", "strategy", "value", "threshold", "verdict", "margin", "first month met"]


def targets_text(result: Result, fmt: str, strategies: list[str] | None = None) -> str:
    rows = targets_rows(result, strategies)
    if not rows:
        return _heading("Targets", fmt) + "\n(no targets in this scenario)"
    return _heading("Targets", fmt) + "\n" + _grid(rows, TARGET_HEADERS, fmt)


def monthly_text(result: Result, strategy: str, fmt: str) -> str:
    """Full-time persons by month (rows) and state (columns) for one strategy."""
    monthly = result.monthly[result.monthly.strategy == strategy]
    table = monthly.pivot(index="month", columns="state", values="full_time_persons")[list(dict.fromkeys(monthly.state))]
    rows = [[month, *map(persons, values)] for month, values in zip(table.index, table.to_numpy(), strict=True)]
    label = result.scenario.strategies[result.strategy(strategy)].label
    return _heading(f"Full-time persons by month: {label} [{strategy}]", fmt) + "\n" + \
        _grid(rows, ["month", *table.columns], fmt)


# --- whole documents ---------------------------------------------------------------------------

def run_document(result: Result, fmt: str, strategies: list[str], monthly: bool, money: bool = False) -> str | bytes:
    """The ``kikcalc run`` report in one of the formats (bytes for xlsx).

    A CSV holds one table: persons (with their benefit cost) by default, the money lines with ``money``.
    """
    if fmt == "xlsx":
        def only(frame: pd.DataFrame) -> pd.DataFrame:
            return frame[frame.strategy.isin(strategies)]

        sheets = {"yearly": only(result.yearly), "money": only(result.money), "summary": only(result.summary),
                  "targets": only(result.targets)}
        if len(only(result.programmes)):
            sheets["programmes"] = only(result.programmes)
        if monthly:
            sheets |= {"monthly": only(result.monthly), "monthly money": only(result.monthly_money)}
        return workbook(sheets, notes=[result.scenario.name, *result.notes, *set_notes(result)])
    if fmt in CSV_FORMATS:
        if money:
            frame = result.monthly_money if monthly else result.money
        else:
            frame = result.monthly if monthly else result.yearly
        return _csv(frame[frame.strategy.isin(strategies)], fmt)
    if fmt == "json":
        return to_json(run_json(result, strategies, monthly))
    parts = [header_text(result, fmt)]
    if result.scenario.overrides:
        parts.append(set_text(result))
    if result.notes:
        parts.append(notes_text(result))
    for name in strategies:
        parts.append(monthly_text(result, name, fmt) if monthly else persons_text(result, name, fmt))
        parts.append(money_text(result, name, fmt))
    parts.append(summary_text(result, fmt, strategies))
    if result.programmes.strategy.isin(strategies).any():
        parts.append(programmes_text(result, fmt, strategies))
    parts.append(targets_text(result, fmt, strategies))
    return "\n\n".join(parts) + "\n"


_MONEY_WORDS = ("cost", "refusion", "investment", "saving", "npv", "spending", "grant", "offset", "kr.")


def rounded(frame: pd.DataFrame) -> pd.DataFrame:
    """Kroner to the øre and persons to 6 decimals: exact enough for any check, clean in a spreadsheet.

    Columns named in ``frame.attrs["exact"]`` are left as they are (a value found by goal seeking,
    which rounded would not reproduce what it found).
    """
    frame = frame.copy()
    exact = set(frame.attrs.get("exact", ()))
    for column in frame.columns:
        if column in exact:
            continue
        digits = 2 if any(word in str(column) for word in _MONEY_WORDS) else 6
        if pd.api.types.is_float_dtype(frame[column]):
            frame[column] = frame[column].round(digits)
        elif frame[column].dtype == object:  # mixed columns such as a target's value (a number or a month)
            frame[column] = frame[column].map(lambda v, d=digits: round(v, d) if isinstance(v, float) else v)
    if "unit" in frame.columns:  # a table of lines in several units: kroner rows to the øre
        kroner = frame["unit"] == "kr."
        for column in frame.columns:
            if column in exact:
                continue
            if pd.api.types.is_float_dtype(frame[column]) or frame[column].dtype == object:  # not text columns
                frame.loc[kroner, column] = frame.loc[kroner, column].map(lambda v: round(v, 2) if isinstance(v, float) else v)
    return frame


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet may read as the start of a formula in a text cell (OWASP, "CSV Injection")."""


def _as_text(value: Any) -> Any:
    """A text that a spreadsheet would take for a formula, with a quote before it; anything else as it is."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


def guarded(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame for a CSV file: every text cell and column name a spreadsheet would read as a formula
    (``=1+2``, ``-2+3``, ``@SUM(A1)``) gets a single quote in front, as OWASP advises. Numbers, negative
    ones too, are not text and stay as they are."""
    frame = frame.rename(columns=_as_text)  # a copy
    for column in frame.columns:
        values = frame[column]
        if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_datetime64_any_dtype(values):
            continue
        if any(_as_text(v) is not v for v in pd.unique(values)):  # few distinct values, even among a million draws
            frame[column] = values.map(_as_text)
    return frame


def _danish(value: Any) -> Any:
    """One cell of a csv-da column that is not all numbers: a boolean as ja/nej, a number with a
    decimal comma (pandas' decimal= leaves numbers among text alone), a missing value empty."""
    if isinstance(value, (bool, np.bool_)):
        return "ja" if value else "nej"
    if isinstance(value, float):
        return "" if math.isnan(value) else repr(float(value)).replace(".", ",")
    return value


def _csv(frame: pd.DataFrame, fmt: str) -> str:
    frame = guarded(rounded(frame))
    if fmt == "csv-da":
        for column in frame.columns:
            if pd.api.types.is_bool_dtype(frame[column]) or not pd.api.types.is_numeric_dtype(frame[column]):
                frame[column] = frame[column].map(_danish)
        return "\ufeff" + frame.to_csv(index=False, sep=";", decimal=",")
    return frame.to_csv(index=False)


def _records(frame: pd.DataFrame) -> list[dict]:
    return rounded(frame).to_dict(orient="records")


def run_json(result: Result, strategies: list[str] | None = None, monthly: bool = False) -> dict:
    s = result.scenario
    strategies = strategies or s.strategy_names

    def only(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[frame.strategy.isin(strategies)]

    document = {
        "scenario": {"name": s.name, "municipality": s.municipality, "file": s.path, "source": s.source,
                     "start": s.calendar.labels[0], "end": s.calendar.labels[-1],
                     "discount_rate": s.discount_rate, "notes": result.notes,
                     "prices": None if s.prices is None else {"base_year": s.prices.base_year, "view": s.prices.view}},
        "set": set_records(result),
        "strategies": _records(only(result.summary)),
        "yearly": _records(only(result.yearly)),
        "money": _records(only(result.money)),
        "targets": _records(only(result.targets)),
        "programmes": _records(only(result.programmes)),
    }
    if monthly:
        document["monthly"] = _records(only(result.monthly))
        document["monthly_money"] = _records(only(result.monthly_money))
    return document


def _clean(value: Any) -> Any:
    """JSON-safe: NaN -> null, numpy scalars -> Python numbers."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def to_json(document: Any) -> str:
    return json.dumps(_clean(document), indent=2, ensure_ascii=False) + "\n"


# --- Excel ---------------------------------------------------------------------------------

def workbook(sheets: dict[str, pd.DataFrame], notes: list[str] = ()) -> bytes:
    """An Excel workbook with one sheet per table (numbers as numbers), and the notes on a sheet of their own."""
    import io

    try:
        import openpyxl  # noqa: F401  (pandas writes through it)
    except ImportError:
        raise UsageError('xlsx output needs openpyxl: pip install openpyxl, or pip install ".[xlsx]" '
                         "in kikcalc's folder") from None
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            rounded(frame).to_excel(writer, sheet_name=name[:31], index=False)
        if notes:
            pd.DataFrame({"notes": list(notes)}).to_excel(writer, sheet_name="notes", index=False)
        for sheet in writer.book.worksheets:
            _text_stays_text(sheet)
    return buffer.getvalue()


def _text_stays_text(sheet: Any) -> None:
    """Every text cell of a sheet as text: openpyxl stores a text beginning with ``=`` as a live formula.

    A cell holding a formula here was written from a text (kikcalc writes no formulas). Such a cell,
    and every text a spreadsheet would read as a formula once edited (``+``, ``-``, ``@``), is stored
    as text with Excel's quote prefix, its value unchanged; numbers stay numbers.
    """
    for row in sheet.iter_rows():
        for cell in row:
            if cell.data_type == "f" or (cell.data_type == "s" and isinstance(cell.value, str)
                                         and cell.value.startswith(FORMULA_STARTS)):
                cell.data_type = "s"
                cell.quotePrefix = True


# --- compare ---------------------------------------------------------------------------------

def _scenario_comparison(result: Result, years: list[int]) -> list[dict[str, Any]]:
    """The comparison rows of one scenario (see :func:`comparison_frame`)."""
    s = result.scenario
    rows: list[dict[str, Any]] = []

    def add(line: str, strategy: str, unit: str, by_year: dict[int, float], total: Any) -> None:
        rows.append({"scenario": s.name, "file": s.path, "line": line, "strategy": strategy, "unit": unit,
                     **{str(y): by_year.get(y) for y in years}, "total": total})

    benefit = [st for st in s.states if st.is_benefit]
    yearly = result.yearly.set_index(["strategy", "state", "year"]).full_year_persons
    money = result.money.set_index(["strategy", "year"])
    summary = result.summary.set_index("strategy")
    groups = [(f"Full-year persons: {st.label}", [st.name]) for st in benefit]
    if len(benefit) > 1:
        groups.append(("Full-year persons: benefit states, total", [st.name for st in benefit]))
    for line, states in groups:
        for strategy in s.strategy_names:
            add(line, strategy, "full-year persons",
                {y: sum(yearly[strategy, st, y] for st in states) for y in s.calendar.year_list}, None)
    for column, line, strategies in (("total_cost", "Total cost, kr.", s.strategy_names),
                                     ("net_saving", "Net saving vs baseline, kr.", s.strategy_names[1:]),
                                     ("net_saving_state", "Net saving vs baseline, state, kr.", s.strategy_names[1:]),
                                     ("net_saving_public", "Net saving vs baseline, public sector, kr.", s.strategy_names[1:])):
        for strategy in strategies:
            by_year = {y: money.loc[(strategy, y), column] for y in s.calendar.year_list}
            add(line, strategy, "kr.", by_year, sum(by_year.values()))
    for strategy in s.strategy_names[1:]:
        row = summary.loc[strategy]
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
        add("Net present value, state, kr.", strategy, "kr.", {}, row.npv_state)
        add("Payback month", strategy, "month", {}, _payback(row))
        add("Kr. saved per kr. invested", strategy, "kr. per kr.", {}, row.return_per_krone)
        if verdicts:
            add("Targets met", strategy, "targets", {}, f"{sum(v.met for v in verdicts)} of {len(verdicts)}")
    return rows


def comparison_frame(results: list[Result]) -> pd.DataFrame:
    """The comparison as one wide table: a row per scenario, line and strategy; a column per year.

    Lines by year: full-year persons per benefit state (and their total), total cost, and the net
    saving against the baseline. Then one-figure lines whose value stands in the ``total`` column:
    investment, net present value, payback month, kr. saved per kr. invested, targets met.
    Numbers are raw (persons, kr.); years a scenario does not simulate are empty.
    """
    years = sorted({y for r in results for y in r.scenario.calendar.year_list})
    rows = [row for result in results for row in _scenario_comparison(result, years)]
    return pd.DataFrame(rows, columns=["scenario", "file", "line", "strategy", "unit", *map(str, years), "total"])


def _compare_cell(unit: str, line: str, value: Any) -> str:
    if _blank(value):
        return ""
    if isinstance(value, str):
        return value
    if unit == "full-year persons":
        return persons(value)
    if line.startswith("Kr. saved"):
        return f"{value:.2f}"
    return kroner(value)


def targets_pivot_rows(result: Result) -> tuple[list[list[str]], list[str]]:
    """One row per target, one column per strategy: the verdict and the value."""
    table = result.targets
    symbol = {"below": "<", "max": "<=", "above": ">", "min": ">="}
    rows = []
    for name in dict.fromkeys(table.name):
        these = table[table.name == name].set_index("strategy")
        first = these.iloc[0]
        row = [name, f"{symbol[first.comparison]} {_target_value(first.threshold, first.unit)}"]
        for strategy in result.scenario.strategy_names:
            v = these.loc[strategy]
            row.append("n/a" if v.met is None else f"{verdict_word(v.met)} ({_target_value(v.value, v.unit, v.met)})")
        rows.append(row)
    return rows, ["target", "threshold", *result.scenario.strategy_names]


def _one_figure_lines(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows whose only value is in the ``total`` column."""
    years = [c for c in frame.columns if c.isdigit()]
    return frame[frame[years].isna().all(axis=1)] if years else frame


def compare_document(results: list[Result], fmt: str) -> str | bytes:
    if fmt == "xlsx":
        return workbook({"comparison": comparison_frame(results), "targets": _all_targets(results)},
                        notes=[f"{r.scenario.name}: {n}" for r in results for n in [*r.notes, *set_notes(r)]])
    if fmt in CSV_FORMATS:
        return _csv(comparison_frame(results), fmt)
    if fmt == "json":
        return to_json({"comparison": _records(comparison_frame(results)), "scenarios": [run_json(r) for r in results]})
    parts = []
    for result in results:
        parts.append(header_text(result, fmt))
        if result.scenario.overrides:
            parts.append(set_text(result))
        if result.notes:
            parts.append(notes_text(result))
        years = [str(y) for y in result.scenario.calendar.year_list]
        mine = comparison_frame([result])
        labels = {s.name: s.label for s in result.scenario.strategies}
        rows, previous = [], None
        for record in mine[mine[years].notna().any(axis=1)].to_dict(orient="records"):
            if record["line"] != previous:
                rows.append([record["line"], *[""] * (len(years) + 1)])
                previous = record["line"]
            rows.append([f"- {labels[record['strategy']]}",
                         *(_compare_cell(record["unit"], record["line"], record[y]) for y in [*years, "total"])])
        parts.append(_heading("By year", fmt) + "\n" + _grid(rows, ["", *years, "total"], fmt))
        if len(result.scenario.strategies) > 1:
            parts.append(_heading("Against the baseline", fmt) + "\n" +
                         _one_figure_table([mine], [labels[s] for s in result.scenario.strategy_names[1:]], fmt))
        if result.verdicts:
            target_rows, headers = targets_pivot_rows(result)
            parts.append(_heading("Targets", fmt) + "\n" + _grid(target_rows, headers, fmt))
    if len(results) > 1:
        frames = [comparison_frame([r]) for r in results]
        headers = [f"{r.scenario.name}: {s.label}" for r in results for s in r.scenario.strategies[1:]]
        parts.append(_heading("All scenarios against their baselines", fmt) + "\n" + _one_figure_table(frames, headers, fmt))
    return "\n\n".join(parts) + "\n"


def _one_figure_table(frames: list[pd.DataFrame], headers: list[str], fmt: str) -> str:
    """One-figure lines as rows; a column per strategy of each frame, in order."""
    columns: list[dict[str, str]] = []
    for frame in frames:
        single = _one_figure_lines(frame)
        for strategy in dict.fromkeys(single.strategy):
            records = single[single.strategy == strategy].to_dict(orient="records")
            columns.append({r["line"]: _compare_cell(r["unit"], r["line"], r["total"]) for r in records})
    lines = list(dict.fromkeys(line for column in columns for line in column))
    rows = [[line, *(column.get(line, "") for column in columns)] for line in lines]
    return _grid(rows, ["", *headers], fmt)


# --- targets ---------------------------------------------------------------------------------

def _all_targets(results: list[Result], strategies: list[str] | None = None) -> pd.DataFrame:
    """Every verdict of every file, with the scenario and file first."""
    frames = []
    for result in results:
        frame = result.targets if strategies is None else result.targets[result.targets.strategy.isin(strategies)]
        frame = frame.copy()
        frame.insert(0, "scenario", result.scenario.name)
        frame.insert(1, "file", result.scenario.path)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def targets_document(results: list[Result], fmt: str, strategies: list[str] | None = None) -> str | bytes:
    frame = _all_targets(results, strategies)
    if fmt == "xlsx":
        return workbook({"targets": frame}, notes=[f"{r.scenario.name}: {n}" for r in results for n in set_notes(r)])
    if fmt in CSV_FORMATS:
        return _csv(frame, fmt)
    if fmt == "json":
        return to_json({"targets": _records(frame),
                        "set": [{"file": r.scenario.path, **record} for r in results for record in set_records(r)]})
    parts = []
    for result in results:
        set_part = set_text(result) + "\n\n" if result.scenario.overrides else ""
        parts.append(_heading(f"{result.scenario.name} ({result.scenario.path})", fmt) + "\n" + set_part +
                     (_grid(targets_rows(result, strategies), TARGET_HEADERS, fmt) if result.verdicts else "(no targets)"))
    return "\n\n".join(parts) + "\n"
