"""Report formats of ``kikcalc check`` and ``kikcalc diff``: the differences laid out, no model number computed.

A table of changes has the columns ``where``, ``old``, ``new``, ``change`` and ``relative change``
(docs/output-columns.md). Kroner are shown to the øre and other numbers to 6 decimals, as the JSON
output rounds them, so that a change the check reports is never shown as 0.
"""

from __future__ import annotations

import datetime
from typing import Any

from kikcalc import locale
from kikcalc.formats._cells import MONEY_WORDS
from kikcalc.keypaths import ABSENT, format_value, join
from kikcalc.report import _grid, _heading, to_json
from kikcalc.snapshot import Change

FORMATS = ("table", "markdown", "json")
HEADERS = ["where", "old", "new", "change", "relative change"]


def _is_money(change: Change) -> bool:
    """Whether a number is kroner, by the rule that rounds the JSON output (a money word in its name);
    a target's own name and a probability never make it kroner."""
    keys = list(change.where[2:])
    if keys and "probability" in keys[-1]:
        return False
    named = [key for i, key in enumerate(keys) if not (i > 0 and keys[i - 1] == "targets")]
    return any(word in key for key in named for word in MONEY_WORDS)


def value_text(value: Any, money: bool) -> str:
    """A value of a snapshot for reading: a number with separators, a month, true/false, or "null"."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        if money:
            return locale.number(value, 2)
        text = locale.number(value, 6)
        return text.rstrip("0").rstrip(".") if "." in text else text
    return str(value)


def _signed(value: float | int | None, money: bool, months: bool) -> str:
    if value is None:
        return ""
    if months:
        return f"{value:+d} month{'' if abs(value) == 1 else 's'}"
    text = value_text(abs(value), money)
    return ("-" if value < 0 else "+") + text


def _relative(change: Change) -> str:
    relative = change.relative
    return "" if relative is None else f"{relative * 100:+.3g} %"


def rows(changes: list[Change], show_scenario: bool = True, names: tuple[str, str] = ("the snapshot", "this run")) -> list[list[str]]:
    """One row per change: where (without the scenario's file name unless ``show_scenario``), old, new, change,
    relative change. ``names`` name the old and the new side for what only one of them has."""
    out = []
    for change in changes:
        money = _is_money(change)
        place = change.place if show_scenario else change.place.partition(": ")[2]
        if change.kind in ("missing", "extra"):
            if change.level != "number":
                place = f"{place} (the {change.level})"
            present = value_text(change.old if change.kind == "missing" else change.new, money) \
                if change.level == "number" else "present"
            absent = f"not in {names[1] if change.kind == 'missing' else names[0]}"
            out.append([place, *((present, absent) if change.kind == "missing" else (absent, present)), "", ""])
            continue
        months = isinstance(change.old, str) and isinstance(change.new, str)
        same = change.kind == "same"
        out.append([place, value_text(change.old, money), value_text(change.new, money),
                    "" if same else _signed(change.change, money, months), "" if same else _relative(change)])
    return out


def records(changes: list[Change]) -> list[dict[str, Any]]:
    """The changes for JSON: scenario, strategy, path (a key path below the strategy), kind, level, old, new, change, relative."""
    return [{"scenario": c.where[0], "strategy": c.where[1] if len(c.where) > 1 else None,
             "path": None if len(c.where) < 3 else _path(c.where[2:]), "kind": c.kind, "level": c.level,
             "old": c.old, "new": c.new, "change": c.change, "relative_change": c.relative} for c in changes]


def _path(parts: tuple[str, ...]) -> str:
    return join(parts)


def check_document(changes: list[Change], against: str, compared: int, rtol: float, atol: float, fmt: str,
                   updated: bool = False) -> str:
    """The ``kikcalc check`` report: a line saying what was compared, then the table of changes."""
    moved = sum(c.kind == "moved" for c in changes)
    absent = len(changes) - moved
    if fmt == "json":
        return to_json({"against": against, "numbers_compared": compared, "rtol": rtol, "atol": atol,
                        "moved": moved, "missing_or_extra": absent, "updated": updated, "changes": records(changes)})
    summary = (f"{compared:,} numbers of {against} compared (a number moved when |new - old| > {atol:g} + {rtol:g} x |old|): "
               + ("none moved" if not changes else
                  f"{moved} moved" + (f", {absent} missing or extra" if absent else "")))
    if updated:
        summary += f"; {against} rewritten with the new numbers"
    if not changes:
        return summary + "\n"
    return summary + "\n\n" + _heading("Changes", fmt) + "\n" + _grid(rows(changes), HEADERS, fmt) + "\n"


def diff_document(first: str, second: str, inputs: list[tuple[str, Any, Any]], headline: list[Change], fmt: str) -> str:
    """The ``kikcalc diff`` report: the inputs that differ by key path, then every headline number of both files."""
    if fmt == "json":
        return to_json({"a": first, "b": second,
                        "inputs": [{"path": path, "a": _plain(a), "b": _plain(b), "in_a": a is not ABSENT, "in_b": b is not ABSENT}
                                   for path, a, b in inputs],
                        "results": records(headline)})
    absent = "(not in the file)"
    input_rows = [[path, absent if a is ABSENT else _input_text(a), absent if b is ABSENT else _input_text(b)]
                  for path, a, b in inputs]
    parts = [f"A: {first}\nB: {second}",
             _heading("Inputs that differ", fmt) + "\n" +
             (_grid(input_rows, ["key path", "A", "B"], fmt) if input_rows else "(none: the two files give the same values)"),
             _heading("Headline results, A to B", fmt) + "\n" +
             _grid(rows(headline, show_scenario=False, names=("A", "B")), ["where", "A", "B", "change", "relative change"], fmt)]
    return "\n\n".join(parts) + "\n"


def _input_text(value: Any) -> str:
    if isinstance(value, dict):
        return f"a table of {len(value)} key{'s' if len(value) != 1 else ''}"
    if isinstance(value, list):
        return f"a list of {len(value)}"
    return format_value(value)


def _plain(value: Any) -> Any:
    """A raw TOML value for JSON: null for one a file does not have, a date or time as its TOML text."""
    if value is ABSENT:
        return None
    if isinstance(value, (datetime.date, datetime.time)):
        return format_value(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value
