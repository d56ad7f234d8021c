"""`kikcalc sensitivity` and `kikcalc tornado` on the command line: formats, files, exit codes, and
that the summaries agree with the draws they summarise and with plain runs."""

from __future__ import annotations

import io
import json

import numpy as np
import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

import kikcalc
from conftest import SCENARIOS
from kikcalc.cli import main

KIK2 = str(SCENARIOS / "aabenraa-kik2.toml")
BUDGET = str(SCENARIOS / "aabenraa-budget-2021.toml")


def invoke(*args: str):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


@pytest.fixture(scope="module")
def kept(tmp_path_factory):
    """A run of 300 draws: its JSON summary and its --keep-draws table."""
    draws = tmp_path_factory.mktemp("draws") / "draws.csv"
    result = invoke("sensitivity", KIK2, "--draws", "300", "--seed", "7", "--format", "json", "--keep-draws", str(draws))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), pd.read_csv(draws)


def test_the_summary_is_the_draws_summarised(kept):
    summary, table = kept
    kik2 = table[table.strategy == "kik2"]
    entry = next(s for s in summary["strategies"] if s["name"] == "kik2")
    assert len(kik2) == summary["draws"] == 300
    assert entry["npv"]["mean"] == pytest.approx(kik2.npv.mean(), rel=1e-12)
    assert entry["npv"]["p5"] == pytest.approx(np.percentile(kik2.npv, 5), rel=1e-12)
    assert entry["net_saving"]["2021"]["p95"] == pytest.approx(np.percentile(kik2.net_saving_2021, 95), rel=1e-12)
    assert entry["payback_probability"] == pytest.approx(kik2.payback_month.notna().mean())
    assert entry["npv_positive_probability"] == pytest.approx((kik2.npv > 0).mean())
    target = next(t for t in summary["targets"] if t["name"] == "under-800-maj-2022" and t["strategy"] == "kik2")
    assert target["probability_met"] == pytest.approx(kik2["met:under-800-maj-2022"].mean())
    assert target["value"]["p50"] == pytest.approx(np.median(kik2["target:under-800-maj-2022"]), rel=1e-12)


def test_kept_draws_are_plain_runs_with_the_numbers_set(kept):
    """Draw 3's numbers, set with overrides (the band tables scaled by hand), give its NPV in a plain run."""
    _, table = kept
    row = table[(table.draw == 3) & (table.strategy == "kik2")].iloc[0]
    raw = kikcalc.load(KIK2).raw
    overrides = [(path, row[path]) for path in ("strategies.kik2.effects[0].multiply", "strategies.kik2.effects[1].multiply")]
    for i in (0, 1):
        path = f"transitions[{i}].probability"
        overrides.append((path, {band: p * row[path] for band, p in raw["transitions"][i]["probability"].items()}))
    overrides.append(("states.kontanthjaelp.inflow", raw["states"]["kontanthjaelp"]["inflow"] * row["states.kontanthjaelp.inflow"]))
    plain = kikcalc.run(kikcalc.load(KIK2, overrides))
    assert plain.accounts.npv[1] == pytest.approx(row.npv, rel=1e-9)


def test_same_seed_same_output_and_another_seed_another():
    first = invoke("sensitivity", KIK2, "--draws", "40", "--seed", "3", "--format", "json").stdout
    assert invoke("sensitivity", KIK2, "--draws", "40", "--seed", "3", "--format", "json").stdout == first
    assert invoke("sensitivity", KIK2, "--draws", "40", "--seed", "4", "--format", "json").stdout != first


@pytest.mark.parametrize("fmt", ["table", "markdown", "csv", "csv-da"])
def test_sensitivity_formats(fmt):
    result = invoke("sensitivity", KIK2, "--draws", "20", "--format", fmt)
    assert result.exit_code == 0, result.output
    if fmt == "csv":
        frame = pd.read_csv(io.StringIO(result.stdout))
        assert list(frame.columns) == ["strategy", "measure", "period", "unit", "mean", "p5", "p50", "p95", "probability"]
        assert "note: 20 draws" in result.stderr
    elif fmt == "csv-da":
        assert result.stdout.startswith("\ufeffstrategy;measure;period")
    else:  # Markdown leaves a > that opens no markup as it is (kikcalc.formats._text.cell)
        assert "P(NPV > 0)" in result.stdout and "20 draws (random sampler, seed 1" in result.stdout


def test_sensitivity_workbook(tmp_path):
    out = tmp_path / "psa.xlsx"
    assert invoke("sensitivity", KIK2, "--draws", "20", "-o", str(out)).exit_code == 0
    book = openpyxl.load_workbook(out)
    assert {"sensitivity", "uncertain numbers", "notes"} <= set(book.sheetnames)
    assert book["uncertain numbers"].max_row == 1 + 5


def test_no_progress_bar_when_stderr_is_not_a_terminal():
    result = invoke("sensitivity", KIK2, "--draws", "600", "--format", "json")
    assert result.exit_code == 0 and result.stderr == ""


def test_plain_run_says_it_is_the_base_case():
    assert "Base case: every number as the file writes it; 5 of them have a distribution" in invoke("run", KIK2).stdout
    what_if = invoke("run", KIK2, "--set", "scenario.discount_rate=0.05").stdout
    assert "Base case: every number as the file writes it, but those set with --set; 5 of them" in what_if


def test_bad_requests_are_exit_2(tmp_path):
    no_table = invoke("sensitivity", BUDGET)
    assert no_table.exit_code == 2 and "no uncertain numbers" in no_table.stderr
    onto_input = invoke("sensitivity", KIK2, "--draws", "5", "--keep-draws", KIK2)
    assert onto_input.exit_code == 2 and "never overwrites its input" in onto_input.stderr
    assert invoke("sensitivity", KIK2, "--draws", "0").exit_code == 2
    typo = invoke("tornado", KIK2, "--metric", "npb")
    assert typo.exit_code == 2 and 'did you mean "npv"' in typo.stderr
    payback = invoke("tornado", KIK2, "--metric", "target:payback")
    assert payback.exit_code == 2 and "payback month" in payback.stderr
    unknown = invoke("tornado", KIK2, "--metric", "target:nosuch")  # the choices offered are the ones it takes
    assert unknown.exit_code == 2 and "target:budget-2021" in unknown.stderr and "target:payback" not in unknown.stderr
    assert invoke("tornado", KIK2, "--strategy", "kik3").exit_code == 2


def test_tornado_ends_are_plain_runs(tmp_path):
    """The tornado's row for the effect equals plain runs with the effect set to its two ends."""
    document = json.loads(invoke("tornado", KIK2, "--format", "json").stdout)
    assert document["base"] == pytest.approx(kikcalc.run(kikcalc.load(KIK2)).accounts.npv[1], rel=1e-12)
    bar = next(b for b in document["bars"] if b["key_path"] == "strategies.kik2.effects[0].multiply")
    for end, metric in (("low", "metric_at_low"), ("high", "metric_at_high")):
        plain = kikcalc.run(kikcalc.load(KIK2, [("strategies.kik2.effects[0].multiply", bar[end])]))
        assert plain.accounts.npv[1] == pytest.approx(bar[metric], rel=1e-9)
    swings = [b["swing"] for b in document["bars"]]
    assert swings == sorted(swings, reverse=True)


def test_tornado_and_sensitivity_name_the_values_set():
    """Every output names the values set, as run, compare and targets do: a Set: line with the file's value under
    the header, a set list in JSON, a note beside a CSV; the tornado's base case is no longer the file's."""
    rate = ("--set", "scenario.discount_rate=0.05")
    in_file = kikcalc.load(KIK2).raw["scenario"]["discount_rate"]
    line = f"Set: scenario.discount_rate = 0.05 (file: {in_file})"
    record = [{"path": "scenario.discount_rate", "value": 0.05, "value_in_file": in_file}]
    text = invoke("tornado", KIK2, *rate).stdout
    assert line in text.splitlines()
    base = kikcalc.run(kikcalc.load(KIK2, [("scenario.discount_rate", 0.05)])).accounts.npv[1]
    assert f"Base case (every number as the file gives it, but the values set): {base:,.0f}" in text
    assert "but the values set" not in invoke("tornado", KIK2).stdout
    spread = invoke("tornado", KIK2, "--set", 'uncertainty."strategies.kik2.effects[0].multiply".sd=0.3').stdout
    assert "Base case (every number as the file gives it): " in spread  # a spread set leaves the base case as it is
    assert json.loads(invoke("tornado", KIK2, *rate, "--format", "json").stdout)["set"] == record
    assert "note: set scenario.discount_rate = 0.05" in invoke("tornado", KIK2, *rate, "--format", "csv").stderr
    drawn = ("sensitivity", KIK2, "--draws", "10", *rate)
    assert line in invoke(*drawn).stdout.splitlines()
    assert json.loads(invoke(*drawn, "--format", "json").stdout)["set"] == record


def test_the_scale_flag_in_json_is_a_flag_beside_a_gammas_own_scale(tmp_path):
    """A gamma given by shape and scale: its scale parameter is gamma_scale in the JSON, and scale stays the flag
    (false: not a factor), where the parameter used to overwrite it with a number that reads as true."""
    file = _with_entry(tmp_path, '"states.kontanthjaelp.cost" = { dist = "gamma", shape = 400, scale = 261.3 }')
    document = json.loads(invoke("sensitivity", file, "--draws", "10", "--format", "json").stdout)
    cost = next(u for u in document["uncertain"] if u["path"] == "states.kontanthjaelp.cost")
    assert cost == {"path": "states.kontanthjaelp.cost", "dist": "gamma", "scale": False, "shape": 400, "gamma_scale": 261.3}
    inflow = next(u for u in document["uncertain"] if u["path"] == "states.kontanthjaelp.inflow")
    assert inflow["scale"] is True and "gamma_scale" not in inflow


def test_set_changes_an_uncertainty_parameter():
    """--set reaches an entry's parameters: an effect with no spread draws the file's number every time."""
    wide = json.loads(invoke("sensitivity", KIK2, "--draws", "30", "--format", "json").stdout)
    result = invoke("sensitivity", KIK2, "--draws", "30", "--format", "json",
                    "--set", 'uncertainty."strategies.kik2.effects[0].multiply".sd=0')
    narrow = json.loads(result.stdout)
    assert narrow["set"][0]["value"] == 0
    assert narrow["uncertain"][3]["sd"] == 0 and wide["uncertain"][3]["sd"] == 0.15


def _with_entry(tmp_path, line: str, replace: str | None = None) -> str:
    """KIK II with one more [uncertainty] entry (or one replaced), as a new file."""
    text = (SCENARIOS / "aabenraa-kik2.toml").read_text(encoding="utf-8")
    if replace:
        start = text.index(replace)
        text = text[:start] + line + text[text.index("\n", start):]
    else:
        text = text.replace("[uncertainty]\n", f"[uncertainty]\n{line}\n", 1)
    path = tmp_path / "kik2.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("entry", ['{ dist = "beta", mean = 0.0072, sd = 1e-300 }', '{ dist = "gamma", mean = 1e308, sd = 1e-308 }',
                                   '{ dist = "lognormal", mu = 1000, sigma = 0.1 }', '{ dist = ["beta"] }',
                                   '{ dist = "beta", a = 1e-308, b = 1e-308 }'])  # scipy's inverse CDF raises
def test_parameters_beyond_floating_point_are_bad_input(tmp_path, entry):
    result = invoke("validate", _with_entry(tmp_path, f'"scenario.discount_rate" = {entry}'))
    assert result.exit_code == 2 and 'uncertainty."scenario.discount_rate"' in result.stderr


def test_a_contradicting_pair_twice_is_bad_input(tmp_path):
    path = _with_entry(tmp_path, "")
    text = open(path, encoding="utf-8").read() + (
        '\n[[correlations]]\nbetween = ["strategies.kik2.effects[1].multiply", "strategies.kik2.effects[0].multiply"]\nrank = -0.5\n')
    open(path, "w", encoding="utf-8").write(text)
    result = invoke("validate", path)
    assert result.exit_code == 2 and "given a rank correlation twice" in result.stderr


def test_set_makes_an_uncertain_number_certain():
    """--set on a number with a distribution fixes it: one number fewer is drawn, and its tornado bar is gone."""
    result = invoke("sensitivity", KIK2, "--draws", "20", "--format", "json", "--set", "strategies.kik2.effects[0].multiply=1.7")
    document = json.loads(result.stdout)
    assert [u["path"] for u in document["uncertain"]] == [p for p in kikcalc.load(KIK2).raw["uncertainty"] if "effects[0]" not in p]
    assert "is set with --set: it is certain in this run" in result.stderr
    bars = json.loads(invoke("tornado", KIK2, "--format", "json", "--set", "strategies.kik2.effects[0].multiply=1.7").stdout)["bars"]
    assert "strategies.kik2.effects[0].multiply" not in [b["key_path"] for b in bars]


def test_tornado_does_not_run_an_end_the_model_cannot(tmp_path):
    """A factor whose high end pushes leaving above 1: that end is marked, not computed."""
    path = _with_entry(tmp_path, '"transitions[0].probability" = { dist = "gamma", mean = 15, sd = 5, scale = true }',
                       replace='"transitions[0].probability"')
    bars = json.loads(invoke("tornado", path, "--format", "json").stdout)["bars"]
    bar = next(b for b in bars if b["key_path"] == "transitions[0].probability")
    assert bar["infeasible_high"] and bar["metric_at_high"] is None and bar["swing"] is None
    assert not bar["infeasible_low"] and bar["metric_at_low"] is not None
    assert "not run *" in invoke("tornado", path).stdout


def test_output_paths_are_checked_before_the_draws(tmp_path):
    kept = tmp_path / "draws.csv"
    missing = invoke("sensitivity", KIK2, "--draws", "5", "--keep-draws", str(kept), "-o", str(tmp_path / "no" / "x.json"))
    assert missing.exit_code == 2 and "does not exist" in missing.stderr and not kept.exists()
    same = invoke("sensitivity", KIK2, "--draws", "5", "--keep-draws", str(kept), "-o", str(kept))
    assert same.exit_code == 2 and "the same file as --output" in same.stderr
    suffix = invoke("sensitivity", KIK2, "--draws", "5", "--keep-draws", str(tmp_path / "d.xlsx"))
    assert suffix.exit_code == 2 and ".csv or .parquet" in suffix.stderr
    assert invoke("tornado", KIK2, "--strategy", "baseline").exit_code == 2


@pytest.mark.parametrize(("entry", "words"), [
    ('"states.kontanthjaelp.cost" = { dist = "gamma", mean = 5e9, sd = 1e8 }',
     "and states.kontanthjaelp.cost is an amount in kr. per full-year person between 0 and 1_000_000_000"),
    ('"states.anden_ydelse.cost" = { dist = "lognormal", mean = 120_000, sd = 2e8 }',
     "at least once in 1,000,000 draws (its 1-in-a-million ends are "),
])
def test_a_distribution_that_draws_beyond_the_limits_is_bad_input(tmp_path, entry, words):
    """The limits of docs/scenario-format.md hold for drawn numbers as for written ones: checked at the 1-in-a-million ends."""
    result = invoke("sensitivity", _with_entry(tmp_path, entry), "--draws", "10")
    assert result.exit_code == 2
    path = entry.split('"')[1]
    assert words in result.stderr and f'uncertainty."{path}"' in result.stderr


def test_a_factor_that_scales_a_table_beyond_the_limits_is_bad_input(tmp_path):
    """A scale = true factor is judged by what it makes of the table's largest number (an inflow of 47.45 a month)."""
    path = _with_entry(tmp_path, '"states.kontanthjaelp.inflow" = { dist = "gamma", mean = 1e6, sd = 1e5, scale = true }',
                       replace='"states.kontanthjaelp.inflow" =')
    result = invoke("sensitivity", path, "--draws", "10")
    assert result.exit_code == 2
    assert "make 47.4531 " in result.stderr and "a number of persons per month between 0 and 10_000_000" in result.stderr


def test_sobol_notes_a_number_of_draws_that_is_not_a_power_of_2():
    uneven = invoke("sensitivity", KIK2, "--draws", "100", "--seed", "1", "--sampler", "sobol")
    even = invoke("sensitivity", KIK2, "--draws", "128", "--seed", "1", "--sampler", "sobol")
    assert uneven.exit_code == 0 and even.exit_code == 0
    assert "Note: 100 draws is not a power of 2" in uneven.stdout
    assert "not a power of 2" not in even.stdout


def test_more_workers_than_chunks_or_cores_says_what_was_asked_and_what_started(monkeypatch):
    import kikcalc.cli_sensitivity
    from kikcalc.scenario import load
    from kikcalc.sensitivity import chunk_draws

    monkeypatch.setattr(kikcalc.cli_sensitivity.os, "cpu_count", lambda: 1)
    # Two chunks of whole draws and a bit of KIK II's 2 strategies: 3 processes start, one per chunk, not 1000.
    per_chunk = chunk_draws(load(KIK2))
    draws = 2 * per_chunk + 1
    result = CliRunner().invoke(main, ["sensitivity", KIK2, "--draws", str(draws), "--seed", "3", "--workers", "1000",
                                       "--format", "json"])
    assert result.exit_code == 0, result.output
    assert ("note: --workers 1000 on 1 core (3 started: one per chunk of draws): more processes than cores "
            "run no faster") in result.stderr


def test_one_draw_is_one_draw_in_the_header_and_the_provenance():
    result = CliRunner().invoke(main, ["sensitivity", KIK2, "--draws", "1", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "seed 3, 1 draw;" in result.output
    assert "\n1 draw (random sampler, seed 3, 1 process) of 5 uncertain numbers;" in result.output


def test_without_dask_the_message_names_the_extra_as_installed_from_kikcalcs_folder(monkeypatch):
    """As for the plot extra: kikcalc's folder's ".[dask]", not only a package index's kikcalc[dask]."""
    import sys

    monkeypatch.setitem(sys.modules, "dask.distributed", None)  # import fails as if dask were not installed
    result = CliRunner().invoke(main, ["sensitivity", KIK2, "--draws", "10", "--dask", "tcp://127.0.0.1:8786"])
    assert result.exit_code == 2
    assert 'pip install "kikcalc[dask]" (or pip install ".[dask]" in kikcalc\'s folder)' in result.output


def test_a_programmes_target_in_a_tornado_is_judged_for_the_strategy_that_runs_it():
    """A programme's target is judged only for its strategy: asked of another, exit 2 naming the one (the table had
    empty cells and exit 0); without --strategy, the tornado takes the strategy that runs it."""
    vuc = str(SCENARIOS / "aabenraa-vuc-course.toml")
    sets = ["--set", 'targets=[{ name = "fvu", programme = "vuc-resultat", flow_to = "fvu", min = 0.05 }]',
            "--set", 'uncertainty={ "strategies.resultat.programmes[0].outcomes.fvu" = { dist = "beta", mean = 0.06, sd = 0.02 } }']
    wrong = invoke("tornado", vuc, *sets, "--strategy", "maal", "--metric", "target:fvu")
    assert wrong.exit_code == 2
    assert ("--metric target:fvu: not judged for strategy maal (only the strategy that runs programme vuc-resultat is); "
            "choose --strategy resultat") in wrong.output
    chosen = invoke("tornado", vuc, *sets, "--metric", "target:fvu", "--format", "json")
    assert chosen.exit_code == 0, chosen.output
    document = json.loads(chosen.stdout)
    assert document["strategy"] == "resultat"
    bar = document["bars"][0]
    assert bar["metric_at_low"] < document["base"] < bar["metric_at_high"]


def test_a_tornado_of_a_targets_level_may_follow_the_baseline(tmp_path):
    """A caseload target is judged for the baseline too: --strategy baseline follows it (its ends are plain runs),
    and a file of the baseline alone takes it by default; money stays a strategy's against the baseline."""
    document = json.loads(invoke("tornado", KIK2, "--strategy", "baseline", "--metric", "target:budget-2021",
                                 "--format", "json").stdout)
    assert document["strategy"] == "baseline"
    bar = next(b for b in document["bars"] if b["key_path"] == "transitions[0].probability")
    raw = kikcalc.load(KIK2).raw
    bands = {band: p * bar["high"] for band, p in raw["transitions"][0]["probability"].items()}
    plain = kikcalc.run(kikcalc.load(KIK2, [("transitions[0].probability", bands)]))
    value = next(v.value for v in plain.verdicts if v.target == "budget-2021" and v.strategy == "baseline")
    assert bar["metric_at_high"] == pytest.approx(value, rel=1e-9)
    money = invoke("tornado", KIK2, "--strategy", "baseline")
    assert money.exit_code == 2 and "a target's level is followed for the baseline too" in money.output
    alone = tmp_path / "forecast.toml"
    text = (SCENARIOS / "aabenraa-kik2.toml").read_text(encoding="utf-8")
    kept = {"strategies.kik2", "uncertainty", "correlations", "targets"}
    alone.write_text(_without_tables(text, kept) + '\n[[targets]]\nname = "t"\nstates = ["kontanthjaelp"]\nyear = 2021\n'
                     'max = 1000\n\n[uncertainty]\n"states.kontanthjaelp.inflow" = { dist = "gamma", mean = 1.0, sd = 0.1, '
                     'scale = true }\n', encoding="utf-8")
    result = invoke("tornado", str(alone), "--metric", "target:t", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["strategy"] == "baseline"


def _without_tables(text: str, names: set[str]) -> str:
    """A TOML text without the tables (and arrays of tables) whose names start with one of ``names``."""
    kept, skipping = [], False
    for line in text.splitlines():
        header = line.strip().strip("[]") if line.startswith("[") else None
        if header is not None:
            skipping = any(header == n or header.startswith(n + ".") for n in names)
        if not skipping:
            kept.append(line)
    return "\n".join(kept) + "\n"


def test_an_excluded_draw_keeps_its_numbers_but_no_outputs(tmp_path):
    """A draw that breaks the model's rules is left out of the summaries; its kept row says so and what was drawn,
    and has no outputs (they describe no model the file does), as a tornado leaves an end it cannot run."""
    file = _with_entry(tmp_path, '"transitions[0].probability" = { dist = "triangular", low = 0.5, mode = 1.0, high = 20.0, scale = true }',
                       replace='"transitions[0].probability" =')
    draws = tmp_path / "draws.csv"
    result = invoke("sensitivity", file, "--draws", "200", "--seed", "2", "--format", "json", "--keep-draws", str(draws))
    assert result.exit_code == 0, result.output
    summary, table = json.loads(result.stdout), pd.read_csv(draws)
    excluded = table[table.excluded]
    assert 0 < len(excluded) // 2 == summary["excluded"]["draws"] < 200
    assert excluded["transitions[0].probability"].notna().all()
    assert excluded.loc[:, "npv":].isna().all().all()
    kik2 = table[(table.strategy == "kik2") & ~table.excluded]
    entry = next(s for s in summary["strategies"] if s["name"] == "kik2")
    assert entry["npv"]["mean"] == pytest.approx(kik2.npv.mean(), rel=1e-12)


def test_the_tornados_footnotes_in_markdown_are_paragraphs_not_rows_of_its_table():
    """In Markdown a line right under a table is one more row of it: the footnotes stand apart, each its own
    paragraph; the text table keeps them right under it."""
    lines = invoke("tornado", KIK2, "--format", "markdown").stdout.splitlines()
    note = lines.index("x: a factor that scales the whole number (scale = true)")
    assert lines[note - 1] == "" and lines[note - 2].startswith("|")
    text = invoke("tornado", KIK2).stdout.splitlines()
    assert text[text.index("x: a factor that scales the whole number (scale = true)") - 1].startswith("5 ")


def test_two_workers_share_the_draws_of_one_chunk_and_give_the_same_numbers(monkeypatch):
    import os

    from kikcalc.scenario import load
    from kikcalc.sensitivity import chunk_draws, draws_per_chunk

    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    scenario = load(KIK2)
    # Fewer draws than one chunk takes: with 2 processes each runs half, so both have work.
    draws = chunk_draws(scenario) - 1
    assert draws_per_chunk(scenario, draws, workers=2) == -(-draws // 2)
    assert draws_per_chunk(scenario, 10 * chunk_draws(scenario), workers=2) == chunk_draws(scenario)
    one = CliRunner().invoke(main, ["sensitivity", KIK2, "--draws", str(draws), "--seed", "4", "--format", "json"])
    two = CliRunner().invoke(main, ["sensitivity", KIK2, "--draws", str(draws), "--seed", "4", "--workers", "2",
                                    "--format", "json"])
    assert one.exit_code == 0 and two.exit_code == 0, (one.output, two.output)
    first, second = json.loads(one.stdout), json.loads(two.stdout)
    assert second["workers"] == "2 local processes"
    first.pop("workers"), second.pop("workers")
    first["provenance"].pop("command", None), second["provenance"].pop("command", None)
    assert first == second


def test_more_workers_than_chunks_says_how_many_started():
    result = CliRunner().invoke(main, ["sensitivity", KIK2, "--draws", "1", "--seed", "3", "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert "note: --workers 2: 1 started, one per chunk of draws (1 draw makes 1 chunk)" in result.stderr


@pytest.mark.parametrize("command", [["run"], ["sensitivity", "--draws", "20", "--seed", "1"], ["tornado"]],
                         ids=lambda command: command[0])
def test_a_workbooks_notes_give_the_values_set_as_every_command_writes_them(tmp_path, command):
    from kikcalc.scenario import load
    from kikcalc.tables import set_notes

    out = tmp_path / "out.xlsx"
    result = CliRunner().invoke(main, [command[0], KIK2, *command[1:], "--set", "scenario.discount_rate=0.05", "-o", str(out)])
    assert result.exit_code == 0, result.output
    notes = [row[0] for row in openpyxl.load_workbook(out)["notes"].iter_rows(values_only=True)]
    expected = set_notes(load(KIK2, [("scenario.discount_rate", 0.05)]))
    assert expected == ["set scenario.discount_rate = 0.05 (file: 0.035)"]
    assert notes[-1:] == expected and not any(str(note).startswith("Set: ") for note in notes)


def test_locale_da_writes_the_headings_and_labels_of_sensitivity_and_tornado_in_danish():
    from kikcalc.locale import phrase

    danish = CliRunner().invoke(main, ["sensitivity", KIK2, "--draws", "20", "--seed", "1", "--locale", "da"]).stdout
    english = CliRunner().invoke(main, ["sensitivity", KIK2, "--draws", "20", "--seed", "1"]).stdout
    for label in ("NPV of the net saving, kr.", "Net saving, horizon, kr.", "P(NPV > 0)", "Targets: probability met"):
        assert label in english and label not in danish and phrase(label, "da") in danish
    assert phrase("Net saving {year}, kr.", "da", year=2021) == "Nettobesparelse 2021, kr." in danish
    assert "Strategi kik2 i forhold til baseline" in danish and "Strategy kik2 against baseline" in english
    tornado = CliRunner().invoke(main, ["tornado", KIK2, "--locale", "da"]).stdout
    assert "KIK II, Aabenraa: npv for kik2 (kr.), ét tal ad gangen" in tornado
    assert all(phrase(word, "da") in tornado for word in ("uncertain number", "at low", "at high", "swing"))
