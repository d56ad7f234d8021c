"""Goal seeking (kikcalc/goalseek.py, `kikcalc solve`): values against closed forms, the re-run check,
the no-solution and non-monotone cases, and bad input."""

from __future__ import annotations

import io
import json
import re

import numpy as np
import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

import kikcalc
from conftest import SCENARIOS, one_state, with_changes
from kikcalc import limits
from kikcalc.cli import main
from kikcalc.errors import UsageError
from kikcalc.goalseek import SolveError, check, evaluate, problem, solve
from kikcalc.scenario import build

KIK2 = str(SCENARIOS / "aabenraa-kik2.toml")
KICKSTARTER = str(SCENARIOS / "aalborg-kickstarter.toml")
MICROLOANS = str(SCENARIOS / "aalborg-microloans.toml")
N = 1000.0


def invoke(*args: str):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def level(month: str, comparison: str, threshold: float) -> dict:
    return {"name": "level", "states": ["kh"], "at": month, comparison: threshold}


def one_state_with(*targets: dict, **state) -> kikcalc.Scenario:
    """1,000 persons in kh, no inflow, leaving to job with probability p a month (0.1 in the file)."""
    return build(with_changes(one_state(p_exit=0.1, initial=N, **state), targets=list(targets)))


# --- closed forms ------------------------------------------------------------------------------------


@pytest.mark.parametrize("month, m, h", [("2020-01", 0, 700.0), ("2020-07", 6, 400.0), ("2021-06", 17, 50.0)])
def test_exit_rate_for_a_level_at_a_month_is_the_closed_form(month, m, h):
    # Without inflow the headcount at the start of month t is N q^t, q = 1 - p. A level target "at" a
    # month judges its full-time persons, the mean of the stock at its start and end:
    # F[m] = (N q^m + N q^(m+1)) / 2, so the target is exactly at h where q^(m+1) + q^m = 2 h / N.
    coefficients = np.zeros(m + 2)  # of q^(m+1), q^m, ..., q^0
    coefficients[:2] = 1.0
    coefficients[-1] -= 2 * h / N
    roots = np.roots(coefficients)
    q = next(r.real for r in roots if abs(r.imag) < 1e-12 and 0 < r.real < 1)
    solution = solve(one_state_with(level(month, "below", h)), "level", "transitions[0].probability")
    assert solution.status == "solved" and solution.monotone
    (crossing,) = solution.crossings
    assert crossing.number == pytest.approx(1 - q, rel=1e-9)
    assert crossing.met_above  # more leave: fewer persons
    assert crossing.check.value == pytest.approx(h, rel=1e-9)
    assert (solution.low, solution.high) == (0.0, 1.0)  # a probability: its whole domain


def test_the_break_even_bonus_is_the_closed_form():
    # NPV is linear in the bonus per further job: NPV(b) = NPV(40.000) - (b - 40.000) D, D the discounted
    # number of further jobs (tests/test_case_kickstarter.py), so b* = 40.000 + NPV(40.000) / D.
    scenario = kikcalc.load(KICKSTARTER)
    npv = kikcalc.run(scenario).summary.set_index("strategy").npv["kickstarter"]
    d = sum(1.035 ** (-t / 12) for t in range(8, 26))
    solution = solve(scenario, "npv", "strategies.kickstarter.flow_costs[1].amount")
    (crossing,) = solution.crossings
    assert crossing.number == pytest.approx(40_000 + npv / d, rel=1e-10)
    assert not crossing.met_above
    assert solution.problem.strategy == scenario.strategy_names.index("kickstarter")  # the number's own strategy


def test_payback_is_solved_on_the_cumulative_net_saving():
    # The loans pay back by the horizon's end when the cumulative saving then is 0: a loan may cost the
    # benefit months 8.4 borrowers save, 8.4 x 10.000 x (4 - 3.5 x 0.75^23) kr., over 14 loans.
    months = 0.5 + 0.5 * (1 + 0.75) * (1 - 0.75**23) / (1 - 0.75)
    solution = solve(kikcalc.load(MICROLOANS), "payback", "strategies.laan.programmes[0].cost_per_participant")
    (crossing,) = solution.crossings
    assert crossing.number == pytest.approx(8.4 * 10_000 * months / 14, rel=1e-9)
    assert crossing.check.value == pytest.approx(0, abs=1e-6)  # kr.
    assert crossing.check.payback_month in (23, -1)  # at the threshold: paid back in the last month, or just not


def test_a_rerun_of_the_file_with_the_value_set_meets_the_target_exactly():
    path = "strategies.kik2.effects[0].multiply"
    solution = solve(kikcalc.load(KIK2), "under-800-maj-2022", path)
    (crossing,) = solution.crossings
    result = kikcalc.run(kikcalc.load(KIK2, overrides=[(path, crossing.number)]))
    verdict = result.targets.set_index(["name", "strategy"]).loc[("under-800-maj-2022", "kik2")]
    assert verdict.value == pytest.approx(800.0, abs=1e-6)
    assert abs(verdict.margin) < 1e-6
    assert crossing.check.margin == pytest.approx(verdict.margin, abs=1e-9)
    # just inside the met side it is met, just outside it is missed
    for step, met in ((1e-6, True), (-1e-6, False)):
        moved = kikcalc.run(kikcalc.load(KIK2, overrides=[(path, crossing.number + step)]))
        assert bool(moved.targets.set_index(["name", "strategy"]).met[("under-800-maj-2022", "kik2")]) is met


def test_a_scan_is_one_run_of_many_draws_equal_to_runs_one_by_one():
    seek = problem(kikcalc.load(KIK2), "853-ultimo-2020", "strategies.kik2.effects[1].multiply")
    numbers = np.array([0.5, seek.value_in_file, 2.2])
    scan = evaluate(seek, numbers)
    for i, number in enumerate(numbers):
        one = check(seek, number)
        assert scan.value[i] == pytest.approx(one.value, rel=1e-12)
        assert scan.margin[i] == pytest.approx(one.margin, rel=1e-9, abs=1e-9)
    assert scan.value[1] == pytest.approx(kikcalc.run(KIK2).targets.set_index(["name", "strategy"]).value[("853-ultimo-2020", "kik2")])


def test_values_that_cannot_run_are_left_out():
    # The whole band table of the exit to job as one probability: above about 0.68, with KIK II's
    # effect of 1.45 and the exit to another benefit, leaving would be more likely than 1.
    solution = solve(kikcalc.load(KIK2), "853-ultimo-2020", "transitions[0].probability")
    assert solution.problem.in_file == "table"
    assert not solution.scan.usable[-1] and solution.scan.usable[0]
    assert 0.6 < solution.scan.number[~solution.scan.usable].min() < 0.7
    (crossing,) = solution.crossings
    assert crossing.check.value == pytest.approx(853.0, abs=1e-6)


def test_the_search_widens_from_the_files_value():
    # A bonus (kr., any sign) from 40.000: +-40.000, +-80.000, +-160.000 until the verdict changes at 156.281.
    solution = solve(kikcalc.load(KICKSTARTER), "npv", "strategies.kickstarter.flow_costs[1].amount")
    assert (solution.low, solution.high) == (-120_000, 200_000)
    assert not solution.given


# --- no solution, many solutions, jumps ----------------------------------------------------------------


def test_never_met_reports_the_best_margin_and_where():
    # F[0] = (1000 + 1000 (1 - p)) / 2 = 1000 - 500 p >= 500: under 400 in the first month is out of reach.
    solution = solve(one_state_with(level("2020-01", "below", 400)), "level", "transitions[0].probability")
    assert solution.status == "never_met" and not solution.crossings
    assert solution.best.number == 1.0 and solution.best.margin == pytest.approx(-100.0)
    assert [p.margin for p in solution.ends] == pytest.approx([-600.0, -100.0])


def test_always_met_reports_the_margin_at_the_ends():
    solution = solve(one_state_with(level("2020-01", "below", 1100)), "level", "transitions[0].probability")
    assert solution.status == "always_met"
    assert [p.margin for p in solution.ends] == pytest.approx([100.0, 600.0])
    assert solution.least.number == 0.0


def test_a_target_that_is_not_monotone_gives_every_crossing():
    # Persons moved in months 6-11 are N (q^6 - q^12): few when hardly anyone leaves, few when everyone
    # has left before July. At least 200 is met between the two roots of y - y^2 = 0.2, y = q^6.
    moved = {"name": "moved", "flow_from": "kh", "flow_to": "job", "start": "2020-07", "end": "2020-12", "min": 200}
    solution = solve(one_state_with(moved), "moved", "transitions[0].probability")
    y = (1 + np.array([1.0, -1.0]) * np.sqrt(1 - 0.8)) / 2
    assert solution.status == "solved" and not solution.monotone
    assert [c.number for c in solution.crossings] == pytest.approx(1 - y ** (1 / 6), rel=1e-9)
    assert [c.met_above for c in solution.crossings] == [True, False]
    assert [c.check.value for c in solution.crossings] == pytest.approx([200.0, 200.0], rel=1e-9)


def _grant_scenario() -> kikcalc.Scenario:
    """A strategy that spends 30 mio. kr. a year and wins a 50 mio. kr. grant only if under 200 are left."""
    raw = one_state(p_exit=0.05)
    raw["strategies"]["s"] = {"label": "S", "investment": 30_000_000, "effects": [{"from": "kh", "to": "job", "multiply": 1.5}],
                              "grants": [{"name": "bonus", "amount": 50_000_000, "paid": "2021-12", "if_target": "low"}]}
    raw["targets"] = [level("2021-12", "below", 200) | {"name": "low"}, {"name": "npv", "npv_min": 0}]
    return build(raw)


def test_a_margin_that_jumps_across_the_threshold_is_reported_as_a_jump():
    scenario = _grant_scenario()
    effect = solve(scenario, "low", "strategies.s.effects[0].multiply").crossings[0]
    (crossing,) = solve(scenario, "npv", "strategies.s.effects[0].multiply").crossings
    assert crossing.number == pytest.approx(effect.number, rel=1e-9)  # where the grant is won
    below, above = crossing.jump
    assert below < -1e6 and above > 1e6
    assert above - below == pytest.approx(50_000_000 * 1.035 ** (-23 / 12), rel=1e-3)
    assert effect.jump is None


# --- the command ----------------------------------------------------------------------------------------


def test_solve_prints_the_value_and_the_check():
    result = invoke("solve", KIK2, "--target", "under-800-maj-2022", "--vary", "strategies.kik2.effects[0].multiply")
    assert result.exit_code == 0, result.output
    solution = solve(kikcalc.load(KIK2), "under-800-maj-2022", "strategies.kik2.effects[0].multiply")
    assert f"strategies.kik2.effects[0].multiply = {solution.crossings[0].number:.6g}" in result.stdout
    # a factor from 0, searched to twice the file's value
    assert solution.low == 0 and solution.high == pytest.approx(2 * solution.problem.value_in_file)
    assert f"The target is met above this value and missed below it, from 0 to {solution.high:.6g}." in result.stdout
    assert "< 800.0" in result.stdout and "+0.0" in result.stdout


@pytest.mark.parametrize("threshold, status, words", [(400, "never_met", "No value of transitions[0].probability from 0 to 1 meets"),
                                                      (1100, "always_met", "Every value of transitions[0].probability from 0 to 1 meets")])
def test_no_solution_exits_1_with_a_clear_message(tmp_path, threshold, status, words):
    file = tmp_path / "one.toml"
    file.write_text(_toml(threshold), encoding="utf-8")
    result = invoke("solve", str(file), "--target", "level", "--vary", "transitions[0].probability")
    assert result.exit_code == 1
    assert words in result.stdout
    assert "kikcalc: no solution: no value of transitions[0].probability from 0 to 1" in result.stderr
    data = json.loads(invoke("solve", str(file), "-t", "level", "-v", "transitions[0].probability", "-f", "json").stdout)
    assert data["status"] == status and data["solutions"] == []
    assert [p["point"] for p in data["points"]] == ["lowest value", "highest value", "best" if status == "never_met" else "least"]


def _toml(threshold: float) -> str:
    return f"""
[scenario]
name = "one state"
start = "2020-01"
end = "2021-12"

[states.kh]
initial = 1000
cost = 120_000

[states.job]
kind = "outside"

[[transitions]]
from = "kh"
to = "job"
probability = 0.1

[strategies.baseline]
label = "Baseline"

[[targets]]
name = "level"
states = ["kh"]
at = "2020-01"
below = {threshold}
"""


def test_formats(tmp_path):
    args = ["solve", KICKSTARTER, "--target", "npv", "--vary", "strategies.kickstarter.flow_costs[1].amount"]
    value = solve(kikcalc.load(KICKSTARTER), "npv", "strategies.kickstarter.flow_costs[1].amount").crossings[0].number
    data = json.loads(invoke(*args, "--format", "json").stdout)
    assert data["status"] == "solved" and data["monotone"] is True
    assert data["solutions"][0]["number"] == pytest.approx(value, rel=1e-12)
    assert data["vary"] == {"key_path": "strategies.kickstarter.flow_costs[1].amount", "what": "an amount in kr. per person",
                            "value_in_file": 40_000,
                            "limits": {"low": limits.KRONER_PER_MOVE.low, "high": limits.KRONER_PER_MOVE.high}}
    assert data["target"]["strategy"] == "kickstarter" and data["target"]["unit"] == "kr."
    assert len(data["scan"]["number"]) == 64
    table = pd.read_csv(io.StringIO(invoke(*args, "--format", "csv").stdout))
    assert list(table.point) == ["crossing 1"] and table.number[0] == pytest.approx(value, abs=0.01)
    assert table.margin[0] == pytest.approx(0, abs=0.01)
    danish = invoke(*args, "--format", "csv-da").stdout
    assert danish.startswith("\ufeff") and ";" in danish
    assert invoke(*args, "--format", "markdown").stdout.startswith("# Kickstarter, Aalborg: solve")
    out = tmp_path / "solve.xlsx"
    assert invoke(*args, "--output", str(out)).exit_code == 0
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["solve", "scan", "notes", "provenance"]
    assert book["solve"]["H2"].value == pytest.approx(value, abs=0.01)


def test_set_and_between_are_used():
    args = ["solve", KIK2, "--target", "under-800-maj-2022", "--vary", "strategies.kik2.effects[0].multiply"]
    result = invoke(*args, "--between", "1", "2", "--set", "strategies.kik2.effects[1].multiply=2")
    assert result.exit_code == 0
    assert "Searched: 1 to 2 (--between)" in result.stdout
    assert "Set: strategies.kik2.effects[1].multiply = 2" in result.stdout
    scenario = kikcalc.load(KIK2, overrides=[("strategies.kik2.effects[1].multiply", 2)])
    expected = solve(scenario, "under-800-maj-2022", "strategies.kik2.effects[0].multiply", between=(1, 2)).crossings[0].number
    assert f"= {expected:.6g}" in result.stdout
    # more leave for another benefit: fewer need to leave for self-support
    assert expected < solve(kikcalc.load(KIK2), "under-800-maj-2022", "strategies.kik2.effects[0].multiply").crossings[0].number


# --- bad input ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("args, message", [
    (["--target", "undr-800-maj-2022", "--vary", "strategies.kik2.effects[0].multiply"],
     'kikcalc: --target undr-800-maj-2022: no such target in ' + KIK2 + ' (there are under-800-maj-2022, 853-ultimo-2020, '
     'budget-2021, payback); did you mean "under-800-maj-2022"?'),
    (["--target", "payback", "--vary", "strategies.kik2.effects[0].multiplY"],
     "kikcalc: --vary strategies.kik2.effects[0].multiplY: no such key path (the file has no strategies.kik2.effects[0].multiplY); "
     "nearest: strategies.kik2.effects[0].multiply"),
    (["--target", "payback", "--vary", "strategies.kik2.effects[0].ramp_months"], "is part of the model's structure"),
    (["--target", "payback", "--vary", "strategies.kik2.effects"], "names a table or list; name one of its numbers"),
    (["--target", "payback", "--vary", "strategies.kik2.effects[0.multiply"], "not a valid key path"),
    (["--target", "payback", "--vary", "transitions[0].probability", "--between", "0", "1.5"],
     "kikcalc: --between 0 1.5: expected a monthly probability between 0 and 1, got 1.5"),
    (["--target", "payback", "--vary", "scenario.discount_rate", "--between", "0.05", "0.01"],
     "kikcalc: --between 0.05 0.01: expected LO below HI"),
    (["--target", "payback", "--vary", "scenario.discount_rate", "--strategy", "kik3"],
     'kikcalc: --strategy kik3: no such strategy in ' + KIK2 + ' (there are baseline, kik2); did you mean "kik2"?'),
    (["--target", "payback", "--vary", "scenario.discount_rate", "--strategy", "baseline"],
     "kikcalc: --target payback: is not judged for strategy baseline (a money target compares a strategy with the baseline)"),
    (["--target", "payback", "--vary", "strategies.kik2.investment.2019", "--set", "strategies.kik2.investment.2019=1"],
     "kikcalc: --vary strategies.kik2.investment.2019: is set by --set strategies.kik2.investment.2019 as well; give it one way"),
])
def test_bad_input_exits_2_with_a_clear_message(args, message):
    result = invoke("solve", KIK2, *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert not result.stdout


def test_a_number_of_another_strategy_is_refused():
    with pytest.raises(SolveError, match=r"is a number of strategy observed; it does not act on target"):
        solve(kikcalc.load(SCENARIOS / "aabenraa-ips-ung.toml"), "npv", "strategies.observed.investment.2024", strategy="target")
    assert issubclass(SolveError, UsageError)


def test_between_beyond_the_limits_is_bad_input():
    """--between is held to the number's limits (docs/scenario-format.md), as the file's own number is."""
    result = invoke("solve", KICKSTARTER, "--target", "npv", "--vary", "strategies.kickstarter.flow_costs[1].amount",
                    "--between", "0", "1e12")
    assert result.exit_code == 2
    assert (f"expected an amount in kr. per person {limits.KRONER_PER_MOVE.words()}, got 1e+12" in result.stderr)


def test_locale_da_writes_solves_headings_and_columns_in_danish():
    from kikcalc.locale import phrase

    args = ["solve", str(SCENARIOS / "aabenraa-kik2.toml"), "-t", "under-800-maj-2022", "-v", "strategies.kik2.effects[0].multiply"]
    english = CliRunner().invoke(main, args).stdout
    danish = CliRunner().invoke(main, [*args, "--locale", "da"]).stdout
    for words in ("Check: the scenario run again with the value set as if the file said so", "target met", "threshold",
                  "above it"):
        assert words in english and words not in danish and phrase(words, "da") in danish
    assert english.startswith("KIK II, AABENRAA: SOLVE") and danish.startswith("KIK II, AABENRAA: LØSNING")


def test_a_number_the_target_does_not_depend_on_is_said_so():
    """A caseload target does not move with the discount rate: the search finds no crossing anywhere, and the report
    says why instead of sending the user to search elsewhere (exit 1: no value changes the verdict)."""
    args = ["solve", KIK2, "--target", "under-800-maj-2022", "--vary", "scenario.discount_rate"]
    solution = solve(kikcalc.load(KIK2), "under-800-maj-2022", "scenario.discount_rate")
    assert solution.status == "always_met" and solution.flat
    result = invoke(*args)
    assert result.exit_code == 1
    assert "The target does not depend on scenario.discount_rate" in result.stdout
    assert "under-800-maj-2022 does not depend on scenario.discount_rate" in result.stderr
    assert "searches elsewhere" not in result.stderr
    assert json.loads(invoke(*args, "--format", "json").stdout)["flat"] is True
    # a number it does depend on, searched where the verdict does not change: not flat, and searching elsewhere helps
    narrow = solve(kikcalc.load(KIK2), "under-800-maj-2022", "strategies.kik2.effects[0].multiply", between=(1, 1.01))
    assert narrow.status == "never_met" and not narrow.flat


def test_a_range_given_too_narrow_to_see_the_target_move_is_not_called_independence():
    """With --between 0 1e-300 the margin of an effect the target does depend on is the same at every value: the
    report says the target does not move there and to search wider, not that it does not depend on the number."""
    args = ["solve", KIK2, "--target", "under-800-maj-2022", "--vary", "strategies.kik2.effects[0].multiply",
            "--between", "0", "1e-300"]
    assert solve(kikcalc.load(KIK2), "under-800-maj-2022", "strategies.kik2.effects[0].multiply", between=(0, 1e-300)).flat
    result = invoke(*args)
    assert result.exit_code == 1
    assert "does not move with strategies.kik2.effects[0].multiply from 0 to 1e-300" in result.stderr
    assert "search a wider range with --between" in result.stderr and "does not depend" not in result.output


def test_the_prices_the_kroner_are_in_are_said():
    """A money target solved with --prices says which kroner its margins are in, as run's header does."""
    from conftest import ROOT
    from kikcalc.formats._text import price_line
    from kikcalc.money import price_view

    example = str(ROOT / "docs" / "examples" / "prices-and-payers.toml")
    for prices in ("current", "fixed"):
        result = invoke("solve", example, "-t", "kommunen-tjener", "-v", "states.kontanthjaelp.cost", "--prices", prices)
        assert price_line(price_view(kikcalc.load(example), prices)) in result.stdout.splitlines()


def _solved_sheet(tmp_path, vary: str, name: str) -> tuple[list, tuple]:
    """The header and first row of a sheet of KIK II's workbook solved for under-800-maj-2022 by varying ``vary``."""
    out = tmp_path / "solve.xlsx"
    args = ["solve", KIK2, "--target", "under-800-maj-2022", "--vary", vary, "--output", str(out)]
    assert invoke(*args).exit_code == 0
    sheet = openpyxl.load_workbook(out)[name]
    return [cell.value for cell in sheet[1]], sheet[2]


def test_a_workbook_shows_the_value_solved_as_it_is_not_in_the_targets_unit(tmp_path):
    """The solve sheet's row unit is the target's (persons): its value, threshold and margin take it, but the number
    varied is in its own unit. A probability of 0.0253 was shown as 0.0 (and an effect of 1.2887 as 1.3)."""
    from kikcalc.formats.xlsx import PERSONS

    header, row = _solved_sheet(tmp_path, "transitions[0].probability", "solve")
    for column in ("number", "searched_from", "searched_to"):
        assert row[header.index(column)].number_format == "General", column
    assert row[header.index("margin")].number_format == PERSONS


def test_a_value_set_is_a_note_of_its_own_beside_a_csv_and_in_a_workbook(tmp_path):
    """Beside a CSV and on a workbook's notes sheet a value set is 'set PATH = VALUE (file: VALUE)', as every other
    command writes it there (solve wrote 'Set: PATH = VALUE', without the file's value)."""
    args = ["solve", KIK2, "--target", "under-800-maj-2022", "--vary", "strategies.kik2.effects[0].multiply",
            "--set", "states.kontanthjaelp.inflow=50"]
    scenario = kikcalc.load(KIK2, overrides=[("states.kontanthjaelp.inflow", 50)])
    from kikcalc.tables import set_notes

    (note,) = set_notes(scenario)
    assert f"note: {note}" in invoke(*args, "--format", "csv").stderr.splitlines()
    out = tmp_path / "solve.xlsx"
    assert invoke(*args, "--output", str(out)).exit_code == 0
    assert note in [row[0] for row in openpyxl.load_workbook(out)["notes"].iter_rows(values_only=True)]


@pytest.mark.parametrize(("option", "typed", "meant"), [("--target", "PAYBACK", "payback"), ("--target", " payback", "payback"),
                                                        ("--strategy", "KIK2", "kik2")])
def test_a_name_in_other_case_gets_the_name_meant(option, typed, meant):
    """difflib's ratio is case-blind to no one: PAYBACK and KIK2 got no 'did you mean'."""
    args = ["solve", KIK2, "--target", "payback", "--vary", "strategies.kik2.investment", option, typed]
    result = invoke(*args)
    assert result.exit_code == 2 and f'did you mean "{meant}"?' in result.output
    liability = invoke("liability", KIK2, "--strategy", "KIK2")
    assert liability.exit_code == 2 and 'did you mean "kik2"?' in liability.output


def test_the_scan_sheet_shows_the_targets_numbers_in_its_unit(tmp_path):
    from kikcalc.formats.xlsx import PERSONS

    header, row = _solved_sheet(tmp_path, "strategies.kik2.effects[0].multiply", "scan")
    assert [row[header.index(c)].number_format for c in ("value", "threshold", "margin")] == [PERSONS] * 3
    assert row[header.index("number")].number_format == "General"


@pytest.mark.parametrize("between", ["12", (1,), ("a", 2), object()])
def test_between_that_is_not_two_numbers_is_refused_by_the_solver_itself(between):
    """kikcalc.goalseek.solve(between="12") searched from 1 to 2: the check lived only in kikcalc.api."""
    with pytest.raises(SolveError, match=re.escape(f"--between {between!r}: expected two numbers")):
        solve(kikcalc.load(KIK2), "under-800-maj-2022", "strategies.kik2.effects[0].multiply", between=between)
