"""kikcalc new (starter scenarios, kikcalc/templates/) and kikcalc diff (kikcalc/cli_new.py, keypaths.differences)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from test_snapshot import closed_group

import kikcalc
from conftest import SCENARIOS
from kikcalc import keypaths
from kikcalc.cli import main
from kikcalc.cli_new import TEMPLATES, template_text
from kikcalc.keypaths import ABSENT, differences

KIK2 = SCENARIOS / "aabenraa-kik2.toml"


def invoke(*args: str):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


# --- new ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("template", TEMPLATES)
def test_a_starter_validates_and_runs_as_written_without_warnings(template, tmp_path):
    path = tmp_path / f"{template}.toml"
    result = invoke("new", str(path), "--template", template)
    assert result.exit_code == 0, result.output
    assert "PLACEHOLDER" in result.stderr
    assert path.read_text(encoding="utf-8") == template_text(template)
    checked = invoke("validate", str(path))
    assert checked.exit_code == 0 and checked.stderr == "", checked.output  # no plausibility warning either
    assert invoke("compare", str(path)).exit_code == 0
    assert invoke("targets", str(path)).exit_code == 0
    assert len(kikcalc.load(path).strategies) == 2


_MONTH = re.compile(r"\d{4}-\d{2}")


def _holds_a_number_or_month(value) -> bool:
    """A number anywhere in a value (an inline table by year too), or a month ("2025-01")."""
    if isinstance(value, str):
        return bool(_MONTH.fullmatch(value))
    return bool(keypaths.numbers({"v": value})) or any(isinstance(v, str) and _MONTH.fullmatch(v)
                                                        for _, v in keypaths.walk({"v": value}))


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_number_and_month_of_a_starter_is_marked_placeholder(template):
    """Each key whose value holds a number or a month carries "PLACEHOLDER" in its line's comment (read by tomlkit)."""
    import tomlkit
    from tomlkit.items import AoT, Table

    marked: list[str] = []

    def visit(container, path: str) -> None:
        for key, item in container.items():
            where = keypaths.child(path, key)
            if isinstance(item, Table):
                visit(item, where)
            elif isinstance(item, AoT):
                for i, table in enumerate(item):
                    visit(table, keypaths.child(where, i))
            elif _holds_a_number_or_month(item.unwrap()):
                assert "PLACEHOLDER" in item.trivia.comment, f"{template}: {where} is not marked as a placeholder"
                marked.append(where)

    text = template_text(template)
    visit(tomlkit.parse(text), "")
    raw = kikcalc.load(_written(template)).raw
    numbers = keypaths.numbers(raw)
    assert numbers and all(any(keypaths.within(path, place) for place in marked) for path in numbers)
    assert "PLACEHOLDER" in raw["scenario"]["source"]


def _written(template: str) -> Path:
    return Path(kikcalc.__file__).parent / "templates" / f"{template}.toml"


def test_the_kik_starter_holds_its_groups_where_its_comments_say():
    scenario = kikcalc.load(Path(kikcalc.__file__).parent / "templates" / "kik.toml")
    yearly = kikcalc.run(scenario).yearly
    baseline = yearly[yearly.strategy == "baseline"].set_index(["state", "year"]).full_year_persons
    # inflow 40 a month against exits of 0.03 + 0.01 a month: 40 / 0.04 = 1000 in kontanthjaelp; 1000 x 0.01 = 10
    # a month into anden_ydelse against 0.02 out of 500: 10 / 0.02 = 500. The start is the steady state.
    np.testing.assert_allclose(baseline["kontanthjaelp"], 40 / (0.03 + 0.01), rtol=1e-9)
    np.testing.assert_allclose(baseline["anden_ydelse"], 1000 * 0.01 / 0.02, rtol=1e-9)


def test_the_programme_starter_group_holds_at_inflow_over_exit():
    yearly = kikcalc.run(Path(kikcalc.__file__).parent / "templates" / "programme.toml").yearly
    baseline = yearly[(yearly.strategy == "baseline") & (yearly.state == "uddannelseshjaelp")]
    np.testing.assert_allclose(baseline.full_year_persons, 7.5 / 0.03, rtol=1e-9)


def test_the_pool_starter_is_a_closed_group():
    result = kikcalc.run(Path(kikcalc.__file__).parent / "templates" / "pool.toml")
    monthly = result.monthly[result.monthly.part_of == ""]
    totals = monthly.groupby(["strategy", "month"]).headcount_end.sum()
    np.testing.assert_allclose(totals, 1000, rtol=1e-12)  # no inflow: the 1000 persons are conserved


def test_new_never_writes_over_a_file(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text("# my own work\n", encoding="utf-8")
    result = invoke("new", str(path))
    assert result.exit_code == 2 and "exists; kikcalc never writes over it" in result.output
    assert path.read_text(encoding="utf-8") == "# my own work\n"
    link = tmp_path / "link.toml"
    link.symlink_to(tmp_path / "nowhere.toml")  # a dangling link is a name taken too
    assert invoke("new", str(link)).exit_code == 2
    assert not (tmp_path / "nowhere.toml").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.toml", "mine.toml"]  # no temporary file left


@pytest.mark.parametrize(("name", "words"), [("scenario.txt", "a scenario file ends in .toml"),
                                             ("no-folder/x.toml", "does not exist")])
def test_new_refuses_a_name_it_cannot_use(tmp_path, name, words):
    result = invoke("new", str(tmp_path / name))
    assert result.exit_code == 2 and words in result.output


@pytest.mark.parametrize(("name", "words"), [(".toml", ".toml: a scenario file ends in .toml; give a name such as my-scenario.toml"),
                                             ("", "Invalid value for 'FILE': the file name is empty")])
def test_new_suggests_a_name_that_fits(tmp_path, monkeypatch, name, words):
    monkeypatch.chdir(tmp_path)
    result = invoke("new", name)
    assert result.exit_code == 2 and words in result.output
    assert list(tmp_path.iterdir()) == []


def test_new_with_an_unknown_template_is_exit_2(tmp_path):
    result = invoke("new", str(tmp_path / "x.toml"), "--template", "kik3")
    assert result.exit_code == 2 and "kik, programme, pool" in result.output.replace("'", "")


# --- diff --------------------------------------------------------------------------------------------

def test_differences_by_hand():
    a = {"s": {"x": 1, "y": [1, 2, 3], "t": {"u": 1}}, "only_a": {"k": 1}}
    b = {"s": {"x": 1.0, "y": [1, 5], "t": True}, "only_b": 2}
    assert differences(a, b) == [("s.y[1]", 2, 5), ("s.y[2]", 3, ABSENT), ("s.t", {"u": 1}, True),
                                 ("only_a", {"k": 1}, ABSENT), ("only_b", ABSENT, 2)]
    assert differences({"a": True}, {"a": 1}) == [("a", True, 1)]  # true is not the number 1
    assert differences({"a": "x.y"}, {"a": "x.y"}) == []
    assert differences({"a.b": 1}, {"a.b": 2}) == [('"a.b"', 1, 2)]  # a key path as errors print it


def test_diff_of_two_closed_groups_moves_the_saving_by_the_extra_investment(tmp_path):
    first = closed_group(tmp_path / "a", second_strategy=True, investment=12_000)
    second = closed_group(tmp_path / "b", second_strategy=True, investment=30_000)
    result = invoke("diff", first, second, "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["inputs"] == [{"path": "strategies.more.investment", "a": 12_000, "b": 30_000, "in_a": True, "in_b": True}]
    moved = {(r["strategy"], r["path"]): r for r in document["results"] if r["kind"] == "moved"}
    # a strategy with no effect saves minus its investment: 2 years x 12,000 and 2 years x 30,000 kr.
    saving = moved["more", "summary.net_saving"]
    assert (saving["old"], saving["new"], saving["change"]) == (-2 * 12_000, -2 * 30_000, -2 * (30_000 - 12_000))
    assert moved["more", "summary.investment"]["change"] == 2 * (30_000 - 12_000)
    assert ("baseline", "summary.npv") not in moved


def test_diff_of_kik2_and_a_weaker_effect_matches_a_run_with_the_value_set(tmp_path):
    weaker = tmp_path / "weaker.toml"
    weaker.write_text(KIK2.read_text(encoding="utf-8").replace("multiply = 1.59152", "multiply = 1.3"), encoding="utf-8")
    result = invoke("diff", str(KIK2), str(weaker))
    assert result.exit_code == 0, result.output
    assert re.search(r"strategies\.kik2\.effects\[0\]\.multiply +1\.59152 +1\.3\n", result.stdout)
    document = json.loads(invoke("diff", str(KIK2), str(weaker), "--format", "json").stdout)
    assert [d["path"] for d in document["inputs"]] == ["strategies.kik2.effects[0].multiply"]
    base = kikcalc.run(kikcalc.load(KIK2)).summary.set_index("strategy")
    set_ = kikcalc.run(kikcalc.load(KIK2, overrides=[("strategies.kik2.effects[0].multiply", 1.3)])).summary.set_index("strategy")
    npv = next(r for r in document["results"] if r["strategy"] == "kik2" and r["path"] == "summary.npv")
    assert npv["old"] == round(base.npv["kik2"], 2) and npv["new"] == round(set_.npv["kik2"], 2)
    payback = next(r for r in document["results"] if r["strategy"] == "kik2" and r["path"] == "summary.payback_month")
    assert (payback["old"], payback["new"]) == (base.payback_month["kik2"], set_.payback_month["kik2"])


def test_diff_of_a_file_with_itself_has_no_inputs_and_nothing_moves():
    result = invoke("diff", str(KIK2), str(KIK2), "--format", "json")
    document = json.loads(result.stdout)
    assert document["inputs"] == [] and {r["kind"] for r in document["results"]} == {"same"}


def test_diff_of_a_bad_file_is_exit_2_with_its_key_path():
    bad = Path(__file__).parent / "bad_scenarios" / "probability-above-one.toml"
    result = invoke("diff", str(KIK2), str(bad))
    assert result.exit_code == 2 and "transitions[0].probability" in result.output


def test_diff_in_json_says_which_file_lacks_a_value():
    plan = SCENARIOS / "aabenraa-kik2-plan.toml"
    document = json.loads(invoke("diff", str(plan), str(KIK2), "--format", "json").stdout)
    inputs = {d["path"]: d for d in document["inputs"]}
    assert inputs["uncertainty"]["in_a"] is False and inputs["uncertainty"]["a"] is None
    assert inputs["uncertainty"]["in_b"] is True and inputs["uncertainty"]["b"] == kikcalc.load(KIK2).raw["uncertainty"]
    assert inputs["strategies.kik2.effects[0].multiply"] == {"path": "strategies.kik2.effects[0].multiply", "a": 1.45,
                                                              "b": 1.59152, "in_a": True, "in_b": True}


def test_new_says_a_command_to_paste_as_it_is(tmp_path, monkeypatch):
    """The validate command the message ends with is quoted as a shell takes it: a name with a space (a Danish
    folder name such as 'Mine scenarier') runs as shown."""
    import shlex

    monkeypatch.chdir(tmp_path)
    result = invoke("new", "min strategi.toml")
    assert result.exit_code == 0
    command = result.stderr.strip().rsplit("then: ", 1)[1]
    assert shlex.split(command) == ["kikcalc", "validate", "min strategi.toml"]
    assert invoke(*shlex.split(command)[1:]).exit_code == 0
