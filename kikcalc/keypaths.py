"""Key paths: the one name of every value in a scenario file, and the only home of their grammar.

A key path names one value of a scenario's raw TOML, the same name error messages print::

    scenario.discount_rate                    a key in a table
    states.kontanthjaelp.inflow.2021-03       one entry of a series by month (by year: .2021)
    transitions[2].probability.0-5            one anciennitet band of the third [[transitions]]
    strategies.kik2.effects[0].multiply       a key in the first table of a list of tables
    refusion.state_share[2]                   the third number of a list
    states."a.b"                              a key holding a dot, quoted

Keys are joined with ``.``; ``[n]`` is a position in a list, **counted from 0**. A key made of
letters, digits, ``_``, ``-`` and ``+`` is written as it is (``2021``, ``2021-03``, ``0-5``, ``12+``,
``13``); any other key is written in double quotes, with ``\\"`` and ``\\\\`` for a quote and a
backslash. TOML keys are text, so ``inflow.2021`` is the key ``"2021"``, never a list position.

:func:`parse` and :func:`join` convert between a path and its parts; :func:`get` and :func:`assign`
read and set a value of a raw table by its path; :func:`numbers` lists every number of a file by its
path; :func:`parse_assignment` reads the ``PATH=VALUE`` of ``kikcalc ... --set``.
"""

from __future__ import annotations

import copy
import datetime
import difflib
import functools
import json
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Iterator
from typing import Any

from kikcalc import limits

Part = str | int
"""One step of a key path: a table key (text) or a list position (from 0)."""

_BARE = re.compile(r"[\w+-]+")
_TOML_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


class KeyPathError(ValueError):
    """A key path that is malformed, or names no value of the file.

    Attributes
    ----------
    path : str
        The key path (or the ``PATH=VALUE`` text) as given.
    message : str
        What is wrong, ending with ``; nearest: PATH`` when an existing key path is close.
    nearest : str or None
        The existing key path closest to ``path``, if there is one.
    """

    def __init__(self, path: str, message: str, nearest: str | None = None):
        self.path = path
        self.nearest = nearest
        self.message = message + (f"; nearest: {nearest}" if nearest else "")
        super().__init__(f"{path}: {self.message}" if path else self.message)


# --- the grammar --------------------------------------------------------------------------------

def parse(path: str) -> tuple[Part, ...]:
    """The parts of a key path (:func:`_parse`), each path's found once: a scenario's checks and a run of many draws
    ask for the same paths again and again."""
    if not isinstance(path, str):
        return _parse(path)
    return _parsed(path)


@functools.lru_cache(maxsize=8192)
def _parsed(path: str) -> tuple[Part, ...]:
    return _parse(path)


def _parse(path: str) -> tuple[Part, ...]:
    """The parts of a key path: ``"strategies.kik2.effects[0].multiply"`` -> ``("strategies", "kik2", "effects", 0, "multiply")``.

    Parameters
    ----------
    path : str
        A key path; see the module's description for the grammar.

    Returns
    -------
    tuple of str and int
        Table keys as text (``"2021"`` stays text), list positions as int.

    Raises
    ------
    KeyPathError
        If the path is empty or malformed; the message says what is wrong and where.
    """
    if not isinstance(path, str) or not path.strip():
        raise KeyPathError(str(path), "an empty key path; expected one such as strategies.kik2.investment")
    parts: list[Part] = []
    i, n = 0, len(path)

    def fail(message: str) -> KeyPathError:
        return KeyPathError(path, f"not a valid key path: {message} (at character {i + 1})")

    expect_key = True  # at the start and after a dot, a key must follow
    while i < n:
        char = path[i]
        if expect_key:
            if char == '"':
                key, i = _quoted(path, i, fail)
            else:
                match = _BARE.match(path, i)
                if not match:
                    if char == "[" and not parts:
                        raise fail("a key path starts with a key, such as transitions[0]")
                    if char in ".[":
                        raise fail("a key is missing")
                    if not _printable(char):  # a control or invisible character: named, never echoed to the terminal
                        raise fail(f"{_character(char)} may appear only inside a quoted key")
                    raise fail(f'"{char}" may appear only inside a quoted key, such as "a{char}b"')
                key, i = match.group(), match.end()
            parts.append(key)
            expect_key = False
        elif char == ".":
            i += 1
            expect_key = True
            if i == n:
                raise fail("a key is missing after the last dot")
        elif char == "[":
            close = path.find("]", i)
            if close < 0:
                raise fail('"[" without a closing "]"')
            text = path[i + 1: close]
            if not text.isascii() or not text.isdigit():
                raise fail(f"[{text}] is not a list position; positions are whole numbers counted from 0, such as [0]")
            parts.append(int(text))
            i = close + 1
        elif unicodedata.combining(char):
            raise fail(f"{join(parts)} is followed by a separate accent mark: a letter written as two characters "
                       f"(a letter and the mark), which names no key of a file (its names are written as one letter); "
                       f"type the letter as one character")
        else:
            raise fail(f'expected "." or "[" after {join(parts)}, found '
                       + (f'"{char}"' if _printable(char) else _character(char)))
    return tuple(parts)


def _printable(char: str) -> bool:
    return char.isprintable() and unicodedata.category(char) != "Cf"


def _character(char: str) -> str:
    """A character a terminal would not show as itself (a control character, a zero-width space), by its code."""
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f" ({name})" if name else "")


def _quoted(path: str, start: int, fail) -> tuple[str, int]:
    """The key of a quoted segment starting at ``path[start] == '"'``, and the index after it."""
    chars: list[str] = []
    i = start + 1
    while i < len(path):
        char = path[i]
        if char == "\\" and i + 1 < len(path):
            if path[i + 1] not in '"\\':  # \u006b is TOML's escape, not a key path's: it read as "u006b"
                raise fail(f'\\{path[i + 1]} is not an escape in a key path: inside quotes write \\" for a quote, '
                           f"\\\\ for a backslash, and any other character as it is")
            chars.append(path[i + 1])
            i += 2
        elif char == '"':
            return "".join(chars), i + 1
        else:
            chars.append(char)
            i += 1
    raise fail("a quoted key without its closing quote")


def child(path: str, part: Part) -> str:
    """The key path of ``part`` inside the value at ``path`` (``""``: the file itself)."""
    if isinstance(part, int):
        return f"{path}[{part}]"
    key = part if _BARE.fullmatch(part) else '"' + part.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{path}.{key}" if path else key


def join(parts: Iterable[Part]) -> str:
    """The key path of its parts, the inverse of :func:`parse`: ``parse(join(parts)) == tuple(parts)``."""
    path = ""
    for part in parts:
        path = child(path, part)
    return path


def canonical(path: str) -> str:
    """A key path in the form kikcalc prints it (``inflow."2021"`` -> ``inflow.2021``); each path's found once, as
    :func:`parse`'s parts are."""
    if not isinstance(path, str):
        return join(parse(path))
    return _canonical(path)


@functools.lru_cache(maxsize=8192)
def _canonical(path: str) -> str:
    return join(parse(path))


def within(path: str, outer: str) -> bool:
    """True if ``path`` is ``outer`` or names a value inside it; False for a malformed path."""
    try:
        inner, prefix = parse(path), parse(outer)
    except KeyPathError:
        return False
    return inner[: len(prefix)] == prefix


# --- values by key path --------------------------------------------------------------------------

def walk(raw: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every value of a raw table and its key path, tables before their contents, in file order."""
    items = raw.items() if isinstance(raw, dict) else enumerate(raw) if isinstance(raw, list) else ()
    for part, value in items:
        where = child(path, part)
        yield where, value
        yield from walk(value, where)


def numbers(raw: dict) -> dict[str, float | int]:
    """Every number of a scenario's raw TOML by its key path, in file order.

    A number is an int or a float (not a boolean), wherever it stands: a key's value, an entry of
    a table by year, month or band, or an item of a list.
    """
    return {path: value for path, value in walk(raw) if _is_number(value)}


def get(raw: dict, path: str | tuple[Part, ...]) -> Any:
    """The value at a key path of a raw TOML table.

    Raises
    ------
    KeyPathError
        If there is no value at the path, naming the nearest existing key path.
    """
    parts = parse(path) if isinstance(path, str) else tuple(path)
    return _follow(raw, parts, len(parts))


def assign(raw: dict, path: str | tuple[Part, ...], value: Any) -> dict:
    """A deep copy of a raw TOML table with the value at ``path`` set; ``raw`` is not changed.

    A key the file does not have may be set if the table it belongs in exists
    (``scenario.discount_rate`` in a file whose ``[scenario]`` has none); whether the key is valid
    there is for the scenario reader to say. A list position must already exist.

    Raises
    ------
    KeyPathError
        If the path's parent table does not exist, a list position is past the end of its list,
        or the path goes on into a number or a text; the message names the nearest existing path.
    """
    parts = parse(path) if isinstance(path, str) else tuple(path)
    if not parts:
        raise KeyPathError("", "an empty key path")
    changed = copy.deepcopy(raw)
    parent = _follow(changed, parts, len(parts) - 1)
    _check_step(changed, parts, len(parts) - 1, parent)
    parent[parts[-1]] = copy.deepcopy(value)
    return changed


_NAMED = frozenset({"states", "strategies", "observed", "uncertainty"})
"""Tables whose keys are names the file chooses (a state, a strategy), not keys of the format."""


def _follow(raw: dict, parts: tuple[Part, ...], steps: int) -> Any:
    """The value at ``parts[:steps]``; a missing step is reported for the whole path ``parts``."""
    value: Any = raw
    for depth in range(steps):
        _check_step(raw, parts, depth, value)
        if isinstance(parts[depth], str) and parts[depth] not in value:
            named = depth == 1 and parts[0] in _NAMED  # a state's or strategy's own name: a slip of another
            slip = named or difflib.get_close_matches(parts[depth], [str(key) for key in value], n=1)
            raise _no_such(raw, parts, f"the file has no {join(parts[: depth + 1])}",
                           whole=None if slip or depth == len(parts) - 1 else join(parts[: depth + 1]))
        value = value[parts[depth]]
    return value


def _check_step(raw: dict, parts: tuple[Part, ...], depth: int, value: Any) -> None:
    """Raise unless ``value`` (at ``parts[:depth]``) is a table or list that ``parts[depth]`` can index."""
    part, where = parts[depth], join(parts[:depth])
    if isinstance(part, int):
        if not isinstance(value, list):
            raise _no_such(raw, parts, f"{where} is {_kind(value)}, not a list; [n] is a list position")
        if part >= len(value):
            held = f"{len(value)} entries, [0] to [{len(value) - 1}]" if len(value) > 1 else \
                "1 entry, [0]" if value else "no entries"
            raise _no_such(raw, parts, f"{where} has {held}")
    elif not isinstance(value, dict):
        if isinstance(value, list):
            raise _no_such(raw, parts, f"{where} is a list; name a position in it, such as {where}[0]")
        raise _no_such(raw, parts, f"{where} is {_kind(value)}, which holds no keys" if where else "not a table")


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    if _is_number(value):
        return f"a number ({format_value(value)})"
    if isinstance(value, str):
        return f"a text ({format_value(value)})"
    return f"a value ({format_value(value)})"


def _no_such(raw: dict, parts: tuple[Part, ...], reason: str, whole: str | None = None) -> KeyPathError:
    """A path that names nothing, with the nearest existing path; ``whole`` is a table the file lacks that the
    path goes into, whose name is no slip of a key beside it (``budget_guarantee`` of ``budget_guarantee.share``,
    ``payment_share`` of ``states.kh.payment_share.2021``): then the message says to give that table whole, not
    a nearest path that only shares letters."""
    path = join(parts)
    existing = [where for where, _ in walk(raw)]
    if whole is not None:
        return KeyPathError(path, f"no such key path ({reason}; a table the file lacks is given whole, "
                                  f"as {whole}={{ ... }}, and its keys are then checked like the file's)")
    nearest = difflib.get_close_matches(path, _neighbours(raw, parts, existing), n=1, cutoff=0.0)
    return KeyPathError(path, f"no such key path ({reason})", nearest[0] if nearest else None)


def _neighbours(raw: dict, parts: tuple[Part, ...], existing: list[str]) -> list[str]:
    """The existing paths a nearest path is chosen from: those inside the deepest table or list of ``parts`` that
    exists and holds something (``strategies.kik3.investment``: the paths in ``strategies``); if no part of it
    does, those that share a key with it (``inflow``: ``states.kh.inflow``), so that a path into nothing the file
    has (``strategies.kik2.effects[0].multiply`` of a file whose ``strategies`` is empty) gets no nearest path
    that only shares letters (``targets[0].label``)."""
    value: Any = raw
    inside: list[str] = []
    for depth, part in enumerate(parts):
        here = join(parts[:depth])
        if depth and isinstance(value, (dict, list)) and value:
            inside = [where for where in existing if where.startswith(here) and where[len(here):][:1] in (".", "[")]
        in_table = isinstance(value, dict) and isinstance(part, str) and part in value
        in_list = isinstance(value, list) and isinstance(part, int) and part < len(value)
        if not (in_table or in_list):
            break
        value = value[part]
    if inside:
        return inside
    keys = {part for part in parts if isinstance(part, str)}
    return [where for where in existing if keys & {part for part in parse(where) if isinstance(part, str)}]


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class _Absent:
    """The value of a key path that a file does not have (see :func:`differences`)."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT = _Absent()


def differences(first: Any, second: Any, path: str = "") -> list[tuple[str, Any, Any]]:
    """Every value by which two raw tables differ: ``(key path, value in first, value in second)``, in file order.

    A table or list entry that only one of them has is one difference at its own key path (the other
    side :data:`ABSENT`), not one per value inside it. Numbers are compared by value (``1`` equals
    ``1.0``; ``true`` is not ``1``).
    """
    if isinstance(first, dict) and isinstance(second, dict):
        found = []
        for key in [*first, *(k for k in second if k not in first)]:
            where = child(path, key)
            if key not in second or key not in first:
                found.append((where, first.get(key, ABSENT), second.get(key, ABSENT)))
            else:
                found.extend(differences(first[key], second[key], where))
        return found
    if isinstance(first, list) and isinstance(second, list):
        found = []
        for i in range(max(len(first), len(second))):
            where = child(path, i)
            if i >= len(first) or i >= len(second):
                found.append((where, first[i] if i < len(first) else ABSENT, second[i] if i < len(second) else ABSENT))
            else:
                found.extend(differences(first[i], second[i], where))
        return found
    same = type(first) is type(second) or (_is_number(first) and _is_number(second))
    return [] if same and first == second else [(path, first, second)]


# --- numbers in kroner ---------------------------------------------------------------------------

def is_kroner(parts: tuple) -> bool:
    """True if a key path (as parts) names a number in kroner: a state's costs, a strategy's investment, a
    grant's, payment's or programme's amounts, an effect on a measure cost, a money target."""
    if len(parts) >= 3 and parts[0] == "states":
        return parts[2] in ("cost", "measures_cost")
    if len(parts) >= 3 and parts[0] == "strategies":
        if parts[2] == "investment":
            return True
        if len(parts) >= 5 and isinstance(parts[3], int):
            return parts[4] in {"grants": ("amount",), "flow_costs": ("amount",),
                                "programmes": ("cost_per_participant", "cost_per_month"),
                                "effects": ("measures_cost_set",)}.get(parts[2], ())
    return len(parts) == 3 and parts[0] == "targets" and parts[2] == "npv_min"


# --- PATH=VALUE ---------------------------------------------------------------------------------

def parse_assignment(text: str) -> tuple[str, Any]:
    """The key path and value of ``PATH=VALUE``, as ``--set`` takes them.

    VALUE is read as a TOML value: ``1.6``, ``50``, ``1_200_000``, ``{ 2021 = 5, 2022 = 6 }``,
    ``"2021-03"`` (text and months in quotes). PATH is checked against the grammar, not against a file.

    Returns
    -------
    (str, Any)
        The path as written (without surrounding spaces) and the value as TOML reads it.

    Raises
    ------
    KeyPathError
        Without ``=``, with a malformed path, or with a VALUE that is not TOML (a decimal comma
        such as ``1,6`` gets a hint to write ``1.6``).
    """
    split = _assignment_sign(text)
    if split is None and "=" in text:  # every = inside a quoted key: one quote opened and never closed
        raise KeyPathError(text, 'expected PATH=VALUE; a quote " in the key path is not closed before the =, so '
                                 'the = reads as part of a quoted key: close it, as in states."a b".inflow=40')
    if split is None:
        raise KeyPathError(text, "expected PATH=VALUE, such as strategies.kik2.effects[0].multiply=1.6; there is no =")
    path, value_text = text[:split].strip(), text[split + 1:].strip()
    parts = parse(path)
    if not value_text:
        raise KeyPathError(path, "no value after =; give one such as 1.6, 50 or \"2021-03\"")
    # 120.000 kr.: a Danish thousands point, or a decimal? Asked of kroner amounts only, as in a file (a rate of
    # 0.035 or an effect of 1.125 is a plain decimal).
    if is_kroner(parts) and re.fullmatch(r"[+-]?[0-9]{1,3}(\.[0-9]{3})+", value_text):
        raise KeyPathError(path, f"{value_text} reads as a Danish thousands separator; write "
                                 f"{value_text.replace('.', '_')} for thousands or {value_text.rstrip('0')}0 "
                                 f"for a decimal number")
    if limits.text_too_deep(value_text) is not None:  # before TOML's reader recurses into it
        raise KeyPathError(path, f"the value nests lists and tables more than {limits.DEPTH} levels deep")
    try:
        document = tomllib.loads(f"value = {value_text}", parse_float=limits.read_float)
    except tomllib.TOMLDecodeError as error:
        twice = re.match(r"Duplicate inline table key '(.*)'", str(error))
        hint = f'; the key "{twice.group(1)}" is given twice' if twice else _value_hint(value_text)
        raise KeyPathError(path, f"{value_text} is not a TOML value{hint}") from None
    except ValueError:  # tomllib's int() of more than 4300 digits, as kikcalc.textfile says of a file
        raise KeyPathError(path, "the value is an integer of more than 4300 digits, which no scenario needs") from None
    if list(document) != ["value"]:
        raise KeyPathError(path, f"{value_text} is not one TOML value")
    return path, document["value"]


def _assignment_sign(text: str) -> int | None:
    """The index of the first ``=`` outside a quoted key, or None."""
    quoted = escaped = False
    for i, char in enumerate(text):
        if escaped:
            escaped = False
        elif char == "\\" and quoted:
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == "=" and not quoted:
            return i
    return None


def _value_hint(text: str) -> str:
    """A hint for the commonest slips in a value on the command line."""
    if percent := re.fullmatch(r"([+-]?\d+(?:[.,]\d+)?)\s*%", text):  # 3.5% or Danish 3,5 %
        fraction = float(percent.group(1).replace(",", ".")) / 100
        return f"; a rate or share is written as a fraction: {percent.group(1)} % is {fraction:.10g}"
    if re.fullmatch(r"[+-]?\d+,\d+", text):
        return f"; use a decimal point: {text.replace(',', '.')}"
    if re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+", text):
        return f"; write thousands with _ (or nothing): {text.replace(',', '_')}"
    if "," in text and re.fullmatch(r"[+-]?[\d_.,]+", text):
        return "; a number has a decimal point and no commas, such as 1.6 or 1_200_000.5"
    if re.fullmatch(r"[+-]?\.\d+", text):
        return f"; write a 0 before the point: {text.replace('.', '0.', 1)}"
    if re.fullmatch(r"[+-]?\d[\d_]*\.", text):
        return f"; write a digit after the point, or no point: {text}0 or {text[:-1]}"
    if not text.isascii() and re.fullmatch(r"[+-]?\d+(\.\d+)?", text):
        return "; write the digits 0-9"
    if re.fullmatch(r"\d{4}-\d{2}", text):
        return f"; write a month in quotes, and keep the shell from removing them: --set 'PATH=\"{text}\"'"
    if re.fullmatch(r"[^\W\d][\w\s,.;:!?()'/&+-]*", text) and '"' not in text:  # words, spaces and punctuation
        return f"; write text in quotes, and keep the shell from removing them: --set 'PATH=\"{text}\"'"
    return ""


def format_value(value: Any) -> str:
    """A value written as TOML writes it: ``1.6``, ``"2021-03"``, ``{ 2021 = 5, 2022 = 6 }``."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        items = ", ".join(f"{key if _TOML_BARE_KEY.fullmatch(key) else json.dumps(key, ensure_ascii=False)} = "
                          f"{format_value(item)}" for key, item in value.items())
        return f"{{ {items} }}" if items else "{}"
    if isinstance(value, list):
        return "[" + ", ".join(format_value(item) for item in value) + "]"
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    try:
        return repr(value)
    except ValueError:  # an integer past the 4300 digits str() gives
        return "an integer of more than 4300 digits"


# --- the unit of a number by its key path --------------------------------------------------------

UNITS = {
    "initial": "persons", "inflow": "persons a month", "inflow_add": "persons a month",
    "participants": "persons a month", "persons": "persons", "passed_through": "persons",
    "full_time": "full-time persons", "cost": "kr. per full-year person", "measures_cost": "kr. per full-year person",
    "measures_cost_set": "kr. per full-year person", "cost_per_participant": "kr. per participant",
    "amount": "kr.", "investment": "kr.", "cap": "persons", "bonus": "kr. per person",
    "probability": "probability a month", "hazard": "hazard (the transition's unit)", "mean_months": "months",
    "duration_months": "months", "ramp_months": "months", "fade_months": "months",
    "multiply": "factor", "inflow_multiply": "factor", "measures_cost_multiply": "factor",
    "add": "rate change (the transition's unit)", "set": "rate (the transition's unit)",
    "discount_rate": "share a year", "share": "share", "outcomes": "share", "dropout": "share a month",
    "initial_anciennitet": "share", "inflow_anciennitet": "share", "rank": "rank correlation",
    "below": "the target's unit", "max": "the target's unit", "min": "the target's unit", "above": "the target's unit",
    "npv_min": "kr.", "year": "year",
}
"""The unit of a number by the key that holds it (the last named key of its path that has one)."""


def unit_of(path: str) -> str:
    """The unit of the number at a key path, as a reader writes it ("" if kikcalc cannot tell).

    The last named key of the path with a known unit decides: ``states.kh.inflow.2021`` is in persons
    a month, ``transitions[0].probability.0-5`` a probability a month. A distribution's parameters in
    ``[uncertainty]`` are in the unit of the number they are drawn for.
    """
    parts = parse(path)
    if len(parts) >= 2 and parts[0] == "uncertainty" and isinstance(parts[1], str):
        last = parts[-1]
        if last in ("mean", "sd", "low", "high", "mode", "min", "max"):
            try:
                inner = unit_of(parts[1])
            except KeyPathError:
                return ""
            return inner
        return ""
    for part in reversed(parts):
        if isinstance(part, str) and part in UNITS:
            return UNITS[part]
    return ""
