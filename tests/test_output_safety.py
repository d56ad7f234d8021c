"""Output safety and exit codes through the command line (issue 11): the format of an output, what kikcalc
refuses to write over, write errors, formulas in spreadsheets, Danish CSV, and how a command ends."""

from __future__ import annotations

import errno
import io
import os
import stat
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import kikcalc
from conftest import ROOT, SCENARIOS, without_command
from kikcalc.cli import main

KIK2 = str(SCENARIOS / "aabenraa-kik2.toml")
KIJOS = str(SCENARIOS / "aabenraa-kijos.toml")


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def _no_traceback(result) -> None:
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def _leftovers(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def _kikcalc(*args: str, **popen) -> subprocess.Popen:
    """kikcalc in a process of its own, from this checkout, for what needs real file descriptors."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "kikcalc.cli", *args], env=env, stderr=subprocess.PIPE, **popen)


# --- 1. the format comes from --format or a known suffix ---------------------------------------------


@pytest.mark.parametrize("name", ["out.xls", "x.csv-da", "result", "report.docx"])
def test_an_output_whose_suffix_names_no_format_is_refused(tmp_path, name):
    out = tmp_path / name
    result = invoke("run", KIK2, "--output", str(out))
    _no_traceback(result)
    assert result.exit_code == 2
    message = result.stderr.strip()
    assert message.startswith(f"kikcalc: --output {out}: ") and "\n" not in message
    assert ".csv, .json, .md, .txt, .xlsx" in message and "--format" in message
    assert not out.exists()


def test_csv_da_as_a_suffix_is_shown_the_way_to_ask_for_it(tmp_path):
    result = invoke("run", KIK2, "--output", str(tmp_path / "x.csv-da"))
    assert "for Danish Excel: --format csv-da --output x.csv" in result.stderr


def test_an_unknown_suffix_is_refused_before_the_scenario_is_run(tmp_path, monkeypatch):
    def must_not_run(*args, **kwargs):
        raise AssertionError("the scenario was run")

    monkeypatch.setattr(kikcalc, "run", must_not_run)
    result = invoke("run", KIK2, "--output", str(tmp_path / "out.xls"))
    assert result.exit_code == 2 and "names no format" in result.stderr


def test_format_makes_any_suffix_but_toml_an_output(tmp_path):
    out = tmp_path / "out.xls"
    result = invoke("compare", KIK2, "--format", "csv", "--output", str(out))
    assert result.exit_code == 0
    assert list(pd.read_csv(out).columns[:3]) == ["scenario", "file", "line"]


@pytest.mark.parametrize("extra", [[], ["--format", "csv"]])
def test_a_toml_output_is_refused_in_any_format(tmp_path, extra):
    out = tmp_path / "other.toml"
    out.write_text('[scenario]\nname = "mine"\n', encoding="utf-8")
    result = invoke("run", KIK2, *extra, "--output", str(out))
    _no_traceback(result)
    assert result.exit_code == 2 and "a .toml file is a scenario" in result.stderr
    assert out.read_text(encoding="utf-8") == '[scenario]\nname = "mine"\n'


@pytest.mark.parametrize(("fmt", "name", "fits"), [("xlsx", "a.csv", "a.xlsx"), ("csv", "a.xlsx", "a.csv"),
                                                   ("json", "a.csv", "a.json"), ("table", "a.md", "a.txt")])
def test_a_format_the_suffix_contradicts_is_refused_before_the_run(tmp_path, fmt, name, fits):
    """A workbook named .csv, CSV text named .xlsx: each would fail in the program its name opens it with."""
    result = invoke("run", KIK2, "--format", fmt, "--output", str(tmp_path / name))
    assert result.exit_code == 2 and f"and --format says {fmt}" in result.stderr and f"name it {fits}" in result.stderr
    assert not (tmp_path / name).exists()


def test_csv_da_is_a_csv_file_all_the_same(tmp_path):
    result = invoke("run", KIK2, "--format", "csv-da", "--output", str(tmp_path / "kik2.csv"))
    assert result.exit_code == 0 and (tmp_path / "kik2.csv").read_bytes().startswith(b"\xef\xbb\xbf")


@pytest.mark.parametrize("suffix, fmt", [(".csv", "csv"), (".CSV", "csv"), (".json", "json"), (".md", "markdown"), (".txt", "table")])
def test_a_known_suffix_chooses_the_format(tmp_path, suffix, fmt):
    out = tmp_path / f"kik2{suffix}"
    assert invoke("targets", KIK2, "--output", str(out)).exit_code == 0
    assert without_command(out.read_text(encoding="utf-8")) == without_command(invoke("targets", KIK2, "--format", fmt).stdout)


# --- 1. only regular files are written --------------------------------------------------------------


def test_dev_null_is_refused_with_the_way_to_discard_output():
    result = invoke("run", KIK2, "--format", "csv", "--output", os.devnull)
    _no_traceback(result)
    assert result.exit_code == 2
    assert "is a character device; kikcalc writes only regular files: leave out --output to print to the terminal" in result.stderr
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)
    # --keep-draws prints nothing to the terminal in its place: no such advice.
    kept = invoke("sensitivity", KIK2, "--draws", "10", "--keep-draws", os.devnull)
    assert kept.exit_code == 2
    assert ("--keep-draws /dev/null: is a character device; kikcalc writes only regular files: give --keep-draws a file, "
            "or leave it out") in kept.stderr


def test_a_named_pipe_is_refused_without_opening_it(tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    result = invoke("run", KIK2, "--output", str(fifo))  # opening it would wait for a reader for ever
    assert result.exit_code == 2 and "is a named pipe" in result.stderr
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert _leftovers(tmp_path) == []


def test_a_directory_is_refused(tmp_path):
    folder = tmp_path / "out.csv"
    folder.mkdir()
    result = invoke("run", KIK2, "--output", str(folder))
    assert result.exit_code == 2 and "is a directory" in result.stderr
    assert folder.is_dir() and list(folder.iterdir()) == []



@pytest.mark.parametrize("args", [["run", KIK2], ["run", KIK2, "-f", "json"], ["snapshot", KIK2], ["compare", KIK2, KIJOS],
                                  ["plot", KIK2], ["report", KIK2]])
@pytest.mark.parametrize("name", ["-", "out.json/", "out.png/", "out.html/"])
def test_a_dash_or_a_name_ending_in_a_slash_is_refused_by_every_command(args, name, tmp_path, monkeypatch):
    """'-' is no terminal to kikcalc (it would be a file named -), and 'x.json/' names a folder (it wrote x.json):
    check_output refuses both, with its own words, before the run and with nothing written."""
    from kikcalc.errors import UsageError
    from kikcalc.output import check_output

    monkeypatch.chdir(tmp_path)
    with pytest.raises(UsageError) as refusal:
        check_output(name)
    result = invoke(*args, "--output", name)
    _no_traceback(result)
    assert result.exit_code == 2
    assert str(refusal.value) in result.stderr
    assert list(tmp_path.iterdir()) == []

def test_a_symbolic_link_is_followed_and_kept(tmp_path):
    real = tmp_path / "real.csv"
    real.write_text("old\n", encoding="utf-8")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    assert invoke("targets", KIK2, "--output", str(link)).exit_code == 0
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text(encoding="utf-8") == invoke("targets", KIK2, "--format", "csv").stdout


def test_dev_stdout_appended_to_a_file_keeps_what_the_file_held(tmp_path):
    """-o /dev/stdout >> log.txt appends, as >> asks: the stream is written to, never a new file put in its place."""
    out = tmp_path / "log.txt"
    out.write_text("earlier log\n", encoding="utf-8")
    with open(out, "ab") as stream:
        process = _kikcalc("targets", KIK2, "--format", "csv", "--output", "/dev/stdout", stdout=stream)
        _, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stderr
    assert out.read_text(encoding="utf-8") == "earlier log\n" + invoke("targets", KIK2, "--format", "csv").stdout
    assert os.path.islink("/dev/stdout")


@pytest.mark.parametrize("path", ["/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"])
def test_a_standard_stream_on_a_pipe_is_written_as_the_stream(path):
    process = _kikcalc("targets", KIK2, "--format", "csv", "--output", path, stdout=subprocess.PIPE)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stderr
    assert stdout.decode("utf-8") == invoke("targets", KIK2, "--format", "csv").stdout


@pytest.mark.parametrize("fmt", ["table", "csv-da", "json"])
def test_redirected_output_is_utf8_whatever_the_code_page(tmp_path, fmt):
    """Windows gives redirected standard output its code page (cp1252: no ≥, no byte order mark): the document is
    UTF-8 all the same, the bytes --output writes; a line on standard output shows ? for what it cannot encode."""
    source = Path(KIK2).read_text(encoding="utf-8").replace('name = "KIK II, Aabenraa"', 'name = "KIK II ≥ 30 år"', 1)
    scenario = tmp_path / "kik2-label.toml"
    scenario.write_text(source, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "cp1252", "SOURCE_DATE_EPOCH": "1767225600"}
    ran = subprocess.run([sys.executable, "-m", "kikcalc.cli", "compare", str(scenario), "--format", fmt], env=env,
                         capture_output=True, timeout=120)
    assert ran.returncode == 0, ran.stderr
    written = tmp_path / "out"
    subprocess.run([sys.executable, "-m", "kikcalc.cli", "compare", str(scenario), "--format", fmt, "-o", str(written)],
                   env=env, capture_output=True, timeout=120, check=True)
    assert "KIK II ≥ 30 år" in ran.stdout.decode("utf-8") or "KIK II ≥ 30 ÅR" in ran.stdout.decode("utf-8")
    assert without_command(ran.stdout.decode("utf-8")) == without_command(written.read_text(encoding="utf-8"))
    listed = subprocess.run([sys.executable, "-m", "kikcalc.cli", "validate", str(scenario)], env=env,
                            capture_output=True, timeout=120)
    assert listed.returncode == 0 and listed.stdout.startswith(b"ok: ")


@pytest.mark.skipif(sys.platform == "win32", reason="a pseudo-terminal is POSIX's")
def test_on_a_cp1252_terminal_csv_da_shows_no_byte_order_mark_and_question_marks_for_the_rest(tmp_path):
    """The byte order mark tells Excel a file's encoding; a terminal without it showed a ? before the first column."""
    import pty

    source = Path(KIK2).read_text(encoding="utf-8").replace('name = "KIK II, Aabenraa"', 'name = "KIK II ≥ 30 år"', 1)
    scenario = tmp_path / "kik2-label.toml"
    scenario.write_text(source, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "cp1252"}
    main_end, terminal = pty.openpty()
    ran = subprocess.Popen([sys.executable, "-m", "kikcalc.cli", "targets", str(scenario), "--format", "csv-da", "-q"],
                           env=env, stdout=terminal, stderr=subprocess.PIPE)
    os.close(terminal)
    shown = b""
    while True:
        try:
            chunk = os.read(main_end, 65536)
        except OSError:  # the terminal's other end has closed
            break
        if not chunk:
            break
        shown += chunk
    os.close(main_end)
    assert ran.wait(timeout=120) == 0, ran.stderr.read()
    text = shown.decode("cp1252").replace("\r\n", "\n")
    expected = invoke("targets", str(scenario), "--format", "csv-da", "-q").stdout
    assert expected.startswith("\ufeff")
    assert without_command(text) == without_command(expected.removeprefix("\ufeff").replace("≥", "?"))


# --- 2. write errors ----------------------------------------------------------------------------------


def _earlier_result(tmp_path):
    out = tmp_path / "kik2.csv"
    out.write_text("an earlier result\n", encoding="utf-8")
    return out


def test_a_full_disk_is_one_line_exit_2_and_the_old_file_whole(tmp_path, monkeypatch):
    out = _earlier_result(tmp_path)
    real_fdopen = os.fdopen

    class FullDisk:
        def __init__(self, stream):
            self.stream = stream

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.stream.close()

        def write(self, data):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fdopen", lambda fd, *args, **kwargs: FullDisk(real_fdopen(fd, *args, **kwargs)))
    result = invoke("targets", KIK2, "--output", str(out))
    _no_traceback(result)
    assert result.exit_code == 2
    assert result.stderr == f"kikcalc: cannot write {out}: No space left on device\n"
    assert out.read_text(encoding="utf-8") == "an earlier result\n"
    assert _leftovers(tmp_path) == []


def test_standard_output_on_a_full_disk_is_one_line_and_exit_2():
    with open("/dev/full", "wb") as full:
        process = _kikcalc("run", KIK2, "--monthly", "--format", "json", stdout=full)
        _, stderr = process.communicate(timeout=120)
    assert process.returncode == 2
    assert stderr.decode() == "kikcalc: cannot write standard output: No space left on device\n"


def test_a_folder_not_writable_is_refused_before_the_scenario_is_run(tmp_path, monkeypatch):
    # As root, chmod cannot make a folder read-only: say the system refuses, as it would for a user.
    def must_not_run(*args, **kwargs):
        raise AssertionError("the scenario was run")

    real_access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode, **kw: False if str(path) == str(tmp_path) else real_access(path, mode, **kw))
    monkeypatch.setattr(kikcalc, "run", must_not_run)
    result = invoke("run", KIK2, "--output", str(tmp_path / "kik2.csv"))
    _no_traceback(result)
    assert result.exit_code == 2
    assert result.stderr == f"kikcalc: cannot write {tmp_path / 'kik2.csv'}: Permission denied (the folder {tmp_path} is not writable)\n"


@pytest.mark.parametrize("windows", [True, False])
@pytest.mark.parametrize("where", ["mkstemp", "replace"])
def test_permission_denied_at_the_write_is_one_line_and_exit_2(tmp_path, monkeypatch, where, windows):
    """Only Windows refuses to replace a file because a program holds it open; elsewhere (a file of another user in a
    sticky folder such as /tmp) the hint about Excel would send the user looking for a program that is not the cause."""
    import tempfile

    from kikcalc import output

    monkeypatch.setattr(output, "OPEN_FILES_REFUSE_REPLACING", windows)
    out = _earlier_result(tmp_path)

    def denied(*args, **kwargs):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(tempfile if where == "mkstemp" else os, where, denied)
    result = invoke("targets", KIK2, "--output", str(out))
    _no_traceback(result)
    assert result.exit_code == 2
    # Replacing a file another program holds open is what Windows refuses (a workbook open in Excel)
    held = " (if it is open in another program, such as Excel, close it there and run again)" if where == "replace" and windows else ""
    assert result.stderr == f"kikcalc: cannot write {out}: Permission denied{held}\n"
    assert out.read_text(encoding="utf-8") == "an earlier result\n"
    assert _leftovers(tmp_path) == []


def test_a_broken_pipe_exits_quietly_with_141():
    process = _kikcalc("run", KIK2, "--monthly", "--format", "json", stdout=subprocess.PIPE)
    process.stdout.close()  # the reader goes away, as `| head -1` does once it has its line
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 141
    assert stderr == b""


def test_a_reader_that_stops_halfway_is_141_not_a_silent_success():
    """Python's buffered stdout drops the rest of a large write a reader stops taking, and exits 0; kikcalc writes
    every byte or says the pipe broke (the monthly JSON is 250 kB, far more than a pipe holds)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    reader = f'"{sys.executable}" -c "import sys, time; sys.stdin.buffer.read(10); time.sleep(1)"'
    shell = f'"{sys.executable}" -m kikcalc.cli run "{KIK2}" --monthly --format json | {reader}; exit "${{PIPESTATUS[0]}}"'
    done = subprocess.run(["bash", "-c", shell], env=env, capture_output=True, timeout=120)
    assert done.returncode == 141 and done.stderr == b""


def test_a_pipe_into_head_gives_the_first_line_and_no_complaint():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    shell = f'"{sys.executable}" -m kikcalc.cli run "{KIK2}" --monthly | head -1; exit "${{PIPESTATUS[0]}}"'
    done = subprocess.run(["bash", "-c", shell], env=env, capture_output=True, timeout=120)
    assert done.stdout == b"KIK II, AABENRAA\n"
    assert done.stderr == b"" and done.returncode in (0, 141)  # 0 if all of it fitted in the pipe before head left


def test_a_closed_standard_output_is_one_line_and_exit_2():
    process = _kikcalc("run", KIK2, stdout=subprocess.DEVNULL, preexec_fn=lambda: os.close(1))
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 2
    assert stderr.decode() == "kikcalc: cannot write standard output: it is closed\n"


def test_an_unreadable_input_is_bad_input(monkeypatch):
    real_open = os.open

    def denied(path, *args, **kwargs):
        if str(path) == str(KIK2):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", denied)
    result = invoke("run", KIK2)
    _no_traceback(result)
    assert result.exit_code == 2 and "permission denied: the file cannot be read" in result.stderr


# --- 3. formulas in spreadsheets -------------------------------------------------------------------------

FORMULAS = """\
[scenario]
name = "=1+2"
start = "2021-01"
end = "2021-12"

[states.kh]
label = "-Kontanthjælp"
initial = 100
inflow = 5
cost = 120_000

[states.job]
kind = "outside"

[[transitions]]
from = "kh"
to = "job"
probability = 0.05

[strategies.baseline]
label = "+Uden investering"

[strategies.kik]
label = '=HYPERLINK("http://evil.example","klik")'
investment = 100_000

[[strategies.kik.effects]]
from = "kh"
to = "job"
multiply = 0.8

[[targets]]
name = "low"
label = "@SUM(A1:A9)"
states = ["kh"]
year = 2021
max = 10
"""


@pytest.fixture
def formulas(tmp_path):
    path = tmp_path / "formulas.toml"
    path.write_text(FORMULAS, encoding="utf-8")
    return str(path)


def test_csv_puts_a_quote_before_a_text_that_would_be_a_formula(formulas):
    frame = pd.read_csv(io.StringIO(invoke("targets", formulas, "--format", "csv").stdout))
    assert set(frame.scenario) == {"'=1+2"}
    assert set(frame.label) == {"'@SUM(A1:A9)"}
    # Numbers are not text: a missed target's negative margin stays a number.
    assert frame.margin.dtype == float and (frame.margin < 0).all()


def test_csv_quotes_labels_in_the_comparison_and_leaves_negative_numbers_alone(formulas):
    text = invoke("compare", formulas, "--format", "csv").stdout
    frame = pd.read_csv(io.StringIO(text))
    assert set(frame.scenario) == {"'=1+2"}
    assert "Full-year persons: -Kontanthjælp" in set(frame.line)  # inside a text, a sign starts nothing
    saving = frame[frame.line == "Net saving vs baseline, kr."]["2021"]
    assert saving.dtype == float and saving.item() < 0
    assert "'-" not in text


def test_danish_csv_is_guarded_the_same_way(formulas):
    text = invoke("targets", formulas, "--format", "csv-da").stdout.removeprefix("\ufeff")
    frame = pd.read_csv(io.StringIO(text), sep=";", dtype=str, keep_default_na=False)
    assert set(frame.scenario) == {"'=1+2"} and set(frame.label) == {"'@SUM(A1:A9)"}
    assert all(m.startswith("-") and "," in m for m in frame.margin)  # a negative number with a decimal comma, no quote


@pytest.mark.parametrize("command", ["run", "compare"])
def test_xlsx_cuts_a_text_too_long_for_a_cell_with_a_note_and_no_warning(command, tmp_path):
    """A scenario name of 40,000 characters: openpyxl cut it silently but for a raw UserWarning naming its own
    source file; kikcalc cuts it to what a cell holds, and says so at the cut."""
    import re
    import warnings

    import openpyxl

    from kikcalc.formats.xlsx import CELL_CHARS, capped

    name = "N" * (CELL_CHARS + 7_233)
    text = re.sub(r'^name = ".*"', f'name = "{name}"', Path(KIK2).read_text(encoding="utf-8"), count=1, flags=re.M)
    scenario, out = tmp_path / "long.toml", tmp_path / "long.xlsx"
    scenario.write_text(text, encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = invoke(command, str(scenario), "--output", str(out))
    _no_traceback(result)
    assert result.exit_code == 0, result.output
    assert "Warning" not in result.stderr
    values = [cell.value for sheet in openpyxl.load_workbook(out).worksheets for row in sheet.iter_rows() for cell in row
              if isinstance(cell.value, str)]
    assert max(len(v) for v in values) == CELL_CHARS
    assert any(v == capped(name) or v.endswith(capped(name)[-80:]) for v in values)
    assert capped(name).startswith(name[:1000]) and len(capped(name)) == CELL_CHARS and capped("kik2") == "kik2"

def test_xlsx_stores_a_text_that_looks_like_a_formula_as_text(formulas, tmp_path):
    import openpyxl

    out = tmp_path / "formulas.xlsx"
    assert invoke("run", formulas, "--output", str(out)).exit_code == 0
    book = openpyxl.load_workbook(out)
    cells = {cell.value: cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row
             if isinstance(cell.value, str)}
    for text in ("=1+2", '=HYPERLINK("http://evil.example","klik")', "+Uden investering", "@SUM(A1:A9)"):
        assert cells[text].data_type == "s", text
        assert cells[text].quotePrefix, text
    assert not any(cell.data_type == "f" for sheet in book.worksheets for row in sheet.iter_rows() for cell in row)
    header = [cell.value for cell in book["targets"][1]]
    margin = book["targets"].cell(row=2, column=header.index("margin") + 1)  # a missed target's: negative
    assert margin.data_type == "n" and margin.value < 0 and not margin.quotePrefix
    assert not cells["strategy"].quotePrefix  # a plain text is left as it is


def test_xlsx_comparison_stores_the_scenario_name_as_text(formulas, tmp_path):
    import openpyxl

    out = tmp_path / "compare.xlsx"
    assert invoke("compare", formulas, "--output", str(out)).exit_code == 0
    book = openpyxl.load_workbook(out)
    comparison = book["comparison"]
    assert comparison["A2"].value == "=1+2" and comparison["A2"].data_type == "s" and comparison["A2"].quotePrefix


# --- 4. exit codes ----------------------------------------------------------------------------------------


def test_ctrl_c_is_one_line_exit_130_and_no_output_file(tmp_path, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(kikcalc, "run", interrupted)
    out = tmp_path / "kik2.csv"
    result = invoke("run", KIK2, "--output", str(out))
    assert result.exit_code == 130
    assert result.stderr == "kikcalc: interrupted\n" and result.stdout == ""
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("after", [0.15, 2.0])
def test_ctrl_c_from_the_first_moment_is_one_line_and_exit_130(tmp_path, after):
    """While numpy and pandas still load (0.15 s in) and once the run is under way: never a Python traceback."""
    import signal
    import time

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = tmp_path / "psa.csv"
    process = subprocess.Popen([sys.executable, "-m", "kikcalc", "sensitivity", KIK2, "--draws", "2000000", "-o", str(out)],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if after < 1 and Path(f"/proc/{process.pid}/maps").exists():
        _until_numpy_loads(process)  # not before kikcalc has begun (Python's own start can take 0.15 s on a busy machine)
    else:
        time.sleep(after)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 130 and stdout == b""
    assert stderr.decode().splitlines()[-1] == "kikcalc: interrupted" and b"Traceback" not in stderr
    assert list(tmp_path.iterdir()) == []


def _until_numpy_loads(process) -> None:
    """Wait until the process has begun loading numpy's compiled core (Linux: its memory map names it), which
    kikcalc imports only after kikcalc._launch has set its Ctrl-C handler; numpy and pandas then take a while more."""
    import time

    maps = Path(f"/proc/{process.pid}/maps")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if "numpy" in maps.read_text():
                return
        except OSError:
            pass
        time.sleep(0.002)
    raise AssertionError("the process did not begin loading numpy within 60 s")


def test_ctrl_c_during_the_write_leaves_the_old_file_and_no_temporary_file(tmp_path, monkeypatch):
    out = _earlier_result(tmp_path)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    result = invoke("targets", KIK2, "--output", str(out))
    assert result.exit_code == 130 and result.stderr == "kikcalc: interrupted\n"
    assert out.read_text(encoding="utf-8") == "an earlier result\n"
    assert _leftovers(tmp_path) == []


def _boom(*args, **kwargs):
    raise RuntimeError("boom\nin two lines")


def test_an_unexpected_error_is_a_bug_exit_3_in_one_line(tmp_path, monkeypatch):
    monkeypatch.setattr(kikcalc, "run", _boom)
    out = tmp_path / "kik2.csv"
    result = invoke("run", KIK2, "--output", str(out))
    _no_traceback(result)
    assert result.exit_code == 3
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"kikcalc: this is a bug in kikcalc {kikcalc.__version__} (RuntimeError: boom in two lines)")
    assert f"(kikcalc run {KIK2} --output {out})" in lines[0]
    assert f"`kikcalc --debug run {KIK2} --output {out}`" in lines[0]
    assert not out.exists()


def test_running_out_of_memory_is_exit_2_with_what_to_ask_for_instead(tmp_path, monkeypatch):
    """A run larger than the machine's memory (a million draws under a memory limit) is the input asking too
    much, not a bug: exit 2, one line, and no output file."""
    def out_of_memory(*args, **kwargs):
        raise MemoryError("Unable to allocate 15.3 MiB")

    monkeypatch.setattr(kikcalc, "run", out_of_memory)
    out = tmp_path / "kik2.csv"
    result = invoke("run", KIK2, "--output", str(out))
    _no_traceback(result)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [result.stderr.strip()] and "not enough memory" in result.stderr
    assert "--draws" in result.stderr and not out.exists()


def test_debug_shows_the_traceback_of_a_bug(monkeypatch):
    monkeypatch.setattr(kikcalc, "run", _boom)
    result = invoke("--debug", "run", KIK2)
    assert result.exit_code == 3
    assert result.stderr.startswith("Traceback (most recent call last):")
    assert "RuntimeError: boom" in result.stderr and "_boom" in result.stderr
    assert result.stderr.splitlines()[-1].endswith("its input files and the traceback above")


def test_debug_leaves_bad_input_a_message_and_exit_2(tmp_path):
    result = invoke("--debug", "run", str(tmp_path / "missing.toml"))
    _no_traceback(result)
    assert result.exit_code == 2 and result.stderr == f"{tmp_path / 'missing.toml'}: no such file\n"


def test_a_failed_check_is_still_exit_1():
    result = invoke("targets", KIK2, "--strict")
    assert result.exit_code == 1 and "target verdict(s) missed" in result.stderr


# --- 5. csv-da: missing values empty, booleans ja/nej ------------------------------------------------------


@pytest.mark.parametrize("command", [["targets", KIJOS], ["compare", str(SCENARIOS / "reform-2026-2030.toml")],
                                     ["targets", str(SCENARIOS / "aabenraa-ips-ung.toml")]])
def test_danish_csv_has_empty_cells_for_missing_values_and_ja_nej(command):
    text = invoke(*command, "--format", "csv-da").stdout.removeprefix("\ufeff")
    cells = [cell for line in text.splitlines() for cell in line.split(";")]
    assert not {"nan", "NaN", "None", "True", "False", "<NA>"} & set(cells)
    frame = pd.read_csv(io.StringIO(text), sep=";", dtype=str, keep_default_na=False)
    if "met" in frame.columns:
        assert set(frame.met) <= {"ja", "nej", ""} and {"ja", "nej"} <= set(frame.met)
        plain = pd.read_csv(io.StringIO(invoke(*command, "--format", "csv").stdout), dtype=str, keep_default_na=False)
        assert list(frame.met) == [{"True": "ja", "False": "nej", "": ""}[m] for m in plain.met]
    assert "" in set(frame.iloc[:, -1])  # a missing value (first month met; kr. per kr. with no spending) is an empty cell


def test_plain_csv_keeps_true_and_false():
    frame = pd.read_csv(io.StringIO(invoke("targets", KIJOS, "--format", "csv").stdout), dtype=str, keep_default_na=False)
    assert {"True", "False"} <= set(frame.met) <= {"True", "False", ""}


def test_a_control_character_in_a_file_name_is_written_as_its_escape_in_a_workbook(tmp_path):
    """A worksheet cannot hold \\x01; openpyxl refused the whole workbook (exit 3). The name is written as `\\x01`."""
    import hashlib

    import openpyxl

    odd = tmp_path / "na\x01me.toml"
    odd.write_bytes((SCENARIOS / "aabenraa-kik2.toml").read_bytes())
    out = tmp_path / "kik2.xlsx"
    result = invoke("compare", str(odd), "--output", str(out), "-q")
    assert result.exit_code == 0, result.output
    shown = [row[1].value for row in openpyxl.load_workbook(out)["provenance"].iter_rows(min_row=2)]
    escaped = str(odd).replace("\x01", "\\x01")
    assert f"{escaped} (SHA-256 {hashlib.sha256(odd.read_bytes()).hexdigest()})" in shown


@pytest.mark.parametrize("char", ["\ufffe", "\uffff"])
def test_a_noncharacter_xml_cannot_hold_is_written_as_its_escape_in_a_workbook(char, tmp_path):
    """U+FFFE and U+FFFF are text to TOML but not to XML: openpyxl wrote them, exit 0, and the workbook was one neither
    Excel nor openpyxl opens. In a name (scenario, label) and in a comment (the assumptions sheet) they are escaped."""
    import openpyxl

    text = (SCENARIOS / "aabenraa-kik2.toml").read_text(encoding="utf-8")
    text = text.replace('name = "KIK II, Aabenraa"', f'name = "KIK II{char}, Aabenraa"', 1)
    text = text.replace("# recipients at the start of KIK II (2018)", f"# recipients at the start {char} of KIK II", 1)
    odd = tmp_path / "odd.toml"
    odd.write_text(text, encoding="utf-8")
    name = kikcalc.load(odd).name
    assert char in name
    out = tmp_path / "odd.xlsx"
    result = invoke("compare", str(odd), "--output", str(out), "-q")
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)
    escaped = char.encode("unicode_escape").decode("ascii")
    assert book["comparison"]["A2"].value == name.replace(char, escaped)
    comments = [row[3].value for row in book["assumptions"].iter_rows(min_row=2)]
    assert f"recipients at the start {escaped} of KIK II" in comments


@pytest.mark.parametrize("args", [["run", KIK2, "--output", ""], ["run", " "], ["sensitivity", KIK2, "--keep-draws", ""],
                                  ["new", ""], ["plot", KIK2, "-o", ""]])
def test_an_empty_file_name_is_refused_at_its_option(args):
    result = invoke(*args)
    _no_traceback(result)
    assert result.exit_code == 2
    assert "the file name is empty" in result.stderr
