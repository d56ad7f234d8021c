"""What the data formats (CSV, JSON, a workbook) do to a table's cells: round them, guard text from formulas.

Kroner are rounded to the øre and other numbers to 6 decimals: exact enough for any check, clean
in a spreadsheet. Nothing here computes a model number.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

MONEY_WORDS = ("cost", "refusion", "investment", "saving", "npv", "spending", "grant", "offset", "kr.")
"""A column whose name holds one of these is in kroner."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet may read as the start of a formula in a text cell (OWASP, "CSV Injection")."""


def is_money(column: Any) -> bool:
    return any(word in str(column) for word in MONEY_WORDS)


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
        digits = 2 if is_money(column) else 6
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


def as_text(value: Any) -> Any:
    """A text that a spreadsheet would take for a formula, with a quote before it; anything else as it is."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


def guarded(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame for a CSV file: every text cell and column name a spreadsheet would read as a formula
    (``=1+2``, ``-2+3``, ``@SUM(A1)``) gets a single quote in front, as OWASP advises. Numbers, negative
    ones too, are not text and stay as they are."""
    frame = frame.rename(columns=as_text)  # a copy
    for column in frame.columns:
        values = frame[column]
        if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_datetime64_any_dtype(values):
            continue
        if any(as_text(v) is not v for v in pd.unique(values)):  # few distinct values, even among a million draws
            frame[column] = values.map(as_text)
    return frame
