"""``--format csv``: one table, comma-separated with a decimal point, plain UTF-8, full-precision numbers.

CSV stays a plain table that any spreadsheet opens: it has no room for notes or provenance, so the
command line prints them on stderr (``NOTES_ON_STDERR``); ``--format json`` holds the same numbers
with their provenance.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from kikcalc import tables
from kikcalc.formats import View
from kikcalc.formats._cells import guarded, rounded
from kikcalc.provenance import Provenance
from kikcalc.result import Result

NAME = "csv"
SUFFIXES = (".csv",)
ORDER = 30
BINARY = False
NOTES_ON_STDERR = True
HELP = "one table, comma-separated"


def _danish(value: Any) -> Any:
    """One cell of a csv-da column that is not all numbers: a boolean as ja/nej, a number with a
    decimal comma (pandas' decimal= leaves numbers among text alone), a missing value empty."""
    if isinstance(value, (bool, np.bool_)):
        return "ja" if value else "nej"
    if isinstance(value, float):
        return "" if math.isnan(value) else repr(float(value)).replace(".", ",")
    return value


def text(frame: pd.DataFrame, danish: bool = False) -> str:
    """A table as CSV text: rounded, guarded against formulas; ``danish``: what Excel with Danish settings
    opens directly (semicolon-separated, decimal comma, UTF-8 with a byte-order mark, so æ, ø, å survive)."""
    frame = guarded(rounded(frame))
    if danish:
        for column in frame.columns:
            if pd.api.types.is_bool_dtype(frame[column]) or not pd.api.types.is_numeric_dtype(frame[column]):
                frame[column] = frame[column].map(_danish)
        return "\ufeff" + frame.to_csv(index=False, sep=";", decimal=",")
    return frame.to_csv(index=False)


def run_table(result: Result, view: View) -> pd.DataFrame:
    """The one table of a run's CSV: persons (with their benefit cost) by default, the money lines with ``money``."""
    if view.money:
        frame = result.monthly_money if view.monthly else result.money
    else:
        frame = result.monthly if view.monthly else result.yearly
    return tables.only(frame, view.strategies)


def run(result: Result, view: View) -> str:
    return text(run_table(result, view))


def compare(results: list[Result], view: View) -> str:
    return text(tables.comparison_frame(results))


def targets(results: list[Result], view: View) -> str:
    return text(tables.all_targets(results, view.strategies))


def stamp(content: str, record: Provenance) -> str:
    """A CSV stays a plain table: its provenance goes to stderr (NOTES_ON_STDERR), not into the file."""
    return content
