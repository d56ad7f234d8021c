"""Provenance: where an output came from, so that a number in a committee paper can be traced back.

Every output records the kikcalc version, each scenario file's name and SHA-256, the values set by key
path (``--set``), the seed and number of draws where random draws are used, the command line and the
time of the run: an object in JSON, a sheet in a workbook, a header line in text and Markdown, a
footer in HTML reports and charts. This module is the one home of that record; the formats lay it out.

The time of the run is the clock's, in UTC, unless the environment sets ``SOURCE_DATE_EPOCH``
(seconds since 1970-01-01 UTC, the reproducible-builds convention): then that time, so that a
documented session or a test prints the same output every time. Nothing here computes a model number.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kikcalc.errors import UsageError
from kikcalc.records import frozen

EPOCH_VARIABLE = "SOURCE_DATE_EPOCH"


@frozen
class ScenarioFile:
    """A scenario file as the command named it, and the SHA-256 of its bytes (None if it cannot be read)."""

    name: str
    sha256: str | None


@frozen
class Provenance:
    """Where one output came from.

    Attributes
    ----------
    version : str
        kikcalc's version.
    files : tuple of ScenarioFile
        Each scenario file, in the order given, then each data file read beside them (observed counts).
    set : tuple of (str, Any)
        Each value set by key path (``--set PATH=VALUE``), as (key path, value).
    command : str
        The command line, quoted as a shell would take it.
    time : str
        The time of the run, ISO 8601 in UTC to the second (``2026-12-04T01:55:00Z``).
    seed, draws : int or None
        The seed and the number of draws, where the output comes from random draws.
    """

    version: str
    files: tuple[ScenarioFile, ...]
    set: tuple[tuple[str, Any], ...]
    command: str
    time: str
    seed: int | None = None
    draws: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON object: ``kikcalc_version``, ``files`` (``name``, ``sha256``), ``set`` (``path``, ``value``),
        ``seed``, ``draws``, ``command``, ``time``."""
        from kikcalc.keypaths import format_value

        def plain(value: Any) -> Any:  # a TOML date or time has no JSON form but its text
            return format_value(value) if isinstance(value, (datetime.date, datetime.time)) else value

        return {"kikcalc_version": self.version,
                "files": [{"name": f.name, "sha256": f.sha256} for f in self.files],
                "set": [{"path": path, "value": plain(value)} for path, value in self.set],
                "seed": self.seed, "draws": self.draws, "command": self.command, "time": self.time}

    def rows(self) -> list[tuple[str, str]]:
        """The record as (field, text) rows: a workbook's provenance sheet, an HTML footer's list."""
        from kikcalc.keypaths import format_value

        rows = [("kikcalc version", self.version)]
        rows += [(f"file {i + 1}", f"{f.name} (SHA-256 {f.sha256 or 'not readable'})") for i, f in enumerate(self.files)]
        rows += [("set", f"{path} = {format_value(value)}") for path, value in self.set]
        if self.draws is not None:
            rows += [("seed", str(self.seed)), ("draws", str(self.draws))]
        rows += [("command", self.command), ("time", self.time)]
        return rows

    def one_line(self) -> str:
        """The record on one line, for the head of a text or Markdown report and for stderr beside a CSV."""
        from kikcalc.keypaths import format_value

        parts = [f"kikcalc {self.version}"]
        parts += [f"{f.name} sha256:{f.sha256 or 'not readable'}" for f in self.files]
        parts += [f"set {path} = {format_value(value)}" for path, value in self.set]
        if self.draws is not None:
            parts.append(f"seed {self.seed}, {self.draws} draw{'' if self.draws == 1 else 's'}")
        parts += [f"command: {self.command}", f"run {self.time}"]
        return "; ".join(parts)


def run_time() -> datetime.datetime:
    """The time of this run in UTC, to the second: ``SOURCE_DATE_EPOCH`` if the environment sets it, else now."""
    given = os.environ.get(EPOCH_VARIABLE)
    if given is not None and given.strip():
        try:
            seconds = int(given.strip())
            return datetime.datetime.fromtimestamp(seconds, datetime.UTC)
        except (ValueError, OverflowError, OSError):
            raise UsageError(f"{EPOCH_VARIABLE}={given}: expected whole seconds since 1970-01-01 UTC "
                             f"(such as 1767225600 for 2026-01-01), or leave it unset for the clock's time") from None
    return datetime.datetime.now(datetime.UTC).replace(microsecond=0)


def command_line() -> str:
    """The command as typed: ``kikcalc ARGS`` inside the command line, else the Python program's own arguments."""
    try:
        import click

        context = click.get_current_context(silent=True)
    except ImportError:  # pragma: no cover - click is a dependency
        context = None
    if context is not None and "kikcalc.argv" in context.meta:
        return shlex.join(["kikcalc", *context.meta["kikcalc.argv"]])
    return shlex.join([Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "python", *sys.argv[1:]])


def sha256(path: str | Path) -> str | None:
    """The SHA-256 of a file's bytes in hex, or None if it cannot be read (a scenario not from a file)."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as stream:
            for block in iter(lambda: stream.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()


def of(scenarios: Sequence[Any], seed: int | None = None, draws: int | None = None,
       command: str | None = None, data_files: Sequence[str | Path] = ()) -> Provenance:
    """The provenance of an output made from these scenarios (each a :class:`~kikcalc.spec.Scenario`).

    The values set by key path are each scenario's ``overrides``, each path once (``--set`` applies to
    every file of a command). ``data_files`` (observed data read beside a scenario) are listed after
    the scenarios, by name and SHA-256 too.
    """
    import kikcalc

    seen: dict[str, Any] = {}
    for scenario in scenarios:
        for path, value, _ in scenario.overrides:
            seen.setdefault(path, value)
    files = tuple(ScenarioFile(s.path, sha256(s.path) if s.path else None) for s in scenarios) + \
        tuple(ScenarioFile(str(f), sha256(f)) for f in data_files)
    time = run_time().strftime("%Y-%m-%dT%H:%M:%SZ")
    return Provenance(kikcalc.__version__, files, tuple(seen.items()), command or command_line(), time, seed, draws)
