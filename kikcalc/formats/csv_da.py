"""``--format csv-da``: the CSV table for Excel with Danish settings: ``;``-separated, decimal comma, a byte-order mark."""

from __future__ import annotations

from kikcalc import tables
from kikcalc.formats import View
from kikcalc.formats.csv import run_table, text
from kikcalc.provenance import Provenance
from kikcalc.result import Result

NAME = "csv-da"
SUFFIXES = ()
ALSO_SUFFIXES = (".csv",)
"""Suffixes this format may be written to though they choose another (a Danish CSV is a .csv all the same)."""
ORDER = 40
BINARY = False
NOTES_ON_STDERR = True
HELP = "Danish Excel: ; and decimal comma"


def run(result: Result, view: View) -> str:
    return text(run_table(result, view), danish=True)


def compare(results: list[Result], view: View) -> str:
    return text(tables.comparison_frame(results), danish=True)


def targets(results: list[Result], view: View) -> str:
    return text(tables.all_targets(results, view.strategies), danish=True)


def stamp(content: str, record: Provenance) -> str:
    """A CSV stays a plain table: its provenance goes to stderr (NOTES_ON_STDERR), not into the file."""
    return content
