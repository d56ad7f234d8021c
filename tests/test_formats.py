"""kikcalc.formats: one module per format, found by the registry; the workbook a budget officer accepts;
--locale da in tables and Markdown.

The numbers come from tests/data/two-states.toml, where they are known by hand: 1234.5 persons in kh
at 120,000 kr. and 100 in sd at 60,000 kr. a full-year person, nobody leaves, 2020-01 to 2021-12.
"""

from __future__ import annotations

import datetime
import hashlib
import itertools
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

import kikcalc
from conftest import ROOT, RUN_TIME_EPOCH, SCENARIOS
from kikcalc import formats, output, report
from kikcalc.cli import main
from kikcalc.formats import xlsx

TWO = ROOT / "tests" / "data" / "two-states.toml"


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


# --- the registry ---------------------------------------------------------------------------------

def test_every_format_module_is_registered_by_name_and_suffix():
    modules = sorted(p.stem for p in Path(formats.__file__).parent.glob("*.py") if not p.stem.startswith("_"))
    assert sorted(m.__name__.rsplit(".", 1)[1] for m in formats.REGISTRY.values()) == modules
    assert formats.names() == ("table", "markdown", "csv", "csv-da", "json", "xlsx") == report.FORMATS
    assert output.SUFFIX_FORMATS == {".csv": "csv", ".json": "json", ".md": "markdown", ".txt": "table", ".xlsx": "xlsx"}
    assert report.CSV_FORMATS == ("csv", "csv-da")
    for module in formats.REGISTRY.values():
        assert all(callable(getattr(module, f)) for f in ("run", "compare", "targets", "stamp")), module.__name__


def test_an_unknown_format_is_a_usage_error():
    with pytest.raises(kikcalc.errors.UsageError, match=r"no such format \(there are table, markdown"):
        formats.get("html5")


# --- the workbook ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def book(tmp_path_factory):
    out = tmp_path_factory.mktemp("xlsx") / "two.xlsx"
    with pytest.MonkeyPatch.context() as patch:  # the module's workbook at the tests' run time (conftest.py)
        patch.setenv("SOURCE_DATE_EPOCH", RUN_TIME_EPOCH)
        assert invoke("run", str(TWO), "--output", str(out)).exit_code == 0
    return openpyxl.load_workbook(out)


def _row(sheet, **match) -> dict:
    """The first row of a sheet whose cells match, as {header: cell}."""
    headers = [c.value for c in sheet[1]]
    for cells in sheet.iter_rows(min_row=2):
        row = dict(zip(headers, cells, strict=True))
        if all(row[k].value == v for k, v in match.items()):
            return row
    raise AssertionError(f"no row {match} in {sheet.title}")


def test_the_workbook_has_its_tables_assumptions_and_provenance(book):
    assert book.sheetnames == ["yearly", "money", "summary", "targets", "assumptions", "notes", "provenance"]


def test_numbers_stay_numbers_with_formats_by_unit(book):
    kh = _row(book["yearly"], strategy="baseline", year=2020, state="kh")
    assert kh["full_year_persons"].value == pytest.approx(1234.5) and kh["full_year_persons"].number_format == xlsx.PERSONS
    assert kh["benefit_cost_net"].value == pytest.approx(1234.5 * 120_000)  # 148,140,000 kr.
    assert kh["benefit_cost_net"].number_format == xlsx.KRONER == "#,##0"
    assert kh["year"].number_format == "General"  # a year, not 2,020
    money = _row(book["money"], strategy="invest", year=2020)
    assert money["investment"].value == 1_200_000 and money["investment"].number_format == "#,##0"
    missed = _row(book["targets"], name="all-2021", strategy="invest")
    assert missed["value"].value == pytest.approx(1334.5) and missed["value"].number_format == "#,##0.0"
    assert missed["margin"].value == pytest.approx(-34.5) and missed["margin"].number_format == "#,##0.0"
    summary = _row(book["summary"], strategy="invest")
    assert summary["return_per_krone"].number_format == xlsx.RATIO


def test_a_workbook_is_the_same_bytes_at_the_same_run_time(tmp_path, monkeypatch):
    # SOURCE_DATE_EPOCH (conftest.py) sets the run's time: the workbook's own dates follow it, not the clock.
    def written(folder: str) -> bytes:
        (tmp_path / folder).mkdir()
        monkeypatch.chdir(tmp_path / folder)  # the same command line in two folders
        for command in ("compare", "sensitivity"):
            extra = ("--draws", "20") if command == "sensitivity" else ()
            assert invoke(command, str(SCENARIOS / "aabenraa-kik2.toml"), *extra, "--output", f"{command}.xlsx").exit_code == 0
        return b"".join((tmp_path / folder / f"{command}.xlsx").read_bytes() for command in ("compare", "sensitivity"))

    first = written("a")
    import time
    time.sleep(2.1)  # a zip entry's date is to two seconds
    assert written("b") == first
    properties = openpyxl.load_workbook(tmp_path / "a" / "compare.xlsx").properties
    epoch = datetime.datetime.fromtimestamp(int(RUN_TIME_EPOCH), datetime.UTC).replace(tzinfo=None)
    assert properties.created == properties.modified == epoch
    with zipfile.ZipFile(tmp_path / "a" / "sensitivity.xlsx") as archive:
        assert {info.date_time for info in archive.infolist()} == {epoch.timetuple()[:6]}


def test_header_rows_and_label_columns_are_frozen(book):
    assert book["yearly"].freeze_panes == "B2"  # strategy; the year is a number
    assert book["summary"].freeze_panes == "C2"  # strategy, label
    assert book["targets"].freeze_panes == "D2"  # name, label, strategy
    assert all(cell.font.bold for cell in book["targets"][1])


def test_columns_are_as_wide_as_their_widest_cell(book):
    sheet = book["targets"]
    label = next(c.column_letter for c in sheet[1] if c.value == "label")
    assert sheet.column_dimensions[label].width == len("At most 1300 full-year persons on benefit in 2021") + 2
    yearly = book["yearly"]
    cost = next(c.column_letter for c in yearly[1] if c.value == "benefit_cost_net")
    assert yearly.column_dimensions[cost].width == len("benefit_cost_net") + 2 > len("154,140,000")


def test_the_assumptions_sheet_lists_every_input_number_with_its_comment(book):
    sheet = book["assumptions"]
    assert [c.value for c in sheet[1]] == ["key path", "value", "unit", "comment or source"]
    paths = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert paths == list(kikcalc.keypaths.numbers(kikcalc.load(TWO).raw))
    initial = _row(sheet, **{"key path": "states.kh.initial"})
    assert initial["value"].value == 1234.5 and initial["unit"].value == "persons"
    assert initial["comment or source"].value == "persons, constant: no inflow, no exits"
    invest = _row(sheet, **{"key path": "strategies.invest.investment.2020"})
    assert invest["value"].value == 1_200_000 and invest["unit"].value == "kr."
    assert invest["comment or source"].value == "source: a made-up case"  # the comment of the table that holds it
    assert _row(sheet, **{"key path": "states.sd.initial"})["comment or source"].value in ("", None)  # no comment: none invented


def test_the_provenance_sheet(book):
    rows = {row[0].value: row[1].value for row in book["provenance"].iter_rows(min_row=2)}
    assert rows["kikcalc version"] == kikcalc.__version__
    assert rows["file 1"] == f"{TWO} (SHA-256 {hashlib.sha256(TWO.read_bytes()).hexdigest()})"
    assert rows["time"] == "2026-01-01T00:00:00Z" and rows["command"].startswith("kikcalc run ")


def test_a_value_set_is_marked_in_the_assumptions(tmp_path):
    out = tmp_path / "set.xlsx"
    assert invoke("compare", str(TWO), "--set", "states.sd.initial=80", "--output", str(out)).exit_code == 0
    sheet = openpyxl.load_workbook(out)["assumptions"]
    row = _row(sheet, **{"key path": "states.sd.initial"})
    assert row["value"].value == 80 and row["comment or source"].value == "set with --set (file: 100)"
    comparison = _row(openpyxl.load_workbook(out)["comparison"], line="Kr. saved per kr. invested")
    assert comparison["total"].number_format == xlsx.RATIO


def test_shares_are_percentages(tmp_path):
    out = tmp_path / "psa.xlsx"
    assert invoke("sensitivity", str(SCENARIOS / "aabenraa-kik2.toml"), "--draws", "10", "--output", str(out)).exit_code == 0
    book = openpyxl.load_workbook(out)
    row = _row(book["sensitivity"], measure="P(NPV > 0)")
    assert 0 <= row["probability"].value <= 1 and row["probability"].number_format == xlsx.PERCENT == "0.0%"
    npv = _row(book["sensitivity"], measure="NPV of the net saving")
    assert npv["mean"].number_format == "#,##0"
    assert book.sheetnames[-1] == "provenance"


def test_danish_workbook_headings(tmp_path):
    out = tmp_path / "da.xlsx"
    assert invoke("targets", str(TWO), "--locale", "da", "--output", str(out)).exit_code == 0
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["targets", "forudsætninger", "oprindelse"]
    assert [c.value for c in book["forudsætninger"][1]] == ["nøglesti", "værdi", "enhed", "kommentar eller kilde"]


def test_danish_workbook_notes_sheet_is_danish_as_the_other_own_sheets(tmp_path):
    out = tmp_path / "da.xlsx"
    assert invoke("compare", str(SCENARIOS / "aabenraa-kik2.toml"), "--locale", "da", "--output", str(out)).exit_code == 0
    book = openpyxl.load_workbook(out)
    assert book.sheetnames[-3:] == ["forudsætninger", "noter", "oprindelse"]  # "notes" amid Danish sheets before
    assert book["noter"]["A1"].value == "noter" and book["noter"]["A2"].value.startswith("KIK II, Aabenraa: ")


# --- --locale ---------------------------------------------------------------------------------------

def test_danish_numbers_months_and_words_in_tables_and_markdown():
    for fmt in ("table", "markdown"):
        danish = invoke("run", str(TWO), "--locale", "da", "--format", fmt).stdout
        # 1234.5 persons; 1234.5 x 120,000 + 100 x 60,000 = 154,140,000 kr. a year; 3.5 % a year.
        assert "1.234,5" in danish and "154.140.000" in danish and "308.280.000" in danish
        assert "januar 2020 til december 2021 (24 måneder), diskonteringsrente 3,5 %" in danish
        assert "mio. kr." in danish and "1,234.5" not in danish
        default = invoke("run", str(TWO), "--format", fmt).stdout
        assert "1,234.5" in default and "154,140,000" in default and "2020-01 to 2021-12 (24 months), discount rate 3.5%" in default


def test_danish_targets_and_comparison():
    targets = invoke("targets", str(TWO), "--locale", "da").stdout
    line = next(line for line in targets.splitlines() if line.startswith("all-2021") and "invest" in line)
    assert "1.334,5" in line and "<= 1.300,0" in line and "IKKE OPFYLDT" in line and "-34,5" in line
    compare = invoke("compare", str(SCENARIOS / "aabenraa-kik2.toml"), "--locale", "da").stdout
    payback = next(line for line in compare.splitlines() if line.startswith("Tjent hjem (måned)"))
    english = next(line for line in invoke("compare", str(SCENARIOS / "aabenraa-kik2.toml")).stdout.splitlines()
                   if line.startswith("Payback month"))
    year, month = english.split()[-1].split("-")
    assert payback.split()[-2:] == [kikcalc.locale.month_name(int(month), "da"), year]


def test_csv_and_json_carry_plain_numbers_whatever_the_locale():
    for fmt in ("csv", "csv-da", "json"):
        plain = invoke("run", str(TWO), "--format", fmt).stdout
        danish = invoke("run", str(TWO), "--format", fmt, "--locale", "da").stdout
        assert danish.replace(" --locale da", "") == plain


def test_an_unknown_locale_is_bad_input():
    result = invoke("run", str(TWO), "--locale", "fr")
    assert result.exit_code == 2 and "'fr' is not one of 'en', 'da'" in result.stderr


def test_danish_sensitivity_tables():
    args = ["sensitivity", str(SCENARIOS / "aabenraa-kik2.toml"), "--draws", "20"]
    english = invoke(*args).stdout.splitlines()
    danish = invoke(*args, "--locale", "da").stdout.splitlines()
    payback, npv_label = (kikcalc.locale.phrase(text, "da") for text in ("Payback month", "NPV of the net saving, kr."))
    months = next(line for line in english if line.startswith("Payback month")).split()[2:]
    danish_months = next(line for line in danish if line.startswith(payback)).removeprefix(payback).split()
    assert danish_months == [w for m in months for w in (kikcalc.locale.month_name(int(m[5:]), "da"), m[:4])]
    npv = next(line for line in english if line.startswith("NPV")).split()[-1]  # 143,521,978: the same number
    assert next(line for line in danish if line.startswith(npv_label)).split()[-1] == npv.replace(",", ".")


def test_the_entry_points_other_modules_call_keep_their_signatures():
    result = kikcalc.run(TWO)
    names = result.scenario.strategy_names
    assert report.run_document(result, "table", names, False).startswith("TWO STATES\n")
    assert report.run_document(result, "csv", names, False, True).startswith("strategy,year,benefit_cost_gross,")
    assert '"comparison"' in report.compare_document([result], "json")
    assert report.targets_document([result], "csv", None).startswith("scenario,file,name,")
    assert report.run_json(result)["strategies"][1]["investment"] == 1_200_000
    assert report.workbook({"table": result.summary}, notes=["a note"])[:2] == b"PK"  # a zip: an xlsx
    assert report.set_notes(result) == [] and report.comparison_frame([result]).shape[0] > 0


# --- Markdown shows a file's text as written ---------------------------------------------------------

NAME = "<script>alert(1)</script> | pipe"
SOURCE = "<img src=x onerror=alert(2)>"
LABEL = "In|vest & <b>more</b>"


def _marked_up(tmp_path) -> str:
    """two-states.toml with markup and a | in its name, source, a state's label and a strategy's label."""
    text = TWO.read_text(encoding="utf-8").replace('name = "Two states"', f'name = "{NAME}"\nsource = "{SOURCE}"')
    text = text.replace('label = "Invest"', f'label = "{LABEL}"').replace("[states.kh]", '[states.kh]\nlabel = "k|h"')
    path = tmp_path / "marked-up.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def _tables(markdown: str) -> list[list[str]]:
    """The Markdown tables of a document, each a list of its lines."""
    found: list[list[str]] = []
    previous = ""
    for line in markdown.splitlines():
        if line.startswith("|"):
            if not previous.startswith("|"):
                found.append([])
            found[-1].append(line)
        previous = line
    return found


@pytest.mark.parametrize("command", ["run", "compare", "targets"])
def test_markdown_escapes_a_files_pipes_and_markup(tmp_path, command):
    import html
    import re

    out = invoke(command, _marked_up(tmp_path), "--format", "markdown").stdout
    tables = _tables(out)
    assert tables
    for table in tables:  # a | of the file's is escaped: every row has its header's columns
        columns = {len(re.findall(r"(?<!\\)\|", line)) for line in table}
        assert len(columns) == 1, table
    assert "<script" not in out and "<img" not in out and "<b>" not in out
    assert "&lt;script>alert(1)&lt;/script> | pipe" in out
    if command != "targets":  # the header: the name as the title, and the source; shown as written once rendered
        lines = out.splitlines()
        assert html.unescape(next(line for line in lines if line.startswith("# "))) == f"# {NAME}"
        assert html.unescape(next(line for line in lines if line.startswith("Source: "))) == f"Source: {SOURCE}"
    if command == "compare":
        assert "| - In\\|vest & &lt;b>more&lt;/b> " in out and "| Full-year persons: k\\|h " in out


def test_a_text_table_shows_the_files_text_unescaped(tmp_path):
    out = invoke("compare", _marked_up(tmp_path)).stdout
    assert NAME.upper() in out and f"Source: {SOURCE}" in out and f"- {LABEL}" in out


@pytest.mark.parametrize(("text", "shown"), [
    ("under 800: < 800.0, <= 853.0, P(NPV > 0) & more", "under 800: < 800.0, <= 853.0, P(NPV > 0) & more"),
    ("<script>alert(1)</script> <!-- x --> <https://a.dk>", "&lt;script>alert(1)&lt;/script> &lt;!-- x --> &lt;https://a.dk>"),
    ("&amp; &#60; &copy;", "&amp;amp; &amp;#60; &amp;copy;"),
    ("> a quote", "&gt; a quote"),
    ("[klik](javascript:alert(1)) ![px](https://e.dk/q.png)", "[klik\\](javascript:alert(1)) ![px\\](https://e.dk/q.png)"),
    ("a\\b C:\\data transitions[0].probability", "a\\\\b C:\\\\data transitions[0].probability"),
])
def test_markdown_writes_as_entities_only_what_would_be_markup(text, shown):
    from kikcalc.formats import _text

    assert _text.line(text, "markdown") == shown
    assert _text.cell(text + "|x\ny", "markdown") == shown + "\\|x<br>y"
    assert _text.line(text, "table") == text  # a text table shows it as it is
    assert _text.cell("a\\|b", "markdown") == "a\\\\\\|b"  # a label's own \| keeps its backslash once rendered


@pytest.mark.parametrize("args", [
    ["run", str(SCENARIOS / "aabenraa-kik2.toml")],
    ["compare", str(SCENARIOS / "aabenraa-kik2.toml")],
    ["targets", str(SCENARIOS / "aabenraa-kik2.toml")],
    ["sensitivity", str(SCENARIOS / "aabenraa-kik2.toml"), "--draws", "20", "--seed", "1"],
    ["tornado", str(SCENARIOS / "aabenraa-kik2.toml")],
    ["diff", str(SCENARIOS / "aabenraa-kik2.toml"), str(SCENARIOS / "aabenraa-kik2-plan.toml")],
], ids=lambda args: args[0])
def test_markdown_keeps_each_line_of_text_a_paragraph_of_its_own(args):
    # Two lines of text that follow each other run together into one paragraph in Markdown: the header lines, notes
    # and footnotes each stand apart (a blank line between), and a table's rows stay together.
    out = invoke(*args, "--format", "markdown").stdout
    lines = out.splitlines()
    assert any(line.startswith("Provenance: ") for line in lines)
    for before, after in itertools.pairwise(lines):
        if before and after:
            assert before.startswith("|") and after.startswith("|"), (before, after)
    table = invoke(*args).stdout  # the text table keeps its lines together
    assert any(a and b and not a.startswith(("|", "-")) and not b.startswith("-")
               for a, b in itertools.pairwise(table.splitlines()))


def test_markdown_paragraphs_leave_a_code_fence_and_a_table_as_they_are():
    from kikcalc.formats import _text

    document = "# T\nline one\nline two\n| a |\n|---|\n| 1 |\n```\ncode\nmore\n```\nend"
    assert _text.paragraphs(document) == ("# T\n\nline one\n\nline two\n\n| a |\n|---|\n| 1 |\n\n```\ncode\nmore\n```\n\nend")


def test_json_cleans_nan_and_numpy_numbers_and_copies_no_record_that_needs_no_change():
    import numpy as np

    from kikcalc.formats import json as json_format

    clean = [{"a": 1.5, "b": "x"}, {"a": None, "b": "y"}]
    assert json_format._clean(clean) is clean and json_format._clean(clean[0]) is clean[0]
    dirty = {"rows": [{"a": float("nan"), "b": np.float64(2.5), "c": np.int64(3)}], "kept": clean}
    cleaned = json_format._clean(dirty)
    assert cleaned == {"rows": [{"a": None, "b": 2.5, "c": 3}], "kept": clean} and cleaned["kept"] is clean
    assert type(cleaned["rows"][0]["b"]) is float and type(cleaned["rows"][0]["c"]) is int
    assert dirty["rows"][0]["b"] == np.float64(2.5)  # the input is left as it was


def test_json_writes_long_lists_of_records_one_by_one_as_the_same_text(monkeypatch):
    import json

    import numpy as np

    from kikcalc.formats import json as json_format

    document = {"a": [{"x": i, "y": float("nan") if i % 3 == 0 else i / 7, "s": 'æø"\\\n\u0000'} for i in range(30)],
                "b": {"c": [{"k": [1, 2, {"z": None}], "e": {}} for _ in range(12)], "d": [1, 2, 3]},
                "e": [], "f": [{"q": 1}], "g": {"h": [{"r": np.float64(1.5)} for _ in range(10)]}}
    whole = json_format.dumps(document)  # no list is long enough: Python's encoder writes it all
    monkeypatch.setattr(json_format, "LONG_LIST", 10)
    assert json_format.dumps(document) == whole
    assert json.loads(whole)["a"][0] == {"x": 0, "y": None, "s": 'æø"\\\n\u0000'}


def test_the_source_and_base_case_lines_are_danish_with_locale_da():
    kik2 = str(SCENARIOS / "aabenraa-kik2.toml")
    danish = invoke("compare", kik2, "--locale", "da", "-q").stdout
    source = kikcalc.load(kik2).source
    assert f"Kilde: {source}" in danish and "Source:" not in danish  # the header lines stood in English
    assert "Basisberegning: hvert tal som filen skriver det; 5 af dem har en fordeling i [uncertainty]" in danish
    english = invoke("compare", kik2, "-q").stdout
    assert f"Source: {source}" in english and "Base case: every number as the file writes it; 5 of them" in english
