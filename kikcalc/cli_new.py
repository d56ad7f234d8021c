"""``kikcalc new`` (a commented starter scenario) and ``kikcalc diff`` (two scenarios' inputs and headline results)."""

from __future__ import annotations

import json
import shlex
from importlib import resources
from pathlib import Path

import click

import kikcalc
from kikcalc import keypaths, report, snapshot
from kikcalc.cli import FILE, _emit, _handles_bad_input, _stamped_on_top, main
from kikcalc.errors import UsageError
from kikcalc.output import check_output, format_for, write_new

TEMPLATES = ("kik", "programme", "pool")
"""The starter scenarios in kikcalc/templates/: an investment strategy, a course with places and an outcome
mix, and a state pool's grant with a result part."""


def template_text(name: str) -> str:
    """The text of a starter scenario (kikcalc/templates/NAME.toml)."""
    return resources.files("kikcalc").joinpath("templates", f"{name}.toml").read_text(encoding="utf-8")


@main.command()
@click.argument("file", type=FILE)
@click.option("--template", "-t", type=click.Choice(TEMPLATES), default="kik", show_default=True,
              help="kik (an investment strategy for a benefit group), programme (a course with places, a price and "
                   "an outcome mix) or pool (a grant with a part paid only if a target is met).")
@_handles_bad_input
def new(file: str, template: str) -> None:
    """Write a commented starter scenario that validates and runs as written; every number in it is a
    placeholder assumption to replace. An existing file is never overwritten."""
    if Path(file).suffix.lower() != ".toml":  # ".toml" alone is a hidden file with no suffix, named after nothing
        stem = Path(file).stem if Path(file).stem.lower() != ".toml" else ""
        raise UsageError(f"{file}: a scenario file ends in .toml; give a name such as {stem or 'my-scenario'}.toml")
    write_new(file, template_text(template))
    click.echo(f"wrote {file}: the {template} template; every number in it is marked PLACEHOLDER: replace each with your own "
               f"figure and its source, then: kikcalc validate {shlex.quote(file)}", err=True)  # a command to paste as it is


def _headline(result: kikcalc.Result) -> dict:
    """A one-scenario snapshot of the headline numbers only: each strategy's summary and target verdicts."""
    full = snapshot.entry(json.loads(report.to_json(report.run_json(result))))
    strategies = {name: {"summary": numbers["summary"], "targets": numbers["targets"]}
                  for name, numbers in full["strategies"].items()}
    return snapshot.document({"results": {"strategies": strategies}}, kikcalc.__version__)


@main.command()
@click.argument("first", metavar="A.toml", type=FILE)
@click.argument("second", metavar="B.toml", type=FILE)
@click.option("--format", "-f", "fmt", type=click.Choice(["table", "markdown", "json"]), default=None,
              help="table (default), markdown or json; default from --output's suffix.")
@click.option("--output", "-o", type=FILE, default=None, help="Write to this file (atomically).")
@_handles_bad_input
def diff(first: str, second: str, fmt: str | None, output: str | None) -> None:
    """The inputs by which two scenario files differ (by key path), and how each headline result moves from A to B."""
    from kikcalc import report_snapshot

    chosen = format_for(output, fmt)
    if chosen not in report_snapshot.FORMATS:
        raise UsageError(f"--output {output}: kikcalc diff writes {', '.join(report_snapshot.FORMATS)}")
    if output:
        check_output(output, [first, second])
    scenarios = [kikcalc.load(first), kikcalc.load(second)]
    inputs = keypaths.differences(scenarios[0].raw, scenarios[1].raw)
    a, b = (_headline(kikcalc.run(s)) for s in scenarios)
    headline = [c for c in snapshot.compare(a, b, 0.0, 0.0, keep_same=True)
                if not (c.kind == "same" and c.old in (0, None))]  # nothing to say of a line that is 0 or empty in both
    content = _stamped_on_top(report_snapshot.diff_document(first, second, inputs, headline, chosen), chosen, scenarios)
    _emit(content, output, (first, second))
