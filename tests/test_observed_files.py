"""Observed data files: every layout gives the same observations; every bad file is refused by row and column.

tests/data/observed/ holds the same eight numbers (two states, persons and full-time persons, two
months) in every layout kikcalc.observed_files reads. tests/bad_data/ holds one kind of problem per
file (several-problems.csv has more, on purpose); each must be refused with a ScenarioError that
names the file, the row and the column, and says what was expected.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import SCENARIOS
from kikcalc.errors import ScenarioError
from kikcalc.observed import Observations, parse_period
from kikcalc.observed_files import read
from kikcalc.scenario import build, load

LAYOUTS = Path(__file__).parent / "data" / "observed"
BAD = Path(__file__).parent / "bad_data"

RAW = {
    "scenario": {"name": "observed files", "start": "2020-01", "end": "2021-12"},
    "states": {"kontanthjaelp": {"initial": 1130, "inflow": 40, "cost": 104_531},
               "sygedagpenge": {"initial": 480, "inflow": 100, "cost": 139_443},
               "selvforsorgende": {"kind": "outside"}},
    "transitions": [{"from": "kontanthjaelp", "to": "selvforsorgende", "probability": 0.035},
                    {"from": "sygedagpenge", "to": "selvforsorgende", "probability": 0.2}],
    "observed": {"map": {"Kontanthjælp": "kontanthjaelp"}},
}
SCENARIO = build(RAW, "observed-files.toml")
SYGEDAGPENGE = {"Sygedagpenge": "sygedagpenge"}  # the scenario maps Kontanthjælp; the caller maps the other


def _content(observations: Observations) -> list[tuple]:
    """What an observation says, whatever the layout: states, measure, the period's months, the number."""
    return sorted((o.states, o.measure, o.period.kind, o.period.first, o.period.last, o.period.boundary, o.value)
                  for o in observations.items)


EXPECTED = sorted([
    (("kontanthjaelp",), "persons", "month", 0, 0, 1, 1130.0),
    (("kontanthjaelp",), "persons", "month", 1, 1, 2, 1125.0),
    (("kontanthjaelp",), "full_time", "month", 0, 0, 1, 1118.5),
    (("kontanthjaelp",), "full_time", "month", 1, 1, 2, 1127.25),
    (("sygedagpenge",), "persons", "month", 0, 0, 1, 480.0),
    (("sygedagpenge",), "persons", "month", 1, 1, 2, 476.0),
    (("sygedagpenge",), "full_time", "month", 0, 0, 1, 471.5),
    (("sygedagpenge",), "full_time", "month", 1, 1, 2, 478.0),
])


@pytest.mark.parametrize("name", ["long.csv", "long-by-measure.csv", "wide.csv", "danish-excel.csv", "jobindsats.csv",
                                  "jobindsats-measure-column.csv", "jobindsats.json", "excel-unicode-text.txt"])
def test_every_layout_gives_the_same_observations(name):
    observations = read(LAYOUTS / name, SCENARIO, SYGEDAGPENGE)
    assert _content(observations) == EXPECTED
    assert observations.source == str(LAYOUTS / name)


def test_a_wide_file_per_measure_with_the_measure_given():
    persons = read(LAYOUTS / "wide-persons.csv", SCENARIO, measure="persons")
    full_time = read(LAYOUTS / "wide-full-time.csv", SCENARIO, measure="full_time")
    both = persons + full_time
    assert _content(both) == EXPECTED
    assert both.read_report == persons.read_report + "\n" + full_time.read_report
    assert "measure persons (given)" in persons.read_report


def test_the_layout_files_are_all_tested():
    tested = {"long.csv", "long-by-measure.csv", "wide.csv", "danish-excel.csv", "jobindsats.csv", "jobindsats-measure-column.csv",
              "jobindsats.json", "excel-unicode-text.txt", "wide-persons.csv", "wide-full-time.csv"}
    assert {p.name for p in LAYOUTS.iterdir() if not p.name.startswith(".")} == tested


def test_the_read_report_says_what_was_read():
    path = LAYOUTS / "jobindsats.csv"
    report = read(path, SCENARIO, SYGEDAGPENGE).read_report.splitlines()
    assert report[:4] == [
        f"read 2 observations of kontanthjaelp (persons, 2020M01 to 2020M02) from {path}",
        f"read 2 observations of kontanthjaelp (full-time persons, 2020M01 to 2020M02) from {path}",
        f"read 2 observations of sygedagpenge (persons, 2020M01 to 2020M02) from {path}",
        f"read 2 observations of sygedagpenge (full-time persons, 2020M01 to 2020M02) from {path}",
    ]
    assert report[4:] == [
        "  CSV, ';'-separated, UTF-8 with BOM, long, a column per measure; decimal comma, thousands point",
        "  read columns A Område (area Aabenraa), B Periode (period), C Ydelsesgrupper (state), D Antal personer (persons), "
        "E Antal fuldtidspersoner (full_time); rows 2 to 5",
        '  names read as states: "Kontanthjælp" = kontanthjaelp, "Sygedagpenge" = sygedagpenge',
        '  jobindsats "Antal personer" for a month (persons with a payment in it) is read as persons at the month\'s end',
    ]


def test_each_observation_says_where_it_was_read():
    long = read(LAYOUTS / "long.csv", SCENARIO)
    assert long.items[0].where == f"{LAYOUTS / 'long.csv'} row 3, column D (value)"  # row 1 is a comment: rows count as in the file
    api = read(LAYOUTS / "jobindsats.json", SCENARIO, SYGEDAGPENGE)
    assert api.items[1].where == f"{LAYOUTS / 'jobindsats.json'} Data[0][4] (Antal fuldtidspersoner)"


# --- numbers -------------------------------------------------------------------------------------------

def _one_value(tmp_path: Path, text: str, name: str = "data.csv", encoding: str = "utf-8") -> float:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    observations = read(path, SCENARIO)
    assert len(observations) == 1
    return observations.items[0].value


@pytest.mark.parametrize(("cell", "value"), [
    ("1.130,5", 1130.5), ("120.000", 120000.0), ("1.130", 1130.0), ("12,5", 12.5), ("724", 724.0), ("0", 0.0),
    ("1.000.000", 1_000_000.0), (" 715 ", 715.0),
])
def test_a_semicolon_file_has_a_decimal_comma_and_a_thousands_point(tmp_path, cell, value):
    assert _one_value(tmp_path, f"month;state;full_time\n2020-01;kontanthjaelp;{cell}\n") == value


@pytest.mark.parametrize(("cell", "value"), [("1130.5", 1130.5), ("120.000", 120.0), ("724", 724.0), ('"715"', 715.0)])
def test_a_comma_file_has_a_decimal_point(tmp_path, cell, value):
    assert _one_value(tmp_path, f"month,state,full_time\n2020-01,kontanthjaelp,{cell}\n") == value


def test_a_tab_file_follows_its_numbers(tmp_path):
    danish = "month\tstate\tfull_time\n2020-01\tkontanthjaelp\t1.130\n2020-02\tkontanthjaelp\t12,5\n"
    (tmp_path / "danish.txt").write_text(danish, encoding="utf-8")
    assert [o.value for o in read(tmp_path / "danish.txt", SCENARIO).items] == [1130.0, 12.5]
    assert _one_value(tmp_path, "month\tstate\tfull_time\n2020-01\tkontanthjaelp\t1130.5\n", "point.txt") == 1130.5
    (tmp_path / "unclear.txt").write_text("month\tstate\tfull_time\n2020-01\tkontanthjaelp\t120.000\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as error:
        read(tmp_path / "unclear.txt", SCENARIO)
    assert [(p.path, p.message[:34]) for p in error.value.problems] == [
        ("row 2, column C (full_time)", '"120.000" is ambiguous in a tab-se')]


def test_json_numbers_and_text_numbers(tmp_path):
    path = tmp_path / "api.json"
    path.write_text('[{"Variables": [{"Label": "Periode"}, {"Label": "Ydelsesgrupper"}, {"Label": "Antal fuldtidspersoner"}],'
                    ' "Data": [["2020M01", "kontanthjaelp", 1118.5], ["2020M02", "kontanthjaelp", "1.127,25"],'
                    ' ["2020M03", "kontanthjaelp", null], [2020, "kontanthjaelp", 1120]]}]', encoding="utf-8")
    observations = read(path, SCENARIO)
    assert [(o.period.label, o.value) for o in observations.items] == [("2020M01", 1118.5), ("2020M02", 1127.25), ("2020", 1120.0)]
    assert "not read: 1 empty cell (Data[2][2] (Antal fuldtidspersoner))" in observations.read_report


# --- files, columns and names ---------------------------------------------------------------------------

def test_excel_leftovers_are_read_past(tmp_path):
    # Excel's own separator line, trailing empty columns, blank lines and a comment keep their row numbers.
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbfsep=;\r\n# from the minutes\r\nmonth;state;persons;;\r\n\r\n2020-03;kontanthjaelp;1.100;;\r\n")
    observations = read(path, SCENARIO)
    assert [(o.value, o.where) for o in observations.items] == [(1100.0, f"{path} row 5, column C (persons)")]


def test_a_column_kikcalc_does_not_read_is_reported(tmp_path):
    path = tmp_path / "extra.csv"
    path.write_text("Periode;Ydelsesgrupper;Antal personer;Heraf i virksomhedspraktik\n2020M01;Kontanthjælp;1.130;59\n", encoding="utf-8")
    observations = read(path, SCENARIO)
    assert len(observations) == 1
    assert "not read: column D Heraf i virksomhedspraktik" in observations.read_report


def test_persons_at_a_date_and_several_states(tmp_path):
    path = tmp_path / "status.csv"
    path.write_text("date,state,persons\n2020-01-01,kontanthjaelp,1130\n2021-01-19,kontanthjaelp,724\n"
                    "2021-01-19,selvforsorgende,1376\n", encoding="utf-8")
    observations = read(path, SCENARIO)
    assert [(o.states, o.period.kind, o.period.boundary, o.value) for o in observations.items] == [
        (("kontanthjaelp",), "date", 0, 1130.0), (("kontanthjaelp",), "date", 13, 724.0), (("selvforsorgende",), "date", 13, 1376.0)]
    assert observations.read_report.splitlines()[:2] == [
        f"read 2 observations of kontanthjaelp (persons, 2020-01-01 to 2021-01-19) from {path}",
        f"read 1 observation of selvforsorgende (persons, 2021-01-19) from {path}",
    ]


def test_the_mapping_argument_is_read_over_the_scenarios_map(tmp_path):
    path = tmp_path / "map.csv"
    path.write_text("Periode;Ydelsesgrupper;Antal fuldtidspersoner\n2020M01;Kontanthjælp;400\n", encoding="utf-8")
    assert read(path, SCENARIO).items[0].states == ("kontanthjaelp",)
    assert read(path, SCENARIO, {"Kontanthjælp": "sygedagpenge"}).items[0].states == ("sygedagpenge",)


def _problems(path: Path, **options) -> list[tuple[str, str]]:
    with pytest.raises(ScenarioError) as error:
        read(path, SCENARIO, **options)
    assert error.value.file == str(path)
    return [(p.path, p.message) for p in error.value.problems]


def test_a_mapping_to_no_state_is_named(tmp_path):
    path = LAYOUTS / "jobindsats.csv"
    problems = _problems(path, mapping={"Sygedagpenge": "sygedagpnge"})
    assert problems[0] == ('--map "Sygedagpenge=sygedagpnge"', 'no state "sygedagpnge" in the scenario; did you mean "sygedagpenge"?')


def test_a_name_mapped_to_two_states_is_named_whatever_its_unicode_form(tmp_path):
    """Names are matched in NFC with spaces trimmed, so "Skånejob" written with a ring as a separate character is the
    name "Skånejob" too: mapped to another state, it is a problem, never the last one silently."""
    path = tmp_path / "wide.csv"
    path.write_text("month,Skånejob\n2020-01,40\n", encoding="utf-8")
    nfd = "Ska\u030anejob "
    problems = _problems(path, mapping={"Skånejob": "kontanthjaelp", nfd: "sygedagpenge"}, measure="persons")
    assert problems == [(f'--map "{nfd}=sygedagpenge"',
                         "Skånejob is mapped twice: to kontanthjaelp and to sygedagpenge; map each name to one state")]
    read_once = read(path, SCENARIO, mapping={"Skånejob": "sygedagpenge", nfd: "sygedagpenge"}, measure="persons")
    assert [o.states for o in read_once.items] == [("sygedagpenge",)]


def test_a_month_and_its_last_day_are_one_count_in_a_file_as_in_the_scenario(tmp_path):
    """Persons at 2020-01 and at 2020-01-31 are read at the same boundary: in a file they are given twice, by the same
    rule (observed.one_count) the scenario's [observed] table and both together are checked by."""
    from kikcalc.observed import one_count

    path = tmp_path / "persons.csv"
    path.write_text("period,state,persons\n2020-01,kontanthjaelp,1130\n2020-01-31,kontanthjaelp,1131\n"
                    "2020-01-10,kontanthjaelp,1129\n", encoding="utf-8")
    problems = _problems(path)
    assert problems == [("row 3, column C (persons)", "kontanthjaelp persons 2020-01-31 is given twice: also at row 2, "
                         "column C (persons); keep one (two names mapped to one state? add their numbers up in the file)")]
    month, last_day, tenth = (parse_period(p, SCENARIO.calendar) for p in ("2020-01", "2020-01-31", "2020-01-10"))
    assert one_count(["kontanthjaelp"], "persons", month) == one_count(["kontanthjaelp"], "persons", last_day)
    assert one_count(["kontanthjaelp"], "persons", month) != one_count(["kontanthjaelp"], "persons", tenth)


def test_measure_given_and_named_in_the_file(tmp_path):
    problems = _problems(LAYOUTS / "jobindsats.csv", mapping=SYGEDAGPENGE, measure="persons")
    assert problems == [("--measure", "the file names its measures (full_time, persons); --measure persons says otherwise: leave it out")]
    path = tmp_path / "persons.csv"
    path.write_text("month,state,persons\n2020-01,kontanthjaelp,1130\n", encoding="utf-8")
    assert read(path, SCENARIO, measure="persons").items[0].measure == "persons"  # the same: no harm
    assert read(path, SCENARIO, measure="Antal personer").items[0].measure == "persons"
    assert _problems(path, measure="personns")[0] == (
        "--measure", 'unknown measure "personns"; expected persons (Antal personer), full_time (Antal fuldtidspersoner), '
                     'entrants, exits or passed_through; did you mean "persons"?')


@pytest.mark.parametrize(("period", "words"), [
    ("2020Q01", "write it as 2020Q1"),
    ("jan-20", "a month as Excel shows it? Write it as 2021-01 or 2021M01"),
    ("2020QMAT02", "a moving annual total (MAT) is not a period kikcalc reads"),
    ("2020-01-32", "'2020-01-32' is not a date"),
    ("03-2020", "a month? Write it as 2020-03"),
    ("2020/03", "a month? Write it as 2020-03"),
    ("01/19/2021", "(month/day/year)? Write it as 2021-01-19"),  # it said "Write it as 2021-19-01"
    ("19-01-2021", "(day-month-year)? Write it as 2021-01-19"),
    ("44197", "a date as Excel stores it, a number of days (44197 is 2021-01-01)? Write it as 2021-01-01"),
    ("2021-01-19 00:00:00", "a date with a time of day? Write the date only: 2021-01-19"),
    ("2021.0", "a year written as a decimal number? Write it as 2021"),
])
def test_a_period_kikcalc_does_not_read_has_a_hint(tmp_path, period, words):
    path = tmp_path / "periods.csv"
    path.write_text(f"period,state,full_time\n{period},kontanthjaelp,1130\n", encoding="utf-8")
    [(where, message)] = _problems(path)
    assert where == "row 2, column A (period)" and words in message


def test_file_problems(tmp_path):
    assert _problems(tmp_path / "missing.csv") == [("", "no such file")]
    assert _problems(tmp_path) == [("", "is a directory, expected a data file (CSV or JSON)")]
    (tmp_path / "blank.csv").write_bytes(b"\xef\xbb\xbf\r\n\r\n")
    assert _problems(tmp_path / "blank.csv")[0][1].startswith("the file is empty")
    (tmp_path / "utf16-no-bom.csv").write_bytes("month,state,persons\n".encode("utf-16-le"))
    assert "UTF-16 without a byte-order mark" in _problems(tmp_path / "utf16-no-bom.csv")[0][1]


def test_a_named_pipe_or_a_device_is_refused_without_waiting(tmp_path):
    """A FIFO with no writer would block an ordinary open for ever; kikcalc opens data files as it opens scenarios."""
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    assert _problems(fifo) == [("", "is a named pipe (FIFO), expected a data file (CSV or JSON) (a regular file)")]
    assert _problems("/dev/zero") == [("", "is a device, expected a data file (CSV or JSON) (a regular file)")]
    loop = tmp_path / "loop.csv"
    loop.symlink_to(loop)
    assert "a loop of symbolic links" in _problems(loop)[0][1]


def test_several_json_tables_are_named_by_place(tmp_path):
    path = tmp_path / "two.json"
    path.write_text('[{"Variables": ["Periode", "Ydelsesgrupper", "Antal personer"], "Data": [["2020M01", "kontanthjaelp", 1130]]},'
                    ' {"Variables": ["Periode", "Ydelsesgrupper", "Antal personer"], "Data": [["2020M01", "kontanthjaelp", 1131]]}]',
                    encoding="utf-8")
    [(where, message)] = _problems(path)
    assert where == "[1].Data[0][2] (Antal personer)"
    assert message.startswith("kontanthjaelp persons 2020M01 is given twice: also at [0].Data[0][2] (Antal personer)")


# --- the corpus of bad data files -----------------------------------------------------------------------

# (file, where, words the same problem's message must hold). An empty where: a problem with the file itself.
CASES = [
    ("empty.csv", "", "the file is empty: expected a header row"),
    ("header-only.csv", "row 1", "no rows below the header: nothing to read"),
    ("no-measure.csv", "row 1, column C (value)", "persons (a headcount at a month's end or a date) or full-time persons"),
    ("wide-no-measure.csv", "row 1", "give --measure persons or --measure full_time"),
    ("unknown-state.csv", "row 3, column B (state)", 'no state "kontanthjalp" in the scenario; did you mean "kontanthjaelp"?'),
    ("capitalised-state-name.csv", "row 2, column B (Ydelsesgrupper)",
     'did you mean "sygedagpenge"? A name other than a state\'s own is read through a map: [observed] map = '
     '{ "Sygedagpenge" = "sygedagpenge" } in the scenario, or --map "Sygedagpenge=sygedagpenge"'),
    ("unmapped-benefit-group.csv", "row 3, column B (Ydelsesgrupper)",
     'no state "Ressourceforløb" in the scenario (its states: kontanthjaelp, sygedagpenge, selvforsorgende); map the name to one'),
    ("wide-unknown-state-column.csv", "row 1, column D (sygdagpenge)",
     'no state "sygdagpenge" in the scenario; did you mean "sygedagpenge"?'),
    ("duplicate.csv", "row 4, column C (persons)", "kontanthjaelp persons 2020-01 is given twice: also at row 2, column C (persons)"),
    ("two-names-one-state.csv", "row 3, column C (Antal personer)", "given twice: also at row 2, column C (Antal personer)"),
    ("outside-horizon.csv", "row 2, column A (month)", "2019-12 lies outside the horizon 2020-01 to 2021-12"),
    ("text-in-number.csv", "row 3, column C (persons)", 'expected a number of persons, got "ca. 1100"'),
    ("negative-number.csv", "row 2, column C (full_time)", "a negative number (-12.5); expected a number of persons of at least 0"),
    ("count-too-large.csv", "row 2, column C (persons)",
     "expected a number of persons between 0 and 10_000_000_000, got 1e+21"),
    ("comma-in-comma-file.csv", "row 2, column C (persons)", '"1,130" is ambiguous in a comma-separated file: 1130 (a thousands comma)'),
    ("point-in-semicolon-file.csv", "row 2, column C (full_time)", "a point separates thousands (1.130 is 1130)"),
    ("decimal-comma-unquoted.csv", "row 2", "4 cells, but the header (row 1) names 3 columns; a decimal comma in a comma-separated file?"),
    ("persons-over-a-quarter.csv", "row 2, column C (Antal personer)", "persons over a quarter (2020K1) is ambiguous"),
    ("year-in-month-column.csv", "row 2, column A (month)", "2021 is a year, in a column named month, which holds months"),
    ("danish-date.csv", "row 2, column A (date)", "a date as Excel shows it (day-month-year)? Write it as 2021-01-19"),
    ("two-areas.csv", "row 3, column A (Område)", 'a second area "Hele landet" (row 2 has "Aabenraa")'),
    ("unknown-measure.csv", "row 2, column C (measure)", 'unknown measure "personer i alt"; expected persons (Antal personer)'),
    ("misspelt-measure-column.csv", "row 1, column D (ful_time)", 'not a column kikcalc reads; did you mean "full_time"?'),
    ("no-period-column.csv", "row 1", "no period column: name one month, quarter, year, date or period (jobindsats: Periode)"),
    ("no-state.csv", "row 1", "no state: add a state column (state, or jobindsats' Ydelsesgrupper) or name a column per state"),
    ("discretionised-value.csv", "row 2, column C (Antal personer)", "a number jobindsats does not publish? Leave the cell empty"),
    ("all-cells-empty.csv", "", "no numbers in the file: every value cell is empty"),
    ("windows-1252.csv", "row 2, column B (state)", 'not UTF-8 text: byte 0xE6 (Windows-1252, Excel\'s plain "CSV"'),
    # Excel for Mac's "CSV (Macintosh)": Mac Roman (æ is the byte 0xBE) and lines ended by \r alone
    ("mac-csv-cr-line-ends.csv", "row 2, column B (state)", "not UTF-8 text: byte 0xBE"),
    ("workbook.xlsx", "", 'an Excel workbook, not a text file: save it as "CSV UTF-8"'),
    ("jobindsats-bad-shape.json", "[0]", 'expected the jobindsats API\'s JSON: [{"Variables": '),
    ("jobindsats-text-value.json", "Data[1][2] (Antal personer)", 'expected a number of persons, got "ca. 1100"'),
    ("invalid.json", "row 2, character 23", "not valid JSON: Expecting value"),
    ("nested-too-deep.json", "", "not readable as JSON: nested too deep"),
    # a scenario given as the data: by its name, and by its content whatever the name (it starts with "[", as JSON does)
    ("a-scenario.toml", "", "a scenario file (TOML), given where observed data was expected: --observed takes a CSV or"),
    ("a-scenario-saved-as.txt", "", "a scenario file (TOML), given where observed data was expected"),
    ("several-problems.csv", "row 2, column A (month)", "2019-12 lies outside the horizon"),
]

SEVERAL = {
    "several-problems.csv": [
        ("row 2, column A (month)", "2019-12 lies outside the horizon 2020-01 to 2021-12"),
        ("row 3, column B (state)", 'no state "kontanthjalp" in the scenario; did you mean "kontanthjaelp"?'),
        ("row 4, column C (persons)", "a negative number (-3)"),
        ("row 6, column C (persons)", "kontanthjaelp persons 2020-03 is given twice: also at row 5, column C (persons)"),
    ],
    "jobindsats-text-value.json": [
        ("Data[1][2] (Antal personer)", 'expected a number of persons, got "ca. 1100"'),
        ("Data[2]", 'expected a list of 3 values, one per variable, got ["2020M03", "Kontanthjælp"]'),
    ],
    "unmapped-benefit-group.csv": [
        ("row 3, column B (Ydelsesgrupper)", "(also row 4)"),
    ],
}


def test_every_bad_file_is_in_the_table():
    assert sorted(p.name for p in BAD.iterdir() if not p.name.startswith(".")) == sorted(name for name, _, _ in CASES)


@pytest.mark.parametrize(("name", "where", "words"), CASES, ids=[case[0] for case in CASES])
def test_a_bad_file_is_refused_naming_file_row_and_column(name, where, words):
    path = BAD / name
    with pytest.raises(ScenarioError) as error:
        read(path, SCENARIO)
    assert error.value.file == str(path)
    problems = [(p.path, p.message) for p in error.value.problems]
    assert any(p == where and words in m for p, m in problems), problems
    for path_, message in SEVERAL.get(name, []):
        assert any(p == path_ and message in m for p, m in problems), (path_, message, problems)
    if name not in SEVERAL and name not in ("two-areas.csv",):
        assert len(problems) == 1, problems  # one kind of problem, said once
    prefix = f"{path}: {where}: " if where else f"{path}: "
    assert any(line.startswith(prefix) and words in line for line in str(error.value).splitlines())


# --- the observed data shipped in scenarios/data ----------------------------------------------------------

DATA = SCENARIOS / "data"
HISTORY = build({  # a small scenario whose horizon covers the series no shipped scenario does
    "scenario": {"name": "Aabenraa 2004-2020", "start": "2004-01", "end": "2020-12"},
    "states": {"fleksjob": {"initial": 437, "inflow": 10, "cost": 115_152},
               "a_dagpenge": {"initial": 889, "inflow": 150, "cost": 138_236},
               "langtidsforsorgede": {"initial": 914, "cost": 120_000},
               "selvforsorgende": {"kind": "outside"}},
    "transitions": [{"from": "a_dagpenge", "to": "selvforsorgende", "probability": 0.17}],
}, "history.toml")


def _values(observations: Observations) -> list[tuple[str, str, str, float]]:
    return [(o.states[0], o.measure, o.period.label, o.value) for o in observations.items]


def test_the_kik2_status_is_read_against_the_kik2_scenario():
    path = DATA / "aabenraa-kik2-status-2021.csv"
    observations = read(path, load(SCENARIOS / "aabenraa-kik2.toml"))
    assert _values(observations) == [
        ("kontanthjaelp", "persons", "2018-06-01", 1130.0), ("kontanthjaelp", "persons", "2021-01-19", 724.0),
        ("kontanthjaelp", "passed_through", "2021-01-19", 2646.0),
        ("selvforsorgende", "persons", "2021-01-19", 1376.0), ("anden_ydelse", "persons", "2021-01-19", 556.0)]
    assert [o.period.boundary for o in observations.items] == [0, 32, 32, 32, 32]  # the start; the end of January 2021
    assert observations.items[3].value + observations.items[4].value == pytest.approx(0.73 * 2646, abs=1)


def test_the_data_only_series_are_read_against_a_scenario_that_covers_them():
    fleksjob = read(DATA / "aabenraa-fleksjob-2004-2020.csv", HISTORY, {"Fleksjob": "fleksjob"})
    assert _values(fleksjob) == [("fleksjob", "full_time", "2004", 437.0), ("fleksjob", "full_time", "2020", 1495.0)]
    a_dagpenge = read(DATA / "aabenraa-a-dagpenge-2020.csv", HISTORY, {"A-dagpenge": "a_dagpenge"})
    assert _values(a_dagpenge) == [("a_dagpenge", "persons", "2020-03-12", 889.0), ("a_dagpenge", "persons", "2020-08-06", 1115.0)]
    long_term = read(DATA / "aabenraa-long-term-supported-2013-2017.csv", HISTORY, {"Langtidsforsørgede": "langtidsforsorgede"})
    assert _values(long_term) == [("langtidsforsorgede", "persons", f"{year}M05", value)
                                  for year, value in zip(range(2013, 2018), (914.0, 878.0, 922.0, 879.0, 831.0), strict=True)]
    assert "UTF-8 with BOM" in fleksjob.read_report and "decimal comma, thousands point" in fleksjob.read_report


def test_ressourceforloeb_during_a_quarter_is_refused_not_guessed():
    path = DATA / "aabenraa-ressourceforloeb-2020.csv"
    problems = _problems_in(path, load(SCENARIOS / "aabenraa-kijos.toml"), {"Ressourceforløb": "ressourceforloeb"})
    assert [p for p, _ in problems] == ["row 6, column D (Antal personer)", "row 7, column D (Antal personer)"]
    assert problems[0][1].startswith("persons over a quarter (2020K1) is ambiguous")


def test_every_data_file_is_tested_and_cited():
    files = sorted(p.name for p in DATA.iterdir() if p.suffix in (".csv", ".json", ".txt"))
    assert files == ["aabenraa-a-dagpenge-2020.csv", "aabenraa-fleksjob-2004-2020.csv", "aabenraa-kik2-status-2021.csv",
                     "aabenraa-long-term-supported-2013-2017.csv", "aabenraa-ressourceforloeb-2020.csv"]
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    for name in files:
        assert f"`{name}`" in readme
        head = (DATA / name).read_text(encoding="utf-8-sig").splitlines()
        assert any(line.startswith("#") and "Source:" in line for line in head[:4]), name


def _problems_in(path: Path, scenario, mapping: dict[str, str]) -> list[tuple[str, str]]:
    with pytest.raises(ScenarioError) as error:
        read(path, scenario, mapping)
    return [(p.path, p.message) for p in error.value.problems]


def test_line_ends_quotes_and_digits(tmp_path):
    old_mac = tmp_path / "mac.csv"
    old_mac.write_bytes(b"month,state,persons\r2020-01,kontanthjaelp,1130\r2020-02,kontanthjaelp,1125\r")
    assert [(o.value, o.where.split(" ", 1)[1]) for o in read(old_mac, SCENARIO).items] == [
        (1130.0, "row 2, column C (persons)"), (1125.0, "row 3, column C (persons)")]
    open_quote = tmp_path / "quote.csv"
    open_quote.write_text('month,state,persons\n2020-01,kontanthjaelp,"1130\n2020-02,kontanthjaelp,1125\n', encoding="utf-8")
    [(where, message)] = _problems(open_quote)
    assert where == "row 2, column C (persons)" and 'got "1130 ..."; a quote (") left open here' in message
    digits = tmp_path / "digits.csv"
    digits.write_text("month,state,persons\n2020-01,kontanthjaelp,١٢٣\n２０２０-02,kontanthjaelp,1125\n", encoding="utf-8")
    problems = _problems(digits)
    assert [p for p, _ in problems] == ["row 2, column C (persons)", "row 3, column A (month)"]
    assert problems[1][1].startswith("'２０２０-02' is not a period")


@pytest.mark.parametrize(("area", "warned"), [("Hele landet", True), ("Aalborg", True), ("Aabenraa", False),
                                              ("Aabenraa Kommune", False), ("Åbenrå", False)])
def test_data_of_another_area_than_the_scenarios_municipality_is_warned_of(tmp_path, area, warned):
    """The area column is one area's, but was never compared with the scenario: jobindsats' 'Hele landet' (the whole
    country, a hundred times Aabenraa) was set against Aabenraa's model without a word. The command line now warns."""
    from click.testing import CliRunner

    from kikcalc.cli import main

    source = (DATA / "aabenraa-long-term-supported-2013-2017.csv").read_text(encoding="utf-8-sig")
    path = tmp_path / "counts.csv"
    path.write_text(source.replace("\nAabenraa;", f"\n{area};"), encoding="utf-8")
    scenario = SCENARIOS / "aabenraa-long-term-supported.toml"
    report = read(path, load(scenario)).read_report
    assert (f'the data are of the area "{area}", the scenario of the municipality "Aabenraa"' in report) == warned
    result = CliRunner().invoke(main, ["calibrate", str(scenario), "--observed", str(path), "--fit", "states.langtidsforsorgede.inflow"])
    assert result.exit_code == 0
    assert any(line.startswith(f"warning: {path}: the data are of the area") for line in result.stderr.splitlines()) == warned


def test_rows_outside_the_horizon_are_one_problem_with_the_rows_named(tmp_path):
    """A jobindsats export of more years than the scenario's horizon was one line per row of the same message (29
    for 2016 to May 2018 against KIK II); it is one problem at the first row, naming how many more and which."""
    lines = ["Område;Periode;Ydelsesgrupper;Antal personer"]
    lines += [f"Aabenraa;{year}M{month:02d};kontanthjaelp;1.100" for year in (2017, 2018) for month in range(1, 13)]
    path = tmp_path / "export.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as error:
        read(path, load(SCENARIOS / "aabenraa-kik2-plan.toml"))  # from 2018-06: 2017M01 to 2018M05 lie outside
    (problem,) = error.value.problems
    assert problem.path == "row 2, column B (Periode)"
    assert problem.message.startswith("2017M01 lies outside the horizon 2018-06 to 2024-12; so do 16 more rows (also row 3, ")
    assert problem.message.endswith("keep only the rows within the horizon, or widen it (scenario.start, scenario.end)")


@pytest.mark.parametrize(("cell", "words"), [
    ("1 130", 'got "1 130"; a space between thousands? Write it without: 1130'),
    ("1\u00a0130,5", "a space between thousands? Write it without: 1130,5"),  # a no-break space, as some Excels write
    ("1.130 kr.", "an amount in kroner? The numbers are persons: write the number alone"),
    ("'1130", "write the number alone, with its digits only: 1130"),
    ("+1130", "write the number alone, with its digits only: 1130"),
    ("1,130.5", "written the English way (a comma between thousands, a decimal point); in this file a point separates "
                "thousands and a comma is the decimal sign: write 1.130,5"),
])
def test_a_number_as_a_spreadsheet_may_show_it_gets_a_hint(tmp_path, cell, words):
    path = tmp_path / "numbers.csv"
    path.write_text(f"måned;kontanthjaelp\n2020-03;{cell}\n", encoding="utf-8")
    [(where, message)] = _problems(path, measure="persons")
    assert where == "row 2, column B (kontanthjaelp)" and words in message


@pytest.mark.parametrize(("separator", "written", "value", "warned"), [
    (",", "1.130", 1.13, True), (",", "980", 980.0, False), (",", "12.5", 12.5, False), (";", "1.130", 1130.0, False)])
def test_a_count_written_with_a_thousands_point_in_a_comma_file_is_read_as_written_and_warned_of(
        tmp_path, separator, written, value, warned):
    """In a comma-separated file a point is the decimal sign (documented), so 1.130 is 1.13 persons, which a count
    seldom means: read as written, and a warning says how to write 1130. A Danish (;) file reads it as 1130."""
    path = tmp_path / "counts.csv"
    cells = ["month", "state", "measure", "value"], ["2019-06", "kontanthjaelp", "persons", written]
    path.write_text("\n".join(separator.join(row) for row in cells) + "\n", encoding="utf-8")
    observations = read(path, load(SCENARIOS / "aabenraa-kik2.toml"))
    assert [o.value for o in observations.items] == [value]
    said = [line.strip() for line in observations.read_report.splitlines() if "read as 1.13 persons" in line]
    assert said == ([f'warning: {path}: "1.130" (row 2, column D (value)) read as 1.13 persons: in a comma-separated '
                     f"file a point is the decimal sign; if it means 1130 persons, write it without the point (or save "
                     f"the file from Danish Excel, with ; between columns)"] if warned else [])
