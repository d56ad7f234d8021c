"""What a scenario file says about its numbers: each number's key path with the comment the file gives it.

An economist writes a number's source or "assumption" as a comment beside it, above it, or above
its table. A report of the assumptions needs those words with the numbers, so this module reads the
file's text with tomlkit (which keeps comments) and gives every number of the file its comment:

- the comment on the number's own line (for a number inside an inline table or a list, the line of its key);
- else the block of comment lines right above its key (no blank line between);
- else the block right above its table's header (``[states.kontanthjaelp]``, ``[[transitions]]``).

The file's leading block (the comment lines before its first table) is its own summary of sources.
Nothing here computes or changes a number; the values are those of the loaded scenario (after
``--set``), so a number set on the command line says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kikcalc import keypaths


@dataclass(frozen=True)
class Commented:
    """One number of a scenario and what the file says about it."""

    path: str
    value: float | int
    comment: str
    set_from: Any = None
    """The file's value if the number was set with ``--set`` (None if the file has none)."""
    is_set: bool = False
    """The number was set with ``--set``."""

    @property
    def assumption(self) -> bool:
        """The file marks the number as an assumption of its own (not a published figure)."""
        return "assumption" in self.comment.lower()


def _comment_text(item: Any) -> str:
    return item.as_string().strip().lstrip("#").strip()


class _Reader:
    """Walks tomlkit's document in file order, carrying the comment lines seen since the last blank line."""

    def __init__(self) -> None:
        self.pending: list[str] = []
        self.after_key = False
        """The last line read was a key: a comment line now starts a new block (a block serves every key below
        it up to a blank line or the next comment)."""
        self.comments: dict[str, str] = {}

    def take(self) -> str:
        """The block above a table's header, which serves the table's keys that have none of their own."""
        block, self.pending, self.after_key = " ".join(line for line in self.pending if line), [], False
        return block

    def container(self, body: list, path: str, above_table: str) -> None:
        from tomlkit.items import AoT, Comment, InlineTable, Table, Whitespace

        for key, item in body:
            if isinstance(item, Comment):
                if self.after_key:
                    self.pending, self.after_key = [], False
                self.pending.append(_comment_text(item))
            elif isinstance(item, Whitespace):
                if "\n" in item.as_string():
                    self.pending, self.after_key = [], False
            elif isinstance(item, Table):
                where = keypaths.child(path, key.key)
                if item.is_super_table():
                    self.container(item.value.body, where, above_table)
                else:
                    self.container(item.value.body, where, self.take() or above_table)
            elif isinstance(item, AoT):
                where = keypaths.child(path, key.key)
                for i, table in enumerate(item.body):
                    self.container(table.value.body, keypaths.child(where, i), self.take() or above_table)
            else:
                where = keypaths.child(path, key.key)
                own = item.trivia.comment.lstrip("#").strip()
                block = " ".join(line for line in self.pending if line)
                self.value(item, where, own or block or above_table, InlineTable)
                self.after_key = True

    def value(self, item: Any, path: str, comment: str, inline_table: type) -> None:
        from tomlkit.items import Array

        self.comments[path] = comment
        if isinstance(item, inline_table):
            for key, inner in item.value.body:
                if key is not None:
                    self.value(inner, keypaths.child(path, key.key), comment, inline_table)
        elif isinstance(item, Array):
            for i, inner in enumerate(item):  # a list's items share its line's comment
                self.value(inner, keypaths.child(path, i), comment, inline_table)


def leading_comment(text: str) -> str:
    """The comment lines at the top of a scenario file, before its first key or table, as paragraphs
    (a line of ``#`` alone or a blank line separates them); list items (``- ...``) start a new line."""
    paragraphs: list[list[str]] = [[]]
    for line in text.lstrip("\ufeff").splitlines():
        stripped = line.strip()
        if not stripped.startswith("#"):
            if stripped:
                break
            paragraphs.append([])
            continue
        words = stripped.lstrip("#").strip()
        if not words:
            paragraphs.append([])
        elif words.startswith("- ") and paragraphs[-1]:
            paragraphs.append([words])
        else:
            paragraphs[-1].append(words)
    return "\n".join(" ".join(p) for p in paragraphs if p)


def commented_numbers(text: str, raw: dict, overrides: tuple = ()) -> list[Commented]:
    """Every number of the scenario (``raw``: its TOML after ``--set``) with the file's comment for it, in file order."""
    import tomlkit

    reader = _Reader()
    reader.container(tomlkit.parse(text).body, "", "")
    reader.take()
    was = {keypaths.canonical(path): in_file for path, _, in_file in overrides}
    out = []
    for path, value in keypaths.numbers(raw).items():
        comment = reader.comments.get(path, "")
        if path not in reader.comments:  # a key path the file writes otherwise (a dotted or quoted key)
            comment = next((c for p, c in reader.comments.items() if keypaths.within(path, p) and c), "")
        out.append(Commented(path, value, comment, was.get(path), path in was))
    return out
