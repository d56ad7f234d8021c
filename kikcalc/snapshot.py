"""Regression snapshots: every headline number of every strategy, stored, and compared with a new run.

A snapshot (``kikcalc snapshot FILE... -o expected.json``) is one JSON document::

    {"kikcalc_snapshot": 1, "kikcalc_version": "0.1.0", "sensitivity": null | {"draws", "seed", "sampler"},
     "scenarios": {FILE NAME: {"name", "file", "strategies": {STRATEGY: {
         "summary": {investment, ..., npv, payback_month, return_per_krone},
         "years": {YEAR: {"full_year_persons": {STATE: n}, "money": {LINE: kr.}}},
         "targets": {TARGET: {"value", "met", "first_month_met"}},
         "sensitivity": {...}}}}}}        # only with --draws N --seed S, for a file with [uncertainty]

Every number is copied from kikcalc's own JSON documents (:func:`kikcalc.report.run_json` and
the ``sensitivity`` JSON of :mod:`kikcalc.report_sensitivity`), rounded as they round them; nothing
here computes a model number. :func:`compare` says which numbers moved beyond a tolerance, and
which scenarios, strategies, years or numbers are in one document and not the other.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kikcalc import keypaths, limits
from kikcalc.errors import Problem, ScenarioError, UsageError

VERSION = 1
"""The version of the snapshot document this kikcalc writes and reads."""
MARK = "kikcalc_snapshot"
RTOL = 1e-6
"""Default relative tolerance: one part in a million (95 kr. of a 95 mio. kr. NPV)."""
ATOL = 1e-6
"""Default absolute tolerance, in the number's own unit."""
MAX_BYTES = 256 * 1024 * 1024
MAX_DRAWS = 1_000_000
"""The most draws a snapshot stores (``kikcalc snapshot --draws``), and so the most ``kikcalc check`` draws again."""

Leaf = float | int | str | bool | None
Where = tuple[str, ...]
"""(scenario, strategy, key, ...): the place of one number in a snapshot."""


# --- building ------------------------------------------------------------------------------------

def scenario_key(file: str) -> str:
    """A scenario's name in a snapshot: its file name, so that a snapshot holds wherever the check runs from."""
    return Path(file).name


def entry(run: dict, sensitivity: dict | None = None) -> dict:
    """One scenario's part of a snapshot, from its ``kikcalc run --format json`` document (all strategies)
    and, if given, its ``kikcalc sensitivity --format json`` document."""
    strategies: dict[str, dict] = {}
    for row in run["strategies"]:
        summary = {key: value for key, value in row.items() if key not in ("strategy", "label")}
        strategies[row["strategy"]] = {"summary": summary, "years": {}, "targets": {}}
    for row in run["yearly"]:
        year = strategies[row["strategy"]]["years"].setdefault(str(row["year"]), {"full_year_persons": {}, "money": {}})
        year["full_year_persons"][row["state"]] = row["full_year_persons"]
    for row in run["money"]:
        lines = {key: value for key, value in row.items() if key not in ("strategy", "year", "cumulative_net_saving")}
        strategies[row["strategy"]]["years"][str(row["year"])]["money"] = lines
    for row in run["targets"]:
        strategies[row["strategy"]]["targets"][row["name"]] = {key: row[key] for key in ("value", "met", "first_month_met")}
    if sensitivity is not None:
        for row in sensitivity["strategies"]:
            if row["baseline"]:
                continue
            strategies[row["name"]]["sensitivity"] = {
                "draws_used": sensitivity["draws_used"],
                **{key: value for key, value in row.items() if key not in ("name", "baseline")}, "targets": {}}
        for row in sensitivity["targets"]:
            place = strategies[row["strategy"]].setdefault("sensitivity", {"draws_used": sensitivity["draws_used"], "targets": {}})
            place["targets"][row["name"]] = {"value": row["value"], "probability_met": row["probability_met"]}
    return {"name": run["scenario"]["name"], "file": run["scenario"]["file"], "strategies": strategies}


def document(entries: dict[str, dict], version: str, sensitivity: dict | None = None) -> dict:
    """The snapshot document of scenario entries by :func:`scenario_key`."""
    return {MARK: VERSION, "kikcalc_version": version, "sensitivity": sensitivity, "scenarios": entries}


def keys_of(files: Iterable[str]) -> list[str]:
    """Each file's :func:`scenario_key`; two files of the same name are a usage error (one snapshot could not tell them apart)."""
    seen: dict[str, str] = {}
    for file in files:
        key = scenario_key(file)
        if key in seen:
            raise UsageError(f"{file} and {seen[key]} have the same file name, which names a scenario in a snapshot: "
                             f"keep a snapshot for each folder")
        seen[key] = file
    return list(seen)


# --- reading -------------------------------------------------------------------------------------

def read(path: str) -> dict:
    """A snapshot file, checked: JSON, the shape of :func:`document`, this version; else a ScenarioError for the file."""
    def bad(where: str, message: str) -> ScenarioError:
        return ScenarioError(path, [Problem(where, message)])

    if not os.path.exists(path):
        raise UsageError(f"--against {path}: no such file; write one with kikcalc snapshot FILE... -o {path}")
    if not os.path.isfile(path):
        raise UsageError(f"--against {path}: not a regular file; expected a snapshot written by kikcalc snapshot")
    if os.path.getsize(path) > MAX_BYTES:
        raise bad("", f"larger than {MAX_BYTES // 2**20} MiB; expected a snapshot written by kikcalc snapshot")
    try:
        with open(path, encoding="utf-8") as stream:
            text = stream.read()
    except UnicodeDecodeError:
        raise bad("", "not UTF-8 text; expected a JSON snapshot written by kikcalc snapshot") from None
    except OSError as error:
        raise UsageError(f"--against {path}: cannot read it: {error.strerror or error}") from None
    try:
        snapshot = json.loads(text, parse_constant=lambda name: _refuse_constant(name), object_pairs_hook=_unique)
    except json.JSONDecodeError as error:
        raise bad("", f"not JSON: {error.msg} at line {error.lineno}, column {error.colno}; expected a snapshot "
                      f"written by kikcalc snapshot") from None
    except (ValueError, RecursionError) as error:
        raise bad("", f"not a snapshot: {error}") from None
    if not isinstance(snapshot, dict) or MARK not in snapshot:
        raise bad("", f'not a kikcalc snapshot: expected a JSON object with "{MARK}": {VERSION} (write one with kikcalc snapshot)')
    if type(snapshot[MARK]) is not int or snapshot[MARK] != VERSION:  # true == 1 in Python, not in a version
        raise bad(MARK, f"snapshot version {json.dumps(snapshot[MARK])}; this kikcalc reads version {VERSION}: write it again "
                        f"with this kikcalc: kikcalc snapshot FILE... -o {path}")
    problems = _shape(snapshot)
    if problems:
        raise ScenarioError(path, problems)
    return snapshot


def version_note(snapshot: dict, path: str, version: str) -> str | None:
    """A note where a snapshot was written by another kikcalc than this one (an upgrade, a downgrade, a colleague's
    newer kikcalc): its layout is the same, but a number that moved may have moved with kikcalc's rules, not the files."""
    written = snapshot.get("kikcalc_version")
    if written is None or written == version:
        return None
    return (f"{path} was written by kikcalc {written}; this is kikcalc {version}: a number that moved may have moved "
            f"with kikcalc's rules rather than the files (docs/ci.md: rewrite it deliberately with --update)")


def _unique(pairs: list[tuple[str, Any]]) -> dict:
    """An object of the snapshot; a key twice in one object (a hand merge of two snapshots) is refused, where
    ``json`` would keep the last silently and the check pass or fail on numbers nobody chose."""
    seen: dict = {}
    for key, value in pairs:
        if key in seen:
            raise ValueError(f"the key {json.dumps(key, ensure_ascii=False)} twice in one object (a merge of two "
                             f"snapshots?); write it again with kikcalc snapshot FILE... -o SNAPSHOT.json")
        seen[key] = value
    return seen


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number (kikcalc writes null for a missing number)")


def _shape(snapshot: dict) -> list[Problem]:
    """What is wrong with the shape of a snapshot, by key path: scenarios and strategies are objects, every
    value below a strategy an object, a number, a text, true, false or null."""
    problems: list[Problem] = []
    if not isinstance(snapshot.get("kikcalc_version", ""), str):
        problems.append(Problem("kikcalc_version", f"expected the version of the kikcalc that wrote it, a text such as "
                                                   f'"0.1.0", got {json.dumps(snapshot["kikcalc_version"])}'))
    problems += _settings_problems(snapshot.get("sensitivity"))
    scenarios = snapshot.get("scenarios")
    if not isinstance(scenarios, dict):
        return [*problems, Problem("scenarios", "expected an object of scenarios by file name")]
    for name, scenario in scenarios.items():
        where = keypaths.child("scenarios", name)
        if not isinstance(scenario, dict) or not isinstance(scenario.get("strategies"), dict):
            problems.append(Problem(where, 'expected an object with "strategies", an object of strategies by name'))
            continue
        for strategy, numbers in scenario["strategies"].items():
            place = keypaths.child(keypaths.child(where, "strategies"), strategy)
            if not isinstance(numbers, dict):
                problems.append(Problem(place, "expected an object of numbers"))
                continue
            for path, value in keypaths.walk(numbers, place):
                if not isinstance(value, (dict, str, bool, int, float)) and value is not None:
                    problems.append(Problem(path, f"expected a number, a text, true, false, null or an object, got {_kind(value)}"))
                    break
                if isinstance(value, str) and not _is_month(value):  # kikcalc's only texts are months
                    problems.append(Problem(path, f'expected a number, a month "YYYY-MM", true, false, null or an object, '
                                                  f"got the text {json.dumps(value, ensure_ascii=False)}"
                                                  f"{' (a number is written without quotes)' if _numeric(value) else ''}"))
                    break
                if isinstance(value, int) and not isinstance(value, bool) and not limits.finite(value):
                    problems.append(Problem(path, f"expected a number, got an integer of {limits.digits(value)} digits, "
                                                  f"more than a float holds"))
                    break
    return problems


def _settings_problems(settings: Any) -> list[Problem]:
    """What is wrong with a snapshot's ``sensitivity`` settings: check draws them again, so they are held to the
    limits of ``kikcalc snapshot --draws N --seed S --sampler X`` (a hand-edited 0 draws or an unknown sampler)."""
    if settings is None:
        return []
    if not (isinstance(settings, dict) and type(settings.get("draws")) is int and type(settings.get("seed")) is int
            and isinstance(settings.get("sampler"), str)):
        return [Problem("sensitivity", 'expected null or an object with "draws" and "seed" (whole numbers) and "sampler"')]
    from kikcalc.sampling import SAMPLERS  # numpy: only for a snapshot with draws

    problems = []
    if not 1 <= settings["draws"] <= MAX_DRAWS:
        problems.append(Problem("sensitivity.draws", f"expected a whole number from 1 to {MAX_DRAWS:,}, got {settings['draws']}"))
    if settings["seed"] < 0:
        problems.append(Problem("sensitivity.seed", f"expected a whole number >= 0, got {settings['seed']}"))
    if settings["sampler"] not in SAMPLERS:
        problems.append(Problem("sensitivity.sampler", f"expected one of {', '.join(SAMPLERS)}, got "
                                                       f"{json.dumps(settings['sampler'], ensure_ascii=False)}"))
    return problems


def _numeric(text: str) -> bool:
    try:
        float(text.replace("_", "").replace(",", ""))
    except ValueError:
        return False
    return True


def conflicts(old: dict, new: dict) -> list[Problem]:
    """Where a snapshot holds a value and the run an object of numbers there, or the reverse (a hand-edited
    ``"2021": null`` for a year): the snapshot is not of kikcalc's shape, and no table of changes could say what moved."""
    before, after = flatten(old), flatten(new)
    inner_before = {where[:k] for where in before for k in range(1, len(where))}
    inner_after = {where[:k] for where in after for k in range(1, len(where))}
    problems = []
    for where, value in before.items():  # (scenario, strategy) alone is an empty strategy, an object: no conflict
        if len(where) > 2 and where in inner_after:
            problems.append(Problem(_snapshot_path(where), f"expected an object of numbers, as kikcalc writes here, got "
                                                           f"{'null' if value is None else _kind(value)}"))
        elif where in after and None not in (value, after[where]) and isinstance(value, bool) != isinstance(after[where], bool):
            problems.append(Problem(_snapshot_path(where), f"expected {_kind(after[where])}, as kikcalc writes here, got "
                                                           f"{json.dumps(value)}"))
    for where in after:
        if len(where) > 2 and where in inner_before:
            problems.append(Problem(_snapshot_path(where), "expected a number, a text, true, false or null, as kikcalc "
                                                           "writes here, got an object"))
    return problems


def _snapshot_path(where: Where) -> str:
    path = keypaths.child(keypaths.child(keypaths.child("scenarios", where[0]), "strategies"), where[1])
    for key in where[2:]:
        path = keypaths.child(path, key)
    return path


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return 'a month "YYYY-MM"' if _is_month(value) else "a text"
    return "a list" if isinstance(value, list) else type(value).__name__


# --- comparing -----------------------------------------------------------------------------------

def flatten(snapshot: dict) -> dict[Where, Leaf]:
    """Every value below a strategy, by (scenario, strategy, key, ...)."""
    flat: dict[Where, Leaf] = {}

    def visit(value: Any, where: Where) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                visit(inner, (*where, str(key)))
        else:
            flat[where] = value

    for name, scenario in snapshot["scenarios"].items():
        for strategy, numbers in scenario["strategies"].items():
            if not numbers:
                flat[(name, strategy)] = None
            visit(numbers, (name, strategy))
    return flat


@dataclass(frozen=True)
class Change:
    """One difference between a snapshot and a new run."""

    where: Where
    kind: str
    """"moved": a value changed beyond the tolerance; "missing": in the snapshot, not in the run; "extra": the reverse;
    "same": within the tolerance (listed only when asked for)."""
    old: Leaf = None
    new: Leaf = None
    group: bool = False
    """Whether ``where`` holds an object of numbers (a strategy's sensitivity summary, a target), not one number."""

    @property
    def level(self) -> str:
        """What is missing or extra: a scenario, a strategy, a year, a group of numbers or a number."""
        if len(self.where) == 1:
            return "scenario"
        if len(self.where) == 2:
            return "strategy"
        if len(self.where) == 4 and self.where[2] == "years":
            return "year"
        return "group" if self.group else "number"

    @property
    def place(self) -> str:
        """The place in words: ``FILE: STRATEGY: years.2021.money.net_saving``."""
        return ": ".join([*self.where[:2], *([keypaths.join(self.where[2:])] if len(self.where) > 2 else [])])

    @property
    def change(self) -> float | int | None:
        """new − old for numbers; months between for two months ``YYYY-MM``; None otherwise."""
        if _is_number(self.old) and _is_number(self.new):
            return self.new - self.old
        if _is_month(self.old) and _is_month(self.new):
            return _month_index(self.new) - _month_index(self.old)
        return None

    @property
    def relative(self) -> float | None:
        """(new − old) / |old| for numbers; None where old is 0 or either is not a number."""
        if _is_number(self.old) and _is_number(self.new) and self.old != 0:
            return (self.new - self.old) / abs(self.old)
        return None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_month(value: Any) -> bool:
    return isinstance(value, str) and len(value) == 7 and value[4] == "-" and value[:4].isdigit() and value[5:].isdigit()


def _month_index(label: str) -> int:
    return int(label[:4]) * 12 + int(label[5:]) - 1


def moved(old: Leaf, new: Leaf, rtol: float, atol: float) -> bool:
    """Whether a value moved beyond the tolerance: two numbers when |new − old| > atol + rtol·|old|
    (numpy's ``isclose`` read the other way); anything else (months, verdicts, null) when not equal."""
    if _is_number(old) and _is_number(new):
        if math.isinf(old) or math.isinf(new):
            return old != new
        return abs(new - old) > atol + rtol * abs(old)
    if _is_number(old) != _is_number(new) or isinstance(old, bool) != isinstance(new, bool):
        return True
    return old != new


def compare(old: dict, new: dict, rtol: float = RTOL, atol: float = ATOL, keep_same: bool = False) -> list[Change]:
    """Every difference between two snapshot documents, in the order of the old one (then the new one's extras).

    A scenario, strategy or year that only one of them holds is one change at its level, not one per number.
    With ``keep_same``, the values that did not move are listed too (kind "same"), for a side-by-side view.
    """
    before, after = flatten(old), flatten(new)
    prefixes_after = _prefixes(after)
    prefixes_before = _prefixes(before)
    changes: list[Change] = []
    reported: set[Where] = set()
    for where, value in before.items():
        if where in after:
            if moved(value, after[where], rtol, atol):
                changes.append(Change(where, "moved", value, after[where]))
            elif keep_same:
                changes.append(Change(where, "same", value, after[where]))
            continue
        top = _first_absent(where, prefixes_after)
        if top not in reported:
            reported.add(top)
            changes.append(Change(top, "missing", value if top == where else None, None, top != where))
    for where, value in after.items():
        if where not in before:
            top = _first_absent(where, prefixes_before)
            if top not in reported:
                reported.add(top)
                changes.append(Change(top, "extra", None, value if top == where else None, top != where))
    return changes


def _prefixes(flat: dict[Where, Leaf]) -> set[Where]:
    return {where[:k] for where in flat for k in range(1, len(where) + 1)}


def _first_absent(where: Where, prefixes: set[Where]) -> Where:
    """The shortest start of ``where`` the other document does not have."""
    for k in range(1, len(where) + 1):
        if where[:k] not in prefixes:
            return where[:k]
    return where
