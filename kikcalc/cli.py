"""The command line: thin click commands over kikcalc's public API. No arithmetic here."""

from __future__ import annotations

import difflib
import functools
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

import click

import kikcalc
from kikcalc import keypaths, report
from kikcalc.errors import ScenarioError, UsageError
from kikcalc.output import format_for, write_atomically

EXIT_CHECK_FAILED = 1
EXIT_BAD_INPUT = 2


def _handles_bad_input(command: Callable) -> Callable:
    """Turn a bad scenario or request into a message on stderr and exit code 2, not a traceback."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except ScenarioError as error:
            click.echo(str(error), err=True)
            sys.exit(EXIT_BAD_INPUT)
        except UsageError as error:
            click.echo(f"kikcalc: {error}", err=True)
            sys.exit(EXIT_BAD_INPUT)

    return wrapper


def _unknown_strategy(name: str, known: list[str], where: str) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    hint = f'; did you mean "{close[0]}"?' if close else ""
    return f'--strategy {name}: no such strategy in {where} (there are {", ".join(known)}){hint}'


def _emit(content: str | bytes, output: str | None, inputs: tuple[str, ...], notes: list[str] = ()) -> None:
    """Write to --output or the terminal; notes go to stderr where the format itself has no room for them."""
    if isinstance(content, bytes) and not output:
        raise UsageError("xlsx is a file format: give --output FILE.xlsx")
    for note in notes:
        click.echo(f"note: {note}", err=True)
    if output:
        write_atomically(output, content, list(inputs))
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(content, nl=False)


def _output_options(command: Callable) -> Callable:
    command = click.option("--output", "-o", type=click.Path(dir_okay=False), default=None,
                           help="Write to this file (atomically) instead of the terminal.")(command)
    command = click.option("--format", "-f", "fmt", type=click.Choice(report.FORMATS), default=None,
                           help="table (default), markdown, csv, csv-da (Danish Excel: ; and decimal comma), json or xlsx "
                                "(a file); default from --output's suffix.")(command)
    return command


_FILES = click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
_SET = click.option("--set", "assignments", multiple=True, metavar="PATH=VALUE",
                    help="Set a value of the scenario by its key path, as if the file said so (repeatable; with "
                         "several files, in each): --set 'strategies.kik2.effects[0].multiply=1.6'.")


def _overrides(assignments: tuple[str, ...]) -> list[tuple[str, Any]]:
    """The (key path, value) of every --set PATH=VALUE; a malformed one is bad input."""
    overrides = []
    for text in assignments:
        try:
            overrides.append(keypaths.parse_assignment(text))
        except keypaths.KeyPathError as error:
            raise UsageError(f"--set {text}: {error.message}") from None
    return overrides


def _load_each_once(files: tuple[str, ...], overrides: Sequence[tuple[str, Any]] = ()) -> list[kikcalc.Result]:
    """Run each file; the same file twice is refused, since its columns would be doubled."""
    seen: dict[str, str] = {}
    for file in files:
        key = os.path.realpath(file)
        if key in seen:
            raise UsageError(f"{file} is the same file as {seen[key]}: give each scenario once")
        seen[key] = file
    return [kikcalc.run(kikcalc.load(f, overrides)) for f in files]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(kikcalc.__version__, prog_name="kikcalc")
def main() -> None:
    """kikcalc: investment strategies for municipal employment policy, simulated month by month."""


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--strategy", "-s", "strategies", multiple=True, help="Only this strategy (repeatable).")
@click.option("--monthly", is_flag=True, help="The month-by-month trajectory instead of years.")
@click.option("--money", is_flag=True, help="CSV: the money lines (by year, or by month with --monthly) "
                                             "instead of persons; the other formats hold both.")
@_SET
@_output_options
@_handles_bad_input
def run(file: str, strategies: tuple[str, ...], monthly: bool, money: bool, assignments: tuple[str, ...], fmt: str | None,
        output: str | None) -> None:
    """Run one scenario: full-year persons and money per year, summary, targets."""
    result = kikcalc.run(kikcalc.load(file, _overrides(assignments)))
    names = result.scenario.strategy_names
    for name in strategies:
        if name not in names:
            raise UsageError(_unknown_strategy(name, names, file))
    chosen = format_for(output, fmt)
    if money and chosen not in report.CSV_FORMATS:
        raise UsageError(f"--money chooses the table of a CSV; {chosen} output holds the money lines already")
    content = report.run_document(result, chosen, list(strategies) or names, monthly, money)
    _emit(content, output, (file,), [*result.notes, *report.set_notes(result)] if chosen in report.CSV_FORMATS else [])


@main.command()
@_FILES
@_SET
@_output_options
@_handles_bad_input
def compare(files: tuple[str, ...], assignments: tuple[str, ...], fmt: str | None, output: str | None) -> None:
    """All strategies of one or more scenarios side by side, against the baseline and the targets."""
    results = _load_each_once(files, _overrides(assignments))
    chosen = format_for(output, fmt)
    notes = ([f"{r.scenario.path}: {n}" for r in results for n in [*r.notes, *report.set_notes(r)]]
             if chosen in report.CSV_FORMATS else [])
    _emit(report.compare_document(results, chosen), output, files, notes)


@main.command()
@_FILES
@click.option("--strict", is_flag=True, help="Exit with code 1 if any target is missed.")
@click.option("--strategy", "-s", "strategies", multiple=True,
              help="Judge only this strategy (repeatable); the baseline usually misses by design.")
@_SET
@_output_options
@_handles_bad_input
def targets(files: tuple[str, ...], strict: bool, strategies: tuple[str, ...], assignments: tuple[str, ...],
            fmt: str | None, output: str | None) -> None:
    """Every target's verdict for every strategy; --strict fails on a missed one."""
    results = _load_each_once(files, _overrides(assignments))
    known = sorted({name for r in results for name in r.scenario.strategy_names})
    for name in strategies:
        if name not in known:
            raise UsageError(_unknown_strategy(name, known, ", ".join(files)))
    chosen = list(strategies) or None
    output_format = format_for(output, fmt)
    notes = ([f"{r.scenario.path}: {n}" for r in results for n in report.set_notes(r)]
             if output_format in report.CSV_FORMATS else [])
    _emit(report.targets_document(results, output_format, chosen), output, files, notes)
    missed = [v for r in results for v in r.verdicts if v.met is False and (chosen is None or v.strategy in chosen)]
    if strict and missed:
        click.echo(f"{len(missed)} target verdict(s) missed: "
                   + ", ".join(f"{v.target} ({v.strategy})" for v in missed), err=True)
        sys.exit(EXIT_CHECK_FAILED)


@main.command()
@_FILES
def validate(files: tuple[str, ...]) -> None:
    """Check scenario files without running them; every problem is listed, exit code 2 if any."""
    bad = False
    for file in files:
        try:
            scenario = kikcalc.load(file)
        except ScenarioError as error:
            click.echo(str(error), err=True)
            bad = True
            continue
        click.echo(f"ok: {file}: {len(scenario.states)} states, {len(scenario.transitions)} transitions, "
                   f"{len(scenario.strategies)} strategies, {len(scenario.targets)} targets, "
                   f"{scenario.calendar.labels[0]} to {scenario.calendar.labels[-1]}")
    if bad:
        sys.exit(EXIT_BAD_INPUT)


if __name__ == "__main__":
    main()
