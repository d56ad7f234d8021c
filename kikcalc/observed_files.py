"""Observed caseloads read from files, in the layouts people have: the boundary between a data file and
:class:`~kikcalc.observed.Observations`.

:func:`read` takes

- a **long** CSV: a period column (``month``, ``quarter``, ``year``, ``date`` or ``period``; Danish
  ``måned``, ``kvartal``, ``år``, ``dato``, ``periode``), a state column (``state``, or jobindsats'
  ``Ydelsesgrupper``) and a value column (``value``), with an optional ``measure`` column; or the
  value columns named by their measure (``persons``, ``full_time``, ``Antal personer``, ``Antal
  fuldtidspersoner``) instead of ``value``;
- a **wide** CSV: a period column and a column per state (optionally a ``measure`` column);
- the **JSON** the jobindsats.dk API returns: ``[{"Variables": [{"Label": ...}, ...], "Data": [[...], ...]}]``,
  read as a table whose header is the variables' labels.

A file names its measure (a measure column, or value columns named by measure) or the caller gives
it (``measure``, the CLI's ``--measure``): persons and full-time persons are different numbers, and
a file that does not say which it holds is refused, never guessed. Names of benefit groups
("Kontanthjælp") become states through the scenario's ``[observed] map`` or ``mapping`` (the CLI's
``--map NAME=STATE``); a state's own name is read as is.

Separators ``,``, ``;`` and tab are sniffed. Numbers are parsed by :mod:`kikcalc.datafile` (a file's
text as tables of cells), not by a library, so that the rule is exact and stated: in a ``;`` file (as
Excel with Danish settings writes it) a comma is the decimal sign and a point separates thousands
(``1.130,5`` is 1130.5, ``120.000`` is 120000); in a ``,`` file a point is the decimal sign and a comma
in a number is refused as ambiguous; a tab file (Excel's "Unicode text", UTF-16) follows the ``;`` rule
if any number in it has a comma, and otherwise the ``,`` rule, refusing ``120.000`` as ambiguous. Text
is UTF-8, with or without a byte-order mark, or UTF-16 with one; anything else is refused with the row
and column of the first byte that is not UTF-8.

Every problem is collected with its row and column (``row 5, column C (persons)``; in JSON
``Data[4][3] (Antal personer)``) and raised together as one :class:`~kikcalc.errors.ScenarioError`
naming the file. What was read (layout, columns, rows, periods) is returned in
``Observations.read_report``.
"""

from __future__ import annotations

import datetime
import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kikcalc import datafile, textfile
from kikcalc.calendar import month_written_otherwise
from kikcalc.errors import Problem, ScenarioError
from kikcalc.observed import (
    MEASURE_WORDS,
    MEASURES,
    Observation,
    Observations,
    OutsideHorizon,
    Period,
    check_measure,
    map_name,
    mapped_twice,
    one_count,
    parse_period,
    read_summary,
)

# --- the words a header or a cell may use -----------------------------------------------------------------

PERIOD_COLUMNS = {"period": None, "periode": None, "month": "month", "måned": "month", "maaned": "month",
                  "quarter": "quarter", "kvartal": "quarter", "year": "year", "år": "year", "aar": "year",
                  "date": "date", "dato": "date"}
"""A period column's name, and the kind of period it must hold (None: any)."""
STATE_COLUMNS = ("state", "ydelse", "ydelser", "ydelsesgruppe", "ydelsesgrupper", "benefit", "benefit_group")
MEASURE_COLUMNS = ("measure", "måling", "maaling")
VALUE_COLUMNS = ("value", "værdi", "vaerdi")
AREA_COLUMNS = ("area", "område", "omraade", "kommune", "municipality")
MEASURE_NAMES = {
    **{measure: measure for measure in MEASURES},
    "personer": "persons", "antal_personer": "persons",
    "full_time_persons": "full_time", "fuldtidspersoner": "full_time", "antal_fuldtidspersoner": "full_time",
}
"""A measure's names, as a column's name or a measure column's value (compared by :func:`_word`): every
measure's own, and jobindsats' Danish ones."""
_DANISH_PERSONS = ("personer", "antal_personer")

# ASCII digits only: float() would read "١٢٣" and "２０", which no one means in a caseload file.
_DANISH_DATE = re.compile(r"^([0-9]{1,2})[-./]([0-9]{1,2})[-./]([0-9]{4})$")
_EXCEL_MONTH = re.compile(r"^[^\W\d_]{3,9}[-. ][0-9]{2,4}$")  # letters, then a year: "jan-21"
_QUARTER_ZERO = re.compile(r"^([0-9]{4})([KQ])0([1-4])$")
_WITH_TIME = re.compile(r"^([0-9]{4}-[0-9]{2}-[0-9]{2})[ T][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?$")
_EXCEL_SERIAL = re.compile(r"^([1-7][0-9]{4})(\.[0-9]+)?$")  # days since 1899-12-30: 1927 to 2173
_YEAR_DECIMAL = re.compile(r"^([0-9]{4})\.0+$")  # 2021.0, as a program writes a year it read as a number


def _word(text: Any) -> str:
    """A header or cell as compared with the words above: NFC, trimmed, case-folded, runs of spaces,
    hyphens and underscores as one underscore."""
    return re.sub(r"[\s_\-]+", "_", unicodedata.normalize("NFC", str(text)).strip().casefold()).strip("_")


_name = map_name


# --- names and measures ---------------------------------------------------------------------------------

def _fold(text: str) -> str:
    """A name compared loosely, for suggestions only: case-folded, æ ø å spelled out."""
    text = _name(text).casefold()
    for letter, spelled in (("æ", "ae"), ("ø", "oe"), ("å", "aa")):
        text = text.replace(letter, spelled)
    return text


def _nearest(name: str, candidates: list[str]) -> str | None:
    folded = {}
    for candidate in candidates:
        folded.setdefault(_fold(candidate), candidate)
        folded.setdefault(_fold(candidate).replace("oe", "o").replace("ae", "a").replace("aa", "a"), candidate)
    keys = [_fold(name), _fold(name).replace("oe", "o").replace("ae", "a").replace("aa", "a")]
    for key in keys:
        close = difflib.get_close_matches(key, list(folded), n=1, cutoff=0.75)
        if close:
            return folded[close[0]]
    return None


def _unknown_name(name: str, states: list[str], mapping: dict[str, str]) -> str:
    """Why a name in a file is no state, with the nearest state or mapped name, and how to map it."""
    near = _nearest(name, states + list(mapping))
    if near in mapping:
        return f'no state "{name}" in the scenario and no such name in the map; did you mean "{near}" (mapped to {mapping[near]})?'
    how = f'[observed] map = {{ "{name}" = "{near or "STATE"}" }} in the scenario, or --map "{name}={near or "STATE"}"'
    if near and (name.isascii() and name == name.lower()):  # a slip in a state's own name
        return f'no state "{name}" in the scenario; did you mean "{near}"?'
    if near:
        return f'no state "{name}" in the scenario; did you mean "{near}"? A name other than a state\'s own is read through a map: {how}'
    return f'no state "{name}" in the scenario (its states: {", ".join(states)}); map the name to one: {how}'


def _measure_of(text: Any) -> str | None:
    return MEASURE_NAMES.get(_word(text))


def _unknown_measure(text: str) -> str:
    close = difflib.get_close_matches(_word(text), list(MEASURE_NAMES), n=1, cutoff=0.75)
    hint = f'; did you mean "{close[0]}"?' if close else ""
    return (f'unknown measure "{text}"; expected persons (Antal personer), full_time (Antal fuldtidspersoner), '
            f'entrants, exits or passed_through{hint}')


# --- reading ----------------------------------------------------------------------------------------------

def read(path: str | Path, scenario, mapping: dict[str, str] | None = None, measure: str | None = None) -> Observations:
    """The observations in a data file (CSV or the jobindsats API's JSON) for a built scenario.

    ``mapping``: names in the file (benefit groups, "Kontanthjælp") to states, over the scenario's
    ``[observed] map``. ``measure``: persons, full_time, entrants or exits, for a file that does not
    name its measure. Returns :class:`~kikcalc.observed.Observations` with ``source`` the path and
    ``read_report`` saying what was read; raises :class:`~kikcalc.errors.ScenarioError` listing every
    problem with its row and column.
    """
    file = str(path)
    problems = datafile.Problems()
    data = textfile.read_bytes(path, "a data file (CSV or JSON)")  # refuses a pipe, a device, a loop; never blocks
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        raise ScenarioError(file, [Problem("", datafile.EMPTY_FILE)])
    text, encoding = datafile.decode(data, file)
    datafile.refuse_a_scenario(path, text)
    names = _state_names(scenario, mapping or {}, problems)
    if measure is not None and measure not in MEASURES:
        measure_name = _measure_of(measure)
        if measure_name is None:
            problems.add("--measure", _unknown_measure(str(measure)))
        measure = measure_name
    if Path(path).suffix.casefold() == ".json" or text.lstrip()[:1] in ("[", "{"):
        tables = datafile.json_tables(text, problems)
    else:
        table = datafile.csv_table(text, encoding, problems)
        tables = [table] if table else []
    reading = _Reading(file, scenario, names, measure, problems)
    details: list[str] = []
    for table in tables:
        details += reading.table(table)
    if problems:
        raise ScenarioError(file, problems)
    items = tuple(reading.items)
    if not items:
        raise ScenarioError(file, [Problem("", "no numbers in the file: every value cell is empty")])
    report = "\n".join(read_summary(items, file) + [f"  {line}" for line in details])
    return Observations(items, file, report)


def _state_names(scenario, mapping: dict[str, str], problems: datafile.Problems) -> dict[str, str]:
    """Every name a file may use for a state: the states' own, the scenario's [observed] map, then ``mapping``."""
    states = scenario.state_names
    names = {s: s for s in states}
    table = scenario.raw.get("observed") if isinstance(scenario.raw.get("observed"), dict) else {}
    in_scenario = table.get("map", {}) if isinstance(table.get("map", {}), dict) else {}
    names.update({_name(k): v for k, v in in_scenario.items() if isinstance(v, str) and v in states})
    for name, state in mapping.items():
        if state not in states:
            close = difflib.get_close_matches(str(state), states, n=1)
            hint = f'; did you mean "{close[0]}"?' if close else f" (its states: {', '.join(states)})"
            problems.add(f'--map "{name}={state}"', f'no state "{state}" in the scenario{hint}')
            continue
        names[_name(name)] = state
    for name, why in mapped_twice(mapping.items()):
        problems.add(f'--map "{name}={mapping[name]}"', why)
    return names


@dataclass
class _Columns:
    """What each column of a table holds."""

    period: int | None = None
    period_kind: str | None = None
    state: int | None = None
    measure: int | None = None
    value: int | None = None
    area: int | None = None
    by_measure: dict[int, str] = field(default_factory=dict)
    """Value columns named by measure: column -> measure."""
    by_state: dict[int, str] = field(default_factory=dict)
    """Value columns named by state (or a mapped name): column -> state."""
    unknown: list[int] = field(default_factory=list)


class _Reading:
    """Observations read from one file's tables; problems collected as found."""

    def __init__(self, file: str, scenario, names: dict[str, str], measure: str | None, problems: datafile.Problems):
        self.file, self.scenario, self.names, self.measure, self.problems = file, scenario, names, measure, problems
        self.items: list[Observation] = []
        self.seen: dict[tuple, str] = {}
        self.outside: list[tuple[int, int, str]] = []
        """A table's rows whose period lies outside the horizon: (row, column, message)."""
        self.points: list[tuple[str, str, float]] = []
        """A table's counts written as a thousands point would be, read with a decimal point: (cell, text, value)."""

    def table(self, table: datafile.Table) -> list[str]:
        """Read one table's observations into ``items``; the report's lines on its layout, columns and rows."""
        columns = self._columns(table)
        if columns is None:
            return []
        if not table.rows:
            if not table.dropped:
                self.problems.add(table.head, "no rows below the header: nothing to read")
            return []
        decimal = table.decimal
        if decimal == "either":
            value_columns = [columns.value, *columns.by_measure, *columns.by_state]
            has_comma = any("," in str(cells[j]) for _, cells in table.rows for j in value_columns if j is not None)
            decimal = "comma" if has_comma else "point-strict"
        before = len(self.items)
        empty: list[str] = []
        area_values: dict[str, int] = {}
        used_names: dict[str, str] = {}
        danish_persons_by_month = False
        unknown_states: dict[str, list[tuple[int, int]]] = {}
        unknown_measures: dict[str, list[tuple[int, int]]] = {}
        for row, cells in table.rows:
            if columns.area is not None:
                area = _name(cells[columns.area] or "")
                if area and area not in area_values:
                    if area_values:
                        first = next(iter(area_values))
                        self.problems.add(table.cell(row, columns.area),
                                          f'a second area "{area}" ({table.row(area_values[first])} has "{first}"): '
                                          f"kikcalc reads one area's numbers; keep the rows of the area the scenario models")
                    area_values[area] = row
            period = self._period(table, row, cells, columns)
            state = None
            if columns.state is not None:
                text = _name(cells[columns.state] or "")
                if not text:
                    self.problems.add(table.cell(row, columns.state), "no state: name the state (or benefit group) of this row")
                    continue
                state = self.names.get(text)
                if state is None:
                    unknown_states.setdefault(text, []).append((row, columns.state))
                    continue
                if text != state:
                    used_names[text] = state
            row_measure = self.measure
            if columns.measure is not None:
                text = _name(cells[columns.measure] or "")
                row_measure = _measure_of(text) if text else None
                if not text:
                    self.problems.add(table.cell(row, columns.measure), "no measure: give persons or full_time "
                                                                       "(Antal personer or Antal fuldtidspersoner)")
                    continue
                if row_measure is None:
                    unknown_measures.setdefault(text, []).append((row, columns.measure))
                    continue
                if _word(text) in _DANISH_PERSONS and period is not None and period.kind == "month":
                    danish_persons_by_month = True
            if period is None:
                continue
            if columns.value is not None:
                targets = [(columns.value, state, row_measure)]
            elif columns.by_measure:
                targets = [(j, state, m) for j, m in columns.by_measure.items()]
                if period.kind == "month" and any(_word(table.header[j]) in _DANISH_PERSONS for j in columns.by_measure):
                    danish_persons_by_month = True
            else:
                targets = [(j, s, row_measure) for j, s in columns.by_state.items()]
            for j, target_state, target_measure in targets:
                raw = cells[j]
                if raw is None or (isinstance(raw, str) and not raw.strip()):
                    empty.append(table.cell(row, j))
                else:
                    self._observation(table.cell(row, j), raw, decimal, target_state, target_measure, period)
        for text, places in unknown_states.items():
            self.problems.add(table.cell(*places[0]), _unknown_name(text, self.scenario.state_names, self._map()) + _also(table, places))
        for text, places in unknown_measures.items():
            self.problems.add(table.cell(*places[0]), _unknown_measure(text) + _also(table, places))
        if self.measure is not None and (columns.measure is not None or columns.by_measure):
            named = {o.measure for o in self.items[before:]}
            if named and named != {self.measure}:
                self.problems.add("--measure", f"the file names its measures ({', '.join(sorted(named))}); "
                                               f"--measure {self.measure} says otherwise: leave it out")
        self._outside_once(table)
        return self._report(table, columns, decimal, area_values, used_names, empty, danish_persons_by_month)

    def _outside_once(self, table: datafile.Table) -> None:
        """The rows outside the horizon as one problem, at the first: a jobindsats export of ten years against a
        scenario of six is one thing to fix, not forty lines of the same message."""
        if not self.outside:
            return
        (row, column, message), rest = self.outside[0], self.outside[1:]
        if rest:
            message += (f"; so do {len(rest)} more row{'s' if len(rest) != 1 else ''}"
                        f"{_also(table, [(row, column), *((r, c) for r, c, _ in rest)])}: keep only the rows within the "
                        f"horizon, or widen it (scenario.start, scenario.end)")
        self.problems.add(table.cell(row, column), message)
        self.outside = []

    def _observation(self, where: str, raw: Any, decimal: str, state: str, measure: str, period: Period) -> None:
        """One cell's observation into ``items``, or the problem with it."""
        value = datafile.cell_number(raw, decimal)
        wrong = value if isinstance(value, str) else check_measure(measure, period)
        if wrong:
            self.problems.add(where, wrong)
            return
        key = one_count((state,), measure, period)
        if key in self.seen:
            self.problems.add(where, f"{state} {MEASURE_WORDS[measure]} {period.label} is given twice: also at "
                                     f"{self.seen[key]}; keep one (two names mapped to one state? add their numbers up in the file)")
            return
        self.seen[key] = where
        if decimal == "point" and datafile.thousands_point(raw):
            self.points.append((where, str(raw).strip(), float(value)))
        self.items.append(Observation((state,), measure, period, float(value), f"{self.file} {where}"))

    def _map(self) -> dict[str, str]:
        return {k: v for k, v in self.names.items() if k != v}

    def _columns(self, table: datafile.Table) -> _Columns | None:
        """Each column's role from its name; problems for names that say nothing kikcalc reads, or say it twice."""
        columns = _Columns()
        first_at: dict[str, int] = {}
        header_where, head = table.column, table.head

        def once(role: str, j: int) -> bool:
            if role in first_at:
                self.problems.add(header_where(j), f"a second {role} column; the first is {header_where(first_at[role])}")
                return False
            first_at[role] = j
            return True

        for j, label in enumerate(table.header):
            word = _word(label)
            if not word:
                if any(cells[j] not in (None, "") for _, cells in table.rows):
                    self.problems.add(header_where(j), "a column without a name; name it (month, state, persons, ...)")
                continue
            if word in PERIOD_COLUMNS:
                if once("period", j):
                    columns.period, columns.period_kind = j, PERIOD_COLUMNS[word]
            elif word in STATE_COLUMNS:
                if once("state", j):
                    columns.state = j
            elif word in MEASURE_COLUMNS:
                if once("measure", j):
                    columns.measure = j
            elif word in VALUE_COLUMNS:
                if once("value", j):
                    columns.value = j
            elif word in AREA_COLUMNS:
                if once("area", j):
                    columns.area = j
            elif word in MEASURE_NAMES:
                if once(MEASURE_NAMES[word], j):
                    columns.by_measure[j] = MEASURE_NAMES[word]
            elif _name(label) in self.names:
                state = self.names[_name(label)]
                if once(f"{state} (state)", j):
                    columns.by_state[j] = state
            else:
                columns.unknown.append(j)
        ok = True
        if columns.period is None:
            self.problems.add(head, "no period column: name one month, quarter, year, date or period (jobindsats: Periode); "
                                    f"the columns are {', '.join(repr(h) for h in table.header)}")
            ok = False
        if columns.state is not None:
            for j in columns.by_state:
                self.problems.add(header_where(j), f"a column named by state beside a state column ({header_where(columns.state)}); "
                                                   f"give states either in the state column or as columns, not both")
                ok = False
            if columns.value is not None and columns.by_measure:
                self.problems.add(header_where(columns.value), "a value column beside columns named by measure "
                                                               f"({', '.join(header_where(j) for j in columns.by_measure)}); "
                                                               "which holds the numbers? Keep one")
                ok = False
            if columns.measure is not None and columns.by_measure:
                self.problems.add(header_where(columns.measure), "a measure column beside columns named by measure; keep one")
                ok = False
            if columns.value is None and not columns.by_measure:
                self.problems.add(head, "no value column: name the column of numbers value, or by its measure "
                                        "(persons, full_time, Antal personer, Antal fuldtidspersoner)")
                ok = False
            for j in columns.unknown:  # a long file may carry columns kikcalc does not read; a near miss is a slip
                near = _near_word(table.header[j])
                if near:
                    self.problems.add(header_where(j), f'not a column kikcalc reads; did you mean "{near}"?')
                    ok = False
        else:
            for j in columns.unknown:
                message = _unknown_name(_name(table.header[j]), self.scenario.state_names, self._map())
                if "did you mean" not in message:
                    message += ("; a wide file names a column per state: if this column holds states, name it state "
                                "(jobindsats: Ydelsesgrupper)")
                self.problems.add(header_where(j), message)
                ok = False
            if columns.by_measure and columns.by_state:
                self.problems.add(header_where(next(iter(columns.by_measure))),
                                  "columns named by measure beside columns named by state; name the columns either by "
                                  "state (a wide file, with a measure column or --measure) or by measure (with a state column)")
                ok = False
            elif not columns.by_state and ok:
                self.problems.add(head, "no state: add a state column (state, or jobindsats' Ydelsesgrupper) "
                                        "or name a column per state")
                ok = False
            if columns.value is not None and columns.by_state:
                self.problems.add(header_where(columns.value), "a value column in a file with a column per state; remove it")
                ok = False
        if ok and columns.measure is None and not columns.by_measure and self.measure is None:
            at = header_where(columns.value) if columns.value is not None else head
            self.problems.add(at, "which measure do the numbers hold: persons (a headcount at a month's end or a date) or "
                                  "full-time persons (a mean over the period)? The file does not say: add a measure column, "
                                  "name the value column persons or full_time (jobindsats: Antal personer, Antal "
                                  "fuldtidspersoner), or give --measure persons or --measure full_time")
            ok = False
        return columns if ok else None

    def _period(self, table: datafile.Table, row: int, cells: list[Any], columns: _Columns):
        raw = cells[columns.period]
        text = "" if raw is None else (str(int(raw)) if isinstance(raw, float) and raw.is_integer() else str(raw)).strip()
        where = table.cell(row, columns.period)
        if not text:
            self.problems.add(where, "no period: give a month (2021-01, 2021M01), quarter (2021K1), year (2021) or date (2021-01-19)")
            return None
        try:
            period = parse_period(text, self.scenario.calendar)
        except OutsideHorizon as error:  # said once for the table (:meth:`_outside_once`): an export of more years
            self.outside.append((row, columns.period, str(error)))
            return None
        except ValueError as error:
            self.problems.add(where, str(error) + _period_hint(text))
            return None
        if columns.period_kind and period.kind != columns.period_kind:
            self.problems.add(where, f"{text} is a {period.kind}, in a column named {table.header[columns.period]}, "
                                     f"which holds {columns.period_kind}s; name the column period if its periods differ")
            return None
        return period

    def _report(self, table: datafile.Table, columns: _Columns, decimal: str, areas: dict[str, int], used_names: dict[str, str],
                empty: list[str], danish_persons_by_month: bool) -> list[str]:
        """Lines saying how the table was read: its layout, the columns and rows read, what was not read."""
        if columns.state is not None:
            layout = "long, a column per measure" if columns.by_measure else "long"
        else:
            layout = "wide, a column per state"
        roles = [(columns.area, "area" + (f" {next(iter(areas))}" if areas else "")), (columns.period, "period"),
                 (columns.state, "state"), (columns.measure, "measure"), (columns.value, "value")]
        roles += list(columns.by_measure.items()) + [(j, f"state {s}") for j, s in columns.by_state.items()]
        parts = [f"{table.label(j)} ({role})" for j, role in sorted((j, role) for j, role in roles if j is not None)]
        measure = f"; measure {self.measure} (given)" if columns.measure is None and not columns.by_measure else ""
        rule = {"comma": "decimal comma, thousands point", "point": "decimal point",
                "point-strict": "decimal point (no number has a comma)"}[decimal]
        if not table.is_csv:
            rule = "JSON numbers, and text numbers with " + rule
        lines = [f"{table.form}, {layout}; {rule}",
                 f"read columns {', '.join(parts)}{measure}; {table.span()}"]
        if used_names:
            lines.append("names read as states: " + ", ".join(f'"{k}" = {v}' for k, v in used_names.items()))
        not_read = [f"column {table.label(j)}" for j in columns.unknown]
        if empty:
            shown = ", ".join(empty[:3]) + (f" and {len(empty) - 3} more" if len(empty) > 3 else "")
            not_read.append(f"{len(empty)} empty cell{'s' if len(empty) != 1 else ''} ({shown})")
        if not_read:
            lines.append("not read: " + "; ".join(not_read))
        if danish_persons_by_month:
            lines.append('jobindsats "Antal personer" for a month (persons with a payment in it) is read as persons at the month\'s end')
        if self.points:  # documented (a point is the decimal sign here), but 1.130 persons is seldom meant
            (where, text, value), rest = self.points[0], len(self.points) - 1
            more = f" and {rest} more such number{'s' if rest != 1 else ''}" if rest else ""
            lines.append(f'{WARNING}{self.file}: "{text}" ({where}){more} read as {value:g} persons: in a comma-separated file a '
                         f"point is the decimal sign; if it means {text.replace('.', '')} persons, write it without the point "
                         f"(or save the file from Danish Excel, with ; between columns)")
            self.points = []
        area = next(iter(areas), None)
        if area and not _same_area(area, self.scenario.municipality):
            lines.append(f'{WARNING}{self.file}: the data are of the area "{area}", the scenario of the municipality '
                         f'"{self.scenario.municipality}": numbers of another area are set against the model as if they '
                         f"were this one's; keep the rows of {self.scenario.municipality} (jobindsats: choose it as Område)")
        return lines


def _near_word(label: str) -> str | None:
    words = [*PERIOD_COLUMNS, *STATE_COLUMNS, *MEASURE_COLUMNS, *VALUE_COLUMNS, *AREA_COLUMNS, *MEASURE_NAMES]
    close = difflib.get_close_matches(_word(label), words, n=1, cutoff=0.8)
    return close[0] if close else None


def _also(table: datafile.Table, places: list[tuple[int, int]]) -> str:
    if len(places) == 1:
        return ""
    others = [table.row(row) for row, _ in places[1:]]
    shown = ", ".join(others[:5]) + (f" and {len(others) - 5} more" if len(others) > 5 else "")
    return f" (also {shown})"


WARNING = "warning: "
"""How a line of a read report that a person must see begins (the command line prints it as it is)."""


def _same_area(area: str, municipality: str) -> bool:
    """Whether a data file's area (jobindsats' Område: "Aabenraa", "Aabenraa Kommune", "Hele landet") is the
    scenario's municipality; True where the scenario names none. Compared as names are (case, spaces and æ ø å
    written ae oe aa aside), one within the other."""
    if not municipality.strip():
        return True
    a, m = (_word(text).translate(str.maketrans({"æ": "ae", "ø": "oe", "å": "aa"})).replace("kommune", "").strip("_")
            for text in (area, municipality))
    return bool(a and m) and (a in m or m in a)


def _period_hint(text: str) -> str:
    match = _DANISH_DATE.match(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
        if month > 12 >= day:  # 01/19/2021: an English Excel's month/day/year
            return (f"; a date as an English Excel shows it (month/day/year)? Write it as {year}-{day:02d}-{month:02d} "
                    f"(format the column as text in Excel, so that it stays so)")
        if month <= 12:
            return (f"; a date as Excel shows it (day-month-year)? Write it as {year}-{month:02d}-{day:02d} "
                    f"(format the column as text in Excel, so that it stays so)")
        return ""
    if match := _WITH_TIME.match(text):  # 2021-01-19 00:00:00: a date a program wrote with its time
        return f"; a date with a time of day? Write the date only: {match.group(1)}"
    if match := _EXCEL_SERIAL.match(text):  # 44197: the number Excel keeps a date as
        day = datetime.date(1899, 12, 30) + datetime.timedelta(days=int(match.group(1)))
        return (f"; a date as Excel stores it, a number of days ({match.group(1)} is {day.isoformat()})? Write it as "
                f"{day.isoformat()} (format the column as text in Excel, so that it stays so)")
    if match := _YEAR_DECIMAL.match(text):
        return f"; a year written as a decimal number? Write it as {match.group(1)}"
    if month := month_written_otherwise(text):  # 05-2014, 2014/05 (calendar: the one home of these forms)
        return f"; a month? Write it as {month} (format the column as text in Excel, so that it stays so)"
    if _EXCEL_MONTH.match(text):
        return "; a month as Excel shows it? Write it as 2021-01 or 2021M01 (format the column as text in Excel)"
    match = _QUARTER_ZERO.match(text)
    if match:
        return f"; write it as {match.group(1)}{match.group(2)}{match.group(3)}"
    if "MAT" in text.upper():
        return "; a moving annual total (MAT) is not a period kikcalc reads: take months, quarters or years"
    return ""

