"""kikcalc.provenance: every output says which kikcalc, which files (SHA-256), which --set values, seed and
draws, which command and when; SOURCE_DATE_EPOCH fixes the time."""

from __future__ import annotations

import datetime
import hashlib
import json

import pytest
from click.testing import CliRunner

import kikcalc
from conftest import ROOT, SCENARIOS
from kikcalc import provenance
from kikcalc.cli import main
from kikcalc.errors import UsageError

KIK2 = SCENARIOS / "aabenraa-kik2.toml"
TWO = ROOT / "tests" / "data" / "two-states.toml"


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_the_time_is_source_date_epoch_when_set(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    assert provenance.of([kikcalc.load(TWO)]).time == "1970-01-01T00:00:00Z"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(86_400 * 365 + 3_661))  # 1971 is 365 days on; 1 h 1 min 1 s
    assert provenance.of([kikcalc.load(TWO)]).time == "1971-01-01T01:01:01Z"


def test_the_time_is_the_clock_without_source_date_epoch(monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    before = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    stamped = datetime.datetime.strptime(provenance.of([kikcalc.load(TWO)]).time, "%Y-%m-%dT%H:%M:%SZ")
    after = datetime.datetime.now(datetime.UTC)
    assert before <= stamped.replace(tzinfo=datetime.UTC) <= after


@pytest.mark.parametrize("value", ["yesterday", "1.5", "99999999999999999999"])
def test_a_bad_source_date_epoch_is_a_usage_error(monkeypatch, value):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    with pytest.raises(UsageError, match=r"SOURCE_DATE_EPOCH=.*expected whole seconds since 1970-01-01 UTC"):
        provenance.run_time()
    result = invoke("run", str(TWO))
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.stderr.startswith(f"kikcalc: SOURCE_DATE_EPOCH={value}: expected whole seconds")


def test_the_record_names_files_by_their_sha256_and_the_values_set():
    scenario = kikcalc.load(KIK2, [("strategies.kik2.effects[0].multiply", 1.6)])
    record = provenance.of([scenario, kikcalc.load(TWO)], seed=7, draws=100, command="kikcalc x")
    assert record.files[0].sha256 == hashlib.sha256(KIK2.read_bytes()).hexdigest()
    assert record.files[1].sha256 == hashlib.sha256(TWO.read_bytes()).hexdigest()
    assert record.to_dict() == {
        "kikcalc_version": kikcalc.__version__,
        "files": [{"name": str(KIK2), "sha256": record.files[0].sha256}, {"name": str(TWO), "sha256": record.files[1].sha256}],
        "set": [{"path": "strategies.kik2.effects[0].multiply", "value": 1.6}],
        "seed": 7, "draws": 100, "command": "kikcalc x", "time": "2026-01-01T00:00:00Z"}
    line = record.one_line()
    assert line.startswith(f"kikcalc {kikcalc.__version__}; {KIK2} sha256:{record.files[0].sha256}; ")
    assert "set strategies.kik2.effects[0].multiply = 1.6; seed 7, 100 draws; command: kikcalc x; run 2026-01-01T00:00:00Z" in line
    assert provenance.sha256(ROOT / "no-such-file.toml") is None


def test_json_of_every_table_command_holds_the_provenance():
    for command in ("run", "compare", "targets"):
        document = json.loads(invoke(command, str(TWO), "--set", "states.kh.initial=1000", "--format", "json").stdout)
        record = document["provenance"]
        assert record["files"] == [{"name": str(TWO), "sha256": hashlib.sha256(TWO.read_bytes()).hexdigest()}]
        assert record["set"] == [{"path": "states.kh.initial", "value": 1000}]
        assert record["command"] == f"kikcalc {command} {TWO} --set states.kh.initial=1000 --format json"
        assert record["time"] == "2026-01-01T00:00:00Z" and record["seed"] is None and record["draws"] is None


def test_draws_and_seed_are_recorded_where_numbers_are_drawn():
    document = json.loads(invoke("sensitivity", str(KIK2), "--draws", "20", "--seed", "5", "--format", "json").stdout)
    assert document["provenance"]["seed"] == 5 and document["provenance"]["draws"] == 20
    assert document["draws"] == 20  # the document's own keys are kept


def test_text_and_markdown_have_a_provenance_header_line():
    for fmt in ("table", "markdown"):
        lines = invoke("run", str(TWO), "--format", fmt).stdout.splitlines()
        title = "# Two states" if fmt == "markdown" else "TWO STATES"
        assert lines[0] == title
        line = next(line for line in lines if line.startswith("Provenance: "))
        assert f"{TWO} sha256:{hashlib.sha256(TWO.read_bytes()).hexdigest()}" in line
        assert line.endswith(f"command: kikcalc run {TWO} --format {fmt}; run 2026-01-01T00:00:00Z")
    solve = invoke("solve", str(KIK2), "--target", "under-800-maj-2022", "--vary", "strategies.kik2.effects[0].multiply",
                   "--between", "1", "1.25").stdout.splitlines()
    assert solve[0] == "KIK II, AABENRAA: SOLVE" and solve[1].startswith("Provenance: kikcalc ")


def test_a_csv_stays_a_plain_table_and_its_provenance_goes_to_stderr(tmp_path):
    out = tmp_path / "two.csv"
    result = invoke("run", str(TWO), "--output", str(out))
    assert out.read_text(encoding="utf-8").startswith("strategy,year,state,")
    assert "provenance" not in out.read_text(encoding="utf-8")
    assert result.stderr.splitlines()[-1].startswith(f"note: provenance: kikcalc {kikcalc.__version__}; {TWO} sha256:")


def test_observed_data_files_are_named_by_their_sha256_too():
    data = ROOT / "scenarios" / "data" / "aabenraa-kik2-status-2021.csv"
    plan = SCENARIOS / "aabenraa-kik2-plan.toml"
    document = json.loads(invoke("followup", str(plan), "--observed", str(data), "--format", "json").stdout)
    assert document["provenance"]["files"] == [
        {"name": str(plan), "sha256": hashlib.sha256(plan.read_bytes()).hexdigest()},
        {"name": str(data), "sha256": hashlib.sha256(data.read_bytes()).hexdigest()}]


@pytest.mark.parametrize("args", [
    ["liability", str(SCENARIOS / "aabenraa-kik2.toml"), "--years", "5"],
    ["diff", str(SCENARIOS / "aabenraa-kik2-plan.toml"), str(SCENARIOS / "aabenraa-kik2.toml")],
    ["check", str(SCENARIOS / "aabenraa-kik2.toml"), "--against", str(ROOT / "tests" / "snapshots" / "aabenraa-kik2.json")],
])
def test_the_commands_beside_the_tables_record_their_provenance_too(args):
    """liability, diff and check name every file they read by its SHA-256, in JSON and on top of their text."""
    document = json.loads(invoke(*args, "--format", "json").stdout)
    read = [a for a in args[1:] if a.endswith((".toml", ".json"))]
    assert [f["sha256"] for f in document["provenance"]["files"]] == [hashlib.sha256(open(f, "rb").read()).hexdigest() for f in read]
    assert invoke(*args).stdout.splitlines()[:2][args[0] == "liability"].startswith("Provenance: kikcalc")
