"""The documents of ``run``, ``compare`` and ``targets`` in any registered format: thin entry points.

The tables live in :mod:`kikcalc.tables` (every number a report shows and Result does not hold is
computed there), the formats in :mod:`kikcalc.formats` (one module each, registered by name and
suffix), provenance in :mod:`kikcalc.provenance`, numbers by locale in :mod:`kikcalc.locale`. This
module keeps the names other modules and branches call (``run_document``, ``compare_document``,
``targets_document``, ``run_json``, ``workbook``, the cell formatters ...) as wrappers over those.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from kikcalc import formats, tables
from kikcalc import locale as loc
from kikcalc.formats import View
from kikcalc.formats import _text as text_layout
from kikcalc.formats import json as json_format
from kikcalc.formats import xlsx as xlsx_format
from kikcalc.formats._cells import FORMULA_STARTS, guarded, rounded  # noqa: F401  (the names others import)
from kikcalc.formats.csv import text as csv_text
from kikcalc.provenance import Provenance
from kikcalc.result import Result
from kikcalc.tables import (  # noqa: F401  (the names others import)
    MONEY_LINES,
    OPTIONAL_MONEY_LINES,
    comparison_frame,
    set_lines,
    set_notes,
    set_records,
)

FORMATS = formats.names()
CSV_FORMATS = formats.plain_tables()
"""csv: comma-separated, decimal point, plain UTF-8. csv-da: what Excel with Danish settings opens
directly: semicolon-separated, decimal comma, UTF-8 with a byte-order mark (so æ, ø, å survive)."""
TARGET_HEADERS = text_layout.TARGET_HEADERS


# --- cells, in the command's locale (--locale; kikcalc.locale) ------------------------------------

def kroner(value: float) -> str:
    return loc.kroner(value, loc.current())


def mio(value: float) -> str:
    return loc.mio(value, loc.current())


def persons(value: float) -> str:
    return loc.persons(value, loc.current())


_blank = text_layout.blank
_text = text_layout.text
verdict_word = text_layout.verdict_word


def _target_value(value: Any, unit: str, met: bool | None = None) -> str:
    return text_layout.target_value(value, unit, met, loc.current())


def _margin(value: Any, unit: str) -> str:
    return text_layout.margin(value, unit, loc.current())


def _grid(rows: list[list[Any]], headers: list[str], fmt: str) -> str:
    return text_layout.grid(rows, headers, fmt)


def _heading(words: str, fmt: str) -> str:
    return text_layout.heading(words, fmt)


def _title(words: str, fmt: str) -> str:
    return text_layout.title(words, fmt)


def _line(words: str, fmt: str) -> str:
    return text_layout.line(words, fmt)


def header_text(result: Result, fmt: str) -> str:
    return text_layout.header_text(result, fmt, loc.current())


notes_text = text_layout.notes_text
set_text = text_layout.set_text


def targets_rows(result: Result, strategies: list[str] | None = None) -> list[list[str]]:
    return text_layout.targets_rows(result, strategies, loc.current())


def targets_pivot_rows(result: Result) -> tuple[list[list[str]], list[str]]:
    return text_layout.targets_pivot_rows(result, loc.current())


# --- whole documents ---------------------------------------------------------------------------

def _view(strategies: list[str] | None = None, monthly: bool = False, money: bool = False, locale: str | None = None,
          provenance: Provenance | None = None) -> View:
    return View(strategies=strategies, monthly=monthly, money=money, locale=loc.checked(locale or loc.current()),
                provenance=provenance)


def run_document(result: Result, fmt: str, strategies: list[str], monthly: bool, money: bool = False, *,
                 locale: str | None = None, provenance: Provenance | None = None) -> str | bytes:
    """The ``kikcalc run`` report in one of the formats (bytes for xlsx).

    A CSV holds one table: persons (with their benefit cost) by default, the money lines with ``money``.
    """
    for name in strategies or ():  # a name the file lacks is named as such, not an empty table (csv, json, xlsx)
        result.strategy(name)
    return formats.get(fmt).run(result, _view(strategies, monthly, money, locale, provenance))


def compare_document(results: list[Result], fmt: str, *, locale: str | None = None,
                     provenance: Provenance | None = None) -> str | bytes:
    return formats.get(fmt).compare(results, _view(locale=locale, provenance=provenance))


def targets_document(results: list[Result], fmt: str, strategies: list[str] | None = None, *, locale: str | None = None,
                     provenance: Provenance | None = None) -> str | bytes:
    known = list(dict.fromkeys(name for result in results for name in result.scenario.strategy_names))
    for name in strategies or ():
        if name not in known:
            from kikcalc.api import unknown_strategy
            from kikcalc.errors import UnknownStrategy

            raise UnknownStrategy(unknown_strategy(name, known, ", ".join(r.scenario.path for r in results)))
    return formats.get(fmt).targets(results, _view(strategies, locale=locale, provenance=provenance))


def run_json(result: Result, strategies: list[str] | None = None, monthly: bool = False) -> dict:
    return json_format.run_json(result, strategies, monthly)


def _csv(frame: pd.DataFrame, fmt: str) -> str:
    return csv_text(frame, danish=fmt == "csv-da")


_records = json_format.records
to_json = json_format.dumps
_all_targets = tables.all_targets
_one_figure_lines = tables.one_figure_lines


def workbook(sheets: dict[str, pd.DataFrame], notes: list[str] = (), provenance: Provenance | None = None,
             inputs: pd.DataFrame | None = None) -> bytes:
    """A workbook with one sheet per table, formatted by unit, and the notes (and provenance) on sheets of their own."""
    return xlsx_format.workbook(sheets, notes, provenance, inputs, loc.current())


# --- the sections of a text report, in the command's locale --------------------------------------

def persons_text(result: Result, strategy: str, fmt: str) -> str:
    return text_layout.persons_text(result, strategy, fmt, loc.current())


def money_text(result: Result, strategy: str, fmt: str) -> str:
    return text_layout.money_text(result, strategy, fmt, loc.current())


def monthly_text(result: Result, strategy: str, fmt: str) -> str:
    return text_layout.monthly_text(result, strategy, fmt, loc.current())


def summary_text(result: Result, fmt: str, strategies: list[str] | None = None) -> str:
    return text_layout.summary_text(result, fmt, strategies, loc.current())


def programmes_text(result: Result, fmt: str, strategies: list[str]) -> str:
    return text_layout.programmes_text(result, fmt, strategies, loc.current())


def targets_text(result: Result, fmt: str, strategies: list[str] | None = None) -> str:
    return text_layout.targets_text(result, fmt, strategies, loc.current())


def _payback(row: Any) -> str:
    """A strategy's payback month for reading: the month, 'not within the horizon', or 'never behind'."""
    return text_layout.payback_text(row, loc.current())


def _compare_cell(unit: str, line: str, value: Any) -> str:
    return text_layout.compare_cell(unit, line, value, loc.current())
