"""``kikcalc snapshot`` and ``kikcalc check``: regression checks for CI pipelines (docs/ci.md)."""

from __future__ import annotations

import json
import math
import sys

import click

import kikcalc
from kikcalc import report, snapshot
from kikcalc.cli import (
    _FILES,
    _QUIET,
    _SET,
    EXIT_CHECK_FAILED,
    FILE,
    _emit,
    _handles_bad_input,
    _load_each_once,
    _overrides,
    _stamped,
    _stamped_on_top,
    main,
)
from kikcalc.errors import ScenarioError, UsageError
from kikcalc.output import check_output, format_for, write_atomically


def _sensitivity_json(scenario: kikcalc.Scenario, settings: dict) -> dict | None:
    """The ``kikcalc sensitivity --format json`` document of a scenario, or None if it has no [uncertainty].

    The uncertain numbers are those ``kikcalc sensitivity`` draws (:func:`kikcalc.api.uncertain`): a number set with
    --set is certain in this run, and a distribution that draws beyond its number's limits is bad input."""
    from kikcalc import report_sensitivity
    from kikcalc import sensitivity as psa
    from kikcalc.api import uncertain

    table = scenario.raw.get("uncertainty")
    if not (isinstance(table, dict) and table):
        click.echo(f"note: {scenario.path}: no [uncertainty] table: its snapshot holds the plain run's numbers only", err=True)
        return None
    uncertainty, notes = uncertain(scenario)
    for note in notes:
        click.echo(f"note: {scenario.path}: {note}", err=True)
    run = psa.run(scenario, uncertainty, settings["draws"], settings["seed"], settings["sampler"])
    if run.summary["draws_used"] == 0:
        raise UsageError(psa.no_draw_runs(scenario.path, run.summary["excluded"]["by_state"],
                                          run.summary["excluded"]["by_key_path"]))
    return json.loads(report_sensitivity.document(run, "json"))


def _snapshot_of(files: tuple[str, ...], settings: dict | None, quiet: bool, assignments: tuple[str, ...] = ()) -> dict:
    """The snapshot document of the files as they run now, with sensitivity numbers if ``settings`` are given."""
    keys = snapshot.keys_of(files)
    results = _load_each_once(files, _overrides(assignments), quiet)
    for result in results:
        for note in report.set_notes(result):
            click.echo(f"note: {result.scenario.path}: {note}", err=True)
    entries = {}
    for key, result in zip(keys, results, strict=True):
        run = json.loads(report.to_json(report.run_json(result)))
        entries[key] = snapshot.entry(run, None if settings is None else _sensitivity_json(result.scenario, settings))
    return snapshot.document(entries, kikcalc.__version__, settings)


_DRAWS = click.option("--draws", "-n", type=click.IntRange(1, snapshot.MAX_DRAWS), default=None,
                      help="Also store the sensitivity summary of this many draws of each file's [uncertainty] numbers.")
_SEED = click.option("--seed", type=click.IntRange(0), default=None, help="Seed of the draws (with --draws; default 1).")
_SAMPLER = click.option("--sampler", type=click.Choice(["random", "lhs", "sobol"]), default=None,
                        help="Sampler of the draws (with --draws; default random).")


def _with_provenance(document: dict, files: tuple[str, ...], assignments: tuple[str, ...], settings: dict | None) -> str:
    """The snapshot's JSON with its provenance object (files by SHA-256, --set, seed and draws, command, time);
    check compares the scenarios' numbers only."""
    scenarios = [kikcalc.load(file, _overrides(assignments)) for file in files]
    seed, draws = (settings["seed"], settings["draws"]) if settings else (None, None)
    return _stamped(report.to_json(document), "json", scenarios, seed, draws)[0]


@main.command(name="snapshot")
@_FILES
@click.option("--output", "-o", type=FILE, default=None,
              help="Write the snapshot to this file (JSON, atomically) instead of the terminal.")
@_DRAWS
@_SEED
@_SAMPLER
@_SET
@_QUIET
@_handles_bad_input
def snapshot_command(files: tuple[str, ...], output: str | None, draws: int | None, seed: int | None, sampler: str | None,
                     assignments: tuple[str, ...], quiet: bool) -> None:
    """Store every headline number of every strategy of the files, for kikcalc check to compare a later run with."""
    if draws is None and (seed is not None or sampler is not None):
        raise UsageError("--seed and --sampler choose the draws of --draws N; give --draws too")
    if output:
        format_for(output, "json", only=True)  # refuses a .toml: that is a scenario; and a name that says another format
        check_output(output, list(files))
    settings = None if draws is None else {"draws": draws, "seed": 1 if seed is None else seed, "sampler": sampler or "random"}
    document = _snapshot_of(files, settings, quiet, assignments)
    _emit(_with_provenance(document, files, assignments, settings), output, files)


class _Tolerance(click.FloatRange):
    """A tolerance: a number >= 0. nan passed click.FloatRange(0) (nan < 0 is False) and then no number ever moved,
    so a CI check passed whatever changed; inf would pass everything too. Both are refused."""

    def convert(self, value, param, ctx):  # type: ignore[no-untyped-def]
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"expected a finite number >= 0, got {value!r}: with it no number would ever count as moved",
                      param, ctx)
        return number


_TOLERANCE = _Tolerance(0)


@main.command()
@_FILES
@click.option("--against", "-a", required=True, type=FILE, metavar="SNAPSHOT.json",
              help="The snapshot written by kikcalc snapshot.")
@click.option("--rtol", type=_TOLERANCE, default=snapshot.RTOL, show_default=True,
              help="Relative tolerance: a number moved when |new - old| > atol + rtol x |old|.")
@click.option("--atol", type=_TOLERANCE, default=snapshot.ATOL, show_default=True,
              help="Absolute tolerance, in each number's own unit (kr., persons, a share).")
@click.option("--update", is_flag=True, help="Rewrite the snapshot (atomically) with the numbers of this run, deliberately; exit 0.")
@click.option("--format", "-f", "fmt", type=click.Choice(["table", "markdown", "json"]), default=None,
              help="table (default), markdown (for a CI job summary) or json; default from --output's suffix.")
@click.option("--output", "-o", type=FILE, default=None, help="Write the report to this file (atomically).")
@_SET
@_QUIET
@_handles_bad_input
def check(files: tuple[str, ...], against: str, rtol: float, atol: float, update: bool, fmt: str | None, output: str | None,
          assignments: tuple[str, ...], quiet: bool) -> None:
    """Run the files again and compare every number with a snapshot; exit 1 if one moved beyond the tolerance,
    or a scenario, strategy, year or number is missing or extra."""
    from kikcalc import report_snapshot

    chosen = format_for(output, fmt)
    if chosen not in report_snapshot.FORMATS:
        raise UsageError(f"--output {output}: kikcalc check writes {', '.join(report_snapshot.FORMATS)}")
    if output:
        check_output(output, [*files, against])
    old = snapshot.read(against)
    note = snapshot.version_note(old, against, kikcalc.__version__)
    if note:
        click.echo(f"note: {note}", err=True)
    if update:
        if assignments:
            raise UsageError("--update with --set would store numbers that the files do not give; leave out --set, or edit the files")
        check_output(against, list(files), "--against")
    new = _snapshot_of(files, old.get("sensitivity"), quiet, assignments)
    problems = snapshot.conflicts(old, new)
    if problems:
        raise ScenarioError(against, problems)
    changes = snapshot.compare(old, new, rtol, atol)
    compared = len(set(snapshot.flatten(old)) & set(snapshot.flatten(new)))
    if update:
        write_atomically(against, _with_provenance(new, files, assignments, old.get("sensitivity")), list(files), "--against")
    record = [kikcalc.load(file, _overrides(assignments)) for file in files]  # for the provenance: names, SHA-256, --set
    content = _stamped_on_top(report_snapshot.check_document(changes, against, compared, rtol, atol, chosen, update), chosen,
                              record, data_files=[against])
    _emit(content, output, (*files, against))
    if changes and not update:
        how = ("" if assignments else
               f"; if they are intended, rewrite it: kikcalc check {' '.join(files)} --against {against} --update")
        click.echo(f"kikcalc: {len(changes)} difference{'s' if len(changes) != 1 else ''} from {against}{how}", err=True)
        sys.exit(EXIT_CHECK_FAILED)
