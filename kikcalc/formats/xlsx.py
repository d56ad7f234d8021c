"""``--format xlsx``: a workbook a budget officer accepts (a file only; needs openpyxl, the ``xlsx`` extra).

One sheet per table with numbers as numbers and number formats by unit: kroner without decimals and
with thousands separators, persons with one decimal, shares as percentages. The header row and the
label columns are frozen, and every column is as wide as its widest cell. An ``assumptions`` sheet
lists every input number (key path, value, unit, the file's comment or source), a ``provenance``
sheet says where the workbook came from (:mod:`kikcalc.provenance`). Excel stores number formats
locale-neutral and shows them in the reader's own: Danish Excel shows 1.234.567, English 1,234,567.
With ``--locale da`` the assumptions, notes and provenance sheets have Danish names and headings.
"""

from __future__ import annotations

import datetime
import io
import re
from typing import Any

import pandas as pd

from kikcalc import assumptions, provenance, tables
from kikcalc import locale as loc
from kikcalc.errors import UsageError
from kikcalc.formats import View
from kikcalc.formats._cells import FORMULA_STARTS, is_money, rounded
from kikcalc.result import Result

NAME = "xlsx"
SUFFIXES = (".xlsx",)
ORDER = 60
BINARY = True
HELP = "a workbook (a file)"

KRONER = "#,##0"
PERSONS = "#,##0.0"
PERCENT = "0.0%"
RATIO = "0.00"
_PERSONS_WORDS = ("persons", "headcount", "inflow", "started", "still_in", "left", "reached_outcome")
_SHARE_WORDS = ("share", "probability")
MAX_WIDTH = 60


def unit_format(unit: Any) -> str | None:
    """Excel's number format for a unit: kroner, persons, a share or probability, kr. per kr."""
    if not isinstance(unit, str):
        return None
    if unit == "kr. per kr.":
        return RATIO
    if unit.startswith("kr."):
        return KRONER
    if unit in ("share", "probability") or unit.startswith("share") or unit.startswith("probability"):
        return PERCENT
    if "persons" in unit:
        return PERSONS
    return None


def column_format(frame: pd.DataFrame, column: Any) -> str | None:
    """The number format of a column of numbers, by its unit (``frame.attrs["units"]``) or its name."""
    units = frame.attrs.get("units", {})
    if column in units:
        return unit_format(units[column])
    values = frame[column]
    integer = pd.api.types.is_integer_dtype(values) and not pd.api.types.is_bool_dtype(values)
    name = str(column)
    if "per_krone" in name:
        return RATIO
    if is_money(name):
        return KRONER
    if integer:  # a year, a count of months
        return None
    if any(word in name for word in _SHARE_WORDS):
        return PERCENT
    if any(word in name for word in _PERSONS_WORDS):
        return PERSONS
    return None


def _shown_width(value: Any, number_format: str | None) -> int:
    if value is None or (isinstance(value, float) and value != value):
        return 0
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if number_format == KRONER:
            return len(f"{value:,.0f}")
        if number_format == PERSONS:
            return len(f"{value:,.1f}")
        if number_format == PERCENT:
            return len(f"{value:.1%}")
        if number_format == RATIO:
            return len(f"{value:.2f}")
    return len(str(value))


def _label_columns(frame: pd.DataFrame) -> int:
    """How many leading columns label the rows (text): frozen with the header row; 1 to 3."""
    count = 0
    for column in list(frame.columns)[:3]:
        values = frame[column]
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            break
        count += 1
    return max(count, 1)


def _style(sheet: Any, frame: pd.DataFrame) -> None:
    """Number formats by unit, a bold frozen header row and label columns, widths that fit."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    formats = {i: column_format(frame, c) for i, c in enumerate(frame.columns)}
    row_units = list(frame["unit"]) if "unit" in frame.columns and frame.attrs.get("row_units", True) else None
    exact = set(frame.attrs.get("exact", ()))  # a value in another unit than the row's (solve's number varied): as it is
    widths = [len(str(c)) for c in frame.columns]
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for r, row in enumerate(sheet.iter_rows(min_row=2, max_row=len(frame) + 1)):
        for i, cell in enumerate(row):
            number_format = formats.get(i)
            if row_units is not None and number_format is None and isinstance(cell.value, (int, float)) \
                    and not isinstance(cell.value, bool) and frame.columns[i] not in ("year", "months", *exact):
                number_format = unit_format(row_units[r])
            if number_format and isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
                cell.number_format = number_format
            widths[i] = max(widths[i], _shown_width(cell.value, number_format))
    for i, width in enumerate(widths):
        sheet.column_dimensions[get_column_letter(i + 1)].width = min(width + 2, MAX_WIDTH)
    if len(frame.columns):
        sheet.freeze_panes = sheet.cell(row=2, column=min(_label_columns(frame), len(frame.columns) - 1) + 1)


def _text_stays_text(sheet: Any) -> None:
    """Every text cell of a sheet as text: openpyxl stores a text beginning with ``=`` as a live formula.

    A cell holding a formula here was written from a text (kikcalc writes no formulas). Such a cell,
    and every text a spreadsheet would read as a formula once edited (``+``, ``-``, ``@``), is stored
    as text with Excel's quote prefix, its value unchanged; numbers stay numbers.
    """
    for row in sheet.iter_rows():
        for cell in row:
            if cell.data_type == "f" or (cell.data_type == "s" and isinstance(cell.value, str)
                                         and cell.value.startswith(FORMULA_STARTS)):
                cell.data_type = "s"
                cell.quotePrefix = True


def provenance_frame(record: provenance.Provenance, locale: str = "en") -> pd.DataFrame:
    """The provenance sheet: one row per field."""
    return pd.DataFrame(record.rows(), columns=[loc.word("field", locale), loc.word("value", locale)])


def assumptions_frame(results: list[Result], locale: str = "en") -> pd.DataFrame:
    """Every input number of every scenario (with the file first when there are several)."""
    frames = []
    for result in results:
        frame = assumptions.frame(result.scenario)
        if len(results) > 1:
            frame.insert(0, "file", result.scenario.path)
        frames.append(frame)
    frame = pd.concat(frames, ignore_index=True)
    frame.attrs["row_units"] = False  # an input number as the file writes it: no rounding format
    words = {"key_path": "key_path", "value": "value", "unit": "unit", "comment": "comment", "file": "file"}
    return frame.rename(columns={c: loc.word(words[c], locale) for c in frame.columns})


CELL_CHARS = 32_767
"""The most characters an Excel cell holds; openpyxl cuts a longer text with a warning of its own."""


def capped(text: str) -> str:
    """``text`` cut to :data:`CELL_CHARS` with a note at its end that says so, where it is longer."""
    if len(text) <= CELL_CHARS:
        return text
    note = f" [... cut: a text of {len(text):,} characters; an Excel cell holds {CELL_CHARS:,}]"
    return text[:CELL_CHARS - len(note)] + note


def _illegal() -> re.Pattern[str]:
    """openpyxl's control characters, and U+FFFE and U+FFFF, which XML 1.0 has no place for either: openpyxl writes
    them, and the workbook is then one that neither Excel nor openpyxl opens (a label or a comment holding one)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return re.compile(f"{ILLEGAL_CHARACTERS_RE.pattern}|[\ufffe\uffff]")


def _legal(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every character a worksheet cannot hold (a file named with \\x01, a comment with U+FFFE)
    written as its escape, ``\\x01``, ``\\ufffe`` (openpyxl refuses the workbook otherwise, or writes one that does
    not open), and a text too long for a cell (a scenario name of 40,000 characters) cut with a note (:func:`capped`)."""
    illegal = _illegal()

    def clean(value: Any) -> Any:
        if isinstance(value, str) and illegal.search(value):
            value = illegal.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), value)
        return capped(value) if isinstance(value, str) else value

    text = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
    if not text and not any(isinstance(c, str) and (illegal.search(c) or len(c) > CELL_CHARS)
                            for c in frame.columns):
        return frame
    cleaned = frame.copy()
    for column in text:
        cleaned[column] = cleaned[column].map(clean)
    cleaned.columns = [clean(c) for c in cleaned.columns]
    cleaned.attrs = dict(frame.attrs)
    return cleaned


def workbook(sheets: dict[str, pd.DataFrame], notes: list[str] = (), record: provenance.Provenance | None = None,
             inputs: pd.DataFrame | None = None, locale: str = "en") -> bytes:
    """A workbook with one sheet per table (numbers as numbers, formatted by unit), then the
    ``assumptions`` (``inputs``), ``notes`` and ``provenance`` sheets where given."""
    try:
        import openpyxl  # noqa: F401  (pandas writes through it)
    except ImportError:
        raise UsageError('xlsx output needs openpyxl: pip install openpyxl, or pip install ".[xlsx]" '
                         "in kikcalc's folder") from None
    every = {name[:31]: rounded(frame) for name, frame in sheets.items()}
    for name, frame in sheets.items():
        every[name[:31]].attrs = dict(frame.attrs)
    if inputs is not None:
        every[loc.word("assumptions", locale)] = inputs
    if notes:
        every[loc.word("notes", locale)] = pd.DataFrame({loc.word("notes", locale): list(notes)})
    if record is not None:
        every[loc.word("provenance", locale)] = provenance_frame(record, locale)
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in every.items():
            frame = _legal(frame)
            frame.to_excel(writer, sheet_name=name, index=False)
            _style(writer.sheets[name], frame)
        for sheet in writer.book.worksheets:
            _text_stays_text(sheet)
    return dated(buffer.getvalue(), record.time if record is not None else provenance.run_time())


def dated(content: bytes, time: str | datetime.datetime) -> bytes:
    """A workbook whose own dates are the run's time (:func:`kikcalc.provenance.run_time`, which
    ``SOURCE_DATE_EPOCH`` sets): its properties' created and modified (openpyxl writes the clock's time
    on saving) and each zip entry's date (ZIP's dates begin in 1980), so that the same run gives the same
    bytes, as every other output does."""
    import zipfile

    when = time if isinstance(time, datetime.datetime) else datetime.datetime.strptime(time, "%Y-%m-%dT%H:%M:%SZ")
    written = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    date_time = max(when.timetuple()[:6], (1980, 1, 1, 0, 0, 0))
    source, out = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)\b[^>]*>)[^<]*", rb"\g<1>" + written, data)
            entry = zipfile.ZipInfo(info.filename, date_time=date_time)
            entry.compress_type, entry.external_attr = zipfile.ZIP_DEFLATED, info.external_attr
            target.writestr(entry, data)
    return out.getvalue()


def _record(results: list[Result], view: View) -> provenance.Provenance:
    return view.provenance or provenance.of([r.scenario for r in results])


def run(result: Result, view: View) -> bytes:
    strategies = view.strategies or result.scenario.strategy_names

    def only(frame: pd.DataFrame) -> pd.DataFrame:
        return tables.only(frame, strategies)

    sheets = {"yearly": only(result.yearly), "money": only(result.money), "summary": only(result.summary),
              "targets": only(result.targets)}
    if len(only(result.programmes)):
        sheets["programmes"] = only(result.programmes)
    if view.monthly:
        sheets |= {"monthly": only(result.monthly), "monthly money": only(result.monthly_money)}
    return workbook(sheets, notes=[result.scenario.name, *result.notes, *tables.set_notes(result)],
                    record=_record([result], view), inputs=assumptions_frame([result], view.locale), locale=view.locale)


def compare(results: list[Result], view: View) -> bytes:
    return workbook({"comparison": tables.comparison_frame(results), "targets": tables.all_targets(results)},
                    notes=[f"{r.scenario.name}: {n}" for r in results for n in [*r.notes, *tables.set_notes(r)]],
                    record=_record(results, view), inputs=assumptions_frame(results, view.locale), locale=view.locale)


def targets(results: list[Result], view: View) -> bytes:
    return workbook({"targets": tables.all_targets(results, view.strategies)},
                    notes=[f"{r.scenario.name}: {n}" for r in results for n in tables.set_notes(r)],
                    record=_record(results, view), inputs=assumptions_frame(results, view.locale), locale=view.locale)


def stamp(content: bytes, record: provenance.Provenance, locale: str | None = None) -> bytes:
    """A workbook laid out elsewhere (sensitivity, solve, ...) with the provenance sheet added, styled as the others."""
    import openpyxl

    locale = locale or loc.current()
    book = openpyxl.load_workbook(io.BytesIO(content))
    frame = _legal(provenance_frame(record, locale))
    sheet = book.create_sheet(loc.word("provenance", locale))
    sheet.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        sheet.append(list(row))
    _style(sheet, frame)
    _text_stays_text(sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    return dated(buffer.getvalue(), record.time)
