"""``kikcalc calibrate``, ``kikcalc followup`` and ``kikcalc solve``: the scenario against observed data, and what it
would take. No arithmetic here."""

from __future__ import annotations

import sys

import click
import numpy as np

import kikcalc
from kikcalc import report
from kikcalc.cli import (
    _MAP,
    _MEASURE,
    _OBSERVED,
    _PRICES,
    _SET,
    EXIT_CHECK_FAILED,
    FILE,
    _chosen_format,
    _emit,
    _handles_bad_input,
    _observations,
    _output_options,
    _overrides,
    _priced,
    _realised_strategy,
    _stamped,
    main,
)
from kikcalc.errors import UsageError
from kikcalc.output import check_output, write_atomically


@main.command()
@click.argument("file", type=FILE)
@_OBSERVED
@_MAP
@_MEASURE
@click.option("--fit", "fits", multiple=True, required=True, metavar="PATH",
              help="A number to fit, by key path (repeatable); a table (an inflow by year, a band table) is fitted as one factor.")
@click.option("--strategy", "-s", default=None, help="The strategy the data were observed under (default: the first after the baseline).")
@click.option("--holdout", type=click.IntRange(0), default=0, help="Fit on all but the last N observations and forecast those.")
@click.option("--write", "write_to", type=FILE, default=None, metavar="OUT.toml",
              help="Write a new scenario with the fitted numbers, the input's comments and layout kept; nothing (exit 1) "
                   "where the fit did not converge or is not identified.")
@click.option("--write-uncertainty", is_flag=True, help="With --write: give each fitted number a normal in [uncertainty] "
                                                         "with its standard error, kept within the number's domain (a beta "
                                                         "for a probability or share); one without a standard "
                                                         "error is left out, and said.")
@_SET
@_output_options
@_handles_bad_input
def calibrate(file: str, observed_files: tuple[str, ...], maps: tuple[str, ...], measure: str | None, fits: tuple[str, ...],
              strategy: str | None, holdout: int, write_to: str | None, write_uncertainty: bool, assignments: tuple[str, ...],
              fmt: str | None, output: str | None) -> None:
    """Fit numbers of a scenario to observed caseloads, with intervals, warnings and an optional backtest."""
    from kikcalc import calibration, report_calibration
    from kikcalc.api import check_fit

    if write_uncertainty and not write_to:
        raise UsageError("--write-uncertainty writes [uncertainty] entries into the file --write OUT.toml writes; give --write")
    chosen = _chosen_format(output, fmt, [file, *observed_files])
    scenario = kikcalc.load(file, _overrides(assignments))
    observations = _observations(scenario, observed_files, maps, measure)
    k = _realised_strategy(scenario, strategy, file)
    check_fit(scenario, observations, list(fits), holdout)
    if write_to:
        from kikcalc.toml_edit import write_over_problem

        check_output(write_to, [file, *observed_files], "--write")
        refused = write_over_problem(write_to)
        if refused:
            raise UsageError(f"--write {write_to}: {refused}")
    fit = calibration.calibrate(scenario, observations, list(fits), k, holdout)
    not_written, left_out = None, []
    if write_to and not fit.is_finding:
        failed = " and ".join(what for what, bad in (("did not converge", not fit.converged),
                                                     ("is not identified", not fit.identified)) if bad)
        not_written = (f"did not write {write_to}: the fit {failed} (see the warnings), and a scenario would carry its "
                       f"numbers as fitted")
    elif write_to:
        from kikcalc.textfile import read_text
        from kikcalc.toml_edit import hand_written_entries, with_numbers, with_values, without_header, written_header

        source = ", ".join(observed_files) or "the [observed] table"
        changes = [(f.path, float(fit.estimate[i]), f.scale,
                    f"fitted by kikcalc calibrate to {source} (RMSE {fit.rmse:.3g}"
                    + ("" if np.isnan(fit.standard_error[i]) else f", se {fit.standard_error[i]:.3g}") + ")")
                   for i, f in enumerate(fit.fitted)]
        uncertain, left_out = calibration.uncertainty_entries(fit) if write_uncertainty else ([], [])
        left_out = [f"--write-uncertainty wrote no [uncertainty] entry for {why}" for why in left_out]
        text = read_text(file)
        left_out += [f"--write-uncertainty wrote over the file's [uncertainty] entry for {path} ({entry}): the fit's "
                     f"standard error is what these data say if the model is right; a spread written by hand may be "
                     f"wider for a reason"
                     for path, entry in hand_written_entries(text, [path for path, *_ in uncertain])]
        notes = [f"Caveat of the fit: {warning}" for warning in fit.warnings] + left_out
        fitted_whole = {f.path for f in fit.fitted if not f.scale}  # a value set and fitted: the fitted one is written
        held = [(path, value, "set with --set for the fit (kikcalc calibrate)")
                for path, value, _ in scenario.overrides if path not in fitted_whole]
        written = written_header(file, source, notes, text) + with_numbers(with_values(without_header(text), held), changes,
                                                                           uncertain)
        write_atomically(write_to, written, [file, *observed_files], "--write")
    written = None if not_written else write_to
    content, after = _stamped(report_calibration.calibrate_document(scenario, scenario.strategy_names[k], observations, fit,
                                                                    chosen, written, not_written),
                              chosen, [scenario], data_files=observed_files)
    notes = (report_calibration.calibrate_notes(scenario, observations, fit, written, not_written)
             if chosen in report.CSV_FORMATS else [])
    _emit(content, output, (file, *observed_files), notes, after)
    for note in left_out:
        click.echo(f"kikcalc: {note}", err=True)
    if not_written:
        click.echo(f"kikcalc: {not_written}; fit fewer numbers, or add data of another kind (flows, another measure)",
                   err=True)
        sys.exit(EXIT_CHECK_FAILED)


@main.command()
@click.argument("file", type=FILE)
@_OBSERVED
@_MAP
@_MEASURE
@click.option("--strategy", "-s", default=None, help="The strategy being followed (default: the first after the baseline).")
@_SET
@_PRICES
@_output_options
@_handles_bad_input
def followup(file: str, observed_files: tuple[str, ...], maps: tuple[str, ...], measure: str | None, strategy: str | None,
             assignments: tuple[str, ...], prices: str | None, fmt: str | None, output: str | None) -> None:
    """Are we ahead of the plan? Each observation against the scenario's projection, in persons and kroner."""
    from kikcalc import report_calibration
    from kikcalc.followup import follow_up

    chosen = _chosen_format(output, fmt, [file, *observed_files])
    scenario = _priced(kikcalc.load(file, _overrides(assignments)), prices)
    observations = _observations(scenario, observed_files, maps, measure)
    k = _realised_strategy(scenario, strategy, file)
    result = follow_up(scenario, observations, k)
    content, after = _stamped(report_calibration.followup_document(scenario, result, observations, chosen), chosen, [scenario],
                              data_files=observed_files)
    notes = report_calibration.followup_notes(scenario, result, observations) if chosen in report.CSV_FORMATS else []
    _emit(content, output, (file, *observed_files), notes, after)


@main.command()
@click.argument("file", type=FILE)
@click.option("--target", "-t", "target", required=True, metavar="NAME", help="The target to bring exactly to its threshold.")
@click.option("--vary", "-v", "path", required=True, metavar="PATH",
              help="The key path of the number to solve for, in the file's unit: 'strategies.kik2.effects[0].multiply'.")
@click.option("--strategy", "-s", default=None,
              help="The strategy whose verdict is solved (default: the one whose number it is, else the first after the baseline).")
@click.option("--between", nargs=2, type=float, default=None, metavar="LO HI",
              help="Search from LO to HI (default: the number's domain, or outward from the file's value).")
@_SET
@_PRICES
@_output_options
@_handles_bad_input
def solve(file: str, target: str, path: str, strategy: str | None, between: tuple[float, float] | None,
          assignments: tuple[str, ...], prices: str | None, fmt: str | None, output: str | None) -> None:
    """The value of one number at which a target is exactly at its threshold; exit 1 if no value in the search changes the verdict."""
    from kikcalc import goalseek, report_goalseek

    chosen = _chosen_format(output, fmt, [file])
    scenario = _priced(kikcalc.load(file, _overrides(assignments)), prices)
    solution = goalseek.solve(scenario, target, path, strategy, between)
    notes = report_goalseek.notes(solution) if chosen in report.CSV_FORMATS else []
    content, after = _stamped(report_goalseek.document(solution, chosen), chosen, [scenario])
    _emit(content, output, (file,), notes, after)
    if solution.status != "solved":
        click.echo(f"kikcalc: {report_goalseek.no_solution(solution)}", err=True)
        sys.exit(EXIT_CHECK_FAILED)
