"""A scenario file's text: opened safely, decoded, read as TOML, with hints for the slips people make.

:func:`read_text` refuses what is not a regular file (a directory, a named pipe, a device, a loop of
symbolic links) before reading a byte of it, and never blocks on a pipe; it reads at most
:data:`~kikcalc.limits.FILE_BYTES`. UTF-8 is the format; a byte-order mark says what a file is
(UTF-8, or UTF-16 and UTF-32 as Windows Notepad and Excel save "Unicode" text), and such files are
decoded. A file in Windows-1252 (Latin-1), as older Danish Windows programs save it, is refused with the line
and the letter, and how to save it as UTF-8. :func:`parse` reads the text as TOML (no deeper than
:data:`~kikcalc.limits.DEPTH` levels) and adds a hint to TOML's own message for a decimal comma, a
Danish thousands point and an unquoted month; a key or a table given twice is a problem at its key path
(:func:`given_twice`). :func:`thousands_points` finds the slip TOML cannot see:
``cost = 120.000``, which TOML reads as 120.0.
"""

from __future__ import annotations

import codecs
import errno
import json
import os
import re
import stat
import tomllib
from pathlib import Path

from kikcalc import keypaths, limits
from kikcalc.errors import Problem, ScenarioError

SAVE_AS_UTF8 = ("save it as UTF-8 (Notepad: File > Save as > Encoding: UTF-8; VS Code: the encoding in the status bar "
                "> Save with Encoding > UTF-8)")


def _refuse(path: str | Path, message: str) -> ScenarioError:
    return ScenarioError(str(path), [Problem("", message)])


def read_text(path: str | Path) -> str:
    """The text of a scenario file; anything that is not a readable UTF-8 (or marked UTF-16/32) regular file
    of at most :data:`~kikcalc.limits.FILE_BYTES` is a ScenarioError with a message for the file as a whole."""
    return decode(read_bytes(path), path)


def read_bytes(path: str | Path, kind: str = "a scenario file") -> bytes:
    """The bytes of a regular file, at most :data:`~kikcalc.limits.FILE_BYTES` of them; never blocks.

    ``kind`` names what was expected, for the messages: "a scenario file", "a data file (CSV or JSON)".

    The file is opened without blocking (a named pipe with no writer would wait for one for ever) and
    what was opened is checked, so a file swapped for a pipe between a check and the opening is still refused.
    """
    try:
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
        descriptor = os.open(path, flags)  # O_NONBLOCK: Unix only, and only Unix has named pipes to wait on
    except FileNotFoundError:
        if os.path.islink(path):
            raise _refuse(path, f"no such file: a symbolic link to {os.readlink(path)}, which does not exist") from None
        raise _refuse(path, "no such file") from None
    except PermissionError:
        raise _refuse(path, "permission denied: the file cannot be read") from None
    except (ValueError, OSError) as error:
        if isinstance(error, OSError) and error.errno == errno.ELOOP:
            raise _refuse(path, f"a loop of symbolic links (a link that leads back to itself), expected {kind}") from None
        if isinstance(error, OSError) and error.errno == errno.EISDIR:
            raise _refuse(path, f"is a directory, expected {kind}") from None
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise _refuse(path, f"cannot be opened: {reason}") from None
    try:
        info = os.fstat(descriptor)
        what = _kind(info.st_mode)
        if what is not None:
            raise _refuse(path, f"is {what}, expected {kind}" + ("" if what == "a directory" else " (a regular file)"))
        if info.st_size > limits.FILE_BYTES:
            raise _refuse(path, _too_large(info.st_size, kind))
        chunks, size = [], 0
        while size <= limits.FILE_BYTES:
            try:
                chunk = os.read(descriptor, min(1 << 20, limits.FILE_BYTES + 1 - size))
            except BlockingIOError:  # a regular file does not block; nothing else got this far
                break
            except OSError as error:
                raise _refuse(path, f"cannot be read: {error.strerror or error}") from None
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limits.FILE_BYTES:
            raise _refuse(path, _too_large(size, kind))
        return b"".join(chunks)
    finally:
        os.close(descriptor)


def _kind(mode: int) -> str | None:
    """What a file that is not a regular file is, in words; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _too_large(size: int, kind: str = "a scenario file") -> str:
    return (f"is {size / 2**20:.1f} MiB or more; {kind} is at most {limits.FILE_BYTES // 2**20} MiB "
            f"(a real one is some kilobytes)")


_BOMS = (  # longest first: UTF-32's little-endian mark begins with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"), (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"), (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)


def decode(data: bytes, path: str | Path = "<scenario>") -> str:
    """The text of a file's bytes: UTF-8, or what its byte-order mark says; anything else is a ScenarioError."""
    for mark, codec, name in _BOMS:
        if data.startswith(mark):
            try:
                return data.decode(codec)
            except UnicodeDecodeError as error:
                raise _refuse(path, f"starts with the mark of {name} text but is not valid {name} "
                                    f"(at byte {error.start}); {SAVE_AS_UTF8}") from None
    if data.startswith(b"PK\x03\x04"):
        if _suffix(path) == "xlsx":
            raise _refuse(path, given_as_scenario("XLSX"))
        raise _refuse(path, "is a zip archive (an .xlsx workbook?), not a TOML text file")
    if b"\x00" in data:
        head = data[:200]
        if head[1::2].count(0) > len(head) // 4 or head[0::2].count(0) > len(head) // 4:
            raise _refuse(path, f"looks like UTF-16 text without a byte-order mark; {SAVE_AS_UTF8}")
        raise _refuse(path, "holds NUL bytes: not a text file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _refuse(path, _not_utf8(data, error)) from None


def _not_utf8(data: bytes, error: UnicodeDecodeError) -> str:
    """Where the first byte that is not UTF-8 is, and what it is in Windows-1252 (the usual other encoding)."""
    line = data.count(b"\n", 0, error.start) + 1
    start = data.rfind(b"\n", 0, error.start) + 1
    end = data.find(b"\n", error.start)
    text_line = data[start: len(data) if end < 0 else end].rstrip(b"\r")
    column = len(data[start: error.start].decode("utf-8", errors="replace")) + 1
    where = f"the byte 0x{data[error.start]:02X} at line {line}, column {column} is not UTF-8"
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return f"not a UTF-8 text file: {where}; the file is in some other encoding: {SAVE_AS_UTF8}"
    letter = bytes([data[error.start]]).decode("cp1252")
    shown = text_line.decode("cp1252").strip()
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    return (f"not a UTF-8 text file: {where}; it reads as \"{letter}\" (in \"{shown}\") in Windows-1252 (Latin-1), "
            f"the encoding older Windows programs save Danish letters in: {SAVE_AS_UTF8}")


# --- a data file given as the scenario ----------------------------------------------------------------

def given_as_scenario(kind: str) -> str:
    """The message of a data file (``kind``: CSV, JSON, XLSX) given as a scenario; the opposite case's message is
    :func:`kikcalc.datafile.refuse_a_scenario`'s."""
    return (f"a data file ({kind}), given where a scenario (TOML) was expected: the command's FILE is a scenario "
            f"(docs/scenario-format.md); observed data goes to --observed, as a CSV or the jobindsats API's JSON "
            f"(docs/calibration.md)")


def _suffix(path: str | Path) -> str:
    return Path(path).suffix[1:].casefold()


def data_file(text: str, path: str | Path) -> str | None:
    """CSV or JSON where a text that TOML does not read is a data file: named .csv or .json, or JSON (an object or a
    list, as the jobindsats API writes), or a header and a row (the first two lines that are not comments) of as many
    fields split by commas or semicolons, with no ``=``; never a file named .toml."""
    suffix = _suffix(path)
    if suffix in ("csv", "json"):
        return suffix.upper()
    if suffix == "toml":  # a scenario with a slip in it: TOML's own message says where
        return None
    stripped = text.lstrip()
    if stripped[:1] in ("{", "["):
        try:
            json.loads(stripped)
            return "JSON"
        except (ValueError, RecursionError):
            pass
    rows = [line for line in stripped.splitlines()[:50] if line.strip() and not line.lstrip().startswith("#")][:2]
    if len(rows) == 2 and not any("=" in row or row.lstrip().startswith("[") for row in rows) and any(
            rows[0].count(sep) == rows[1].count(sep) > 0 for sep in ",;"):
        return "CSV"
    return None


# --- TOML --------------------------------------------------------------------------------------------

def parse(text: str, file: str = "<scenario>") -> dict:
    """The TOML table of a file's text; not TOML, nested too deep, or too large in one table, a ScenarioError."""
    line = limits.text_too_deep(text)
    if line is not None:
        raise ScenarioError(file, [Problem("", f"arrays and inline tables nested more than {limits.DEPTH} levels "
                                               f"deep (at line {line}); a scenario needs no more than 6")])
    try:
        raw = tomllib.loads(text, parse_float=limits.read_float)  # 1e-400: refused by the checks, not read as 0
    except tomllib.TOMLDecodeError as error:
        data = data_file(text, file)
        if data is not None:
            raise ScenarioError(file, [Problem("", given_as_scenario(data))]) from None
        twice = given_twice(text, error)
        if twice is not None:
            raise ScenarioError(file, [twice]) from None
        raise ScenarioError(file, [Problem("", f"not valid TOML: {error}{toml_hint(text, error)}")]) from None
    except RecursionError:  # text_too_deep should have said so; never a traceback all the same
        raise ScenarioError(file, [Problem("", f"nested more than {limits.DEPTH} levels deep")]) from None
    except ValueError:  # tomllib's int() of more than 4300 digits
        long = re.search(r"[0-9_]{4301,}", text)
        line = f" (at line {text.count(chr(10), 0, long.start()) + 1})" if long else ""
        raise ScenarioError(file, [Problem("", f"an integer of more than 4300 digits{line}, which no scenario "
                                               f"needs")]) from None
    problems = limits.document_problems(raw)
    if problems:
        raise ScenarioError(file, problems)
    return raw


_DECIMAL_COMMA = re.compile(r"(?<![\w.,])([+-]?[0-9][0-9_]*),([0-9]+)(?![\w.])")
_THOUSANDS_POINTS = re.compile(r"(?<![\w.])([+-]?[0-9]{1,3}(?:\.[0-9]{3}){2,})(?![\w.])")
_THOUSANDS_SPACES = re.compile(r"=\s*([+-]?[0-9]{1,3}(?: [0-9]{3})+)\s*(?:#.*)?$")
_UNQUOTED_MONTH = re.compile(r"=\s*(\d{4}-\d{2})\s*(#.*)?$")
_QUOTED = re.compile(r'"(?:\\.|[^"\\])*"|\'[^\']*\'')
_NON_ASCII_WORD = re.compile(r"[\w-]*[^\x00-\x7f][\w-]*")


def toml_hint(text: str, error: tomllib.TOMLDecodeError) -> str:
    """A hint for the commonest slips on the line TOML stopped at: a decimal comma (``1,35``), thousands
    written with points or spaces (``1.200.000``, ``120 000``), a month written without quotes."""
    if "\r" in text and "\n" not in text:  # TOML ends lines in LF or CRLF; splitlines would hide this
        return ("; the file's lines end in CR alone (old Mac line ends), which TOML does not take: save it with "
                "LF or CRLF line ends")
    match = re.search(r"at line (\d+)", str(error))
    if not match:
        return ""
    lines = text.splitlines()
    number = int(match.group(1))
    line = lines[number - 1] if 0 < number <= len(lines) else ""
    code = line.split("#", 1)[0] if '"' not in line and "'" not in line else line
    if month := _UNQUOTED_MONTH.search(line):
        return f'; write months in quotes: "{month.group(1)}"'
    if word := _NON_ASCII_WORD.search(_QUOTED.sub("", code).split("#", 1)[0]):
        quoted = f'"{word.group()}"'
        example = line.split("#", 1)[0].strip().replace(word.group(), quoted, 1) if line.lstrip().startswith("[") else quoted
        return f"; a key with letters beyond a-z (such as æ, ø, å) is written in quotes: {example}"
    if points := _THOUSANDS_POINTS.search(code):
        return f"; write thousands with _ (or nothing), not points: {points.group(1).replace('.', '_')}"
    if spaces := _THOUSANDS_SPACES.search(code):
        return f"; write thousands with _ (or nothing), not spaces: {spaces.group(1).replace(' ', '_')}"
    if comma := _DECIMAL_COMMA.search(code):
        return (f"; a decimal number is written with a point, not a comma: {comma.group(1)}.{comma.group(2)}, "
                f"not {comma.group(0)}")
    return ""


# --- a key or table given twice --------------------------------------------------------------------------

_HEADER = re.compile(r"^\s*(\[\[?)\s*(.*?)\s*\]\]?\s*(?:#.*)?$")
_TWICE = ("Cannot declare", "Cannot overwrite a value", "Cannot mutate immutable namespace", "Cannot redefine namespace",
          "Duplicate inline table key")


def _key_parts(key: str) -> tuple[str, ...] | None:
    """The parts of a TOML key as a file writes it (``states."kontanthjælp".cost``); None if it is not one."""
    try:
        table = tomllib.loads(f"{key} = 0")
    except tomllib.TOMLDecodeError:
        return None
    parts: list[str] = []
    while isinstance(table, dict) and len(table) == 1:
        (part, table), = table.items()
        parts.append(part)
    return tuple(parts)


def _has(raw: dict, parts: tuple) -> bool:
    try:
        keypaths.get(raw, parts)
    except keypaths.KeyPathError:
        return False
    return True


def _table_path(lines: list[str]) -> tuple[tuple, tuple | None, bool]:
    """After ``lines``: the key path parts of the table they end in (list positions counted as ``[[...]]`` headers
    count them), that table's header as its TOML key's parts (None for the top level), and whether it is ``[[...]]``."""
    positions: dict[tuple, int] = {}
    path: tuple = ()
    header: tuple | None = None
    is_list = False
    for line in lines:
        match = _HEADER.match(line)
        parts = _key_parts(match.group(2)) if match else None
        if not parts:
            continue
        header, is_list = parts, match.group(1) == "[["
        if is_list:
            positions[parts] = positions.get(parts, -1) + 1
            for other in [o for o in positions if len(o) > len(parts) and o[:len(parts)] == parts]:
                del positions[other]  # a new entry of the outer list starts its inner lists again
        path = ()
        for n in range(1, len(parts) + 1):
            path += (parts[n - 1],)
            if parts[:n] in positions:
                path += (positions[parts[:n]],)
    return path, header, is_list


def given_twice(text: str, error: tomllib.TOMLDecodeError) -> Problem | None:
    """A key or a table given twice (TOML refuses it), as a problem at its key path: ``[states.job]`` twice, or
    ``cost`` twice in one table. None for another error, or where the key path cannot be told for sure: the
    path found is checked against the TOML of the lines before the one TOML stopped at."""
    message = str(error)
    line_number = re.search(r"at line (\d+)", message)
    if not (line_number and message.startswith(_TWICE)):
        return None
    number = int(line_number.group(1))
    lines = text.splitlines()
    if not 0 < number <= len(lines):
        return None
    try:
        before = tomllib.loads("\n".join(lines[:number - 1]))
    except (tomllib.TOMLDecodeError, RecursionError, ValueError):
        return None
    line = lines[number - 1]
    header = _HEADER.match(line)
    at = f"(the second time at line {number})"
    if header:  # [table] or [[list]] where the file has that key already
        parts = _key_parts(header.group(2))
        if not parts:
            return None
        path, _, _ = _table_path(lines[:number])
        if not _has(before, path[:len(path) - (header.group(1) == "[[")]):  # what the file has already
            return None
        name = keypaths.join(parts)
        written = f"{header.group(1)}{header.group(2)}{header.group(1).replace('[', ']')}"
        names = ": two states or strategies need two names" if len(parts) == 2 and parts[0] in ("states", "strategies") else ""
        return Problem(name, f"{written} is given twice {at}; give each table once{names}")
    path, _, _ = _table_path(lines[:number - 1])
    inline = re.match(r"Duplicate inline table key '(.*)'", message)
    key = _key_parts(_QUOTED.sub(lambda m: m.group(0).replace("=", "\x00"), line).split("=", 1)[0]
                     .replace("\x00", "=")) if "=" in line else None
    if not key or not _has(before, path if inline else path + key):
        return None
    if inline:
        gamma = ("; a gamma given by shape and scale cannot also take scale = true: give the factor by its mean and sd, "
                 'e.g. { dist = "gamma", mean = 1.0, sd = 0.1, scale = true }'
                 if inline.group(1) == "scale" and "gamma" in line else "")
        return Problem(keypaths.join(path + key), f'the key "{inline.group(1)}" is given twice in this inline table '
                                                  f"(at line {number}); give each key once{gamma}")
    return Problem(keypaths.join(path + key), f"given twice {at}; give each key once in its table")


# --- a Danish thousands point that TOML reads as a decimal point ------------------------------------------

_THREE_DECIMALS = re.compile(r"=\s*([+-]?[0-9]{1,3}\.[0-9]{3})(?![0-9_.eE])")
_IN_THE_NUMBERS_UNIT = ("mean", "sd", "low", "high", "mode")
"""An [uncertainty] entry's parameters in the unit of the number it gives a distribution (unless ``scale = true``)."""


def _is_kroner_distribution(parts: tuple, raw: dict) -> bool:
    """True if a key path (as parts) names a parameter, in kroner, of an [uncertainty] entry on a kroner number."""
    if not (len(parts) == 3 and parts[0] == "uncertainty" and parts[2] in _IN_THE_NUMBERS_UNIT):
        return False
    entry = raw.get("uncertainty", {}).get(parts[1])
    if not isinstance(entry, dict) or entry.get("scale") is True:
        return False  # a factor on the number, not kroner
    try:
        return keypaths.is_kroner(keypaths.parse(parts[1]))
    except keypaths.KeyPathError:
        return False


def thousands_points(text: str, raw: dict) -> list[Problem]:
    """Amounts in kroner written with a point and exactly three decimals below 1000 (``cost = 120.000``):
    TOML reads 120.0, the writer meant 120 thousand. Each is a problem at its key path.

    A kroner amount has at most two decimals (øre), so three decimals are a thousands point. The text says
    how a number was written, the table where it stands: a number at a kroner key path whose value is one
    of the text's three-decimal numbers is reported.
    """
    written: dict[float, str] = {}
    for match in _THREE_DECIMALS.finditer(text):
        written.setdefault(float(match.group(1)), match.group(1))
    if not written:
        return []
    problems = []
    for path, value in keypaths.numbers(raw).items():
        parts = keypaths.parse(path)
        if isinstance(value, float) and value in written and (keypaths.is_kroner(parts) or _is_kroner_distribution(parts, raw)):
            literal = written[value]
            problems.append(Problem(path, f"{literal} reads as {limits.show(value)} kr. (TOML's point is a decimal "
                                          f"point); write {literal.replace('.', '_')} for thousands, or "
                                          f"{value:.2f} for {limits.show(value)} kr."))
    return problems

