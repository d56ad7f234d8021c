"""The assumptions of a scenario: every input number with its key path, value, unit and the file's comment or source.

A workbook's "assumptions" sheet (and a committee report's list of assumptions) is this table. The
comment is the one the file writes beside the number, or beside the table or list that holds it
(tomlkit keeps comments); where there is none, the ``source`` text of the nearest enclosing table
(an effect's, a grant's), never the scenario's whole source for a number it may not cover.
A value set with ``--set`` says so. Nothing here computes a model number.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from kikcalc import keypaths
from kikcalc.errors import ScenarioError
from kikcalc.spec import Scenario

COLUMNS = ["key_path", "value", "unit", "comment"]


def _comments(text: str) -> dict[str, str]:
    """Each key path of a TOML text with the comment written on its line (tomlkit), without the ``#``."""
    import tomlkit

    found: dict[str, str] = {}

    def visit(item: Any, path: str) -> None:
        trivia = getattr(item, "trivia", None)
        comment = (trivia.comment if trivia is not None else "").lstrip("#").strip()
        if comment and path:
            found[path] = comment
        if isinstance(item, dict):
            for key, value in item.items():
                visit(value, keypaths.child(path, str(key)))
        elif isinstance(item, list):
            for index, value in enumerate(item):
                visit(value, keypaths.child(path, index))

    try:
        visit(tomlkit.parse(text), "")
    except tomlkit.exceptions.TOMLKitError:  # tomllib read the file already; comments are a courtesy, never an error
        return {}
    return found


def frame(scenario: Scenario) -> pd.DataFrame:
    """Every number of the scenario as run: ``key_path``, ``value``, ``unit``, ``comment``, in file order."""
    comments: dict[str, str] = {}
    if scenario.path:
        from kikcalc.textfile import read_text

        try:
            comments = _comments(read_text(scenario.path))
        except ScenarioError:  # the file may have gone since it was read; the numbers are in hand
            comments = {}
    set_by_path = {keypaths.canonical(path): in_file for path, _, in_file in scenario.overrides}
    rows = []
    for path, value in keypaths.numbers(scenario.raw).items():
        comment = _nearest(path, comments) or _source(scenario.raw, path)
        if path in set_by_path:
            was = set_by_path[path]
            comment = (f"set with --set (file: {'none' if was is None else keypaths.format_value(was)})"
                       + (f"; {comment}" if comment else ""))
        rows.append({"key_path": path, "value": value, "unit": keypaths.unit_of(path), "comment": comment})
    return pd.DataFrame(rows, columns=COLUMNS)


def _ancestors(path: str) -> list[str]:
    """The key path and each enclosing one, innermost first."""
    parts = keypaths.parse(path)
    return [keypaths.join(parts[:n]) for n in range(len(parts), 0, -1)]


def _nearest(path: str, comments: dict[str, str]) -> str:
    for where in _ancestors(path):
        if where in comments:
            return comments[where]
    return ""


def _source(raw: dict, path: str) -> str:
    for where in _ancestors(path)[1:]:
        try:
            table = keypaths.get(raw, where)
        except keypaths.KeyPathError:
            continue
        if isinstance(table, dict) and isinstance(table.get("source"), str):
            return f"source: {table['source']}"
    return ""
