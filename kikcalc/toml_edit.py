"""Edit a scenario's TOML text by key path, keeping its comments and layout (tomlkit): for ``calibrate --write``.

Nothing here computes a model number; it writes numbers it is given where key paths say, with a
comment saying where they came from. The input text is never changed in place: the caller writes
the result to a new file.
"""

from __future__ import annotations

import math
from typing import Any

from kikcalc import keypaths

KEPT_DIGITS = 6
"""Significant digits of a number written back: enough for any result, readable in the file."""
WRITTEN_MARK = "# Written by kikcalc calibrate"
"""The first line of a scenario ``calibrate --write`` wrote: the one kind of scenario it may write over."""


NOTE_MARKS = ("# Caveat of the fit:", "# --write-uncertainty wrote")
"""How the notes below the first line of a written scenario begin (:func:`written_header`)."""


def written_header(scenario_file: str, sources: str, notes: list[str] = (), text: str = "") -> str:
    """The lines a written scenario starts with: what wrote it, from what, then each note (the fit's caveats), one
    comment line each. ``text``: the scenario written from; if calibrate wrote it too, the new first line says from
    what (:func:`without_header` takes its old lines away)."""
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    earlier = ""
    if first.startswith(WRITTEN_MARK + " from "):  # the scenario calibrate first wrote from, however often since
        origin = first.split("; first written from ", 1)[-1] if "; first written from " in first else first[len(WRITTEN_MARK + " from "):]
        earlier = f"; first written from {origin.split('; each fitted', 1)[0]}"
    end = "\r\n" if "\r\n" in text else "\n"  # the file's own line ends (Windows' CRLF): one kind in a file
    return (f"{WRITTEN_MARK} from {scenario_file} and {sources}{earlier}; each fitted number says so beside it.{end}"
            + "".join(f"# {' '.join(note.split())}{end}" for note in notes))


def without_header(text: str) -> str:
    """A scenario's text without the lines :func:`written_header` put first, if calibrate wrote it; else as it is."""
    lines = text.lstrip("\ufeff").split("\n")
    if not lines[0].startswith(WRITTEN_MARK):
        return text
    rest = 1
    while rest < len(lines) and lines[rest].startswith(NOTE_MARKS):
        rest += 1
    return "\n".join(lines[rest:])


def write_over_problem(path: str) -> str | None:
    """Why ``calibrate --write`` may not write to ``path``; None if it may: a new file, or one it wrote before.

    kikcalc never writes over a scenario it did not write (a hand-written one holds work no run can give back).
    """
    import os

    from kikcalc import textfile
    from kikcalc.errors import ScenarioError

    if not path.lower().endswith(".toml"):
        return "the fitted scenario is a TOML file: give a name ending in .toml"
    if not os.path.lexists(path):
        return None
    try:
        first = textfile.read_bytes(path).split(b"\n", 1)[0].decode("utf-8", "replace")
    except ScenarioError:
        first = ""
    if first.lstrip("\ufeff").startswith(WRITTEN_MARK):
        return None
    return ("exists, and is not a scenario kikcalc calibrate wrote: kikcalc never writes over a scenario; "
            "give a new name, or remove the file first")


def _rounded(value: float) -> float | int:
    number = float(f"{value:.{KEPT_DIGITS}g}")
    return int(number) if number.is_integer() and abs(number) < 1e15 else number


def _was(item: Any) -> tuple[str, str, str]:
    """An item's text as the file gives it, its comment, and the space before the comment."""
    return item.as_string().strip(), item.trivia.comment.lstrip("#").strip(), item.trivia.comment_ws or "  "


def _before(was: str, old_comment: str) -> str:
    """What a number's comment says the file held before: ``was 27: its comment``; where calibrate wrote that number
    too, ``was 25.4, fitted before; first 27: its comment``, the first number the file had, not every step."""
    if old_comment.startswith("fitted by kikcalc calibrate"):
        for mark in ("; first ", "; was "):
            if mark in old_comment:
                return f"was {was}, fitted before; first {old_comment.split(mark, 1)[1]}"
        return f"was {was}, fitted before"
    return f"was {was}" + (f": {old_comment}" if old_comment else "")


def _item(value: Any) -> Any:
    """A TOML item of ``value``: a table written inline, on the line of the value it replaces."""
    import tomlkit

    if isinstance(value, dict):
        table = tomlkit.inline_table()
        table.update(value)
        return table
    return tomlkit.item(value)


def _replace(parent: Any, key: Any, number: Any, comment: str) -> None:
    """Set one number (or any value), with the comment saying where it came from and what the file said before."""
    was, old_comment, spacing = _was(parent[key])
    item = _item(number)  # commented before it goes in: a dotted key's table hands out copies
    item.comment(f"{comment}; {_before(was, old_comment)}")
    item.trivia.comment_ws = spacing
    parent[key] = item


def _distribution(mean: float, sd: float, low: float, high: float) -> dict[str, Any]:
    """The entry of a fitted number: a normal with the estimate and its standard error, kept within the number's
    domain as :mod:`kikcalc.uncertainty` requires: a beta for a number between 0 and 1, else a normal cut at the
    finite bounds."""
    mean, sd = _rounded(mean), _rounded(sd)
    if low == 0 and high == 1 and 0 < mean < 1 and 0 < sd < math.sqrt(mean * (1 - mean)):
        return {"dist": "beta", "mean": mean, "sd": sd}
    if sd > 0 and (math.isfinite(low) or math.isfinite(high)):
        return {"dist": "truncnormal", "mean": mean, "sd": sd,
                **({"low": _rounded(low)} if math.isfinite(low) else {}), **({"high": _rounded(high)} if math.isfinite(high) else {})}
    return {"dist": "normal", "mean": mean, "sd": sd}


def with_values(text: str, values: list[tuple[str, Any, str]]) -> str:
    """The TOML text with each (key path, value, comment) set as written, the comment and what the file held before
    beside it: the values ``--set`` gave a fit, so that the scenario written holds what the fit was made with."""
    import tomlkit

    document = tomlkit.parse(text)
    for path, value, comment in values:
        parts = keypaths.parse(path)
        parent: Any = document
        for part in parts[:-1]:
            parent = parent[part]
        key = parts[-1]
        if key in parent:
            _replace(parent, key, value, comment)
        else:  # a key the file leaves out, at its default
            parent[key] = _item(value)
            parent[key].comment(comment)
    return tomlkit.dumps(document)


def written_entry(table: Any, path: str) -> str | None:
    """The key of ``table`` (a file's ``[uncertainty]``) that names the number at ``path``, as the file spells it
    (``"strategies.kik2.effects[0].multiply"`` or with spaces or quotes); None if it has none."""
    target = keypaths.canonical(path)
    for key in table:
        try:
            if keypaths.canonical(str(key)) == target:
                return str(key)
        except keypaths.KeyPathError:  # not a key path: the file's own problem, reported when it loads
            continue
    return None


def hand_written_entries(text: str, paths: list[str]) -> list[tuple[str, str]]:
    """(key path, the entry as the file writes it) for each of ``paths`` whose ``[uncertainty]`` entry the file gives
    and calibrate did not write: a spread someone chose, which ``--write-uncertainty`` writes over and says so."""
    import tomlkit

    table = tomlkit.parse(text).get("uncertainty")
    found = []
    for path in paths if table is not None else []:
        key = written_entry(table, path)
        if key is not None and not table[key].trivia.comment.lstrip("# ").startswith("fitted by kikcalc calibrate"):
            found.append((path, table[key].as_string().strip()))
    return found


def with_numbers(text: str, changes: list[tuple[str, float, bool, str]], uncertainty: list[tuple] = ()) -> str:
    """The TOML text with each (key path, number, scale, comment) applied: the number set (or, with scale,
    every number of the table at the key path multiplied by it) and the comment put beside it. Each
    (key path, mean, sd, scale) or (key path, mean, sd, scale, low, high) of ``uncertainty`` becomes an entry of
    ``[uncertainty]``: a normal with that mean and sd, within the number's domain [low, high] (a factor's is at
    least 0) so that the file loads (:func:`_distribution`)."""
    import tomlkit

    document = tomlkit.parse(text)
    for path, number, scale, comment in changes:
        parts = keypaths.parse(path)
        parent: Any = document
        for part in parts[:-1]:
            parent = parent[part]
        key = parts[-1]
        if key not in parent:  # a key the file leaves out, at its default
            parent[key] = _rounded(number)
            parent[key].comment(comment)
            continue
        old = parent[key]
        if scale and not isinstance(old, tomlkit.items.InlineTable):
            # a table over several lines ([states.kh.inflow] or dotted keys): a comment on each line it changes
            for entry in list(old.keys()):
                _replace(old, entry, _rounded(float(old[entry]) * number), comment)
            continue
        if scale:
            was, old_comment, spacing = _was(old)
            for entry in list(old.keys()):
                old[entry] = _rounded(float(old[entry]) * number)
            old.comment(f"{comment}; {_before(was, old_comment)}")
            old.trivia.comment_ws = spacing
        else:
            _replace(parent, key, _rounded(number), comment)
    if uncertainty:
        if "uncertainty" not in document:
            document.add(tomlkit.nl())
            document.add("uncertainty", tomlkit.table())
        table = document["uncertainty"]
        for path, mean, sd, scale, *bounds in uncertainty:
            low, high = bounds if bounds else (-math.inf, math.inf)
            if scale:  # a factor is never negative; one that pushes a rate past its bound only excludes that draw
                low, high = max(low, 0.0), math.inf
            entry = tomlkit.inline_table()
            entry.update({**_distribution(mean, sd, low, high), **({"scale": True} if scale else {})})
            key = written_entry(table, path) or path  # the file's own entry, however it spells the key path
            was = f"; was {table[key].as_string().strip()}" if key in table else ""
            table[key] = entry
            table[key].comment(f"fitted by kikcalc calibrate: the estimate and its standard error{was}")
    return tomlkit.dumps(document)
