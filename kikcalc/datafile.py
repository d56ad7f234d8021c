"""A data file's text as tables of cells, and its numbers by a stated rule: the layer under :mod:`kikcalc.observed_files`.

Text is UTF-8, with or without a byte-order mark, or UTF-16 with one; anything else is refused with the
row and column of the first byte that is not UTF-8 (:func:`decode`). A CSV file's separator (``,``,
``;`` or tab) is sniffed (:func:`csv_table`); the JSON the jobindsats.dk API returns is read as tables
whose header is the variables' labels (:func:`json_tables`). Numbers are parsed here, not by a library,
so that the rule is exact and stated (:func:`cell_number`): in a ``;`` file a comma is the decimal sign
and a point separates thousands; in a ``,`` file a point is the decimal sign and a comma in a number is
refused as ambiguous; a tab file follows the ``;`` rule if any number in it has a comma, and otherwise
the ``,`` rule, refusing ``120.000`` as ambiguous. Problems are collected with their row and column.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from typing import Any

from kikcalc import limits
from kikcalc.errors import Problem, ScenarioError

EMPTY_FILE = "the file is empty: expected a header row (such as month,state,persons) and rows below it"
_DANISH_NUMBER = re.compile(r"^(?:[0-9]{1,3}(?:\.[0-9]{3})+|[0-9]+)(?:,[0-9]+)?$")
_POINT_NUMBER = re.compile(r"^[0-9]+(?:\.[0-9]+)?$")
_THOUSANDS_POINT = re.compile(r"^[0-9]{1,3}(?:\.[0-9]{3})+$")


def _letter(j: int) -> str:
    """Spreadsheet letter of 0-based column j: A..Z, AA.."""
    letters = ""
    j += 1
    while j:
        j, rest = divmod(j - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# --- the file as a table --------------------------------------------------------------------------------

@dataclass
class Table:
    """A header and rows of cells, from a CSV file or one table of the jobindsats JSON."""

    header: list[str]
    rows: list[tuple[int, list[Any]]]
    """(row number, or index in Data, and the cells), empty rows left out."""
    form: str
    """What the file is, for the report: "CSV, ';'-separated, UTF-8 with BOM"."""
    decimal: str
    """How text numbers are read: "comma" (1.130,5), "point" (1130.5), "either" (a tab file: decided by its cells)."""
    head: str
    """Where the header is: "row 1", or "Variables" in JSON."""
    prefix: str = ""
    """In JSON with more than one table, the table's place ("[1].")."""
    dropped: int = 0
    """Rows left out for a problem of their shape (already reported)."""

    @property
    def is_csv(self) -> bool:
        return self.form.startswith("CSV")

    def cell(self, row: int, j: int) -> str:
        """Where a cell is: "row 5, column C (persons)", or in JSON "Data[4][2] (Antal personer)"."""
        label = f" ({self.header[j]})" if j < len(self.header) and self.header[j] else ""
        if self.is_csv:
            return f"row {row}, column {_letter(j)}{label}"
        return f"{self.prefix}Data[{row}][{j}]{label}"

    def column(self, j: int) -> str:
        """Where a column's name is: "row 1, column C (persons)", or in JSON "Variables[2] (Antal personer)"."""
        if self.is_csv:
            return self.cell(int(self.head.split()[1]), j)
        return f"{self.prefix}Variables[{j}]" + (f" ({self.header[j]})" if self.header[j] else "")

    def row(self, row: int) -> str:
        return f"row {row}" if self.is_csv else f"{self.prefix}Data[{row}]"

    def span(self) -> str:
        """The rows read: "rows 2 to 14", "row 2", "Data[0] to Data[11]"."""
        first, last = self.rows[0][0], self.rows[-1][0]
        if self.is_csv:
            return f"rows {first} to {last}" if last != first else f"row {first}"
        return f"{self.row(first)} to {self.row(last)}" if last != first else self.row(first)

    def label(self, j: int) -> str:
        """A column as the report names it: "C persons" in a CSV, "Antal personer" in JSON."""
        return f"{_letter(j)} {self.header[j]}" if self.is_csv else self.header[j]


class Problems(list):
    """Problems as found."""

    def add(self, where: str, message: str) -> None:
        self.append(Problem(where, message))


def decode(data: bytes, file: str) -> tuple[str, str]:
    """The file's text and its encoding's name, or a ScenarioError saying why it is not text kikcalc reads."""
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise ScenarioError(file, [Problem("", "an Excel workbook, not a text file: save it as \"CSV UTF-8\" "
                                                "(in Danish Excel: \"CSV UTF-8 (kommasepareret)\") and read that")])
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "UTF-16 (as Excel's \"Unicode text\" writes it)"
        except UnicodeDecodeError as error:
            raise ScenarioError(file, [Problem("", f"starts as UTF-16 but is not: {error.reason} at byte {error.start}; "
                                                   f"save it again as \"CSV UTF-8\"")]) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ScenarioError(file, [_not_utf8(data, error)]) from None
    if "\x00" in text:
        raise ScenarioError(file, [Problem("", "holds NUL characters: UTF-16 without a byte-order mark? Save it as "
                                               "\"CSV UTF-8\" (or as \"Unicode text\", which Excel writes with one)")])
    return text, "UTF-8 with BOM" if data.startswith(b"\xef\xbb\xbf") else "UTF-8"


def refuse_a_scenario(path: Any, text: str) -> None:
    """A ScenarioError if a data file is a scenario (TOML): named .toml, or text TOML reads as a table with a table in
    it (``[scenario]``), which no CSV or JSON file is: the scenario was given where observed data was expected."""
    import tomllib

    suffix = str(path).rsplit(".", 1)[-1].casefold() if "." in str(path) else ""
    scenario = suffix == "toml"
    if not scenario and "=" in text and "[" in text:
        try:
            scenario = any(isinstance(v, dict | list) for v in tomllib.loads(text).values())
        except (tomllib.TOMLDecodeError, RecursionError, ValueError):
            scenario = False
    if scenario:
        raise ScenarioError(str(path), [Problem("", "a scenario file (TOML), given where observed data was expected: "
                                                     "--observed takes a CSV or the jobindsats API's JSON "
                                                     "(docs/calibration.md); give the scenario as the command's FILE")])


_LINE_END = re.compile(rb"\r\n|\r|\n")


def _not_utf8(data: bytes, error: UnicodeDecodeError) -> Problem:
    """Where the first byte that is not UTF-8 lies (row and, for a CSV, column), and what to do."""
    start = error.start
    # Every line end counts, as in csv_table: a file from Excel for Mac ("CSV (Macintosh)") ends its lines in \r alone.
    ends = [end.end() for end in _LINE_END.finditer(data, 0, start)]
    row = len(ends) + 1
    line_start = ends[-1] if ends else 0
    before = data[line_start:start].decode("utf-8", "replace")
    first_line = _LINE_END.split(data, maxsplit=1)[0].decode("utf-8", "replace").lstrip("\ufeff")
    where = f"row {row}"
    separators = [s for s in ";,\t" if s in first_line]
    if separators:
        separator = max(separators, key=first_line.count)
        j = before.count(separator)
        names = next(csv.reader([first_line], delimiter=separator), [])
        where += f", column {_letter(j)}" + (f" ({names[j].strip()})" if j < len(names) and names[j].strip() else "")
    byte = data[start]
    return Problem(where, f"not UTF-8 text: byte 0x{byte:02X} (Windows-1252, Excel's plain \"CSV\", writes æ ø å so); "
                          f"save the file as \"CSV UTF-8\" (in Danish Excel: \"CSV UTF-8 (kommasepareret)\")")


def csv_table(text: str, encoding: str, problems: Problems) -> Table | None:
    """The header and rows of a CSV text, every cell as text. csv.reader rather than pandas.read_csv: it
    gives each row's line in the file (blank, comment and multi-line rows included) and lets a row with
    a cell too many be reported where it is, and every cell stays text until :func:`cell_number` reads it."""
    lines = re.split(r"\r\n|\r|\n", text)  # Windows, old Mac and Unix line ends alike
    separator = None
    # Lines starting with # are comments (a data file's source); blanked, so that row numbers stay the file's.
    kept = ["" if line.lstrip().startswith("#") else line for line in lines]
    first = next((i for i, line in enumerate(kept) if line.strip()), None)
    if first is None:
        problems.add("", EMPTY_FILE + " (it holds only comment lines)")
        return None
    match = re.match(r"^sep=(.)\s*$", kept[first])
    if match:  # Excel's own line naming the separator
        separator = match.group(1)
        kept[first] = ""
    if separator is None:
        separator = _sniff(kept)
    reader = csv.reader(io.StringIO("\n".join(kept)), delimiter=separator)
    header: list[str] | None = None
    header_row = 0
    rows: list[tuple[int, list[str]]] = []
    end = 0
    try:
        for cells in reader:
            row, end = end + 1, reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if header is None:
                header, header_row = [c.strip().lstrip("\ufeff") for c in cells], row
                continue
            rows.append((row, cells))
    except csv.Error as error:  # a quote left open to the end of the file, a cell past csv's size limit
        problems.add(f"row {end + 1}", f"not readable as CSV: {error}; is a quote (\") left open?")
        return None
    if header is None:
        problems.add("", EMPTY_FILE)
        return None
    while header and not header[-1] and not any(len(c) >= len(header) and c[len(header) - 1].strip() for _, c in rows):
        header.pop()  # empty trailing columns, as spreadsheets write them
    width = len(header)
    shaped: list[tuple[int, list[str]]] = []
    dropped = 0
    for row, cells in rows:
        extra = cells[width:]
        if any(c.strip() for c in extra):
            hint = ""
            if separator == "," and any(re.fullmatch(r"\s*[0-9]+\s*", c) for c in cells[1:]):
                hint = ("; a decimal comma in a comma-separated file? Write numbers with a decimal point (1130.5), "
                        "or save the file with ; as separator (Danish Excel)")
            problems.add(f"row {row}", f"{len(cells)} cells, but the header (row {header_row}) names {width} columns{hint}")
            dropped += 1
            continue
        shaped.append((row, (cells + [""] * width)[:width]))
    name = {",": "','", ";": "';'", "\t": "tab"}.get(separator, repr(separator))
    decimal = {",": "point", ";": "comma"}.get(separator, "either")
    return Table(header, shaped, f"CSV, {name}-separated, {encoding}", decimal, f"row {header_row}", dropped=dropped)


def _sniff(lines: list[str]) -> str:
    """The separator: csv.Sniffer's choice among , ; and tab, if it splits the header into columns; otherwise
    the one that splits the header into most."""
    sample = [line for line in lines if line.strip()][:30]
    header = sample[0]
    try:
        separator = csv.Sniffer().sniff("\n".join(sample), delimiters=",;\t").delimiter
    except csv.Error:
        separator = None

    def width(candidate: str) -> int:
        return len(next(csv.reader([header], delimiter=candidate), []))

    if separator is None or width(separator) < 2:
        separator = max(";,\t", key=width)
    return separator


def json_tables(text: str, problems: Problems) -> list[Table]:
    """The jobindsats API's JSON: a list of tables, each {"Variables": [...], "Data": [[...], ...]}."""
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as error:
        problems.add(f"row {error.lineno}, character {error.colno}", f"not valid JSON: {error.msg}")
        return []
    except RecursionError:  # lists or objects nested thousands deep: more than Python's JSON reader will follow
        problems.add("", "not readable as JSON: nested too deep (the jobindsats API's JSON is four levels deep: "
                         '[{"Variables": [{"Label": ...}], "Data": [[...]]}])')
        return []
    shape = 'expected the jobindsats API\'s JSON: [{"Variables": [{"Label": "Periode"}, ...], "Data": [["2021M01", ...], ...]}]'
    if isinstance(payload, dict):
        payload = [payload]
    if not isinstance(payload, list) or not payload:
        problems.add("", shape)
        return []
    tables = []
    for k, part in enumerate(payload):
        prefix = f"[{k}]." if len(payload) > 1 else ""
        if not isinstance(part, dict) or not isinstance(part.get("Variables"), list) or not isinstance(part.get("Data"), list):
            problems.add(f"[{k}]", shape)
            continue
        header = []
        for j, variable in enumerate(part["Variables"]):
            label = variable if isinstance(variable, str) else next(
                (variable[key] for key in ("Label", "label", "Name", "name") if isinstance(variable, dict)
                 and isinstance(variable.get(key), str)), None)
            if label is None:
                problems.add(f"{prefix}Variables[{j}]", f'expected a variable with a "Label", got {json.dumps(variable)[:60]}')
                label = ""
            header.append(label.strip())
        rows = []
        dropped = 0
        for i, values in enumerate(part["Data"]):
            if not isinstance(values, list) or len(values) != len(header):
                dropped += 1
                problems.add(f"{prefix}Data[{i}]", f"expected a list of {len(header)} values, one per variable, "
                                                   f"got {json.dumps(values, ensure_ascii=False)[:60]}")
                continue
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            rows.append((i, values))

        tables.append(Table(header, rows, "jobindsats API JSON", "comma", "Variables", prefix, dropped))
    return tables


# --- numbers ------------------------------------------------------------------------------------------

def thousands_point(raw: Any) -> bool:
    """Whether a cell is text written as a Danish thousands point would be (``1.130``, ``12.500.000``): read as a
    decimal number where a point is the decimal sign (a comma-separated file), which a count seldom means."""
    return isinstance(raw, str) and bool(_THOUSANDS_POINT.match(raw.strip()))


def cell_number(raw: Any, decimal: str) -> float | str:
    """A cell as a number of persons, or why it is not one. ``decimal`` as in :class:`Table`
    ("point-strict": a point, with 1.130 refused as ambiguous)."""
    if isinstance(raw, bool):
        return f"expected a number of persons, got {json.dumps(raw)}"
    if isinstance(raw, int | float):
        if not limits.finite(raw):
            return f"expected a finite number of persons, got {limits.show(raw)}"
        return f"a negative number ({raw:g}); expected a number of persons of at least 0" if raw < 0 else _persons(raw)
    text = str(raw).strip()
    negative = text[:1] in ("-", "\u2212")
    body = text[1:].strip() if negative else text
    value: float | None = None
    if decimal == "comma":
        if _DANISH_NUMBER.match(body):
            value = float(body.replace(".", "").replace(",", "."))
        elif _POINT_NUMBER.match(body):
            return (f'"{text}": in this file a point separates thousands (1.130 is 1130) and a comma is the decimal sign '
                    f'(1130,5); write {body.replace(".", ",")} for a decimal number')
        elif _ENGLISH_NUMBER.fullmatch(body):  # 1,130.5: written the English way in a Danish (;) file
            whole, _, decimals = body.partition(".")
            return (f'"{text}": written the English way (a comma between thousands, a decimal point); in this file a '
                    f'point separates thousands and a comma is the decimal sign: write {whole.replace(",", ".")}'
                    f'{"," + decimals if decimals else ""}')
    else:
        if _POINT_NUMBER.match(body) and not (decimal == "point-strict" and _THOUSANDS_POINT.match(body)):
            value = float(body)
        elif decimal == "point-strict" and _THOUSANDS_POINT.match(body):
            return (f'"{text}" is ambiguous in a tab-separated file without decimal commas: {body.replace(".", "")} '
                    f'(a thousands point) or {float(body):g} (a decimal point)? Write it without a thousands point')
        elif re.fullmatch(r"[0-9.,]+", body) and "," in body:
            return (f'"{text}" is ambiguous in a comma-separated file: {body.replace(",", "").replace(".", "")} '
                    f'(a thousands comma) or a decimal comma? Write numbers without thousands separators and with a '
                    f'decimal point (1130 or 1130.5), or save the file with ; as separator (Danish Excel), where '
                    f'1.130,5 is read')
    if value is None:
        hint = ""
        if "\n" in text:
            text = text.splitlines()[0] + " ..."
            hint = "; a quote (\") left open here, so that the cell runs on over the rows below?"
        elif text in ("..", ".", "(D)", "D", "-", "x"):
            hint = "; a number jobindsats does not publish? Leave the cell empty"
        elif "%" in text:
            hint = "; a share is not a number of persons"
        elif _SPACED_THOUSANDS.fullmatch(body):  # 1 130 (or a no-break space, as some Excels write it)
            hint = f"; a space between thousands? Write it without: {_SPACES.sub('', body)}"
        elif re.search(r"(?i)\bkr\b|dkk", text):
            hint = "; an amount in kroner? The numbers are persons: write the number alone"
        elif text[:1] in ("'", "+") and _POINT_NUMBER.match(text[1:]):  # Excel's text mark, or a sign for nothing
            hint = f"; write the number alone, with its digits only: {text[1:]}"
        return f'expected a number of persons, got "{text}"{hint}'
    if negative:
        return f"a negative number ({text}); expected a number of persons of at least 0"
    return _persons(value)


_ENGLISH_NUMBER = re.compile(r"[0-9]{1,3}(,[0-9]{3})+\.[0-9]+")
_SPACES = re.compile(r"[ \u00a0\u202f]")
_SPACED_THOUSANDS = re.compile(r"[0-9]{1,3}([ \u00a0\u202f][0-9]{3})+([.,][0-9]+)?")


def _persons(value: float) -> float | str:
    """A count within limits.CAP (persons, or persons over months such as those passed through), or why not:
    999.999.999.999.999.999.999 is a count no municipality has, and 400 digits are more than a float holds."""
    if not limits.finite(value) or not limits.CAP.holds(value):
        shown = limits.show(value) if limits.finite(value) else "a number too large for a float"
        return f"expected a number of persons {limits.CAP.words()}, got {shown}"
    return float(value)
