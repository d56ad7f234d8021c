"""The library's entry points beyond kikcalc.run (kikcalc.api): the same numbers as the commands, as DataFrames."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import kikcalc
from conftest import SCENARIOS
from kikcalc.cli import main
from kikcalc.errors import ScenarioError, UsageError

KIK2 = str(SCENARIOS / "aabenraa-kik2.toml")
PLAN = str(SCENARIOS / "aabenraa-kik2-plan.toml")
STATUS = str(SCENARIOS / "data" / "aabenraa-kik2-status-2021.csv")
LONG_TERM = str(SCENARIOS / "aabenraa-long-term-supported.toml")
LONG_TERM_DATA = str(SCENARIOS / "data" / "aabenraa-long-term-supported-2013-2017.csv")


def cli_json(*args: str) -> dict:
    result = CliRunner().invoke(main, [*args, "--format", "json"], catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def test_sensitivity_is_the_command_as_tables():
    psa = kikcalc.sensitivity(KIK2, draws=200, seed=7)
    document = cli_json("sensitivity", KIK2, "--draws", "200", "--seed", "7")
    assert psa.run.summary["draws_used"] == document["draws_used"] == 200
    npv = psa.summary[(psa.summary.strategy == "kik2") & (psa.summary.measure == "NPV of the net saving")].iloc[0]
    [kik2_document] = [entry for entry in document["strategies"] if entry["name"] == "kik2"]
    assert (npv["mean"], npv["p5"], npv["p95"]) == tuple(kik2_document["npv"][k] for k in ("mean", "p5", "p95"))
    assert len(psa.draws) == 200 * len(kikcalc.load(KIK2).strategies)  # one row per draw and strategy
    kik2 = psa.draws[psa.draws.strategy == "kik2"]
    assert kik2["npv"].mean() == pytest.approx(npv["mean"], rel=1e-12)  # the summary is of the draws


def test_sensitivity_module_is_still_a_module():
    """kikcalc.sensitivity is called and imported from: the module's own names stay where they were."""
    from kikcalc.sensitivity import Run, run

    assert kikcalc.sensitivity.run is run and kikcalc.sensitivity.Run is Run
    assert callable(kikcalc.sensitivity) and callable(kikcalc.followup)


def test_overrides_make_a_number_certain():
    psa = kikcalc.sensitivity(KIK2, draws=50, overrides=[("strategies.kik2.effects[0].multiply", 1.6)])
    assert "strategies.kik2.effects[0].multiply is set with --set: it is certain in this run, not drawn" in psa.notes
    assert "strategies.kik2.effects[0].multiply" not in set(psa.uncertain["path"])


def test_tornado_is_the_command_as_a_table():
    frame = kikcalc.tornado(KIK2, metric="npv")
    document = cli_json("tornado", KIK2, "--metric", "npv")
    assert frame.attrs["base"] == document["base"]
    assert list(frame["key_path"]) == [bar["key_path"] for bar in document["bars"]]
    assert list(frame["swing"]) == [bar["swing"] for bar in document["bars"]]


def test_calibrate_is_the_command_as_tables():
    fit = kikcalc.calibrate(LONG_TERM, observed=[LONG_TERM_DATA], fit=["states.langtidsforsorgede.inflow"])
    document = cli_json("calibrate", LONG_TERM, "--observed", LONG_TERM_DATA, "--fit", "states.langtidsforsorgede.inflow")
    assert fit.fitted["fitted"].iloc[0] == document["fitted"][0]["fitted"]
    assert isinstance(fit.residuals, pd.DataFrame) and len(fit.residuals) == len(document["residuals"])
    assert fit.holdout is None


def test_followup_is_the_command_as_a_table():
    follow = kikcalc.followup(PLAN, observed=[STATUS])
    assert follow.lines.equals(kikcalc.followup(PLAN, observed=STATUS).lines)  # one file given as itself
    document = cli_json("followup", PLAN, "--observed", STATUS)
    assert list(follow.lines["difference"]) == [line["difference"] for line in document["lines"]]


def test_solve_is_the_command_as_tables():
    goal = kikcalc.solve(KIK2, target="under-800-maj-2022", vary="strategies.kik2.effects[0].multiply")
    document = cli_json("solve", KIK2, "--target", "under-800-maj-2022", "--vary", "strategies.kik2.effects[0].multiply")
    assert goal.solution.status == document["status"] == "solved"
    solved = goal.solutions[goal.solutions.point == "crossing 1"]["number"].iloc[0]
    assert solved == document["solutions"][0]["number"]
    assert len(goal.scan) == len(document["scan"]["number"])


def test_a_loaded_scenario_takes_overrides_too():
    scenario = kikcalc.load(KIK2)
    fixed = kikcalc.sensitivity(scenario, draws=20, overrides={"strategies.kik2.effects[0].multiply": 1.6})
    assert fixed.run.scenario.overrides[-1][:2] == ("strategies.kik2.effects[0].multiply", 1.6)


def test_a_seed_the_command_line_takes_the_api_takes_too():
    """--seed takes any whole number from 0 (numpy's SeedSequence does); the API refused 2**63 and above."""
    huge = 2**64 + 3
    api = kikcalc.sensitivity(KIK2, draws=5, seed=huge)
    assert api.run.summary["seed"] == huge
    document = cli_json("sensitivity", KIK2, "--draws", "5", "--seed", str(huge))
    kik2 = next(s for s in document["strategies"] if s["name"] == "kik2")
    assert kik2["npv"]["mean"] == pytest.approx(api.draws[api.draws.strategy == "kik2"].npv.mean(), rel=1e-12)


@pytest.mark.parametrize(("call", "error", "words"), [
    (lambda: kikcalc.sensitivity(KIK2, draws=0), UsageError, "draws: expected a whole number from 1"),
    (lambda: kikcalc.sensitivity(KIK2, sampler="halton"), UsageError, "sampler: expected random, lhs or sobol"),
    (lambda: kikcalc.sensitivity(KIK2, seed=-1), UsageError, "seed: expected a whole number from 0, got -1"),
    (lambda: kikcalc.sensitivity(KIK2, seed=1.5), UsageError, "seed: expected a whole number from 0, got 1.5"),
    (lambda: kikcalc.sensitivity(KIK2, workers=0), UsageError, "workers: expected a whole number from 1 to 1,024, got 0"),
    (lambda: kikcalc.sensitivity(KIK2, workers=2.0), UsageError, "workers: expected a whole number"),
    (lambda: kikcalc.sensitivity(KIK2, draws=True), UsageError, "draws: expected a whole number from 1"),
    (lambda: kikcalc.solve(KIK2, target="under-800-maj-2022", vary="strategies.kik2.effects[0].multiply",
                           between=("a", 2)), UsageError, r"--between \('a', 2\): expected two numbers"),
    (lambda: kikcalc.solve(KIK2, target="under-800-maj-2022", vary="strategies.kik2.effects[0].multiply",
                           between=(0, 1e12)), UsageError, "between 0 and 1000"),
    (lambda: kikcalc.tornado(KIK2, strategy="kik3"), UsageError, 'did you mean "kik2"?'),
    (lambda: kikcalc.calibrate(LONG_TERM, observed=[LONG_TERM_DATA]), UsageError, "give at least one key path"),
    (lambda: kikcalc.followup(KIK2, observed=[KIK2]), ScenarioError, "aabenraa-kik2.toml"),
    (lambda: kikcalc.solve(KIK2, target="kik2_goal", vary="strategies.kik2.effects[0].multiply"), UsageError, "no such target"),
    # Python values of the wrong type: the argument named, not a traceback from inside (they were AttributeError,
    # TypeError from did_you_mean, numpy's "zero-size array", or, for between="12", a search from 1 to 2).
    (lambda: kikcalc.tornado(KIK2, metric=None), UsageError, "metric: expected a name as text, got None"),
    (lambda: kikcalc.tornado(KIK2, strategy=1), UsageError, "strategy: expected a name as text or None, got 1"),
    (lambda: kikcalc.solve(KIK2, target=None, vary="strategies.kik2.effects[0].multiply"), UsageError,
     "target: expected a name as text, got None"),
    (lambda: kikcalc.solve(KIK2, target="under-800-maj-2022", vary="strategies.kik2.effects[0].multiply",
                           between="12"), UsageError, "--between '12': expected two numbers"),
    (lambda: kikcalc.calibrate(LONG_TERM, observed=[LONG_TERM_DATA], fit=[None]), UsageError,
     "fit: expected a key path as text, got None"),
    (lambda: kikcalc.calibrate(LONG_TERM, observed=[LONG_TERM_DATA], fit="states.langtidsforsorgede.inflow",
                               holdout=-1), UsageError, "holdout: expected a whole number from 0, got -1"),
    (lambda: kikcalc.calibrate(LONG_TERM, observed=[LONG_TERM_DATA], fit="states.langtidsforsorgede.inflow",
                               holdout=None), UsageError, "holdout: expected a whole number from 0, got None"),
    (lambda: kikcalc.followup(PLAN, observed=pd.DataFrame({"a": [1]})), UsageError,
     "observed: expected a data file's path"),
    (lambda: kikcalc.sensitivity(KIK2, draws=3, dask=3), UsageError, "dask: expected a scheduler's address as text"),
    (lambda: kikcalc.sensitivity(KIK2, draws=3, progress=3), UsageError, "progress: expected a function"),
    (lambda: kikcalc.calibrate(LONG_TERM, observed=[LONG_TERM_DATA], fit="states.langtidsforsorgede.inflow",
                               mapping=["x=y"]), UsageError, "mapping: expected a dict .* got list"),
    (lambda: kikcalc.run({"name": "x"}), TypeError, r"got dict; .* kikcalc.scenario.build\(table\)"),
    (lambda: kikcalc.load(None), TypeError, "expected a scenario file's path .* got NoneType"),
    (lambda: kikcalc.load(KIK2, overrides=pd.DataFrame({"a": [1]})), TypeError, "overrides: expected .* got DataFrame"),
    (lambda: kikcalc.load(KIK2, overrides=[(None, 1.6)]), ScenarioError, "expected a key path as text, .* got NoneType"),
])
def test_bad_requests_raise_the_commands_errors(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_a_data_file_given_twice_is_named_as_such(tmp_path, monkeypatch):
    """--observed DATA --observed DATA made every count 'observed twice at row 5 and at row 5': the file is named as
    given twice, by any path to it."""
    from kikcalc.api import observations

    scenario = kikcalc.load(PLAN)
    with pytest.raises(UsageError, match="the same file is given twice; give each data file once"):
        observations(scenario, [STATUS, STATUS])
    monkeypatch.chdir(SCENARIOS)
    result = CliRunner().invoke(main, ["followup", PLAN, "--observed", STATUS, "--observed", "data/aabenraa-kik2-status-2021.csv"])
    assert result.exit_code == 2
    assert f"--observed data/aabenraa-kik2-status-2021.csv: the same file is given twice (as {STATUS})" in result.output
    assert len(observations(scenario, [STATUS])[0]) == 5


def test_the_api_passes_on_the_warnings_the_command_line_prints(tmp_path, monkeypatch):
    """kikcalc.api.followup's notes hold what the command line warns of: a count of a time not over on the day of
    the run (here SOURCE_DATE_EPOCH's 2026-01-01), as 'warning: ...'."""
    from kikcalc import api

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    data = tmp_path / "counts.csv"
    data.write_text("date,state,persons\n2024-12-31,kontanthjaelp,900\n2027-03-01,kontanthjaelp,700\n", encoding="utf-8")
    scenario = kikcalc.load(PLAN, overrides=[("scenario.end", "2027-12")])
    notes = api.followup(scenario, [data]).notes
    assert [n for n in notes if n.startswith("warning: ")] == [
        f"warning: {data} row 3, column C (persons): kontanthjaelp persons 2027-03-01 is after today (2026-01-01): it "
        f"cannot have been counted yet; a typo for another year, or a number of the plan among the counts?"]


def test_numpy_counts_are_whole_numbers():
    """A count from numpy (a loop over np.arange) is a whole number as Python's is; it was refused."""
    assert kikcalc.sensitivity(KIK2, draws=np.int64(5), seed=np.uint64(3)).run.summary["draws_used"] == 5
    fit = kikcalc.calibrate(LONG_TERM, observed=[LONG_TERM_DATA], fit=["states.langtidsforsorgede.inflow"],
                            holdout=np.int64(2))
    assert len(fit.holdout) == 2


@pytest.mark.parametrize("overrides", [
    [("strategies.kik2.effects[0].multiply", 1.6)],
    {"strategies.kik2.effects[0].multiply": 1.6},
    pd.Series({"strategies.kik2.effects[0].multiply": 1.6}),  # was "the truth value of a Series is ambiguous"
    "strategies.kik2.effects[0].multiply=1.6",  # one text, not its letters ("s: expected PATH=VALUE")
    ("strategies.kik2.effects[0].multiply", 1.6),  # one pair, not two items
    [("strategies.kik2.effects[0].multiply", np.float64(1.6))],
])
def test_overrides_in_every_shape_set_the_same_value(overrides):
    loaded = kikcalc.load(KIK2, overrides=overrides)
    assert loaded.overrides == (("strategies.kik2.effects[0].multiply", 1.6, 1.59152),)
    assert kikcalc.sensitivity(KIK2, draws=2, overrides=overrides).notes == [
        "strategies.kik2.effects[0].multiply is set with --set: it is certain in this run, not drawn"]


def test_liability_is_the_command_as_a_table():
    """kikcalc.liability had no entry point: kikcalc.liability.value(at=-1) valued the horizon's end without a word."""
    table = kikcalc.liability(KIK2, at="2020-01", years=10).table
    document = cli_json("liability", KIK2, "--at", "2020-01", "--years", "10")
    assert len(table) == len(document["rows"])
    for row, record in zip(table.to_dict("records"), document["rows"], strict=True):
        assert (row["strategy"], row["group"], row["state"], row["segment"]) == tuple(
            record[k] for k in ("strategy", "group", "state", "segment"))
        assert row["pv_net_cost_total"] == pytest.approx(record["pv_net_cost_total"], abs=0.01)


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"at": -1}, "--at -1: expected a month as YYYY-MM"),
    ({"at": "2030-01"}, "--at 2030-01: outside the horizon 2018-06 to 2024-12"),
    ({"years": 12.0}, "years: expected a whole number from 1 to 100, got 12.0"),
])
def test_liability_refuses_what_the_command_refuses(kwargs, words):
    with pytest.raises(UsageError, match=words):
        kikcalc.liability(KIK2, **kwargs)


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.toml")), ids=lambda p: p.name)
def test_the_frames_of_every_shipped_scenario_are_compares_json(path):
    """A notebook's tables are the command line's numbers: kikcalc.run's frames against compare --format json,
    to its rounding (kroner to the øre, persons to six decimals)."""
    from kikcalc import tables

    result = kikcalc.run(path)
    document = cli_json("compare", str(path), "-q")
    [scenario] = document["scenarios"]
    pairs = [(result.summary, scenario["strategies"]), (result.yearly, scenario["yearly"]),
             (result.money, scenario["money"]), (result.targets, scenario["targets"]),
             (result.programmes, scenario["programmes"]), (tables.comparison_frame([result]), document["comparison"])]
    for frame, rows in pairs:
        written = pd.DataFrame(rows, columns=list(frame.columns) if not rows else None)
        assert list(written.columns) == [str(c) for c in frame.columns]
        assert len(written) == len(frame)
        for mine, theirs in zip(frame.columns, written.columns, strict=True):
            for ours, json_value in zip(frame[mine], written[theirs], strict=True):  # a column may mix numbers and months
                if pd.isna(ours) or isinstance(ours, str | bool | np.bool_):
                    assert (None if pd.isna(json_value) else str(json_value)) == (None if pd.isna(ours) else str(ours))
                else:
                    assert float(json_value) == pytest.approx(float(ours), rel=1e-9, abs=0.006), (path.name, mine)


def test_a_path_given_as_bytes_is_named_as_text():
    """kikcalc.load(b"...") named the file b'...' in its path and every message."""
    assert kikcalc.load(KIK2.encode()).path == kikcalc.load(KIK2).path
    with pytest.raises(ScenarioError, match=r"^nope\.toml: no such file"):
        kikcalc.load(b"nope.toml")


def test_observed_files_in_any_sequence_are_read_and_anything_else_is_named():
    by_list = kikcalc.followup(PLAN, observed=[STATUS]).lines
    pd.testing.assert_frame_equal(kikcalc.followup(PLAN, observed=pd.Series([STATUS])).lines, by_list)
    pd.testing.assert_frame_equal(kikcalc.followup(PLAN, observed=(f for f in [STATUS])).lines, by_list)
    with pytest.raises(UsageError, match=r"observed: expected a data file's path .* got list of int"):
        kikcalc.followup(PLAN, observed=[3])


def test_a_numpy_array_set_by_key_path_is_the_list_it_holds():
    """A list given as a numpy array was refused ("got array([...])"); a 0-d array is its number."""
    as_lists = {"refusion": {"band_end_weeks": [4, 26, 52], "state_share": [0.8, 0.4, 0.3, 0.2]}}
    as_arrays = {"refusion": {"band_end_weeks": np.array([4, 26, 52]), "state_share": np.array([0.8, 0.4, 0.3, 0.2])}}
    assert kikcalc.load(KIK2, overrides=as_arrays).raw["refusion"] == kikcalc.load(KIK2, overrides=as_lists).raw["refusion"]
    assert kikcalc.load(KIK2, overrides={"strategies.kik2.effects[0].multiply": np.array(1.6)}).overrides[0][1] == 1.6
    with pytest.raises(ScenarioError, match=r"multiply: expected a factor, got a list"):
        kikcalc.load(KIK2, overrides={"strategies.kik2.effects[0].multiply": np.array([1.6])})


def test_a_strategy_the_file_lacks_is_named_by_every_function_that_takes_one():
    """tables.money_by_year gave IndexError "list index out of range", Result.strategy a bare KeyError 'kik3', and
    report.run_document and targets_document in csv, json or xlsx an empty table without a word."""
    from kikcalc import report, tables
    from kikcalc.errors import UnknownStrategy

    result = kikcalc.run(KIK2)
    calls = [lambda: tables.money_by_year(result, "kik3"), lambda: result.strategy("kik3"),
             *(lambda fmt=fmt: report.run_document(result, fmt, ["kik3"], monthly=False) for fmt in ("csv", "json", "xlsx")),
             lambda: report.targets_document([result], "csv", ["kik3"])]
    for call in calls:
        with pytest.raises(UnknownStrategy, match=r'--strategy kik3: no such strategy in .*did you mean "kik2"\?$'):
            call()
    with pytest.raises(KeyError):  # as Result.strategy has always raised
        result.strategy("kik3")
    assert result.strategy("kik2") == 1


def test_the_errors_of_a_request_are_caught_by_their_public_names():
    """A notebook catches kikcalc.UsageError as it catches kikcalc.ScenarioError (it had to import kikcalc.errors)."""
    with pytest.raises(kikcalc.UsageError, match="draws: expected a whole number"):
        kikcalc.sensitivity(KIK2, draws=0)
    assert "UsageError" in dir(kikcalc)
