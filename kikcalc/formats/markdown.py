"""``--format markdown``: GitHub Markdown tables under ### headings, for a committee paper or a wiki."""

from __future__ import annotations

from kikcalc.formats import View, _text
from kikcalc.provenance import Provenance
from kikcalc.result import Result

NAME = "markdown"
SUFFIXES = (".md",)
ORDER = 20
BINARY = False
HELP = "Markdown tables"


def run(result: Result, view: View) -> str:
    return _text.paragraphs(_text.run(result, view, NAME))


def compare(results: list[Result], view: View) -> str:
    return _text.paragraphs(_text.compare(results, view, NAME))


def targets(results: list[Result], view: View) -> str:
    return _text.paragraphs(_text.targets(results, view, NAME))


def stamp(content: str, record: Provenance) -> str:
    """A document laid out elsewhere (sensitivity, solve, ...) with the provenance line under its title."""
    return _text.paragraphs(_text.stamp(content, record, NAME))
