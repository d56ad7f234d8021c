"""Hostile input never ends in anything but a ScenarioError: generated documents, texts and bytes.

``build`` takes any TOML-shaped table (nested tables and lists, huge and tiny numbers, non-ASCII keys,
wrong types, nesting thousands of levels deep) and either returns a scenario or raises ScenarioError,
quickly. The documents are made two ways: from nothing, and by changing a few values of the shipped
scenarios, which reaches the checks deep inside a valid file. ``load`` does the same for any text or
bytes in a file, and ``observed_files.read`` for the data files of ``calibrate`` and ``followup --observed``.
"""

from __future__ import annotations

import datetime
import json
import math
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import SCENARIOS
from kikcalc import keypaths, limits, observed_files
from kikcalc.cli import main
from kikcalc.errors import ScenarioError
from kikcalc.scenario import build, load, read
from kikcalc.spec import Scenario

BASES = {path.name: read(path) for path in sorted(SCENARIOS.glob("*.toml"))}
FAST = settings(max_examples=120, deadline=2000, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

KEYS = sorted({
    "scenario", "states", "transitions", "strategies", "targets", "refusion", "budget_guarantee", "uncertainty",
    "correlations", "observed", "name", "start", "end", "discount_rate", "label", "kind", "initial", "inflow", "cost",
    "initial_anciennitet", "inflow_anciennitet", "cost_basis", "measures_cost", "from", "to", "probability", "hazard",
    "mean_months", "per", "investment", "effects", "programmes", "flow_costs", "grants", "multiply", "add", "set", "state",
    "inflow_multiply", "inflow_add", "measures_cost_set", "ramp_months", "fade_months", "participants",
    "duration_months", "outcomes", "dropout", "amount", "cap", "paid", "if_target", "below", "max", "above", "min",
    "at", "year", "by", "share_of", "flow_from", "flow_to", "programme", "payback_by", "npv_min", "band_end_weeks",
    "state_share", "weeks_per_month", "share", "dist", "mean", "sd", "between", "rank", "baseline",
    "0", "13", "0-5", "6+", "12+", "600", "601", "50000000", "2020", "2020-03", "2021-13", "²", "١٢", "kontanthjælp",
    "a.b", 'q"uote', "", " ",
})
SPECIAL_NUMBERS = [0, -0.0, 1, -1, 0.5, 1.0000000436, 1e-320, 5e-324, 1e308, -1e308, 1.7976931348623157e308,
                   math.inf, -math.inf, math.nan, 10**400, -(10**400), 2**63, 2**64 + 1, 120.000, 50_000_000, 1e9]

numbers = st.one_of(
    st.sampled_from(SPECIAL_NUMBERS),
    st.builds(pow, st.just(10), st.just(5000)),  # past the 4300 digits str() gives (not in the list: hypothesis shows it)
    st.integers(),
    st.integers(min_value=-(10**450), max_value=10**450),
    st.floats(),  # nan, inf, subnormals, the largest floats
    st.floats(min_value=-2.0, max_value=2.0),
)
texts = st.one_of(st.sampled_from(KEYS), st.text(max_size=12), st.sampled_from(["2020-01", "2023-06", "９９９９-１２", "0000-01"]))
leaves = st.one_of(
    numbers, texts, st.booleans(),
    st.dates(), st.datetimes(), st.times(),
)
keys = st.one_of(st.sampled_from(KEYS), st.text(max_size=8))


def nested(depth: int, as_list: bool):
    """A value nested ``depth`` levels deep, made without recursion."""
    value: object = 1
    for _ in range(depth):
        value = [value] if as_list else {"a": value}
    return value


values = st.recursive(leaves, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
                      max_leaves=12)
deep = st.none() | st.tuples(st.integers(limits.DEPTH - 2, 3 * sys.getrecursionlimit()), st.booleans())
"""How deep a nest to put in a document, and whether of lists or tables (made in the test: hypothesis would
recurse into it to show it); None: none."""


def returns_or_refuses(raw: dict) -> None:
    """build gives a Scenario or a ScenarioError whose problems each have a key path and a message."""
    try:
        scenario = build(raw)
    except ScenarioError as error:
        assert error.problems and all(isinstance(p.path, str) and p.message for p in error.problems)
        return
    assert isinstance(scenario, Scenario)


@FAST
@given(st.dictionaries(keys, values, max_size=6), keys, deep)
def test_any_document_is_a_scenario_or_a_scenario_error(raw, key, nest):
    if nest is not None:
        raw[key] = nested(*nest)
    returns_or_refuses(raw)


@st.composite
def changed_scenarios(draw) -> tuple[dict, str]:
    """A shipped scenario with one to three values changed, and the key path of one of its values, where a deep
    nest may go. Mostly a number for a number (huge, tiny, negative, inf, nan), which the file's other checks
    pass, so the checks after them are reached; else any value for any value, or a new key."""
    raw = BASES[draw(st.sampled_from(sorted(BASES)))]
    for _ in range(draw(st.integers(1, 3))):
        how = draw(st.sampled_from(["number", "number", "number", "value", "key"]))
        candidates = list(keypaths.numbers(raw)) if how == "number" else [path for path, _ in keypaths.walk(raw)]
        parts = keypaths.parse(draw(st.sampled_from(candidates)))
        parent = keypaths.get(raw, parts[:-1]) if len(parts) > 1 else raw
        if how == "key" and isinstance(parent, dict):  # a key of the same table, or a new one
            parts = (*parts[:-1], draw(keys))
        raw = keypaths.assign(raw, parts, draw(numbers if how == "number" else values))
    return raw, draw(st.sampled_from([path for path, _ in keypaths.walk(raw)]))


@FAST
@given(changed_scenarios(), deep)
def test_a_changed_scenario_is_a_scenario_or_a_scenario_error(changed, nest):
    raw, path = changed
    if nest is not None:
        parts = keypaths.parse(path)
        parent = keypaths.get(raw, parts[:-1]) if len(parts) > 1 else raw
        parent[parts[-1]] = nested(*nest)
    returns_or_refuses(raw)


@pytest.mark.parametrize("name", sorted(BASES))
def test_the_shipped_scenarios_are_within_every_limit(name):
    assert isinstance(build(BASES[name]), Scenario)


@settings(max_examples=60, deadline=2000, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.one_of(
    st.binary(max_size=200),
    st.text(max_size=200).map(lambda text: text.encode("utf-8")),
    st.sampled_from(["utf-16", "utf-16-le", "cp1252", "utf-32", "utf-8-sig"]).flatmap(
        lambda codec: st.text(alphabet="[]{}=\"'#.,-_ \nabcæøå0123456789", max_size=200).map(
            lambda text: text.encode(codec, errors="replace"))),
))
def test_any_bytes_in_a_file_are_a_scenario_or_a_scenario_error(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("bytes") / "scenario.toml"
    path.write_bytes(data)
    try:
        load(path)
    except ScenarioError as error:
        assert error.problems


@settings(max_examples=60, deadline=2000, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(sorted(BASES)), position=st.floats(0, 1), insert=st.text(max_size=6),
       cut=st.integers(0, 6))
def test_a_scenario_text_with_characters_changed_is_a_scenario_or_a_scenario_error(tmp_path_factory, name, position,
                                                                                   insert, cut):
    text = (SCENARIOS / name).read_text(encoding="utf-8")
    at = int(position * len(text))
    path = tmp_path_factory.mktemp("text") / "scenario.toml"
    path.write_text(text[:at] + insert + text[at + cut:], encoding="utf-8")
    try:
        load(path)
    except ScenarioError as error:
        assert error.problems


def test_a_document_nested_thousands_deep_is_a_problem_at_its_key_path():
    for as_list in (True, False):
        raw = {**BASES["aabenraa-kik2.toml"], "observed": nested(50_000, as_list)}
        with pytest.raises(ScenarioError) as caught:
            build(raw)
        (problem,) = caught.value.problems
        assert problem.path.startswith("observed")
        assert f"nested more than {limits.DEPTH} levels deep" in problem.message


def test_a_date_where_a_number_belongs_is_a_problem():
    raw = {**BASES["aabenraa-kik2.toml"]}
    raw["scenario"] = {**raw["scenario"], "discount_rate": datetime.date(2020, 1, 1)}
    with pytest.raises(ScenarioError, match="discount_rate: expected a yearly rate"):
        build(raw)


def test_a_key_that_is_not_text_is_a_problem():
    raw = {**BASES["aabenraa-kik2.toml"], "observed": {1: 2}}
    with pytest.raises(ScenarioError, match="observed: the key 1 is not text"):
        build(raw)


def test_a_value_set_in_python_nested_thousands_deep_is_a_scenario_error():
    for depth in (900, 5000):
        with pytest.raises(ScenarioError, match="the value set: tables and lists nested more than 20 levels deep"):
            load(SCENARIOS / "aabenraa-kik2.toml", [("scenario.name", nested(depth, True))])
    with pytest.raises(ScenarioError, match=r"scenario\.name(\.a)+: tables and lists nested more than 20 levels deep"):
        load(SCENARIOS / "aabenraa-kik2.toml", [("scenario.name", nested(20, False))])


def test_an_integer_past_the_digits_python_will_print_is_a_problem(tmp_path):
    path = tmp_path / "scenario.toml"
    path.write_text("[scenario]\nx = " + "9" * 5000 + "\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"an integer of more than 4300 digits \(at line 2\)"):
        load(path)
    with pytest.raises(ScenarioError, match=r"states\.kontanthjaelp\.initial: the value set: an integer of more than 1000 digits"):
        load(SCENARIOS / "aabenraa-kik2.toml", [("states.kontanthjaelp.initial", 10**5000)])
    with pytest.raises(ScenarioError, match=r"observed\.x: an integer of more than 1000 digits"):
        build({**BASES["aabenraa-kik2.toml"], "observed": {"x": 10**1001}})
    assert keypaths.format_value({"a": [10**5000]}) == "{ a = [an integer of more than 4300 digits] }"


# --- observed data files (calibrate and followup --observed) ----------------------------------------------------

PLAN = SCENARIOS / "aabenraa-kik2-plan.toml"
STATUS = (SCENARIOS / "data" / "aabenraa-kik2-status-2021.csv").read_bytes()


@settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(position=st.floats(0, 1), insert=st.one_of(st.binary(max_size=8),
                                                  st.text(alphabet=';,"\r\n\t#æ[{', max_size=8).map(str.encode)),
       cut=st.integers(0, 8), suffix=st.sampled_from([".csv", ".json"]))
def test_an_observed_file_with_bytes_changed_is_observations_or_a_scenario_error(tmp_path_factory, position, insert, cut,
                                                                                 suffix):
    at = int(position * len(STATUS))
    path = tmp_path_factory.mktemp("observed") / f"status{suffix}"
    path.write_bytes(STATUS[:at] + insert + STATUS[at + cut:])
    try:
        observed_files.read(path, load(PLAN))
    except ScenarioError as error:
        assert error.problems


@pytest.mark.parametrize("line_end", ["\r", "\r\n", "\n"], ids=["old-mac", "windows", "unix"])
@pytest.mark.parametrize("command", [["followup"], ["calibrate", "--fit", "states.kontanthjaelp.inflow"]])
def test_a_mac_roman_observed_file_is_bad_input_at_its_row_and_column_whatever_its_line_ends(tmp_path, line_end, command):
    # Excel for Mac's "CSV (Macintosh)" writes Mac Roman (æ is the byte 0xBE) and ends its lines with \r alone
    lines = ["date,state,measure,value", "2018-06-01,kontanthjælp,persons,1130"]
    path = tmp_path / "status.csv"
    path.write_bytes(line_end.join(lines).encode("mac_roman"))
    result = CliRunner().invoke(main, [command[0], str(PLAN), "--observed", str(path), *command[1:]])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "bug" not in result.output
    assert f"{path}: row 2, column B (state): not UTF-8 text: byte 0xBE" in result.stderr


@pytest.mark.parametrize(("cell", "shown"), [("9" * 400, "a number too large for a float"), ("1" + "0" * 30, "1e+30")],
                         ids=["400-digits", "1e30"])
def test_an_observed_count_beyond_any_caseload_is_bad_input_not_a_failed_fit(tmp_path, cell, shown):
    path = tmp_path / "status.csv"
    path.write_text(f"date,state,measure,value\n2021-01-19,kontanthjaelp,persons,{cell}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["calibrate", str(PLAN), "--observed", str(path), "--fit", "states.kontanthjaelp.inflow"])
    assert result.exit_code == 2, result.output
    assert f"{path}: row 2, column D (value): expected a number of persons between 0 and 10_000_000_000, got {shown}\n" \
        in result.stderr


@pytest.mark.parametrize("opening", ["[", '{"a": '])
def test_observed_json_nested_thousands_deep_is_bad_input(tmp_path, opening):
    path = tmp_path / "status.json"
    path.write_text(opening * 100_000, encoding="utf-8")
    result = CliRunner().invoke(main, ["followup", str(PLAN), "--observed", str(path)])
    assert result.exit_code == 2, result.output
    assert result.stderr == f"{path}: not readable as JSON: nested too deep (the jobindsats API's JSON is four levels " \
                            'deep: [{"Variables": [{"Label": ...}], "Data": [[...]]}])\n'


# --- text and --set values -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("character", ["\x00", "\x07", "\x1b", "\r", "\x7f", "\x9b"])
def test_a_control_character_in_a_text_is_a_problem_at_its_key_path(character):
    raw = {**BASES["aabenraa-kik2.toml"]}
    raw["scenario"] = {**raw["scenario"], "name": f"KIK{character}II"}
    with pytest.raises(ScenarioError) as error:
        build(raw)
    assert [(p.path, p.message) for p in error.value.problems] == [
        ("scenario.name", f"expected text, got a control character (U+{ord(character):04X}) at character 4")]


def test_tab_and_newline_stay_text():
    raw = {**BASES["aabenraa-kik2.toml"]}
    raw["scenario"] = {**raw["scenario"], "source": "Aabenraa\tbudget 2021\nBeskæftigelsesplan 2021"}
    assert build(raw).source == "Aabenraa\tbudget 2021\nBeskæftigelsesplan 2021"


def test_a_control_character_set_from_the_command_line_never_reaches_a_workbook(tmp_path):
    out = tmp_path / "kik2.xlsx"
    result = CliRunner().invoke(main, ["compare", str(SCENARIOS / "aabenraa-kik2.toml"), "--set",
                                       'scenario.name="KIK\\u001b[2J II"', "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert "scenario.name: expected text, got a control character (U+001B) at character 4 (given by --set)" in result.stderr
    assert not out.exists()


def test_an_integer_past_4300_digits_in_set_is_bad_input():
    result = CliRunner().invoke(main, ["targets", str(SCENARIOS / "aabenraa-kik2.toml"), "--set",
                                       "states.kontanthjaelp.inflow=" + "9" * 5000])
    assert result.exit_code == 2, result.output
    assert result.stderr.endswith(": the value is an integer of more than 4300 digits, which no scenario needs\n")
    with pytest.raises(keypaths.KeyPathError, match="an integer of more than 4300 digits"):
        keypaths.parse_assignment("states.kontanthjaelp.inflow=" + "9" * 4301)


# --- kikcalc check --against a snapshot, and the ways to start kikcalc ---------------------------------------------

def test_a_snapshot_number_too_large_for_a_float_is_bad_input(tmp_path):
    kik2, snap = str(SCENARIOS / "aabenraa-kik2.toml"), tmp_path / "snap.json"
    assert CliRunner().invoke(main, ["snapshot", kik2, "-o", str(snap)]).exit_code == 0
    document = json.loads(snap.read_text(encoding="utf-8"))
    document["scenarios"]["aabenraa-kik2.toml"]["strategies"]["baseline"]["summary"]["npv"] = 10**400
    snap.write_text(json.dumps(document), encoding="utf-8")
    result = CliRunner().invoke(main, ["check", kik2, "--against", str(snap)])
    assert result.exit_code == 2, result.output
    assert result.stderr == (f'{snap}: scenarios."aabenraa-kik2.toml".strategies.baseline.summary.npv: expected a number, '
                             "got an integer of 401 digits, more than a float holds\n")


@pytest.mark.parametrize("module", ["kikcalc", "kikcalc.cli"])
def test_python_dash_m_has_every_command(module):
    # the commands of cli_*.py register on the imported kikcalc.cli, which is not __main__ under python -m kikcalc.cli
    env = {**os.environ, "PYTHONPATH": str(SCENARIOS.parent)}
    done = subprocess.run([sys.executable, "-m", module, "--help"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    commands = {line.split()[0] for line in done.stdout.split("Commands:")[1].splitlines() if line.startswith("  ")}
    assert {"run", "validate", "new", "snapshot", "check", "liability"} <= commands


@pytest.mark.parametrize(("name", "path"), [
    ("aabenraa-kik2-measures-2021.toml", "strategies.kik2-2021.programmes[0].outcomes.selvforsorgende_efter_indsats"),
    ("aabenraa-kik2.toml", "states.kontanthjaelp.initial"),
    ("aabenraa-kik2.toml", "strategies.kik2.investment.2019"),
])
def test_a_subnormal_number_is_a_problem_not_an_overflow_later(name, path):
    # 5e-324 passes every range that starts at 0; the programme's cost per outcome divided by it was inf (exit 3)
    with pytest.raises(ScenarioError) as error:
        load(SCENARIOS / name, [(path, 5e-324)])
    assert [(p.path, p.message.endswith("got 5e-324, smaller than any real figure (write 0 for none) (given by --set)"))
            for p in error.value.problems if p.path == path] == [(path, True)]
