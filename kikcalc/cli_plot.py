"""``kikcalc plot``: a chart of a scenario for a committee paper, as PNG, SVG or PDF. No arithmetic here."""

from __future__ import annotations

import click

import kikcalc
from kikcalc import provenance
from kikcalc.chart_kinds import KINDS
from kikcalc.cli import (
    _MAP,
    _MEASURE,
    _OBSERVED,
    _QUIET,
    _SET,
    FILE,
    _emit,
    _handles_bad_input,
    _observations,
    _overrides,
    _realised_strategy,
    _run,
    _uncertain,
    _unknown_strategy,
    _warn,
    main,
)
from kikcalc.cli_draws import DRAWS, LOCALE, SEED, sensitivity_run
from kikcalc.errors import UsageError
from kikcalc.output import check_output, image_format_for


def compared_strategy(scenario: kikcalc.Scenario, strategy: str | None, file: str, chart: str = "a tornado") -> str:
    """The strategy a tornado (or a fan, ``chart``) compares with the baseline: the one named, else the first after
    the baseline."""
    names = scenario.strategy_names
    if strategy is None:
        if len(names) < 2:
            raise UsageError(f"{file}: {chart} compares a strategy with the baseline; the file has only {names[0]}")
        return names[1]
    if strategy not in names:
        raise UsageError(_unknown_strategy(strategy, names, file))
    if strategy == names[0]:
        raise UsageError(f"--strategy {strategy}: the baseline; {chart} compares a strategy with it: "
                         f"choose one of {', '.join(names[1:]) or 'none (the file has no other)'}")
    return strategy


_USED_BY = {"strategy": ("tornado", "followup", "fan"), "metric": ("tornado",)}
"""The choices that only some kinds of chart read: given with another kind, each would be silently left unused and
the chart look as if it had followed it. (--draws and --seed, which change no chart but the fan, are let through, so
that one set of options can draw every kind.)"""


def _refuse_unused(context: click.Context, kind: str) -> None:
    """An option given on the command line that this kind of chart does not read is bad input, not ignored:
    ``--kind saving --strategy kik2`` would otherwise draw every strategy and look as if it drew one."""
    for name, kinds in _USED_BY.items():
        if kind not in kinds and context.get_parameter_source(name) is click.core.ParameterSource.COMMANDLINE:
            named = kinds[0] if len(kinds) == 1 else f"{', '.join(kinds[:-1])} and {kinds[-1]}"
            raise UsageError(f"--{name}: only --kind {named} reads it (this is --kind {kind}"
                             f"{', which draws every strategy' if name == 'strategy' else ''})")


@main.command()
@click.argument("file", type=FILE)
@click.option("--output", "-o", required=True, type=FILE,
              help="The chart file: .png, .svg or .pdf (written atomically).")
@click.option("--kind", "-k", type=click.Choice(KINDS), default="caseload", show_default=True,
              help="caseload (persons per strategy, level targets marked), saving (cumulative net saving, payback marked), "
                   "tornado (one uncertain number at a time), fan (yearly net saving over the draws), "
                   "followup (observed against the projection).")
@LOCALE
@click.option("--strategy", "-s", default=None,
              help="tornado, followup: the strategy (default: the first after the baseline); fan: draw this strategy's "
                   "alone (default: the first six after the baseline).")
@click.option("--metric", "-m", type=click.Choice(["npv", "net_saving"]), default="npv", show_default=True,
              help="tornado: the net present value or the net saving over the horizon.")
@DRAWS
@SEED
@_OBSERVED
@_MAP
@_MEASURE
@_SET
@_QUIET
@_handles_bad_input
def plot(file: str, output: str, kind: str, locale: str, strategy: str | None, metric: str, draws: int, seed: int,
         observed_files: tuple[str, ...], maps: tuple[str, ...], measure: str | None, assignments: tuple[str, ...],
         quiet: bool) -> None:
    """A chart for a committee paper: caseload, saving, tornado, fan or followup (needs the plot extra)."""
    from kikcalc import charts  # the charts' chain (follow-up, observations) only when a chart is drawn

    inputs = [file, *observed_files]
    check_output(output, inputs)
    fmt = image_format_for(output)
    charts.require()
    given = next((name for name, value in (("--observed", observed_files), ("--map", maps), ("--measure", measure)) if value), None)
    if given and kind != "followup":
        raise UsageError(f"{given}: only --kind followup draws observations (this is --kind {kind})")
    _refuse_unused(click.get_current_context(), kind)
    if kind in ("tornado", "fan"):
        scenario, uncertainty = _uncertain(file, assignments, quiet=quiet)
        if kind == "tornado":
            from kikcalc import sensitivity as psa

            chosen = compared_strategy(scenario, strategy, file)
            base, bars = psa.tornado(scenario, uncertainty, chosen, metric)
            figure = charts.tornado(scenario, chosen, metric, base, bars, locale)
        else:
            chosen = compared_strategy(scenario, strategy, file, "a fan")  # after the baseline; refuses a baseline alone
            figure = charts.fan(sensitivity_run(scenario, uncertainty, draws, seed, file), locale,
                                None if strategy is None else chosen)
    else:
        scenario = kikcalc.load(file, _overrides(assignments))
        result = _run(scenario, file, quiet)
        _warn(scenario, file, quiet, result)
        if kind == "caseload":
            figure = charts.caseload(result, locale)
        elif kind == "saving":
            if len(scenario.strategies) < 2:
                raise UsageError(f"{file}: a saving is against the baseline; the file has only {scenario.strategy_names[0]}")
            figure = charts.saving(result, locale)
        else:
            from kikcalc.followup import follow_up

            observations = _observations(scenario, observed_files, maps, measure)
            k = _realised_strategy(scenario, strategy, file)
            figure = charts.followup(result, follow_up(scenario, observations, k), observations, locale)
    drew = kind == "fan"
    record = provenance.of([scenario], seed if drew else None, draws if drew else None, data_files=observed_files)
    _emit(charts.render(charts.stamp(figure, scenario, record), fmt), output, tuple(inputs))
