"""``kikcalc liability``: the liability view at a valuation month (docs/model.md section 9a). No arithmetic here."""

from __future__ import annotations

import click

import kikcalc
from kikcalc import report
from kikcalc.cli import (
    _SET,
    FILE,
    _chosen_format,
    _each_once,
    _emit,
    _handles_bad_input,
    _output_options,
    _overrides,
    _stamped,
    _unknown_strategy,
    main,
)
from kikcalc.errors import UsageError

RUN_OFF_YEARS = click.IntRange(1, 100)


@main.command()
@click.argument("file", type=FILE)
@click.option("--strategy", "-s", "strategies", multiple=True, metavar="S", callback=_each_once,
              help="Show this strategy and its change against the baseline (repeatable; default: every strategy).")
@click.option("--at", "at", default=None, metavar="YYYY-MM",
              help="The valuation month: persons on benefit at its start, money discounted to it (default: the first month).")
@click.option("--years", type=RUN_OFF_YEARS, default=None, metavar="N",
              help="Count N years from the valuation month (1-100; default: for ever, the horizon's last month's rates after it).")
@_SET
@_output_options
@_handles_bad_input
def liability(file: str, strategies: tuple[str, ...], at: str | None, years: int | None, assignments: tuple[str, ...],
              fmt: str | None, output: str | None) -> None:
    """Expected future months on benefit and the present value of future net cost per person, by state and
    anciennitet segment, for the stock at a month and one year's entrants, and each strategy's change to it."""
    from kikcalc import api, report_liability

    chosen = _chosen_format(output, fmt, [file])
    scenario = kikcalc.load(file, _overrides(assignments))
    for name in strategies:
        if name not in scenario.strategy_names:
            raise UsageError(_unknown_strategy(name, scenario.strategy_names, file))
    result = api.liability(scenario, at, years)
    shown = [scenario.strategy_names[0], *[s for s in strategies if s != scenario.strategy_names[0]]] if strategies else None
    notes = report_liability.notes(result) if chosen in report.CSV_FORMATS else []
    content, after = _stamped(report_liability.document(result, chosen, shown), chosen, [scenario])
    _emit(content, output, (file,), notes, after)
