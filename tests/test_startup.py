"""How fast ``kikcalc run`` starts (issue 8): the modules that only other commands need are not imported by it,
and the text grid laid out without tabulate is tabulate's grid, character for character.

The time itself is measured by benchmarks/bench_engine.py against a bare ``import numpy, pandas``.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys

import pytest
from tabulate import tabulate

from conftest import ROOT, SCENARIOS
from kikcalc.formats import _text

NOT_FOR_RUN = ("scipy", "matplotlib", "jinja2", "openpyxl", "tabulate", "wcwidth", "importlib.metadata", "babel",
               "kikcalc.charts", "kikcalc.chart_data", "kikcalc.followup", "kikcalc.sensitivity", "kikcalc.calibration",
               "kikcalc.goalseek", "kikcalc.report_html", "kikcalc.liability", "kikcalc.cli_liability", "kikcalc.cli_new",
               "kikcalc.cli_plot", "kikcalc.cli_report", "kikcalc.cli_snapshot", "kikcalc.cli_draws", "kikcalc.snapshot",
               "kikcalc.api")
"""What ``kikcalc run`` of a shipped scenario must not import: other commands' libraries and modules (the other
commands' ``cli_*`` modules too), and babel (the default locale's numbers are written without it)."""


def imported_by(*args: str) -> set[str]:
    """The modules in sys.modules after the command line has run ``args``, in a fresh Python started as the
    ``kikcalc`` command is (kikcalc._launch)."""
    script = ("import json, sys\nsys.argv = ['kikcalc', *json.loads(sys.argv[1])]\nfrom kikcalc import _launch\n"
              "try:\n    _launch.main()\nexcept SystemExit as end:\n    assert not end.code, end.code\n"
              "sys.stderr.write('\\nMODULES ' + json.dumps(sorted(sys.modules)))\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", script, json.dumps(list(args))], capture_output=True, text=True,
                          cwd=ROOT, env=env, check=True)
    return set(json.loads(done.stderr.rpartition("\nMODULES ")[2]))


@pytest.mark.parametrize("fmt", ["table", "markdown", "csv", "json"])
def test_run_imports_no_other_commands_libraries(fmt):
    modules = imported_by("run", str(SCENARIOS / "aabenraa-kik2.toml"), "--format", fmt)
    assert "kikcalc.engine" in modules  # it did run
    assert sorted(m for m in modules if m.split(".")[0] in NOT_FOR_RUN or m in NOT_FOR_RUN) == []


def test_every_dataclass_kikcalc_run_defines_is_a_record():
    """A dataclass compiles its methods when defined (0.4 to 0.7 ms a class, 20 ms of kikcalc run for 40 of them):
    each class of kikcalc's that ``kikcalc run`` defines is made by kikcalc.records.frozen, which compiles none."""
    script = ("import dataclasses, json, sys\nsys.argv = ['kikcalc', 'run', sys.argv[1]]\nfrom kikcalc import _launch\n"
              "try:\n    _launch.main()\nexcept SystemExit:\n    pass\n"
              "made = {f'{c.__module__}.{c.__qualname__}': '__records_made__' in c.__dict__ for m in list(sys.modules.values())"
              " if m.__name__.startswith('kikcalc') for c in vars(m).values()"
              " if isinstance(c, type) and dataclasses.is_dataclass(c) and c.__module__ == m.__name__}\n"
              "sys.stderr.write('\\nMADE ' + json.dumps(made))\n")
    done = subprocess.run([sys.executable, "-c", script, str(SCENARIOS / "aabenraa-kik2.toml")], capture_output=True,
                          text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True)
    made = json.loads(done.stderr.rpartition("\nMADE ")[2])
    assert {"kikcalc.spec.Scenario", "kikcalc.result.Result", "kikcalc.uncertainty.Uncertainty"} <= set(made)
    assert sorted(name for name, record in made.items() if not record) == []


def test_each_command_module_registers_the_commands_the_command_line_expects_of_it():
    """kikcalc.cli imports a ``cli_*`` module when one of its commands is named: each module registers exactly the
    commands COMMAND_MODULES gives it, and kikcalc.cli alone registers none of them."""
    script = ("import importlib, json\nfrom kikcalc import cli\nbefore = set(cli.main.commands)\nfound = {}\n"
              "for module in sorted(set(cli.COMMAND_MODULES.values())):\n"
              "    known = set(cli.main.commands)\n    importlib.import_module(module)\n"
              "    found.update({name: module for name in set(cli.main.commands) - known})\n"
              "print(json.dumps([sorted(before), found, cli.COMMAND_MODULES]))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    before, found, expected = json.loads(done.stdout)
    assert found == expected
    assert not set(before) & set(expected)
    assert {"run", "compare", "validate"} <= set(before)


def test_python_m_kikcalc_cli_is_the_kikcalc_command():
    """``python -m kikcalc.cli`` (the benchmark's command) runs kikcalc.cli once, as the ``kikcalc`` command does:
    the same output as ``python -m kikcalc``, and every command listed."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SOURCE_DATE_EPOCH": "1767225600"}
    outputs = [subprocess.run([sys.executable, "-m", module, *args], capture_output=True, text=True, cwd=ROOT, env=env,
                              check=True).stdout
               for args in (["run", "scenarios/aabenraa-kik2.toml", "-q"], ["--help"]) for module in ("kikcalc.cli", "kikcalc")]
    assert outputs[0] == outputs[1].replace("python -m kikcalc ", "python -m kikcalc.cli ")
    assert outputs[0].startswith("KIK II, AABENRAA\n")
    assert outputs[2] == outputs[3].replace("python -m kikcalc ", "python -m kikcalc.cli ")
    assert all(f"\n  {name} " in outputs[2] for name in ("run", "liability", "new", "diff", "plot", "report", "snapshot", "check"))


def test_the_command_ends_without_collecting_yet_runs_atexit_and_writes_everything(tmp_path):
    """kikcalc._launch freezes the heap when the command is done, so Python's exit collects no garbage over it: an
    atexit handler still runs, standard output is whole (the same as the command in this process), a file written
    with -o is whole, and the exit code is the command's."""
    from click.testing import CliRunner

    from kikcalc.cli import main

    scenario = str(SCENARIOS / "aabenraa-kik2.toml")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SOURCE_DATE_EPOCH": "1767225600"}
    script = ("import atexit, gc, sys\natexit.register(lambda: sys.stderr.write(f'ATEXIT frozen {gc.get_freeze_count() > 0}'))\n"
              "sys.argv = ['kikcalc', *sys.argv[1:]]\nfrom kikcalc import _launch\n_launch.main()\n")
    done = subprocess.run([sys.executable, "-c", script, "run", scenario, "-q"], capture_output=True, text=True,
                          cwd=ROOT, env=env)
    assert done.returncode == 0 and done.stderr.endswith("ATEXIT frozen True")
    here = CliRunner(env={"SOURCE_DATE_EPOCH": "1767225600"}).invoke(main, ["run", scenario, "-q"])
    assert done.stdout == here.stdout and len(done.stdout) > 5000
    written = tmp_path / "run.csv"
    done = subprocess.run([sys.executable, "-c", script, "run", scenario, "-q", "-o", str(written)], capture_output=True,
                          text=True, cwd=ROOT, env=env)
    assert done.returncode == 0 and "ATEXIT frozen True" in done.stderr
    assert written.read_text(encoding="utf-8") == CliRunner(env={"SOURCE_DATE_EPOCH": "1767225600"}).invoke(
        main, ["run", scenario, "-q", "-f", "csv"]).stdout
    done = subprocess.run([sys.executable, "-c", script, "run", str(tmp_path / "missing.toml")], capture_output=True,
                          text=True, cwd=ROOT, env=env)
    assert done.returncode == 2 and done.stderr.endswith("ATEXIT frozen True")


# --- the grid --------------------------------------------------------------------------------------------

CELLS = ["", " ", "a", "abc", "1,234", "-0.5", "+1.234,5", "æøå", "Helårspersoner", "x y", None, 12, 3.25, "met",
         "  padded  ", "IKKE OPFYLDT", "1.234.567,8", "|", "n/a", "2021-03", "76,9 %", "≤", "–", "a\nb", "e\u0301"]
"""Cells a report holds, and a few the grid hands to tabulate (≤ and – are not Latin, a line break, a combining accent)."""


def tabulate_grid(rows, headers, style):
    """tabulate's grid of the cells as the style writes them (Markdown escapes | and line breaks: _text.cell)."""
    rows = [[_text.cell(value, style) for value in row] for row in rows]
    headers = [_text.cell(name, style) for name in headers]
    return tabulate(rows, headers=headers, tablefmt={"table": "simple", "markdown": "github"}[style],
                    disable_numparse=True, colalign=("left",) + ("right",) * (len(headers) - 1))


@pytest.mark.parametrize("style", ["table", "markdown"])
def test_the_grid_is_tabulates_grid(style):
    generator = random.Random(8)
    for _ in range(1500):
        columns = generator.randint(1, 6)
        rows = [[generator.choice(CELLS) for _ in range(columns)] for _ in range(generator.randint(0, 5))]
        headers = [generator.choice(["", "state", "2021", "total", "år", "a long header"]) for _ in range(columns)]
        assert _text.grid(rows, headers, style) == tabulate_grid(rows, headers, style), (rows, headers)


@pytest.mark.parametrize("style", ["table", "markdown"])
def test_a_line_break_at_a_cells_end_goes_to_tabulate_as_given(style):
    """A cell that strips to nothing but held a line break makes tabulate lay the table out line by line (and drop
    the all-blank row): the grid sees the cell as given, before stripping, and asks tabulate too."""
    rows = [["\n", ""], ["x", "1"]]
    assert _text.grid(rows, ["target", "v"], style) == tabulate_grid(rows, ["target", "v"], style)


def test_a_grid_by_hand():
    rows = [["kh", "1,234.5", None], ["sygedagpenge", "7", "-0.5"]]
    assert _text.grid(rows, ["state", "2021", "x"], "table") == (
        "state            2021     x\n"
        "------------  -------  ----\n"
        "kh            1,234.5\n"
        "sygedagpenge        7  -0.5")
    assert _text.grid(rows, ["state", "2021", "x"], "markdown") == (
        "| state        |    2021 |    x |\n"
        "|--------------|---------|------|\n"
        "| kh           | 1,234.5 |      |\n"
        "| sygedagpenge |       7 | -0.5 |")


# --- the tables read column by column ---------------------------------------------------------------------

def _same_cells(first, second) -> bool:
    """Equal cell by cell, of the same type, NaN equal to NaN."""
    return type(first) is type(second) and (first == second or (first != first and second != second))


@pytest.mark.filterwarnings("ignore:DataFrame columns are not unique")
def test_the_text_formats_read_every_table_as_to_dict_and_itertuples_do():
    """kikcalc.formats._text reads the run's tables column by column rather than with to_dict(orient="records") and
    itertuples (start-up): the same rows, cell for cell and type for type, for every table a run shows of every
    shipped scenario, and for frames that go to pandas itself (an object column of numbers, two columns of a name)."""
    import math

    import numpy as np
    import pandas as pd

    import kikcalc
    from kikcalc import tables

    frames = [pd.DataFrame({"a": ["x", None], "b": np.array([1.5, math.nan]), "n": [1, 2]}),
              pd.DataFrame({"a": ["x", "y"], "o": pd.Series([np.float64(1.0), math.nan], dtype=object)}),
              pd.DataFrame([[1, 2]], columns=["a", "a"]), pd.DataFrame({"a": []})]
    for path in sorted(SCENARIOS.glob("*.toml")):
        result = kikcalc.run(path)
        names = result.scenario.strategy_names
        frames += [tables.summary(result, names), tables.programmes(result, names), tables.targets(result, names)]
        frames += [table(result, name) for name in names for table in (tables.persons_by_year, tables.money_by_year)]
    for frame in frames:
        expected = frame.to_dict(orient="records")
        got = _text._records(frame)
        assert len(got) == len(expected) and all(
            list(g) == list(e) and all(_same_cells(g[k], e[k]) for k in e) for g, e in zip(got, expected, strict=True))
        tuples = list(frame.itertuples())
        rows = _text._rows(frame)
        for row, named in zip(rows, tuples, strict=True):
            fields = named._fields[1:]  # the index first
            if isinstance(row, tuple):  # given to itertuples itself
                assert row == named
                continue
            assert list(vars(row)) == list(frame.columns)
            assert all(_same_cells(getattr(row, name), value) for name, value in zip(frame.columns, named[1:], strict=True))
            assert len(fields) == len(frame.columns)
        assert len(rows) == len(tuples)
