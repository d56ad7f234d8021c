"""``--format table``: plain text tables for the terminal (the default), numbers rounded for reading."""

from __future__ import annotations

from kikcalc.formats import View, _text
from kikcalc.provenance import Provenance
from kikcalc.result import Result

NAME = "table"
SUFFIXES = (".txt",)
ORDER = 10
BINARY = False
HELP = "text tables (the default)"


def run(result: Result, view: View) -> str:
    return _text.run(result, view, NAME)


def compare(results: list[Result], view: View) -> str:
    return _text.compare(results, view, NAME)


def targets(results: list[Result], view: View) -> str:
    return _text.targets(results, view, NAME)


def stamp(content: str, record: Provenance) -> str:
    """A document laid out elsewhere (sensitivity, solve, ...) with the provenance line under its title."""
    return _text.stamp(content, record)
