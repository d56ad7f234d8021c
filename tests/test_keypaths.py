"""Key paths: the grammar, reading and setting a value of a file by its path, and --set on the command line."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import kikcalc
from conftest import SCENARIOS
from kikcalc import keypaths
from kikcalc.cli import main
from kikcalc.keypaths import KeyPathError
from kikcalc.result import run_scenario
from kikcalc.scenario import build, read
from kikcalc.scenario_reader import join as _join

SHIPPED = sorted(SCENARIOS.glob("*.toml"))
KIK2 = SCENARIOS / "aabenraa-kik2.toml"

# One example of each kind of key path, as error messages print them.
EXAMPLES = [
    "states.kontanthjaelp.inflow",              # a key in a table
    "states.kontanthjaelp.inflow.2021",         # a series entry by year
    "states.kh.inflow.2021-03",                 # ... by month
    "transitions[2].probability",               # a key in a list of tables
    "transitions[2].probability.0-5",           # an anciennitet band
    "transitions[0].probability.12+",           # an open band
    "transitions[2].mean_months",
    "strategies.kik2.effects[0].multiply",
    "strategies.kik2.investment",
    "strategies.pool.grants[1].amount",
    "scenario.discount_rate",
    "targets[0].max",
    "states.kh.initial_anciennitet.13",         # a mix by anciennitet month
    "strategies.x.programmes[0].outcomes.selvforsorgende",
    "refusion.state_share[2]",                  # a number in a list
    'states."a.b".label',                       # a key holding a dot
]


# --- the grammar -------------------------------------------------------------------------------

@pytest.mark.parametrize("path", EXAMPLES)
def test_parse_and_join_are_inverses(path):
    parts = keypaths.parse(path)
    assert keypaths.join(parts) == path
    assert keypaths.parse(keypaths.join(parts)) == parts


@pytest.mark.parametrize("path", EXAMPLES)
def test_the_reader_builds_the_same_paths_as_join(path):
    parts = keypaths.parse(path)
    built = parts[0]
    for part in parts[1:]:
        built = _join(built, part)
    assert built == path


def test_list_positions_are_ints_and_table_keys_stay_text():
    parts = keypaths.parse("transitions[2].probability.0-5")
    assert [type(p) for p in parts] == [str, int, str, str]
    assert keypaths.parse("states.kh.inflow.2021")[-1] == keypaths.parse('states.kh.inflow."2021"')[-1]
    assert all(isinstance(p, str) for p in keypaths.parse("states.kh.initial_anciennitet.13"))


def test_a_key_that_needs_quotes_is_quoted_and_comes_back():
    for key in ("a.b", 'say "hi"', "back\\slash", "two words", "x=y", ""):
        parts = ("states", key, "label")
        assert keypaths.parse(keypaths.join(parts)) == parts


@pytest.mark.parametrize("path", ["", "a..b", "a.", ".a", "[0].x", "a[x]", "a[-1]", "a[0", 'a."b', "a b", "a]", 'a"b"'])
def test_a_malformed_path_is_a_key_path_error(path):
    with pytest.raises(KeyPathError) as error:
        keypaths.parse(path)
    assert isinstance(error.value, ValueError)
    assert "key path" in str(error.value)


# --- values by key path, on every shipped scenario ------------------------------------------------

def _assert_same_result(first, second):
    for table in ("yearly", "monthly", "money", "summary", "targets", "programmes"):
        pd.testing.assert_frame_equal(getattr(first, table), getattr(second, table))
    np.testing.assert_array_equal(first.stock, second.stock)


@pytest.mark.parametrize("file", SHIPPED, ids=lambda p: p.name)
def test_every_number_of_a_shipped_file_is_read_and_set_by_its_path(file):
    raw = read(file)
    found = keypaths.numbers(raw)
    assert found
    same = raw
    for path, value in found.items():
        assert keypaths.get(raw, path) == value
        assert type(keypaths.get(raw, path)) is type(value)
        same = keypaths.assign(same, path, value)
        changed = keypaths.assign(raw, path, value + 1)
        assert keypaths.get(changed, path) == value + 1
        assert keypaths.numbers(changed) == {**found, path: value + 1}
    assert keypaths.numbers(raw) == found, "assign changed its input"
    assert same == raw
    _assert_same_result(run_scenario(build(raw, str(file))), run_scenario(build(same, str(file))))


def test_numbers_come_in_file_order_and_leave_out_booleans_and_text():
    raw = {"scenario": {"name": "x", "flag": True, "rate": 0.1}, "refusion": {"state_share": [0.8, 0.4]}}
    assert list(keypaths.numbers(raw)) == ["scenario.rate", "refusion.state_share[0]", "refusion.state_share[1]"]


def test_a_key_the_file_lacks_may_be_set_where_its_table_exists():
    raw = read(KIK2)
    assert "measures_cost" not in raw["states"]["anden_ydelse"]
    changed = keypaths.assign(raw, "states.anden_ydelse.measures_cost", 1000)
    assert keypaths.get(changed, "states.anden_ydelse.measures_cost") == 1000
    assert "measures_cost" not in raw["states"]["anden_ydelse"]


@pytest.mark.parametrize(("path", "nearest"), [
    ("strategies.kik3.investment", "strategies.kik2.investment"),          # a parent that does not exist
    ("strategies.kik2.effects[2].multiply", "strategies.kik2.effects[1].multiply"),  # past the end of a list
    ("strategies.kik2.effects[0].multiply.x", "strategies.kik2.effects[0].multiply"),  # into a number
    ("states.kontanthjaelp.inflow.2021", "states.kontanthjaelp.inflow"),   # a number is not a table by year
    ("transitions.from", "transitions[1].from"),                            # a list has positions, not keys
])
def test_a_path_that_names_nothing_is_an_error_naming_the_nearest_path(path, nearest):
    raw = read(KIK2)
    for attempt in (lambda: keypaths.assign(raw, path, 1), lambda: keypaths.get(raw, path)):
        with pytest.raises(KeyPathError) as error:
            attempt()
        assert error.value.path == path
        assert error.value.nearest == nearest
        assert "no such key path" in str(error.value) and f"nearest: {nearest}" in str(error.value)
        keypaths.get(raw, error.value.nearest)  # the nearest path exists


@pytest.mark.parametrize(("path", "whole"), [
    ("budget_guarantee.share", "budget_guarantee"),                       # an optional table the file lacks
    ("refusion.state_share[0]", "refusion"),
    ("states.kontanthjaelp.payment_share.2021", "states.kontanthjaelp.payment_share"),
])
def test_a_path_into_a_table_the_file_lacks_says_to_give_it_whole_not_an_unrelated_nearest_path(path, whole):
    raw = read(KIK2)
    with pytest.raises(KeyPathError) as error:
        keypaths.assign(raw, path, 0.5)
    assert error.value.nearest is None and "nearest" not in str(error.value)
    assert f"the file has no {whole}; a table the file lacks is given whole, as {whole}={{ ... }}" in str(error.value)
    # and so it can be: the whole table is set
    keypaths.get(keypaths.assign(raw, whole, {"x": 1}), f"{whole}.x")


def test_a_path_into_nothing_gets_no_nearest_path_that_only_shares_letters():
    """With [strategies] emptied, strategies.kik2.effects[0].multiply named targets[0].label as the nearest path
    (a few letters alike); the nearest is now chosen inside the deepest table that exists and holds something,
    or else among the paths that share a key with it."""
    raw = read(KIK2)
    emptied = keypaths.assign(raw, "strategies", {})
    with pytest.raises(KeyPathError) as error:
        keypaths.get(emptied, EFFECT)
    assert error.value.nearest in (None, "strategies")
    with pytest.raises(KeyPathError) as error:
        keypaths.get(raw, "states.kx.cost")  # a slip of a state's name: the same key of a state that exists
    assert error.value.nearest == "states.kontanthjaelp.cost"


def test_get_of_a_key_the_file_lacks_is_an_error():
    with pytest.raises(KeyPathError) as error:
        keypaths.get(read(KIK2), "strategies.kik2.effects[0].multiplyy")
    assert error.value.nearest == "strategies.kik2.effects[0].multiply"


# --- PATH=VALUE -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "path", "value"), [
    ("strategies.kik2.effects[0].multiply=1.6", "strategies.kik2.effects[0].multiply", 1.6),
    ("states.kh.inflow = 50", "states.kh.inflow", 50),
    ("states.kh.inflow={ 2021 = 5, 2022 = 6 }", "states.kh.inflow", {"2021": 5, "2022": 6}),
    ('targets[0].at="2021-03"', "targets[0].at", "2021-03"),
    ('states."a=b".label="x"', 'states."a=b".label', "x"),
    # Three decimals are a Danish thousands point only in kroner (as in a file); elsewhere a plain decimal.
    ("scenario.discount_rate=0.035", "scenario.discount_rate", 0.035),
    ("strategies.kik2.effects[0].multiply=1.125", "strategies.kik2.effects[0].multiply", 1.125),
    ("transitions[0].probability.0-5=0.045", "transitions[0].probability.0-5", 0.045),
])
def test_an_assignment_is_a_path_and_a_toml_value(text, path, value):
    assert keypaths.parse_assignment(text) == (path, value)


@pytest.mark.parametrize(("text", "words"), [
    ("strategies.kik2.effects[0].multiply=1,6", "use a decimal point: 1.6"),
    ("strategies.kik2.effects[0].multiply", "there is no ="),
    ('states."kontant hjaelp.inflow=40', 'a quote " in the key path is not closed before the ='),  # not "there is no ="
    ("strategies.kik2.effects[0].multiply=", "no value"),
    ("targets[0].at=2021-03", 'in quotes'),
    ("a..b=1", "not a valid key path"),
    ("states.kh.inflow=20.", "20. is not a TOML value; write a digit after the point, or no point: 20.0 or 20"),
    ("states.kh.inflow=\u0661\u0662", "is not a TOML value; write the digits 0-9"),
    ("states.kontanthja\u0308lp.inflow=40", "states.kontanthja is followed by a separate accent mark: a letter written as two"),
    ("a.b=1\nc = 2", "not one TOML value"),
    ("states.kh.initial_anciennitet={ 0 = 0.5, 0 = 0.5 }", 'is not a TOML value; the key "0" is given twice'),
    ('states."\\u006bh".inflow=40', "\\u is not an escape in a key path"),  # it read as the key "u006bh"
    ("states.kh\u200b.inflow=40", 'after states.kh, found U+200B (ZERO WIDTH SPACE)'),  # named, not shown as nothing
    ("\x1b[2J=1", "U+001B may appear only inside a quoted key"),  # an escape sequence is not echoed to the terminal
    ("strategies.kik2.investment.2019=120.000", "Danish thousands separator; write 120_000 for thousands or 120.0"),
    ("states.kh.cost=150.000", "Danish thousands separator; write 150_000 for thousands or 150.0"),
    ("strategies.pool.grants[1].amount=2.500", "Danish thousands separator; write 2_500 for thousands or 2.50"),
    ("scenario.discount_rate=3.5%", "a rate or share is written as a fraction: 3.5 % is 0.035"),
    ("scenario.discount_rate=3,5 %", "a rate or share is written as a fraction: 3,5 % is 0.035"),
])
def test_a_bad_assignment_says_what_is_wrong(text, words):
    with pytest.raises(KeyPathError) as error:
        keypaths.parse_assignment(text)
    assert words in str(error.value)


@pytest.mark.parametrize("value", [1.6, 50, -3, "2021-03", True, {"2021": 5, "2022-03": 6.5}, [0.8, 0.4], {"0-5": 0.1, "12+": 0.2}])
def test_format_value_writes_what_parse_assignment_reads(value):
    assert keypaths.parse_assignment(f"a.b={keypaths.format_value(value)}") == ("a.b", value)


# --- load with overrides --------------------------------------------------------------------------

def test_load_sets_a_value_by_key_path_before_validation_and_records_it():
    raw = read(KIK2)
    path = "strategies.kik2.effects[0].multiply"
    value = keypaths.get(raw, path) + 0.15
    scenario = kikcalc.load(KIK2, [(path, value)])
    _assert_same_result(run_scenario(scenario), run_scenario(build(keypaths.assign(raw, path, value), str(KIK2))))
    assert scenario.overrides == ((path, value, keypaths.get(raw, path)),)
    assert kikcalc.load(KIK2).overrides == ()


def test_a_set_value_below_the_smallest_float_is_refused_not_read_as_0():
    """--set inflow=1e-400 is TOML's 0.0; refused as the file's own 1e-400 or 5e-324 is, not run as no inflow."""
    assert keypaths.parse_assignment("states.kontanthjaelp.inflow=1e-400")[1] == 0.0
    with pytest.raises(kikcalc.ScenarioError) as error:
        kikcalc.load(KIK2, ["states.kontanthjaelp.inflow=1e-400"])
    assert "got 1e-400, smaller than any real figure (write 0 for none) (given by --set)" in str(error.value)
    assert kikcalc.load(KIK2, ["states.kontanthjaelp.inflow=0.0e-400"]).raw["states"]["kontanthjaelp"]["inflow"] == 0


def test_load_records_none_for_a_key_the_file_lacks():
    raw = read(KIK2)
    scenario = kikcalc.load(KIK2, [("states.anden_ydelse.measures_cost", 1000)])
    assert scenario.states[scenario.state_index("anden_ydelse")].measures_cost == 1000
    assert scenario.overrides == (("states.anden_ydelse.measures_cost", 1000, None),)
    assert "measures_cost" not in raw["states"]["anden_ydelse"]


def test_load_with_a_path_the_file_lacks_is_a_scenario_error_naming_the_nearest_path():
    with pytest.raises(kikcalc.ScenarioError) as error:
        kikcalc.load(KIK2, [("strategies.kik3.investment", 5)])
    (problem,) = error.value.problems
    assert problem.path == "strategies.kik3.investment"
    assert "no such key path" in problem.message and "nearest: strategies.kik2.investment" in problem.message


def test_a_value_the_file_rules_refuse_is_reported_at_its_path_as_given_by_set():
    with pytest.raises(kikcalc.ScenarioError) as error:
        kikcalc.load(KIK2, [("transitions[0].probability.0-5", 1.5)])
    (problem,) = error.value.problems
    assert problem.path == "transitions[0].probability.0-5"
    assert "between 0 and 1" in problem.message and problem.message.endswith("(given by --set)")


def test_the_same_path_set_twice_is_an_error():
    with pytest.raises(kikcalc.ScenarioError, match="set twice"):
        kikcalc.load(KIK2, [("scenario.discount_rate", 0.02), ('"scenario".discount_rate', 0.03)])


@pytest.mark.parametrize("order", [0, 1])
def test_a_path_and_a_path_inside_it_are_refused_together_in_either_order(order):
    pairs = [("strategies.kik2.investment.2018", 5), ("strategies.kik2.investment", {"2019": 1})]
    with pytest.raises(kikcalc.ScenarioError, match=r"set together with .*, and one holds the other \(a table and an entry of it\)"):
        kikcalc.load(KIK2, pairs[order:] + pairs[:order])


def test_a_problem_a_set_value_causes_elsewhere_names_the_values_set():
    with pytest.raises(kikcalc.ScenarioError) as error:
        kikcalc.load(KIK2, [("transitions[0].probability", 0.9)])
    *elsewhere, last = error.value.problems
    assert elsewhere and all(p.path.startswith("strategies.kik2.effects[0]") for p in elsewhere)
    assert last.path == "" and last.message == "with the values set: transitions[0].probability = 0.9"


def test_numpy_numbers_are_taken_as_the_numbers_they_are():
    scenario = kikcalc.load(KIK2, [("strategies.kik2.effects[0].ramp_months", np.int64(3))])
    assert scenario.overrides[0][1] == 3


def test_overrides_may_be_a_mapping_or_path_value_texts_and_table_keys_may_be_numbers():
    path = "states.kontanthjaelp.inflow"
    by_text = kikcalc.load(KIK2, [f"{path}={{ 2018 = 42 }}"])
    by_mapping = kikcalc.load(KIK2, {path: {2018: 42}})
    written = build(keypaths.assign(read(KIK2), path, {"2018": 42}), str(KIK2))
    j = written.state_index("kontanthjaelp")
    for scenario in (by_text, by_mapping):
        np.testing.assert_array_equal(scenario.states[j].inflow, written.states[j].inflow)


# --- --set on the command line --------------------------------------------------------------------

EFFECT = "strategies.kik2.effects[0].multiply"
NEW = "1.6"  # the value the commands set; the file's own value is read from the file


def invoke(*args: str):
    """Run kikcalc; (result, what it wrote to stderr). No traceback, whatever happens."""
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    try:
        messages = result.stderr  # click 8.2+ keeps stderr apart; result.output holds both
    except ValueError:
        messages = result.output
    assert "Traceback" not in result.output and "Traceback" not in messages
    return result, messages


def _edited_copy(tmp_path, path: str, new: str):
    """The KIK II file with the value at ``path`` changed by editing its text, as a person would."""
    old = keypaths.format_value(keypaths.get(read(KIK2), path))
    key = keypaths.parse(path)[-1]
    text = KIK2.read_text(encoding="utf-8")
    edited = tmp_path / KIK2.name
    edited.write_text(text.replace(f"{key} = {old}", f"{key} = {new}", 1), encoding="utf-8")
    # The edit changed that one number of the file and nothing else.
    assert keypaths.numbers(read(edited)) == {**keypaths.numbers(read(KIK2)), path: keypaths.parse_assignment(f"x={new}")[1]}
    return edited


def _without_file_and_set(document: dict) -> dict:
    """The document without what names the file and the values set: the file, --set and the provenance."""
    document = {key: value for key, value in document.items() if key not in ("set", "provenance")}
    document["scenario"] = {key: value for key, value in document["scenario"].items() if key != "file"}
    return document


def test_set_gives_what_an_edited_copy_of_the_file_gives(tmp_path):
    edited = _edited_copy(tmp_path, EFFECT, NEW)
    by_set, _ = invoke("run", str(KIK2), "--set", f"{EFFECT}={NEW}", "--format", "json")
    by_edit, _ = invoke("run", str(edited), "--format", "json")
    unchanged, _ = invoke("run", str(KIK2), "--format", "json")
    assert by_set.exit_code == by_edit.exit_code == 0
    assert _without_file_and_set(json.loads(by_set.stdout)) == _without_file_and_set(json.loads(by_edit.stdout))
    # The provenance tells the two apart: the value set in one, the edited file's own SHA-256 in the other.
    assert json.loads(by_set.stdout)["provenance"]["set"] == [{"path": EFFECT, "value": float(NEW)}]
    assert json.loads(by_edit.stdout)["provenance"]["set"] == []
    assert json.loads(by_set.stdout)["provenance"]["files"][0]["sha256"] != json.loads(by_edit.stdout)["provenance"]["files"][0]["sha256"]
    assert json.loads(by_set.stdout)["strategies"] != json.loads(unchanged.stdout)["strategies"]

    def verdicts(result) -> list[dict]:
        return [{k: v for k, v in row.items() if k != "file"} for row in json.loads(result.stdout)["targets"]]

    assert verdicts(invoke("targets", str(KIK2), "--set", f"{EFFECT}={NEW}", "--format", "json")[0]) == \
        verdicts(invoke("targets", str(edited), "--format", "json")[0])


def test_the_output_says_which_values_were_set(tmp_path):
    in_file = keypaths.format_value(keypaths.get(read(KIK2), EFFECT))
    line = f"{EFFECT} = {NEW} (file: {in_file})"
    for command in (["run"], ["compare"], ["targets"]):
        for fmt in ("table", "markdown"):
            result, _ = invoke(*command, str(KIK2), "--set", f"{EFFECT}={NEW}", "--format", fmt)
            assert result.exit_code == 0
            assert f"Set: {line}" in result.stdout.splitlines()
        plain, _ = invoke(*command, str(KIK2))
        assert "Set: " not in plain.stdout
    document = json.loads(invoke("run", str(KIK2), "--set", f"{EFFECT}={NEW}", "--format", "json")[0].stdout)
    assert document["set"] == [{"path": EFFECT, "value": float(NEW), "value_in_file": keypaths.get(read(KIK2), EFFECT)}]
    assert json.loads(invoke("run", str(KIK2), "--format", "json")[0].stdout)["set"] == []
    document = json.loads(invoke("targets", str(KIK2), "--set", f"{EFFECT}={NEW}", "--format", "json")[0].stdout)
    assert [(r["file"], r["path"]) for r in document["set"]] == [(str(KIK2), EFFECT)]
    _, messages = invoke("run", str(KIK2), "--set", f"{EFFECT}={NEW}", "--format", "csv")
    assert f"note: set {line}" in messages.splitlines()
    workbook = tmp_path / "out.xlsx"
    invoke("run", str(KIK2), "--set", f"{EFFECT}={NEW}", "--output", str(workbook))
    assert f"set {line}" in list(pd.read_excel(workbook, sheet_name="notes")["notes"])


def test_a_key_the_file_lacks_is_shown_as_not_in_the_file():
    result, _ = invoke("run", str(KIK2), "--set", "states.anden_ydelse.measures_cost=1000")
    assert result.exit_code == 0
    assert "Set: states.anden_ydelse.measures_cost = 1000 (not in the file)" in result.stdout.splitlines()


def test_set_applies_to_every_file_and_a_path_missing_in_one_names_that_file():
    other = SCENARIOS / "aabenraa-kijos.toml"
    result, _ = invoke("compare", str(KIK2), str(other), "--set", "scenario.discount_rate=0.05", "--format", "json")
    assert result.exit_code == 0
    assert [s["scenario"]["discount_rate"] for s in json.loads(result.stdout)["scenarios"]] == [0.05, 0.05]
    with pytest.raises(KeyPathError):
        keypaths.get(read(other), "strategies.kik2")
    result, messages = invoke("compare", str(KIK2), str(other), "--set", "strategies.kik2.investment=5")
    assert result.exit_code == 2
    assert any(line.startswith(f"{other}: strategies.kik2.investment: no such key path") for line in messages.splitlines())
    assert not any(line.startswith(f"{KIK2}: ") for line in messages.splitlines())


@pytest.mark.parametrize(("assignment", "path", "words"), [
    ("strategies.kik3.investment=5", "strategies.kik3.investment", "nearest: strategies.kik2.investment"),
    (f"{EFFECT.replace('[0]', '[7]')}=1.6", EFFECT.replace("[0]", "[7]"), "no such key path"),
    ("transitions[0].probability=1.5", "transitions[0].probability", "between 0 and 1, got 1.5 (given by --set)"),
    ("transitions[0].probability.0-5=1.5", "transitions[0].probability.0-5", "(given by --set)"),
    (f"{EFFECT}=1,6", EFFECT, "use a decimal point: 1.6"),
    (EFFECT, EFFECT, "expected PATH=VALUE"),
    (f"{EFFECT}.x=1", f"{EFFECT}.x", "is a number"),
])
@pytest.mark.parametrize("command", ["run", "compare", "targets"])
def test_a_bad_set_is_exit_2_with_the_key_path_and_no_traceback(command, assignment, path, words):
    result, messages = invoke(command, str(KIK2), "--set", assignment)
    assert result.exit_code == 2
    assert any(path in line and words in line for line in messages.splitlines()), messages


@pytest.mark.parametrize("path, unit", [
    ("states.kh.inflow.2021", "persons a month"),  # a table by year: the key that holds it decides
    ("transitions[0].probability.0-5", "probability a month"),
    ("strategies.kik2.effects[0].multiply", "factor"),
    ('uncertainty."strategies.kik2.effects[0].multiply".sd', "factor"),  # a distribution: its number's unit
    ("scenario.discount_rate", "share a year"),
    ("states.kh.cost", "kr. per full-year person"),
    ("something.unknown", ""),
])
def test_the_unit_of_a_number_by_its_key_path(path, unit):
    assert keypaths.unit_of(path) == unit


@pytest.mark.parametrize(("text", "hint"), [
    ("states.kh.label=Foo", """write text in quotes, and keep the shell from removing them: --set 'PATH="Foo"'"""),
    ("states.kh.label=Benefit states, total",
     """write text in quotes, and keep the shell from removing them: --set 'PATH="Benefit states, total"'"""),
    ("states.kh.label=Kontanthjælp (ny)", """--set 'PATH="Kontanthjælp (ny)"'"""),
    ("transitions[0].probability=1,5", "use a decimal point: 1.5"),
])
def test_a_value_that_is_not_toml_gets_the_hint_for_its_slip(text, hint):
    from kikcalc.keypaths import KeyPathError, parse_assignment

    with pytest.raises(KeyPathError) as raised:
        parse_assignment(text)
    assert str(raised.value).endswith(hint)


@pytest.mark.parametrize("above", [True, False])
def test_a_threshold_set_a_hair_from_the_value_shows_the_verdict_in_the_margin_sign(above):
    """A year target's value against a threshold --set 0.01 from it: both print as the same figure to one
    decimal, so the margin's sign must say which side it is on (missed: -0.0, not +0.0; met: +0.0)."""
    result, _ = invoke("targets", str(KIK2), "-q", "-f", "json", "-s", "baseline")
    value = next(t["value"] for t in json.loads(result.stdout)["targets"] if t["name"] == "budget-2021")
    threshold = value + 0.01 if above else value - 0.01
    result, _ = invoke("targets", str(KIK2), "-q", "-s", "baseline", "--set", f"targets[2].max={threshold!r}")
    row = next(line.split() for line in result.stdout.splitlines() if line.startswith("budget-2021"))
    shown, threshold_shown, verdict, margin = row[2], row[4], row[5], row[6]
    assert shown == threshold_shown  # the case in point: the figures alone cannot tell
    assert (verdict, margin) == (("met", "+0.0") if above else ("MISSED", "-0.0"))
