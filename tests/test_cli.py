"""The command line through click's runner: every command and format, outputs and exit codes."""

from __future__ import annotations

import io
import json
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import kikcalc
from conftest import SCENARIOS
from kikcalc.cli import main

KIK2 = str(SCENARIOS / "aabenraa-kik2.toml")
DATA = Path(__file__).parent / "data"
BUDGET = str(SCENARIOS / "aabenraa-budget-2021.toml")


def invoke(*args: str):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


@pytest.mark.parametrize("fmt", ["table", "markdown", "csv", "json"])
@pytest.mark.parametrize("command", [["run", KIK2], ["run", KIK2, "--monthly"], ["compare", KIK2], ["compare", KIK2, BUDGET],
                                     ["targets", KIK2]])
def test_every_command_in_every_format(command, fmt):
    result = invoke(*command, "--format", fmt)
    assert result.exit_code == 0, result.output
    if fmt == "json":
        json.loads(result.stdout)
    elif fmt == "csv":
        assert len(pd.read_csv(io.StringIO(result.stdout))) > 0
    elif fmt == "markdown":
        assert "|" in result.stdout
    else:
        assert "KIK II" in result.stdout or "kik2" in result.stdout


def test_run_yearly_csv_columns_and_values():
    frame = pd.read_csv(io.StringIO(invoke("run", KIK2, "--format", "csv").stdout))
    assert {"strategy", "year", "state", "full_year_persons", "benefit_cost_net"} <= set(frame.columns)
    row = frame[(frame.strategy == "baseline") & (frame.year == 2019) & (frame.state == "kontanthjaelp")]
    assert row.benefit_cost_net.item() == pytest.approx(row.full_year_persons.item() * 104_531, rel=1e-9)


def test_run_monthly_csv_columns():
    frame = pd.read_csv(io.StringIO(invoke("run", KIK2, "--monthly", "--format", "csv").stdout))
    assert {"strategy", "month", "state", "full_time_persons", "headcount_end"} <= set(frame.columns)
    assert frame.month.iloc[0] == "2018-06"
    assert len(frame) == 2 * 79 * 3


def test_run_json_has_payback_npv_and_targets():
    document = json.loads(invoke("run", KIK2, "--format", "json").stdout)
    kik2 = next(s for s in document["strategies"] if s["strategy"] == "kik2")
    assert kik2["payback_month"] and kik2["npv"] > 0
    assert {"name", "strategy", "value", "threshold", "met"} <= set(document["targets"][0])
    assert document["scenario"]["start"] == "2018-06"


def test_budget_2021_gives_back_the_published_table():
    frame = pd.read_csv(io.StringIO(invoke("run", BUDGET, "--strategy", "baseline", "--format", "csv").stdout))
    assert frame.full_year_persons.sum() == pytest.approx(4165)
    assert round(frame.benefit_cost_net.sum() / 1000) == 509_392
    assert round(frame.measures_cost.sum() / 1000) == 35_881
    published = {"kontanthjaelp": 74_740, "a_dagpenge": 109_898, "fleksjob": 167_662, "sygedagpenge": 64_841}
    for state, thousands in published.items():
        assert round(frame.set_index("state").benefit_cost_net[state] / 1000) == thousands


def test_strategy_option_selects_and_unknown_strategy_is_exit_2():
    frame = pd.read_csv(io.StringIO(invoke("run", KIK2, "-s", "kik2", "--format", "csv").stdout))
    assert set(frame.strategy) == {"kik2"}
    result = invoke("run", KIK2, "--strategy", "kik3")
    assert result.exit_code == 2
    assert 'did you mean "kik2"' in result.output


def test_targets_strict_exit_codes(tmp_path):
    # The KIK II scenario's baseline misses its targets: --strict must fail with 1.
    assert invoke("targets", KIK2).exit_code == 0
    strict = invoke("targets", KIK2, "--strict")
    assert strict.exit_code == 1
    assert "missed" in strict.output
    # Judging KIK II alone: it meets every target, so --strict passes; with a budget of 650 for 2021 it
    # misses that one, and --strict fails on it alone.
    assert invoke("targets", KIK2, "--strict", "--strategy", "kik2").exit_code == 0
    only_kik2 = invoke("targets", KIK2, "--strict", "--strategy", "kik2", "--set", "targets[2].max=650")
    assert only_kik2.exit_code == 1
    assert "budget-2021 (kik2)" in only_kik2.output and "(baseline)" not in only_kik2.output
    assert invoke("targets", KIK2, "--strategy", "kik9").exit_code == 2
    # A scenario whose only target is met passes --strict.
    met = tmp_path / "met.toml"
    met.write_text(
        '[scenario]\nname = "m"\nstart = "2021-01"\nend = "2021-12"\n'
        '[states.kh]\ninitial = 100\n'
        '[[targets]]\nname = "low"\nstates = ["kh"]\nyear = 2021\nmax = 100\n', encoding="utf-8")
    assert invoke("targets", str(met), "--strict").exit_code == 0


@pytest.mark.parametrize(("locale", "absent", "none"), [
    ("en", "(this scenario has none of the strategies chosen with --strategy: kik2)", "(no targets in this scenario)"),
    ("da", "(scenariet har ingen af de strategier, der er valgt med --strategy: kik2)", "(ingen mål i dette scenario)"),
])
def test_targets_says_so_of_a_file_without_the_strategy_chosen_or_without_targets(locale, absent, none):
    """--strategy kik2 over several files (as docs/ci.md's job does): a file without kik2 printed a table without rows."""
    ips, plain = str(SCENARIOS / "aabenraa-ips-ung.toml"), str(SCENARIOS / "aabenraa-long-term-supported.toml")
    result = invoke("targets", KIK2, ips, plain, "--strategy", "kik2", "--locale", locale)
    assert result.exit_code == 0
    sections = result.stdout.split("\n\n")
    after = {section.splitlines()[0]: section.splitlines()[-1] for section in sections if ".toml)" in section.splitlines()[0]}
    assert after[next(h for h in after if "aabenraa-ips-ung.toml" in h)] == absent
    assert after[next(h for h in after if "long-term-supported.toml" in h)] == none
    assert after[next(h for h in after if "aabenraa-kik2.toml" in h)].startswith("payback  ")  # its table, as before


def test_set_takes_a_rate_written_with_three_decimals():
    # 0.035 is KIK II's own discount rate: --set to it changes no number, and 0.045 lowers every NPV's size.
    def npv(*extra):
        result = invoke("compare", KIK2, "--format", "json", *extra)
        assert result.exit_code == 0, result.output
        rows = json.loads(result.output)["comparison"]
        return [row["total"] for row in rows if row["line"].startswith("Net present value")]

    plain = npv()
    assert plain and npv("--set", "scenario.discount_rate=0.035") == plain
    higher = npv("--set", "scenario.discount_rate=0.045")
    assert all(abs(h) < abs(p) for h, p in zip(higher, plain, strict=True) if p)


def test_output_is_written_with_format_from_suffix(tmp_path):
    out = tmp_path / "kik2.csv"
    result = invoke("compare", KIK2, "--output", str(out))
    assert result.exit_code == 0
    frame = pd.read_csv(out)
    assert list(frame.columns[:5]) == ["scenario", "file", "line", "strategy", "unit"]
    saving = frame[(frame.line == "Net saving vs baseline, kr.") & (frame.strategy == "kik2")]
    assert saving["total"].astype(float).item() == pytest.approx(saving[[str(y) for y in range(2018, 2025)]].sum(axis=1).item())
    assert not list(tmp_path.glob(".*.tmp"))


def test_output_never_overwrites_an_input(tmp_path):
    scenario = tmp_path / "s.toml"
    original = (SCENARIOS / "aabenraa-kik2.toml").read_text(encoding="utf-8")
    scenario.write_text(original, encoding="utf-8")
    result = invoke("run", str(scenario), "--output", str(scenario))
    assert result.exit_code == 2
    assert "never overwrites" in result.output
    assert scenario.read_text(encoding="utf-8") == original


def test_validate_good_files():
    result = invoke("validate", KIK2, BUDGET)
    assert result.exit_code == 0
    assert result.output.count("ok:") == 2


def test_version_and_help():
    assert invoke("--version").exit_code == 0
    assert "compare" in invoke("--help").output


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.toml")), ids=lambda p: p.name)
def test_every_shipped_scenario_in_every_data_format(path, tmp_path):
    # Each scenario has its own mix of target kinds, programmes and grants: every table must survive
    # every format (a money target's empty first month once crashed the rounding under pandas 3).
    for command in ("run", "compare", "targets"):
        for fmt in ("csv", "csv-da", "json"):
            assert invoke(command, str(path), "--format", fmt).exit_code == 0, (command, fmt)
        out = tmp_path / f"{command}.xlsx"
        assert invoke(command, str(path), "--output", str(out)).exit_code == 0
        assert out.stat().st_size > 0


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.toml")), ids=lambda p: p.name)
def test_compare_runs_on_every_shipped_scenario(path):
    result = invoke("compare", str(path))
    assert result.exit_code == 0, result.output
    assert "By year" in result.stdout


def test_xlsx_workbook_has_a_sheet_per_table(tmp_path):
    out = tmp_path / "kik2.xlsx"
    assert invoke("run", KIK2, "--monthly", "--output", str(out)).exit_code == 0
    sheets = pd.read_excel(out, sheet_name=None)
    assert {"yearly", "money", "summary", "targets", "monthly", "monthly money", "notes"} <= set(sheets)
    monthly_money = sheets["monthly money"]
    kik2 = monthly_money[monthly_money.strategy == "kik2"].reset_index(drop=True)
    # The payback month is the first month from which the cumulative net saving stays >= 0.
    payback = sheets["summary"].set_index("strategy").payback_month["kik2"]
    at = kik2.index[kik2.month == payback][0]
    assert (kik2.cumulative_net_saving[at:] >= 0).all() and kik2.cumulative_net_saving[at - 1] < 0
    assert invoke("compare", KIK2, "--format", "xlsx").exit_code == 2  # a file format needs --output


def test_output_files_are_readable_like_any_other(tmp_path):
    import os
    import stat

    out = tmp_path / "kik2.csv"
    old_mask = os.umask(0o022)
    try:
        invoke("compare", KIK2, "--output", str(out))
    finally:
        os.umask(old_mask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o644


def test_csv_notes_go_to_stderr():
    result = invoke("run", KIK2, "--format", "csv")
    assert "note: 2018 has 7 simulated months" in result.stderr
    assert "note:" not in result.stdout


def test_a_year_of_one_simulated_month_is_named_in_the_singular():
    result = invoke("run", str(SCENARIOS / "aalborg-pool-2020.toml"), "--format", "csv")
    assert "note: 2020 has 1 simulated month: its full-year persons are that month's full-time persons" in result.stderr


def test_xlsx_without_openpyxl_says_how_to_install_it(tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "openpyxl", None)  # import openpyxl now raises ImportError
    result = invoke("compare", KIK2, "--output", str(tmp_path / "kik2.xlsx"))
    assert result.exit_code == 2
    assert 'xlsx output needs openpyxl: pip install openpyxl, or pip install ".[xlsx]"' in result.stderr
    assert not (tmp_path / "kik2.xlsx").exists()


def test_comparison_csv_gives_kroner_to_the_oere_and_persons_to_six_decimals():
    frame = pd.read_csv(io.StringIO(invoke("compare", KIK2, "--format", "csv").stdout))
    total_cost = frame[(frame.line == "Total cost, kr.") & (frame.strategy == "kik2")]["2019"].item()
    persons = frame[frame.line.str.startswith("Full-year persons") & (frame.strategy == "kik2")]["2019"].iloc[0]
    assert total_cost == round(total_cost, 2) and total_cost != round(total_cost)
    assert persons == round(persons, 6) and persons != round(persons, 2)


@pytest.mark.parametrize("command", [["run", KIK2], ["run", KIK2, "--monthly"], ["compare", KIK2], ["targets", KIK2]])
def test_danish_excel_csv_holds_the_same_table_with_semicolons_and_decimal_commas(command):
    plain = pd.read_csv(io.StringIO(invoke(*command, "--format", "csv").stdout))
    danish_text = invoke(*command, "--format", "csv-da").stdout
    assert danish_text.startswith("\ufeff")  # so Excel reads æ, ø, å as UTF-8
    danish = pd.read_csv(io.StringIO(danish_text.removeprefix("\ufeff")), sep=";", decimal=",")
    # Columns mixing numbers and text (a comparison's total, a target's value) stay text: read their numbers back.
    decimal_comma = re.compile(r"^-?\d+,\d+$")
    danish = danish.map(lambda v: v.replace(",", ".") if isinstance(v, str) and decimal_comma.match(v) else v)
    # Booleans are ja/nej for Danish Excel.
    for column in danish.columns:
        if danish[column].notna().any() and set(danish[column].dropna()) <= {"ja", "nej"}:
            danish[column] = danish[column].map({"ja": True, "nej": False}).astype(object)
    pd.testing.assert_frame_equal(danish, plain)


@pytest.mark.parametrize("monthly", [False, True])
def test_run_csv_with_money_gives_the_money_lines(monthly):
    result = kikcalc.run(KIK2)
    args = ["run", KIK2, "--format", "csv", "--money", *(["--monthly"] if monthly else [])]
    frame = pd.read_csv(io.StringIO(invoke(*args).stdout))
    expected = result.monthly_money if monthly else result.money
    assert list(frame.columns) == list(expected.columns)
    np.testing.assert_allclose(frame.total_cost, expected.total_cost, atol=0.005)  # to the øre
    np.testing.assert_allclose(frame.net_saving.sum(), expected.net_saving.sum(), atol=0.5)


def test_money_is_only_for_csv():
    result = invoke("run", KIK2, "--money")
    assert result.exit_code == 2 and "--money chooses the table of a CSV" in result.stderr


@pytest.mark.parametrize("command", ["compare", "targets"])
def test_the_same_file_twice_is_refused(command, monkeypatch):
    monkeypatch.chdir(SCENARIOS.parent)
    result = invoke(command, "scenarios/aabenraa-kik2.toml", "./scenarios/aabenraa-kik2.toml")
    assert result.exit_code == 2
    assert "./scenarios/aabenraa-kik2.toml is the same file as scenarios/aabenraa-kik2.toml" in result.stderr


def test_run_shows_each_programme_in_text_and_json():
    measures = str(SCENARIOS / "aabenraa-kik2-measures-2021.toml")
    assert "Programmes (over the horizon)" in invoke("run", measures).stdout
    assert "Programmes (over the horizon)" not in invoke("run", KIK2).stdout  # KIK II has none
    programmes = json.loads(invoke("run", measures, "--format", "json").stdout)["programmes"]
    by_name = {p["programme"]: p for p in programmes}
    # Unge på Toppen: 48 places at 40.000 kr., 75 % of 48 reach self-support: 1.920.000 / 36 kr. each.
    assert by_name["unge-paa-toppen"]["cost_per_outcome"] == pytest.approx(1_920_000 / 36, abs=0.01)


LOOP = """[scenario]
name = "loop"
start = "2021-01"
end = "2021-12"
[states.a]
initial = 100
inflow = 10
cost = 120_000
[states.b]
initial = 0
cost = 120_000
[[transitions]]
from = "a"
to = "b"
probability = 1.0
[[transitions]]
from = "b"
to = "a"
probability = {b_to_a}
"""


@pytest.mark.parametrize("command", ["run", "compare", "targets", "validate"])
def test_an_unsettled_mix_is_warned_as_kikcalc_warns_not_as_a_python_warning(tmp_path, command):
    # a and b swap everyone every month: the initial mix never settles, and the engine warns of it.
    path = tmp_path / "loop.toml"
    path.write_text(LOOP.format(b_to_a=1.0), encoding="utf-8")
    result = invoke(command, str(path))
    assert result.exit_code == 0
    said = [line for line in result.stderr.splitlines() if "no initial_anciennitet given" in line]
    assert said == [f"warning: {path}: a: no initial_anciennitet given, and the mix the baseline's first-month rates "
                    "settle into was still changing after 4096 rounds (persons move round a loop of states they seldom "
                    "or never leave): the initial stock takes the mix found then; give initial_anciennitet to set it"]
    assert "UnsettledMixWarning" not in result.stderr and ".py:" not in result.stderr
    if command != "validate":
        assert invoke(command, "-q", str(path)).stderr == ""


def test_a_tiny_probability_is_checked_without_a_numpy_overflow_warning(tmp_path):
    # kh's only exit is 3e-308 a month: its mean stay overflows a float, which the drift check takes as no balance.
    path = tmp_path / "tiny.toml"
    path.write_text('[scenario]\nname = "h"\nstart = "2021-01"\nend = "2022-12"\n'
                    '[states.kh]\ninitial = 500\ninflow = 20\ncost = 120000\n[states.job]\nkind = "outside"\n'
                    '[[transitions]]\nfrom = "kh"\nto = "job"\nprobability = 3e-308\n'
                    '[[transitions]]\nfrom = "job"\nto = "kh"\nprobability = 0.1\n', encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # pytest would catch a warning before it reached stderr
        result = invoke("validate", str(path))
    assert result.exit_code == 0


@pytest.mark.parametrize("command", [["followup"], ["calibrate", "--fit", "states.kontanthjaelp.inflow"]])
def test_a_name_mapped_twice_to_different_states_is_refused(command, tmp_path):
    """--map NAME=A --map NAME=B is exit 2, never the last one silently; the same name to the same state is no
    conflict. Names are compared as a data file's are matched (test_observed_files: the Unicode form too)."""
    data = tmp_path / "wide.csv"
    data.write_text("month,Kontanthjælp\n2020-03,900\n2020-06,880\n", encoding="utf-8")
    base = [command[0], KIK2, *command[1:], "--observed", str(data), "--measure", "persons"]
    result = invoke(*base, "--map", "Kontanthjælp=kontanthjaelp", "--map", "Kontanthjælp=selvforsorgende")
    assert result.exit_code == 2
    assert "kikcalc: --map: Kontanthjælp is mapped twice: to kontanthjaelp and to selvforsorgende" in result.stderr
    result = invoke(*base, "--map", "Kontanthjælp=kontanthjaelp", "--map", " Kontanthjælp =anden_ydelse")
    assert result.exit_code == 2 and "is mapped twice: to kontanthjaelp and to anden_ydelse" in result.stderr
    result = invoke(*base, "--map", "Kontanthjælp=kontanthjaelp", "--map", "Kontanthjælp =kontanthjaelp")
    assert result.exit_code == 0, result.output
    assert "read 2 observations of kontanthjaelp (persons, 2020-03 to 2020-06)" in result.stderr


@pytest.mark.parametrize("command", [["followup"], ["calibrate", "--fit", "states.kontanthjaelp.inflow"]])
def test_a_scenario_given_as_observed_data_is_named_as_such(command, tmp_path):
    """A scenario given with --observed is not "not valid JSON" (it starts with "[", as JSON does): it is named a
    scenario file where observed data was expected, by its name or, named otherwise, by its content."""
    from kikcalc.observed_files import read

    copy = tmp_path / "kik2.txt"
    copy.write_text(open(KIK2, encoding="utf-8").read(), encoding="utf-8")
    for data in (KIK2, str(copy)):
        result = invoke(command[0], KIK2, *command[1:], "--observed", data)
        assert result.exit_code == 2
        with pytest.raises(kikcalc.ScenarioError) as error:
            read(data, kikcalc.load(KIK2))
        assert f"{data}: {error.value.problems[0].message}" in result.stderr
        assert "a scenario file (TOML), given where observed data was expected" in result.stderr
        assert "JSON:" not in result.stderr



@pytest.mark.parametrize("name", ["jobindsats.csv", "jobindsats.json", "long.csv"])
def test_a_data_file_given_as_the_scenario_is_named_as_such(name, tmp_path):
    """The opposite case: a CSV or JSON given as a scenario FILE is not "not valid TOML", by its name or, named
    otherwise (.txt), by its content; a workbook by its name."""
    from kikcalc.textfile import data_file, given_as_scenario

    source = DATA / "observed" / name
    copy = tmp_path / "data.txt"
    copy.write_bytes(source.read_bytes())
    kind = data_file(source.read_text(encoding="utf-8-sig"), source)
    for path in (source, copy):
        result = invoke("run", str(path))
        assert result.exit_code == 2
        assert f"{path}: {given_as_scenario(kind)}" in result.stderr
        assert "not valid TOML" not in result.stderr
    workbook = tmp_path / "data.xlsx"
    assert invoke("compare", KIK2, "--output", str(workbook)).exit_code == 0
    assert given_as_scenario("XLSX") in invoke("run", str(workbook)).stderr
    bad = tmp_path / "slip.toml"  # a scenario with a slip is TOML's to name, even if it reads like a CSV line
    bad.write_text("a, b\n", encoding="utf-8")
    assert "not valid TOML" in invoke("validate", str(bad)).stderr

UNCERTAIN = """[scenario]
name = "draws"
start = "2020-01"
end = "2021-12"

[states.kh]
initial = 1000
inflow = 40
cost = 100_000

[states.job]
kind = "outside"

[[transitions]]
from = "kh"
to = "job"
probability = 0.04

[strategies.baseline]

[strategies.s]
investment = 1_000_000

[[strategies.s.effects]]
from = "kh"
to = "job"
multiply = 1.3

[uncertainty]
"""


@pytest.mark.parametrize(("entry", "bad"), [
    # every draw of 0.8 to 0.99 times the effect's 1.3 makes leaving kh more likely than 1: sensitivity has none to use
    ('"transitions[0].probability" = { dist = "uniform", low = 0.8, high = 0.99 }', True),
    # drawn beyond the number's limits at the 1-in-a-million ends: sensitivity refuses the entry
    ('"states.kh.inflow" = { dist = "truncnormal", mean = 40, sd = 1e8, low = 0 }', True),
    # some draws excluded (0.77 * 1.3 > 1), most run: no problem of the file
    ('"transitions[0].probability" = { dist = "uniform", low = 0.5, high = 0.8 }', False),
])
def test_validate_reports_what_sensitivity_refuses_in_the_uncertainty_table(entry, bad, tmp_path):
    """validate says what sensitivity (at its default draws) would refuse, as it says it, without running a draw."""
    path = tmp_path / "draws.toml"
    path.write_text(UNCERTAIN + entry + "\n", encoding="utf-8")
    checked = invoke("validate", str(path))
    drawn = invoke("sensitivity", str(path))
    assert (checked.exit_code, drawn.exit_code) == ((2, 2) if bad else (0, 0)), (checked.output, drawn.output)
    if bad:  # beside any plausibility warning (a probability of 0.8 to 0.99 for the file's 0.04 is one)
        def refusal(stderr: str) -> str:
            return "\n".join(line for line in stderr.strip().splitlines() if not line.startswith("warning: "))

        said = refusal(drawn.stderr).removeprefix("kikcalc: ")
        assert said.startswith(f"{path}: ")
        assert refusal(checked.stderr) == said
    else:
        assert checked.stdout.startswith(f"ok: {path}")
        assert json.loads(invoke("sensitivity", str(path), "--format", "json").stdout)["excluded"]["draws"] > 0


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_compare_of_two_scenarios_of_one_name_adds_each_file_to_its_headings(fmt, tmp_path, monkeypatch):
    """Two files with one [scenario] name: their sections and their columns of the table of all scenarios
    carry the file (its path as given), which tells them apart; files of different names are shown as before."""
    text = (SCENARIOS / "aabenraa-kik2.toml").read_text(encoding="utf-8")
    (tmp_path / "a.toml").write_text(text, encoding="utf-8")
    (tmp_path / "b.toml").write_text(text.replace("multiply = 1.59152", "multiply = 1.7"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = invoke("compare", "a.toml", "b.toml", "--format", fmt)
    assert result.exit_code == 0, result.output
    name = kikcalc.load(tmp_path / "a.toml").name
    lines = result.stdout.splitlines()
    titles = [line for line in lines if line.removeprefix("# ").lower().startswith(name.lower() + " (")]
    assert [t.rsplit("(", 1)[1] for t in titles] == ["a.toml)", "b.toml)"]
    header = next(line for line in lines if f"{name} (a.toml): " in line)
    assert f"{name} (b.toml): " in header
    plain = invoke("compare", KIK2, BUDGET, "--format", fmt).stdout
    assert f"({KIK2})" not in plain and f"({BUDGET})" not in plain


def _many_cheap_states(tmp_path, n: int) -> str:
    """A scenario of n benefit states, each costing 50 kr. a year and steady (inflow = initial x exit): n plausibility
    warnings (below COST_LOW), no other."""
    import tomlkit

    from conftest import one_state

    raw = one_state()
    raw["states"] = {f"s{i}": {"initial": 100.0, "inflow": 5.0, "cost": 50} for i in range(n)} | {"job": {"kind": "outside"}}
    raw["transitions"] = [{"from": f"s{i}", "to": "job", "probability": 0.05} for i in range(n)]
    path = tmp_path / "cheap.toml"
    path.write_text(tomlkit.dumps(raw), encoding="utf-8")
    return str(path)


def test_a_run_prints_the_first_ten_plausibility_warnings_and_counts_the_rest(tmp_path):
    from kikcalc.cli import WARNINGS_SHOWN

    file = _many_cheap_states(tmp_path, WARNINGS_SHOWN + 3)
    ran = CliRunner().invoke(main, ["run", file], catch_exceptions=False)
    warned = [line for line in ran.stderr.splitlines() if line.startswith("warning:")]
    assert ran.exit_code == 0
    assert [line.split(": ")[2] for line in warned[:-1]] == [f"states.s{i}.cost" for i in range(WARNINGS_SHOWN)]
    assert warned[-1] == (f"warning: {file}: and 3 more plausibility warnings (the first {WARNINGS_SHOWN} are shown; "
                          f"kikcalc validate {file} lists every one)")
    listed = CliRunner().invoke(main, ["validate", file], catch_exceptions=False)
    assert [line.split(": ")[2] for line in listed.stderr.splitlines() if line.startswith("warning:")] == \
        [f"states.s{i}.cost" for i in range(WARNINGS_SHOWN + 3)]


def test_run_shows_a_strategy_named_twice_once():
    """run -s kik2 -s kik2 showed kik2's tables twice: a repeated --strategy is the strategy once."""
    once = invoke("run", KIK2, "-s", "kik2").stdout
    twice = invoke("run", KIK2, "-s", "kik2", "-s", "kik2").stdout
    assert twice == once.replace("-s kik2;", "-s kik2 -s kik2;")


def test_the_validate_command_a_run_suggests_lists_every_warning_of_the_run(tmp_path, monkeypatch):
    """The suggested command carries the run's --set (a warning it makes is listed too) and survives a shell: a name
    with a space, a quote and a leading '-' (after --)."""
    import shlex

    from kikcalc.cli import WARNINGS_SHOWN

    monkeypatch.chdir(tmp_path)
    file = "-Kim's plan.toml"
    (tmp_path / file).write_text(Path(_many_cheap_states(tmp_path, WARNINGS_SHOWN)).read_text(encoding="utf-8"),
                                 encoding="utf-8")
    ran = CliRunner().invoke(main, ["run", "--set", "states.s0.measures_cost=50", "--", file], catch_exceptions=False)
    assert ran.exit_code == 0
    suggested = ran.stderr.splitlines()[-1].split("are shown; ")[1].removesuffix(" lists every one)")
    words = shlex.split(suggested)
    assert words[:2] == ["kikcalc", "validate"]
    listed = CliRunner().invoke(main, words[1:], catch_exceptions=False)
    assert listed.exit_code == 0
    paths = [line.split(": ")[2] for line in listed.stderr.splitlines() if line.startswith("warning:")]
    assert sorted(paths) == sorted(["states.s0.measures_cost"] + [f"states.s{i}.cost" for i in range(WARNINGS_SHOWN)])
