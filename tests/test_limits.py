"""kikcalc.limits and kikcalc.textfile: ranges and how numbers are shown, nesting in text and tables, decoding, hints."""

from __future__ import annotations

import codecs
import math
import re
import tomllib

import pytest

from conftest import ROOT, SCENARIOS, one_state
from kikcalc import limits, textfile
from kikcalc.errors import ScenarioError
from kikcalc.scenario import build
from kikcalc.scenario_reader import name_problem

DOC = (ROOT / "docs" / "scenario-format.md").read_text(encoding="utf-8")


def test_the_limits_table_in_the_docs_is_the_code():
    section = DOC.split("## Limits", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and not line.startswith(("| what", "|---"))]
    assert rows == [f"| {what} | {keys} | {words} |" for what, keys, words in limits.TABLE]


@pytest.mark.parametrize(("value", "shown"), [
    (0.03, "0.03"), (-0.03, "-0.03"), (1.3, "1.3"), (1.0000000436, "1.0000000436"), (120_000.0, "120_000"),
    (-120_000, "-120_000"), (1000, "1000"), (1e308, "1e+308"), (1e-320, "1e-320"), (math.inf, "inf"), (math.nan, "nan"),
    (10**400, "an integer of 401 digits"), (True, "true"),
])
def test_a_number_is_shown_with_the_digits_that_give_it_back(value, shown):
    assert limits.show(value) == shown


@pytest.mark.parametrize(("value", "bound", "shown"), [
    (1.0000000436, 1.0, "1.00000004"), (1.1, 1.0, "1.1"), (-0.020000000000000004, 0.0, "-0.02"), (1e5, 100.0, "100_000"),
    (1 + 2e-16, 1.0, "1.0000000000000002"), (math.inf, 1.0, "inf"),
])
def test_a_number_beyond_a_bound_is_shown_with_the_digits_that_tell_them_apart(value, bound, shown):
    assert limits.show_beyond(value, bound) == shown


def test_a_range_compares_an_integer_too_large_for_a_float_exactly():
    assert not limits.PERSONS.holds(10**400) and not limits.PERSONS.holds(-(10**400))
    assert not limits.finite(10**400) and not limits.finite(math.nan) and not limits.finite(True) and not limits.finite("1")
    assert limits.finite(10**300) and limits.PERSONS.holds(10_000_000) and not limits.PERSONS.holds(10_000_001)


@pytest.mark.parametrize(("text", "line"), [
    ("x = " + "[" * 21 + "]" * 21, 1),
    ("x = " + "[" * 20 + "]" * 20, None),
    ("a = 1\nx = " + "{ a = " * 21 + "1" + " }" * 21, 2),
    ('x = "' + "[" * 50 + '"', None),  # in a string
    ("x = '" + "{" * 50 + "'", None),  # in a literal string
    ('x = """\n' + "[" * 50 + '\n"""', None),  # in a multi-line string
    ("x = '''" + "[" * 50 + "'''", None),
    ('x = "a \\" ' + "[" * 50 + '"', None),  # an escaped quote does not end the string
    ("# " + "[" * 50 + "\nx = 1", None),  # in a comment
    ("[[a]]\n" * 100, None),  # headers open and close on their line
])
def test_nesting_in_text_is_counted_outside_strings_and_comments(text, line):
    assert limits.text_too_deep(text) == line


def test_a_document_deeper_than_the_limit_names_where():
    value: object = 1
    for _ in range(50_000):
        value = {"a": value}
    (problem,) = limits.document_problems({"observed": value})
    assert problem.path == "observed" + ".a" * 20
    assert limits.document_problems({"observed": {"x": list(range(limits.ENTRIES + 1))}})[0].path == "observed.x"


@pytest.mark.parametrize("name", ["kontanthjaelp", "kontanthjælp", "Ydelse-2", "ø", "ledig_ÆØÅ", "Ωmega", "a1"])
def test_a_name_may_hold_any_letter(name):
    assert name_problem(name) is None


@pytest.mark.parametrize("name", ["", "1a", "_a", "a b", "a.b", "a²", "a١", "-a", "ma\u030ahed"])
def test_a_name_must_start_with_a_letter_and_hold_letters_digits_0_9_and_dashes(name):
    assert name_problem(name)


def test_every_shipped_scenario_and_example_reads_the_same_through_textfile():
    for path in [*SCENARIOS.glob("*.toml"), ROOT / "tests" / "data" / "scenario-example.toml"]:
        assert textfile.parse(textfile.read_text(path)) == tomllib.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(("data", "words"), [
    (b"\xef\xbb\xbfa = 1", None),
    (codecs.BOM_UTF16_LE + "a = 'æ'".encode("utf-16-le"), None),
    (codecs.BOM_UTF16_BE + "a = 'æ'".encode("utf-16-be"), None),
    ("a = 'æ'".encode("utf-32"), None),
    (codecs.BOM_UTF16_LE + b"a\x00=\x00\x00\xd8", "starts with the mark of UTF-16 text but is not valid UTF-16"),
    ("a = 'æ'".encode("utf-16-le"), "looks like UTF-16 text without a byte-order mark"),
    ("navn = 'Grundforløb'".encode("cp1252"), 'the byte 0xF8 at line 1, column 18 is not UTF-8; it reads as "ø"'),
    (b"a = '\x81'", "the file is in some other encoding"),
    (b"PK\x03\x04rest", "is a zip archive (an .xlsx workbook?)"),
    (b"a = 1\x00\x01\x02\x03\x04", "holds NUL bytes: not a text file"),
])
def test_bytes_are_decoded_or_refused_with_a_word(data, words):
    if words is None:
        assert textfile.decode(data).lstrip("\ufeff").startswith("a = ")
    else:
        with pytest.raises(ScenarioError, match=re.escape(words)):
            textfile.decode(data)


@pytest.mark.parametrize(("line", "hint"), [
    ("multiply = 1,35", "a decimal number is written with a point, not a comma: 1.35, not 1,35"),
    ("x = { 0 = 0,3, 6 = 0,7 }", "a decimal number is written with a point, not a comma: 0.3, not 0,3"),
    ("cost = 1.200.000", "write thousands with _ (or nothing), not points: 1_200_000"),
    ("cost = 120 000", "write thousands with _ (or nothing), not spaces: 120_000"),
    ("start = 2020-13", ""),
    ("start = 2020-01x", ""),
    ("[states.kontanthjælp]", 'written in quotes: [states."kontanthjælp"]'),
    ("from = kontanthjælp", 'written in quotes: "kontanthjælp"'),
])
def test_toml_errors_get_a_hint_for_the_common_slips(line, hint):
    text = f'[scenario]\nname = "x"\n{line}\n'
    with pytest.raises(tomllib.TOMLDecodeError) as caught:
        tomllib.loads(text)
    assert textfile.toml_hint(text, caught.value).endswith(hint) if hint else textfile.toml_hint(text, caught.value) in (
        "", '; write months in quotes: "2020-13"')


def test_a_thousands_point_is_found_only_at_kroner(tmp_path):
    text = ('[scenario]\nname = "x"\nstart = "2020-01"\nend = "2020-12"\ndiscount_rate = 0.035\n'
            '[states.a]\ncost = 120.000\nmeasures_cost = 18.585   # 18.585 thousand\ninitial = 1.500\n'
            '[states.b]\nkind = "outside"\n'
            '[[transitions]]\nfrom = "a"\nto = "b"\nprobability = 0.035\n'
            '[strategies.s]\ninvestment = { 2020 = 1.250 }\n')
    problems = textfile.thousands_points(text, tomllib.loads(text))
    assert [p.path for p in problems] == ["states.a.cost", "states.a.measures_cost", "strategies.s.investment.2020"]
    assert "write 18_585 for thousands, or 18.59 for 18.585 kr." in problems[1].message


def test_a_file_is_read_up_to_the_size_limit_and_not_a_byte_more(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "FILE_BYTES", 1000)
    path = tmp_path / "big.toml"
    path.write_bytes(b"# " + b"x" * 997 + b"\n")
    assert textfile.read_text(path).startswith("# x")
    path.write_bytes(b"# " + b"x" * 998 + b"\n")
    with pytest.raises(ScenarioError, match="MiB or more; a scenario file is at most"):
        textfile.read_text(path)


def test_the_model_size_is_bounded():
    raw = one_state(months=1200, initial_anciennitet={"0": 0.5, "600": 0.5})
    raw["states"].update({f"s{i}": {"initial": 1.0} for i in range(300)})
    words = r"the model is too large: 1 strategies x 601 anciennitet months x \(1200 months x 302 states \+ 1 transitions\)"
    with pytest.raises(ScenarioError, match=words):
        build(raw)


def test_a_hazard_an_effect_drives_to_inf_is_reported_at_that_effect():
    raw = one_state()
    raw["transitions"][0] = {"from": "kh", "to": "job", "hazard": 100.0}
    effects = [{"from": "kh", "to": "job", "multiply": 1000.0} for _ in range(120)]  # 1e362: inf, then inf x 0
    raw["strategies"]["s"] = {"effects": [{"from": "kh", "to": "job", "multiply": 0.5}, *effects,
                                          {"from": "kh", "to": "job", "multiply": 0.0}]}
    with pytest.raises(ScenarioError) as caught:
        build(raw)
    (problem,) = caught.value.problems
    assert problem.path == "strategies.s.effects[1].multiply"
    assert "rate becomes nan in 2020-01 under strategy s; expected a monthly hazard between 0 and 100" in problem.message


def test_a_measure_cost_multiplied_beyond_its_range_is_reported():
    raw = one_state(measures_cost=10_000)
    raw["strategies"]["s"] = {"effects": [{"state": "kh", "measures_cost_multiply": 1000.0, "start": "2020-06"}] * 2}
    with pytest.raises(ScenarioError) as caught:
        build(raw)
    (problem,) = caught.value.problems
    assert problem.path == "strategies.s.effects[1].measures_cost_multiply"
    assert "the measure cost of kh becomes 10_000_000_000 in 2020-06" in problem.message


def _many_states(n: int, months: int, flow_target: bool) -> dict:
    """n - 1 benefit states in a chain and one outside state over ``months`` months; a flow target if asked."""
    raw = one_state(p_exit=0.05, initial=100.0, months=months)
    for i in range(n - 2):
        raw["states"][f"b{i}"] = {"initial": 10.0, "cost": 120_000}
        raw["transitions"].append({"from": f"b{i}", "to": "kh", "probability": 0.01})
    if flow_target:
        raw["targets"] = [{"name": "moved", "flow_from": "kh", "flow_to": "job", "start": "2020-01", "end": "2020-12",
                           "min": 1}]
    return raw


def test_a_flow_target_on_a_model_whose_moves_would_pass_the_limit_is_refused_at_its_key_path():
    # 1 strategy x 1200 months x 410 states x 410 states = 201_720_000 moves kept month by month: over 200_000_000.
    assert limits.flow_cells(1, 1200, 410) > limits.MODEL_CELLS
    with pytest.raises(ScenarioError) as raised:
        build(_many_states(410, 1200, flow_target=True))
    problem = raised.value.problems[0]
    assert problem.path == "targets[0]"
    assert "1 strategies x 1200 months x 410 states x 410 states = 201_720_000; at most 200_000_000" in problem.message
    # Without a flow target the run does not keep the moves, and the same model is within the limits.
    assert not build(_many_states(410, 1200, flow_target=False)).needs_flows


def test_a_message_shows_the_first_hundred_problems_and_counts_the_rest():
    raw = one_state()
    raw["targets"] = [{"name": "t", "states": ["kh"] * 301, "at": "2020-06", "max": 900}]
    with pytest.raises(ScenarioError) as raised:
        build(raw, "many.toml")
    assert len(raised.value.problems) == 300  # every repeat is a problem, all kept
    lines = str(raised.value).splitlines()
    assert len(lines) == 101
    assert lines[0] == 'many.toml: targets[0].states[1]: "kh" is named twice in this list; it would be counted twice'
    assert lines[-1] == "many.toml: and 200 more problems (the first 100 are shown)"


def test_a_file_whose_lines_end_in_cr_alone_is_told_so():
    text = '[scenario]\rname = "x"\rstart = "2020-01"\r'
    with pytest.raises(ScenarioError) as raised:
        textfile.parse(text, "old-mac.toml")
    assert str(raised.value).endswith("the file's lines end in CR alone (old Mac line ends), which TOML does not take: "
                                      "save it with LF or CRLF line ends")


def test_observations_of_entrants_on_a_model_whose_moves_would_pass_the_limit_are_refused():
    from kikcalc.api import observations
    from kikcalc.errors import UsageError

    raw = _many_states(410, 1200, flow_target=False)
    raw["observed"] = {"kh": {"entrants": {"2020": 300}}}
    scenario = build(raw)  # the file holds no flow target: within the limits
    with pytest.raises(UsageError) as raised:
        observations(scenario)
    assert ("counting persons moved (observations of entrants or exits) keeps every move between states month by month: "
            "1 strategies x 1200 months x 410 states x 410 states = 201_720_000; at most 200_000_000") in str(raised.value)
    raw["observed"] = {"kh": {"persons": {"2020-06": 300}}}  # a stock needs no moves
    assert len(observations(build(raw))[0]) == 1
