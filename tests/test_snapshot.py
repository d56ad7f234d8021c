"""kikcalc snapshot and kikcalc check (kikcalc/snapshot.py, kikcalc/report_snapshot.py, kikcalc/cli_snapshot.py).

The numbers of a snapshot are kikcalc's own (its JSON output); the tests check that they are copied
faithfully, that a change of an input moves exactly the numbers it must, by the amount a closed form
gives, that the tolerance is |new - old| > atol + rtol x |old|, and that a bad snapshot is exit 2.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import kikcalc
from conftest import SCENARIOS
from kikcalc import snapshot
from kikcalc.cli import main
from kikcalc.snapshot import Change, moved

KIK2 = str(SCENARIOS / "aabenraa-kik2.toml")
BAD = Path(__file__).parent / "bad_snapshots"


def invoke(*args: str):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def closed_group(folder: Path, cost: int = 120_000, end: str = "2021-12", second_strategy: bool = False,
                 investment: int = 12_000) -> str:
    """A group of 1000 persons that nobody leaves or joins: each year's full-year persons are 1000, its
    benefit cost 1000 x cost, whatever else changes. Written as folder/group.toml."""
    folder.mkdir(parents=True, exist_ok=True)
    text = f"""
[scenario]
name = "Closed group"
start = "2020-01"
end = "{end}"
discount_rate = 0.0

[states.kh]
initial = 1000
cost = {cost}
cost_basis = "net"

[states.job]
kind = "outside"

[[transitions]]
from = "kh"
to = "job"
probability = 0.0

[strategies.baseline]
label = "Baseline"
"""
    if second_strategy:
        text += f'\n[strategies.more]\nlabel = "More"\ninvestment = {investment}\n'
    path = folder / "group.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


# --- what a snapshot holds ------------------------------------------------------------------------

def test_a_snapshot_holds_the_numbers_of_the_run_tables(tmp_path):
    out = tmp_path / "kik2.json"
    assert invoke("snapshot", KIK2, "-o", str(out)).exit_code == 0
    stored = json.loads(out.read_text())["scenarios"]["aabenraa-kik2.toml"]["strategies"]
    result = kikcalc.run(KIK2)
    yearly = result.yearly.set_index(["strategy", "year", "state"]).full_year_persons
    for strategy in ("baseline", "kik2"):
        for year in (2018, 2021, 2024):
            for state in ("kontanthjaelp", "anden_ydelse"):
                assert stored[strategy]["years"][str(year)]["full_year_persons"][state] == round(yearly[strategy, year, state], 6)
    money = result.money.set_index(["strategy", "year"])
    assert stored["kik2"]["years"]["2021"]["money"]["net_saving"] == round(money.net_saving["kik2", 2021], 2)
    assert "cumulative_net_saving" not in stored["kik2"]["years"]["2021"]["money"]
    summary = result.summary.set_index("strategy")
    assert stored["kik2"]["summary"]["npv"] == round(summary.npv["kik2"], 2)
    assert stored["kik2"]["summary"]["payback_month"] == summary.payback_month["kik2"]
    for verdict in result.verdicts:
        held = stored[verdict.strategy]["targets"][verdict.target]
        assert held["met"] == verdict.met


def test_the_closed_group_snapshot_is_its_closed_form(tmp_path):
    out = tmp_path / "s.json"
    invoke("snapshot", closed_group(tmp_path / "a"), "-o", str(out))
    years = json.loads(out.read_text())["scenarios"]["group.toml"]["strategies"]["baseline"]["years"]
    assert set(years) == {"2020", "2021"}
    for year in years.values():
        assert year["full_year_persons"] == {"kh": 1000.0, "job": 0.0}
        assert year["money"]["benefit_cost_net"] == 1000 * 120_000


def test_a_snapshot_with_draws_holds_the_sensitivity_summary(tmp_path):
    out = tmp_path / "s.json"
    assert invoke("snapshot", KIK2, "--draws", "40", "--seed", "7", "-o", str(out)).exit_code == 0
    document = json.loads(out.read_text())
    assert document["sensitivity"] == {"draws": 40, "seed": 7, "sampler": "random"}
    held = document["scenarios"]["aabenraa-kik2.toml"]["strategies"]["kik2"]["sensitivity"]
    own = json.loads(invoke("sensitivity", KIK2, "--draws", "40", "--seed", "7", "--format", "json").stdout)
    kik2 = next(s for s in own["strategies"] if s["name"] == "kik2")
    assert held["npv"] == kik2["npv"]
    assert held["net_saving"]["2021"] == kik2["net_saving"]["2021"]
    assert held["payback_probability"] == kik2["payback_probability"]
    target = next(t for t in own["targets"] if t["strategy"] == "kik2" and t["name"] == "budget-2021")
    assert held["targets"]["budget-2021"]["probability_met"] == target["probability_met"]
    assert invoke("check", KIK2, "--against", str(out)).exit_code == 0  # the same draws again
    weaker = invoke("check", KIK2, "--against", str(out), "--set", "strategies.kik2.investment.2021=5_979_000", "--format", "json")
    paths = {c["path"] for c in json.loads(weaker.stdout)["changes"]}
    assert weaker.exit_code == 1 and {"sensitivity.npv.mean", "sensitivity.net_saving.2021.p50"} <= paths
    assert "sensitivity.net_saving.2020.p50" not in paths  # the same draws: 2020's saving does not depend on 2021's spending


def test_a_number_set_with_set_is_certain_in_the_snapshots_draws_as_in_sensitivity(tmp_path):
    """snapshot and check draw what kikcalc sensitivity draws: --set on an uncertain number was drawn over."""
    out = tmp_path / "s.json"
    weak = ("--set", "strategies.kik2.effects[0].multiply=1.0")
    result = invoke("snapshot", KIK2, "--draws", "40", "--seed", "7", "-o", str(out), *weak)
    assert result.exit_code == 0 and "is set with --set: it is certain in this run, not drawn" in result.output
    held = json.loads(out.read_text())["scenarios"]["aabenraa-kik2.toml"]["strategies"]["kik2"]["sensitivity"]
    own = json.loads(invoke("sensitivity", KIK2, "--draws", "40", "--seed", "7", "--format", "json", *weak).stdout)
    kik2 = next(s for s in own["strategies"] if s["name"] == "kik2")
    assert held["npv"] == kik2["npv"] and kik2["npv"]["mean"] < 0  # no effect to speak of: the investment is lost
    assert invoke("check", KIK2, "--against", str(out), *weak).exit_code == 0


def test_a_distribution_beyond_its_numbers_limits_is_refused_by_snapshot_as_by_sensitivity(tmp_path):
    wide = ("--set", 'uncertainty."strategies.kik2.effects[0].multiply".mean=990',
            "--set", 'uncertainty."strategies.kik2.effects[0].multiply".sd=50')
    words = "a lognormal here draws beyond the range at least once in 1,000,000 draws"
    for command in (("sensitivity",), ("snapshot", "-o", str(tmp_path / "s.json"))):
        result = invoke(*command, KIK2, "--draws", "20", *wide)
        assert result.exit_code == 2 and f'uncertainty."strategies.kik2.effects[0].multiply": {words}' in result.output
    assert not (tmp_path / "s.json").exists()


def test_seed_without_draws_is_a_usage_error():
    result = invoke("snapshot", KIK2, "--seed", "3")
    assert result.exit_code == 2 and "give --draws too" in result.output


def test_snapshot_never_writes_over_a_scenario_or_an_input(tmp_path):
    assert invoke("snapshot", KIK2, "-o", str(tmp_path / "x.toml")).exit_code == 2
    out = tmp_path / "s.json"
    invoke("snapshot", KIK2, "-o", str(out))
    result = invoke("check", KIK2, "--against", str(out), "-o", str(out))
    assert result.exit_code == 2 and "is an input file" in result.output


def test_two_files_of_the_same_name_cannot_share_a_snapshot(tmp_path):
    result = invoke("snapshot", closed_group(tmp_path / "a"), closed_group(tmp_path / "b"))
    assert result.exit_code == 2 and "same file name" in result.output


# --- check ---------------------------------------------------------------------------------------

def test_check_of_an_unchanged_run_is_exit_0(tmp_path):
    out = tmp_path / "s.json"
    invoke("snapshot", KIK2, "-o", str(out))
    result = invoke("check", KIK2, "--against", str(out))
    assert result.exit_code == 0, result.output
    assert "none moved" in result.output


def test_a_moved_cost_is_reported_with_its_closed_form_change(tmp_path):
    out = tmp_path / "s.json"
    invoke("snapshot", closed_group(tmp_path / "a"), "-o", str(out))
    changed = closed_group(tmp_path / "b", cost=132_000)
    result = invoke("check", changed, "--against", str(out), "--format", "json")
    assert result.exit_code == 1
    changes = {c["path"]: c for c in json.loads(result.stdout)["changes"]}
    # 1000 persons all year at 120,000 and then 132,000 kr. a year: 12 mio. kr. more, 10 % more, each year.
    for year in ("2020", "2021"):
        for line in ("benefit_cost_gross", "benefit_cost_net", "total_cost"):
            change = changes[f"years.{year}.money.{line}"]
            assert (change["old"], change["new"]) == (1000 * 120_000, 1000 * 132_000)
            assert change["change"] == 1000 * (132_000 - 120_000)
            assert change["relative_change"] == pytest.approx((132_000 - 120_000) / 120_000)
    assert not any("full_year_persons" in path for path in changes)  # nobody moved
    table = invoke("check", changed, "--against", str(out)).stdout
    assert "group.toml: baseline: years.2020.money.benefit_cost_net" in table
    assert re.search(r"years\.2020\.money\.benefit_cost_net +120,000,000\.00 +132,000,000\.00 +\+12,000,000\.00 +\+10 %", table)


def test_the_tolerance_is_atol_plus_rtol_times_the_old_value(tmp_path):
    out = tmp_path / "s.json"
    invoke("snapshot", closed_group(tmp_path / "a"), "-o", str(out))
    changed = closed_group(tmp_path / "b", cost=132_000)  # every kroner line 10 % (12 mio. kr. a year) up
    assert invoke("check", changed, "--against", str(out), "--rtol", "0.11").exit_code == 0
    assert invoke("check", changed, "--against", str(out), "--rtol", "0.09").exit_code == 1
    assert invoke("check", changed, "--against", str(out), "--rtol", "0", "--atol", "12000001").exit_code == 0
    assert invoke("check", changed, "--against", str(out), "--rtol", "0", "--atol", "11999999").exit_code == 1


def test_moved_by_hand():
    assert not moved(100.0, 100.5, rtol=0.0, atol=0.5)      # |0.5| <= 0.5
    assert moved(100.0, 100.5, rtol=0.0, atol=0.4)
    assert not moved(100.0, 101.0, rtol=0.01, atol=0.0)     # 1 <= 0.01 x 100
    assert moved(-100.0, -101.5, rtol=0.01, atol=0.0)       # 1.5 > 0.01 x |-100|
    assert moved(0.0, 1e-7, rtol=1.0, atol=0.0)             # nothing is relative to 0 but 0
    assert moved("2021-01", "2021-02", 1.0, 1.0) and not moved("2021-01", "2021-01", 0.0, 0.0)
    assert moved(True, False, 1.0, 1.0) and moved(None, 0.0, 1.0, 1.0) and moved(1, True, 1.0, 1.0)


def test_change_and_relative_change_by_hand():
    npv = Change(("f.toml", "kik2", "summary", "npv"), "moved", 200.0, 150.0)
    assert npv.change == -50.0 and npv.relative == -0.25
    assert Change(("f", "s", "x"), "moved", -200.0, -150.0).relative == 0.25  # relative to |old|
    assert Change(("f", "s", "x"), "moved", 0.0, 5.0).relative is None
    payback = Change(("f", "kik2", "summary", "payback_month"), "moved", "2021-01", "2022-06")
    assert payback.change == 17  # February 2021 to June 2022: 11 + 6 months
    assert payback.place == "f: kik2: summary.payback_month"


def test_missing_and_extra_scenarios_strategies_and_years_are_reported_once_each(tmp_path):
    out = tmp_path / "s.json"
    invoke("snapshot", closed_group(tmp_path / "a"), KIK2, "-o", str(out))
    longer = closed_group(tmp_path / "b", end="2022-12", second_strategy=True)
    result = invoke("check", longer, "--against", str(out), "--format", "json")
    assert result.exit_code == 1
    changes = json.loads(result.stdout)["changes"]
    absent = {(c["kind"], c["level"], c["scenario"], c["strategy"], c["path"]) for c in changes if c["kind"] != "moved"}
    assert absent == {("missing", "scenario", "aabenraa-kik2.toml", None, None),
                      ("extra", "strategy", "group.toml", "more", None),
                      ("extra", "year", "group.toml", "baseline", "years.2022")}
    table = invoke("check", longer, "--against", str(out)).stdout
    assert re.search(r"aabenraa-kik2\.toml \(the scenario\) +present +not in this run", table)
    assert re.search(r"group\.toml: more \(the strategy\) +not in the snapshot +present", table)


def test_update_rewrites_the_snapshot_deliberately(tmp_path):
    out = tmp_path / "s.json"
    invoke("snapshot", closed_group(tmp_path / "a"), "-o", str(out))
    changed = closed_group(tmp_path / "b", cost=132_000)
    result = invoke("check", changed, "--against", str(out), "--update")
    assert result.exit_code == 0 and "rewritten" in result.output
    assert invoke("check", changed, "--against", str(out)).exit_code == 0
    fresh = invoke("snapshot", changed).stdout
    assert snapshot.compare(json.loads(fresh), json.loads(out.read_text()), 0.0, 0.0) == []
    assert list(tmp_path.glob(".s.json.*")) == []  # no temporary file left


def test_check_in_markdown_for_a_ci_job_summary(tmp_path):
    out = tmp_path / "s.json"
    invoke("snapshot", closed_group(tmp_path / "a"), "-o", str(out))
    result = invoke("check", closed_group(tmp_path / "b", cost=132_000), "--against", str(out), "--format", "markdown")
    assert "### Changes" in result.stdout and "| where" in result.stdout


# --- bad snapshots --------------------------------------------------------------------------------

BAD_CASES = [
    ("not-json.json", "not JSON: Expecting"),
    ("not-an-object.json", 'not a kikcalc snapshot: expected a JSON object with "kikcalc_snapshot": 1'),
    ("no-mark.json", 'not a kikcalc snapshot: expected a JSON object with "kikcalc_snapshot": 1'),
    ("version-2.json", "kikcalc_snapshot: snapshot version 2; this kikcalc reads version 1"),
    ("version-true.json", "kikcalc_snapshot: snapshot version true; this kikcalc reads version 1"),
    ("version-a-number.json", 'kikcalc_version: expected the version of the kikcalc that wrote it, a text such as "0.1.0", got 2'),
    ("scenarios-a-list.json", "scenarios: expected an object of scenarios by file name"),
    ("strategies-missing.json", 'scenarios."group.toml": expected an object with "strategies"'),
    ("number-a-list.json", "scenarios.\"group.toml\".strategies.baseline.summary.npv: expected a number, a text, true, false, "
                           "null or an object, got a list"),
    ("nan.json", "NaN is not a JSON number"),
    # json keeps the last of two keys silently: this one passed the check on a number nobody chose
    ("key-twice.json", 'not a snapshot: the key "npv" twice in one object (a merge of two snapshots?)'),
    ("sensitivity-without-seed.json", 'sensitivity: expected null or an object with "draws" and "seed"'),
    ("sensitivity-draws-true.json", 'sensitivity: expected null or an object with "draws" and "seed"'),
    # check draws again with the snapshot's settings: a hand-edited 0 draws or unknown sampler was exit 3, 10**12 draws ran for ever
    ("sensitivity-out-of-range.json", "sensitivity.draws: expected a whole number from 1 to 1,000,000, got 0"),
    ("number-a-text.json", 'scenarios."aabenraa-kik2.toml".strategies.kik2.summary.npv: expected a number, a month "YYYY-MM", '
                           'true, false, null or an object, got the text "95201764.04" (a number is written without quotes)'),
    ("latin-1.json", "not UTF-8 text"),
    # a value where the run has an object of numbers, or the reverse: no table of changes could say what moved
    ("year-null.json", 'scenarios."aabenraa-kik2.toml".strategies.kik2.years.2021: expected an object of numbers, as '
                       "kikcalc writes here, got null"),
    ("number-an-object.json", 'scenarios."aabenraa-kik2.toml".strategies.kik2.summary.npv: expected a number, a text, '
                              "true, false or null, as kikcalc writes here, got an object"),
    # true where a number is, or a number where a verdict is: was "moved" (exit 1), as if the model had changed
    ("number-true.json", 'scenarios."aabenraa-kik2.toml".strategies.kik2.summary.npv: expected a number, as kikcalc writes '
                         "here, got true"),
    ("verdict-a-number.json", 'scenarios."aabenraa-kik2.toml".strategies.kik2.targets.payback.met: expected true or false, '
                              "as kikcalc writes here, got 1"),
]


@pytest.mark.parametrize(("name", "words"), BAD_CASES)
def test_a_bad_snapshot_is_exit_2_with_its_file_and_place(name, words):
    path = BAD / name
    result = invoke("check", KIK2, "--against", str(path))
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"{path}: "), result.output
    assert words in result.output


def test_a_bad_snapshot_names_every_bad_setting_of_its_draws():
    result = invoke("check", KIK2, "--against", str(BAD / "sensitivity-out-of-range.json"))
    assert result.exit_code == 2
    assert "sensitivity.seed: expected a whole number >= 0, got -1" in result.output
    assert 'sensitivity.sampler: expected one of random, lhs, sobol, got "bogus"' in result.output


def test_every_bad_snapshot_is_a_case():
    assert {p.name for p in BAD.iterdir()} == {name for name, _ in BAD_CASES}


def test_a_missing_snapshot_says_how_to_write_one(tmp_path):
    result = invoke("check", KIK2, "--against", str(tmp_path / "none.json"))
    assert result.exit_code == 2 and "kikcalc snapshot FILE... -o" in result.output


def test_update_never_writes_over_a_bad_snapshot():
    before = (BAD / "version-2.json").read_bytes()
    assert invoke("check", KIK2, "--against", str(BAD / "version-2.json"), "--update").exit_code == 2
    assert (BAD / "version-2.json").read_bytes() == before


def test_check_with_set_asks_would_ci_notice_and_never_updates(tmp_path):
    out = tmp_path / "s.json"
    invoke("snapshot", closed_group(tmp_path / "a"), "-o", str(out))
    result = invoke("check", closed_group(tmp_path / "b"), "--against", str(out), "--set", "states.kh.cost=132000",
                    "--format", "json")
    assert result.exit_code == 1
    assert "set states.kh.cost = 132000 (file: 120000)" in result.stderr
    change = next(c for c in json.loads(result.stdout)["changes"] if c["path"] == "years.2021.money.benefit_cost_net")
    assert change["change"] == 1000 * (132_000 - 120_000)
    refused = invoke("check", closed_group(tmp_path / "b"), "--against", str(out), "--set", "states.kh.cost=132000", "--update")
    assert refused.exit_code == 2 and "--update with --set" in refused.output


def test_kroner_are_shown_to_the_ore_and_other_numbers_to_6_decimals():
    from kikcalc.report_snapshot import rows

    def shown(where, old, new):
        return rows([Change(("f.toml", "s", *where), "moved", old, new)])[0][1:]

    assert shown(("years", "2021", "money", "net_saving"), 1000.0, 1250.5) == ["1,000.00", "1,250.50", "+250.50", "+25.1 %"]
    assert shown(("summary", "return_per_krone"), 2.5, 2.25) == ["2.5", "2.25", "-0.25", "-10 %"]
    assert shown(("sensitivity", "npv_positive_probability"), 0.994, 0.9935)[2] == "-0.0005"
    assert shown(("targets", "npv-cost", "value"), 800.1234567, 800.0)[:2] == ["800.123457", "800"]


def test_check_writes_its_report_to_a_file_in_markdown_or_json_only(tmp_path):
    out = tmp_path / "s.json"
    invoke("snapshot", closed_group(tmp_path / "a"), "-o", str(out))
    report = tmp_path / "check.md"
    result = invoke("check", closed_group(tmp_path / "b", cost=132_000), "--against", str(out), "--output", str(report))
    assert result.exit_code == 1 and report.read_text(encoding="utf-8").count("| group.toml: baseline:") == 6
    refused = invoke("check", closed_group(tmp_path / "b"), "--against", str(out), "--output", str(tmp_path / "check.csv"))
    assert refused.exit_code == 2 and "kikcalc check writes table, markdown, json" in refused.output


@pytest.mark.parametrize("option", ["--rtol", "--atol"])
@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-nan"])
def test_a_tolerance_that_lets_every_change_pass_is_refused(tmp_path, option, value):
    """nan passed click.FloatRange(0) and made every comparison false: a moved number was exit 0 ("none moved")."""
    out = tmp_path / "s.json"
    invoke("snapshot", closed_group(tmp_path / "a"), "-o", str(out))
    changed = closed_group(tmp_path / "b", cost=132_000)
    assert invoke("check", changed, "--against", str(out)).exit_code == 1
    result = invoke("check", changed, "--against", str(out), option, value)
    assert result.exit_code == 2
    assert option in result.output and "finite number >= 0" in result.output


def test_a_snapshot_number_beyond_28_digits_is_shown_as_moved(tmp_path):
    """An edited snapshot's 1e308 (a valid JSON number) was exit 3: babel's Decimal quantisation overflowed."""
    out = tmp_path / "s.json"
    invoke("snapshot", closed_group(tmp_path / "a"), "-o", str(out))
    document = json.loads(out.read_text(encoding="utf-8"))
    document["scenarios"]["group.toml"]["strategies"]["baseline"]["years"]["2020"]["money"]["total_cost"] = 1e308
    out.write_text(json.dumps(document), encoding="utf-8")
    result = invoke("check", str(tmp_path / "a" / "group.toml"), "--against", str(out))
    assert result.exit_code == 1, result.output
    assert re.search(r"years\.2020\.money\.total_cost +100,000,000,000,", result.stdout)


def test_the_gitlab_line_of_ci_md_keeps_kikcalcs_exit_code(tmp_path):
    """docs/ci.md's GitLab job runs ``kikcalc check ... || (...)``: a bad snapshot must stay exit 2 there and a moved
    number exit 1, so that ``allow_failure: exit_codes: [1]`` never lets an unreadable snapshot pass as a warning."""
    import os
    import shutil
    import subprocess
    import sys

    text = (Path(__file__).resolve().parent.parent / "docs" / "ci.md").read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if "--output check.md ||" in x).strip().removeprefix("- ")
    scenario = tmp_path / "scenarios" / "group.toml"
    scenario.parent.mkdir()
    shutil.copy(KIK2, scenario)
    env = {**os.environ, "PYTHONPATH": str(Path(kikcalc.__file__).resolve().parent.parent)}
    command = line.replace("kikcalc check", f"{sys.executable} -m kikcalc check", 1)

    def run_line() -> int:
        return subprocess.run(["sh", "-c", command], cwd=tmp_path, env=env, capture_output=True).returncode

    (tmp_path / "expected.json").write_bytes((BAD / "not-json.json").read_bytes())
    assert run_line() == 2
    assert invoke("snapshot", str(scenario), "-o", str(tmp_path / "expected.json")).exit_code == 0
    assert run_line() == 0
    scenario.write_text(scenario.read_text(encoding="utf-8").replace("4_979_000", "5_979_000"), encoding="utf-8")
    assert run_line() == 1
    assert "summary.investment" in (tmp_path / "check.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(("old", "new", "words"), [("2021-04", "2021-05", "+1 month"), ("2021-05", "2021-04", "-1 month"),
                                                    ("2020-01", "2021-01", "+12 months")])
def test_a_month_that_moved_says_by_how_many_months_in_good_english(old, new, words):
    from kikcalc import report_snapshot

    change = Change(("a.toml", "kik2", "targets", "payback", "first_month_met"), "moved", old, new)
    table = report_snapshot.check_document([change], "s.json", 1, snapshot.RTOL, snapshot.ATOL, "table", False)
    assert re.search(rf"{re.escape(words)}(?!s)", table), table  # "+1 months" before


def test_a_snapshot_of_another_kikcalc_is_checked_with_a_note_that_says_so(tmp_path):
    path = tmp_path / "s.json"
    assert invoke("snapshot", KIK2, "-o", str(path)).exit_code == 0
    assert snapshot.version_note(snapshot.read(str(path)), str(path), kikcalc.__version__) is None
    document = json.loads(path.read_text(encoding="utf-8"))
    document["kikcalc_version"] = "99.0.0"
    path.write_text(json.dumps(document), encoding="utf-8")
    result = invoke("check", KIK2, "--against", str(path))
    assert result.exit_code == 0, result.output  # the same layout: the numbers are compared as ever
    assert f"note: {path} was written by kikcalc 99.0.0; this is kikcalc {kikcalc.__version__}" in result.output


def test_a_group_of_numbers_only_one_side_has_is_shown_present_not_null(tmp_path):
    from kikcalc import report_snapshot

    path = tmp_path / "s.json"
    assert invoke("snapshot", KIK2, "--draws", "20", "-o", str(path)).exit_code == 0
    text = Path(KIK2).read_text(encoding="utf-8")
    start, end = text.index("\n[uncertainty]\n"), text.index("\n[observed]\n")  # [uncertainty] and [[correlations]]
    plain = tmp_path / Path(KIK2).name
    plain.write_text(text[:start] + text[end:], encoding="utf-8")
    result = invoke("check", str(plain), "--against", str(path), "--format", "json")
    assert result.exit_code == 1
    changes = json.loads(result.stdout)["changes"]
    assert [(c["strategy"], c["path"], c["kind"], c["level"]) for c in changes] == [
        ("baseline", "sensitivity", "missing", "group"), ("kik2", "sensitivity", "missing", "group")]
    row = report_snapshot.rows([Change(("a.toml", "kik2", "sensitivity"), "missing", None, None, True)])[0]
    assert row[:3] == ["a.toml: kik2: sensitivity (the group)", "present", "not in this run"]  # "null" before
