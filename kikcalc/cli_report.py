"""``kikcalc report``: a committee appendix as one self-contained HTML file. No arithmetic here."""

from __future__ import annotations

from pathlib import Path

import click

from kikcalc.cli import _FILES, _QUIET, _SET, FILE, _emit, _handles_bad_input, _load_each_once, _overrides, _uncertain, main
from kikcalc.cli_draws import DRAWS, LOCALE, SEED, sensitivity_run
from kikcalc.errors import UsageError
from kikcalc.output import HTML_SUFFIXES, check_output


@main.command()
@_FILES
@click.option("--output", "-o", required=True, type=FILE,
              help="The report: an .html file (written atomically), to open in a browser or print.")
@LOCALE
@DRAWS
@SEED
@_SET
@_QUIET
@_handles_bad_input
def report(files: tuple[str, ...], output: str, locale: str, draws: int, seed: int, assignments: tuple[str, ...],
           quiet: bool) -> None:
    """A committee appendix in one HTML file: question, assumptions and sources, comparison, targets, charts,
    sensitivity and provenance (needs the report extra)."""
    from kikcalc import provenance, report_html
    from kikcalc import sensitivity as psa
    from kikcalc.followup import follow_up
    from kikcalc.observed import from_scenario

    check_output(output, list(files))
    if Path(output).suffix.lower() not in HTML_SUFFIXES:
        raise UsageError(f"--output {output}: a report is an HTML file: give a file ending in {', '.join(HTML_SUFFIXES)}")
    report_html.require()
    overrides = _overrides(assignments)
    results = _load_each_once(files, overrides, quiet)
    sections, drew = [], False
    for file, result in zip(files, results, strict=True):
        scenario = result.scenario
        run = tornado = follow = None
        uncertain = scenario.raw.get("uncertainty")
        if isinstance(uncertain, dict) and uncertain:
            checked, uncertainty = _uncertain(file, assignments, quiet=True)  # its warnings said with the file's
            run, drew = sensitivity_run(checked, uncertainty, draws, seed, file), True
            if len(scenario.strategies) > 1:
                strategy = scenario.strategy_names[1]
                tornado = (strategy, *psa.tornado(checked, uncertainty, strategy, "npv"))
        observations = from_scenario(scenario)[0]
        if len(observations):
            follow = (follow_up(scenario, observations, 1 if len(scenario.strategies) > 1 else 0), observations)
        sections.append(report_html.section(result, locale, run, tornado, follow))
    record = provenance.of([r.scenario for r in results], seed if drew else None, draws if drew else None)
    _emit(report_html.document(sections, locale, record.to_dict()), output, files)
